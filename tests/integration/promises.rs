//! The promises Custodian prints, each tried from another feature's side: an erasure after an
//! access request, a hold before an erasure or a client's removal, a correction of one name field
//! and the full name made from it, and `audit verify` while others write.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use custodian::console::{Code, Console, HoldForm, RequestForm};
use custodian::leads::Filter;
use custodian::personal_data::DataKind;
use custodian::requests::{IdKind, Identifier};
use custodian::requests::{Outcome, RequestKind};

use crate::support::{stderr, stdout, traces, Workspace};

const FIRST: &str = "Philippa";
const LAST: &str = "Quartermaine";
const EMAIL: &str = "pquartermaine@example.test";
const PHONE: &str = "+44 7700 900999";

fn email(value: &str) -> Identifier {
    Identifier { kind: IdKind::Email, value: value.into() }
}

/// An export with the person (first and last name only, as many forms ask) and one other lead,
/// written beside the data directory.
fn export(ws: &Workspace) -> PathBuf {
    let path = ws.path().with_extension("export.csv");
    let text = format!(
        "id,created_time,form_id,first_name,last_name,email,phone_number\n\
         l:5001,2026-11-02T10:00:00+00:00,f:9,{FIRST},{LAST},{EMAIL},p:{PHONE}\n\
         l:5002,2026-11-02T11:00:00+00:00,f:9,Barnaby,Quillfeather,bquill@example.test,p:+447700900111\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

async fn with_person(ws: &Workspace) -> (Console, PathBuf) {
    let console = ws.open().await;
    console.add_client("Acme", Some("GB")).await.unwrap();
    let file = export(ws);
    console.import_file(&file, "Acme", &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap();
    (console, file)
}

/// An erasure as Meta's deletion callback opens it: by an app-scoped user id, which no lead holds.
fn callback_erasure() -> RequestForm {
    RequestForm {
        kind: RequestKind::Erasure,
        identifiers: vec![Identifier { kind: IdKind::AppUserId, value: "10158812345".into() }],
        ..RequestForm::new(RequestKind::Erasure, vec![])
    }
}

fn erasure_of(value: &str) -> RequestForm {
    RequestForm {
        kind: RequestKind::Erasure,
        identifiers: vec![email(value)],
        ..RequestForm::new(RequestKind::Erasure, vec![])
    }
}

#[tokio::test]
async fn an_erasure_after_an_access_request_leaves_nothing_of_the_person_in_any_request() {
    let ws = Workspace::new();
    let (console, file) = with_person(&ws).await;
    let key = *ws.key().await.expose();
    console.close().await;
    // The access request comes in through the CLI, which also writes the log file.
    let access = ws.cli(&[
        "request",
        "new",
        "--kind",
        "access",
        "--phone",
        PHONE,
        "--notes",
        "Verified by passport ending 4411 at the Zennor office",
        "--json",
    ]);
    assert!(access.status.success(), "{}", stderr(&access));
    let access: serde_json::Value = serde_json::from_slice(&access.stdout).unwrap();
    let access_id = access["id"].as_i64().unwrap();
    let console = ws.open().await;
    console.extend_request(access_id, "Many requests from Mrs Quartermaine this month").await.unwrap();
    console.find_for_request(access_id, true).await.unwrap();
    let rectification = console
        .new_request(RequestForm {
            kind: RequestKind::Rectification,
            identifiers: vec![email(EMAIL)],
            verification_notes: Some("Asked by phone from Zennor".into()),
            ..RequestForm::new(RequestKind::Rectification, vec![])
        })
        .await
        .unwrap();
    console.close_request(rectification.id, Outcome::Denied, Some("Mrs Quartermaine gave no new value")).await.unwrap();

    let erasure = console.new_request(erasure_of(EMAIL)).await.unwrap();
    console.erase_request(erasure.id, true, false).await.unwrap();
    for id in [access_id, rectification.id, erasure.id] {
        let r = console.request(id).await.unwrap();
        assert!(r.identifiers.iter().all(|i| i.value.is_empty()), "request {id} keeps no identifier as given");
        assert!(r.verification_notes.is_empty() && r.extension_reason.is_none(), "request {id}: {r:?}");
        assert!(!r.outcome_reason.unwrap_or_default().contains(LAST), "request {id} keeps no reason naming them");
    }
    let kept = console.request(access_id).await.unwrap();
    assert!(kept.extended && kept.identifiers.len() >= 2, "dates, kinds and statuses stay: {kept:?}");
    console.close().await;

    let needles =
        [FIRST, LAST, EMAIL, "7700 900999", "447700900999", "passport ending 4411", "Zennor", "zennor", "quartermaine"];
    assert_eq!(traces(ws.path(), &key, &needles), Vec::<String>::new());
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn a_legal_hold_stops_an_erasure_which_the_request_notes_until_the_hold_is_lifted() {
    let ws = Workspace::new();
    let (console, file) = with_person(&ws).await;
    // An open access request protects the person from purges only, never from their own erasure.
    let access = RequestForm {
        kind: RequestKind::Access,
        identifiers: vec![email(EMAIL)],
        ..RequestForm::new(RequestKind::Access, vec![])
    };
    console.new_request(access).await.unwrap();
    let hold = console
        .add_hold(HoldForm { identifiers: vec![email(EMAIL)], reason: "pending lawsuit".into(), ..Default::default() })
        .await
        .unwrap();
    let erasure = console.new_request(erasure_of(EMAIL)).await.unwrap();
    let refused = console.erase_request(erasure.id, true, false).await.unwrap_err();
    assert_eq!(refused.code(), Code::Held);
    assert!(refused.to_string().contains(&format!("legal hold #{} (pending lawsuit)", hold.id)), "{refused}");
    assert!(refused.to_string().contains("17(3)(e)"), "{refused}");
    let noted = console.request(erasure.id).await.unwrap();
    assert!(!noted.status.is_closed());
    assert!(noted.verification_notes.contains("erasure withheld: legal hold"), "{}", noted.verification_notes);
    let trail = console.audit_list(1, None).await.unwrap().remove(0);
    assert_eq!((trail.action.as_str(), trail.outcome.as_str()), ("request.erase", "refused: held"));
    let search = Filter { search: Some(LAST.into()), ..Default::default() };
    assert_eq!(console.list_leads(&search, 10, 0).await.unwrap().len(), 1, "nothing was deleted");

    // A hold on the client whose records they are in stops it too.
    console.remove_hold(hold.id).await.unwrap();
    let client = HoldForm { client: Some("Acme".into()), reason: "regulator".into(), ..Default::default() };
    let client_hold = console.add_hold(client).await.unwrap();
    assert_eq!(console.erase_request(erasure.id, true, false).await.unwrap_err().code(), Code::Held);
    console.remove_hold(client_hold.id).await.unwrap();

    let done = console.erase_request(erasure.id, true, false).await.unwrap();
    assert_eq!(done.receipt.deleted.iter().map(|d| d.count).sum::<i64>(), 1);
    assert!(console.list_leads(&search, 10, 0).await.unwrap().is_empty());
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn a_client_on_a_legal_hold_or_holding_a_held_person_is_not_removed_and_keeps_its_holds() {
    let ws = Workspace::new();
    let (console, file) = with_person(&ws).await;
    let hold = console
        .add_hold(HoldForm { client: Some("Acme".into()), reason: "audit by the DPA".into(), ..Default::default() })
        .await
        .unwrap();
    let refused = console.remove_client("Acme", true, None).await.unwrap_err();
    assert_eq!(refused.code(), Code::Held);
    assert!(refused.to_string().contains("audit by the DPA"), "{refused}");
    assert_eq!(console.list_holds().await.unwrap().len(), 1, "the hold stays");
    assert_eq!(console.list_clients().await.unwrap().len(), 1);
    let cli = ws.cli(&["client", "remove", "Acme", "--yes", "--json"]);
    assert_eq!(cli.status.code(), Some(1));
    assert!(stderr(&cli).contains("\"code\":\"held\""), "{}", stderr(&cli));

    console.remove_hold(hold.id).await.unwrap();
    console
        .add_hold(HoldForm { identifiers: vec![email(EMAIL)], reason: "pending lawsuit".into(), ..Default::default() })
        .await
        .unwrap();
    let refused = console.remove_client("Acme", true, None).await.unwrap_err();
    assert_eq!(refused.code(), Code::Held, "the client holds a held person's lead");
    assert_eq!(console.leads_count(&Filter::default()).await.unwrap(), 2);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn correcting_a_first_name_rebuilds_the_full_name_and_keeps_no_trace_of_the_old_one() {
    let ws = Workspace::new();
    let (console, file) = with_person(&ws).await;
    let key = *ws.key().await.expose();
    let request = RequestForm {
        kind: RequestKind::Rectification,
        identifiers: vec![email(EMAIL)],
        ..RequestForm::new(RequestKind::Rectification, vec![])
    };
    let request = console.new_request(request).await.unwrap();
    console.rectify_request(request.id, "first_name", "Pippa").await.unwrap();
    let wal = ws.path().join("custodian.db-wal");
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0, "the WAL is emptied after a correction");

    let page = console.leads_page(&Filter::default(), &Default::default(), &Default::default()).await.unwrap();
    let names: Vec<&str> = page.rows.iter().map(|r| r.full_name.as_str()).collect();
    assert!(names.contains(&"Pippa Quartermaine"), "the review table shows the corrected name: {names:?}");
    let old = Filter { search: Some(FIRST.into()), ..Default::default() };
    assert!(console.list_leads(&old, 10, 0).await.unwrap().is_empty());

    // The old export again: the correction stays.
    let again = console.import_file(&file, "Acme", &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap();
    assert_eq!((again.imported, again.updated), (0, 0));
    let page = console.leads_page(&Filter::default(), &Default::default(), &Default::default()).await.unwrap();
    let names: Vec<&str> = page.rows.iter().map(|r| r.full_name.as_str()).collect();
    assert!(names.contains(&"Pippa Quartermaine") && !names.contains(&"Philippa Quartermaine"), "{names:?}");
    console.close().await;
    assert_eq!(traces(ws.path(), &key, &[FIRST, "philippa"]), Vec::<String>::new());
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn removing_a_client_empties_the_wal_at_once() {
    let ws = Workspace::new();
    let (console, file) = with_person(&ws).await;
    console.remove_client("Acme", true, None).await.unwrap();
    let wal = ws.path().join("custodian.db-wal");
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn a_deletion_callback_that_finds_nothing_stays_open_until_closed_as_nothing_held() {
    let ws = Workspace::new();
    let (console, file) = with_person(&ws).await;
    let request = console.new_request(callback_erasure()).await.unwrap();
    let open = console.erase_request(request.id, true, false).await.unwrap_err();
    assert_eq!(open.code(), Code::NothingFound);
    let says = open.to_string();
    assert!(says.contains("app-scoped user id") && says.contains("email, phone, Meta lead id"), "{says}");
    assert!(!console.request(request.id).await.unwrap().status.is_closed());
    let cli = ws.cli(&["request", "erase", &request.id.to_string(), "--yes"]);
    assert_eq!(cli.status.code(), Some(1), "{}", stdout(&cli));

    let closed = ws.cli(&["request", "erase", &request.id.to_string(), "--yes", "--nothing-held"]);
    assert!(stdout(&closed).contains("as nothing held"), "{}{}", stdout(&closed), stderr(&closed));
    let r = console.request(request.id).await.unwrap();
    assert!(r.status.is_closed() && r.outcome_reason.unwrap().starts_with("nothing held; receipt ER-"));
    assert_eq!(console.leads_count(&Filter::default()).await.unwrap(), 2, "nobody else was touched");
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn audit_verify_stays_intact_while_imports_and_client_additions_write() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let file = ws.path().with_extension("big.csv");
    custodian::bench::leadgen::write(&file, 20_000, None).unwrap();
    let writers = {
        let (file, path) = (file.clone(), ws.path().to_owned());
        std::thread::spawn(move || {
            let run = |args: &[&str]| {
                crate::support::custodian_binary()
                    .arg("--data-dir")
                    .arg(&path)
                    .args(args)
                    .env(custodian::clock::CLOCK_VARIABLE, "2026-11-23T09:00:00Z")
                    .output()
                    .unwrap()
            };
            let import = std::thread::scope(|s| {
                let import = s.spawn(|| run(&["import", file.to_str().unwrap(), "--client", "Acme"]));
                for i in 0..25 {
                    assert!(run(&["client", "add", &format!("Client {i}")]).status.success());
                }
                import.join().unwrap()
            });
            assert!(import.status.success(), "{}", stderr(&import));
        })
    };
    let mut runs = 0;
    while !writers.is_finished() {
        let v = console.audit_verify().await.unwrap();
        assert!(v.intact, "run {runs}: {:?}", v.broken);
        runs += 1;
    }
    writers.join().unwrap();
    assert!(runs > 5, "verify ran while the others wrote ({runs} runs)");
    assert!(console.audit_verify().await.unwrap().intact);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_racing_the_removal_of_a_whole_search_part_never_fails() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Keeper", None).await.unwrap();
    let file = ws.path().with_extension("part.tsv");
    custodian::bench::leadgen::write(&file, 1, None).unwrap();
    console.import_file(&file, "Keeper", &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap();
    // A lead at the last id of the first part: every later lead is in the second part, which goes
    // whole with the client that holds them.
    let mut conn = console.store().pool().acquire().await.unwrap();
    for sql in [
        "CREATE TEMP TABLE copy AS SELECT * FROM leads WHERE id = 1",
        "UPDATE temp.copy SET id = 65535, lead_key = 'l:placeholder', meta_id = NULL",
        "INSERT INTO leads SELECT * FROM temp.copy",
        "DROP TABLE temp.copy",
    ] {
        sqlx::query(sql).execute(&mut *conn).await.unwrap();
    }
    drop(conn);
    custodian::bench::leadgen::write(&file, 500, None).unwrap();
    let console = Arc::new(console);
    for round in 0..12 {
        let name = format!("Passing {round}");
        console.add_client(&name, None).await.unwrap();
        console.import_file(&file, &name, &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap();
        let done = Arc::new(AtomicBool::new(false));
        let searcher = {
            let (console, done) = (Arc::clone(&console), Arc::clone(&done));
            tokio::spawn(async move {
                let filter = Filter { search: Some("example".into()), ..Default::default() };
                let mut searches = 0;
                while !done.load(std::sync::atomic::Ordering::Relaxed) || searches == 0 {
                    console.leads_count(&filter).await.expect("a search never fails while a part goes");
                    searches += 1;
                }
                searches
            })
        };
        console.remove_client(&name, true, None).await.unwrap();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(searcher.await.unwrap() > 0);
    }
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn losing_the_identity_key_is_refused_while_any_keyed_hash_is_held_so_erased_people_stay_suppressed() {
    let ws = Workspace::new();
    let console = ws.open().await;
    // Nobody is in the identity index, but an erased person's hashes are on the suppression list.
    let request = console.new_request(erasure_of(EMAIL)).await.unwrap();
    console.erase_request(request.id, true, true).await.unwrap();
    assert_eq!(console.suppressions().await.unwrap().len(), 1);
    console.close().await;
    custodian::vault::Vault::new(&ws.id()).delete("identity", "key").await.unwrap();
    let refused = Console::open(ws.path(), ws.clock.clone()).await.err().expect("refused");
    assert_eq!(refused.code(), Code::KeyMissing);
    assert!(refused.to_string().contains("erased people"), "{refused}");
}

#[tokio::test]
async fn a_second_process_importing_into_the_same_workspace_is_told_who_holds_it() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let file = ws.path().with_extension("big.tsv");
    custodian::bench::leadgen::write(&file, 60_000, None).unwrap();
    let first = {
        let console = Arc::new(console);
        let (c, f) = (Arc::clone(&console), file.clone());
        let running =
            tokio::spawn(
                async move { c.import_file(&f, "Acme", &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap() },
            );
        // Wait until the first import is on record, then try a second from another process.
        while console.imports().await.unwrap().is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let second = ws.cli(&["import", file.to_str().unwrap(), "--client", "Acme", "--json"]);
        assert_eq!(second.status.code(), Some(1));
        let e: serde_json::Value = serde_json::from_slice(&second.stderr).unwrap();
        assert_eq!(e["code"], "conflict");
        assert!(e["message"].as_str().unwrap().contains("importing into client Acme"), "{e}");
        running.await.unwrap()
    };
    assert_eq!(first.imported, 60_000, "the first import was not disturbed");
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn the_audit_trail_names_files_by_their_hash_and_keeps_reasons_short() {
    let ws = Workspace::new();
    let (console, file) = with_person(&ws).await;
    let named = ws.path().with_extension("quartermaine-leads.csv");
    std::fs::copy(&file, &named).unwrap();
    console.import_file(&named, "Acme", &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap();
    let out = ws.path().with_extension("quartermaine-export.csv");
    console.export_leads(&Filter::default(), &out, false).await.unwrap();
    let trail = serde_json::to_string(&console.audit_list(100, None).await.unwrap()).unwrap();
    assert!(!trail.to_lowercase().contains("quartermaine"), "no file name in the trail");
    assert!(trail.contains("file sha256:"), "{trail}");

    let long = "x".repeat(501);
    let e = console.set_retention(DataKind::Leads, 30, None, &long).await.unwrap_err();
    assert!(e.to_string().contains("at most 500 characters"), "{e}");
    let hold = HoldForm { client: Some("Acme".into()), reason: long, ..Default::default() };
    assert_eq!(console.add_hold(hold).await.unwrap_err().code(), Code::InvalidInput);
    for f in [file, named, out] {
        std::fs::remove_file(f).unwrap();
    }
}

#[tokio::test]
async fn an_export_never_silently_replaces_a_file_and_a_crash_leaves_no_partial_file_for_long() {
    let ws = Workspace::new();
    let (console, file) = with_person(&ws).await;
    let out = ws.path().with_extension("taken.csv");
    std::fs::write(&out, "someone else's file").unwrap();
    let refused = console.export_leads(&Filter::default(), &out, false).await.unwrap_err();
    assert_eq!(refused.code(), Code::FileExists);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "someone else's file");
    let cli = ws.cli(&["leads", "export", "--out", out.to_str().unwrap(), "--json"]);
    assert!(stderr(&cli).contains("\"code\":\"file_exists\""), "{}", stderr(&cli));
    let forced = ws.cli(&["leads", "export", "--out", out.to_str().unwrap(), "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(std::fs::read_to_string(&out).unwrap().contains(EMAIL));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // An export killed mid-way leaves its partial file; the next open removes it.
    let partial = custodian::export_file::partial_of(&ws.path().with_extension("killed.csv"));
    custodian::export_file::remember(&mut console.store().pool().acquire().await.unwrap(), &partial).await.unwrap();
    std::fs::write(&partial, EMAIL).unwrap();
    console.close().await;
    ws.open().await.close().await;
    assert!(!partial.exists(), "the partial file of a killed export is gone");
    for f in [file, out] {
        std::fs::remove_file(f).unwrap();
    }
}

#[tokio::test]
async fn an_erasure_that_found_nothing_finds_the_person_once_an_identifier_they_gave_is_added() {
    let ws = Workspace::new();
    let (console, file) = with_person(&ws).await;
    let request = console.new_request(callback_erasure()).await.unwrap();
    assert_eq!(console.erase_request(request.id, true, false).await.unwrap_err().code(), Code::NothingFound);
    let added = ws.cli(&["request", "add-identifiers", &request.id.to_string(), "--email", EMAIL]);
    assert!(added.status.success(), "{}", stderr(&added));
    let done = console.erase_request(request.id, true, false).await.unwrap();
    assert_eq!(done.receipt.deleted.iter().map(|d| d.count).sum::<i64>(), 1);
    assert!(!done.receipt.nothing_held);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn a_client_whose_hold_has_ended_is_removed_and_the_trail_says_the_hold_went_with_it() {
    let ws = Workspace::new();
    let (console, file) = with_person(&ws).await;
    let until = crate::support::TEST_NOW.date_naive().to_string();
    let hold =
        HoldForm { client: Some("Acme".into()), reason: "inquiry".into(), until: Some(until), ..Default::default() };
    console.add_hold(hold).await.unwrap();
    assert_eq!(
        console.remove_client("Acme", true, None).await.unwrap_err().code(),
        Code::Held,
        "in force on its last day"
    );
    ws.clock.advance(chrono::Duration::days(1));
    console.remove_client("Acme", true, None).await.unwrap();
    let entry = console.audit_list(1, None).await.unwrap().remove(0);
    assert!(entry.object.ends_with("and 1 ended legal holds"), "{}", entry.object);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn a_phone_given_in_another_form_than_it_is_stored_still_holds_and_is_cleared_by_an_erasure() {
    let ws = Workspace::new();
    let (console, file) = with_person(&ws).await; // Acme is in GB; the lead holds +44 7700 900999.
    let national = Identifier { kind: IdKind::Phone, value: "07700 900999".into() };
    // No client named: the national number is placed with every client's country.
    let hold = HoldForm { identifiers: vec![national.clone()], reason: "dispute".into(), ..Default::default() };
    let hold = console.add_hold(hold).await.unwrap();
    let erasure = console.new_request(erasure_of(EMAIL)).await.unwrap();
    assert_eq!(console.erase_request(erasure.id, true, false).await.unwrap_err().code(), Code::Held);
    console.remove_hold(hold.id).await.unwrap();

    let access = RequestForm {
        kind: RequestKind::Access,
        identifiers: vec![national],
        verification_notes: Some("Called from Zennor".into()),
        ..RequestForm::new(RequestKind::Access, vec![])
    };
    let access = console.new_request(access).await.unwrap();
    console.erase_request(erasure.id, true, false).await.unwrap();
    let cleared = console.request(access.id).await.unwrap();
    assert!(cleared.identifiers.iter().all(|i| i.value.is_empty()), "{cleared:?}");
    assert!(cleared.verification_notes.is_empty());
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn an_erasure_request_is_completed_only_by_erasing_and_a_correction_waits_for_a_hold() {
    let ws = Workspace::new();
    let (console, file) = with_person(&ws).await;
    let erasure = console.new_request(erasure_of(EMAIL)).await.unwrap();
    let e = console.close_request(erasure.id, Outcome::Completed, None).await.unwrap_err();
    assert!(e.to_string().contains("completed by erasing"), "{e}");
    assert!(!console.request(erasure.id).await.unwrap().status.is_closed());
    console.close_request(erasure.id, Outcome::Denied, Some("identity not verified")).await.unwrap();

    console
        .add_hold(HoldForm { identifiers: vec![email(EMAIL)], reason: "pending lawsuit".into(), ..Default::default() })
        .await
        .unwrap();
    let request = RequestForm {
        kind: RequestKind::Rectification,
        identifiers: vec![email(EMAIL)],
        ..RequestForm::new(RequestKind::Rectification, vec![])
    };
    let request = console.new_request(request).await.unwrap();
    let held = console.rectify_request(request.id, "first_name", "Pippa").await.unwrap_err();
    assert_eq!(held.code(), Code::Held);
    let search = Filter { search: Some(FIRST.into()), ..Default::default() };
    assert_eq!(console.list_leads(&search, 10, 0).await.unwrap().len(), 1, "nothing was corrected");
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn correcting_an_email_away_leaves_it_in_no_column_and_a_purge_keeps_a_held_person_s_closed_requests() {
    let ws = Workspace::new();
    let (console, file) = with_person(&ws).await;
    let request = RequestForm {
        kind: RequestKind::Rectification,
        identifiers: vec![email(EMAIL)],
        ..RequestForm::new(RequestKind::Rectification, vec![])
    };
    let request = console.new_request(request).await.unwrap();
    console.rectify_request(request.id, "email", "").await.unwrap();
    let page = console.leads_page(&Filter::default(), &Default::default(), &Default::default()).await.unwrap();
    assert!(page.rows.iter().all(|r| r.email != EMAIL), "the review table no longer shows the old email");
    console.close_request(request.id, Outcome::Completed, None).await.unwrap();

    // Two years on, the closed request would be purged; a hold on its person keeps it.
    console
        .add_hold(HoldForm {
            identifiers: vec![Identifier { kind: IdKind::Phone, value: PHONE.into() }, email(EMAIL)],
            reason: "audit".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let later = console.purge_preview(crate::support::at("2029-01-01T00:00:00Z")).await.unwrap();
    assert!(!later.purged.iter().any(|p| p.kind == DataKind::RequestRecords), "{later:?}");
    std::fs::remove_file(file).unwrap();
}

#[test]
fn a_workspace_being_created_by_one_process_is_not_created_again_by_another() {
    let ws = Workspace::new();
    let dir = ws.path().join("new-workspace");
    std::fs::create_dir_all(&dir).unwrap();
    // Another process holds the data directory, as while it creates the workspace.
    let held = custodian::console::lock::take(&dir, "creating the workspace").unwrap();
    let out = crate::support::custodian_binary()
        .arg("--data-dir")
        .arg(&dir)
        .args(["client", "add", "Acme", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let e: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(e["code"], "conflict");
    assert!(e["message"].as_str().unwrap().contains("creating the workspace"), "{e}");
    assert!(!dir.join("workspace.json").exists(), "no second key, no second workspace file");
    drop(held);
    let out = crate::support::custodian_binary()
        .arg("--data-dir")
        .arg(&dir)
        .args(["client", "add", "Acme"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn the_app_empties_its_wal_when_the_desktop_session_asks_it_to_stop() {
    let ws = Workspace::new();
    let wal = ws.path().join("custodian.db-wal");
    // The desktop app itself (no command), in the test session's display.
    let mut app =
        ws.command(&[]).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
    // At start-up it opens the workspace and records its scheduled purge, which leaves pages in the WAL.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) == 0 {
        assert!(std::time::Instant::now() < deadline, "the app never wrote to its workspace");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    // SAFETY: a signal to the child this test started.
    unsafe { libc::kill(app.id() as i32, libc::SIGTERM) };
    let status = app.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0, "nothing is left in the WAL");
}
