use std::process::Stdio;
use std::time::{Duration, Instant};

use custodian::bench::leadgen;
use custodian::leads::import::COMMIT_ROWS;
use custodian::leads::runs::ENTRY_BYTES;

use crate::support::{stderr, Workspace};

async fn count(ws: &Workspace, sql: &str) -> i64 {
    let store = ws.raw_store().await;
    let n = sqlx::query_scalar(sql).fetch_one(store.pool()).await.unwrap();
    // Not `Store::close`: its checkpoint would wait for the import's write transaction.
    store.pool().close().await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_in_the_middle_of_an_import_leaves_whole_leads_and_a_rerun_completes_it() {
    const ROWS: u64 = COMMIT_ROWS as u64 * 5 / 2;
    let ws = Workspace::new();
    assert!(ws.cli(&["client", "add", "Acme"]).status.success());
    let file = ws.path().join("big-export.csv");
    leadgen::write(&file, ROWS, None).unwrap();

    let mut child = ws
        .command(&["import", file.to_str().unwrap(), "--client", "Acme"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it as soon as the first transaction is committed, long before the last.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if count(&ws, "SELECT count(*) FROM leads").await > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "no batch was committed within a minute");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let stored = count(&ws, "SELECT count(*) FROM leads").await;
    assert!(stored > 0 && (stored as u64) < ROWS, "the kill should land mid-import ({stored} stored)");
    assert_eq!(stored % COMMIT_ROWS as i64, 0, "only whole transactions are committed");
    // Every stored lead is whole: its search entry and its three identifiers went in with it, the
    // identifiers still in runs that the killed import had no time to fold into the index.
    assert_eq!(ws.indexed_leads().await, stored);
    let indexed = format!(
        "SELECT (SELECT count(*) FROM identities) + (SELECT coalesce(sum(length(entries)), 0) / {ENTRY_BYTES} FROM identity_run_blocks)"
    );
    assert_eq!(count(&ws, &indexed).await, stored * 3);
    let store = ws.raw_store().await;
    assert!(store.check().await.unwrap().is_empty(), "SQLite finds no damage");
    store.close().await;

    // The killed import was on record from its start: its row and its "started" audit entry.
    assert_eq!(count(&ws, "SELECT count(*) FROM imports WHERE status = 'running'").await, 1);
    let started = "SELECT count(*) FROM audit_entries WHERE action = 'lead.import' AND outcome = 'started'";
    assert_eq!(count(&ws, started).await, 1);
    // The next command finds it interrupted, says so and how to complete it.
    let listed = ws.cli(&["imports", "--json"]);
    let imports: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(imports[0]["status"], "interrupted");
    let id = imports[0]["id"].as_str().unwrap().to_owned();
    assert!(stderr(&listed).contains(&format!("custodian import --again {id}")), "{}", stderr(&listed));
    let interrupted = "SELECT count(*) FROM audit_entries WHERE action = 'lead.import' AND outcome = 'interrupted'";
    assert_eq!(count(&ws, interrupted).await, 1);

    let rerun = ws.cli(&["import", "--again", &id, "--json"]);
    assert!(rerun.status.success(), "{}", stderr(&rerun));
    let summary: serde_json::Value = serde_json::from_slice(&rerun.stdout).unwrap();
    assert_eq!(summary["imported"].as_i64().unwrap(), ROWS as i64 - stored);
    assert_eq!(summary["duplicates"].as_i64().unwrap(), stored);
    assert_eq!(count(&ws, "SELECT count(*) FROM leads").await, ROWS as i64);
    assert_eq!(count(&ws, "SELECT count(*) FROM identities").await, ROWS as i64 * 3, "every run folded");
    assert_eq!(count(&ws, "SELECT count(*) FROM identity_run_blocks").await, 0);
    assert!(ws.cli(&["audit", "verify"]).status.success());
}
