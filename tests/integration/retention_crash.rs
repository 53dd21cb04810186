//! A kill -9 in the middle of a purge: each client and kind is purged whole with its audit entry
//! or not at all, and the next purge finishes the rest.

use std::process::Stdio;
use std::time::{Duration, Instant};

use custodian::bench::leadgen;

use crate::support::{stderr, stdout, Workspace};

/// Leads per client: enough that purging one client takes a while to interrupt.
const EACH: u64 = 20_000;
const CLIENTS: [&str; 2] = ["Acme", "Beta"];

async fn scalar(ws: &Workspace, sql: &str) -> i64 {
    let store = ws.raw_store().await;
    let n = sqlx::query_scalar(sql).fetch_one(store.pool()).await.unwrap();
    store.close().await;
    n
}

async fn leads_of(ws: &Workspace, client: &str) -> i64 {
    let sql =
        format!("SELECT count(*) FROM leads WHERE client_num = (SELECT num FROM clients WHERE name = '{client}')");
    scalar(ws, &sql).await
}

async fn purge_entries_for(ws: &Workspace, client: &str) -> i64 {
    let sql = format!(
        "SELECT count(*) FROM audit_entries WHERE action = 'retention.purge' AND object LIKE '%leads of client:% \"{client}\"%'"
    );
    scalar(ws, &sql).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_during_a_purge_leaves_whole_steps_and_the_next_purge_finishes_it() {
    let ws = Workspace::new();
    let header = leadgen::header().join("\t");
    for (n, client) in CLIENTS.iter().enumerate() {
        assert!(ws.cli(&["client", "add", client]).status.success());
        // Every generated lead is from mid-2026 or earlier: past 90 days today.
        let mut text = header.clone();
        for i in 0..EACH {
            text.push('\n');
            text.push_str(&leadgen::row(n as u64 * EACH + i).join("\t"));
        }
        let file = ws.path().with_extension(format!("{client}.tsv"));
        std::fs::write(&file, text).unwrap();
        let imported = ws.cli(&["import", file.to_str().unwrap(), "--client", client]);
        std::fs::remove_file(&file).unwrap();
        assert!(imported.status.success(), "{}", stderr(&imported));
    }

    let started = Instant::now();
    let mut child = ws.command(&["retention", "purge"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    // Kill it once the first client's step has committed, while the second's is under way.
    let watch = ws.raw_store().await;
    let first_done = "SELECT count(*) FROM audit_entries WHERE action = 'retention.purge'";
    while sqlx::query_scalar::<_, i64>(first_done).fetch_one(watch.pool()).await.unwrap() == 0
        && started.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let finished_first = child.try_wait().unwrap().is_some();
    child.kill().unwrap();
    child.wait().unwrap();
    watch.close().await;
    assert!(!finished_first, "the purge ended within {:?}, before it could be interrupted", started.elapsed());

    let mut whole = 0;
    for client in CLIENTS {
        let (leads, audited) = (leads_of(&ws, client).await, purge_entries_for(&ws, client).await);
        match audited {
            0 => assert_eq!(leads, EACH as i64, "{client}: not purged, so nothing of it went"),
            _ => {
                assert_eq!((leads, audited), (0, 1), "{client}: purged whole, with one audit entry");
                whole += 1;
            }
        }
    }
    assert_eq!(whole, 1, "the kill came after the first client's step and before the second's ended");
    let held = scalar(&ws, "SELECT count(*) FROM leads").await;
    assert_eq!(ws.indexed_leads().await, held, "search matches the leads");

    let rerun = ws.cli(&["retention", "purge", "--json"]);
    assert!(rerun.status.success(), "{}", stderr(&rerun));
    let report: serde_json::Value = serde_json::from_slice(&rerun.stdout).unwrap();
    let purged: i64 = report["purged"].as_array().unwrap().iter().map(|p| p["count"].as_i64().unwrap()).sum();
    assert_eq!(purged, held, "the rerun purges exactly what the kill left");
    for client in CLIENTS {
        assert_eq!((leads_of(&ws, client).await, purge_entries_for(&ws, client).await), (0, 1), "{client}");
    }
    assert_eq!(scalar(&ws, "SELECT count(*) FROM identities").await, 0, "no identifiers of purged leads remain");
    assert!(stdout(&ws.cli(&["audit", "verify"])).contains("Audit trail intact"));
}
