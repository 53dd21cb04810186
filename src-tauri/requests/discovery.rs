//! Finding everything held about a person: a registry of data holders. Each kind of personal data
//! joins by adding its `Holder` to `HOLDERS`; the request code only ever walks the registry.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use sqlx::SqliteConnection;
use ts_rs::TS;

use super::{IdKind, Identifier};
use crate::clients::Held;
use crate::identity::{Hasher, IdentityHash};

/// A future a holder returns, borrowing the connection it reads.
pub type Finding<'a> = Pin<Box<dyn Future<Output = Result<Vec<HeldRecord>, sqlx::Error>> + Send + 'a>>;

/// A future a holder returns when erasing, with how many records it deleted.
pub type Erasing<'a> = Pin<Box<dyn Future<Output = Result<i64, sqlx::Error>> + Send + 'a>>;

/// A kind of personal data and how to find and erase a person's records in it.
pub struct Holder {
    /// Stable name, as exports and receipts use it.
    pub kind: &'static str,
    /// For people: "leads", "messages".
    pub label: &'static str,
    /// The kinds of identifier its records can be found by.
    pub identified_by: &'static [IdKind],
    /// The records held under any of these keyed hashes.
    pub find: for<'a> fn(&'a mut SqliteConnection, &'a Hasher, &'a [IdentityHash]) -> Finding<'a>,
    /// Deletes these records (as `find` returned them) and everything derived from them, leaving
    /// no trace in the database.
    pub erase: for<'a> fn(&'a mut SqliteConnection, &'a [HeldRecord]) -> Erasing<'a>,
    /// Sets `field` to the corrected value on these records wherever they hold it, keeping no
    /// trace of the old value; returns how many records changed. An error message says why a
    /// value cannot be taken.
    pub rectify: for<'a> fn(&'a mut SqliteConnection, &'a Hasher, &'a [HeldRecord], &'a Correction) -> Rectifying<'a>,
}

/// A correction of one field.
#[derive(Debug, Clone)]
pub struct Correction {
    pub field: String,
    pub value: String,
}

/// A future a holder returns when rectifying: records changed, or why the value was refused.
pub type Rectifying<'a> = Pin<Box<dyn Future<Output = Result<Result<i64, String>, sqlx::Error>> + Send + 'a>>;

/// Every kind of data held about people. Each later capability (synced leads, messages, CRM
/// records, conversion events) adds its holder here.
pub const HOLDERS: &[Holder] = &[crate::leads::holder::LEADS];

/// One record about the person, with every field it holds and where it came from.
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
    /// The person's identifiers found on the record, each with its keyed hash, to widen a search.
    #[serde(skip)]
    #[ts(skip)]
    pub identifiers: Vec<(Identifier, IdentityHash)>,
}

/// The records of one kind of data and one client.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Group {
    pub kind: String,
    pub label: String,
    pub client: Option<String>,
    pub records: Vec<HeldRecord>,
}

/// Everything found about a request's person.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Discovery {
    #[ts(type = "number")]
    pub request_id: i64,
    /// The identifiers searched.
    pub searched: Vec<Identifier>,
    pub groups: Vec<Group>,
    /// Identifiers found on those records that were not searched: adding them finds the person
    /// whichever identifier they gave.
    pub offered: Vec<Identifier>,
}

impl Discovery {
    /// "3 leads", or "nothing".
    pub fn describe(&self) -> String {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for g in &self.groups {
            match counts.iter_mut().find(|(label, _)| *label == g.label) {
                Some((_, n)) => *n += g.records.len(),
                None => counts.push((g.label.clone(), g.records.len())),
            }
        }
        if counts.is_empty() {
            return "nothing".into();
        }
        counts.iter().map(|(label, n)| format!("{n} {label}")).collect::<Vec<_>>().join(", ")
    }

    /// The records found of one kind, whatever their client.
    fn records_of(&self, kind: &str) -> Vec<HeldRecord> {
        self.groups.iter().filter(|g| g.kind == kind).flat_map(|g| g.records.iter().cloned()).collect()
    }

    pub fn records(&self) -> usize {
        self.groups.iter().map(|g| g.records.len()).sum()
    }
}

/// Walks every holder for the records under `searched`, grouped by kind and client. Also returns
/// the offered identifiers with their keyed hashes.
pub async fn find(
    conn: &mut SqliteConnection,
    hasher: &Hasher,
    request_id: i64,
    searched: &[(Identifier, IdentityHash)],
) -> Result<(Discovery, Vec<(Identifier, IdentityHash)>), sqlx::Error> {
    let hashes: Vec<IdentityHash> = searched.iter().map(|(_, h)| *h).collect();
    let mut groups: Vec<Group> = Vec::new();
    let mut offered: Vec<(Identifier, IdentityHash)> = Vec::new();
    for holder in HOLDERS {
        for record in (holder.find)(conn, hasher, &hashes).await? {
            for (identifier, hash) in &record.identifiers {
                if !hashes.contains(hash) && !offered.iter().any(|(_, h)| h == hash) {
                    offered.push((identifier.clone(), *hash));
                }
            }
            match groups.iter_mut().find(|g| g.kind == holder.kind && g.client == record.client) {
                Some(g) => g.records.push(record),
                None => groups.push(Group {
                    kind: holder.kind.into(),
                    label: holder.label.into(),
                    client: record.client.clone(),
                    records: vec![record],
                }),
            }
        }
    }
    let discovery = Discovery {
        request_id,
        searched: searched.iter().map(|(i, _)| i.clone()).collect(),
        groups,
        offered: offered.iter().map(|(i, _)| i.clone()).collect(),
    };
    Ok((discovery, offered))
}

/// Why a search found nothing, and what to do: the identifiers searched, and the kinds of
/// identifier that can find what is held.
pub fn nothing_found(found: &Discovery) -> String {
    let searched: Vec<&str> = found.searched.iter().map(|i| i.kind.label()).collect();
    let mut could: Vec<&str> = HOLDERS.iter().flat_map(|h| h.identified_by.iter().map(|k| k.label())).collect();
    could.dedup();
    format!(
        "Nothing held is found under the identifiers of request {} ({}). What is held here is found by {}: \
         add one the person gave and search again, or close the request as nothing held.",
        found.request_id,
        if searched.is_empty() { "none".to_owned() } else { searched.join(", ") },
        could.join(", ")
    )
}

/// Erases every record found, holder by holder, in the caller's transaction. Returns the counts
/// deleted by kind.
pub async fn erase(conn: &mut SqliteConnection, found: &Discovery) -> Result<Vec<Held>, sqlx::Error> {
    let mut deleted = Vec::new();
    for holder in HOLDERS {
        let records = found.records_of(holder.kind);
        if records.is_empty() {
            continue;
        }
        let count = (holder.erase)(conn, &records).await?;
        deleted.push(Held { kind: holder.kind.into(), label: holder.label.into(), count });
    }
    Ok(deleted)
}

/// Applies a correction to every record found, holder by holder, in the caller's transaction.
/// Returns the counts changed by kind, or why the value was refused.
pub async fn rectify(
    conn: &mut SqliteConnection,
    hasher: &Hasher,
    found: &Discovery,
    correction: &Correction,
) -> Result<Result<Vec<Held>, String>, sqlx::Error> {
    let mut changed = Vec::new();
    for holder in HOLDERS {
        let records = found.records_of(holder.kind);
        if records.is_empty() {
            continue;
        }
        match (holder.rectify)(conn, hasher, &records, correction).await? {
            Ok(0) => {}
            Ok(count) => changed.push(Held { kind: holder.kind.into(), label: holder.label.into(), count }),
            Err(why) => return Ok(Err(why)),
        }
    }
    Ok(Ok(changed))
}
