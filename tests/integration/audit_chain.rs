use std::sync::Arc;

use custodian::console::Console;

use crate::support::{stderr, Workspace};

/// A workspace whose trail holds four entries: three adds and a rename.
async fn trail() -> (Workspace, Console) {
    let ws = Workspace::new();
    let console = ws.open().await;
    for name in ["Acme", "Globex", "Initech"] {
        console.add_client(name, None).await.unwrap();
    }
    console.rename_client("Globex", "Globex Corporation").await.unwrap();
    (ws, console)
}

async fn tamper(ws: &Workspace, sql: &str) {
    let store = ws.raw_store().await;
    sqlx::raw_sql(sql).execute(store.pool()).await.unwrap();
    store.close().await;
}

#[tokio::test]
async fn an_untouched_trail_verifies_and_names_its_head() {
    let (_ws, console) = trail().await;
    let v = console.audit_verify().await.unwrap();
    assert!(v.intact, "{v:?}");
    assert_eq!(v.entries, 4);
    let newest = console.audit_list(1, None).await.unwrap();
    assert_eq!(v.head, newest[0].hash);
}

#[tokio::test]
async fn a_changed_entry_is_detected() {
    let (ws, console) = trail().await;
    tamper(&ws, "UPDATE audit_entries SET actor = 'mallory' WHERE seq = 2").await;
    let v = console.audit_verify().await.unwrap();
    assert!(!v.intact);
    let broken = v.broken.unwrap();
    assert_eq!(broken.seq, 2);
    assert!(broken.reason.contains("changed"), "{}", broken.reason);
}

#[tokio::test]
async fn a_removed_entry_is_detected() {
    let (ws, console) = trail().await;
    tamper(&ws, "DELETE FROM audit_entries WHERE seq = 2").await;
    let broken = console.audit_verify().await.unwrap().broken.unwrap();
    assert_eq!(broken.seq, 2);
    assert!(broken.reason.contains("missing"), "{}", broken.reason);
}

#[tokio::test]
async fn reordered_entries_are_detected() {
    let (ws, console) = trail().await;
    // Swap everything but the position between entries 2 and 3, hashes included.
    tamper(
        &ws,
        "CREATE TEMP TABLE swap AS SELECT * FROM audit_entries WHERE seq IN (2, 3);
         UPDATE audit_entries SET hash = 'moving-' || seq WHERE seq IN (2, 3);
         UPDATE audit_entries SET (at, actor, action, object, outcome, subject, prev_hash, hash) =
           (SELECT at, actor, action, object, outcome, subject, prev_hash, hash FROM swap
            WHERE swap.seq = 5 - audit_entries.seq)
         WHERE seq IN (2, 3);",
    )
    .await;
    let broken = console.audit_verify().await.unwrap().broken.unwrap();
    assert_eq!(broken.seq, 2);
}

#[tokio::test]
async fn entries_cut_from_the_end_are_detected() {
    let (ws, console) = trail().await;
    tamper(&ws, "DELETE FROM audit_entries WHERE seq >= 3").await;
    let v = console.audit_verify().await.unwrap();
    assert!(!v.intact);
    let broken = v.broken.unwrap();
    assert_eq!(broken.seq, 3);
    assert!(broken.reason.contains("removed from the end"), "{}", broken.reason);
}

#[tokio::test]
async fn audit_verify_on_the_command_line_fails_with_the_first_broken_entry() {
    let (ws, console) = trail().await;
    console.close().await;
    let ok = ws.cli(&["audit", "verify"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));

    tamper(&ws, "UPDATE audit_entries SET object = 'client:x' WHERE seq = 3").await;
    let out = ws.cli(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("entry #3"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_keep_one_unbroken_chain() {
    // Two handles on one file stand for the app and the CLI writing at the same time.
    let ws = Workspace::new();
    let consoles = [Arc::new(ws.open().await), Arc::new(ws.open().await)];
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..24 {
        let console = Arc::clone(&consoles[i % 2]);
        tasks.spawn(async move { console.add_client(&format!("Client {i}"), None).await });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    let v = consoles[0].audit_verify().await.unwrap();
    assert!(v.intact, "{v:?}");
    assert_eq!(v.entries, 24);
}
