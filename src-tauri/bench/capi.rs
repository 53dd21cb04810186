//! `custodian bench capi --graph-url URL --app-id ID --dataset ID --token-stdin [--rows N]`: N
//! generated offline conversions queued from a CSV into a throwaway workspace (their keys hashed
//! and checked as they are read) and sent to the dataset at a Graph API (Meta's, or the tests'
//! simulator that `make bench` starts in a process of its own), through the same Console
//! operations as the app. Reports the requests the send made, the CPU time this process spent per
//! event (the API's own time is not in it) and the peak memory.

use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use super::{peak_memory, Scratch};
use crate::clock::SystemClock;
use crate::console::{Console, Error, MetaAppForm};
use crate::meta::graph::requests_sent;
use crate::vault::Sensitive;

#[derive(Debug, Serialize)]
pub struct Report {
    pub events: u64,
    pub queued: u64,
    pub sent: u64,
    /// Requests the send made: its batches, and nothing else.
    pub requests: u64,
    /// Batches of N events when nothing fails: ceil(N / 1,000).
    pub batches_expected: u64,
    pub import_seconds: f64,
    pub send_seconds: f64,
    /// CPU time to queue (read, hash, check, store) and send, per event.
    pub cpu_us_per_event: f64,
    /// Of it, queuing's and sending's.
    pub queue_cpu_us_per_event: f64,
    pub send_cpu_us_per_event: f64,
    pub kernel_us_per_event: f64,
    pub peak_memory_bytes: Option<u64>,
}

pub struct Target<'a> {
    pub graph_url: &'a str,
    pub app_id: &'a str,
    pub dataset: &'a str,
}

pub async fn run(target: Target<'_>, token: Sensitive<String>, rows: u64) -> Result<Report, Error> {
    let scratch = Scratch::new("capi").map_err(|e| Error::Invalid(format!("no scratch directory: {e}")))?;
    let console = Console::open(&scratch.workspace(), Arc::new(SystemClock)).await?;
    console.add_client("Bench client", Some("GB")).await?;
    let form = MetaAppForm {
        app_id: Some(target.app_id.to_owned()),
        graph_url: Some(target.graph_url.to_owned()),
        ..MetaAppForm::default()
    };
    console.set_meta_app(form).await?;
    let connection = console.connect_meta(token, Some("Bench client")).await?;
    let file = scratch.0.join("offline.csv");
    let written = write_events(&file, rows, console.now().timestamp() - 3600);
    let measured = match written {
        Ok(()) => measure(&console, &file, target.dataset, rows).await,
        Err(e) => Err(Error::Invalid(format!("cannot write the bench file: {e}"))),
    };
    // The token leaves the keychain on every path; a system-user token is not revoked by it.
    let disconnected = console.disconnect_meta(&connection.id, true).await;
    console.close().await;
    let report = measured?;
    disconnected?;
    Ok(report)
}

/// `rows` purchases by distinct people at `at` (seconds since 1970).
fn write_events(path: &std::path::Path, rows: u64, at: i64) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let time = chrono::DateTime::from_timestamp(at, 0).unwrap_or_default().to_rfc3339();
    writeln!(out, "event_name,event_time,email,phone,first_name,last_name,city,zip,country,value,currency")?;
    for n in 0..rows {
        writeln!(
            out,
            "Purchase,{time},Person.{n}@Example.com,07911 {:06},Ann,Lee-Smith,London,W1 1AA,GB,{}.99,GBP",
            n % 1_000_000,
            n % 500
        )?;
    }
    out.flush()
}

async fn measure(console: &Console, file: &std::path::Path, dataset: &str, rows: u64) -> Result<Report, Error> {
    console.capi_set("Bench client", dataset, None).await?;
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let (user, kernel) = super::cpu_split();
    eprintln!("Queuing {rows} events…");
    let started = Instant::now();
    let imported = console.capi_import("Bench client", file, &AtomicBool::new(false)).await?;
    let import_seconds = started.elapsed().as_secs_f64();
    let (user_queued, kernel_queued) = super::cpu_split();
    eprintln!("Sending them…");
    let (sent_before, started) = (requests_sent(), Instant::now());
    let sent = console.capi_send(Some("Bench client"), &AtomicBool::new(false)).await?;
    let send_seconds = started.elapsed().as_secs_f64();
    let requests = requests_sent() - sent_before;
    let (user_after, kernel_after) = super::cpu_split();
    if let Some(why) = sent.clients.iter().find_map(|c| c.stopped.clone()) {
        return Err(Error::Invalid(format!("the bench's send did not finish: {why}")));
    }
    let cpu = user_after - user + kernel_after - kernel;
    Ok(Report {
        events: rows,
        queued: imported.queued,
        sent: sent.clients.iter().map(|c| c.sent).sum(),
        requests,
        batches_expected: rows.div_ceil(1000),
        import_seconds,
        send_seconds,
        cpu_us_per_event: cpu * 1e6 / rows.max(1) as f64,
        queue_cpu_us_per_event: (user_queued - user + kernel_queued - kernel) * 1e6 / rows.max(1) as f64,
        send_cpu_us_per_event: (user_after - user_queued + kernel_after - kernel_queued) * 1e6 / rows.max(1) as f64,
        kernel_us_per_event: (kernel_after - kernel) * 1e6 / rows.max(1) as f64,
        peak_memory_bytes: peak_memory(),
    })
}

impl super::Printed for Report {
    fn print(&self) {
        println!("events / queued / sent         {} / {} / {}", self.events, self.queued, self.sent);
        println!(
            "requests                       {} (batches of 1,000; ceil(N/1000) = {}: {})",
            self.requests,
            self.batches_expected,
            if self.requests == self.batches_expected { "as expected" } else { "NOT as expected" }
        );
        println!("queue (read, hash, check)      {:.2} s", self.import_seconds);
        println!("send                           {:.2} s", self.send_seconds);
        println!(
            "CPU time in Custodian          {:.1} µs an event ({:.1} µs of it in the kernel)",
            self.cpu_us_per_event, self.kernel_us_per_event
        );
        println!(
            "  of it queuing / sending      {:.1} / {:.1} µs an event",
            self.queue_cpu_us_per_event, self.send_cpu_us_per_event
        );
        let mib = self.peak_memory_bytes.map_or("unknown".to_owned(), |b| format!("{:.0} MiB", b as f64 / 1_048_576.0));
        println!("peak memory                    {mib}");
    }
}
