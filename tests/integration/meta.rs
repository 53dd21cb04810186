//! Connections to Meta, against the local Graph API simulator: a token is inspected before it is
//! kept, kept only in the keychain, shown with its health and never printed, and disconnecting
//! revokes a user token at Meta and takes it out of the keychain.

use std::io::Write;
use std::process::Stdio;

use chrono::Duration;
use custodian::console::{Code, Console, MetaAppForm, TokenHealth};
use custodian::vault::{Sensitive, Vault};
use serde_json::Value;

use crate::graph_sim::{GraphSim, Token};
use crate::support::{stderr, stdout, traces, Workspace, TEST_NOW};

const TOKEN: &str = "EAAGsystemusertoken0123456789abcdefABCDEF";
const LEAD_ADS: [&str; 4] = ["leads_retrieval", "pages_show_list", "pages_read_engagement", "pages_manage_metadata"];

fn token_of(kind: &'static str, scopes: &[&'static str], expires_at: i64) -> Token {
    Token { app_id: "1234".into(), kind, scopes: scopes.to_vec(), expires_at, invalid: None }
}

async fn with_app(ws: &Workspace, sim: &GraphSim) -> Console {
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let form = MetaAppForm { app_id: Some("1234".into()), graph_url: Some(sim.url.clone()), ..MetaAppForm::default() };
    console.set_meta_app(form).await.unwrap();
    console
}

fn secret(value: &str) -> Sensitive<String> {
    Sensitive::new(value.to_owned())
}

#[tokio::test]
async fn a_connected_token_is_kept_only_in_the_keychain_and_never_shown() {
    let sim = GraphSim::start();
    sim.token(TOKEN, token_of("SYSTEM_USER", &LEAD_ADS, 0));
    let ws = Workspace::new();
    let console = with_app(&ws, &sim).await;
    let connection = console.connect_meta(secret(&format!(" {TOKEN}\n")), Some("acme")).await.unwrap();
    assert_eq!(connection.token_type, "SYSTEM_USER");
    assert_eq!(connection.client.as_deref(), Some("Acme"));
    assert_eq!(connection.health, TokenHealth::Ok);
    assert_eq!(connection.expires_at, None, "a system-user token that never expires");
    assert_eq!(connection.scopes, LEAD_ADS);

    let kept = Vault::new(console.workspace_id()).get("meta-token", &connection.id).await.unwrap().unwrap();
    assert_eq!(kept.expose(), TOKEN, "the keychain holds it, trimmed");
    let shown = serde_json::to_string(&console.meta_connections().await.unwrap()).unwrap();
    assert!(!shown.contains(TOKEN));
    let audit = serde_json::to_string(&console.audit_list(100, None).await.unwrap()).unwrap();
    assert!(audit.contains("meta.connect") && !audit.contains(TOKEN), "{audit}");
    let key = *ws.key().await.expose();
    console.close().await;
    assert_eq!(traces(ws.path(), &key, &[TOKEN]), Vec::<String>::new(), "not in the database, the WAL or the log");
}

#[tokio::test]
async fn a_token_meta_refuses_is_not_kept_and_the_refusal_says_what_is_wrong() {
    let sim = GraphSim::start();
    let ws = Workspace::new();
    let console = with_app(&ws, &sim).await;
    let cases: [(&str, Token, &str); 3] = [
        ("EAAGotherapp", Token { app_id: "999".into(), ..token_of("USER", &LEAD_ADS, 0) }, "belongs to Meta app 999"),
        (
            "EAAGfewscopes",
            token_of("SYSTEM_USER", &["leads_retrieval", "pages_show_list"], 0),
            "lacks pages_read_engagement, pages_manage_metadata",
        ),
        ("EAAGapptoken", token_of("APP", &LEAD_ADS, 0), "type APP"),
    ];
    for (value, token, says) in cases {
        sim.token(value, token);
        let e = console.connect_meta(secret(value), None).await.unwrap_err();
        assert_eq!(e.code(), Code::InvalidInput, "{value}: {e}");
        assert!(e.to_string().contains(says), "{value}: {e}");
        assert!(!e.to_string().contains(value), "no refusal names the token: {e}");
    }
    // Without the app secret a token inspects itself, and Meta refuses an expired one outright;
    // with it, Meta says as the app that the token is not valid.
    sim.token("EAAGexpired", Token { invalid: Some(463), ..token_of("USER", &LEAD_ADS, 0) });
    let e = console.connect_meta(secret("EAAGexpired"), None).await.unwrap_err();
    assert_eq!(e.code(), Code::TokenInvalid, "{e}");
    assert!(e.to_string().contains("the token expired"), "{e}");
    let unknown = console.connect_meta(secret("EAAGneverissued"), None).await.unwrap_err();
    assert_eq!(unknown.code(), Code::TokenInvalid, "{unknown}");
    console.set_meta_app_secret(secret("s3cret")).await.unwrap();
    let e = console.connect_meta(secret("EAAGexpired"), None).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidInput, "{e}");
    assert!(e.to_string().contains("not valid"), "{e}");

    assert!(console.meta_connections().await.unwrap().is_empty(), "nothing refused is kept");
    let refusals = console.audit_list(100, None).await.unwrap();
    assert_eq!(refusals.iter().filter(|a| a.action == "meta.connect" && a.outcome.starts_with("refused")).count(), 4);
}

#[tokio::test]
async fn a_token_is_asked_about_as_the_app_when_the_secret_is_set_and_calls_carry_the_proof() {
    let sim = GraphSim::start();
    sim.token(TOKEN, token_of("SYSTEM_USER", &LEAD_ADS, 0));
    sim.require_proof("s3cret");
    let ws = Workspace::new();
    let console = with_app(&ws, &sim).await;
    console.set_meta_app_secret(secret("s3cret")).await.unwrap();
    console.connect_meta(secret(TOKEN), None).await.unwrap();
    let asked = sim.calls().into_iter().find(|c| c.path.ends_with("/debug_token")).unwrap();
    assert_eq!(asked.query.get("access_token").map(String::as_str), Some("1234|s3cret"));
    assert!(asked.query.contains_key("appsecret_proof"));
}

#[tokio::test]
async fn a_connection_shows_its_token_expiring_a_week_ahead_and_then_expired() {
    let sim = GraphSim::start();
    let expires = (*TEST_NOW + Duration::days(10)).timestamp();
    sim.token(TOKEN, token_of("USER", &LEAD_ADS, expires));
    let ws = Workspace::new();
    let console = with_app(&ws, &sim).await;
    let connection = console.connect_meta(secret(TOKEN), None).await.unwrap();
    assert_eq!((connection.health, connection.days_left), (TokenHealth::Ok, Some(10)));
    ws.clock.advance(Duration::days(4));
    let now = &console.meta_connections().await.unwrap()[0];
    assert_eq!(now.health, TokenHealth::Expiring);
    assert_eq!(now.health_reason.as_deref(), Some("it expires in 6 days"));
    ws.clock.advance(Duration::days(7));
    assert_eq!(console.meta_connections().await.unwrap()[0].health, TokenHealth::Expired);
}

#[tokio::test]
async fn disconnecting_revokes_a_user_token_at_meta_and_takes_it_out_of_the_keychain() {
    let sim = GraphSim::start();
    sim.token(TOKEN, token_of("USER", &LEAD_ADS, 0));
    sim.token("EAAGsystemuser2", token_of("SYSTEM_USER", &LEAD_ADS, 0));
    let ws = Workspace::new();
    let console = with_app(&ws, &sim).await;
    let user = console.connect_meta(secret(TOKEN), None).await.unwrap();
    let system = console.connect_meta(secret("EAAGsystemuser2"), None).await.unwrap();

    let e = console.disconnect_meta(&user.id, false).await.unwrap_err();
    assert_eq!(e.code(), Code::ConfirmationRequired);
    assert!(e.to_string().contains("revokes the app's permissions at Meta"), "{e}");
    assert_eq!(console.meta_connections().await.unwrap().len(), 2, "nothing changes unconfirmed");

    let done = console.disconnect_meta(&user.id, true).await.unwrap();
    assert_eq!(done.revoked_at_meta, Some(true));
    let revoked = sim.calls().into_iter().filter(|c| c.method == "DELETE" && c.path.ends_with("/me/permissions"));
    assert_eq!(revoked.map(|c| c.query["access_token"].clone()).collect::<Vec<_>>(), [TOKEN]);
    let vault = Vault::new(console.workspace_id());
    assert!(vault.get("meta-token", &user.id).await.unwrap().is_none());

    let done = console.disconnect_meta(&system.id, true).await.unwrap();
    assert_eq!(done.revoked_at_meta, None, "a system user's token is the business's: it is only forgotten here");
    assert!(vault.get("meta-token", &system.id).await.unwrap().is_none());
    assert!(console.meta_connections().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_cli_connects_a_token_from_standard_input_and_never_prints_or_logs_it() {
    let sim = GraphSim::start();
    sim.token(TOKEN, token_of("SYSTEM_USER", &LEAD_ADS, 0));
    sim.page("p1", "Acme Shoes", "EAAGpagetoken1acme");
    let ws = Workspace::new();
    assert!(ws.cli(&["client", "add", "Acme"]).status.success());
    let app = ws.cli(&["meta", "app", "--app-id", "1234", "--graph-url", &sim.url, "--json"]);
    assert!(app.status.success(), "{}", stderr(&app));
    let app: Value = serde_json::from_str(&stdout(&app)).unwrap();
    assert_eq!((app["app_id"].as_str(), app["secret_set"].as_bool()), (Some("1234"), Some(false)));
    assert_eq!(app["sync_minutes"], 15, "the app syncs every 15 minutes unless told otherwise");
    let never = ws.cli(&["meta", "app", "--sync-every", "0"]);
    assert!(stdout(&never).contains("only when asked"), "{}", stdout(&never));
    let wrong = ws.cli(&["meta", "app", "--sync-every", "2000"]);
    assert_eq!(wrong.status.code(), Some(1));

    let mut child = ws
        .command(&["meta", "connect", "--token-stdin", "--client", "Acme", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{TOKEN}\n").as_bytes()).unwrap();
    let connected = child.wait_with_output().unwrap();
    assert!(connected.status.success(), "{}", stderr(&connected));
    assert!(!stdout(&connected).contains(TOKEN) && !stderr(&connected).contains(TOKEN));
    let id = serde_json::from_str::<Value>(&stdout(&connected)).unwrap()[0]["id"].as_str().unwrap().to_owned();

    let status = ws.cli(&["meta", "status"]);
    // Every crate's log at its most detailed, while Meta is called with the token.
    let traced = ws.command(&["meta", "pages"]).env("CUSTODIAN_LOG", "trace").output().unwrap();
    assert!(traced.status.success(), "{}", stderr(&traced));
    assert!(!stdout(&traced).contains(TOKEN) && !stderr(&traced).contains(TOKEN));
    assert!(
        stdout(&status).contains(&id) && stdout(&status).contains("SYSTEM_USER token, never expires, ok"),
        "{}",
        stdout(&status)
    );
    assert!(!stdout(&status).contains(TOKEN));

    let unconfirmed = ws.cli(&["meta", "disconnect", &id]);
    assert_eq!(unconfirmed.status.code(), Some(1));
    assert!(stderr(&unconfirmed).contains("--yes"), "{}", stderr(&unconfirmed));
    let gone = ws.cli(&["meta", "disconnect", &id, "--yes"]);
    assert!(gone.status.success(), "{}", stderr(&gone));
    assert!(stdout(&ws.cli(&["meta", "status"])).contains("No connections to Meta"));
    let logs: String = std::fs::read_dir(ws.path().join("logs"))
        .unwrap()
        .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap_or_default())
        .collect();
    assert!(logs.contains("Pages read from Meta"), "the trace-level run logged its work");
    let key = *ws.key().await.expose();
    let tokens = [TOKEN, "EAAGpagetoken1acme"];
    assert_eq!(traces(ws.path(), &key, &tokens), Vec::<String>::new(), "not in the database nor the most detailed log");
}

/// A simulator whose system-user token reaches three Pages (over two pages of `/me/accounts`), the
/// first with a Facebook and an Instagram lead form.
fn sim_with_pages() -> GraphSim {
    let sim = GraphSim::start();
    sim.token(TOKEN, token_of("SYSTEM_USER", &LEAD_ADS, 0));
    sim.page_size(2);
    sim.page("p1", "Acme Shoes", "EAAGpagetoken1acme");
    sim.page("p2", "Acme Outlet", "EAAGpagetoken2outlet");
    sim.page("p3", "Beta Boots", "EAAGpagetoken3beta");
    sim.forms(
        "p1",
        vec![
            serde_json::json!({"id": "f1", "name": "Test drive", "status": "ACTIVE", "leads_count": 12}),
            serde_json::json!({"id": "f2", "name": "Instagram spring", "status": "ACTIVE", "leads_count": 3}),
        ],
    );
    sim
}

#[tokio::test]
async fn pages_are_read_through_every_page_of_accounts_and_their_tokens_kept_only_in_the_keychain() {
    let sim = sim_with_pages();
    let ws = Workspace::new();
    let console = with_app(&ws, &sim).await;
    console.connect_meta(secret(TOKEN), None).await.unwrap();
    let pages = console.refresh_meta_pages().await.unwrap();
    assert!(pages.problems.is_empty(), "{:?}", pages.problems);
    let names: Vec<&str> = pages.items.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Acme Outlet", "Acme Shoes", "Beta Boots"]);
    let vault = Vault::new(console.workspace_id());
    assert_eq!(vault.get("meta-page-token", "p1").await.unwrap().unwrap().expose(), "EAAGpagetoken1acme");

    let assigned = console.assign_meta_page("p1", Some("acme")).await.unwrap();
    assert_eq!(assigned.client.as_deref(), Some("Acme"));
    assert_eq!(console.assign_meta_page("p9", Some("Acme")).await.unwrap_err().code(), Code::InvalidInput);

    let forms = console.refresh_meta_forms(Some("p1")).await.unwrap();
    let found: Vec<(&str, &str, Option<&str>, bool)> =
        forms.items.iter().map(|f| (f.id.as_str(), f.name.as_str(), f.client.as_deref(), f.sync)).collect();
    assert_eq!(found, [("f2", "Instagram spring", Some("Acme"), false), ("f1", "Test drive", Some("Acme"), false)]);
    let forms_call = sim.calls().into_iter().find(|c| c.path.ends_with("/p1/leadgen_forms")).unwrap();
    assert_eq!(forms_call.query["access_token"], "EAAGpagetoken1acme", "forms are read with the Page's own token");
    assert!(console.set_meta_form_sync("f1", true).await.unwrap().sync);

    let key = *ws.key().await.expose();
    console.close().await;
    let tokens = [TOKEN, "EAAGpagetoken1acme", "EAAGpagetoken2outlet", "EAAGpagetoken3beta"];
    assert_eq!(traces(ws.path(), &key, &tokens), Vec::<String>::new(), "no token in the database, the WAL or the log");
}

#[tokio::test]
async fn a_connection_meta_stops_accepting_is_marked_log_in_again_and_disconnecting_forgets_its_pages_tokens() {
    let sim = sim_with_pages();
    let ws = Workspace::new();
    let console = with_app(&ws, &sim).await;
    let connection = console.connect_meta(secret(TOKEN), None).await.unwrap();
    console.refresh_meta_pages().await.unwrap();

    sim.token(TOKEN, Token { invalid: Some(460), ..token_of("SYSTEM_USER", &LEAD_ADS, 0) });
    let refreshed = console.refresh_meta_pages().await.unwrap();
    assert_eq!(refreshed.problems.len(), 1, "{:?}", refreshed.problems);
    let now = &console.meta_connections().await.unwrap()[0];
    assert_eq!(now.health, TokenHealth::LogInAgain);
    assert_eq!(now.health_reason.as_deref(), Some("the password was changed"));
    let calls = sim.calls().len();
    console.refresh_meta_pages().await.unwrap();
    assert_eq!(sim.calls().len(), calls, "nothing calls Meta with a token it refused");

    console.disconnect_meta(&connection.id, true).await.unwrap();
    let vault = Vault::new(console.workspace_id());
    for page in ["p1", "p2", "p3"] {
        assert!(vault.get("meta-page-token", page).await.unwrap().is_none(), "{page}'s token left the keychain");
    }
    assert!(console.meta_pages().await.unwrap().is_empty());
}
