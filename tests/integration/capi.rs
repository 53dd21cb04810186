//! The Conversions API against the Graph simulator: offline conversions queued from a CSV with
//! their keys hashed as read, checked before sending, sent in batches of up to 1,000 to the
//! client's dataset and never counted twice (not across a retry, a crash or a second send), nobody
//! restricted, objected or erased sent, and the event log found by requests and purged on time.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use custodian::console::{Console, HoldForm, RequestForm};
use custodian::personal_data::DataKind;
use custodian::requests::{IdKind, Identifier, RequestKind};
use sha2::{Digest, Sha256};

use crate::graph_sim::{Fault, GraphSim};
use crate::support::{acme_on_meta, stdout, Workspace, TEST_NOW};

const TOKEN: &str = "EAAGsystemusertokencapi0123456789abcdefABCDEF";
const DATASET: &str = "555000111";

fn sha(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// A time `hours` before the tests' day began, as the CSV writes it.
fn hours_ago(hours: i64) -> String {
    (*TEST_NOW - chrono::Duration::hours(hours)).to_rfc3339()
}

/// Client Acme (GB) with a Meta connection and dataset `DATASET`, against `sim`.
async fn capi_workspace(ws: &Workspace, sim: &GraphSim) -> Console {
    sim.dataset(DATASET);
    sim.now(TEST_NOW.timestamp());
    let console = acme_on_meta(ws, sim, TOKEN).await;
    console.capi_set("Acme", DATASET, None).await.unwrap();
    console
}

/// A CSV of offline conversions in the workspace's directory.
fn csv(ws: &Workspace, name: &str, rows: &[String]) -> std::path::PathBuf {
    let path = ws.path().join(name);
    let mut text = String::from("Event_Name,event_time,EMAIL,phone,first_name,last_name,value,currency,notes\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Purchase `n` by person `n`, an hour before the tests' day began.
fn purchase(n: usize) -> String {
    format!("Purchase,{},Person{n}@Example.com,07911 {:06},Ann,Lee,{n}.50,gbp,private note {n}", hours_ago(1), n)
}

fn email(address: &str) -> Vec<Identifier> {
    vec![Identifier { kind: IdKind::Email, value: address.into() }]
}

fn no_cancel() -> AtomicBool {
    AtomicBool::new(false)
}

fn posts(sim: &GraphSim) -> usize {
    sim.calls().iter().filter(|c| c.method == "POST" && c.path.ends_with("/events")).count()
}

#[tokio::test]
async fn offline_conversions_go_hashed_in_batches_of_a_thousand_and_nothing_is_sent_or_queued_twice() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    let rows: Vec<String> = (0..2_500).map(purchase).collect();
    let file = csv(&ws, "offline.csv", &rows);
    let imported = console.capi_import("Acme", &file, &no_cancel()).await.unwrap();
    assert_eq!((imported.queued, imported.invalid), (2_500, 0), "{:?}", imported.problems);

    let sent = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!((sent.clients[0].sent, sent.clients[0].batches), (2_500, 3), "{sent:?}");
    assert_eq!(posts(&sim), 3, "ceil(2,500 / 1,000) requests");
    let counted = sim.conversions();
    assert_eq!(counted.len(), 2_500);
    let first = &counted.iter().find(|(_, e)| e["custom_data"]["value"] == 7.5).unwrap().1;
    assert_eq!(first["user_data"]["em"], sha("person7@example.com"));
    assert_eq!(first["user_data"]["ph"], sha("447911000007"));
    assert_eq!(first["user_data"]["fn"], sha("ann"));
    assert_eq!(first["custom_data"]["currency"], "GBP");
    assert_eq!(first["action_source"], "physical_store");
    // No plain value in anything sent.
    for call in sim.calls() {
        let sent = format!("{:?}", call.query);
        let plain = ["@", "Ann", "Lee", "07911 ", "private note"].iter().find(|p| sent.contains(**p));
        assert!(plain.is_none(), "{plain:?} was sent to Meta");
    }

    // Sending again sends nothing; importing the file again queues nothing.
    let again = console.capi_send(Some("Acme"), &no_cancel()).await.unwrap();
    assert_eq!(again.clients[0].sent, 0);
    assert_eq!(posts(&sim), 3);
    let reimported = console.capi_import("Acme", &file, &no_cancel()).await.unwrap();
    assert_eq!((reimported.queued, reimported.already_queued), (0, 2_500));
    assert_eq!(console.capi_send(None, &no_cancel()).await.unwrap().clients[0].sent, 0);

    let log = console.capi_log(Some("Acme"), 10_000).await.unwrap();
    assert_eq!(log.len(), 2_500);
    assert!(log.iter().all(|e| e.dataset_id == DATASET && e.events_received > 0 && e.fbtrace_id.is_some()));
    assert!(log.iter().all(|e| e.keys.iter().all(|(_, v)| v.len() == 64)), "hashed keys only in the log");
}

#[tokio::test]
async fn an_invalid_event_is_listed_with_its_reason_and_never_sent() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    let rows = vec![
        purchase(1),
        format!("Purchase,{},not an email,,,,,,", hours_ago(2)),
        format!("Purchase,{},old@example.com,,,,,,", hours_ago(8 * 24)),
        format!("Purchase,{},future@example.com,,,,,,", (*TEST_NOW + chrono::Duration::hours(3)).to_rfc3339()),
        format!("Purchase,{},value@example.com,,,,10,,", hours_ago(2)),
        format!("Purchase,{},,,,,,,", hours_ago(2)),
        format!("Purchase,yesterday,when@example.com,,,,,,"),
        format!(",{},noname@example.com,,,,,,", hours_ago(2)),
    ];
    let file = csv(&ws, "mixed.csv", &rows);
    let imported = console.capi_import("Acme", &file, &no_cancel()).await.unwrap();
    assert_eq!(imported.invalid, 5, "{:?}", imported.problems);

    let preview = console.capi_preview(Some("Acme")).await.unwrap();
    assert_eq!(preview.sendable, 1, "{preview:?}");
    let reasons: Vec<String> = preview.unsendable.iter().map(|p| format!("{}: {}", p.source, p.reason)).collect();
    let says = |line: usize, words: &str| {
        assert!(
            reasons.iter().any(|r| r.starts_with(&format!("mixed.csv, line {line}:")) && r.contains(words)),
            "line {line} should say '{words}': {reasons:?}"
        )
    };
    says(3, "not a valid address");
    says(4, "more than 7 days");
    says(5, "in the future");
    says(6, "value without a currency");
    says(7, "no matching key");
    says(8, "not an ISO 8601 time");
    says(9, "no event_name");
    assert!(preview.events.iter().all(|e| !e.payload.to_string().contains("@")), "the preview shows hashes only");

    let sent = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!(sent.clients[0].sent, 1);
    assert_eq!(sent.clients[0].not_yet, 1, "the future event waits");
    let counted: Vec<String> =
        sim.conversions().iter().map(|(_, e)| e["user_data"]["em"].as_str().unwrap().to_owned()).collect();
    assert_eq!(counted, vec![sha("person1@example.com")]);

    // Its time come, the future event goes; the invalid ones never do.
    ws.clock.set(*TEST_NOW + chrono::Duration::hours(4));
    sim.now((*TEST_NOW + chrono::Duration::hours(4)).timestamp());
    let later = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!(later.clients[0].sent, 1);
    assert_eq!(sim.conversions().len(), 2);
    assert_eq!(sim.conversions()[1].1["user_data"]["em"], sha("future@example.com"));
}

#[tokio::test]
async fn a_send_cut_off_after_meta_took_the_batch_is_sent_again_and_meta_counts_it_once() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    let file = csv(&ws, "offline.csv", &(0..30).map(purchase).collect::<Vec<_>>());
    console.capi_import("Acme", &file, &no_cancel()).await.unwrap();

    // Meta takes the batch, but the answer comes too late: the send is cut off (as by a crash).
    let calls_before = sim.calls().len();
    sim.fault_at(calls_before + 1, Fault::Slow(1_500));
    let cut = tokio::time::timeout(Duration::from_millis(500), console.capi_send(None, &no_cancel())).await;
    assert!(cut.is_err(), "the send was cut off mid-call");
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(sim.conversions().len(), 30, "Meta took the batch");
    assert!(console.capi_log(None, 100).await.unwrap().is_empty(), "no answer was on record");

    // Sent again with the same ids: Meta recognises them, and nothing counts twice.
    let again = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!(again.clients[0].sent, 30);
    assert_eq!(sim.events_received(), 60);
    assert_eq!(sim.conversions().len(), 30);
    assert_eq!(console.capi_log(None, 100).await.unwrap().len(), 30);
}

/// Sends, and cuts the send off (as a crash would) once Meta holds its first batch and before it
/// answers: when that is depends on the machine's load, not on a fixed wait. Meta takes the batch
/// all the same, once its slow answer is done.
async fn send_cut_off_while_meta_holds_the_batch(console: &Console, sim: &GraphSim) {
    let calls_before = sim.calls().len();
    sim.fault_at(calls_before + 1, Fault::Slow(1_000));
    let cancel = no_cancel();
    let mut send = Box::pin(console.capi_send(None, &cancel));
    while sim.calls().len() == calls_before {
        tokio::select! {
            done = &mut send => panic!("the send ended before Meta held its batch: {done:?}"),
            () = tokio::time::sleep(Duration::from_millis(10)) => {}
        }
    }
    drop(send);
    for _ in 0..1_000 {
        if sim.events_received() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn an_event_cut_off_more_than_48_hours_ago_is_not_sent_again_so_it_can_never_count_twice() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    let file = csv(&ws, "offline.csv", &[purchase(1)]);
    console.capi_import("Acme", &file, &no_cancel()).await.unwrap();
    send_cut_off_while_meta_holds_the_batch(&console, &sim).await;

    let later = *TEST_NOW + chrono::Duration::hours(49);
    ws.clock.set(later);
    sim.now(later.timestamp());
    let sent = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!((sent.clients[0].sent, sent.clients[0].invalid), (0, 1));
    assert_eq!(sim.events_received(), 1);
}

#[tokio::test]
async fn throttling_and_a_failing_meta_lose_nothing_and_send_nothing_twice() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    let file = csv(&ws, "offline.csv", &(0..1_200).map(purchase).collect::<Vec<_>>());
    console.capi_import("Acme", &file, &no_cancel()).await.unwrap();

    // The second batch is throttled past what a call waits: the send stops, saying so.
    let calls_before = sim.calls().len();
    sim.fault_at(calls_before + 2, Fault::Throttle { code: 80_004, regain: Some(5) });
    let stopped = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!(stopped.clients[0].sent, 1_000);
    assert!(stopped.clients[0].stopped.as_deref().unwrap().contains("limiting"), "{stopped:?}");

    // A transient failure and an answer that is not JSON are retried within the call.
    sim.fault(Fault::Transient);
    sim.fault(Fault::Malformed);
    let resumed = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!((resumed.clients[0].sent, resumed.clients[0].stopped.clone()), (200, None));
    assert_eq!(sim.conversions().len(), 1_200);
    let mut ids: Vec<String> =
        sim.conversions().iter().map(|(_, e)| e["event_id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1_200, "each event counted once");
}

#[tokio::test]
async fn nobody_restricted_objected_or_erased_is_sent_and_an_erased_persons_events_are_gone() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    let file = csv(&ws, "offline.csv", &(0..4).map(purchase).collect::<Vec<_>>());
    console.capi_import("Acme", &file, &no_cancel()).await.unwrap();

    let restriction =
        console.new_request(RequestForm::new(RequestKind::Restriction, email("person0@example.com"))).await.unwrap();
    console.restrict_request(restriction.id).await.unwrap();
    let objection =
        console.new_request(RequestForm::new(RequestKind::Objection, email("person1@example.com"))).await.unwrap();
    console.restrict_request(objection.id).await.unwrap();

    // The request finds the person's events by their hashes, and the erasure removes them.
    let erasure =
        console.new_request(RequestForm::new(RequestKind::Erasure, email("PERSON2@example.com"))).await.unwrap();
    let found = console.find_for_request(erasure.id, false).await.unwrap();
    let events = found.groups.iter().find(|g| g.kind == DataKind::ConversionEvents).expect("the events are found");
    assert_eq!(events.records.len(), 1);
    let fields = format!("{:?}", events.records[0].fields);
    assert!(fields.contains(&sha("person2@example.com")) && !fields.contains("person2@"), "{fields}");
    console.erase_request(erasure.id, true, false).await.unwrap();

    let preview = console.capi_preview(None).await.unwrap();
    assert_eq!((preview.sendable, preview.withheld), (1, 2), "{preview:?}");
    let sent = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!((sent.clients[0].sent, sent.clients[0].withheld), (1, 2));
    let counted: Vec<String> =
        sim.conversions().iter().map(|(_, e)| e["user_data"]["em"].as_str().unwrap().to_owned()).collect();
    assert_eq!(counted, vec![sha("person3@example.com")]);

    // Importing the file again does not bring the erased person back.
    console.capi_import("Acme", &file, &no_cancel()).await.unwrap();
    let again = console.new_request(RequestForm::new(RequestKind::Access, email("person2@example.com"))).await.unwrap();
    let found = console.find_for_request(again.id, false).await.unwrap();
    assert!(found.groups.iter().all(|g| g.kind != DataKind::ConversionEvents), "{:?}", found.groups);
    drop(console);
    let key = ws.key().await;
    let traces = crate::support::traces(ws.path(), key.expose(), &[&sha("person2@example.com")]);
    assert!(traces.is_empty(), "no trace of the erased person's events: {traces:?}");
}

#[tokio::test]
async fn a_person_who_opted_out_of_the_clients_marketing_is_not_sent_until_they_opt_in_again() {
    use custodian::consent::ConsentChannel;
    use custodian::console::ConsentChange;
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    console.add_client("Birch", None).await.unwrap();
    let file = csv(&ws, "offline.csv", &(0..5).map(purchase).collect::<Vec<_>>());
    console.capi_import("Acme", &file, &no_cancel()).await.unwrap();
    let change = |client: &str, channel, opted_in| ConsentChange {
        client: Some(client.into()),
        channel,
        opted_in,
        reason: "told us by phone".into(),
    };
    // Person 0 opted out of Acme's emails, person 1 into Acme's WhatsApp, person 2 out of Birch's
    // emails only; person 3 said STOP by WhatsApp, found by the phone the event carries.
    console
        .consent_set(&email("person0@example.com"), &change("Acme", ConsentChannel::EmailMarketing, false))
        .await
        .unwrap();
    console
        .consent_set(&email("person1@example.com"), &change("Acme", ConsentChannel::WhatsappMarketing, true))
        .await
        .unwrap();
    console
        .consent_set(&email("person2@example.com"), &change("Birch", ConsentChannel::EmailMarketing, false))
        .await
        .unwrap();
    let phone3 = vec![Identifier { kind: IdKind::Phone, value: "+447911000003".into() }];
    console.consent_set(&phone3, &change("Acme", ConsentChannel::WhatsappMarketing, false)).await.unwrap();

    let preview = console.capi_preview(None).await.unwrap();
    assert_eq!((preview.sendable, preview.withheld), (3, 2), "{preview:?}");
    let sent = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!((sent.clients[0].sent, sent.clients[0].withheld), (3, 2));
    let counted = |sim: &GraphSim| -> Vec<String> {
        sim.conversions().iter().map(|(_, e)| e["user_data"]["em"].as_str().unwrap().to_owned()).collect()
    };
    let expected: Vec<String> = [1, 2, 4].iter().map(|n| sha(&format!("person{n}@example.com"))).collect();
    assert_eq!(counted(&sim), expected);

    // An opt-in given later is the person's answer now.
    ws.clock.set(*TEST_NOW + chrono::Duration::minutes(5));
    console
        .consent_set(&email("person0@example.com"), &change("Acme", ConsentChannel::EmailMarketing, true))
        .await
        .unwrap();
    let sent = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!(sent.clients[0].sent, 1, "{sent:?}");
    assert_eq!(counted(&sim).last().unwrap(), &sha("person0@example.com"));
}

/// The send reads each page, and records what Meta took, without looking again for restrictions
/// and erasures while no other connection has committed; these commit while the batch before is
/// at Meta, and must be seen all the same.
#[tokio::test]
async fn people_restricted_or_erased_while_a_batch_is_at_meta_are_not_sent_nor_recorded_after() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    let file = csv(&ws, "offline.csv", &(0..1_500).map(purchase).collect::<Vec<_>>());
    console.capi_import("Acme", &file, &no_cancel()).await.unwrap();
    sim.fault_at(sim.calls().len() + 1, Fault::Slow(1_500));
    let cancel = no_cancel();
    let mut send = Box::pin(console.capi_send(None, &cancel));
    while posts(&sim) == 0 {
        tokio::select! {
            done = &mut send => panic!("the send ended before Meta held its first batch: {done:?}"),
            () = tokio::time::sleep(Duration::from_millis(10)) => {}
        }
    }
    // Person 1,200 is in the second batch, and restricts; person 1,300, in the second, and person
    // 5, in the batch at Meta, are erased.
    let changes = async {
        let restriction = console
            .new_request(RequestForm::new(RequestKind::Restriction, email("person1200@example.com")))
            .await
            .unwrap();
        console.restrict_request(restriction.id).await.unwrap();
        for address in ["person1300@example.com", "person5@example.com"] {
            let erasure = console.new_request(RequestForm::new(RequestKind::Erasure, email(address))).await.unwrap();
            console.find_for_request(erasure.id, false).await.unwrap();
            console.erase_request(erasure.id, true, false).await.unwrap();
        }
    };
    let (sent, ()) = tokio::join!(send, changes);
    let sent = sent.unwrap();
    assert_eq!(sent.clients[0].stopped, None, "{sent:?}");
    assert_eq!(sent.clients[0].withheld, 1, "{sent:?}");
    let counted: Vec<String> =
        sim.conversions().iter().map(|(_, e)| e["user_data"]["em"].as_str().unwrap().to_owned()).collect();
    assert_eq!(counted.len(), 1_000 + 498, "the whole first batch, and the second without two people");
    assert!(counted.contains(&sha("person5@example.com")), "Meta had the batch before the erasure");
    for gone in ["person1200@example.com", "person1300@example.com"] {
        assert!(!counted.contains(&sha(gone)), "{gone} was sent");
    }
    // The erased person's event is not on the log as sent, and nothing more goes.
    let log = console.capi_log(None, 10_000).await.unwrap();
    assert_eq!(log.len(), 999 + 498);
    assert!(log.iter().all(|l| !l.keys.contains(&("em".to_owned(), sha("person5@example.com")))));
    let again = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!((again.clients[0].sent, again.clients[0].withheld), (0, 1));
}

#[tokio::test]
async fn the_event_log_is_kept_30_days_unless_held_and_then_purged() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    let file = csv(&ws, "offline.csv", &(0..3).map(purchase).collect::<Vec<_>>());
    console.capi_import("Acme", &file, &no_cancel()).await.unwrap();
    console.capi_send(None, &no_cancel()).await.unwrap();
    let hold = HoldForm {
        client: None,
        identifiers: email("person1@example.com"),
        reason: "dispute over order 1".into(),
        until: None,
    };
    console.add_hold(hold).await.unwrap();

    let kind = |r: &custodian::console::PurgeReport| {
        r.purged.iter().filter(|p| p.kind == DataKind::ConversionEvents).map(|p| p.count).sum::<i64>()
    };
    let day29 = *TEST_NOW + chrono::Duration::days(29);
    assert_eq!(kind(&console.purge_preview(day29).await.unwrap()), 0);
    let day31 = *TEST_NOW + chrono::Duration::days(31);
    assert_eq!(kind(&console.purge_preview(day31).await.unwrap()), 2, "the held person's event stays");
    let review = console.retention_review(Some("Acme"), day31).await.unwrap();
    assert!(review.iter().any(|r| r.kind == DataKind::ConversionEvents), "{review:?}");
    ws.clock.set(day31);
    assert_eq!(kind(&console.purge(day31).await.unwrap()), 2);
    let left = console.capi_log(None, 100).await.unwrap();
    assert_eq!(left.len(), 1);
    assert!(left[0].keys.iter().any(|(k, v)| k == "em" && *v == sha("person1@example.com")));
    // The person held in the client's events keeps the client too.
    let removal = console.remove_client("Acme", true, None).await.unwrap_err();
    assert_eq!(removal.code(), custodian::console::Code::Held, "{removal}");
    assert!(removal.to_string().contains("dispute over order 1"), "{removal}");
}

#[tokio::test]
async fn test_events_go_to_the_test_tool_under_their_code() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    console.capi_set("Acme", DATASET, Some("TEST4321")).await.unwrap();
    let file = csv(&ws, "offline.csv", &[purchase(1)]);
    console.capi_import("Acme", &file, &no_cancel()).await.unwrap();
    console.capi_send(None, &no_cancel()).await.unwrap();
    assert!(sim.conversions().is_empty());
    assert_eq!(sim.test_events().len(), 1);
    assert_eq!(sim.test_events()[0].0, "TEST4321");
    assert_eq!(console.capi_log(None, 10).await.unwrap()[0].test_event_code.as_deref(), Some("TEST4321"));
}

#[tokio::test]
async fn the_cli_queues_previews_sends_and_logs_with_hashes_only() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    drop(capi_workspace(&ws, &sim).await);
    let bad = ws.cli(&["capi", "set", "--client", "Acme", "--dataset", "pixel-one"]);
    assert!(!bad.status.success());
    assert!(crate::support::stderr(&bad).contains("not a dataset"), "{}", crate::support::stderr(&bad));

    let file = csv(&ws, "offline.csv", &[purchase(1), purchase(2)]);
    let imported = ws.cli(&["capi", "import", "--client", "Acme", file.to_str().unwrap(), "--json"]);
    assert!(imported.status.success(), "{}", crate::support::stderr(&imported));
    assert!(stdout(&imported).contains("\"queued\": 2"), "{}", stdout(&imported));
    let preview = ws.cli(&["capi", "preview", "--json"]);
    let text = stdout(&preview);
    assert!(text.contains(&sha("person1@example.com")) && !text.contains("person1@"), "{text}");
    let sent = ws.cli(&["capi", "send", "--client", "Acme"]);
    assert!(sent.status.success(), "{}", crate::support::stderr(&sent));
    assert!(stdout(&sent).contains("2 sent in 1 batches"), "{}", stdout(&sent));
    let log = ws.cli(&["capi", "log", "--json"]);
    assert!(stdout(&log).contains(&sha("person2@example.com")));
    assert_eq!(sim.conversions().len(), 2);
}

#[tokio::test]
async fn an_access_request_exports_the_persons_events_with_their_hashes_only() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    let file = csv(&ws, "offline.csv", &[purchase(1), purchase(2)]);
    console.capi_import("Acme", &file, &no_cancel()).await.unwrap();
    console.capi_send(None, &no_cancel()).await.unwrap();
    let access =
        console.new_request(RequestForm::new(RequestKind::Access, email("person1@example.com"))).await.unwrap();
    let out = ws.path().with_extension("exports");
    std::fs::create_dir_all(&out).unwrap();
    let package = console.export_request(access.id, &out.join("person1.zip"), false).await.unwrap();
    assert_eq!(package.records, 1);
    let files = crate::requests::unzip(&out.join("person1.zip"));
    let data = String::from_utf8(files.iter().find(|(n, _)| n == "data.json").unwrap().1.clone()).unwrap();
    let _ = std::fs::remove_dir_all(&out);
    assert!(data.contains("conversion_events") && data.contains(&sha("person1@example.com")), "{data}");
    assert!(data.contains(DATASET) && data.contains("fbtrace_id"), "where it went and Meta's answer: {data}");
    assert!(!data.contains(&sha("person2@example.com")), "nobody else's events");
    assert!(!data.contains("7911"), "no plain phone number is held to export");
}

#[tokio::test]
async fn removing_a_client_removes_its_events_sends_and_dataset() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    let file = csv(&ws, "offline.csv", &(0..3).map(purchase).collect::<Vec<_>>());
    console.capi_import("Acme", &file, &no_cancel()).await.unwrap();
    console.capi_send(None, &no_cancel()).await.unwrap();
    let holdings = console.client_holdings("Acme").await.unwrap();
    assert!(format!("{holdings:?}").contains("conversion events"), "{holdings:?}");
    console.remove_client("Acme", true, None).await.unwrap();
    assert!(console.capi_datasets().await.unwrap().is_empty());
    assert!(console.capi_log(None, 100).await.unwrap().is_empty());
    drop(console);
    let key = ws.key().await;
    let hashes: Vec<String> = (0..3).map(|n| sha(&format!("person{n}@example.com"))).collect();
    let traces =
        crate::support::traces(ws.path(), key.expose(), &hashes.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(traces.is_empty(), "{traces:?}");
}

#[tokio::test]
async fn a_batch_cut_off_goes_again_where_it_went_and_not_about_someone_who_restricted_processing_since() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    sim.dataset("555000222");
    let file = csv(&ws, "offline.csv", &[purchase(1), purchase(2)]);
    console.capi_import("Acme", &file, &no_cancel()).await.unwrap();
    send_cut_off_while_meta_holds_the_batch(&console, &sim).await;

    // Meanwhile the client's events are set to go elsewhere, and person 1 restricts processing.
    console.capi_set("Acme", "555000222", None).await.unwrap();
    let restriction =
        console.new_request(RequestForm::new(RequestKind::Restriction, email("person1@example.com"))).await.unwrap();
    console.restrict_request(restriction.id).await.unwrap();
    let sent = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!((sent.clients[0].sent, sent.clients[0].invalid), (1, 1), "{sent:?}");
    let last = sim.calls().into_iter().rfind(|c| c.path.ends_with("/events")).unwrap();
    assert!(last.path.contains(DATASET), "the batch goes again where it went: {}", last.path);
    assert_eq!(sim.conversions().len(), 2, "Meta counted each event once");
    let preview = console.capi_preview(None).await.unwrap();
    assert!(preview.unsendable.iter().any(|p| p.reason.contains("restricted processing")), "{preview:?}");
}

#[tokio::test]
async fn a_national_phone_with_no_country_to_place_it_is_not_sent_and_blank_rows_are_passed_over() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    console.add_client("Nowhere", None).await.unwrap();
    let mut rows = vec![format!("Purchase,{},,07911 123456,,,,,", hours_ago(1))];
    rows.extend(std::iter::repeat_n(",,,,,,,,".to_owned(), 50_000));
    rows.push(format!("Purchase,{},,+44 7911 123456,,,,,", hours_ago(1)));
    let file = csv(&ws, "phones.csv", &rows);
    let imported = console.capi_import("Nowhere", &file, &no_cancel()).await.unwrap();
    assert_eq!((imported.queued, imported.invalid), (2, 1), "{:?}", imported.problems);
    assert!(imported.problems[0].reason.contains("no country code"), "{:?}", imported.problems);
}

#[tokio::test]
async fn a_row_that_could_not_be_sent_is_taken_again_once_corrected_and_names_its_person_anew() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    let path = ws.path().join("orders.csv");
    let write = |email: &str| {
        let text = format!("event_name,event_time,email,event_id\nPurchase,{},{email},order-77\n", hours_ago(1));
        std::fs::write(&path, text).unwrap();
    };
    write("zoe at example.org");
    let first = console.capi_import("Acme", &path, &no_cancel()).await.unwrap();
    assert_eq!((first.queued, first.invalid), (1, 1));
    write("zoe@example.org");
    let corrected = console.capi_import("Acme", &path, &no_cancel()).await.unwrap();
    assert_eq!((corrected.queued, corrected.invalid, corrected.already_queued), (1, 0, 0), "{corrected:?}");
    let restriction =
        console.new_request(RequestForm::new(RequestKind::Restriction, email("zoe@example.org"))).await.unwrap();
    console.restrict_request(restriction.id).await.unwrap();
    let sent = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!((sent.clients[0].sent, sent.clients[0].withheld), (0, 1), "the corrected row names its person");
    assert!(sim.conversions().is_empty());
}

#[tokio::test]
async fn a_row_corrected_later_in_the_same_file_names_only_the_corrected_rows_person() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    let path = ws.path().join("orders.csv");
    let when = hours_ago(1);
    let text = format!(
        "event_name,event_time,email,value,currency,event_id\n\
         Purchase,{when},ann@example.com,10,,order-78\n\
         Purchase,{when},bob@example.net,10,GBP,order-78\n"
    );
    std::fs::write(&path, text).unwrap();
    console.capi_import("Acme", &path, &no_cancel()).await.unwrap();
    let finds = |address: &'static str| {
        let console = &console;
        async move {
            let request = console.new_request(RequestForm::new(RequestKind::Access, email(address))).await.unwrap();
            let found = console.find_for_request(request.id, false).await.unwrap();
            found.groups.iter().any(|g| g.kind == DataKind::ConversionEvents)
        }
    };
    assert!(finds("bob@example.net").await, "the corrected row's person is found");
    assert!(!finds("ann@example.com").await, "the replaced row's person is no longer named by the event");
    let sent = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!(sent.clients[0].sent, 1);
    assert_eq!(sim.conversions()[0].1["user_data"]["em"], sha("bob@example.net"));
}

#[tokio::test]
async fn a_header_naming_a_column_twice_is_refused_and_queues_nothing() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    let path = ws.path().join("twice.csv");
    let text =
        format!("event_name,event_time,Email,EMAIL\nPurchase,{},ann@example.com,bob@example.net\n", hours_ago(1));
    std::fs::write(&path, text).unwrap();
    let refused = console.capi_import("Acme", &path, &no_cancel()).await.unwrap_err().to_string();
    assert!(refused.contains("email column more than once"), "{refused}");
    assert_eq!(console.capi_preview(None).await.unwrap().sendable, 0);
}

#[tokio::test]
async fn a_phone_hashed_already_is_passed_on_as_it_is() {
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = capi_workspace(&ws, &sim).await;
    let hashed = sha("447911123456");
    let file = csv(&ws, "hashed.csv", &[format!("Purchase,{},,{},,,,,", hours_ago(1), hashed.to_uppercase())]);
    let imported = console.capi_import("Acme", &file, &no_cancel()).await.unwrap();
    assert_eq!((imported.queued, imported.invalid), (1, 0), "{:?}", imported.problems);
    console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!(sim.conversions()[0].1["user_data"]["ph"], hashed);
}
