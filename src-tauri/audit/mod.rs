//! The audit trail: an append-only SHA-256 hash chain.
//!
//! Each entry's hash covers its position, its fields and the previous entry's hash, so changing,
//! removing or reordering any entry breaks every hash after it. `audit_head` records the newest
//! entry so that cutting entries off the end is caught too. When the oldest entries are purged by
//! policy, `audit_anchor` keeps the last purged entry's position and hash, and the purge's own
//! entry quotes them: verification starts from the anchor and still catches anything else.

pub mod entries;

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{SqliteConnection, SqlitePool};
use ts_rs::TS;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How many entries verification reads at a time: memory stays flat however long the chain.
const VERIFY_PAGE: i64 = 5_000;

/// What happened, as the caller describes it. `subject` is a keyed hash, never personal data.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub action: &'a str,
    pub object: &'a str,
    pub outcome: &'a str,
    pub subject: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, sqlx::FromRow)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    /// The operating-system user who acted.
    pub actor: String,
    pub action: String,
    pub object: String,
    pub outcome: String,
    pub subject: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The result of recomputing the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Verification {
    pub intact: bool,
    #[ts(type = "number")]
    pub entries: i64,
    /// The newest entry's hash: quote it in receipts to prove later that nothing before it changed.
    pub head: String,
    pub broken: Option<Break>,
    /// Where verification started when older entries were purged by policy.
    pub anchor: Option<Anchor>,
}

/// The last entry purged by policy: the chain continues from its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, sqlx::FromRow)]
pub struct Anchor {
    #[ts(type = "number")]
    pub seq: i64,
    pub hash: String,
    /// When it was purged, RFC 3339.
    pub at: String,
}

impl Anchor {
    /// How the purge's audit entry quotes the anchor, and how verification recognises it.
    pub fn quoted(&self) -> String {
        format!("the trail now starts after #{} (hash {})", self.seq, self.hash)
    }
}

/// The first place where the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Break {
    #[ts(type = "number")]
    pub seq: i64,
    pub reason: String,
}

/// Appends one entry inside the caller's transaction, which must hold the write lock
/// (`Store::write`), so that the change and its record commit or vanish together.
pub async fn append(
    conn: &mut SqliteConnection,
    at: &str,
    actor: &str,
    event: &Event<'_>,
) -> Result<AuditEntry, sqlx::Error> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE one = 1").fetch_optional(&mut *conn).await?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let mut entry = AuditEntry {
        seq,
        at: at.to_owned(),
        actor: actor.to_owned(),
        action: event.action.to_owned(),
        object: event.object.to_owned(),
        outcome: event.outcome.to_owned(),
        subject: event.subject.map(str::to_owned),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = hash_of(&entry);
    sqlx::query(
        "INSERT INTO audit_entries (seq, at, actor, action, object, outcome, subject, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .bind(entry.seq)
    .bind(&entry.at)
    .bind(&entry.actor)
    .bind(&entry.action)
    .bind(&entry.object)
    .bind(&entry.outcome)
    .bind(&entry.subject)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO audit_head (one, seq, hash) VALUES (1, ?1, ?2)
         ON CONFLICT (one) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    )
    .bind(entry.seq)
    .bind(&entry.hash)
    .execute(&mut *conn)
    .await?;
    Ok(entry)
}

/// The newest entries first; `before` pages backwards from a `seq`.
pub async fn list(pool: &SqlitePool, limit: i64, before: Option<i64>) -> Result<Vec<AuditEntry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT seq, at, actor, action, object, outcome, subject, prev_hash, hash FROM audit_entries
         WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2",
    )
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Deletes, inside the caller's write transaction, every entry up to the newest one written before
/// `before` (seconds since 1970), and moves the anchor to the last of them. The caller's own audit
/// entry must quote `Anchor::quoted` in the same transaction, or verification reports the gap.
pub async fn purge_before(
    conn: &mut SqliteConnection,
    before: i64,
    at: &str,
) -> Result<Option<(i64, Anchor)>, sqlx::Error> {
    // A prefix of the chain, whatever the clock did: everything up to the newest entry that is due.
    let last: Option<(i64, String)> = sqlx::query_as(
        "SELECT seq, hash FROM audit_entries
         WHERE seq = (SELECT max(seq) FROM audit_entries WHERE unixepoch(at) < ?1)",
    )
    .bind(before)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((seq, hash)) = last else { return Ok(None) };
    let count = sqlx::query("DELETE FROM audit_entries WHERE seq <= ?1").bind(seq).execute(&mut *conn).await?;
    let anchor = Anchor { seq, hash, at: at.to_owned() };
    sqlx::query(
        "INSERT INTO audit_anchor (one, seq, hash, at) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (one) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at",
    )
    .bind(anchor.seq)
    .bind(&anchor.hash)
    .bind(&anchor.at)
    .execute(&mut *conn)
    .await?;
    Ok(Some((count.rows_affected() as i64, anchor)))
}

/// Counts the entries `purge_before` would delete.
pub async fn count_before(conn: &mut SqliteConnection, before: i64) -> Result<i64, sqlx::Error> {
    let first: Option<i64> = sqlx::query_scalar("SELECT min(seq) FROM audit_entries").fetch_one(&mut *conn).await?;
    let last: Option<i64> = sqlx::query_scalar("SELECT max(seq) FROM audit_entries WHERE unixepoch(at) < ?1")
        .bind(before)
        .fetch_one(&mut *conn)
        .await?;
    Ok(match (first, last) {
        (Some(first), Some(last)) => last - first + 1,
        _ => 0,
    })
}

/// Recomputes every hash from the first entry (or the anchor) and reports the first one that
/// does not hold.
///
/// Everything is read in one read transaction: entries appended, or purged with the anchor moved,
/// while it reads belong to a later snapshot, so they cannot make an intact trail look cut or
/// reordered.
pub async fn verify(pool: &SqlitePool) -> Result<Verification, sqlx::Error> {
    let mut snapshot = pool.begin().await?;
    let verification = verify_in(&mut snapshot).await;
    snapshot.rollback().await?;
    verification
}

async fn verify_in(conn: &mut SqliteConnection) -> Result<Verification, sqlx::Error> {
    // A deferred transaction takes its snapshot at its first read: the head, the anchor and every
    // page of entries come from that one read.
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE one = 1").fetch_optional(&mut *conn).await?;
    let anchor: Option<Anchor> =
        sqlx::query_as("SELECT seq, hash, at FROM audit_anchor WHERE one = 1").fetch_optional(&mut *conn).await?;
    let (mut expected_seq, mut prev) = match &anchor {
        Some(a) => (a.seq + 1, a.hash.clone()),
        None => (1_i64, GENESIS.to_owned()),
    };
    // The purge that moved the anchor must be on record after it.
    let quoted = anchor.as_ref().map(Anchor::quoted);
    let mut anchor_recorded = anchor.is_none();
    let mut entries = 0_i64;
    let broken = |seq: i64, reason: String, entries: i64, prev: &str| Verification {
        intact: false,
        entries,
        head: prev.to_owned(),
        broken: Some(Break { seq, reason }),
        anchor: anchor.clone(),
    };
    loop {
        let page: Vec<AuditEntry> = sqlx::query_as(
            "SELECT seq, at, actor, action, object, outcome, subject, prev_hash, hash FROM audit_entries
             WHERE seq >= ?1 ORDER BY seq LIMIT ?2",
        )
        .bind(expected_seq)
        .bind(VERIFY_PAGE)
        .fetch_all(&mut *conn)
        .await?;
        if page.is_empty() {
            break;
        }
        for entry in page {
            if entry.seq != expected_seq {
                let reason = format!(
                    "entry #{expected_seq} is missing: the chain jumps from #{} to #{}",
                    expected_seq - 1,
                    entry.seq
                );
                return Ok(broken(expected_seq, reason, entries, &prev));
            }
            if entry.prev_hash != prev {
                let reason = format!(
                    "entry #{} does not follow the entry before it: entries were reordered, or one before it was changed or replaced",
                    entry.seq
                );
                return Ok(broken(entry.seq, reason, entries, &prev));
            }
            if hash_of(&entry) != entry.hash {
                let reason = format!("entry #{} was changed after it was written", entry.seq);
                return Ok(broken(entry.seq, reason, entries, &prev));
            }
            if let Some(q) = &quoted {
                anchor_recorded |= entry.action == "retention.purge" && entry.object.contains(q.as_str());
            }
            prev = entry.hash;
            expected_seq += 1;
            entries += 1;
        }
    }
    let last_seq = expected_seq - 1;
    if !anchor_recorded {
        let first = anchor.as_ref().map_or(1, |a| a.seq + 1);
        let reason = format!(
            "the trail starts at #{first}, but no purge on record removed the entries before it: they were cut off"
        );
        return Ok(broken(first, reason, entries, &prev));
    }
    match head {
        None if entries == 0 => {}
        Some((seq, hash)) if seq == last_seq && hash == prev => {}
        Some((seq, _)) if seq > last_seq => {
            let reason = format!("entries #{} to #{seq} were removed from the end of the trail", last_seq + 1);
            return Ok(broken(last_seq + 1, reason, entries, &prev));
        }
        _ => {
            let reason = format!("the trail's recorded head does not match entry #{last_seq}");
            return Ok(broken(last_seq, reason, entries, &prev));
        }
    }
    Ok(Verification { intact: true, entries, head: prev, broken: None, anchor })
}

/// How the trail names a file: by the SHA-256 of its name, never the name, which people often make
/// from a person's name ("ann-lee-access.zip").
pub fn file_ref(name: &str) -> String {
    format!("file sha256:{}", hex::encode(Sha256::digest(name.as_bytes())))
}

/// The longest free-text reason (a policy's, a hold's) the trail keeps, in characters.
pub const MAX_REASON_CHARS: usize = 500;

pub async fn count(pool: &SqlitePool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM audit_entries").fetch_one(pool).await
}

fn hash_of(e: &AuditEntry) -> String {
    // A JSON array is an unambiguous encoding: no field can bleed into the next.
    let canonical =
        serde_json::to_vec(&(e.seq, &e.at, &e.actor, &e.action, &e.object, &e.outcome, &e.subject, &e.prev_hash))
            .expect("serialising strings and integers cannot fail");
    hex::encode(Sha256::new_with_prefix(&canonical).finalize())
}

/// Whether any entry about a person is held: each names a person by a hash made with the identity key.
pub async fn any_subjects(pool: &sqlx::SqlitePool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM audit_entries WHERE subject IS NOT NULL)").fetch_one(pool).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, prev: &str) -> AuditEntry {
        let mut e = AuditEntry {
            seq,
            at: "2026-01-01T00:00:00.000Z".into(),
            actor: "ada".into(),
            action: "client.add".into(),
            object: "client:1".into(),
            outcome: "ok".into(),
            subject: None,
            prev_hash: prev.into(),
            hash: String::new(),
        };
        e.hash = hash_of(&e);
        e
    }

    #[test]
    fn a_hash_changes_with_every_field_and_with_its_position() {
        let base = entry(1, GENESIS);
        let mut moved = base.clone();
        moved.seq = 2;
        let mut renamed = base.clone();
        renamed.object = "client:2".into();
        let mut chained = base.clone();
        chained.prev_hash = base.hash.clone();
        for other in [moved, renamed, chained] {
            assert_ne!(hash_of(&other), base.hash);
        }
    }

    #[test]
    fn fields_cannot_be_shifted_into_each_other() {
        let mut a = entry(1, GENESIS);
        a.action = "a".into();
        a.object = "bc".into();
        let mut b = a.clone();
        b.action = "ab".into();
        b.object = "c".into();
        assert_ne!(hash_of(&a), hash_of(&b));
    }
}
