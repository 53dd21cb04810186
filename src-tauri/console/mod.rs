//! The Console: one handle on a data directory and the operations a person can perform on it.
//!
//! The desktop commands and the CLI subcommands both call these methods and nothing else, so an
//! operation behaves the same from either. Every change is written together with its audit entry in
//! one transaction.

mod app_lock;
mod breaches;
mod capi;
mod chat;
mod consent;
mod crm;
mod crm_oauth;
mod crm_push;
mod crm_stages;
mod doctor;
mod error;
mod leads;
pub mod lock;
mod login;
mod meta;
mod pages;
mod pixels;
mod requests;
mod retention;
mod sync;
pub mod workspace;
mod workspace_removal;

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Timelike};
use serde::Serialize;
use sqlx::{Sqlite, Transaction};
use ts_rs::TS;

pub use crate::chat::threads::Window;
pub use crate::leads::imports::ImportRecord;
pub use crate::retention::runs::PurgeRun;
pub use breaches::BreachForm;
pub use capi::{CapiImport, CapiPreview, CapiSendReport, ClientSend, PreviewEvent, RowProblem};
pub use chat::{ChatFileKind, ChatImport, ChatSyncReport, ChatSynced, ChatWith};
pub use consent::{ConsentChange, ConsentOf};
pub use crm::{CrmConnection, CrmForm, CrmPreview, KeptMapping};
pub use crm_oauth::{CrmApp, CrmAppForm, SignIn};
pub use crm_push::{ConnectionPush, PushFailure, PushLog, PushProgress, PushReport};
pub use crm_stages::{StageReading, StageRule};
pub use doctor::{doctor, Check, Report, Status};
pub use error::{ApiError, Code, Error};
pub use leads::{Export, Lookup};
pub use login::{LoggedIn, LoginDialog};
pub use meta::{Disconnected, MetaApp, MetaAppForm, MetaConnection, TokenHealth};
pub use pages::{MetaForm, MetaPage, RefreshedForms, RefreshedPages};
pub use pixels::{BulkRow, PixelBulk, PixelChange, PixelGrantee};
pub use requests::{ErasePreview, Erased, Rectified, RequestForm};
pub use retention::{HoldForm, PurgeReport, PurgeSchedule, PURGE_EVERY};
pub use sync::{FormSynced, SyncProgress, SyncReport};
pub use workspace_removal::WorkspaceDeleted;

use crate::audit::{self, AuditEntry, Event, Verification};
use crate::clients::{self, Client, Holdings};
use crate::clock::{Moment, SharedClock};
use crate::identity::Hasher;
use crate::leads::maintain::Indexing;
use crate::personal_data::registry::HOLDERS;
use crate::personal_data::{DataKind, Held, Scope};
use crate::requests::RequestUrgency;
use crate::store::Store;

pub struct Console {
    store: Store,
    workspace_id: String,
    dir: PathBuf,
    actor: String,
    hasher: Hasher,
    clock: SharedClock,
    /// Imports this open found left running by a process that ended mid-way.
    interrupted: Vec<String>,
    /// How patiently calls to Meta retry and wait: Meta's defaults, shortened by tests.
    graph_pacing: std::sync::Mutex<crate::meta::Pacing>,
    /// How calls to the CRMs wait and retry.
    crm_pacing: std::sync::Mutex<crate::pacing::Pacing>,
    /// Facebook Logins begun and not yet finished, by their `state`.
    logins: std::sync::Mutex<Vec<login::Pending>>,
    /// The desktop window's lock; open (letting everything through) until the window starts it.
    lock: crate::app_lock::gate::Gate,
    /// One passphrase checked at a time, so that tries sent together still pause after too many.
    unlocking: tokio::sync::Mutex<()>,
}

/// What the Dashboard shows at a glance.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Overview {
    pub workspace_id: String,
    pub data_dir: String,
    /// Custodian's version and the commit it was built from, as `--version` prints them.
    pub version: String,
    #[ts(type = "number")]
    pub clients: i64,
    #[ts(type = "number")]
    pub audit_entries: i64,
    /// Data-subject requests not yet closed.
    #[ts(type = "number")]
    pub requests_open: i64,
    /// Open requests due within the next 7 days, today included.
    #[ts(type = "number")]
    pub requests_due_this_week: i64,
    #[ts(type = "number")]
    pub requests_overdue: i64,
    /// What is held, per kind and client, from the registry of kinds of personal data.
    pub held: Vec<Holding>,
}

/// How much of one kind of data is held, for one client or (with `client` null) for the workspace.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Holding {
    pub kind: DataKind,
    pub label: String,
    pub client: Option<String>,
    #[ts(type = "number")]
    pub count: i64,
}

/// What removing a client deleted.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Removal {
    pub client: Client,
    pub removed: Vec<Held>,
    /// How many of its records were deleted where they were also kept (its CRMs).
    #[ts(type = "number")]
    pub deleted_elsewhere: i64,
}

impl Console {
    /// Opens the workspace in `dir`, creating it (and its key in the keychain) when `dir` is new.
    /// Every time it records or decides by comes from `clock`.
    pub async fn open(dir: &Path, clock: SharedClock) -> Result<Self, Error> {
        let opened = workspace::open(dir).await?;
        let store = Store::open(&dir.join(workspace::DATABASE_FILE), &opened.key, opened.create).await?;
        crate::leads::maintain::at_open(&store).await?;
        let hasher = Hasher::new(&workspace::identity_key(&opened.id, &store).await?);
        let swept = crate::export_file::sweep(store.pool()).await?;
        if swept > 0 {
            tracing::info!(swept, "removed partial export files a crash left behind");
        }
        tracing::info!(workspace = %opened.id, created = opened.create, "workspace opened");
        let clock_now = clock.now();
        let mut console = Self {
            store,
            workspace_id: opened.id,
            dir: dir.to_owned(),
            actor: actor(),
            hasher,
            clock,
            interrupted: Vec::new(),
            graph_pacing: std::sync::Mutex::new(crate::meta::Pacing::default()),
            crm_pacing: std::sync::Mutex::new(crate::pacing::Pacing::default()),
            logins: std::sync::Mutex::new(Vec::new()),
            lock: crate::app_lock::gate::Gate::open(clock_now),
            unlocking: tokio::sync::Mutex::new(()),
        };
        console.interrupted = console.mark_interrupted_imports().await?;
        Ok(console)
    }

    /// The Console's current time.
    pub fn now(&self) -> Moment {
        self.clock.now()
    }

    /// Today's date. Request deadlines and holds count calendar days in UTC.
    pub(super) fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// The current time as stored: RFC 3339, UTC, milliseconds.
    pub(super) fn stamp(&self) -> String {
        let t = self.now();
        rfc3339(t.with_nanosecond(t.nanosecond() / 1_000_000 * 1_000_000).unwrap_or(t))
    }

    /// The imports this open found interrupted (by a crash or a kill), to offer running them again.
    pub fn interrupted_imports(&self) -> &[String] {
        &self.interrupted
    }

    pub fn workspace_id(&self) -> &str {
        &self.workspace_id
    }

    pub fn data_dir(&self) -> &Path {
        &self.dir
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Sets how patiently calls to Meta retry and wait (tests shorten the waits).
    /// How calls to the CRMs wait and retry: for tests that script faults, and benchmarks.
    pub fn set_crm_pacing(&self, pacing: crate::pacing::Pacing) {
        *self.crm_pacing.lock().unwrap_or_else(|e| e.into_inner()) = pacing;
    }

    pub(super) fn crm_pacing(&self) -> crate::pacing::Pacing {
        self.crm_pacing.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_graph_pacing(&self, pacing: crate::meta::Pacing) {
        *self.graph_pacing.lock().unwrap_or_else(|e| e.into_inner()) = pacing;
    }

    /// The identity index's hasher, for lookups that bypass the audited operations (benchmarks).
    pub fn hasher(&self) -> &Hasher {
        &self.hasher
    }

    pub async fn overview(&self) -> Result<Overview, Error> {
        let pool = self.store.pool();
        let requests = self.list_requests().await?;
        let open = requests.iter().filter(|r| !r.status.is_closed());
        let count = |urgency: RequestUrgency| open.clone().filter(|r| r.urgency == urgency).count() as i64;
        Ok(Overview {
            workspace_id: self.workspace_id.clone(),
            data_dir: self.dir.display().to_string(),
            version: crate::VERSION.to_owned(),
            clients: clients::count(pool).await?,
            audit_entries: audit::count(pool).await?,
            requests_open: open.clone().count() as i64,
            requests_due_this_week: count(RequestUrgency::DueSoon),
            requests_overdue: count(RequestUrgency::Overdue),
            held: self.holdings().await?,
        })
    }

    /// Every kind's count, per client for a kind kept per client; only what is held.
    async fn holdings(&self) -> Result<Vec<Holding>, Error> {
        let clients = clients::list(self.store.pool()).await?;
        let mut conn = self.store.pool().acquire().await?;
        let mut held = Vec::new();
        for holder in HOLDERS {
            let scopes: Vec<Option<&Client>> = match holder.scope() {
                Scope::Client => clients.iter().map(Some).collect(),
                Scope::Workspace => vec![None],
            };
            for client in scopes {
                let count = holder.count(&mut conn, client.map(|c| c.id.as_str())).await?;
                if count > 0 {
                    let (kind, label) = (holder.kind(), holder.label().to_owned());
                    held.push(Holding { kind, label, client: client.map(|c| c.name.clone()), count });
                }
            }
        }
        Ok(held)
    }

    pub async fn list_clients(&self) -> Result<Vec<Client>, Error> {
        Ok(clients::list(self.store.pool()).await?)
    }

    pub async fn add_client(&self, name: &str, country: Option<&str>) -> Result<Client, Error> {
        let name = clients::clean_name(name)?;
        let country = country.map(clients::clean_country).transpose()?;
        let mut tx = self.store.write().await?;
        let id = uuid::Uuid::new_v4().to_string();
        let result = clients::insert(&mut tx, &id, &name, &self.stamp(), country.as_deref()).await.map_err(Error::from);
        let object = match &result {
            Ok(c) => format!("client:{} \"{}\"", c.id, c.name),
            Err(_) => format!("client \"{name}\""),
        };
        self.settle(tx, "client.add", &object, result).await
    }

    pub async fn rename_client(&self, old: &str, new: &str) -> Result<Client, Error> {
        let new = clients::clean_name(new)?;
        let mut tx = self.store.write().await?;
        let client = match clients::find(&mut tx, old).await {
            Ok(c) => c,
            Err(e) => {
                return self.settle(tx, "client.rename", &format!("client \"{}\"", old.trim()), Err(e.into())).await
            }
        };
        let result = clients::rename(&mut tx, &client.id, &new).await.map_err(Error::from);
        let object = format!("client:{} \"{}\" -> \"{new}\"", client.id, client.name);
        self.settle(tx, "client.rename", &object, result).await
    }

    /// Sets (or with `None` clears) the country of a client's national phone numbers.
    pub async fn set_client_country(&self, name: &str, country: Option<&str>) -> Result<Client, Error> {
        let country = country.map(clients::clean_country).transpose()?;
        let mut tx = self.store.write().await?;
        let client = match clients::find(&mut tx, name).await {
            Ok(c) => c,
            Err(e) => {
                return self.settle(tx, "client.country", &format!("client \"{}\"", name.trim()), Err(e.into())).await
            }
        };
        if let Some(e) = still_indexing(&mut tx, "set the country when it has finished").await? {
            return self.settle(tx, "client.country", &format!("client:{}", client.id), Err(e)).await;
        }
        let result = clients::set_country(&mut tx, &client.id, country.as_deref()).await.map_err(Error::from);
        let object =
            format!("client:{} \"{}\" country {}", client.id, client.name, country.as_deref().unwrap_or("none"));
        // An import holds the lock while it runs: its leads are placed with the country it read.
        let _indexing = lock::take(&self.dir, &format!("indexing client {}'s leads again", client.name))?;
        let client = self.settle(tx, "client.country", &object, result).await?;
        // National phone numbers can now be placed (or no longer can): index its leads again.
        let num = clients::num(self.store.pool(), &client.id).await?;
        self.index_again(Some(num), &|_, _| {}).await?;
        Ok(client)
    }

    /// What removing the client would delete, for the confirmation a person sees first.
    pub async fn client_holdings(&self, name: &str) -> Result<Holdings, Error> {
        let mut conn = self.store.pool().acquire().await?;
        let client = clients::find(&mut conn, name).await?;
        Ok(clients::holdings::of(&mut conn, HOLDERS, client).await?)
    }

    /// Removes the client and everything it holds. Without `confirmed` nothing changes and the
    /// error says what would be deleted. A client with records in its CRMs is removed only once
    /// `elsewhere` says whether to leave them there or delete them there too; deleting them
    /// happens first, and the client goes only once every one of them is gone.
    pub async fn remove_client(
        &self,
        name: &str,
        confirmed: bool,
        elsewhere: Option<crate::clients::holdings::Elsewhere>,
    ) -> Result<Removal, Error> {
        let deleting = confirmed && elsewhere == Some(crate::clients::holdings::Elsewhere::Delete);
        // Deleting in the CRMs and removing here are one piece of work: no push (which takes the
        // same lock) may send the client's leads in between, whose records would then be left.
        let _removing =
            if deleting { Some(lock::take(&self.dir, "removing a client and its CRM records")?) } else { None };
        let deleted_elsewhere = if deleting { self.delete_client_elsewhere(name).await? } else { 0 };
        let mut tx = self.store.write().await?;
        let client = match clients::find(&mut tx, name).await {
            Ok(c) => c,
            Err(e) => {
                return self.settle(tx, "client.remove", &format!("client \"{}\"", name.trim()), Err(e.into())).await
            }
        };
        // Holds are checked against the leads' own identifier columns, which an import fills at once;
        // only leads still to be indexed again under newer rules could hide a held identifier.
        if crate::leads::maintain::reindex_pending(&mut tx).await? {
            let e = Error::Conflict(
                "The leads are still being indexed again after an upgrade; remove the client when it has finished, \
                 so that no hold is missed."
                    .into(),
            );
            return self.settle(tx, "client.remove", &format!("client:{}", client.id), Err(e)).await;
        }
        if let Some(hold) = crate::retention::holds::blocking_client(&mut tx, HOLDERS, &client.id, self.today()).await?
        {
            let e = Error::Held(format!(
                "Client '{}' cannot be removed: {} keeps its data (GDPR Art. 17(3)(e)). Nothing was deleted. \
                 Lift the hold when it no longer applies, then remove the client.",
                client.name,
                hold.describe()
            ));
            let object = format!("client:{} \"{}\"", client.id, client.name);
            return self.settle(tx, "client.remove", &object, Err(e)).await;
        }
        let holdings = clients::holdings::of(&mut tx, HOLDERS, client.clone()).await?;
        let there: i64 = holdings.elsewhere.iter().map(|h| h.count).sum();
        let asked = " Say whether to leave them there (only what Custodian knows of them goes) or to delete them \
                     there too.";
        if !confirmed {
            let message = format!("Removing client '{}' also deletes {}.", client.name, holdings.describe());
            return Err(if there > 0 {
                Error::ChoiceRequired(format!("{message} {there} of its records are in its CRMs.{asked}"))
            } else {
                Error::ConfirmationRequired(message)
            });
        }
        match (there, elsewhere) {
            (0, _) | (_, Some(crate::clients::holdings::Elsewhere::Leave)) => {}
            (_, None) => {
                return Err(Error::ChoiceRequired(format!(
                    "Client '{}' has {there} records in its CRMs.{asked}",
                    client.name
                )))
            }
            (_, Some(crate::clients::holdings::Elsewhere::Delete)) => {
                return Err(Error::Conflict(format!(
                    "Leads of client '{}' were sent to its CRMs while their records there were being deleted; \
                     nothing Custodian holds was removed. Remove the client again.",
                    client.name
                )))
            }
        }
        // Only holds that have ended can be left on a client being removed: they go with it, on record.
        let ended = crate::retention::holds::on_client_count(&mut tx, &client.id).await?;
        let result = clients::delete(&mut tx, HOLDERS, &client.id).await.map_err(Error::from);
        let mut object = format!("client:{} \"{}\" with {}", client.id, client.name, holdings.describe());
        if ended > 0 {
            object.push_str(&format!(" and {ended} ended legal holds"));
        }
        if deleted_elsewhere > 0 {
            object.push_str(&format!(", {deleted_elsewhere} records deleted in its CRMs first"));
        } else if there > 0 {
            object.push_str(&format!(", {there} records left in its CRMs"));
        }
        let removed = Removal { client, removed: holdings.held, deleted_elsewhere };
        let removed = self.settle(tx, "client.remove", &object, result.map(|()| removed)).await?;
        // The removed records' old page images are in the WAL until a checkpoint.
        self.empty_wal().await?;
        Ok(removed)
    }

    /// Deletes the client's records where they are also kept (its CRMs), unless a legal hold keeps
    /// the client's data; each deleted is forgotten here, so that trying again resumes. Refused,
    /// with nothing of the client removed, when any could not be deleted.
    async fn delete_client_elsewhere(&self, name: &str) -> Result<i64, Error> {
        let client = {
            let mut conn = self.store.pool().acquire().await?;
            let client = clients::find(&mut conn, name).await?;
            // The removal that follows says which hold keeps the client, or that leads are still
            // being indexed (when a hold could be missed), and refuses.
            if crate::leads::maintain::reindex_pending(&mut conn).await?
                || crate::retention::holds::blocking_client(&mut conn, HOLDERS, &client.id, self.today())
                    .await?
                    .is_some()
            {
                return Ok(0);
            }
            client
        };
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let mut done = crate::personal_data::DeletedElsewhere::default();
        for holder in HOLDERS {
            let d = holder.delete_elsewhere(self.store.pool(), &self.workspace_id, &client.id, &cancel).await?;
            done.deleted += d.deleted;
            done.not_deleted += d.not_deleted;
            done.reasons.extend(d.reasons);
        }
        if done.deleted == 0 && done.not_deleted == 0 {
            return Ok(0);
        }
        let object = format!(
            "client:{} \"{}\": {} records deleted in its CRMs, {} not deleted{}",
            client.id,
            client.name,
            done.deleted,
            done.not_deleted,
            if done.reasons.is_empty() { String::new() } else { format!(" ({})", done.reasons.join("; ")) }
        );
        let tx = self.store.write().await?;
        self.settle(tx, "client.delete_elsewhere", &object, Ok(())).await?;
        if done.not_deleted > 0 {
            return Err(Error::NotDeletedElsewhere(format!(
                "{} records of client '{}' in its CRMs could not be deleted ({}); {} were. Nothing Custodian holds \
                 about the client was removed: try again when the CRM can be reached, or leave the rest there.",
                done.not_deleted,
                client.name,
                done.reasons.join("; "),
                done.deleted
            )));
        }
        Ok(done.deleted)
    }

    /// Newest first; `before` continues from the last `seq` of the previous page.
    pub async fn audit_list(&self, limit: i64, before: Option<i64>) -> Result<Vec<AuditEntry>, Error> {
        Ok(audit::list(self.store.pool(), limit.clamp(1, 10_000), before).await?)
    }

    pub async fn audit_verify(&self) -> Result<Verification, Error> {
        Ok(audit::verify(self.store.pool()).await?)
    }

    /// Empties the WAL after deleting personal data: the old page images stay in it until a
    /// checkpoint. Readers on an older snapshot can hold it; tries for two seconds, then says so.
    pub(super) async fn empty_wal(&self) -> Result<bool, Error> {
        for _ in 0..40 {
            if self.store.checkpoint().await? {
                return Ok(true);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        Ok(false)
    }

    /// Notes (or, when done, forgets) the partial file of an export being written, in a transaction
    /// of its own, so that one a crash leaves is removed at the next open.
    pub(super) async fn note_partial(&self, partial: &Path, writing: bool) -> Result<(), Error> {
        let mut tx = self.store.write().await?;
        if writing {
            crate::export_file::remember(&mut tx, partial).await?;
        } else {
            crate::export_file::forget(&mut tx, partial).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.store.close().await;
    }

    /// Records the outcome of a change in the audit trail and commits. A refusal (a name taken, a
    /// client not found) is recorded too; SQLite has already undone the refused statement, so the
    /// transaction then holds only the audit entry. Internal failures roll everything back.
    pub(super) async fn settle<T>(
        &self,
        tx: Transaction<'static, Sqlite>,
        action: &str,
        object: &str,
        result: Result<T, Error>,
    ) -> Result<T, Error> {
        self.settle_about(tx, action, object, None, result).await
    }

    /// As `settle`, naming the person the change is about by their keyed hash.
    pub(super) async fn settle_about<T>(
        &self,
        mut tx: Transaction<'static, Sqlite>,
        action: &str,
        object: &str,
        subject: Option<&str>,
        result: Result<T, Error>,
    ) -> Result<T, Error> {
        let outcome = match &result {
            Ok(_) => "ok".to_owned(),
            Err(e) if e.code() == Code::Internal => return result,
            Err(e) => format!("refused: {}", e.code().as_str()),
        };
        let event = Event { action, object, outcome: &outcome, subject };
        audit::append(&mut tx, &self.stamp(), &self.actor, &event).await?;
        tx.commit().await?;
        tracing::info!(action, outcome = %outcome, "change recorded");
        result
    }
}

/// A refusal when leads are still being indexed (an import's identifiers wait in runs, or the leads
/// wait to be indexed again under newer rules), for operations that must see every identifier:
/// `then` says what to do once it has finished.
pub(super) async fn still_indexing(tx: &mut sqlx::SqliteConnection, then: &str) -> Result<Option<Error>, Error> {
    Ok(crate::leads::maintain::indexing(tx).await?.map(|why| {
        Error::Conflict(match why {
            Indexing::Importing => format!("An import is still indexing its leads; {then}."),
            Indexing::Reindexing => format!("The leads are still being indexed again after an upgrade; {then}."),
        })
    }))
}

/// A moment as RFC 3339, as every time the Console records or reports is written.
pub(super) fn rfc3339(t: Moment) -> String {
    crate::clock::rfc3339(t)
}

/// The operating-system user, who is the actor in the audit trail.
fn actor() -> String {
    let name = whoami::username();
    if name.is_empty() {
        "unknown".into()
    } else {
        name
    }
}
