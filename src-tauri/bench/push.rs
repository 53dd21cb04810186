//! `custodian bench push --crm-url URL --token-stdin --rows N`: N generated leads imported into a
//! throwaway workspace and pushed to the HubSpot API at URL (HubSpot's, or the tests' simulator
//! that `make bench` starts in a process of its own), through the same Console operations as the
//! app; then pushed again, when nothing has changed. Reports the requests sent, the time, the CPU
//! time this process spent per lead (the API's own time is not in it) and the peak memory.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use super::{leadgen, peak_memory, Scratch};
use crate::clock::SystemClock;
use crate::console::{Console, Error, PushReport};
use crate::crm::client::requests_sent;
use crate::crm::Crm;
use crate::vault::Sensitive;

#[derive(Debug, Serialize)]
pub struct Report {
    pub leads: u64,
    pub created: i64,
    /// Requests the first push sent: its batches, and nothing else.
    pub requests: u64,
    /// Batches a push of N leads needs when nothing fails: ceil(N / 100).
    pub batches_expected: u64,
    pub seconds: f64,
    pub leads_per_second: f64,
    pub cpu_us_per_lead: f64,
    /// Of it, in the kernel (system calls, page faults, thread switches).
    pub kernel_us_per_lead: f64,
    /// The second push, with nothing changed: the time, and the requests it sent.
    pub unchanged: i64,
    pub again_seconds: f64,
    pub again_requests: u64,
    pub peak_memory_bytes: Option<u64>,
}

pub async fn run(crm_url: &str, token: Sensitive<String>, rows: u64) -> Result<Report, Error> {
    let scratch = Scratch::new("push").map_err(|e| Error::Invalid(format!("no scratch directory: {e}")))?;
    let console = Console::open(&scratch.workspace(), Arc::new(SystemClock)).await?;
    console.add_client("Bench client", Some("GB")).await?;
    let file = scratch.0.join("leads.tsv");
    eprintln!("Generating and importing {rows} leads…");
    leadgen::write(&file, rows, None).map_err(|e| Error::Invalid(format!("cannot write the bench file: {e}")))?;
    let imported = console.import_file(&file, "Bench client", &|_| {}, Arc::new(AtomicBool::new(false))).await?;
    let _ = std::fs::remove_file(&file);
    if imported.imported != rows {
        return Err(Error::Invalid(format!("the bench imported {} of {rows} leads", imported.imported)));
    }
    let connection = console.connect_crm(Crm::HubSpot, "Bench client", token, Some(crm_url)).await?;
    let measured = measure(&console, rows).await;
    // The token leaves the keychain on every path.
    let disconnected = console.disconnect_crm(&connection.id, None, true).await;
    console.close().await;
    let report = measured?;
    disconnected?;
    Ok(report)
}

async fn measure(console: &Console, rows: u64) -> Result<Report, Error> {
    for form in 0..3u64 {
        let form = (150_000_000_000 + form).to_string();
        let mapping = format!(
            r#"{{"crm": "hubspot", "form": "{form}", "fields": [
                {{"to": "email", "from": "email", "transform": "email"}},
                {{"to": "firstname", "from": "full_name", "transform": "first_name"}},
                {{"to": "lastname", "from": "full_name", "transform": "last_name"}},
                {{"to": "phone", "from": "phone_number", "transform": "e164"}},
                {{"to": "city", "from": "city"}},
                {{"to": "hs_lead_status", "constant": "NEW"}}]}}"#
        );
        console.crm_map_set("Bench client", &form, "hubspot", &mapping).await?;
    }
    let push = || console.crm_push(Some("Bench client"), None, &|_| {}, Arc::new(AtomicBool::new(false)));
    let stopped = |report: &PushReport| {
        report.pushes.iter().find_map(|p| {
            p.stopped
                .clone()
                .or_else(|| p.failures.first().map(|f| format!("lead {} failed: {}", f.lead_id, f.message)))
        })
    };
    eprintln!("Pushing {rows} leads…");
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let (sent, (user, kernel), started) = (requests_sent(), super::cpu_split(), Instant::now());
    let first = push().await?;
    let seconds = started.elapsed().as_secs_f64();
    let (user_after, kernel_after) = super::cpu_split();
    let kernel = kernel_after - kernel;
    let cpu = user_after - user + kernel;
    let requests = requests_sent() - sent;
    if let Some(why) = stopped(&first) {
        return Err(Error::Invalid(format!("the bench's push did not finish: {why}")));
    }
    let (sent, started) = (requests_sent(), Instant::now());
    let again = push().await?;
    let again_seconds = started.elapsed().as_secs_f64();
    let again_requests = requests_sent() - sent;
    let created = first.pushes.iter().map(|p| p.counts.created).sum();
    Ok(Report {
        leads: rows,
        created,
        requests,
        batches_expected: rows.div_ceil(100),
        seconds,
        leads_per_second: rows as f64 / seconds.max(1e-9),
        cpu_us_per_lead: cpu * 1e6 / rows.max(1) as f64,
        kernel_us_per_lead: kernel * 1e6 / rows.max(1) as f64,
        unchanged: again.pushes.iter().map(|p| p.counts.unchanged).sum(),
        again_seconds,
        again_requests,
        peak_memory_bytes: peak_memory(),
    })
}

impl super::Printed for Report {
    fn print(&self) {
        println!("leads / created                {} / {}", self.leads, self.created);
        println!(
            "requests                       {} (batches of 100; ceil(N/100) = {}: {})",
            self.requests,
            self.batches_expected,
            if self.requests == self.batches_expected { "as expected" } else { "NOT as expected" }
        );
        println!("push                           {:.2} s, {:.0} leads/s", self.seconds, self.leads_per_second);
        println!(
            "CPU time in Custodian          {:.1} µs a lead ({:.1} µs of it in the kernel)",
            self.cpu_us_per_lead, self.kernel_us_per_lead
        );
        println!(
            "push again, nothing changed    {:.2} s, {} unchanged, {} requests",
            self.again_seconds, self.unchanged, self.again_requests
        );
        let mib = self.peak_memory_bytes.map_or("unknown".to_owned(), |b| format!("{:.0} MiB", b as f64 / 1_048_576.0));
        println!("peak memory                    {mib}");
    }
}
