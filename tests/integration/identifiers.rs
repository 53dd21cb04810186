//! A person is found by every identifier a lead holds: any email or phone column, whatever it is
//! called, an email in any column, a national phone placed by the client's country (or kept by its
//! digits until one is set), and Meta's lead id under `id` or `lead_id`. Workspaces indexed by
//! older rules are indexed again once.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use custodian::console::{Code, Console, RequestForm};
use custodian::requests::RequestKind;
use custodian::requests::{IdKind, Identifier};

use crate::support::{stderr, Workspace};

const EXPORT: &str = "lead_id,created_time,form_id,EMAIL,work_email,phone_number,work_phone_number,anything_else\n\
    l:7001,2026-11-02T10:00:00Z,f:9,Dora.Winter@Example.test,dora@winter-works.test,07911 123456,+49 30 1234567,reach me at dw@private.test\n\
    l:7002,2026-11-02T11:00:00Z,f:9,other@example.test,,,,\n";

async fn imported(ws: &Workspace, client: &str, country: Option<&str>) -> Console {
    let console = ws.open().await;
    console.add_client(client, country).await.unwrap();
    let path = ws.path().with_extension("ids.csv");
    std::fs::write(&path, EXPORT).unwrap();
    let summary = console.import_file(&path, client, &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap();
    std::fs::remove_file(path).unwrap();
    assert_eq!(summary.imported, 2);
    if country.is_none() {
        assert_eq!(summary.unplaced_phones, 1, "the national number, for want of a country");
        assert!(summary.notes.iter().any(|n| n.contains("Set the client's country")), "{:?}", summary.notes);
    }
    console
}

async fn found(console: &Console, kind: IdKind, value: &str) -> Vec<String> {
    let lookup = console.find_leads(kind, value, None).await.unwrap();
    lookup.leads.into_iter().filter_map(|l| l.meta_id).collect()
}

#[tokio::test]
async fn every_email_and_phone_column_and_the_lead_id_column_find_the_person() {
    let ws = Workspace::new();
    let console = imported(&ws, "Acme", None).await;
    for (kind, value) in [
        (IdKind::Email, "dora.winter@example.test"),
        (IdKind::Email, "DORA@WINTER-WORKS.TEST"),
        (IdKind::Phone, "+49 30 1234567"),
        (IdKind::Phone, "07911 123456"),
        (IdKind::LeadId, "7001"),
    ] {
        assert_eq!(found(&console, kind, value).await, ["7001"], "{value}");
    }
    // An email in a free-text answer is not an identifier column's value: only whole values count.
    assert!(found(&console, IdKind::Email, "dw@private.test").await.is_empty());

    // A request by the work email finds the lead and offers its other identifiers.
    let request = console
        .new_request(RequestForm {
            kind: RequestKind::Access,
            identifiers: vec![Identifier { kind: IdKind::Email, value: "dora@winter-works.test".into() }],
            ..RequestForm::new(RequestKind::Access, vec![])
        })
        .await
        .unwrap();
    let discovery = console.find_for_request(request.id, false).await.unwrap();
    assert_eq!(discovery.records(), 1);
    let offered: Vec<IdKind> = discovery.offered.iter().map(|i| i.kind).collect();
    for kind in [IdKind::Email, IdKind::PhoneDigits, IdKind::Phone, IdKind::LeadId] {
        assert!(offered.contains(&kind), "{kind:?} in {offered:?}");
    }

    // The national number is found in international form too (by its national digits), and once
    // the client's country is set it is placed and indexed in E.164.
    assert_eq!(found(&console, IdKind::Phone, "+44 7911 123456").await, ["7001"]);
    console.set_client_country("Acme", Some("GB")).await.unwrap();
    assert_eq!(found(&console, IdKind::Phone, "+44 7911 123456").await, ["7001"]);
    let mut conn = console.store().pool().acquire().await.unwrap();
    let kinds: Vec<i64> =
        sqlx::query_scalar("SELECT kind FROM identities ORDER BY kind").fetch_all(&mut *conn).await.unwrap();
    assert!(kinds.contains(&2) && !kinds.contains(&8), "placed in E.164, no longer kept by digits: {kinds:?}");
}

#[tokio::test]
async fn a_lead_id_column_is_meta_s_lead_id_so_the_same_lead_under_id_is_not_a_second_lead() {
    let ws = Workspace::new();
    let console = imported(&ws, "Acme", Some("GB")).await;
    let path = ws.path().with_extension("again.csv");
    std::fs::write(&path, EXPORT.replacen("lead_id,", "id,", 1)).unwrap();
    let again = console.import_file(&path, "Acme", &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap();
    std::fs::remove_file(path).unwrap();
    assert_eq!((again.imported, again.duplicates), (0, 2), "{again:?}");
}

#[tokio::test]
async fn a_workspace_indexed_by_older_rules_is_indexed_again_once_and_erasures_wait_for_it() {
    let ws = Workspace::new();
    let console = imported(&ws, "Acme", Some("GB")).await;
    console.close().await;
    // What the older rules left: only the column named exactly `email` was indexed (here none).
    let store = ws.raw_store().await;
    for sql in [
        "DELETE FROM identities WHERE kind IN (1, 8)",
        "UPDATE leads SET email_hash = NULL, email2_hash = NULL",
        "UPDATE identity_rules SET version = 1",
    ] {
        sqlx::query(sql).execute(store.pool()).await.unwrap();
    }
    store.close().await;

    let console = ws.open().await;
    assert!(console.reindex_pending().await.unwrap());
    let erasure = console
        .new_request(RequestForm {
            kind: RequestKind::Erasure,
            identifiers: vec![Identifier { kind: IdKind::Email, value: "dora@winter-works.test".into() }],
            ..RequestForm::new(RequestKind::Erasure, vec![])
        })
        .await
        .unwrap();
    let waits = console.erase_request(erasure.id, true, false).await.unwrap_err();
    assert_eq!(waits.code(), Code::Conflict);
    assert!(waits.to_string().contains("indexed again"), "{waits}");
    let removal = console.remove_client("Acme", true, None).await.unwrap_err();
    assert_eq!(removal.code(), Code::Conflict, "a hold on an identifier not yet indexed must not be missed");
    console.close().await;

    let cli = ws.cli(&["leads", "find", "--email", "dora@winter-works.test", "--json"]);
    assert!(stderr(&cli).contains("Indexing the leads again"), "{}", stderr(&cli));
    let leads: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(leads.as_array().unwrap().len(), 1);
    let again = ws.cli(&["client", "list"]);
    assert!(!stderr(&again).contains("Indexing"), "once only");

    let console = ws.open().await;
    assert!(!console.reindex_pending().await.unwrap());
    let done = console.erase_request(erasure.id, true, false).await.unwrap();
    assert_eq!(done.receipt.deleted.iter().map(|d| d.count).sum::<i64>(), 1);
}
