//! A kill -9 in the middle of an erasure: everything about the person is erased or nothing is, and
//! running the erasure again finishes it.

use std::process::Stdio;
use std::time::{Duration, Instant};

use custodian::bench::leadgen;

use crate::support::{stderr, stdout, Workspace};

/// Leads of the one person: enough that erasing them takes a while to interrupt.
const THEIRS: u64 = 20_000;
const OTHERS: u64 = 500;
const EMAIL: &str = "many.times@example.test";

async fn scalar(ws: &Workspace, sql: &str) -> i64 {
    let store = ws.raw_store().await;
    let n = sqlx::query_scalar(sql).fetch_one(store.pool()).await.unwrap();
    store.close().await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_during_an_erasure_erases_everything_or_nothing_and_a_rerun_finishes_it() {
    let ws = Workspace::new();
    assert!(ws.cli(&["client", "add", "Acme", "--country", "GB"]).status.success());
    let header = leadgen::header();
    let email_at = header.iter().position(|h| h == "email").unwrap();
    let mut text = header.join("\t");
    for i in 0..THEIRS + OTHERS {
        let mut row = leadgen::row(i);
        if i < THEIRS {
            row[email_at] = EMAIL.into();
        }
        text.push('\n');
        text.push_str(&row.join("\t"));
    }
    let file = ws.path().with_extension("export.tsv");
    std::fs::write(&file, text).unwrap();
    let imported = ws.cli(&["import", file.to_str().unwrap(), "--client", "Acme"]);
    std::fs::remove_file(&file).unwrap();
    assert!(imported.status.success(), "{}", stderr(&imported));
    let new = ws.cli(&["request", "new", "--kind", "erasure", "--email", EMAIL, "--json"]);
    let id = serde_json::from_slice::<serde_json::Value>(&new.stdout).unwrap()["id"].as_i64().unwrap().to_string();

    let started = Instant::now();
    let mut child =
        ws.command(&["request", "erase", &id, "--yes"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let finished_first = child.try_wait().unwrap().is_some();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!finished_first, "the erasure ended within {:?}, before it could be interrupted", started.elapsed());

    let leads = scalar(&ws, "SELECT count(*) FROM leads").await;
    let receipts = scalar(&ws, "SELECT count(*) FROM erasure_receipts").await;
    let suppressed = scalar(&ws, "SELECT count(*) FROM suppressions").await;
    match receipts {
        0 => assert_eq!((leads, suppressed), ((THEIRS + OTHERS) as i64, 0), "nothing was erased"),
        _ => assert_eq!(leads, OTHERS as i64, "everything was erased"),
    }
    assert_eq!(ws.indexed_leads().await, leads, "search matches the leads");

    let rerun = ws.cli(&["request", "erase", &id, "--yes", "--json"]);
    if receipts == 0 {
        assert!(rerun.status.success(), "{}", stderr(&rerun));
        let erased: serde_json::Value = serde_json::from_slice(&rerun.stdout).unwrap();
        assert_eq!(erased["receipt"]["deleted"][0]["count"], THEIRS);
    } else {
        assert!(stderr(&rerun).contains("was already erased"), "{}", stderr(&rerun));
    }
    assert_eq!(scalar(&ws, "SELECT count(*) FROM leads").await, OTHERS as i64);
    let find = ws.cli(&["leads", "find", "--email", EMAIL]);
    assert!(stdout(&find).trim().is_empty() || stdout(&find).contains("No leads"), "{}", stdout(&find));
    assert!(ws.cli(&["audit", "verify"]).status.success());
}
