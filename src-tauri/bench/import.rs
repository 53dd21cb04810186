//! `custodian bench import --rows N`: import throughput, peak memory, indexed lookups and the
//! review query's first page, beside the time the `sqlite3` shell takes to `.import` the same data.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{leadgen, peak_memory, sqlite3_median, written_bytes, Scratch, REFERENCE_RUNS};
use crate::clock::SystemClock;
use crate::console::{Console, Error};
use crate::identity::IdKind;
use crate::leads::query::{self, Filter, Order, PageRequest};

#[derive(Debug, Serialize)]
pub struct Report {
    pub rows: u64,
    pub file_bytes: u64,
    /// The workspace on disk after the import: the encrypted database with its indexes.
    pub database_bytes: u64,
    pub import_seconds: f64,
    pub import_rows_per_second: f64,
    pub peak_memory_mb: Option<f64>,
    /// Written to storage during the import (WAL, checkpoints, the database file).
    pub import_written_mb: Option<f64>,
    pub lookup_email_ms: f64,
    pub lookup_phone_ms: f64,
    pub first_page_ms: f64,
    pub search_first_page_ms: f64,
    /// `None` when the `sqlite3` shell is not installed.
    pub sqlite3_import_seconds: Option<f64>,
    pub ratio_to_sqlite3: Option<f64>,
}

const LOOKUPS: u64 = 200;

pub async fn run(rows: u64) -> Result<Report, Error> {
    let scratch = Scratch::new("import").map_err(|e| Error::Invalid(format!("no scratch directory: {e}")))?;
    let file = scratch.0.join("leads-export.csv");
    let utf8 = scratch.0.join("reference.tsv");
    eprintln!("Generating a UTF-16 TAB export of {rows} leads…");
    leadgen::write(&file, rows, Some(&utf8))
        .map_err(|e| Error::Invalid(format!("cannot write the bench file: {e}")))?;
    let file_bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);

    let console = Console::open(&scratch.workspace(), Arc::new(SystemClock)).await?;
    console.add_client("Bench client", Some("GB")).await?;
    eprintln!("Importing…");
    let written_before = written_bytes();
    let started = Instant::now();
    let summary = console.import_file(&file, "Bench client", &|_| {}, Arc::new(AtomicBool::new(false))).await?;
    let import = started.elapsed();
    if summary.imported != rows {
        return Err(Error::Invalid(format!("the bench imported {} of {rows} leads", summary.imported)));
    }
    let peak = peak_memory();
    let import_written = written_before.zip(written_bytes()).map(|(before, after)| after.saturating_sub(before));

    let pool = console.store().pool();
    let hasher = console.hasher();
    let time_lookups = |kind: IdKind, value: fn(u64) -> String| {
        let pool = pool.clone();
        let hasher = hasher.clone();
        async move {
            let mut total = Duration::ZERO;
            for n in 0..LOOKUPS {
                let i = (n * 7_919) % rows;
                let t = Instant::now();
                let hash = hasher.identify(kind, &value(i), None).expect("generated identifiers are valid");
                let ids = query::by_identity(&pool, &hash).await?;
                let lead = query::detail(&pool, ids[0]).await?;
                total += t.elapsed();
                assert!(lead.is_some());
            }
            Ok::<_, sqlx::Error>(ms(total) / LOOKUPS as f64)
        }
    };
    let lookup_email_ms = time_lookups(IdKind::Email, leadgen::email).await?;
    let lookup_phone_ms = time_lookups(IdKind::Phone, leadgen::phone).await?;

    let first_page = PageRequest { limit: 100, ..Default::default() };
    let newest_first = Order { descending: true, ..Default::default() };
    let t = Instant::now();
    query::page(pool, &Filter::default(), &newest_first, &first_page).await?;
    let first_page_ms = ms(t.elapsed());
    let search = Filter { search: Some("grace okafor".into()), ..Default::default() };
    let t = Instant::now();
    query::page(pool, &search, &newest_first, &first_page).await?;
    let search_first_page_ms = ms(t.elapsed());
    console.close().await;
    let database_bytes = std::fs::read_dir(scratch.workspace())
        .map(|entries| entries.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0);

    eprintln!("Timing the sqlite3 reference…");
    let columns: Vec<String> = leadgen::header().iter().enumerate().map(|(i, _)| format!("c{i} TEXT")).collect();
    let sqlite3 = sqlite3_median(&scratch.0, &utf8, &format!("CREATE TABLE t ({})", columns.join(", ")));
    let import_seconds = import.as_secs_f64();
    Ok(Report {
        rows,
        file_bytes,
        database_bytes,
        import_seconds,
        import_rows_per_second: rows as f64 / import_seconds,
        peak_memory_mb: peak.map(|b| b as f64 / 1_048_576.0),
        import_written_mb: import_written.map(|b| b as f64 / 1_048_576.0),
        lookup_email_ms,
        lookup_phone_ms,
        first_page_ms,
        search_first_page_ms,
        sqlite3_import_seconds: sqlite3,
        ratio_to_sqlite3: sqlite3.map(|s| import_seconds / s),
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

impl Report {
    pub fn print(&self) {
        let mb = |b: u64| b as f64 / 1_048_576.0;
        println!("leads                      {}", self.rows);
        println!("file (UTF-16, TAB)         {:.1} MiB", mb(self.file_bytes));
        println!("database on disk           {:.1} MiB", mb(self.database_bytes));
        println!("import                     {:.2} s, {:.0} leads/s", self.import_seconds, self.import_rows_per_second);
        match (self.sqlite3_import_seconds, self.ratio_to_sqlite3) {
            (Some(s), Some(r)) => {
                println!(
                    "sqlite3 .import reference  {s:.2} s, median of {REFERENCE_RUNS} (import takes {r:.2}× as long)"
                )
            }
            _ => println!("sqlite3 .import reference  not measured: the sqlite3 shell is not installed"),
        }
        if let Some(w) = self.import_written_mb {
            println!("written during the import  {w:.0} MiB");
        }
        if let Some(p) = self.peak_memory_mb {
            println!("peak memory                {p:.0} MiB");
        }
        println!("lookup by email            {:.3} ms", self.lookup_email_ms);
        println!("lookup by phone            {:.3} ms", self.lookup_phone_ms);
        println!("review query, first page   {:.2} ms", self.first_page_ms);
        println!("search, first page         {:.2} ms", self.search_first_page_ms);
    }
}
