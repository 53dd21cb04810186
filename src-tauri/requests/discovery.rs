//! Finding everything held about a person: every holder in the registry is searched, and what
//! is found is erased or corrected holder by holder. No kind of data is named here.

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use ts_rs::TS;

use crate::identity::{Hasher, Identifier, IdentityHash};
use crate::personal_data::{searchable_by, Correction, DataKind, Erasing, Held, HeldRecord, Holder};
use crate::store::StoreError;

/// The records of one kind of data and one client.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Group {
    pub kind: DataKind,
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
    fn records_of(&self, kind: DataKind) -> Vec<HeldRecord> {
        self.groups.iter().filter(|g| g.kind == kind).flat_map(|g| g.records.iter().cloned()).collect()
    }

    /// How many records of each kind were found, in the order found.
    pub fn counts(&self) -> Vec<Held> {
        let mut counts: Vec<Held> = Vec::new();
        for g in &self.groups {
            match counts.iter_mut().find(|h| h.kind == g.kind) {
                Some(h) => h.count += g.records.len() as i64,
                None => counts.push(Held { kind: g.kind, label: g.label.clone(), count: g.records.len() as i64 }),
            }
        }
        counts
    }

    pub fn records(&self) -> usize {
        self.groups.iter().map(|g| g.records.len()).sum()
    }
}

/// Walks every holder for the records under `searched`, grouped by kind and client. Also returns
/// the offered identifiers with their keyed hashes.
pub async fn find(
    conn: &mut SqliteConnection,
    holders: &[&dyn Holder],
    hasher: &Hasher,
    request_id: i64,
    searched: &[(Identifier, IdentityHash)],
) -> Result<(Discovery, Vec<(Identifier, IdentityHash)>), StoreError> {
    let hashes: Vec<IdentityHash> = searched.iter().map(|(_, h)| *h).collect();
    let mut groups: Vec<Group> = Vec::new();
    let mut offered: Vec<(Identifier, IdentityHash)> = Vec::new();
    for holder in holders {
        for record in holder.find(conn, hasher, &hashes).await? {
            for (identifier, hash) in &record.identifiers {
                if !hashes.contains(hash) && !offered.iter().any(|(_, h)| h == hash) {
                    offered.push((identifier.clone(), *hash));
                }
            }
            match groups.iter_mut().find(|g| g.kind == holder.kind() && g.client == record.client) {
                Some(g) => g.records.push(record),
                None => groups.push(Group {
                    kind: holder.kind(),
                    label: holder.label().into(),
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
pub fn nothing_found(found: &Discovery, holders: &[&dyn Holder]) -> String {
    let searched: Vec<&str> = found.searched.iter().map(|i| i.kind.label()).collect();
    let could: Vec<&str> = searchable_by(holders).into_iter().map(|k| k.label()).collect();
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
pub async fn erase(
    conn: &mut SqliteConnection,
    holders: &[&dyn Holder],
    found: &Discovery,
    erasing: &Erasing<'_>,
) -> Result<Vec<Held>, StoreError> {
    let mut deleted = Vec::new();
    for holder in holders {
        let records = found.records_of(holder.kind());
        if records.is_empty() {
            continue;
        }
        let count = holder.erase(conn, &records, erasing).await?;
        deleted.push(Held { kind: holder.kind(), label: holder.label().into(), count });
    }
    Ok(deleted)
}

/// Applies a correction to every record found, holder by holder, in the caller's transaction.
/// Returns the counts changed by kind, or why the value was refused.
pub async fn rectify(
    conn: &mut SqliteConnection,
    holders: &[&dyn Holder],
    hasher: &Hasher,
    found: &Discovery,
    correction: &Correction,
) -> Result<Result<Vec<Held>, String>, StoreError> {
    let mut changed = Vec::new();
    for holder in holders {
        let records = found.records_of(holder.kind());
        if records.is_empty() {
            continue;
        }
        match holder.rectify(conn, hasher, &records, correction).await? {
            Ok(0) => {}
            Ok(count) => changed.push(Held { kind: holder.kind(), label: holder.label().into(), count }),
            Err(why) => return Ok(Err(why)),
        }
    }
    Ok(Ok(changed))
}

/// Records read live where they are kept, by kind and id.
pub type Live = Vec<(DataKind, HeldRecord)>;

/// Reads live, through each holder of data kept elsewhere, the records of `found` it holds.
pub async fn read_live(
    found: &Discovery,
    holders: &[&dyn Holder],
    pool: &SqlitePool,
    workspace_id: &str,
    at: &str,
) -> Live {
    let mut live = Live::new();
    for group in &found.groups {
        let Some(holder) = holders.iter().find(|h| h.kind() == group.kind) else { continue };
        if let Some(records) = holder.live(pool, workspace_id, &group.records, at).await {
            live.extend(records.into_iter().map(|r| (group.kind, r)));
        }
    }
    live
}

impl Discovery {
    /// Gives the records found here what was read live of them (same kind and id): its fields, its
    /// creation time and when it was read. Which client holds it and where it came from stay as
    /// found here, the later and surer search.
    pub fn with_live(mut self, live: &Live) -> Self {
        for group in &mut self.groups {
            for record in &mut group.records {
                if let Some((_, read)) = live.iter().find(|(k, r)| *k == group.kind && r.id == record.id) {
                    record.fields.clone_from(&read.fields);
                    record.created.clone_from(&read.created);
                    record.fetched_at.clone_from(&read.fetched_at);
                    if read.fetched_at.is_some() {
                        record.source = format!("{}, read live there", record.source);
                    }
                }
            }
        }
        self
    }
}
