//! CRM stages as Conversion Leads events, against the CRM and Graph simulators: a lead whose CRM
//! record moves to a chosen stage is sent once, matched by its Meta lead id; the stage a record is
//! first found at is not a change; the choice is checked against the CRM; and a person's rights
//! reach these events as they reach every other.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use custodian::console::{Console, RequestForm};
use custodian::crm::client::Pacing;
use custodian::crm::Crm;
use custodian::personal_data::DataKind;
use custodian::requests::{IdKind, Identifier, RequestKind};
use custodian::vault::Sensitive;
use serde_json::{json, Value};

use crate::crm_sim::CrmSim;
use crate::graph_sim::GraphSim;
use crate::support::{acme_on_meta, stderr, stdout, Workspace, TEST_NOW};

const META_TOKEN: &str = "EAAGsystemusertokenstages0123456789abcdefABC";
const CRM_TOKEN: &str = "pat-na1-0123456789abcdef0123456789abcdef";
const DATASET: &str = "555000222";

fn no_cancel() -> AtomicBool {
    AtomicBool::new(false)
}

fn email(address: &str) -> Vec<Identifier> {
    vec![Identifier { kind: IdKind::Email, value: address.into() }]
}

/// Client Acme (GB), connected to Meta with dataset `DATASET`, holding the fixture leads (Meta
/// lead ids 1001–1003 and Meta's test lead), each pushed to its HubSpot at `crm`.
async fn pushed_to_hubspot(ws: &Workspace, graph: &GraphSim, crm: &CrmSim) -> Console {
    pushed_to(ws, graph, crm, Crm::HubSpot).await
}

/// As `pushed_to_hubspot`, to the CRM `which` at `crm`.
async fn pushed_to(ws: &Workspace, graph: &GraphSim, crm: &CrmSim, which: Crm) -> Console {
    graph.dataset(DATASET);
    graph.now(TEST_NOW.timestamp());
    let console = acme_on_meta(ws, graph, META_TOKEN).await;
    console.capi_set("Acme", DATASET, None).await.unwrap();
    console.set_crm_pacing(Pacing {
        transient_retries: 2,
        first_backoff: Duration::from_millis(2),
        longest_wait: Duration::from_secs(3),
        timeout: Duration::from_secs(2),
    });
    let text = crate::fixtures::text(crate::fixtures::HEADER, &crate::fixtures::rows(), ',', "\r\n");
    let file = crate::fixtures::write(ws.path(), "leads.csv", text.as_bytes());
    console.import_file(&file, "Acme", &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap();
    console.connect_crm(which, "Acme", Sensitive::new(CRM_TOKEN.into()), Some(&crm.url)).await.unwrap();
    crate::crm_push::map(&console, which).await;
    crate::crm_push::push(&console).await;
    assert_eq!(crm.held(|h| if which == Crm::HubSpot { h.hubspot.len() } else { h.pipedrive.len() }), 4);
    console
}

/// Sets the lifecycle stage of the HubSpot contact with `address`, as a salesperson would.
fn move_to(crm: &CrmSim, address: &str, stage: &str) {
    crm.edit(|held| {
        let contact = held
            .hubspot
            .values_mut()
            .find(|c| c["email"].as_str().is_some_and(|e| e.eq_ignore_ascii_case(address)))
            .expect("the contact was pushed");
        contact.insert("lifecyclestage".into(), json!(stage));
    });
}

fn stages(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn the_preview_reads_the_crm_stages_and_shows_what_a_send_would_queue_without_queuing_it() {
    let (ws, graph, crm) = (Workspace::new(), GraphSim::start(), CrmSim::start(CRM_TOKEN));
    let console = pushed_to_hubspot(&ws, &graph, &crm).await;
    console.capi_stages_set("Acme", "hubspot", None, &stages(&["salesqualifiedlead"])).await.unwrap();
    console.capi_send(None, &no_cancel()).await.unwrap();
    move_to(&crm, "bob@example.net", "salesqualifiedlead");

    for _ in 0..2 {
        let preview = console.capi_preview(None).await.unwrap();
        assert_eq!((preview.stages_read, preview.stage_events, preview.sendable), (4, 1, 1), "{preview:?}");
        let payload = &preview.events[0].payload;
        assert_eq!(payload["event_name"], "salesqualifiedlead");
        assert_eq!(payload["user_data"], json!({"lead_id": 1003}));
        assert_eq!(payload["custom_data"]["lead_event_source"], "HubSpot");
    }
    assert!(graph.conversions().is_empty());

    // A restricted person's stage event is shown as withheld, as the send keeps it.
    let restriction =
        console.new_request(RequestForm::new(RequestKind::Restriction, email("bob@example.net"))).await.unwrap();
    console.restrict_request(restriction.id).await.unwrap();
    let preview = console.capi_preview(Some("Acme")).await.unwrap();
    assert_eq!((preview.stage_events, preview.sendable, preview.withheld), (1, 0, 1), "{preview:?}");

    // The send reads the same stage and queues the same event, once.
    let sent = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!((sent.clients[0].stage_events, sent.clients[0].sent, sent.clients[0].withheld), (1, 0, 1), "{sent:?}");
    let after = console.capi_preview(None).await.unwrap();
    assert_eq!((after.stages_read, after.stage_events, after.sendable, after.withheld), (4, 0, 0, 1), "{after:?}");

    // A CRM that stops answering is said, and the preview still lists the queue.
    crm.fault(crate::crm_sim::Fault::Expired);
    let stopped = console.capi_preview(None).await.unwrap();
    assert_eq!(stopped.stages_stopped.len(), 1, "{stopped:?}");
    assert_eq!(stopped.stages_stopped[0].source, "Acme");
}

#[tokio::test]
async fn a_lead_moved_to_a_chosen_crm_stage_is_sent_once_by_its_meta_lead_id_and_the_stage_it_was_found_at_is_not() {
    let (ws, graph, crm) = (Workspace::new(), GraphSim::start(), CrmSim::start(CRM_TOKEN));
    let console = pushed_to_hubspot(&ws, &graph, &crm).await;
    // Ann was a customer before anyone watched: that is where watching starts, not a change.
    move_to(&crm, "ann.lee@example.com", "customer");
    let rule = console.capi_stages_set("Acme", "hubspot", None, &stages(&["customer", "salesqualifiedlead"])).await;
    let rule = rule.unwrap();
    assert_eq!((rule.field.as_str(), rule.stages.len()), ("lifecyclestage", 2));

    let first = console.capi_send(None, &no_cancel()).await.unwrap();
    let acme = &first.clients[0];
    assert_eq!((acme.stages_read, acme.stage_events, acme.sent), (4, 0, 0), "{first:?}");

    // Bob becomes sales-qualified, Zoë an opportunity (a stage not sent), Ann stays a customer.
    move_to(&crm, "bob@example.net", "salesqualifiedlead");
    move_to(&crm, "zoe@example.org", "opportunity");
    let second = console.capi_send(None, &no_cancel()).await.unwrap();
    let acme = &second.clients[0];
    assert_eq!((acme.stage_events, acme.sent, acme.batches), (1, 1, 1), "{second:?}");
    let counted = graph.conversions();
    assert_eq!(counted.len(), 1);
    let event = &counted[0].1;
    assert_eq!(event["event_name"], "salesqualifiedlead");
    assert_eq!(event["action_source"], "system_generated");
    assert_eq!(event["event_time"], TEST_NOW.timestamp());
    assert_eq!(event["user_data"], json!({"lead_id": 1003}));
    assert_eq!(event["custom_data"], json!({"event_source": "crm", "lead_event_source": "HubSpot"}));

    // Read again with nothing changed, nothing more is queued or sent.
    let third = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!((third.clients[0].stage_events, third.clients[0].sent), (0, 0), "{third:?}");
    assert_eq!(graph.conversions().len(), 1);

    // Ann leaves the stage and comes back to it: that is a change again, sent once more.
    move_to(&crm, "ann.lee@example.com", "opportunity");
    console.capi_send(None, &no_cancel()).await.unwrap();
    move_to(&crm, "ann.lee@example.com", "customer");
    let back = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!((back.clients[0].stage_events, back.clients[0].sent), (1, 1), "{back:?}");
    let names: Vec<(Value, Value)> =
        graph.conversions().iter().map(|(_, e)| (e["event_name"].clone(), e["user_data"]["lead_id"].clone())).collect();
    assert_eq!(names, [(json!("salesqualifiedlead"), json!(1003)), (json!("customer"), json!(1001))]);

    // Stopping stops reading; the log keeps what was sent.
    console.capi_stages_off("Acme", "hubspot").await.unwrap();
    let calls = crm.calls().len();
    let off = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!((off.clients[0].stages_read, crm.calls().len()), (0, calls), "{off:?}");
    assert_eq!(console.capi_log(None, 10).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_stage_event_is_found_by_its_person_withheld_when_they_restrict_and_gone_with_their_erasure() {
    let (ws, graph, crm) = (Workspace::new(), GraphSim::start(), CrmSim::start(CRM_TOKEN));
    let console = pushed_to_hubspot(&ws, &graph, &crm).await;
    console.capi_stages_set("Acme", "hubspot", None, &stages(&["customer"])).await.unwrap();
    console.capi_send(None, &no_cancel()).await.unwrap();

    // Bob restricts processing; then both Bob and Ann become customers.
    let restriction =
        console.new_request(RequestForm::new(RequestKind::Restriction, email("bob@example.net"))).await.unwrap();
    console.restrict_request(restriction.id).await.unwrap();
    move_to(&crm, "bob@example.net", "customer");
    move_to(&crm, "ann.lee@example.com", "customer");
    let sent = console.capi_send(None, &no_cancel()).await.unwrap();
    let acme = &sent.clients[0];
    assert_eq!((acme.stage_events, acme.sent, acme.withheld), (2, 1, 1), "{sent:?}");
    assert_eq!(graph.conversions()[0].1["user_data"]["lead_id"], 1001, "only Ann's event went");

    // Ann's access request finds her event, by her lead id as well as her email.
    let access =
        console.new_request(RequestForm::new(RequestKind::Access, email("ANN.LEE@example.com"))).await.unwrap();
    let found = console.find_for_request(access.id, false).await.unwrap();
    let events = found.groups.iter().find(|g| g.kind == DataKind::ConversionEvents).expect("her event is found");
    assert_eq!(events.records.len(), 1, "{:?}", events.records);
    let by_lead = vec![Identifier { kind: IdKind::LeadId, value: "1001".into() }];
    let access = console.new_request(RequestForm::new(RequestKind::Access, by_lead)).await.unwrap();
    let found = console.find_for_request(access.id, false).await.unwrap();
    assert!(found.groups.iter().any(|g| g.kind == DataKind::ConversionEvents), "{:?}", found.groups);

    // Bob's erasure takes his withheld event, his lead and what was seen of his record; his
    // record, deleted at HubSpot, is not read again.
    let erasure = console.new_request(RequestForm::new(RequestKind::Erasure, email("bob@example.net"))).await.unwrap();
    console.erase_request(erasure.id, true, false).await.unwrap();
    let found = console.find_for_request(erasure.id, false).await.unwrap();
    assert!(found.groups.iter().all(|g| g.kind != DataKind::ConversionEvents), "{:?}", found.groups);
    let preview = console.capi_preview(None).await.unwrap();
    assert_eq!((preview.sendable, preview.withheld), (0, 0), "{preview:?}");
    let after = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!((after.clients[0].stages_read, after.clients[0].sent), (3, 0), "{after:?}");
}

#[tokio::test]
async fn stages_are_checked_against_the_crm_and_a_crm_that_stops_answering_stops_only_the_reading() {
    let (ws, graph, crm) = (Workspace::new(), GraphSim::start(), CrmSim::start(CRM_TOKEN));
    let console = pushed_to_hubspot(&ws, &graph, &crm).await;
    let refused = |r: Result<_, custodian::console::Error>| r.map(|_| ()).unwrap_err().to_string();
    let wrong_stage = refused(console.capi_stages_set("Acme", "hubspot", None, &stages(&["won"])).await);
    assert!(wrong_stage.contains("'won'") && wrong_stage.contains("salesqualifiedlead"), "{wrong_stage}");
    let wrong_field = refused(console.capi_stages_set("Acme", "hubspot", Some("stage"), &stages(&["customer"])).await);
    assert!(wrong_field.contains("no field 'stage'"), "{wrong_field}");
    let none = refused(console.capi_stages_set("Acme", "hubspot", None, &stages(&[" "])).await);
    assert!(none.contains("at least one stage"), "{none}");
    let not_connected = refused(console.capi_stages_set("Acme", "salesforce", None, &stages(&["x"])).await);
    assert!(not_connected.contains("No CRM connection"), "{not_connected}");
    assert!(console.capi_stage_rules(None).await.unwrap().is_empty());

    // Queued offline events still go when the CRM refuses the token mid-way.
    console.capi_stages_set("Acme", "hubspot", None, &stages(&["customer"])).await.unwrap();
    let csv = ws.path().join("offline.csv");
    let when = (*TEST_NOW - chrono::Duration::hours(2)).to_rfc3339();
    std::fs::write(&csv, format!("event_name,event_time,email\nPurchase,{when},someone@example.com\n")).unwrap();
    console.capi_import("Acme", &csv, &no_cancel()).await.unwrap();
    crm.fault(crate::crm_sim::Fault::Expired);
    let sent = console.capi_send(None, &no_cancel()).await.unwrap();
    let acme = &sent.clients[0];
    assert_eq!(acme.sent, 1, "{sent:?}");
    assert!(acme.stages_stopped.is_some(), "{sent:?}");
    let connection = &console.crm_connections().await.unwrap()[0];
    assert!(connection.invalid_reason.is_some(), "the connection is marked to be made again: {connection:?}");
    assert!(sent.failed());
}

/// Imports lead `id` of Ann (same email as lead 1001) and pushes it: HubSpot keeps it on Ann's
/// contact.
async fn another_lead_of_ann(ws: &Workspace, console: &Console, id: &str) {
    let mut row = crate::fixtures::rows().remove(0);
    row[0] = format!("l:{id}");
    // Another form filled in later: the same lead's details again would be the same lead.
    row[1] = format!("2026-07-2{}T08:00:00+00:00", &id[id.len() - 1..]);
    let text = crate::fixtures::text(crate::fixtures::HEADER, &[row], ',', "\r\n");
    let file = crate::fixtures::write(ws.path(), "more.csv", text.as_bytes());
    let imported = console.import_file(&file, "Acme", &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap();
    assert_eq!(imported.imported, 1, "{imported:?}");
    crate::crm_push::push(console).await;
}

#[tokio::test]
async fn two_leads_on_one_crm_record_are_two_events_and_a_lead_pushed_after_the_rule_starts_with_no_stage() {
    let (ws, graph, crm) = (Workspace::new(), GraphSim::start(), CrmSim::start(CRM_TOKEN));
    let console = pushed_to_hubspot(&ws, &graph, &crm).await;
    another_lead_of_ann(&ws, &console, "2004").await;
    assert_eq!(crm.held(|h| h.hubspot.len()), 4, "Ann's second lead is on her contact");
    console.capi_stages_set("Acme", "hubspot", None, &stages(&["customer"])).await.unwrap();
    console.capi_send(None, &no_cancel()).await.unwrap();

    move_to(&crm, "ann.lee@example.com", "customer");
    let sent = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!((sent.clients[0].stage_events, sent.clients[0].sent), (2, 2), "{sent:?}");
    let mut leads: Vec<Value> = graph.conversions().iter().map(|(_, e)| e["user_data"]["lead_id"].clone()).collect();
    leads.sort_by_key(|l| l.as_u64());
    assert_eq!(leads, [json!(1001), json!(2004)]);

    // A lead pushed after the rule was set onto a record already at the stage reached it since.
    crm.edit(|held| {
        for contact in held.hubspot.values_mut() {
            if contact["email"].as_str().is_some_and(|e| e.starts_with("Ann")) {
                continue;
            }
            contact.insert("lifecyclestage".into(), json!("customer"));
        }
    });
    let before = graph.conversions().len();
    let later = *TEST_NOW + chrono::Duration::minutes(10);
    ws.clock.set(later);
    graph.now(later.timestamp());
    another_lead_of_ann(&ws, &console, "2005").await;
    let later = console.capi_send(None, &no_cancel()).await.unwrap();
    let names: Vec<Value> =
        graph.conversions()[before..].iter().map(|(_, e)| e["user_data"]["lead_id"].clone()).collect();
    // Lead 2005 is new on Ann's contact; Zoë and Bob became customers; Meta's test lead is never sent.
    assert_eq!(later.clients[0].sent, 3, "{later:?} {names:?}");
    assert!(names.contains(&json!(2005)) && names.contains(&json!(1002)) && names.contains(&json!(1003)), "{names:?}");
}

#[tokio::test]
async fn a_record_the_crm_will_not_give_is_passed_over_and_the_rest_are_read() {
    let (ws, graph, crm) = (Workspace::new(), GraphSim::start(), CrmSim::start(CRM_TOKEN));
    let console = pushed_to_hubspot(&ws, &graph, &crm).await;
    console.capi_stages_set("Acme", "hubspot", None, &stages(&["customer"])).await.unwrap();
    console.capi_send(None, &no_cancel()).await.unwrap();
    move_to(&crm, "bob@example.net", "customer");
    // The first record read is refused (HTTP 409); Bob's comes after it.
    crm.fault(crate::crm_sim::Fault::Conflict);
    let sent = console.capi_send(None, &no_cancel()).await.unwrap();
    let acme = &sent.clients[0];
    assert_eq!((acme.stages_unreadable, acme.stage_events, acme.sent), (1, 1, 1), "{sent:?}");
    assert!(acme.stages_stopped.is_none() && !sent.failed(), "{sent:?}");
}

#[tokio::test]
async fn the_cli_sets_lists_and_stops_the_stages_sent() {
    let (ws, graph, crm) = (Workspace::new(), GraphSim::start(), CrmSim::start(CRM_TOKEN));
    let console = pushed_to_hubspot(&ws, &graph, &crm).await;
    drop(console);
    let set = ws.cli(&["capi", "stages", "--client", "Acme", "--crm", "hubspot", "--send", "customer,opportunity"]);
    assert!(set.status.success(), "{}", stderr(&set));
    assert!(stdout(&set).contains("lifecyclestage: customer, opportunity"), "{}", stdout(&set));
    let listed = ws.cli(&["capi", "stages", "--json"]);
    let rules: Value = serde_json::from_str(&stdout(&listed)).unwrap();
    assert_eq!(rules[0]["stages"], json!(["customer", "opportunity"]));
    assert_eq!(rules[0]["crm"], "hubspot");
    let pipedrive = ws.cli(&["capi", "stages", "--client", "Acme", "--crm", "hubspot", "--off"]);
    assert!(pipedrive.status.success(), "{}", stderr(&pipedrive));
    let half = ws.cli(&["capi", "stages", "--client", "Acme", "--send", "customer"]);
    assert!(!half.status.success() && stderr(&half).contains("a client, a CRM"), "{}", stderr(&half));
    assert!(stdout(&ws.cli(&["capi", "stages"])).contains("No CRM stages are sent"));
}

/// The Budget field of the CRM simulator's Pipedrive persons: options Low (11) and High (12).
const BUDGET: &str = "5f1c9a0d3b2e4f6a8c7d9e0f1a2b3c4d5e6f7a8b";
/// Its Interests field, of several options at once.
const INTERESTS: &str = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d";

#[tokio::test]
async fn a_pipedrive_stage_is_chosen_and_sent_as_the_option_the_crm_lists_though_its_persons_hold_its_id() {
    let (ws, graph, crm) = (Workspace::new(), GraphSim::start(), CrmSim::start(CRM_TOKEN));
    let console = pushed_to(&ws, &graph, &crm, Crm::Pipedrive).await;
    let set_budget = |address: &str, option: u64| {
        crm.edit(|held| {
            let person = held
                .pipedrive
                .values_mut()
                .find(|p| p["emails"][0]["value"].as_str().is_some_and(|e| e.eq_ignore_ascii_case(address)))
                .expect("the person was pushed");
            person.insert("custom_fields".into(), json!({ BUDGET: option }));
        });
    };

    // A stage is named as Pipedrive lists it, or by its option's id, and kept as a person holds it,
    // the id, which stays when the option is renamed. A field of several options is refused.
    let refused = console.capi_stages_set("Acme", "pipedrive", Some(BUDGET), &stages(&["Medium"])).await;
    let message = refused.unwrap_err().to_string();
    assert!(message.contains("'Medium'") && message.contains("Low, High"), "{message}");
    let several = console.capi_stages_set("Acme", "pipedrive", Some(INTERESTS), &stages(&["Shoes"])).await;
    assert!(several.unwrap_err().to_string().contains("several options"));
    let rule = console.capi_stages_set("Acme", "pipedrive", Some(BUDGET), &stages(&["12", "High"])).await.unwrap();
    assert_eq!(rule.stages, ["12"]);

    // Ann's person is at Low when watching starts; then Bob's moves to High, and Ann's too.
    set_budget("ann.lee@example.com", 11);
    let first = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!(first.clients[0].stage_events, 0, "{first:?}");
    set_budget("bob@example.net", 12);
    set_budget("ann.lee@example.com", 12);
    let sent = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!((sent.clients[0].stage_events, sent.clients[0].sent), (2, 2), "{sent:?}");
    let events: Vec<(String, String)> = graph
        .conversions()
        .iter()
        .map(|(_, e)| (e["event_name"].as_str().unwrap().to_owned(), e["custom_data"]["lead_event_source"].to_string()))
        .collect();
    assert_eq!(events, vec![("High".to_owned(), "\"Pipedrive\"".to_owned()); 2]);

    // Read again at the same options, nothing more is sent.
    let again = console.capi_send(None, &no_cancel()).await.unwrap();
    assert_eq!((again.clients[0].stage_events, again.clients[0].sent), (0, 0), "{again:?}");
}
