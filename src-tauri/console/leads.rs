//! The Console's lead operations: import, review, detail, export, lookup. Each that reads or
//! changes personal data leaves an audit entry with counts, never content.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use super::{Console, Error};
use crate::audit::{self, Event};
use crate::clients::{self, Client};
use crate::identity::IdKind;
use crate::leads::import::{self, file_name, Plan, Target, Totals};
use crate::leads::imports::{self, ImportRecord};
use crate::leads::parse::META_COLUMNS;
use crate::leads::query::{self, Filter, LeadDetail, LeadPage, Order, PageRequest};
use crate::leads::{ImportSummary, Progress};
use crate::spreadsheet::Table;

/// How many leads an export reads from the database at a time.
const EXPORT_CHUNK: i64 = 2_000;

#[derive(Debug, Clone, Serialize, TS)]
pub struct Lookup {
    pub leads: Vec<LeadDetail>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Export {
    pub path: String,
    #[ts(type = "number")]
    pub rows: u64,
}

impl Console {
    pub async fn client(&self, name: &str) -> Result<Client, Error> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(clients::find(&mut conn, name).await?)
    }

    /// The client named, when one is: for an operation that may be narrowed to one client.
    pub(super) async fn client_if(&self, name: Option<&str>) -> Result<Option<Client>, Error> {
        match name {
            Some(name) => Ok(Some(self.client(name).await?)),
            None => Ok(None),
        }
    }

    /// Imports a lead export file into a client. Progress is reported after every batch; setting
    /// `cancel` stops after the batch in flight, keeping what was stored (the summary says so).
    ///
    /// The import is on record before its first lead is stored: its row and an "started" audit
    /// entry commit together. It holds the data directory's lock while it runs, so that another
    /// process is told rather than importing at the same time, and an import a crash left running
    /// is found at the next open.
    pub async fn import_file(
        &self,
        path: &Path,
        client: &str,
        progress: &(dyn Fn(Progress) + Send + Sync),
        cancel: Arc<AtomicBool>,
    ) -> Result<ImportSummary, Error> {
        let client = self.client(client).await?;
        let owned = path.to_owned();
        let plan = tokio::task::spawn_blocking(move || Plan::open(&owned))
            .await
            .map_err(|e| Error::Invalid(format!("the file reader stopped: {e}")))?;
        let plan = match plan {
            Ok(plan) => plan,
            Err(e) => {
                let tx = self.store.write().await?;
                let object = format!("{} into client:{}", audit::file_ref(&file_name(path)), client.id);
                return self.settle(tx, "lead.import", &object, Err(e.into())).await;
            }
        };
        let _importing = super::lock::take(&self.dir, &format!("importing into client {}", client.name))?;
        // Read again under the lock: a country set meanwhile is the one its leads are placed with.
        let client = self.client(&client.name).await?;
        let import_id = uuid::Uuid::new_v4().to_string();
        let object = format!("{} into client:{} (import {import_id})", audit::file_ref(&plan.file_name), client.id);
        let mut tx = self.store.write().await?;
        let started = imports::Started {
            id: &import_id,
            client_id: &client.id,
            file_name: &plan.file_name,
            file_size: plan.size() as i64,
            format: plan.format().describe(),
            at: &self.stamp(),
            path: &path.to_string_lossy(),
        };
        imports::begin(&mut tx, &started).await?;
        let started = Event { action: "lead.import", object: &object, outcome: "started", subject: None };
        audit::append(&mut tx, &self.stamp(), &self.actor, &started).await?;
        tx.commit().await?;

        let client_num = clients::num(self.store.pool(), &client.id).await?;
        let target = Target {
            client_num,
            client_id: &client.id,
            at: self.stamp(),
            client_name: &client.name,
            country: client.country.clone(),
            import_id: &import_id,
            hasher: self.hasher.clone(),
            suppressed: crate::requests::erasure::suppressed(self.store.pool()).await?,
        };
        let result = import::run(&self.store, plan, target, progress, cancel).await;
        let mut tx = self.store.write().await?;
        let (status, totals, outcome) = match &result {
            Ok((s, t)) => {
                let status = if s.cancelled { "cancelled" } else { "completed" };
                let mut outcome = format!(
                    "{status}: {} imported, {} updated, {} duplicates, {} rejected",
                    t.imported, t.updated, t.duplicates, t.rejected
                );
                if t.suppressed > 0 {
                    outcome.push_str(&format!(", {} suppressed", t.suppressed));
                }
                (status, *t, outcome)
            }
            Err(import::ImportError::ReaderStopped(_)) => {
                ("failed", Totals::default(), "failed: reader stopped".to_owned())
            }
            Err(_) => ("failed", Totals::default(), "failed: internal".to_owned()),
        };
        imports::finish(&mut tx, &import_id, &self.stamp(), status).await?;
        let event = Event { action: "lead.import", object: &object, outcome: &outcome, subject: None };
        audit::append(&mut tx, &self.stamp(), &self.actor, &event).await?;
        tx.commit().await?;
        tracing::info!(status, rows = totals.rows_read, imported = totals.imported, "import finished");
        Ok(result?.0)
    }

    /// Imports left running by a process that ended mid-way (a crash, a kill) are marked interrupted,
    /// on record, when no other process holds the workspace: running the same file again completes
    /// them. Called at every open.
    /// Returns the ids of those it marked.
    pub(super) async fn mark_interrupted_imports(&self) -> Result<Vec<String>, Error> {
        if !imports::any_running(self.store.pool()).await? {
            return Ok(Vec::new());
        }
        // Another process importing right now holds the lock: its import is not interrupted. Only
        // with the lock held is what is still running known to be left over.
        let Some(_checking) = super::lock::try_take(&self.dir, "looking for interrupted imports")? else {
            return Ok(Vec::new());
        };
        let mut tx = self.store.write().await?;
        let interrupted = imports::mark_interrupted(&mut tx, &self.stamp()).await?;
        for (id, client_id) in &interrupted {
            let object = format!("import {id} into client:{client_id}");
            let event = Event { action: "lead.import", object: &object, outcome: "interrupted", subject: None };
            audit::append(&mut tx, &self.stamp(), &self.actor, &event).await?;
        }
        tx.commit().await?;
        Ok(interrupted.into_iter().map(|(id, _)| id).collect())
    }

    /// The imports, newest first: what each read and did, and those a crash interrupted.
    pub async fn imports(&self) -> Result<Vec<ImportRecord>, Error> {
        Ok(imports::list(self.store.pool()).await?)
    }

    /// Runs an import again from the file and into the client it had: what it stored is recognised,
    /// so an interrupted import is completed.
    pub async fn import_again(
        &self,
        import_id: &str,
        progress: &(dyn Fn(Progress) + Send + Sync),
        cancel: Arc<AtomicBool>,
    ) -> Result<ImportSummary, Error> {
        let (path, client) = self.import_source(import_id).await?;
        self.import_file(&path, &client, progress, cancel).await
    }

    /// The file and the client of an earlier import, to run it again.
    pub async fn import_source(&self, import_id: &str) -> Result<(std::path::PathBuf, String), Error> {
        let Some(record) = self.imports().await?.into_iter().find(|i| i.id == import_id) else {
            return Err(Error::Invalid(format!("No import has id {import_id}; the list of imports shows their ids.")));
        };
        match record.path.filter(|p| !p.is_empty()) {
            Some(path) => Ok((path.into(), record.client)),
            None => Err(Error::Invalid(format!(
                "Import {import_id} was recorded without the file's place; import {} again by choosing it.",
                record.file_name
            ))),
        }
    }

    /// Whether the leads wait to be indexed again under newer rules of finding identifiers (once,
    /// after an upgrade). Until they are, erasure, correction and purges wait.
    pub async fn reindex_pending(&self) -> Result<bool, Error> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(crate::leads::maintain::reindex_pending(&mut conn).await?)
    }

    /// Indexes every lead again under the current rules of finding identifiers, reporting (done,
    /// total) after each chunk; an interrupted run goes on where it stopped. On record.
    pub async fn reindex(&self, progress: &(dyn Fn(u64, u64) + Send + Sync)) -> Result<u64, Error> {
        if !self.reindex_pending().await? {
            return Ok(0);
        }
        let done = self.index_again(None, progress).await?;
        self.record("lead.reindex", &format!("{done} leads indexed again under the current rules"), "ok", None).await?;
        Ok(done)
    }

    /// Indexes again one client's leads (by its number), or all that wait under older rules.
    pub(super) async fn index_again(
        &self,
        client_num: Option<i64>,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<u64, Error> {
        let mut bulk = self.store.bulk().await?;
        let hasher = self.hasher.clone();
        let done = bulk
            .direct(|conn| {
                let done = crate::leads::identifiers::reindex_all(conn, &hasher, client_num, progress);
                if done.is_err() && !conn.is_autocommit() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
                done
            })
            .await;
        bulk.finish().await?;
        Ok(done??)
    }

    /// A page of the review table. Paging is not audited one page at a time; opening a lead is.
    pub async fn leads_page(&self, filter: &Filter, order: &Order, page: &PageRequest) -> Result<LeadPage, Error> {
        Ok(query::page(self.store.pool(), filter, order, page).await?)
    }

    pub async fn leads_count(&self, filter: &Filter) -> Result<i64, Error> {
        Ok(query::count(self.store.pool(), filter).await?)
    }

    pub async fn lead_detail(&self, id: i64) -> Result<LeadDetail, Error> {
        let lead = query::detail(self.store.pool(), id).await?.ok_or(Error::NoSuchLead(id))?;
        let subject = lead.meta_id.as_deref().map(|m| hex::encode(self.hasher.hash(IdKind::LeadId, m)));
        self.record("lead.view", &format!("lead:{id}"), "ok", subject.as_deref()).await?;
        Ok(lead)
    }

    /// Leads in full, newest first, for the command line.
    pub async fn list_leads(&self, filter: &Filter, limit: u32, offset: u64) -> Result<Vec<LeadDetail>, Error> {
        let leads = query::details(self.store.pool(), filter, limit, offset).await?;
        self.record("lead.list", &describe(filter), &format!("ok: {} leads", leads.len()), None).await?;
        Ok(leads)
    }

    /// Writes the filtered leads to a CSV or XLSX file: Meta's columns, then every answer key.
    /// An existing file at `dest` is replaced only with `replace`.
    pub async fn export_leads(&self, filter: &Filter, dest: &Path, replace: bool) -> Result<Export, Error> {
        let pool = self.store.pool();
        let keys = query::answer_keys(pool, filter).await?;
        let mut table = Table::create(dest, replace)?;
        let partial = table.partial();
        self.note_partial(&partial, true).await?;
        let mut header: Vec<&str> = META_COLUMNS.iter().chain(&PROVENANCE_COLUMNS).copied().collect();
        header.extend(keys.iter().map(String::as_str));
        table.row(header)?;
        let written = async {
            let (mut rows, mut after) = (0u64, 0i64);
            loop {
                let chunk = query::chunk(pool, filter, after, EXPORT_CHUNK).await?;
                let Some(last) = chunk.last() else { return Ok::<u64, Error>(rows) };
                after = last.id;
                for lead in &chunk {
                    table.row(export_row(lead, &keys).iter().map(String::as_str))?;
                    rows += 1;
                }
            }
        }
        .await;
        let rows = match written {
            Ok(rows) => rows,
            Err(e) => {
                table.abandon();
                self.note_partial(&partial, false).await?;
                return Err(e);
            }
        };
        let finished = table.finish();
        self.note_partial(&partial, false).await?;
        let path = finished?;
        let object = format!("{} to {}", describe(filter), audit::file_ref(&file_name(dest)));
        self.record("lead.export", &object, &format!("ok: {rows} leads"), None).await?;
        Ok(Export { path: path.display().to_string(), rows })
    }

    /// Every lead that holds this identifier, found through the identity index.
    pub async fn find_leads(&self, kind: IdKind, value: &str, country: Option<&str>) -> Result<Lookup, Error> {
        let entries: Vec<(IdKind, String)> = match kind {
            IdKind::Phone => {
                let mut conn = self.store.pool().acquire().await?;
                let countries = match country {
                    Some(c) => vec![c.to_owned()],
                    None => clients::phone_countries(&mut conn, None).await?,
                };
                crate::identity::phone_entries(value, &countries.iter().map(String::as_str).collect::<Vec<_>>())
            }
            kind => crate::identity::normalise(kind, value, country).map(|n| (kind, n)).into_iter().collect(),
        };
        let Some((first_kind, first)) = entries.first() else {
            return Err(Error::Invalid(
                "That is not a usable identifier: check the spelling, and give phone numbers with their country code."
                    .into(),
            ));
        };
        let hash = self.hasher.hash(*first_kind, first);
        let hashes: Vec<_> = entries.iter().map(|(kind, normalised)| self.hasher.hash(*kind, normalised)).collect();
        let ids = query::by_identities(&mut *self.store.pool().acquire().await?, &hashes).await?;
        let mut leads = Vec::new();
        for id in ids {
            leads.extend(query::detail(self.store.pool(), id).await?);
        }
        self.record("lead.find", "identity index", &format!("ok: {} leads", leads.len()), Some(&hex::encode(hash)))
            .await?;
        Ok(Lookup { leads })
    }

    /// Appends an audit entry on its own, for operations that change nothing else.
    async fn record(&self, action: &str, object: &str, outcome: &str, subject: Option<&str>) -> Result<(), Error> {
        let mut tx = self.store.write().await?;
        audit::append(&mut tx, &self.stamp(), &self.actor, &Event { action, object, outcome, subject }).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// After Meta's own columns: where each lead came from.
const PROVENANCE_COLUMNS: [&str; 4] = ["is_test", "client", "source_file", "source_line"];

fn export_row(l: &LeadDetail, keys: &[String]) -> Vec<String> {
    let mut row: Vec<String> = l.meta_values().map(str::to_owned).to_vec();
    row.extend([l.is_test.to_string(), l.client.clone(), l.source_file.clone(), l.source_line.to_string()]);
    row.extend(keys.iter().map(|k| l.answers.iter().find(|(q, _)| q == k).map(|(_, a)| a.clone()).unwrap_or_default()));
    row
}

/// The filter as the audit trail records it: which fields narrowed the set, never search text.
fn describe(f: &Filter) -> String {
    let mut parts = vec!["leads".to_owned()];
    if let Some(c) = &f.client_id {
        parts.push(format!("client:{c}"));
    }
    for (name, set) in [
        ("form", f.form.is_some()),
        ("campaign", f.campaign.is_some()),
        ("platform", f.platform.is_some()),
        ("organic", f.organic.is_some()),
        ("since", f.since.is_some()),
        ("until", f.until.is_some()),
        ("search", f.search.is_some()),
    ] {
        if set {
            parts.push(format!("by {name}"));
        }
    }
    parts.join(" ")
}
