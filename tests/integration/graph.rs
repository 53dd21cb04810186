//! The Graph API client against the local simulator: throttling is waited out or handed back,
//! transient faults are retried a bounded number of times, an invalid token is never retried,
//! paging reads every item once, and no token reaches an error.

use std::time::Duration;

use custodian::meta::{Graph, GraphError, Pacing};
use custodian::vault::Sensitive;
use serde_json::json;

use crate::graph_sim::{Fault, GraphSim, Token, VERSION};

const TOKEN: &str = "EAAGsystemusertoken0123456789abcdefABCDEF";

/// Quick pacing, so that waits and retries take milliseconds.
fn quick() -> Pacing {
    Pacing {
        transient_retries: 3,
        first_backoff: Duration::from_millis(2),
        longest_wait: Duration::from_millis(500),
        timeout: Duration::from_secs(10),
    }
}

fn sim_with_token() -> GraphSim {
    let sim = GraphSim::start();
    sim.token(
        TOKEN,
        Token {
            app_id: "1234".into(),
            kind: "SYSTEM_USER",
            scopes: vec!["leads_retrieval", "pages_show_list"],
            expires_at: 0,
            invalid: None,
        },
    );
    sim
}

fn token() -> Sensitive<String> {
    Sensitive::new(TOKEN.to_owned())
}

fn graph(sim: &GraphSim) -> Graph {
    Graph::new(&sim.url, VERSION, quick()).unwrap()
}

#[tokio::test]
async fn a_throttled_call_waits_and_then_gets_its_answer() {
    let sim = sim_with_token();
    sim.fault(Fault::Throttle { code: 4, regain: None });
    sim.fault(Fault::Throttle { code: 80_005, regain: Some(0) });
    let answer = graph(&sim).get("debug_token", &[("input_token", TOKEN)], &token()).await.unwrap();
    assert_eq!(answer["data"]["type"], "SYSTEM_USER");
    assert_eq!(sim.calls().len(), 3, "two throttled calls, then the one that answered");
}

#[tokio::test]
async fn a_throttle_longer_than_worth_waiting_is_handed_back_with_when_to_resume() {
    let sim = sim_with_token();
    sim.fault(Fault::Throttle { code: 80_005, regain: Some(3) });
    let e = graph(&sim).get("debug_token", &[("input_token", TOKEN)], &token()).await.unwrap_err();
    assert_eq!(e, GraphError::Throttled { code: 80_005, resume_after: Duration::from_secs(180) });
    assert!(e.to_string().contains("try again in 3 minutes"), "{e}");
    assert_eq!(sim.calls().len(), 1, "nothing is called while Meta limits calls");
}

#[tokio::test]
async fn transient_faults_are_retried_a_bounded_number_of_times() {
    let sim = sim_with_token();
    for fault in [Fault::ServerError, Fault::Malformed, Fault::Transient] {
        sim.fault(fault);
    }
    let answer = graph(&sim).get("debug_token", &[("input_token", TOKEN)], &token()).await.unwrap();
    assert_eq!(answer["data"]["is_valid"], true, "a 500, a page that is not JSON and code 2 are each retried");

    let sim = sim_with_token();
    for _ in 0..10 {
        sim.fault(Fault::ServerError);
    }
    let e = graph(&sim).get("debug_token", &[("input_token", TOKEN)], &token()).await.unwrap_err();
    assert!(matches!(e, GraphError::Unavailable { attempts: 4, .. }), "{e:?}");
    assert_eq!(sim.calls().len(), 4, "the first call and three retries, then a clear error");
    assert!(e.to_string().contains("nothing was lost"), "{e}");
}

#[tokio::test]
async fn an_invalid_token_is_never_retried_and_says_why() {
    let sim = GraphSim::start();
    sim.token(TOKEN, Token { app_id: "1234".into(), kind: "USER", scopes: vec![], expires_at: 0, invalid: Some(463) });
    let e = graph(&sim).get("me/accounts", &[], &token()).await.unwrap_err();
    assert_eq!(e, GraphError::InvalidToken { subcode: Some(463), reason: "the token expired".into() });
    assert_eq!(sim.calls().len(), 1);

    let unknown = Sensitive::new("EAAGunknowntoken9876543210zyxwvutsrqponm".to_owned());
    let e = graph(&sim).get("me/accounts", &[], &unknown).await.unwrap_err();
    assert!(matches!(e, GraphError::InvalidToken { subcode: None, .. }), "{e:?}");
    assert!(!e.to_string().contains("EAAGunknowntoken"), "Meta quotes the token; the error does not: {e}");
}

#[tokio::test]
async fn a_missing_permission_is_named_and_not_retried() {
    let sim = sim_with_token();
    sim.fault(Fault::Permission);
    let e = graph(&sim).get("f1/leads", &[], &token()).await.unwrap_err();
    assert!(matches!(e, GraphError::Permission { code: 200, .. }), "{e:?}");
    assert!(e.to_string().contains("leads_retrieval"), "{e}");
    assert_eq!(sim.calls().len(), 1);
}

#[tokio::test]
async fn paging_reads_every_lead_once_in_order_and_stops_at_the_last_page() {
    let sim = sim_with_token();
    sim.page_size(100);
    sim.leads(
        "f1",
        (0..250).map(|i| json!({"id": format!("l{i}"), "created_time": "2026-11-20T10:00:00+0000"})).collect(),
    );
    let mut ids = Vec::new();
    let pages = graph(&sim)
        .each_page("f1/leads", &[("limit", "100")], &token(), |items| {
            ids.extend(items.into_iter().map(|l| l["id"].as_str().unwrap().to_owned()));
            true
        })
        .await
        .unwrap();
    assert_eq!(pages, 3);
    assert_eq!(ids, (0..250).map(|i| format!("l{i}")).collect::<Vec<_>>());
    let calls = sim.calls();
    let cursors: Vec<Option<String>> = calls.iter().map(|c| c.query.get("after").cloned()).collect();
    assert_eq!(cursors, [None, Some("c100".into()), Some("c200".into())], "each page from where the last ended");
    assert!(calls.iter().all(|c| c.method == "GET" && c.path == format!("/{VERSION}/f1/leads")), "{calls:?}");
}

#[tokio::test]
async fn a_page_that_repeats_its_cursor_is_an_error_not_the_last_page() {
    let sim = sim_with_token();
    sim.fault(Fault::RepeatCursor);
    let e = graph(&sim).page("f1/leads", &[], Some("c0"), &token()).await.unwrap_err();
    assert!(matches!(e, GraphError::Unavailable { .. }), "{e:?}");
    assert!(e.to_string().contains("repeated its cursor"), "{e}");
}

#[tokio::test]
async fn calls_carry_the_appsecret_proof_when_the_app_requires_it() {
    let sim = sim_with_token();
    sim.require_proof("app-secret-value");
    let unsigned = graph(&sim).get("debug_token", &[("input_token", TOKEN)], &token()).await.unwrap_err();
    assert!(matches!(unsigned, GraphError::Refused { code: 100, .. }), "{unsigned:?}");
    let signed = graph(&sim).with_app_secret(Sensitive::new("app-secret-value".into()));
    assert_eq!(signed.get("debug_token", &[("input_token", TOKEN)], &token()).await.unwrap()["data"]["is_valid"], true);
}

#[tokio::test]
async fn no_error_names_the_token_whatever_went_wrong() {
    let faults = [Some(Fault::Throttle { code: 17, regain: Some(60) }), Some(Fault::Permission), None];
    for fault in faults {
        let sim = GraphSim::start();
        if let Some(f) = fault {
            sim.fault(f);
        }
        for _ in 0..10 {
            sim.fault(Fault::ServerError);
        }
        let e = graph(&sim).get("me/accounts", &[], &token()).await.unwrap_err();
        assert!(!format!("{e} {e:?}").contains(TOKEN), "{e:?}");
    }
    let unreachable = Graph::new("http://127.0.0.1:9", VERSION, quick()).unwrap();
    let e = unreachable.get("me/accounts", &[], &token()).await.unwrap_err();
    assert!(matches!(e, GraphError::Unavailable { .. }), "{e:?}");
    assert!(!format!("{e} {e:?}").contains(TOKEN), "a network error names no URL and no token: {e:?}");
    assert!(matches!(Graph::new("graph.facebook.com", VERSION, quick()), Err(GraphError::BadBaseUrl(_))));
}
