//! The Console's lead sync from Meta: each synced form's new leads, page by page, into the same
//! store as imported leads, with the form's watermark moving only in the transaction that stores
//! the last of them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use super::{Console, Error};
use crate::audit::{self, Event};
use crate::clients;
use crate::leads::import::{Target, Totals};
use crate::leads::{imports, synced};
use crate::meta::pages::{self, SyncedForm, PAGE_TOKEN_PURPOSE};
use crate::meta::{app, GraphError};
use crate::vault::Vault;

/// How far before the watermark a sync asks from: leads Meta stamps late are not missed, and those
/// seen again are recognised.
pub const OVERLAP_SECONDS: i64 = 300;

/// The lead fields a sync asks Meta for.
const FIELDS: &str =
    "id,created_time,ad_id,ad_name,adset_id,adset_name,campaign_id,campaign_name,form_id,is_organic,platform,field_data";

/// Leads a page: Meta's largest.
const PAGE_SIZE: &str = "500";

/// Pages are gathered for one transaction until they hold this many leads …
const SYNC_CHUNK: usize = 5_000;

/// … or until the first of them has waited this long, so that a slow Meta does not keep what was
/// read from the store (and from the Leads screen) for long.
const SYNC_CHUNK_TIME: std::time::Duration = std::time::Duration::from_secs(2);

/// What syncing one form did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FormSynced {
    pub form_id: String,
    pub form: String,
    pub client: Option<String>,
    #[ts(type = "number")]
    pub new: u64,
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub unchanged: u64,
    #[ts(type = "number")]
    pub suppressed: u64,
    #[ts(type = "number")]
    pub rejected: u64,
    /// Pages of leads read from Meta.
    pub pages: u32,
    /// Why the form did not sync to the end; the next sync goes on from where this one was sure.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SyncReport {
    pub forms: Vec<FormSynced>,
    pub cancelled: bool,
}

impl SyncReport {
    /// The clients whose forms brought new or changed leads, each once.
    pub fn clients_with_new_leads(&self) -> Vec<String> {
        let mut clients: Vec<String> = Vec::new();
        for f in self.forms.iter().filter(|f| f.new + f.updated > 0) {
            if let Some(client) = &f.client {
                if !clients.contains(client) {
                    clients.push(client.clone());
                }
            }
        }
        clients
    }

    pub fn failed(&self) -> bool {
        self.forms.iter().any(|f| f.problem.is_some())
    }
}

/// Progress of a sync, after every page of leads.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SyncProgress {
    pub form: String,
    pub pages: u32,
    #[ts(type = "number")]
    pub leads: u64,
}

/// What storing a form's leads works with and adds to, chunk after chunk.
struct Chunk<'a> {
    target: &'a Target<'a>,
    form: &'a SyncedForm,
    totals: &'a mut Totals,
    newest: &'a mut Option<i64>,
    done: &'a mut FormSynced,
}

impl Console {
    /// Stores `leads` in one transaction, checked against the suppression list as it stands in it;
    /// with `last`, the form's watermark moves in that transaction too.
    async fn store_chunk(
        &self,
        bulk: &mut crate::store::Bulk,
        chunk: &mut Chunk<'_>,
        leads: Vec<serde_json::Value>,
        last: bool,
    ) -> Result<(), Error> {
        let at = self.stamp();
        let line = chunk.totals.rows_read + 1;
        let seen = *chunk.newest;
        let (form, target, totals) = (chunk.form, chunk.target, &mut *chunk.totals);
        let stored = bulk
            .direct(|conn| {
                let erased = crate::requests::erasure::suppressed_now;
                let page = synced::Page { form_name: &form.name, leads: &leads, first_line: line };
                synced::store_page(conn, target, &page, totals, &erased, &|c, page_newest| {
                    if last {
                        pages::advance_watermark(c, &form.id, seen.max(page_newest), &at)
                    } else {
                        Ok(())
                    }
                })
            })
            .await;
        let stored = stored??;
        *chunk.newest = (*chunk.newest).max(stored.newest);
        let done = &mut *chunk.done;
        done.new += stored.new;
        done.updated += stored.updated;
        done.unchanged += stored.unchanged;
        done.suppressed += stored.suppressed;
        done.rejected += stored.rejected;
        Ok(())
    }

    /// Syncs every form chosen for sync whose Page has a client (of `client` only, or the form
    /// `form` only, when given). Pages of leads are stored several to a transaction; the form's
    /// watermark moves only with the last page, so an interrupted sync (a cancel, a fault, a
    /// crash) is simply run again: what it stored is recognised, nothing is lost or repeated.
    pub async fn sync_meta(
        &self,
        client: Option<&str>,
        form: Option<&str>,
        progress: &(dyn Fn(SyncProgress) + Send + Sync),
        cancel: Arc<AtomicBool>,
    ) -> Result<SyncReport, Error> {
        let only_client = self.client_if(client).await?;
        let forms: Vec<SyncedForm> = pages::synced_forms(self.store.pool())
            .await?
            .into_iter()
            .filter(|f| form.is_none_or(|id| f.id == id.trim()))
            .filter(|f| only_client.as_ref().is_none_or(|c| f.client_id.as_deref() == Some(c.id.as_str())))
            .collect();
        if let Some(id) = form {
            if forms.is_empty() {
                return Err(Error::Invalid(format!(
                    "Form {} is not chosen for sync (or is not a form of this client); enable it first.",
                    id.trim()
                )));
            }
        }
        let _syncing = super::lock::take(&self.dir, "syncing leads from Meta")?;
        let mut report = SyncReport { forms: Vec::new(), cancelled: false };
        for form in forms {
            if cancel.load(Ordering::Relaxed) {
                report.cancelled = true;
                break;
            }
            report.forms.push(self.sync_form(&form, progress, &cancel).await?);
        }
        report.cancelled |= cancel.load(Ordering::Relaxed);
        Ok(report)
    }

    async fn sync_form(
        &self,
        form: &SyncedForm,
        progress: &(dyn Fn(SyncProgress) + Send + Sync),
        cancel: &AtomicBool,
    ) -> Result<FormSynced, Error> {
        let mut done = FormSynced {
            form_id: form.id.clone(),
            form: form.name.clone(),
            client: None,
            new: 0,
            updated: 0,
            unchanged: 0,
            suppressed: 0,
            rejected: 0,
            pages: 0,
            problem: None,
        };
        let client = match &form.client_id {
            Some(id) => clients::by_id(self.store.pool(), id).await?,
            None => None,
        };
        let Some(client) = client else {
            done.problem = Some("its Page is not assigned to a client; assign it first".into());
            return Ok(done);
        };
        done.client = Some(client.name.clone());
        let Some(token) = Vault::new(&self.workspace_id).get(PAGE_TOKEN_PURPOSE, &form.page_id).await? else {
            done.problem = Some("its Page's token is not in the keychain; refresh the Pages".into());
            return Ok(done);
        };
        let settings = app::get(self.store.pool()).await?;
        let graph = self.graph(&settings).await?;
        let import_id = uuid::Uuid::new_v4().to_string();
        let object = format!("Meta form {} ({}) into client:{} (import {import_id})", form.name, form.id, client.id);
        {
            let mut tx = self.store.write().await?;
            let started = imports::Started {
                id: &import_id,
                client_id: &client.id,
                file_name: &format!("Meta form {} ({})", form.name, form.id),
                file_size: 0,
                format: "Graph API",
                at: &self.stamp(),
                path: "",
            };
            imports::begin(&mut tx, &started).await?;
            let event = Event { action: "lead.sync", object: &object, outcome: "started", subject: None };
            audit::append(&mut tx, &self.stamp(), &self.actor, &event).await?;
            tx.commit().await?;
        }
        let target = Target {
            client_num: clients::num(self.store.pool(), &client.id).await?,
            client_id: &client.id,
            at: self.stamp(),
            client_name: &client.name,
            country: client.country.clone(),
            import_id: &import_id,
            hasher: self.hasher.clone(),
            suppressed: crate::requests::erasure::suppressed(self.store.pool()).await?,
        };
        let filtering = form.watermark.map(|w| {
            serde_json::json!([{"field": "time_created", "operator": "GREATER_THAN", "value": w - OVERLAP_SECONDS}])
                .to_string()
        });
        let mut query = vec![("fields", FIELDS), ("limit", PAGE_SIZE)];
        if let Some(f) = filtering.as_deref() {
            query.push(("filtering", f));
        }
        let path = format!("{}/leads", form.id);
        let mut totals = Totals::default();
        let mut after: Option<String> = None;
        let mut newest: Option<i64> = None;
        let mut status = "completed";
        // One connection for every page of the form, its cache the everyday one so that memory stays
        // flat however many leads come; other writers get their turn between its transactions.
        let mut bulk = self.store.lean_bulk().await?;
        // Pages are stored several to a transaction: each transaction costs a commit and leaves an
        // identity run that lookups read until the fold, so one per page of 100 would cost both
        // time and memory in proportion to the pages. What is read but not yet stored is only in
        // memory, and the watermark has not moved past it: an interrupted sync reads it again.
        let mut pending: Vec<serde_json::Value> = Vec::new();
        let mut pending_since = std::time::Instant::now();
        let mut chunk = Chunk { target: &target, form, totals: &mut totals, newest: &mut newest, done: &mut done };
        let read: Result<(), Error> = async {
            loop {
                let fetched = if cancel.load(Ordering::Relaxed) {
                    status = "cancelled";
                    None
                } else {
                    let fetch = graph.page(&path, &query, after.as_deref(), &token);
                    tokio::pin!(fetch);
                    // While Meta is slow to answer (a throttle waited out, retries), what was read
                    // is stored once it has waited long enough, not held in memory for the wait.
                    let answer = loop {
                        if pending.is_empty() {
                            break fetch.await;
                        }
                        let wait = SYNC_CHUNK_TIME.saturating_sub(pending_since.elapsed());
                        tokio::select! {
                            answer = &mut fetch => break answer,
                            () = tokio::time::sleep(wait) => {
                                self.store_chunk(&mut bulk, &mut chunk, std::mem::take(&mut pending), false).await?;
                            }
                        }
                    };
                    match answer {
                        Ok(page) => Some(page),
                        Err(e) => {
                            status = if matches!(e, GraphError::Throttled { .. }) { "throttled" } else { "failed" };
                            chunk.done.problem = Some(e.to_string());
                            None
                        }
                    }
                };
                let (next, last) = match fetched {
                    Some((items, next)) => {
                        chunk.done.pages += 1;
                        if pending.is_empty() {
                            pending_since = std::time::Instant::now();
                        }
                        pending.extend(items);
                        let last = next.is_none();
                        (next, last)
                    }
                    None => (None, false),
                };
                let stopping = next.is_none();
                let full = pending.len() >= SYNC_CHUNK || pending_since.elapsed() >= SYNC_CHUNK_TIME;
                // The last page is stored even when empty: its transaction moves the watermark.
                if (!pending.is_empty() || last) && (stopping || full) {
                    self.store_chunk(&mut bulk, &mut chunk, std::mem::take(&mut pending), last).await?;
                }
                progress(SyncProgress {
                    form: form.name.clone(),
                    pages: chunk.done.pages,
                    leads: chunk.totals.rows_read + pending.len() as u64,
                });
                match next {
                    Some(cursor) => after = Some(cursor),
                    None => break,
                }
            }
            Ok(())
        }
        .await;
        // The connection's cache and durability go back to ordinary on every path.
        let folded = bulk.direct(synced::finish).await;
        let finished = bulk.finish().await;
        let stored: Result<(), Error> = (|| {
            read?;
            folded??;
            Ok(finished?)
        })();
        // A sync that failed here is on record as failed, not left running.
        if stored.is_err() {
            status = "failed";
        }
        let mut tx = self.store.write().await?;
        // The record of imports knows completed, cancelled and failed; a throttled sync failed for now.
        let recorded = if status == "throttled" { "failed" } else { status };
        imports::finish(&mut tx, &import_id, &self.stamp(), recorded).await?;
        let outcome = format!(
            "{status}: {} new, {} updated, {} unchanged, {} suppressed, {} pages",
            done.new, done.updated, done.unchanged, done.suppressed, done.pages
        );
        let event = Event { action: "lead.sync", object: &object, outcome: &outcome, subject: None };
        audit::append(&mut tx, &self.stamp(), &self.actor, &event).await?;
        tx.commit().await?;
        tracing::info!(form = %form.id, new = done.new, pages = done.pages, status, "form synced");
        stored?;
        Ok(done)
    }
}
