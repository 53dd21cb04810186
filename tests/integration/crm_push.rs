//! Pushing leads to the CRM simulators through the Console, and what requests then do to the CRM
//! records: pushing twice makes nothing twice, a lost answer makes nothing twice, one lead refused
//! fails alone with the CRM's words, nobody restricted or erased is sent, an access request reads
//! the CRM record live, a correction reaches the CRM, and an erasure deletes there and leaves no
//! trace here.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use custodian::console::{Console, PushReport, RequestForm};
use custodian::crm::client::Pacing;
use custodian::crm::Crm;
use custodian::personal_data::DataKind;
use custodian::requests::{IdKind, Identifier, RequestKind};
use custodian::vault::Sensitive;

use crate::crm_sim::{CrmSim, Fault};
use crate::fixtures;
use crate::support::Workspace;

const TOKEN: &str = "pat-na1-0123456789abcdef0123456789abcdef";
const FORM: &str = "150501";

fn quick() -> Pacing {
    Pacing {
        transient_retries: 2,
        first_backoff: Duration::from_millis(2),
        longest_wait: Duration::from_secs(3),
        timeout: Duration::from_secs(2),
    }
}

/// The fixture leads (three people and Meta's test lead) with `email` changed per lead id.
fn leads(ws: &Workspace, emails: &[(&str, &str)]) -> std::path::PathBuf {
    let mut rows = fixtures::rows();
    for row in &mut rows {
        if let Some((_, email)) = emails.iter().find(|(id, _)| *id == row[0]) {
            row[14] = (*email).to_owned();
        }
    }
    let text = fixtures::text(fixtures::HEADER, &rows, ',', "\r\n");
    fixtures::write(ws.path(), "leads.csv", text.as_bytes())
}

/// A workspace whose client Acme holds the fixture leads and has `crm` connected and mapped.
async fn mapped(ws: &Workspace, sim: &CrmSim, crm: Crm, emails: &[(&str, &str)]) -> Console {
    let console = holding_leads(ws, emails).await;
    console.connect_crm(crm, "Acme", Sensitive::new(TOKEN.into()), Some(&sim.url)).await.unwrap();
    map(&console, crm).await;
    console
}

/// A workspace whose client Acme holds the fixture leads.
pub(crate) async fn holding_leads(ws: &Workspace, emails: &[(&str, &str)]) -> Console {
    let console = ws.open().await;
    console.set_crm_pacing(quick());
    console.add_client("Acme", Some("GB")).await.unwrap();
    let cancel = Arc::new(AtomicBool::new(false));
    let file = leads(ws, emails);
    console.import_file(&file, "Acme", &|_| {}, cancel).await.unwrap();
    std::fs::remove_file(file).unwrap();
    console
}

/// Maps the fixture form to Acme's `crm` connection.
pub(crate) async fn map(console: &Console, crm: Crm) {
    let fields = match crm {
        Crm::HubSpot => {
            r#"{"to": "email", "from": "email"},
            {"to": "firstname", "from": "full_name", "transform": "first_name"},
            {"to": "lastname", "from": "full_name", "transform": "last_name"},
            {"to": "phone", "from": "phone_number"}"#
        }
        Crm::Salesforce => {
            r#"{"to": "Email", "from": "email"},
            {"to": "FirstName", "from": "full_name", "transform": "first_name"},
            {"to": "LastName", "from": "full_name", "transform": "last_name"},
            {"to": "Company", "constant": "Acme Shoes"}"#
        }
        Crm::Pipedrive => {
            r#"{"to": "name", "from": "full_name"},
            {"to": "email", "from": "email", "transform": "email"}"#
        }
    };
    let mapping = format!(r#"{{"crm": "{}", "form": "{FORM}", "fields": [{fields}]}}"#, crm.as_str());
    console.crm_map_set("Acme", FORM, crm.as_str(), &mapping).await.unwrap();
}

pub(crate) async fn push(console: &Console) -> PushReport {
    console.crm_push(Some("Acme"), None, &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap()
}

pub(crate) fn counts(report: &PushReport) -> [i64; 6] {
    let c = &report.pushes[0].counts;
    [c.created, c.updated, c.unchanged, c.withheld, c.not_mapped, c.failed]
}

fn email(address: &str) -> Vec<Identifier> {
    vec![Identifier { kind: IdKind::Email, value: address.into() }]
}

#[tokio::test]
async fn pushing_twice_makes_each_contact_once_in_one_batch_and_sends_nothing_unchanged() {
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let console = mapped(&ws, &sim, Crm::HubSpot, &[]).await;
    let forms = console.crm_forms("Acme").await.unwrap();
    assert_eq!(
        forms.iter().map(|f| (f.form_id.as_str(), f.form_name.as_str(), f.leads)).collect::<Vec<_>>(),
        [(FORM, "Test drive form", 4)]
    );
    let before = sim.calls().len();
    let first = push(&console).await;
    assert_eq!(counts(&first), [4, 0, 0, 0, 0, 0], "{first:?}");
    let batches = |sim: &CrmSim| sim.calls().iter().filter(|c| c.1.ends_with("/batch/upsert")).count();
    assert_eq!(batches(&sim), 1, "four leads, one batch");
    assert_eq!(sim.calls().len() - before, 1, "a push asks for nothing but its batches: {:?}", &sim.calls()[before..]);
    let mut held: Vec<String> =
        sim.held(|h| h.hubspot.values().map(|c| c["email"].as_str().unwrap().to_owned()).collect());
    held.sort();
    assert_eq!(held, ["ann.lee@example.com", "bob@example.net", "test@fb.com", "zoe@example.org"]);

    let again = push(&console).await;
    assert_eq!(counts(&again), [0, 0, 4, 0, 0, 0], "{again:?}");
    assert_eq!(batches(&sim), 1, "nothing unchanged is sent again");
    assert_eq!(sim.held(|h| h.hubspot.len()), 4);

    // The log says what was sent where.
    let log = console.crm_log(Some("Acme"), Some(Crm::HubSpot), None, 100).await.unwrap();
    assert_eq!(log.pushes.len(), 2);
    assert_eq!(log.results.iter().filter(|r| r.status == "created").count(), 4);
    assert!(console.crm_log(None, None, Some("failed"), 100).await.unwrap().results.is_empty());
    let audit = serde_json::to_string(&console.audit_list(100, None).await.unwrap()).unwrap();
    assert!(audit.contains("crm.push") && audit.contains("4 created"), "{audit}");
}

#[tokio::test]
async fn a_lead_the_crm_refuses_fails_alone_with_the_crms_words_and_the_rest_are_sent() {
    for crm in [Crm::HubSpot, Crm::Salesforce] {
        let sim = CrmSim::start(TOKEN);
        let ws = Workspace::new();
        let console = mapped(&ws, &sim, crm, &[("l:1002", "zoe-at-example.org")]).await;
        let report = push(&console).await;
        assert_eq!(counts(&report), [3, 0, 0, 0, 0, 1], "{crm:?} {report:?}");
        let failure = &report.pushes[0].failures[0];
        assert_eq!(failure.meta_id.as_deref(), Some("1002"));
        let words = if crm == Crm::HubSpot { "not a valid email address" } else { "INVALID_EMAIL_ADDRESS" };
        assert!(failure.message.contains(words), "{crm:?}: {}", failure.message);
        let log = console.crm_log(Some("Acme"), None, Some("failed"), 100).await.unwrap();
        assert_eq!(log.results.len(), 1);
        assert!(log.results[0].message.as_deref().unwrap().contains(words));
        // The failed lead is tried again by the next push; the others are not sent again.
        let again = push(&console).await;
        assert_eq!(counts(&again), [0, 0, 3, 0, 0, 1], "{crm:?} {again:?}");
    }
}

#[tokio::test]
async fn an_answer_lost_after_the_crm_acted_makes_nothing_twice() {
    for crm in [Crm::Salesforce, Crm::Pipedrive] {
        let sim = CrmSim::start(TOKEN);
        let ws = Workspace::new();
        let console = mapped(&ws, &sim, crm, &[]).await;
        // The CRM makes the first record it is sent, but answers after the client stopped waiting:
        // Salesforce's query by email, then its create (Pipedrive's search, then its create).
        sim.fault_at(sim.calls().len() + 2, Fault::Slow(2_500));
        let lost = push(&console).await;
        assert!(lost.pushes[0].stopped.is_some(), "{crm:?} {lost:?}");
        // Let the simulator finish what it was asked.
        std::thread::sleep(Duration::from_millis(2_700));
        let report = push(&console).await;
        assert!(report.pushes[0].stopped.is_none(), "{crm:?} {report:?}");
        let records = |sim: &CrmSim| match crm {
            Crm::Salesforce => sim.held(|h| h.salesforce.len()),
            _ => sim.held(|h| h.pipedrive.len()),
        };
        assert_eq!(records(&sim), 4, "{crm:?}: every lead once");
        let all = counts(&lost).iter().zip(counts(&report)).map(|(a, b)| a + b).collect::<Vec<_>>();
        assert_eq!(all[0] + all[1], 4, "{crm:?}: {lost:?} {report:?}");
    }
}

#[tokio::test]
async fn limits_are_waited_out_and_a_refused_token_stops_the_push_and_marks_the_connection() {
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let console = mapped(&ws, &sim, Crm::HubSpot, &[]).await;
    // The batch meets the limit, then a server failure.
    let n = sim.calls().len();
    sim.fault_at(n + 1, Fault::TooMany(1));
    sim.fault_at(n + 2, Fault::Unavailable);
    let report = push(&console).await;
    assert_eq!(counts(&report), [4, 0, 0, 0, 0, 0], "{report:?}");

    // HubSpot's "already exists" for a batch: each lead is sent alone and none is made twice.
    let ws = Workspace::new();
    let sim = CrmSim::start(TOKEN);
    let console = mapped(&ws, &sim, Crm::HubSpot, &[]).await;
    sim.fault_at(sim.calls().len() + 1, Fault::Conflict);
    let report = push(&console).await;
    assert_eq!(counts(&report), [4, 0, 0, 0, 0, 0], "{report:?}");
    assert_eq!(sim.held(|h| h.hubspot.len()), 4);

    let ws = Workspace::new();
    let sim = CrmSim::start(TOKEN);
    let console = mapped(&ws, &sim, Crm::HubSpot, &[]).await;
    sim.fault_at(sim.calls().len() + 1, Fault::Expired);
    let report = push(&console).await;
    let stopped = report.pushes[0].stopped.clone().unwrap();
    assert!(stopped.contains("no longer accepts the connection's token") && !stopped.contains(TOKEN), "{stopped}");
    assert!(report.failed());
    let connection = console.crm_connection("hubspot", Some("Acme")).await.unwrap();
    assert!(connection.invalid_reason.is_some(), "the connection says to connect again");
    assert_eq!(sim.held(|h| h.hubspot.len()), 0);
}

#[tokio::test]
async fn nobody_who_restricted_processing_or_was_erased_is_pushed() {
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let console = mapped(&ws, &sim, Crm::Pipedrive, &[]).await;
    let request = console.new_request(RequestForm::new(RequestKind::Restriction, email("ann.lee@example.com"))).await;
    let request = request.unwrap();
    console.find_for_request(request.id, false).await.unwrap();
    console.restrict_request(request.id).await.unwrap();
    let report = push(&console).await;
    assert_eq!(counts(&report), [3, 0, 0, 1, 0, 0], "{report:?}");
    let names: Vec<String> =
        sim.held(|h| h.pipedrive.values().map(|p| p["name"].as_str().unwrap().to_owned()).collect());
    assert!(!names.contains(&"Ann Lee".to_owned()), "{names:?}");
    assert!(sim.calls().iter().all(|c| !c.1.contains("ann")), "not even searched for");
}

#[tokio::test]
async fn an_access_request_reads_the_persons_crm_record_live_and_a_correction_reaches_the_crm() {
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let console = mapped(&ws, &sim, Crm::HubSpot, &[]).await;
    push(&console).await;
    let request = console.new_request(RequestForm::new(RequestKind::Access, email("bob@example.net"))).await.unwrap();
    let found = console.find_for_request(request.id, false).await.unwrap();
    let crm = found.groups.iter().find(|g| g.kind == DataKind::CrmRecords).expect("the CRM record is found");
    assert_eq!(crm.records.len(), 1);
    let record = &crm.records[0];
    assert!(record.fetched_at.is_some(), "read live: {record:?}");
    assert!(record.fields.contains(&("firstname".into(), "Bob".into())), "{:?}", record.fields);
    // Not among HubSpot's default properties: read because the mapping writes it.
    assert!(record.fields.contains(&("phone".into(), "+15551234567".into())), "{:?}", record.fields);

    let request =
        console.new_request(RequestForm::new(RequestKind::Rectification, email("bob@example.net"))).await.unwrap();
    console.find_for_request(request.id, false).await.unwrap();
    let fixed = console.rectify_request(request.id, "full_name", "Robert Stone").await.unwrap();
    assert!(fixed.changed.iter().any(|h| h.kind == DataKind::CrmRecords && h.count == 1), "{:?}", fixed.changed);
    let step = fixed.remote.iter().find(|s| s.kind == "crm_records").expect("a step corrects the CRM record");
    assert_eq!((step.status.as_str(), step.answer.as_deref()), ("done", Some("corrected in HubSpot")));
    let bob = sim.held(|h| h.hubspot.values().find(|c| c["email"] == "bob@example.net").cloned().unwrap());
    assert_eq!(bob["firstname"], "Robert", "corrected at once, not at the next push");
    assert_eq!(sim.held(|h| h.hubspot.len()), 4, "the same contact, updated");
    let report = push(&console).await;
    assert_eq!(counts(&report), [0, 0, 4, 0, 0, 0], "the push after has nothing left to send: {report:?}");

    // A correction that empties an answer empties the CRM's field too.
    let fixed = console.rectify_request(request.id, "phone_number", "").await.unwrap();
    assert_eq!(fixed.remote.last().unwrap().status, "done", "{:?}", fixed.remote);
    let bob = sim.held(|h| h.hubspot.values().find(|c| c["email"] == "bob@example.net").cloned().unwrap());
    assert_eq!(bob["phone"], "", "the old phone number is gone from the CRM: {bob:?}");
}

#[tokio::test]
async fn a_correction_the_crm_could_not_take_is_retried_and_an_erasure_after_it_leaves_no_trace_of_the_record() {
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let console = mapped(&ws, &sim, Crm::Salesforce, &[]).await;
    push(&console).await;
    let zoe: String = sim.held(|h| {
        h.salesforce.iter().find(|(_, l)| l["Email"] == "zoe@example.org").map(|(id, _)| id.clone()).unwrap()
    });
    let request =
        console.new_request(RequestForm::new(RequestKind::Rectification, email("zoe@example.org"))).await.unwrap();
    console.find_for_request(request.id, false).await.unwrap();
    for _ in 0..3 {
        sim.fault(Fault::Unavailable);
    }
    let fixed = console.rectify_request(request.id, "full_name", "Zoe Quinn").await.unwrap();
    assert_eq!(fixed.remote[0].status, "failed", "the correction here stands: {:?}", fixed.remote);
    assert_ne!(sim.held(|h| h.salesforce[&zoe]["LastName"].clone()), "Quinn");
    let retried = console.retry_remote(request.id).await.unwrap();
    assert_eq!(retried[0].answer.as_deref(), Some("corrected in Salesforce"), "{retried:?}");
    assert_eq!(sim.held(|h| h.salesforce[&zoe]["LastName"].clone()), "Quinn");

    // Corrected again while Salesforce is out of reach, then erased: the correction has nothing
    // left to send and keeps nothing of the record.
    for _ in 0..3 {
        sim.fault(Fault::Unavailable);
    }
    let again = console.rectify_request(request.id, "full_name", "Zoe Quinn-Hart").await.unwrap();
    assert_eq!(again.remote.last().unwrap().status, "failed");
    let erasure = console.new_request(RequestForm::new(RequestKind::Erasure, email("zoe@example.org"))).await.unwrap();
    console.erase_request(erasure.id, true, false).await.unwrap();
    let steps = console.remote_steps(request.id).await.unwrap();
    assert!(steps.last().unwrap().answer.as_deref().unwrap().contains("erased since"), "{steps:?}");
    assert!(!sim.held(|h| h.salesforce.contains_key(&zoe)), "deleted in the CRM");
    let key = *ws.key().await.expose();
    console.close().await;
    assert_eq!(crate::support::traces(ws.path(), &key, &[&zoe, "zoe@example.org", "Quinn"]), Vec::<String>::new());
}

#[tokio::test]
async fn erasing_a_person_deletes_their_crm_record_there_and_leaves_no_trace_of_it_here() {
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let console = mapped(&ws, &sim, Crm::Salesforce, &[]).await;
    push(&console).await;
    let zoe: String = sim.held(|h| {
        h.salesforce.iter().find(|(_, l)| l["Email"] == "zoe@example.org").map(|(id, _)| id.clone()).unwrap()
    });
    let request = console.new_request(RequestForm::new(RequestKind::Erasure, email("zoe@example.org"))).await.unwrap();
    let preview = console.erase_preview(request.id).await.unwrap();
    assert!(preview.deletes.iter().any(|h| h.kind == DataKind::CrmRecords && h.count == 1), "{:?}", preview.deletes);
    // Salesforce fails the first time: the local erasure stands, and a retry deletes it there.
    sim.fault(Fault::Unavailable);
    sim.fault(Fault::Unavailable);
    let erased = console.erase_request(request.id, true, false).await.unwrap();
    let step = erased.remote.iter().find(|s| s.kind == "crm_records").unwrap();
    assert_eq!(step.status, "failed", "{:?}", erased.remote);
    assert!(!format!("{:?}", erased.remote).contains(&zoe), "a step never names what it deletes");
    assert!(sim.held(|h| h.salesforce.contains_key(&zoe)));
    let retried = console.retry_remote(request.id).await.unwrap();
    let step = retried.iter().find(|s| s.kind == "crm_records").unwrap();
    assert_eq!((step.status.as_str(), step.answer.as_deref()), ("done", Some("deleted in Salesforce")));
    assert!(!sim.held(|h| h.salesforce.contains_key(&zoe)), "deleted in the CRM");

    // Pushing again sends nobody erased, and the others are unchanged.
    let report = push(&console).await;
    assert_eq!(counts(&report), [0, 0, 3, 0, 0, 0], "{report:?}");
    let key = *ws.key().await.expose();
    console.close().await;
    assert_eq!(crate::support::traces(ws.path(), &key, &[&zoe, "zoe@example.org"]), Vec::<String>::new());
}

#[test]
fn the_cli_pushes_exits_non_zero_when_a_lead_fails_and_the_log_lists_the_failure() {
    use crate::support::{stderr, stdout};
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let console = mapped(&ws, &sim, Crm::Salesforce, &[("l:1003", "bob-at-example.net")]).await;
        console.close().await;
    });
    let pushed = ws.cli(&["crm", "push", "--client", "Acme"]);
    assert_eq!(pushed.status.code(), Some(1), "{}", stderr(&pushed));
    assert!(stdout(&pushed).contains("3 created"), "{}", stdout(&pushed));
    assert!(stderr(&pushed).contains("failed: lead 1003") && stderr(&pushed).contains("INVALID_EMAIL_ADDRESS"));
    let log = ws.cli(&["crm", "log", "--status", "failed", "--json"]);
    let log: serde_json::Value = serde_json::from_str(&stdout(&log)).unwrap();
    assert_eq!(log["results"].as_array().unwrap().len(), 1);
    assert_eq!(log["pushes"][0]["counts"]["failed"], 1);
    let again = ws.cli(&["crm", "push", "--crm", "salesforce", "--client", "Acme", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&again)).unwrap();
    assert_eq!(report["pushes"][0]["counts"]["unchanged"], 3);
    let wrong = ws.cli(&["crm", "log", "--status", "lost"]);
    assert_eq!(wrong.status.code(), Some(1));
}

#[tokio::test]
async fn a_person_erased_while_their_lead_is_on_its_way_to_the_crm_is_deleted_there_again() {
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let console = mapped(&ws, &sim, Crm::HubSpot, &[]).await;
    // The batch is in flight for a second and a half; the erasure commits meanwhile.
    sim.fault_at(sim.calls().len() + 1, Fault::Slow(1_500));
    let request = console.new_request(RequestForm::new(RequestKind::Erasure, email("zoe@example.org"))).await.unwrap();
    let erase = async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        console.erase_request(request.id, true, false).await.unwrap()
    };
    let (report, erased) = tokio::join!(push(&console), erase);
    assert_eq!(erased.receipt.deleted.iter().find(|h| h.label == "leads").map(|h| h.count), Some(1));
    assert_eq!(report.pushes[0].counts.created, 4, "{report:?}");
    let emails: Vec<String> =
        sim.held(|h| h.hubspot.values().map(|c| c["email"].as_str().unwrap().to_owned()).collect());
    assert!(!emails.contains(&"zoe@example.org".to_owned()), "{emails:?}");
    assert_eq!(emails.len(), 3);
    assert!(sim.calls().iter().any(|c| c.1.ends_with("/gdpr-delete")));
}

#[tokio::test]
async fn two_leads_of_one_person_in_a_batch_make_one_record_in_each_crm() {
    for crm in [Crm::HubSpot, Crm::Salesforce, Crm::Pipedrive] {
        let sim = CrmSim::start(TOKEN);
        let ws = Workspace::new();
        let console = mapped(&ws, &sim, crm, &[("l:1003", "zoe@example.org")]).await;
        let report = push(&console).await;
        assert_eq!(counts(&report), [3, 1, 0, 0, 0, 0], "{crm:?} {report:?}");
        let held = sim.held(|h| match crm {
            Crm::HubSpot => h.hubspot.len(),
            Crm::Salesforce => h.salesforce.len(),
            Crm::Pipedrive => h.pipedrive.len(),
        });
        assert_eq!(held, 3, "{crm:?}");
    }
}

#[test]
fn a_connection_set_to_push_automatically_gets_the_leads_an_import_brings() {
    use crate::support::{stderr, stdout};
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let console = mapped(&ws, &sim, Crm::HubSpot, &[]).await;
        console.close().await;
    });
    let on = ws.cli(&["crm", "auto-push", "hubspot", "--client", "Acme", "--on"]);
    assert!(stdout(&on).contains("new leads are pushed after each import and sync"), "{}", stderr(&on));
    let mut rows = fixtures::rows();
    rows.truncate(1);
    rows[0][0] = "l:1005".into();
    rows[0][14] = "new.person@example.com".into();
    let dir = tempfile_dir();
    let file = fixtures::write(&dir, "more.csv", fixtures::text(fixtures::HEADER, &rows, ',', "\r\n").as_bytes());
    let imported = ws.cli(&["import", file.to_str().unwrap(), "--client", "Acme"]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    // The import's new lead, and the four imported before that were not sent yet.
    assert!(stderr(&imported).contains("Pushed to HubSpot automatically: 5 created"), "{}", stderr(&imported));
    assert_eq!(sim.held(|h| h.hubspot.len()), 5);
    // Importing the same file again brings nothing new: nothing is pushed.
    let again = ws.cli(&["import", file.to_str().unwrap(), "--client", "Acme"]);
    assert!(!stderr(&again).contains("Pushed to"), "{}", stderr(&again));
    let off = ws.cli(&["crm", "auto-push", "hubspot", "--client", "Acme", "--off"]);
    assert!(!stdout(&off).contains("new leads are pushed"), "{}", stdout(&off));
    std::fs::remove_dir_all(dir).unwrap();
}

/// A directory outside the workspace for files a test imports.
fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("custodian-crm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn erasing_a_person_named_only_by_their_crm_record_id_erases_their_lead_too_and_nothing_comes_back() {
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let console = mapped(&ws, &sim, Crm::HubSpot, &[]).await;
    push(&console).await;
    let bob = sim.held(|h| h.hubspot.iter().find(|(_, c)| c["email"] == "bob@example.net").map(|(id, _)| id.clone()));
    let bob = bob.unwrap();
    let person = vec![Identifier { kind: IdKind::CrmRecord, value: bob.clone() }];
    let request = console.new_request(RequestForm::new(RequestKind::Erasure, person)).await.unwrap();
    let preview = console.erase_preview(request.id).await.unwrap();
    let deletes: Vec<(DataKind, i64)> = preview.deletes.iter().map(|h| (h.kind, h.count)).collect();
    assert!(deletes.contains(&(DataKind::Leads, 1)) && deletes.contains(&(DataKind::CrmRecords, 1)), "{deletes:?}");
    let erased = console.erase_request(request.id, true, false).await.unwrap();
    assert!(erased.remote.iter().any(|s| s.kind == "crm_records" && s.status == "done"), "{:?}", erased.remote);
    assert!(!sim.held(|h| h.hubspot.contains_key(&bob)));
    // The lead went with the record: the next push sends nobody new, and Bob is not made again.
    let report = push(&console).await;
    assert_eq!(counts(&report), [0, 0, 3, 0, 0, 0], "{report:?}");
    assert_eq!(sim.held(|h| h.hubspot.len()), 3);
}

#[tokio::test]
async fn removing_a_client_asks_what_becomes_of_its_crm_records_and_goes_only_once_all_are_deleted_there() {
    use custodian::clients::holdings::Elsewhere;
    use custodian::console::Code;
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let console = mapped(&ws, &sim, Crm::Pipedrive, &[]).await;
    push(&console).await;
    assert_eq!(sim.held(|h| h.pipedrive.len()), 4);
    let holdings = console.client_holdings("Acme").await.unwrap();
    assert_eq!(holdings.elsewhere.iter().map(|h| h.count).sum::<i64>(), 4, "{holdings:?}");

    for confirmed in [false, true] {
        let asked = console.remove_client("Acme", confirmed, None).await.unwrap_err();
        assert_eq!(asked.code(), Code::ConfirmationRequired, "{asked}");
        assert!(asked.to_string().contains("4 records") || asked.to_string().contains("4 of its records"), "{asked}");
    }
    // The CRM stops taking the token after the first deletion: the client stays, whole, and the
    // record deleted is not asked for again.
    sim.fault_at(sim.calls().len() + 2, Fault::Expired);
    let refused = console.remove_client("Acme", true, Some(Elsewhere::Delete)).await.unwrap_err();
    assert_eq!(refused.code(), Code::RemoteUnavailable, "{refused}");
    assert!(refused.to_string().contains("3 records") && refused.to_string().contains("1 were"), "{refused}");
    assert_eq!(sim.held(|h| h.pipedrive.len()), 3);
    assert_eq!(
        console.client_holdings("Acme").await.unwrap().held.iter().find(|h| h.kind == DataKind::Leads).unwrap().count,
        4
    );

    let deletes_before = sim.calls().iter().filter(|c| c.0 == "DELETE").count();
    let removal = console.remove_client("Acme", true, Some(Elsewhere::Delete)).await.unwrap();
    assert_eq!(removal.deleted_elsewhere, 3);
    assert_eq!(sim.calls().iter().filter(|c| c.0 == "DELETE").count() - deletes_before, 3, "nothing deleted twice");
    assert_eq!(sim.held(|h| h.pipedrive.len()), 0, "every record is gone from the CRM");
    let audit = serde_json::to_string(&console.audit_list(5, None).await.unwrap()).unwrap();
    assert!(
        audit.contains("client.delete_elsewhere") && audit.contains("3 records deleted in its CRMs first"),
        "{audit}"
    );
    console.close().await;
}

#[tokio::test]
async fn a_client_removed_leaving_its_crm_records_leaves_them_and_a_held_client_deletes_nothing_there() {
    use custodian::clients::holdings::Elsewhere;
    use custodian::console::{Code, HoldForm};
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let console = mapped(&ws, &sim, Crm::HubSpot, &[]).await;
    push(&console).await;
    let hold = HoldForm { client: Some("Acme".into()), reason: "inquiry".into(), ..Default::default() };
    console.add_hold(hold).await.unwrap();
    let held = console.remove_client("Acme", true, Some(Elsewhere::Delete)).await.unwrap_err();
    assert_eq!(held.code(), Code::Held, "{held}");
    assert_eq!(sim.held(|h| h.hubspot.len()), 4, "a hold keeps the client's records in its CRMs too");
    assert!(sim.calls().iter().all(|c| !c.1.contains("gdpr-delete")));
    let id = console.list_holds().await.unwrap()[0].id;
    console.remove_hold(id).await.unwrap();
    let removal = console.remove_client("Acme", true, Some(Elsewhere::Leave)).await.unwrap();
    assert_eq!(removal.deleted_elsewhere, 0);
    assert_eq!(sim.held(|h| h.hubspot.len()), 4, "left in the CRM, as asked");
    let audit = serde_json::to_string(&console.audit_list(1, None).await.unwrap()).unwrap();
    assert!(audit.contains("4 records left in its CRMs"), "{audit}");
    console.close().await;
}

#[tokio::test]
async fn a_correction_for_a_person_who_restricted_processing_is_not_sent_to_the_crm() {
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let console = mapped(&ws, &sim, Crm::HubSpot, &[]).await;
    push(&console).await;
    let restriction = console.new_request(RequestForm::new(RequestKind::Restriction, email("bob@example.net"))).await;
    let restriction = restriction.unwrap();
    console.find_for_request(restriction.id, false).await.unwrap();
    console.restrict_request(restriction.id).await.unwrap();
    let request =
        console.new_request(RequestForm::new(RequestKind::Rectification, email("bob@example.net"))).await.unwrap();
    console.find_for_request(request.id, false).await.unwrap();
    let calls = sim.calls().len();
    let fixed = console.rectify_request(request.id, "full_name", "Robert Stone").await.unwrap();
    assert!(fixed.changed.iter().any(|h| h.kind == DataKind::CrmRecords), "marked here: {:?}", fixed.changed);
    assert!(fixed.remote.is_empty(), "nothing is sent about them: {:?}", fixed.remote);
    assert_eq!(sim.calls().len(), calls);
    let bob = sim.held(|h| h.hubspot.values().find(|c| c["email"] == "bob@example.net").cloned().unwrap());
    assert_eq!(bob["firstname"], "Bob");
    console.close().await;
}

#[tokio::test]
async fn a_client_removed_with_its_hubspot_records_deleted_leaves_their_emails_free_in_the_clients_crm() {
    use custodian::clients::holdings::Elsewhere;
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    let console = mapped(&ws, &sim, Crm::HubSpot, &[]).await;
    push(&console).await;
    let removal = console.remove_client("Acme", true, Some(Elsewhere::Delete)).await.unwrap();
    assert_eq!(removal.deleted_elsewhere, 4);
    assert_eq!(sim.held(|h| h.hubspot.len()), 0);
    assert!(sim.held(|h| h.hubspot_blocked.is_empty()), "an ordinary delete, not an erasure's GDPR delete");
    assert!(sim.calls().iter().all(|c| !c.1.contains("gdpr-delete")));
    console.close().await;
}

#[tokio::test]
async fn a_person_restricted_while_the_batch_before_theirs_is_at_the_crm_is_not_sent() {
    let sim = CrmSim::start(TOKEN);
    let ws = Workspace::new();
    // 150 people, each with an email of their own: the last fifty go in a second batch of the
    // same chunk, read before the restriction is.
    let template = fixtures::rows().remove(0);
    let rows: Vec<Vec<String>> = (0..150)
        .map(|n| {
            let mut row = template.clone();
            row[0] = format!("l:{}", 5000 + n);
            row[13] = format!("Person {n}");
            row[14] = format!("p{n}@example.org");
            row[15] = String::new();
            row
        })
        .collect();
    let file = fixtures::write(ws.path(), "many.csv", fixtures::text(fixtures::HEADER, &rows, ',', "\r\n").as_bytes());
    let console = ws.open().await;
    console.set_crm_pacing(quick());
    console.add_client("Acme", Some("GB")).await.unwrap();
    console.import_file(&file, "Acme", &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap();
    console.connect_crm(Crm::HubSpot, "Acme", Sensitive::new(TOKEN.into()), Some(&sim.url)).await.unwrap();
    map(&console, Crm::HubSpot).await;
    let request = console.new_request(RequestForm::new(RequestKind::Restriction, email("p149@example.org"))).await;
    let request = request.unwrap();
    console.find_for_request(request.id, false).await.unwrap();
    // The first batch is at the CRM for a second and a half; the restriction commits meanwhile.
    sim.fault_at(sim.calls().len() + 1, Fault::Slow(1_500));
    let restrict = async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        console.restrict_request(request.id).await.unwrap();
    };
    let (report, ()) = tokio::join!(push(&console), restrict);
    assert_eq!(counts(&report), [149, 0, 0, 1, 0, 0], "{report:?}");
    let emails: Vec<String> =
        sim.held(|h| h.hubspot.values().map(|c| c["email"].as_str().unwrap().to_owned()).collect());
    assert_eq!(emails.len(), 149);
    assert!(!emails.contains(&"p149@example.org".to_owned()), "{emails:?}");
}
