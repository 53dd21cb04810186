//! Facebook Login's manual desktop flow against the local simulator: the dialog the Console opens,
//! the redirect it is handed back (as the login window catches it), the code exchanged for a
//! long-lived token with the app secret or the short-lived token kept without it, and answers that
//! do not belong to a login begun here refused.

use chrono::Duration;
use custodian::console::{Code, Console, MetaAppForm, TokenHealth};
use custodian::meta::login::REDIRECT_URI;
use custodian::vault::{Sensitive, Vault};
use reqwest::Url;

use crate::graph_sim::{GraphSim, Login};
use crate::support::{traces, Workspace, TEST_NOW};

const SECRET: &str = "appsecret0123456789abcdef";
const SCOPES: [&str; 5] =
    ["leads_retrieval", "pages_show_list", "pages_read_engagement", "pages_manage_metadata", "ads_management"];

fn sim_serving_login(declines: bool) -> GraphSim {
    let sim = GraphSim::start();
    sim.now(TEST_NOW.timestamp());
    sim.login(Login { app_id: "1234".into(), app_secret: SECRET.into(), scopes: SCOPES.to_vec(), declines });
    // Pages across two pages of /me/accounts.
    sim.page_size(1);
    sim.page("p1", "Acme Shoes", "EAAGpagetoken1acme");
    sim.page("p2", "Acme Outlet", "EAAGpagetoken2outlet");
    sim
}

async fn with_app(ws: &Workspace, sim: &GraphSim, secret: bool) -> Console {
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let form = MetaAppForm { app_id: Some("1234".into()), graph_url: Some(sim.url.clone()), ..MetaAppForm::default() };
    console.set_meta_app(form).await.unwrap();
    if secret {
        console.set_meta_app_secret(Sensitive::new(SECRET.into())).await.unwrap();
    }
    console
}

/// What the login window does: load the dialog (here at the simulator, standing in for
/// facebook.com) and catch where it redirects, without following it.
async fn redirect_of(dialog: &str, sim: &GraphSim) -> String {
    let dialog = Url::parse(dialog).unwrap();
    assert_eq!(
        dialog.host_str(),
        Some("www.facebook.com"),
        "the dialog is Facebook's unless CUSTODIAN_FACEBOOK_URL says"
    );
    let at_sim = format!("{}{}?{}", sim.url, dialog.path(), dialog.query().unwrap());
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let answer = http.get(at_sim).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 302, "the dialog redirects");
    answer.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn logging_in_with_the_app_secret_keeps_a_long_lived_token_and_every_pages_token_only_in_the_keychain() {
    let sim = sim_serving_login(false);
    let ws = Workspace::new();
    let console = with_app(&ws, &sim, true).await;

    let dialog = console.begin_meta_login(Some("acme")).await.unwrap();
    assert!(dialog.long_lived);
    let query: Vec<(String, String)> = Url::parse(&dialog.url).unwrap().query_pairs().into_owned().collect();
    assert!(query.contains(&("redirect_uri".into(), REDIRECT_URI.into())));
    assert!(query.contains(&("response_type".into(), "code".into())));
    assert!(query.contains(&("client_id".into(), "1234".into())));
    let redirect = redirect_of(&dialog.url, &sim).await;
    assert!(redirect.starts_with(&format!("{REDIRECT_URI}?code=")), "{redirect}");

    let logged_in = console.finish_meta_login(&redirect).await.unwrap();
    assert!(logged_in.long_lived);
    assert_eq!(logged_in.pages, 2, "both Pages, across the pages of /me/accounts");
    let connection = &logged_in.connection;
    assert_eq!((connection.token_type.as_str(), connection.client.as_deref()), ("USER", Some("Acme")));
    assert_eq!(connection.days_left, Some(60), "the exchanged token lasts 60 days");
    assert_eq!(connection.health, TokenHealth::Ok);

    // The code was exchanged with the secret, then the token for a long-lived one.
    let exchanges: Vec<_> = sim.calls().into_iter().filter(|c| c.path.ends_with("/oauth/access_token")).collect();
    assert_eq!(exchanges.len(), 2);
    assert_eq!(exchanges[0].query["redirect_uri"], REDIRECT_URI);
    assert_eq!(exchanges[1].query["grant_type"], "fb_exchange_token");
    let minted = sim.minted();
    let (short, long) = (&minted[0], &minted[1]);
    assert_eq!(exchanges[1].query["fb_exchange_token"], *short);

    let vault = Vault::new(console.workspace_id());
    assert_eq!(vault.get("meta-token", &connection.id).await.unwrap().unwrap().expose(), long);
    assert_eq!(vault.get("meta-page-token", "p2").await.unwrap().unwrap().expose(), "EAAGpagetoken2outlet");
    let audit = serde_json::to_string(&console.audit_list(100, None).await.unwrap()).unwrap();
    assert!(audit.contains("Facebook Login"), "{audit}");
    let shown = serde_json::to_string(&console.meta_connections().await.unwrap()).unwrap();
    let key = *ws.key().await.expose();
    console.close().await;
    let secrets = [short.as_str(), long.as_str(), SECRET, "EAAGpagetoken1acme", "EAAGpagetoken2outlet", "AQcode1"];
    for s in secrets {
        assert!(!shown.contains(s) && !audit.contains(s), "{s} is shown");
    }
    assert_eq!(traces(ws.path(), &key, &secrets), Vec::<String>::new(), "nothing secret in the database or the log");
}

#[tokio::test]
async fn without_the_app_secret_the_short_lived_token_is_kept_and_the_connection_says_when_it_expires() {
    let sim = sim_serving_login(false);
    let ws = Workspace::new();
    let console = with_app(&ws, &sim, false).await;
    let dialog = console.begin_meta_login(None).await.unwrap();
    assert!(!dialog.long_lived);
    let redirect = redirect_of(&dialog.url, &sim).await;
    assert!(redirect.starts_with(&format!("{REDIRECT_URI}#access_token=")), "the token comes in the fragment");

    let logged_in = console.finish_meta_login(&redirect).await.unwrap();
    assert!(!logged_in.long_lived);
    let connection = &logged_in.connection;
    assert_eq!(connection.health, TokenHealth::Expiring);
    assert_eq!(connection.health_reason.as_deref(), Some("it expires in 1 hour"));
    assert_eq!(connection.expires_at.as_deref(), Some("2026-11-23T10:30:00Z"));
    assert!(sim.calls().iter().all(|c| !c.path.ends_with("/oauth/access_token")), "nothing to exchange without it");
    ws.clock.advance(Duration::minutes(91));
    assert_eq!(console.meta_connections().await.unwrap()[0].health, TokenHealth::Expired);
}

#[tokio::test]
async fn a_login_answer_that_is_not_of_a_login_begun_here_is_refused_and_connects_nothing() {
    let sim = sim_serving_login(false);
    let ws = Workspace::new();
    let console = with_app(&ws, &sim, true).await;
    let dialog = console.begin_meta_login(None).await.unwrap();
    let redirect = redirect_of(&dialog.url, &sim).await;
    let state = Url::parse(&redirect).unwrap().query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();

    let forged = redirect.replace(&state, "forged0state");
    let e = console.finish_meta_login(&forged).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidInput);
    assert!(e.to_string().contains("does not match a login begun here"), "{e}");
    let without_state = redirect.replace(&format!("&state={state}"), "");
    assert_eq!(console.finish_meta_login(&without_state).await.unwrap_err().code(), Code::InvalidInput);
    let elsewhere = redirect.replace("https://www.facebook.com/connect/", "https://evil.example/connect/");
    assert_eq!(console.finish_meta_login(&elsewhere).await.unwrap_err().code(), Code::InvalidInput);
    assert!(console.meta_connections().await.unwrap().is_empty());
    assert!(sim.calls().iter().all(|c| !c.path.ends_with("/oauth/access_token")), "a refused code is never exchanged");

    // The real answer still completes the login, once.
    console.finish_meta_login(&redirect).await.unwrap();
    let replayed = console.finish_meta_login(&redirect).await.unwrap_err();
    assert_eq!(replayed.code(), Code::InvalidInput, "an answer is used once");
    assert_eq!(console.meta_connections().await.unwrap().len(), 1);
    let audit = serde_json::to_string(&console.audit_list(100, None).await.unwrap()).unwrap();
    assert!(audit.contains("state mismatch"), "refusals are on record: {audit}");
}

#[tokio::test]
async fn a_login_declined_at_facebook_or_abandoned_connects_nothing_and_says_so() {
    let sim = sim_serving_login(true);
    let ws = Workspace::new();
    let console = with_app(&ws, &sim, true).await;
    let dialog = console.begin_meta_login(None).await.unwrap();
    let redirect = redirect_of(&dialog.url, &sim).await;
    let e = console.finish_meta_login(&redirect).await.unwrap_err();
    assert_eq!(e.code(), Code::Cancelled);
    assert!(e.to_string().contains("Permissions error"), "{e}");

    // A window closed before the answer: the login is forgotten, and a late answer is refused.
    let dialog = console.begin_meta_login(None).await.unwrap();
    console.abandon_meta_login(&dialog.url);
    let late = redirect_of(&dialog.url, &sim).await;
    assert_eq!(console.finish_meta_login(&late).await.unwrap_err().code(), Code::InvalidInput);
    assert!(console.meta_connections().await.unwrap().is_empty());
}

#[tokio::test]
async fn logging_in_needs_the_apps_id_and_the_connection_shows_what_each_permission_was_granted_for() {
    let sim = sim_serving_login(false);
    let ws = Workspace::new();
    let console = ws.open().await;
    assert_eq!(console.begin_meta_login(None).await.unwrap_err().code(), Code::InvalidInput, "no app id yet");
    console.close().await;

    let console = with_app(&ws, &sim, true).await;
    let dialog = console.begin_meta_login(None).await.unwrap();
    let redirect = redirect_of(&dialog.url, &sim).await;
    // The person granted leads_retrieval for one Page only.
    let code = Url::parse(&redirect).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    assert!(!code.is_empty());
    sim.grant_minted("leads_retrieval", &["p1"]);
    let logged_in = console.finish_meta_login(&redirect).await.unwrap();
    let targets = &logged_in.connection.targets;
    assert_eq!(targets.len(), 1, "{targets:?}");
    assert_eq!(
        (targets[0].scope.as_str(), targets[0].target_ids.as_slice()),
        ("leads_retrieval", &["p1".to_owned()][..])
    );
}

#[tokio::test]
async fn an_app_secret_meta_does_not_take_is_named_and_the_login_code_is_sent_once() {
    let sim = sim_serving_login(false);
    let ws = Workspace::new();
    let console = with_app(&ws, &sim, false).await;
    console.set_meta_app_secret(Sensitive::new("notthesecretofthisapp0".into())).await.unwrap();
    let dialog = console.begin_meta_login(None).await.unwrap();
    let redirect = redirect_of(&dialog.url, &sim).await;
    let e = console.finish_meta_login(&redirect).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidInput);
    assert!(e.to_string().contains("check that the app secret set here is app 1234's"), "{e}");
    assert!(!e.to_string().contains("notthesecretofthisapp0") && !e.to_string().contains("AQcode"), "{e}");
    let exchanges = sim.calls().into_iter().filter(|c| c.path.ends_with("/oauth/access_token")).count();
    assert_eq!(exchanges, 1, "a one-time code is not sent again");
    assert!(console.meta_connections().await.unwrap().is_empty());
}
