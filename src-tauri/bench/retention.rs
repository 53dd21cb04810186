//! `custodian bench retention --rows N`: N imported leads of which the older half is past the
//! 90-day default; the dry run that counts them, then the purge that deletes them with their search
//! words and identifiers and empties the WAL, through the same Console operations as the app.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use super::{leadgen, peak_memory, Scratch};
use crate::clock::SystemClock;
use crate::console::{Console, Error};

#[derive(Debug, Serialize)]
pub struct Report {
    pub rows: u64,
    pub due: i64,
    pub dry_run_ms: f64,
    pub purge_ms: f64,
    pub purged: i64,
    pub wal_emptied: bool,
    /// Peak resident memory while the workspace is opened and queried, before the purge.
    pub memory_before_purge_bytes: Option<u64>,
    /// Peak resident memory during the dry run and the purge alone.
    pub memory_during_purge_bytes: Option<u64>,
    pub database_bytes_after: u64,
}

/// Forgets the process's peak resident memory so far, so the next reading covers what follows only.
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

pub async fn run(rows: u64) -> Result<Report, Error> {
    let scratch = Scratch::new("retention").map_err(|e| Error::Invalid(format!("no scratch directory: {e}")))?;
    let file = scratch.0.join("leads-export.csv");
    eprintln!("Generating and importing {rows} leads…");
    leadgen::write(&file, rows, None).map_err(|e| Error::Invalid(format!("cannot write the bench file: {e}")))?;
    let dir = scratch.workspace();
    let console = Console::open(&dir, Arc::new(SystemClock)).await?;
    console.add_client("Bench client", Some("GB")).await?;
    let summary = console.import_file(&file, "Bench client", &|_| {}, Arc::new(AtomicBool::new(false))).await?;
    std::fs::remove_file(&file).ok();
    if summary.imported != rows {
        return Err(Error::Invalid(format!("the bench imported {} of {rows} leads", summary.imported)));
    }
    console.close().await;

    // Lead i was created at NEWEST - 7i seconds: as of this moment, those from rows/2 on are past 90 days.
    let half = (rows / 2) as i64;
    let now = crate::clock::from_unix(leadgen::NEWEST - 7 * half + 90 * 86_400 + 3)
        .ok_or_else(|| Error::Invalid("the bench's time is out of range".into()))?;

    let console = Console::open(&dir, Arc::new(SystemClock)).await?;
    let _ = console.retention_review(None, now).await?;
    let memory_before_purge_bytes = peak_memory();
    reset_peak_memory();
    eprintln!("Counting what is due, then purging it…");
    let t = Instant::now();
    let dry = console.purge_preview(now).await?;
    let dry_run_ms = t.elapsed().as_secs_f64() * 1000.0;
    let due: i64 = dry.purged.iter().map(|p| p.count).sum();
    let t = Instant::now();
    let run = console.purge(now).await?;
    let purge_ms = t.elapsed().as_secs_f64() * 1000.0;
    let memory_during_purge_bytes = peak_memory();
    let purged: i64 =
        run.purged.iter().filter(|p| p.kind == crate::personal_data::DataKind::Leads).map(|p| p.count).sum();
    if purged != due || due != rows as i64 - half {
        return Err(Error::Invalid(format!("the bench found {due} leads due and purged {purged}; expected {half}")));
    }
    console.close().await;
    let database_bytes_after = std::fs::metadata(dir.join("custodian.db")).map(|m| m.len()).unwrap_or(0);
    Ok(Report {
        rows,
        due,
        dry_run_ms,
        purge_ms,
        purged,
        wal_emptied: run.wal_emptied,
        memory_before_purge_bytes,
        memory_during_purge_bytes,
        database_bytes_after,
    })
}

impl super::Printed for Report {
    fn print(&self) {
        let mib = |b: Option<u64>| b.map_or("unknown".to_owned(), |b| format!("{:.0} MiB", b as f64 / 1_048_576.0));
        println!("leads                              {}", self.rows);
        println!("due (past 90 days)                 {}", self.due);
        println!("dry run                            {:>9.1} ms", self.dry_run_ms);
        println!("purge, with checkpoint             {:>9.1} ms ({} leads)", self.purge_ms, self.purged);
        println!("WAL emptied                        {}", self.wal_emptied);
        println!("peak memory before the purge       {}", mib(self.memory_before_purge_bytes));
        println!("peak memory during the purge       {}", mib(self.memory_during_purge_bytes));
        println!("database after                     {:.0} MiB", self.database_bytes_after as f64 / 1_048_576.0);
    }
}
