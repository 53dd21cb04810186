//! Connecting a CRM by signing in through the browser against the simulated CRMs' authorization
//! servers: the code comes back to the loopback address and is exchanged with PKCE's verifier, the
//! tokens go to the keychain only, an access token that runs out is renewed without anyone
//! noticing, and a refused renewal, a declined sign-in and a cancelled wait connect nothing.

use std::io::{Read, Write};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use custodian::console::{Code, Console, CrmAppForm, SignIn};
use custodian::crm::Crm;
use custodian::vault::{Sensitive, Vault};

use crate::crm_push::{counts, holding_leads, map, push};
use crate::crm_sim::{CrmSim, Fault, OAUTH_CLIENT_ID, OAUTH_SECRET};
use crate::support::Workspace;

const TOKEN: &str = "pat-na1-0123456789abcdef0123456789abcdef";

/// One plain HTTP/1.1 GET: the status, the `Location` header and the body.
fn get(url: &str) -> (u16, Option<String>, String) {
    let url = reqwest::Url::parse(url).unwrap();
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let host = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let mut stream = std::net::TcpStream::connect(&host).unwrap();
    write!(stream, "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let location = head.lines().find_map(|l| {
        l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("location")).map(|(_, v)| v.trim().to_owned())
    });
    (status, location, body.to_owned())
}

/// What a signed-in person's browser does: opens the authorize page, and follows it back to the
/// loopback address. The page the browser ends on.
fn browse(address: &str) -> String {
    let (status, location, body) = get(address);
    assert_eq!(status, 302, "the authorize page sends the browser back: {body}");
    let (status, _, page) = get(&location.unwrap());
    assert_eq!(status, 200, "{page}");
    page
}

/// A browser that does that on its own thread, as a real one would.
fn browser() -> impl Fn(&SignIn) + Send + Sync {
    |sign_in: &SignIn| {
        let address = sign_in.address.clone();
        std::thread::spawn(move || browse(&address));
    }
}

async fn with_app(console: &Console, sim: &CrmSim, crm: Crm) {
    let form =
        CrmAppForm { crm, client_id: OAUTH_CLIENT_ID.into(), auth_url: Some(sim.url.clone()), redirect_port: Some(0) };
    let app = console.set_crm_app(form, Some(Sensitive::new(OAUTH_SECRET.into()))).await.unwrap();
    assert!(app.has_secret);
}

fn waiting() -> Arc<AtomicBool> {
    Arc::new(AtomicBool::new(false))
}

#[tokio::test]
async fn signing_in_through_the_browser_connects_each_crm_and_keeps_its_tokens_only_in_the_keychain() {
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let vault = Vault::new(console.workspace_id());
    let mut tokens = Vec::new();
    for crm in [Crm::HubSpot, Crm::Salesforce, Crm::Pipedrive] {
        with_app(&console, &sim, crm).await;
        // HubSpot's API (and token endpoint) is named; Salesforce's org and Pipedrive's company
        // API come back with the tokens.
        let base = (crm == Crm::HubSpot).then_some(sim.url.as_str());
        let connection = console.connect_crm_in_browser(crm, "Acme", base, &browser(), waiting()).await.unwrap();
        assert!(connection.oauth, "{connection:?}");
        assert_eq!(connection.base_url, sim.url, "{crm:?} is called where its token answer said");
        let access = vault.get("crm-token", &connection.id).await.unwrap().unwrap();
        let refresh = vault.get("crm-refresh", &connection.id).await.unwrap().unwrap();
        assert!(access.expose().starts_with("oauth-access-") && refresh.expose().starts_with("oauth-refresh-"));
        assert!(console.crm_fields(&connection.id, None).await.unwrap().fields.len() > 3, "the token works");
        tokens.push(access.expose().clone());
        tokens.push(refresh.expose().clone());
    }
    let token_calls: Vec<String> =
        sim.calls().into_iter().filter(|(m, p, _)| m == "POST" && p.contains("token")).map(|c| c.1).collect();
    assert_eq!(token_calls, ["/oauth/v1/token", "/services/oauth2/token", "/oauth/token"]);
    let audit = serde_json::to_string(&console.audit_list(100, None).await.unwrap()).unwrap();
    assert_eq!(audit.matches("signed in through the browser").count(), 3, "{audit}");
    let key = *ws.key().await.expose();
    console.close().await;
    let mut needles: Vec<&str> = tokens.iter().map(String::as_str).collect();
    needles.push(OAUTH_SECRET);
    assert_eq!(crate::support::traces(ws.path(), &key, &needles), Vec::<String>::new());
}

#[tokio::test]
async fn an_access_token_that_runs_out_is_renewed_once_and_the_push_goes_on() {
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let console = holding_leads(&ws, &[]).await;
    with_app(&console, &sim, Crm::HubSpot).await;
    let connection =
        console.connect_crm_in_browser(Crm::HubSpot, "Acme", Some(&sim.url), &browser(), waiting()).await.unwrap();
    map(&console, Crm::HubSpot).await;
    let vault = Vault::new(console.workspace_id());
    let before = vault.get("crm-token", &connection.id).await.unwrap().unwrap().expose().clone();
    let given = sim.tokens_given();
    // The connection renews as the app it was made with, even once the app's settings are gone.
    console.remove_crm_app(Crm::HubSpot).await.unwrap();
    sim.fault(Fault::TokensRunOut);
    let report = push(&console).await;
    assert_eq!(counts(&report), [4, 0, 0, 0, 0, 0], "{report:?}");
    assert_eq!(sim.tokens_given(), given + 1, "renewed once");
    let after = vault.get("crm-token", &connection.id).await.unwrap().unwrap().expose().clone();
    assert_ne!(before, after, "the renewed token is kept");
    assert!(console.crm_connection(&connection.id, None).await.unwrap().invalid_reason.is_none());
    let sent_with: Vec<String> =
        sim.calls().into_iter().map(|c| c.2).filter(|c| c.starts_with("oauth-access")).collect();
    assert_eq!(sent_with.last(), Some(&after));
    console.close().await;
}

#[tokio::test]
async fn a_refused_renewal_marks_the_connection_to_be_made_again() {
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    with_app(&console, &sim, Crm::Salesforce).await;
    let connection =
        console.connect_crm_in_browser(Crm::Salesforce, "Acme", None, &browser(), waiting()).await.unwrap();
    sim.revoke_refresh_tokens();
    sim.fault(Fault::TokensRunOut);
    let refused = console.crm_fields(&connection.id, None).await.unwrap_err();
    assert_eq!(refused.code(), Code::TokenInvalid, "{refused}");
    let reason = console.crm_connection(&connection.id, None).await.unwrap().invalid_reason.unwrap();
    assert!(reason.contains("refresh token was refused"), "{reason}");
    assert!(!reason.contains("oauth-"), "no token in the reason: {reason}");
    console.close().await;
}

#[tokio::test]
async fn a_declined_a_cancelled_and_an_app_less_sign_in_connect_nothing() {
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let no_app = console.connect_crm_in_browser(Crm::Pipedrive, "Acme", None, &browser(), waiting()).await;
    assert!(no_app.unwrap_err().to_string().contains("set its client id first"));

    with_app(&console, &sim, Crm::Pipedrive).await;
    sim.decline_next_sign_in();
    let declined = console.connect_crm_in_browser(Crm::Pipedrive, "Acme", None, &browser(), waiting()).await;
    let declined = declined.unwrap_err();
    assert_eq!(declined.code(), Code::Cancelled);
    assert!(declined.to_string().contains("access_denied"), "{declined}");

    // Nobody comes back: the person closed the tab, then stopped the wait.
    let cancel = waiting();
    let stop = Arc::clone(&cancel);
    let gone = move |_: &SignIn| {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        });
    };
    let cancelled = console.connect_crm_in_browser(Crm::Pipedrive, "Acme", None, &gone, cancel).await.unwrap_err();
    assert_eq!(cancelled.code(), Code::Cancelled);
    assert!(console.crm_connections().await.unwrap().is_empty());
    console.close().await;
}

#[test]
fn the_cli_signs_in_through_the_browser_browser_names_and_disconnecting_takes_both_tokens_out() {
    use crate::support::{stderr, stdout};
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    assert!(ws.cli(&["client", "add", "Acme"]).status.success());
    let set = ws.cli_with_input(
        &["crm", "app", "set", "pipedrive", "--client-id", OAUTH_CLIENT_ID, "--secret-stdin", "--auth-url", &sim.url],
        &format!("{OAUTH_SECRET}\n"),
    );
    assert!(set.status.success(), "{}", stderr(&set));
    assert!(stdout(&set).contains("register this redirect URL with the app: http://127.0.0.1:47817/callback"));
    let set = ws.cli(&[
        "crm",
        "app",
        "set",
        "pipedrive",
        "--client-id",
        OAUTH_CLIENT_ID,
        "--auth-url",
        &sim.url,
        "--port",
        "0",
    ]);
    assert!(stdout(&set).contains("its secret in the keychain"), "the secret stays: {}", stdout(&set));

    // The "browser" is a script that notes the address it was asked to open.
    let visits = ws.path().join("visits");
    let script = ws.path().join("browser.sh");
    std::fs::write(&script, format!("#!/bin/sh\nprintf '%s' \"$1\" > {0}.part && mv {0}.part {0}\n", visits.display()))
        .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let child = ws
        .command(&["crm", "connect", "pipedrive", "--client", "Acme", "--json"])
        .env("BROWSER", &script)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !visits.exists() {
        assert!(std::time::Instant::now() < until, "the browser was never opened");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let address = std::fs::read_to_string(&visits).unwrap();
    assert!(browse(&address).contains("Custodian is connected to Pipedrive"));
    let connected = child.wait_with_output().unwrap();
    assert!(connected.status.success(), "{}", stderr(&connected));
    assert!(stderr(&connected).contains(&address), "the address is shown should no browser open");
    let shown: serde_json::Value = serde_json::from_str(&stdout(&connected)).unwrap();
    assert_eq!(shown[0]["oauth"], true);
    let id = shown[0]["id"].as_str().unwrap().to_owned();
    assert!(stdout(&ws.cli(&["crm", "status"])).contains("signed in through the browser"));

    let rt = tokio::runtime::Runtime::new().unwrap();
    let workspace_id = rt.block_on(async {
        let console = ws.open().await;
        let id = console.workspace_id().to_owned();
        console.close().await;
        id
    });
    let vault = Vault::new(&workspace_id);
    assert!(rt.block_on(vault.get("crm-refresh", &id)).unwrap().is_some());
    assert_eq!(rt.block_on(vault.get("crm-refresh-secret", &id)).unwrap().unwrap().expose(), OAUTH_SECRET);
    assert!(ws.cli(&["crm", "disconnect", &id, "--yes"]).status.success());
    assert!(rt.block_on(vault.get("crm-refresh", &id)).unwrap().is_none(), "the refresh token left the keychain");
    assert!(rt.block_on(vault.get("crm-token", &id)).unwrap().is_none());
    assert!(rt.block_on(vault.get("crm-refresh-secret", &id)).unwrap().is_none(), "nor its copy of the secret");
    assert!(ws.cli(&["crm", "app", "remove", "pipedrive"]).status.success());
    assert!(rt.block_on(vault.get("crm-app-secret", "pipedrive")).unwrap().is_none());
    assert!(stdout(&ws.cli(&["crm", "app", "show"])).contains("No CRM apps are set"));
}

#[tokio::test]
async fn two_calls_refused_together_renew_a_pipedrive_token_once_though_each_has_its_own_client() {
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    with_app(&console, &sim, Crm::Pipedrive).await;
    let connection = console.connect_crm_in_browser(Crm::Pipedrive, "Acme", None, &browser(), waiting()).await.unwrap();
    let given = sim.tokens_given();
    sim.fault(Fault::TokensRunOut);
    // Pipedrive takes a refresh token once: a second refresh with it would be refused.
    let (one, two) = tokio::join!(console.crm_fields(&connection.id, None), console.crm_fields(&connection.id, None));
    assert!(one.is_ok() && two.is_ok(), "{:?} {:?}", one.err(), two.err());
    assert_eq!(sim.tokens_given(), given + 1, "renewed once");
    assert!(console.crm_connection(&connection.id, None).await.unwrap().invalid_reason.is_none());
    console.close().await;
}
