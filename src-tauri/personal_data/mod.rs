//! The kinds of personal data Custodian holds, and the one trait through which every other part
//! reaches them.
//!
//! Requests (find, export, rectify, erase), retention (review and purge), a client's removal and
//! the Dashboard walk the holders in [`registry::HOLDERS`] and never name a kind. To hold a new
//! kind of personal data, implement [`Holder`] in one module, name the kind in [`DataKind`], and
//! add its line to the registry.

pub mod registry;

use async_trait::async_trait;
use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use ts_rs::TS;

use crate::audit::Anchor;
use crate::identity::{Hasher, IdKind, Identifier, IdentityHash};
use crate::requests::remote::{PendingStep, RemoteAnswer};
use crate::store::StoreError;

/// A kind of personal data Custodian holds. Each has one holder in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, TS, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum DataKind {
    Leads,
    /// Spelled as client holdings always named it.
    #[serde(rename = "imports")]
    #[value(name = "imports", alias = "import-records", alias = "import_records")]
    ImportRecords,
    #[value(alias = "request-records")]
    RequestRecords,
    #[value(alias = "audit-entries")]
    AuditEntries,
    /// A person's leads as Meta still holds them.
    #[value(alias = "leads-at-meta")]
    LeadsAtMeta,
    /// A person's records in the clients' CRMs, as Custodian sent them there.
    #[value(alias = "crm-records")]
    CrmRecords,
    /// Conversion events queued for, and sent to, Meta's Conversions API: the event log.
    #[value(alias = "conversion-events")]
    ConversionEvents,
    /// Messenger, Instagram and WhatsApp threads and their messages.
    Conversations,
    /// Opt-ins and opt-outs of marketing channels, with their proof.
    Consent,
    /// The breach register: each breach's record, with the people it affected as keyed hashes.
    #[value(alias = "breach-lists")]
    BreachLists,
}

impl DataKind {
    /// The stable name exports, receipts and retention policies use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Leads => "leads",
            Self::ImportRecords => "imports",
            Self::RequestRecords => "request_records",
            Self::AuditEntries => "audit_entries",
            Self::LeadsAtMeta => "leads_at_meta",
            Self::CrmRecords => "crm_records",
            Self::ConversionEvents => "conversion_events",
            Self::Conversations => "conversations",
            Self::Consent => "consent",
            Self::BreachLists => "breach_lists",
        }
    }
}

/// Whom a kind's records belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Each record belongs to one client: counted, kept and removed per client.
    Client,
    /// The records belong to the workspace as a whole.
    Workspace,
}

/// How many records of one kind: what a client's removal or an erasure deleted, or what a client
/// holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
pub struct Held {
    pub kind: DataKind,
    pub label: String,
    #[ts(type = "number")]
    pub count: i64,
}

/// What deleting a client's records where they are kept elsewhere came to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeletedElsewhere {
    pub deleted: i64,
    /// Records not deleted there, and why, in Custodian's words.
    pub not_deleted: i64,
    pub reasons: Vec<String>,
}

/// One record about a person, with every field it holds and where it came from: what a search
/// finds, an access request exports, and an erasure or a correction acts on.
#[derive(Debug, Clone, Serialize, TS)]
pub struct HeldRecord {
    /// The record's id within its kind.
    pub id: String,
    pub client: Option<String>,
    /// Where it came from, in words: "spring.csv, line 12, imported 2026-11-02T10:00:00Z".
    pub source: String,
    /// When it was created at its source, RFC 3339.
    pub created: Option<String>,
    /// Every field, as stored.
    pub fields: Vec<(String, String)>,
    /// For a record kept elsewhere (at Meta): when it was read there, live, RFC 3339. `None` for
    /// what is held here, and for what could not be read there just now.
    pub fetched_at: Option<String>,
    /// The person's identifiers found on the record, each with its keyed hash, to widen a search.
    #[serde(skip)]
    #[ts(skip)]
    pub identifiers: Vec<(Identifier, IdentityHash)>,
}

/// A correction of one field.
#[derive(Debug, Clone)]
pub struct Correction {
    pub field: String,
    pub value: String,
    /// The rectification request it is for, which records any step taken elsewhere.
    pub request_id: i64,
    /// The person's keyed hashes: a correction is not sent on to a third party about a person who
    /// restricted processing or objected.
    pub person: Vec<IdentityHash>,
    /// When, RFC 3339.
    pub at: String,
}

/// The erasure a holder erases for.
#[derive(Debug, Clone, Copy)]
pub struct Erasing<'a> {
    pub request_id: i64,
    /// When, RFC 3339.
    pub at: &'a str,
}

/// What falls due in a purge: records of the client whose id is given (for a kind kept per client)
/// older than `expiry`, unless a legal hold in force `today` covers them.
#[derive(Debug, Clone, Copy)]
pub struct Due<'a> {
    pub client_id: Option<&'a str>,
    /// Seconds since 1970: records from before it are past their period.
    pub expiry: i64,
    /// YYYY-MM-DD: holds that end before it no longer apply.
    pub today: &'a str,
    /// Whether any hold applies at all: when none does, checking each record for one is skipped.
    pub holds_apply: bool,
    /// The time a purge records, RFC 3339.
    pub at: &'a str,
}

/// What a purge step removed (or, counting, would remove).
#[derive(Debug, Clone, Default)]
pub struct Removed {
    pub count: i64,
    /// For a chain purged as a prefix: where it now starts.
    pub anchor: Option<Anchor>,
}

/// A kind of personal data and everything the rest of Custodian asks of it. Every method works in
/// the caller's connection or transaction, so that the caller's audit entry commits with it.
/// Defaults describe a kind that no identifier finds and no client owns.
#[async_trait]
pub trait Holder: Sync {
    fn kind(&self) -> DataKind;

    /// Its records in words, plural: "leads", "closed request records".
    fn label(&self) -> &'static str;

    fn scope(&self) -> Scope;

    /// The kinds of identifier its records can be found by.
    fn identified_by(&self) -> &'static [IdKind] {
        &[]
    }

    /// What an erasure of this kind cannot reach (copies a service keeps that no API deletes),
    /// and where the person can ask for those, for the receipt to say; `None` when nothing.
    fn beyond_reach(&self) -> Option<&'static str> {
        None
    }

    /// Why a rectification does not correct records of this kind, for the person to be told;
    /// `None` for a kind whose fields are corrected.
    fn not_corrected(&self) -> Option<&'static str> {
        None
    }

    /// For a kind a retention policy governs: a query of one column `t` (seconds since 1970) and one
    /// column `held` (1 when a legal hold in force on ?9, YYYY-MM-DD, covers it) per record, of the
    /// client whose id is ?1 for a kind kept per client. `None` for a kind no policy ages.
    fn ages(&self) -> Option<&'static str> {
        None
    }

    /// For a kind kept per client: the keyed hashes of the people in the records of the client
    /// whose id is ?1, as a query, so that a legal hold on one of them keeps the client.
    fn people_of_client(&self) -> Option<&'static str> {
        None
    }

    /// For a kind kept per client: what a breach of a client's data in a window exposes, as a
    /// query of the records of the client whose id is ?1 held from ?2 up to ?3 (seconds since
    /// 1970), one row per record and keyed hash of a person it names: an integer `record`, a
    /// `person` (hashes of one record with the same `person` are one person's), and a 16-byte
    /// `hash`, NULL for a record that names no one. `None` for a kind a breach here is not counted
    /// for (kept elsewhere, or not a client's people).
    fn exposed(&self) -> Option<&'static str> {
        None
    }

    /// How many records are held: of `client_id` for a kind kept per client, of the workspace
    /// otherwise.
    async fn count(&self, conn: &mut SqliteConnection, client_id: Option<&str>) -> Result<i64, StoreError>;

    /// The records held under any of these keyed hashes.
    async fn find(
        &self,
        _conn: &mut SqliteConnection,
        _hasher: &Hasher,
        _hashes: &[IdentityHash],
    ) -> Result<Vec<HeldRecord>, StoreError> {
        Ok(Vec::new())
    }

    /// Deletes these records (as `find` returned them) and everything derived from them, leaving
    /// no trace in the database; returns how many went. A holder of data kept elsewhere records
    /// here, for the request, the remote steps that delete it there; they are taken after the
    /// local erasure has committed and never hold it up.
    async fn erase(
        &self,
        _conn: &mut SqliteConnection,
        _records: &[HeldRecord],
        _erasing: &Erasing<'_>,
    ) -> Result<i64, StoreError> {
        Ok(0)
    }

    /// For a kind kept elsewhere: these records (as `find` returned them) as the place that keeps
    /// them holds them now, read live, each with `fetched_at`; one that could not be read is
    /// returned as it was, saying why. `None` for a kind held here. Called outside any
    /// transaction: it waits on the network.
    async fn live(
        &self,
        _pool: &SqlitePool,
        _workspace_id: &str,
        _records: &[HeldRecord],
        _at: &str,
    ) -> Option<Vec<HeldRecord>> {
        None
    }

    /// Takes one remote step this holder recorded, and says how it went in words of its own (never
    /// the service's message, which may quote what it deletes).
    async fn run_remote(&self, _pool: &SqlitePool, _workspace_id: &str, _step: &PendingStep) -> RemoteAnswer {
        RemoteAnswer::Failed("no remote step is known for this kind of data".into())
    }

    /// Sets `correction.field` to the corrected value on these records wherever they hold it,
    /// keeping no trace of the old value; returns how many records changed, or why the value
    /// cannot be taken.
    async fn rectify(
        &self,
        _conn: &mut SqliteConnection,
        _hasher: &Hasher,
        _records: &[HeldRecord],
        _correction: &Correction,
    ) -> Result<Result<i64, String>, StoreError> {
        Ok(Ok(0))
    }

    /// Counts (`delete` false) or removes (`delete` true) what is due. Only called for a kind
    /// with `ages`.
    async fn purge(&self, _conn: &mut SqliteConnection, _due: &Due<'_>, _delete: bool) -> Result<Removed, StoreError> {
        Ok(Removed::default())
    }

    /// For a kind also kept elsewhere (a CRM): how many of the client's records are kept there, so
    /// that removing the client asks whether to delete them there too.
    async fn held_elsewhere(&self, _conn: &mut SqliteConnection, _client_id: &str) -> Result<i64, StoreError> {
        Ok(0)
    }

    /// Deletes the client's records where they are kept elsewhere, before the client is removed;
    /// each one deleted there is forgotten here at once, so that trying again resumes. Called
    /// outside any transaction: it waits on the network. Stops early when `cancel` is set.
    async fn delete_elsewhere(
        &self,
        _pool: &SqlitePool,
        _workspace_id: &str,
        _client_id: &str,
        _cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<DeletedElsewhere, StoreError> {
        Ok(DeletedElsewhere::default())
    }

    /// Removes every record of the client whose id is `client_id`, before the client itself goes.
    async fn remove_client(&self, _conn: &mut SqliteConnection, _client_id: &str) -> Result<(), StoreError> {
        Ok(())
    }

    /// Finishes what removals in this transaction left to do once, after all of them (a purge's
    /// steps, a client's removal).
    async fn settle_removals(&self, _conn: &mut SqliteConnection) -> Result<(), StoreError> {
        Ok(())
    }
}

/// Every holder of a kind that a person's identifiers can find, with the kinds of identifier that
/// find them, for a search that found nothing to say what could.
pub fn searchable_by(holders: &[&dyn Holder]) -> Vec<IdKind> {
    let mut kinds: Vec<IdKind> = Vec::new();
    for kind in holders.iter().flat_map(|h| h.identified_by()) {
        if !kinds.contains(kind) {
            kinds.push(*kind);
        }
    }
    kinds
}

/// Counts (`delete` false) or deletes (`delete` true) a client's records that are due: the rows
/// of `from` (a kind's table with its alias, named by the module that owns it) meeting `due_now`,
/// and, where holds apply, not meeting `held`. Both conditions name the client's id as ?1, the
/// expiry as ?2 and today as ?9, as `Holder::ages` and the hold conditions do. Nothing is due of a
/// kind kept per client without a client.
pub async fn due_records(
    conn: &mut SqliteConnection,
    from: &str,
    due_now: &str,
    held: &str,
    due: &Due<'_>,
    delete: bool,
) -> Result<i64, StoreError> {
    use sqlx::Row;
    let Some(client_id) = due.client_id else { return Ok(0) };
    let condition = if due.holds_apply { format!("{due_now} AND NOT {held}") } else { due_now.to_owned() };
    let sql = if delete {
        format!("DELETE FROM {from} WHERE {condition}")
    } else {
        format!("SELECT count(*) FROM {from} WHERE {condition}")
    };
    // ?9 is today, as the hold conditions name it; ?3 to ?8 are unused.
    let mut q = sqlx::query(&sql).bind(client_id).bind(due.expiry);
    for _ in 3..=8 {
        q = q.bind(None::<i64>);
    }
    let q = q.bind(due.today);
    Ok(if delete { q.execute(conn).await?.rows_affected() as i64 } else { q.fetch_one(conn).await?.try_get(0)? })
}

/// Counts (`delete` false) or deletes (`delete` true) the workspace's records that are due: the rows
/// of `from` (a kind's table with its alias, named by the module that owns it) meeting `due_now`,
/// and, where holds apply, not meeting `held`; both name the expiry as ?2 and today as ?9, as
/// `Holder::ages` and the hold conditions do.
pub async fn due_in_workspace(
    conn: &mut SqliteConnection,
    from: &str,
    due_now: &str,
    held: &str,
    due: &Due<'_>,
    delete: bool,
) -> Result<Removed, StoreError> {
    use sqlx::Row;
    let condition = if due.holds_apply { format!("{due_now} AND NOT {held}") } else { due_now.to_owned() };
    let sql = if delete {
        format!("DELETE FROM {from} WHERE {condition}")
    } else {
        format!("SELECT count(*) FROM {from} WHERE {condition}")
    };
    // ?9 is today, as the hold conditions name it; ?1 and ?3 to ?8 are unused.
    let mut q = sqlx::query(&sql).bind(None::<i64>).bind(due.expiry);
    for _ in 3..=8 {
        q = q.bind(None::<i64>);
    }
    let q = q.bind(due.today);
    let count =
        if delete { q.execute(conn).await?.rows_affected() as i64 } else { q.fetch_one(conn).await?.try_get(0)? };
    Ok(Removed { count, anchor: None })
}

/// What the receipt of an erasure that deleted `deleted` says is beyond its reach.
pub fn beyond_reach(deleted: &[Held]) -> Vec<String> {
    deleted
        .iter()
        .filter(|d| d.count > 0)
        .filter_map(|d| registry::holder(d.kind).beyond_reach())
        .map(str::to_owned)
        .collect()
}
