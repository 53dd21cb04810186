//! Lead sync from Meta against the local Graph API simulator: every lead of a synced form is stored
//! once, in the same store as imported leads; a second sync asks only for what is new; faults and
//! throttling end with exactly the leads Meta holds; erased people do not come back.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use custodian::console::{Console, MetaAppForm, RequestForm};
use custodian::leads::Filter;
use custodian::meta::Pacing;
use custodian::requests::{IdKind, Identifier, RequestKind};
use custodian::vault::Sensitive;
use serde_json::{json, Value};

use crate::graph_sim::{Fault, GraphSim, Token};
use crate::support::{stdout, Workspace, TEST_NOW};

const TOKEN: &str = "EAAGsystemusertoken0123456789abcdefABCDEF";
const LEAD_ADS: [&str; 4] = ["leads_retrieval", "pages_show_list", "pages_read_engagement", "pages_manage_metadata"];

/// Lead `n`, created `n` minutes before the tests' day began, as the Graph API returns it.
fn lead(n: i64) -> Value {
    let created = (*TEST_NOW - chrono::Duration::minutes(n)).format("%Y-%m-%dT%H:%M:%S+0000").to_string();
    json!({
        "id": format!("{}", 900_000 + n),
        "created_time": created,
        "ad_id": "ag:1", "ad_name": "Video", "form_id": "f1", "is_organic": false,
        "platform": if n % 2 == 0 { "fb" } else { "ig" },
        "field_data": [
            {"name": "full_name", "values": [format!("Person {n}")]},
            {"name": "email", "values": [format!("person{n}@example.com")]},
            {"name": "what_is_your_budget?", "values": ["1k"]},
        ],
    })
}

/// Leads `from..to`, newest first, as Meta lists them.
fn leads(from: i64, to: i64) -> Vec<Value> {
    (from..to).map(lead).collect()
}

fn quick() -> Pacing {
    Pacing {
        transient_retries: 3,
        first_backoff: Duration::from_millis(2),
        longest_wait: Duration::from_millis(500),
        timeout: Duration::from_secs(10),
    }
}

/// A workspace whose client Acme has Page p1's form f1 chosen for sync, with `count` leads at Meta.
async fn synced_workspace(ws: &Workspace, sim: &GraphSim, count: i64) -> Console {
    sim.token(
        TOKEN,
        Token { app_id: "1234".into(), kind: "SYSTEM_USER", scopes: LEAD_ADS.to_vec(), expires_at: 0, invalid: None },
    );
    sim.page("p1", "Acme Shoes", "EAAGpagetoken1acme");
    sim.forms("p1", vec![json!({"id": "f1", "name": "Test drive", "status": "ACTIVE", "leads_count": count})]);
    sim.leads("f1", leads(0, count));
    let console = ws.open().await;
    console.set_graph_pacing(quick());
    console.add_client("Acme", Some("GB")).await.unwrap();
    let form = MetaAppForm { app_id: Some("1234".into()), graph_url: Some(sim.url.clone()), ..MetaAppForm::default() };
    console.set_meta_app(form).await.unwrap();
    console.connect_meta(Sensitive::new(TOKEN.into()), None).await.unwrap();
    console.refresh_meta_pages().await.unwrap();
    console.assign_meta_page("p1", Some("Acme")).await.unwrap();
    console.refresh_meta_forms(None).await.unwrap();
    console.set_meta_form_sync("f1", true).await.unwrap();
    console
}

async fn sync(console: &Console) -> custodian::console::SyncReport {
    console.sync_meta(None, None, &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap()
}

/// The Meta ids of the client's leads, sorted.
async fn held(console: &Console) -> Vec<String> {
    let mut ids: Vec<String> = console
        .list_leads(&Filter::default(), 10_000, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.meta_id.unwrap_or_default())
        .collect();
    ids.sort();
    ids
}

fn ids(from: i64, to: i64) -> Vec<String> {
    let mut ids: Vec<String> = (from..to).map(|n| format!("{}", 900_000 + n)).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_sync_stores_every_lead_once_and_the_next_asks_meta_only_for_new_ones() {
    let sim = GraphSim::start();
    sim.page_size(100);
    let ws = Workspace::new();
    let console = synced_workspace(&ws, &sim, 250).await;
    let first = sync(&console).await;
    let f = &first.forms[0];
    assert_eq!((f.new, f.updated, f.pages, f.problem.as_deref()), (250, 0, 3, None), "{first:?}");
    assert_eq!(held(&console).await, ids(0, 250));
    let stored = console.list_leads(&Filter::default(), 1, 0).await.unwrap().remove(0);
    assert_eq!(stored.client, "Acme");
    assert!(stored.answers.iter().any(|(q, _)| q == "what_is_your_budget?"), "{:?}", stored.answers);

    sim.new_leads("f1", vec![lead(-3), lead(-2), lead(-1)]);
    let before = sim.calls().len();
    let second = sync(&console).await;
    let f = &second.forms[0];
    assert_eq!(f.new, 3, "{second:?}");
    assert!(f.unchanged <= 6, "only the leads of the overlap are read again: {second:?}");
    let asked = &sim.calls()[before..];
    let leads_call = asked.iter().find(|c| c.path.ends_with("/f1/leads")).unwrap();
    let filtering: Value = serde_json::from_str(&leads_call.query["filtering"]).unwrap();
    let newest = TEST_NOW.timestamp();
    assert_eq!(filtering[0]["field"], "time_created");
    assert_eq!(filtering[0]["value"], newest - 300, "from the newest lead stored, less the overlap");
    assert_eq!(asked.iter().filter(|c| c.path.ends_with("/f1/leads")).count(), 1, "one page of new leads, one call");
    assert_eq!(held(&console).await, ids(-3, 250));
}

#[tokio::test]
async fn a_lead_imported_from_a_file_and_then_synced_is_one_lead() {
    let sim = GraphSim::start();
    let ws = Workspace::new();
    let console = synced_workspace(&ws, &sim, 5).await;
    let file = ws.path().with_extension("export.csv");
    std::fs::write(
        &file,
        format!(
            "id,created_time,form_id,form_name,is_organic,platform,full_name,email,lead_status\n\
             l:{},2026-11-22T08:58:00+00:00,f:f1,Test drive,false,fb,Person 2,person2@example.com,CREATED\n",
            900_002
        ),
    )
    .unwrap();
    console.import_file(&file, "Acme", &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap();
    std::fs::remove_file(&file).unwrap();
    let report = sync(&console).await;
    assert_eq!(report.forms[0].new + report.forms[0].updated + report.forms[0].unchanged, 5, "{report:?}");
    assert_eq!(report.forms[0].new, 4, "the imported lead is recognised by its Meta id: {report:?}");
    assert_eq!(held(&console).await, ids(0, 5));
}

#[tokio::test]
async fn an_erased_person_does_not_come_back_with_a_sync() {
    let sim = GraphSim::start();
    let ws = Workspace::new();
    let console = synced_workspace(&ws, &sim, 4).await;
    let person = vec![Identifier { kind: IdKind::Email, value: "person2@example.com".into() }];
    let request = console.new_request(RequestForm::new(RequestKind::Erasure, person)).await.unwrap();
    console.erase_request(request.id, true, true).await.unwrap();
    let report = sync(&console).await;
    assert_eq!((report.forms[0].new, report.forms[0].suppressed), (3, 1), "{report:?}");
    assert!(!held(&console).await.contains(&"900002".to_owned()));
}

#[tokio::test]
async fn faults_during_a_sync_end_with_exactly_the_leads_meta_holds() {
    let sim = GraphSim::start();
    sim.page_size(50);
    let ws = Workspace::new();
    let console = synced_workspace(&ws, &sim, 120).await;
    let calls = sim.calls().len();
    sim.fault_at(calls + 1, Fault::Throttle { code: 80_005, regain: Some(0) });
    sim.fault_at(calls + 3, Fault::ServerError);
    sim.fault_at(calls + 4, Fault::Malformed);
    sim.fault_at(calls + 6, Fault::Transient);
    let report = sync(&console).await;
    assert_eq!((report.forms[0].new, report.forms[0].problem.as_deref()), (120, None), "{report:?}");
    assert_eq!(held(&console).await, ids(0, 120));
}

#[tokio::test]
async fn a_long_throttle_stops_the_sync_keeps_what_was_stored_and_the_next_sync_completes_it() {
    let sim = GraphSim::start();
    sim.page_size(100);
    let ws = Workspace::new();
    let console = synced_workspace(&ws, &sim, 250).await;
    let calls = sim.calls().len();
    sim.fault_at(calls + 2, Fault::Throttle { code: 80_005, regain: Some(60) });
    let stopped = sync(&console).await;
    let f = &stopped.forms[0];
    assert_eq!(f.new, 100, "the first page is stored: {stopped:?}");
    assert!(f.problem.as_deref().is_some_and(|p| p.contains("try again in 60 minutes")), "{stopped:?}");
    assert!(stopped.failed());
    let form = console.meta_forms(None).await.unwrap().remove(0);
    assert_eq!(form.last_synced_at, None, "the watermark did not move without the last page");

    let resumed = sync(&console).await;
    assert_eq!((resumed.forms[0].new, resumed.forms[0].unchanged), (150, 100), "{resumed:?}");
    assert_eq!(held(&console).await, ids(0, 250));
}

#[tokio::test]
async fn a_cancelled_sync_keeps_what_it_stored_and_the_cli_reports_a_failed_one_with_a_non_zero_exit() {
    let sim = GraphSim::start();
    sim.page_size(100);
    let ws = Workspace::new();
    let console = synced_workspace(&ws, &sim, 150).await;
    let cancel = Arc::new(AtomicBool::new(false));
    let stop = Arc::clone(&cancel);
    let report = console
        .sync_meta(None, None, &move |_| stop.store(true, std::sync::atomic::Ordering::Relaxed), cancel)
        .await
        .unwrap();
    assert!(report.cancelled);
    assert_eq!(report.forms[0].new, 100, "the page in flight is stored, then it stops: {report:?}");
    console.close().await;

    sim.fault(Fault::Permission);
    let out = ws.cli(&["meta", "sync"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let out = ws.cli(&["meta", "sync", "--json"]);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["forms"][0]["new"], 50, "the rest arrives with the next sync: {report}");
}

#[tokio::test]
async fn erasing_a_synced_person_deletes_their_lead_at_meta_after_the_local_erasure_and_a_failure_is_retried() {
    let sim = GraphSim::start();
    let ws = Workspace::new();
    let console = synced_workspace(&ws, &sim, 4).await;
    sync(&console).await;
    let ask = |email: &str| {
        RequestForm::new(RequestKind::Erasure, vec![Identifier { kind: IdKind::Email, value: email.into() }])
    };

    let request = console.new_request(ask("person1@example.com")).await.unwrap();
    let preview = console.erase_preview(request.id).await.unwrap();
    let counts: Vec<(&str, i64)> = preview.deletes.iter().map(|h| (h.label.as_str(), h.count)).collect();
    assert_eq!(counts, [("leads", 1), ("leads at Meta", 1)]);
    let erased = console.erase_request(request.id, true, false).await.unwrap();
    assert_eq!(erased.remote.len(), 1);
    assert_eq!(
        (erased.remote[0].status.as_str(), erased.remote[0].answer.as_deref()),
        ("done", Some("deleted at Meta"))
    );
    let deleted = sim.calls().into_iter().find(|c| c.method == "DELETE").unwrap();
    assert_eq!(deleted.path, "/v25.0/900001");
    assert_eq!(deleted.query["access_token"], "EAAGpagetoken1acme", "with the Page's own token");

    // Meta fails the next deletion: the local erasure stands, the step is listed, a retry takes it.
    let request = console.new_request(ask("person2@example.com")).await.unwrap();
    let calls = sim.calls().len();
    for n in 1..=3 {
        sim.fault_at(calls + n, Fault::ServerError);
    }
    let erased = console.erase_request(request.id, true, false).await.unwrap();
    assert_eq!(erased.receipt.deleted.iter().find(|h| h.label == "leads").map(|h| h.count), Some(1));
    assert_eq!(erased.remote[0].status, "failed", "{:?}", erased.remote);
    assert!(
        erased.remote[0].answer.as_deref().is_some_and(|a| a.contains("could not be reached")),
        "{:?}",
        erased.remote
    );
    assert!(!format!("{:?}", erased.remote).contains("900002"), "a step's answer never names what it deletes");
    assert!(!held(&console).await.contains(&"900002".to_owned()), "the local erasure did not wait for Meta");
    let retried = console.retry_remote(request.id).await.unwrap();
    assert_eq!((retried[0].status.as_str(), retried[0].attempts), ("done", 2));
    assert_eq!(console.remote_steps(request.id).await.unwrap(), retried);

    // A lead Meta no longer holds (it keeps them 90 days) is done, not failed for ever.
    let request = console.new_request(ask("person3@example.com")).await.unwrap();
    sim.leads("f1", leads(0, 4).into_iter().filter(|l| l["id"] != "900003").collect());
    let erased = console.erase_request(request.id, true, false).await.unwrap();
    assert_eq!(erased.remote[0].status, "done");
    assert!(
        erased.remote[0].answer.as_deref().is_some_and(|a| a.starts_with("not found at Meta")),
        "{:?}",
        erased.remote
    );

    // Meta no longer holds these leads: a sync brings none back.
    let report = sync(&console).await;
    assert_eq!(report.forms[0].new, 0, "{report:?}");
    assert_eq!(
        held(&console).await,
        ids(0, 4).into_iter().filter(|i| !["900001", "900002", "900003"].contains(&i.as_str())).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_sync_killed_mid_way_and_run_again_ends_with_exactly_the_leads_meta_holds() {
    let sim = GraphSim::start();
    sim.page_size(100);
    let ws = Workspace::new();
    let console = synced_workspace(&ws, &sim, 300).await;
    console.close().await;
    let calls = sim.calls().len();
    // Pages are stored together, or once the first of them has waited two seconds, even while the
    // next is still awaited: the second page answers late, the first is stored during the wait,
    // and the sync is killed while it goes on waiting.
    sim.fault_at(calls + 2, Fault::Slow(6_000));
    let mut child = ws.command(&["meta", "sync"]).spawn().unwrap();
    let waited = std::time::Instant::now();
    while sim.calls().len() < calls + 2 && waited.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(3_000));
    child.kill().unwrap();
    child.wait().unwrap();

    let console = ws.open().await;
    console.set_graph_pacing(quick());
    assert_eq!(held(&console).await, ids(0, 100), "the first page was stored, whole, while the second was awaited");
    assert!(console.interrupted_imports().len() == 1, "the killed sync is on record as interrupted");
    let report = sync(&console).await;
    assert_eq!((report.forms[0].new, report.forms[0].unchanged), (200, 100), "{report:?}");
    assert_eq!(held(&console).await, ids(0, 300));
}

#[tokio::test]
async fn an_access_request_reads_the_persons_leads_live_at_meta_and_the_export_says_which_and_when() {
    let sim = GraphSim::start();
    let ws = Workspace::new();
    let console = synced_workspace(&ws, &sim, 4).await;
    sync(&console).await;
    let ask = |kind: RequestKind, email: &str| {
        RequestForm::new(kind, vec![Identifier { kind: IdKind::Email, value: email.into() }])
    };
    let at_meta = |d: &custodian::requests::discovery::Discovery| {
        d.groups.iter().filter(|g| g.label == "leads at Meta").flat_map(|g| g.records.clone()).collect::<Vec<_>>()
    };

    let access = console.new_request(ask(RequestKind::Access, "person1@example.com")).await.unwrap();
    let found = console.find_for_request(access.id, false).await.unwrap();
    let live = at_meta(&found);
    assert_eq!(live.len(), 1, "{found:?}");
    assert_eq!(live[0].fetched_at.as_deref(), Some("2026-11-23T09:00:00Z"), "read at Meta, and when");
    assert!(live[0].source.ends_with("read live there"), "{}", live[0].source);
    let field = |name: &str| live[0].fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!(field("email").as_deref(), Some("person1@example.com"), "what Meta holds, field by field");
    assert_eq!(field("what_is_your_budget?").as_deref(), Some("1k"));
    let read = sim.calls().into_iter().filter(|c| c.method == "GET" && c.path == "/v25.0/900001").collect::<Vec<_>>();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].query["access_token"], "EAAGpagetoken1acme", "with the Page's own token");

    // The export carries what Meta holds now: Meta has since deleted the lead (it keeps them 90 days).
    sim.leads("f1", leads(0, 4).into_iter().filter(|l| l["id"] != "900001").collect());
    let out = ws.path().join("access.zip");
    console.export_request(access.id, &out, false).await.unwrap();
    let files = crate::requests::unzip(&out);
    let csv = String::from_utf8(files.iter().find(|(n, _)| n == "leads_at_meta.csv").unwrap().1.clone()).unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("client,record,source,read live at,"), "{csv}");
    let row = lines.next().unwrap();
    assert!(row.contains("2026-11-23T09:00:00Z") && row.contains("no: Meta did not return it"), "{row}");
    let data = String::from_utf8(files.iter().find(|(n, _)| n == "data.json").unwrap().1.clone()).unwrap();
    assert!(data.contains("\"fetched_at\": \"2026-11-23T09:00:00Z\""), "{data}");
    let local = files.iter().find(|(n, _)| n == "leads.csv").unwrap();
    assert!(String::from_utf8_lossy(&local.1).contains("person1@example.com"), "what Custodian holds is there too");

    // Meta cannot be asked just now: the answer says so and lists what Custodian holds of it.
    let other = console.new_request(ask(RequestKind::Access, "person2@example.com")).await.unwrap();
    sim.fault(Fault::Permission);
    let found = console.find_for_request(other.id, false).await.unwrap();
    let unread = at_meta(&found);
    assert_eq!(unread[0].fetched_at, None);
    let note = unread[0].fields.iter().find(|(k, _)| k == "read at Meta").map(|(_, v)| v.clone()).unwrap();
    assert!(note.starts_with("not possible just now: Meta refused for lack of a permission"), "{note}");

    // An erasure's search does not read at Meta: it deletes there.
    let calls = sim.calls().len();
    let erasure = console.new_request(ask(RequestKind::Erasure, "person3@example.com")).await.unwrap();
    console.find_for_request(erasure.id, false).await.unwrap();
    assert_eq!(sim.calls().len(), calls);
}

#[tokio::test]
async fn a_lead_that_meta_lists_on_two_pages_is_stored_once() {
    let sim = GraphSim::start();
    sim.page_size(50);
    let ws = Workspace::new();
    let console = synced_workspace(&ws, &sim, 120).await;
    let calls = sim.calls().len();
    sim.fault_at(calls + 2, Fault::RepeatLead);
    sim.fault_at(calls + 3, Fault::RepeatLead);
    let report = sync(&console).await;
    let f = &report.forms[0];
    assert_eq!((f.new, f.unchanged, f.pages, f.problem.as_deref()), (120, 2, 3, None), "{report:?}");
    assert_eq!(held(&console).await, ids(0, 120));
    // And across two syncs: the second lists the newest lead again, past the watermark's overlap.
    sim.new_leads("f1", vec![lead(-1)]);
    let again = sync(&console).await;
    assert_eq!((again.forms[0].new, again.forms[0].updated), (1, 0), "{again:?}");
    assert_eq!(console.leads_count(&Filter::default()).await.unwrap(), 121);
}

#[tokio::test]
async fn after_a_sync_no_token_is_in_the_database_the_most_detailed_log_the_output_or_the_audit_trail() {
    let sim = GraphSim::start();
    let ws = Workspace::new();
    let console = synced_workspace(&ws, &sim, 30).await;
    console.close().await;
    // Every crate's log at its most detailed, while Meta is called with the Page's token.
    let synced = ws.command(&["meta", "sync", "--json"]).env("CUSTODIAN_LOG", "trace").output().unwrap();
    assert!(synced.status.success(), "{}", crate::support::stderr(&synced));
    let said = format!("{}{}", stdout(&synced), crate::support::stderr(&synced));
    let report: Value = serde_json::from_str(&stdout(&synced)).unwrap();
    assert_eq!(report["forms"][0]["new"], 30, "{report}");
    let audit = stdout(&ws.cli(&["audit", "list", "--limit", "500"]));
    assert!(audit.contains("lead.sync"), "{audit}");
    let tokens = [TOKEN, "EAAGpagetoken1acme"];
    for token in tokens {
        assert!(!said.contains(token) && !audit.contains(token), "{token} was shown");
    }
    let key = *ws.key().await.expose();
    assert_eq!(
        crate::support::traces(ws.path(), &key, &tokens),
        Vec::<String>::new(),
        "not in the database, the WAL or the log"
    );
}

#[tokio::test]
async fn a_synced_leads_consent_checkbox_goes_into_the_consent_register_once() {
    use custodian::consent::{ConsentChannel, ConsentSource};
    use custodian::requests::{IdKind, Identifier};
    let sim = GraphSim::start();
    let ws = Workspace::new();
    let console = synced_workspace(&ws, &sim, 0).await;
    let mut ticked = lead(1);
    ticked["custom_disclaimer_responses"] = json!([
        {"checkbox_key": "whatsapp_offers", "is_checked": "1"},
        {"checkbox_key": "terms", "is_checked": "1"},
    ]);
    let mut unticked = lead(2);
    unticked["custom_disclaimer_responses"] = json!([{"checkbox_key": "whatsapp_offers", "is_checked": "0"}]);
    sim.leads("f1", vec![ticked, unticked]);
    sync(&console).await;
    sync(&console).await;

    let person = |n: i64| vec![Identifier { kind: IdKind::Email, value: format!("person{n}@example.com") }];
    let one = console.consent_show(&person(1)).await.unwrap();
    assert_eq!(one.entries.len(), 1, "the terms are not a marketing channel, and a second sync adds nothing: {one:?}");
    let entry = &one.entries[0];
    assert_eq!(
        (entry.channel, entry.opted_in, entry.source),
        (ConsentChannel::WhatsappMarketing, true, ConsentSource::LeadForm)
    );
    assert!(entry.proof.contains("disclaimer whatsapp_offers") && entry.proof.contains("900001"), "{}", entry.proof);
    let two = console.consent_show(&person(2)).await.unwrap();
    assert_eq!(two.states.iter().map(|s| s.opted_in).collect::<Vec<_>>(), [false], "an unticked box declines: {two:?}");
}
