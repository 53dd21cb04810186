//! `custodian bench sync --graph-url URL --app-id ID --token-stdin`: a sync of every lead form a
//! Graph API at URL offers (Meta's, or the tests' simulator that `make bench` starts in a process of
//! its own), into a throwaway workspace, through the same Console operations as the app. Reports
//! the requests sent, the time, the CPU time this process spent per lead (the API's own time is not
//! in it) and the peak memory.

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
    pub forms: u64,
    /// The Pages whose forms were listed: one request each.
    pub form_lists: u64,
    /// Leads the forms say they hold, before the sync.
    pub leads_at_source: i64,
    pub leads_synced: u64,
    pub pages: u64,
    /// Requests sent for the forms and the sync: one per form list and one per page of leads when
    /// none is wasted.
    pub requests: u64,
    pub seconds: f64,
    pub leads_per_second: f64,
    pub cpu_us_per_lead: f64,
    pub peak_memory_bytes: Option<u64>,
}

pub async fn run(graph_url: &str, app_id: &str, token: Sensitive<String>) -> Result<Report, Error> {
    let scratch = Scratch::new("sync").map_err(|e| Error::Invalid(format!("no scratch directory: {e}")))?;
    let console = Console::open(&scratch.workspace(), Arc::new(SystemClock)).await?;
    console.add_client("Bench client", Some("GB")).await?;
    let form = MetaAppForm {
        app_id: Some(app_id.to_owned()),
        graph_url: Some(graph_url.to_owned()),
        ..MetaAppForm::default()
    };
    console.set_meta_app(form).await?;
    let connection = console.connect_meta(token, None).await?;
    // The tokens leave the keychain on every path, and nothing else is revoked: a bench runs with a
    // system-user token only.
    let (measured, disconnected) = if connection.token_type == "SYSTEM_USER" {
        let measured = measure(&console).await;
        // A system-user token is not revoked by disconnecting: it only leaves the keychain.
        (measured, console.disconnect_meta(&connection.id, true).await.map(|_| ()))
    } else {
        let vault = crate::vault::Vault::new(console.workspace_id());
        let forgotten = vault.delete(crate::meta::connections::TOKEN_PURPOSE, &connection.id).await;
        let refused = format!("The bench syncs with a system-user token; this is a {} token.", connection.token_type);
        (Err(Error::Invalid(refused)), forgotten.map_err(Error::from))
    };
    console.close().await;
    let (forms, form_lists, report, requests, seconds, cpu, peak_memory_bytes) = measured?;
    disconnected?;
    if let Some(problem) = report.forms.iter().find_map(|f| f.problem.clone()) {
        return Err(Error::Invalid(format!("the bench's sync stopped: {problem}")));
    }
    let leads_synced: u64 = report.forms.iter().map(|f| f.new).sum();
    let leads_at_source = forms.items.iter().filter_map(|f| f.leads_count).sum();
    Ok(Report {
        forms: forms.items.len() as u64,
        form_lists,
        leads_at_source,
        leads_synced,
        pages: report.forms.iter().map(|f| u64::from(f.pages)).sum(),
        requests,
        seconds,
        leads_per_second: leads_synced as f64 / seconds.max(1e-9),
        cpu_us_per_lead: cpu * 1e6 / leads_synced.max(1) as f64,
        peak_memory_bytes,
    })
}

/// What one measured sync gives: the forms listed, how many lists that took, the sync's report,
/// the requests it sent, its time, its CPU time and the peak memory.
type Measured = (crate::console::RefreshedForms, u64, crate::console::SyncReport, u64, f64, f64, Option<u64>);

/// Assigns every Page to the bench client, then, measured: lists the forms, chooses them all, syncs.
async fn measure(console: &Console) -> Result<Measured, Error> {
    let pages = console.refresh_meta_pages().await?;
    for page in &pages.items {
        console.assign_meta_page(&page.id, Some("Bench client")).await?;
    }
    // From here: the forms' lists and the sync, as a person choosing forms and syncing sees them.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let (sent, cpu, started) = (requests_sent(), super::cpu_seconds(), Instant::now());
    let forms = console.refresh_meta_forms(None).await?;
    for form in &forms.items {
        console.set_meta_form_sync(&form.id, true).await?;
    }
    eprintln!("Syncing {} forms…", forms.items.len());
    let report = console.sync_meta(None, None, &|_| {}, Arc::new(AtomicBool::new(false))).await?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = super::cpu_seconds() - cpu;
    let requests = requests_sent() - sent;
    Ok((forms, pages.items.len() as u64, report, requests, seconds, cpu, peak_memory()))
}

impl super::Printed for Report {
    fn print(&self) {
        println!("forms                          {}", self.forms);
        println!("leads at the source / synced   {} / {}", self.leads_at_source, self.leads_synced);
        println!("pages of leads                 {}", self.pages);
        println!(
            "requests                       {} ({} pages of leads + {} form lists; none wasted: {})",
            self.requests,
            self.pages,
            self.form_lists,
            self.requests == self.pages + self.form_lists
        );
        println!("sync                           {:.2} s, {:.0} leads/s", self.seconds, self.leads_per_second);
        println!("CPU time in Custodian          {:.1} µs a lead", self.cpu_us_per_lead);
        let mib = self.peak_memory_bytes.map_or("unknown".to_owned(), |b| format!("{:.0} MiB", b as f64 / 1_048_576.0));
        println!("peak memory                    {mib}");
    }
}
