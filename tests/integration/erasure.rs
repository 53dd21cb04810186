//! Erasure: every record about a person goes in one transaction, nothing of them stays readable
//! anywhere in the data directory (database pages decrypted one by one, free pages and the WAL
//! included), their identifiers are suppressed, and a receipt without personal data comes back.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use custodian::bench::leadgen;
use custodian::console::{Code, Console, RequestForm};
use custodian::leads::{Filter, ImportSummary};
use custodian::requests::RequestKind;
use custodian::requests::{IdKind, Identifier, RequestStatus};

use crate::support::{decrypted_pages, stdout, traces, Workspace};

/// Others in the file besides the person erased.
const OTHERS: u64 = 3_000;

/// What the person wrote, each value found nowhere else.
const NAME: &str = "Philippa Quartermaine";
const EMAIL: &str = "pquartermaine@example.test";
const PHONE: &str = "+44 7700 900999";
const ANSWER: &str = "Xylophone repairs in Zennor";

/// The export file, written beside the data directory (not in it, where the scan would find it).
fn export_file(ws: &Workspace) -> PathBuf {
    let dir = ws.path().with_extension("files");
    std::fs::create_dir_all(&dir).unwrap();
    let header = leadgen::header();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut rows: Vec<Vec<String>> = (0..OTHERS).map(leadgen::row).collect();
    let mut person = leadgen::row(OTHERS);
    person[at("full_name")] = NAME.into();
    person[at("email")] = EMAIL.into();
    person[at("phone_number")] = format!("p:{PHONE}");
    person[at("anything_else_we_should_know?")] = ANSWER.into();
    rows.insert(OTHERS as usize / 2, person);
    let mut text = header.join("\t");
    for row in &rows {
        text.push('\n');
        text.push_str(&row.join("\t"));
    }
    let path = dir.join("export.tsv");
    std::fs::write(&path, text).unwrap();
    path
}

/// A workspace with these clients, the export imported into the first (then removed from disk),
/// and an erasure request for the person by their email.
async fn with_erasure_request(ws: &Workspace, clients: &[&str]) -> (Console, custodian::requests::Request) {
    let console = ws.open().await;
    for (i, client) in clients.iter().enumerate() {
        console.add_client(client, (i == 0).then_some("GB")).await.unwrap();
    }
    let file = export_file(ws);
    console.import_file(&file, clients[0], &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap();
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    let person = vec![Identifier { kind: IdKind::Email, value: EMAIL.into() }];
    let request = console.new_request(RequestForm::new(RequestKind::Erasure, person)).await.unwrap();
    (console, request)
}

async fn import(console: &Console, path: &Path) -> ImportSummary {
    console.import_file(path, "Acme", &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap()
}

#[tokio::test]
async fn erasing_a_subject_removes_every_trace_from_disk_and_keeps_everyone_else() {
    let ws = Workspace::new();
    let console = ws.open().await;
    let key = *ws.key().await.expose();
    console.add_client("Acme", Some("GB")).await.unwrap();
    let file = export_file(&ws);
    assert_eq!(import(&console, &file).await.imported, OTHERS + 1);
    let request = console
        .new_request(RequestForm {
            kind: RequestKind::Erasure,
            identifiers: vec![Identifier { kind: IdKind::Email, value: EMAIL.to_uppercase() }],
            client: Some("Acme".into()),
            ..RequestForm::new(RequestKind::Erasure, vec![])
        })
        .await
        .unwrap();
    console.close().await;

    // The scanner sees the person before, so it would see any trace after.
    // The lower-case words are how the search index keeps them.
    let person = [
        NAME,
        EMAIL,
        "7700 900999",
        ANSWER,
        "Quartermaine",
        "Zennor",
        "quartermaine",
        "pquartermaine",
        "zennor",
        "xylophone",
    ];
    let others = [leadgen::email(7), leadgen::email(OTHERS - 1)];
    let before = traces(ws.path(), &key, &person);
    for value in [NAME, EMAIL, ANSWER, "pquartermaine", "zennor"] {
        assert!(before.iter().any(|t| t.starts_with(value) && t.contains("database page")), "{value}: {before:?}");
    }
    assert!(decrypted_pages(&ws.db(), &key)[0][..2] == [0x40, 0x00], "page 1 decrypts: its page size is 16 KiB");

    let console = ws.open().await;
    let preview = console.erase_request(request.id, false, false).await.unwrap_err();
    assert_eq!(preview.code(), Code::ConfirmationRequired);
    assert!(preview.to_string().contains("deletes 1 leads"), "{preview}");
    let erased = console.erase_request(request.id, true, false).await.unwrap();
    let receipt = &erased.receipt;
    assert!(erased.wal_emptied);
    assert_eq!(receipt.deleted.iter().map(|d| (d.kind.as_str(), d.count)).collect::<Vec<_>>(), [("leads", 1)]);
    // Email, phone, Meta lead id, and the phone's digits as Meta wrote it and as its country writes
    // it nationally, which find the same number stored where it could not be placed.
    assert_eq!(receipt.suppressed, 5, "email, phone in three forms and Meta lead id");
    let head = console.audit_list(1, None).await.unwrap().remove(0);
    assert_eq!((receipt.audit_seq, receipt.audit_hash.as_str()), (head.seq, head.hash.as_str()));
    let receipt_text = serde_json::to_string(receipt).unwrap();
    assert!(person.iter().all(|p| !receipt_text.contains(p)), "no personal data in the receipt");
    let closed = console.request(request.id).await.unwrap();
    assert_eq!(closed.status, RequestStatus::Completed);
    assert!(closed.identifiers.iter().all(|i| i.value.is_empty()), "the request forgets the identifiers as given");
    assert_eq!(console.list_leads(&Filter::default(), 10, 0).await.unwrap().len(), 10);
    let search = Filter { search: Some("Quartermaine".into()), ..Default::default() };
    assert!(console.list_leads(&search, 10, 0).await.unwrap().is_empty());
    console.close().await;

    assert_eq!(traces(ws.path(), &key, &person), Vec::<String>::new());
    let still = traces(ws.path(), &key, &others.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(still.len(), 2, "everyone else is still there: {still:?}");
    let store = ws.raw_store().await;
    assert!(store.check().await.unwrap().is_empty());
    store.close().await;

    // The same file again: the erased person is skipped and counted, nobody else changes.
    let console = ws.open().await;
    let again = import(&console, &file).await;
    assert_eq!((again.imported, again.suppressed, again.duplicates), (0, 1, OTHERS));
    let lookup = console.find_leads(custodian::identity::IdKind::Phone, PHONE, None).await.unwrap();
    assert!(lookup.leads.is_empty());
    console.close().await;
    assert!(traces(ws.path(), &key, &person).is_empty(), "a skipped row leaves nothing either");
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}

#[tokio::test]
async fn a_second_erasure_says_it_was_done_and_other_requests_do_not_erase() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", Some("GB")).await.unwrap();
    let file = export_file(&ws);
    import(&console, &file).await;
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    let ask = |kind: RequestKind| RequestForm::new(kind, vec![Identifier { kind: IdKind::Email, value: EMAIL.into() }]);
    let access = console.new_request(ask(RequestKind::Access)).await.unwrap();
    let e = console.erase_request(access.id, true, false).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidInput);
    assert!(e.to_string().contains("only an erasure request erases"), "{e}");

    let first = console.new_request(ask(RequestKind::Erasure)).await.unwrap();
    let receipt = console.erase_request(first.id, true, false).await.unwrap().receipt;
    let again = console.erase_request(first.id, true, false).await.unwrap_err();
    assert_eq!(again.code(), Code::Conflict);
    assert!(again.to_string().contains(&receipt.code), "{again}");

    // A new request for the same person finds nothing left: it stays open until a person closes
    // it as nothing held, and its receipt says so.
    let second = console.new_request(ask(RequestKind::Erasure)).await.unwrap();
    let open = console.erase_request(second.id, true, false).await.unwrap_err();
    assert_eq!(open.code(), Code::NothingFound);
    assert!(open.to_string().contains("email") && open.to_string().contains("Meta lead id"), "{open}");
    assert!(!console.request(second.id).await.unwrap().status.is_closed(), "it does not close by itself");
    let nothing = console.erase_request(second.id, true, true).await.unwrap().receipt;
    assert!(nothing.deleted.is_empty() && nothing.nothing_held);
    assert_eq!(
        console.request(second.id).await.unwrap().outcome_reason,
        Some(format!("nothing held; receipt {}", nothing.code))
    );
    assert_eq!(nothing.suppressed, 0, "already suppressed");
    assert_eq!(console.suppressions().await.unwrap().len(), 5);
    assert_eq!(console.erase_request(999, true, false).await.unwrap_err().code(), Code::NotFound);
}

#[test]
fn the_cli_erases_with_yes_and_prints_the_receipt() {
    let ws = Workspace::new();
    assert!(ws.cli(&["client", "add", "Acme", "--country", "GB"]).status.success());
    let file = export_file(&ws);
    assert!(ws.cli(&["import", file.to_str().unwrap(), "--client", "Acme"]).status.success());
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    let new = ws.cli(&["request", "new", "--kind", "erasure", "--phone", "07700 900999", "--client", "Acme", "--json"]);
    let id = serde_json::from_slice::<serde_json::Value>(&new.stdout).unwrap()["id"].as_i64().unwrap().to_string();
    let unconfirmed = ws.cli(&["request", "erase", &id]);
    assert_eq!(unconfirmed.status.code(), Some(1));
    let erase = ws.cli(&["request", "erase", &id, "--yes"]);
    let out = stdout(&erase);
    assert!(erase.status.success() && out.contains("Receipt ER-") && out.contains("deleted     1 leads"), "{out}");
    let list = stdout(&ws.cli(&["suppression", "list", "--json"]));
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    // Email, Meta lead id, and the phone in three forms: E.164, its digits as written and as its
    // country writes it nationally (which find a stored number that could not be placed).
    assert_eq!(list.as_array().unwrap().len(), 5);
    // Whole numbers, which hex hashes cannot spell by chance as they can "7700".
    let text = list.to_string();
    assert!(["07700 900999", "07700900999", "447700900999"].iter().all(|p| !text.contains(p)), "hashes only");
}

#[tokio::test]
async fn rectifying_a_field_keeps_no_trace_of_the_old_value_and_a_reimport_does_not_bring_it_back() {
    let ws = Workspace::new();
    let console = ws.open().await;
    let key = *ws.key().await.expose();
    console.add_client("Acme", Some("GB")).await.unwrap();
    let file = export_file(&ws);
    import(&console, &file).await;
    let request = console
        .new_request(RequestForm {
            kind: RequestKind::Rectification,
            identifiers: vec![Identifier { kind: IdKind::Phone, value: PHONE.into() }],
            ..RequestForm::new(RequestKind::Rectification, vec![])
        })
        .await
        .unwrap();
    let field = "anything_else_we_should_know?";
    let fixed = console.rectify_request(request.id, field, "Harp lessons in Penzance").await.unwrap();
    assert_eq!(fixed.changed.iter().map(|c| (c.kind.as_str(), c.count)).collect::<Vec<_>>(), [("leads", 1)]);
    assert_eq!(fixed.request.status, RequestStatus::InProgress);
    let new_email = console.rectify_request(request.id, "email", "p.q@new.example").await.unwrap();
    assert_eq!(new_email.changed[0].count, 1);

    let by_new = console.find_leads(custodian::identity::IdKind::Email, "P.Q@new.example", None).await.unwrap();
    assert_eq!(by_new.leads.len(), 1, "the identity index follows the corrected email");
    let lead = &by_new.leads[0];
    assert!(lead.answers.contains(&(field.to_owned(), "Harp lessons in Penzance".to_owned())));
    let by_old = console.find_leads(custodian::identity::IdKind::Email, EMAIL, None).await.unwrap();
    assert!(by_old.leads.is_empty());
    let search = |q: &str| Filter { search: Some(q.into()), ..Default::default() };
    assert_eq!(console.list_leads(&search("Penzance"), 10, 0).await.unwrap().len(), 1);
    assert!(console.list_leads(&search("Zennor"), 10, 0).await.unwrap().is_empty());

    // Refused corrections change nothing.
    let e = console.rectify_request(request.id, "email", "not an email").await.unwrap_err();
    assert!(e.to_string().contains("not a usable email"), "{e}");
    let e = console.rectify_request(request.id, "shoe_size", "42").await.unwrap_err();
    assert!(e.to_string().contains("has a field 'shoe_size'") && e.to_string().contains("full_name"), "{e}");
    let still = console.find_leads(custodian::identity::IdKind::Email, "p.q@new.example", None).await.unwrap();
    assert_eq!(still.leads.len(), 1);

    // The old export again: the lead is as imported before, so the correction stands.
    let again = import(&console, &file).await;
    assert_eq!((again.imported, again.updated), (0, 0));
    assert_eq!(console.list_leads(&search("Penzance"), 10, 0).await.unwrap().len(), 1);
    console.close().await;
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    assert_eq!(traces(ws.path(), &key, &["Zennor", EMAIL]), Vec::<String>::new());
}

#[tokio::test]
async fn the_erase_preview_says_what_the_erasure_then_deletes_and_itself_deletes_nothing() {
    let ws = Workspace::new();
    let (console, request) = with_erasure_request(&ws, &["Acme"]).await;
    let audit_before = console.audit_list(1, None).await.unwrap()[0].seq;

    let preview = console.erase_preview(request.id).await.unwrap();
    let counts: Vec<_> = preview.deletes.iter().map(|h| (h.kind, h.count)).collect();
    assert_eq!(counts, [(custodian::personal_data::DataKind::Leads, 1)]);
    assert!(preview.suppresses >= 2, "the email and the phone at least: {preview:?}");
    assert_eq!(console.leads_count(&Filter::default()).await.unwrap(), OTHERS as i64 + 1, "a preview deletes nothing");
    assert_eq!(console.audit_list(1, None).await.unwrap()[0].seq, audit_before, "a preview changes nothing on record");
    let e = console.erase_request(request.id, false, false).await.unwrap_err();
    assert_eq!(e.code(), Code::ConfirmationRequired);
    assert!(!e.to_string().contains("--"), "the Console's message names no flag: {e}");

    let erased = console.erase_request(request.id, true, false).await.unwrap();
    assert_eq!(erased.receipt.deleted, preview.deletes, "the erasure deletes what the preview said");
    assert_eq!(erased.receipt.suppressed, preview.suppresses);
    let again = console.erase_preview(request.id).await.unwrap_err();
    assert_eq!(again.code(), Code::Conflict, "an erased request previews no second erasure");
}

#[tokio::test]
async fn the_dashboard_counts_what_every_holder_holds_per_client_and_follows_erasure_and_removal() {
    let ws = Workspace::new();
    let (console, request) = with_erasure_request(&ws, &["Acme", "Beta"]).await;
    let held = |o: &custodian::console::Overview| -> Vec<(String, Option<String>, i64)> {
        o.held.iter().map(|h| (h.kind.as_str().to_owned(), h.client.clone(), h.count)).collect()
    };
    let overview = console.overview().await.unwrap();
    let rows = held(&overview);
    assert!(rows.contains(&("leads".into(), Some("Acme".into()), OTHERS as i64 + 1)), "{rows:?}");
    assert!(rows.contains(&("imports".into(), Some("Acme".into()), 1)), "{rows:?}");
    assert!(!rows.iter().any(|(_, c, _)| c.as_deref() == Some("Beta")), "Beta holds nothing: {rows:?}");
    assert!(rows.iter().any(|(k, c, n)| k == "audit_entries" && c.is_none() && *n > 0), "{rows:?}");

    console.erase_request(request.id, true, false).await.unwrap();
    let rows = held(&console.overview().await.unwrap());
    assert!(rows.contains(&("leads".into(), Some("Acme".into()), OTHERS as i64)), "{rows:?}");
    assert!(rows.contains(&("request_records".into(), None, 1)), "the closed erasure is a request record: {rows:?}");

    console.remove_client("Acme", true, None).await.unwrap();
    let rows = held(&console.overview().await.unwrap());
    assert!(!rows.iter().any(|(_, c, _)| c.is_some()), "nothing of a removed client is counted: {rows:?}");
}
