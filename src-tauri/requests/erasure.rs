//! What an erasure leaves behind on purpose: the suppression list (keyed hashes only, so erased
//! data does not come back) and a receipt that holds no personal data.

use std::collections::HashSet;

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use ts_rs::TS;

use super::person_list::{self, PersonList};
use super::{IdKind, Request, RequestStatus};
use crate::identity::IdentityHash;
use crate::personal_data::Held;

/// The receipt handed back after an erasure.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Receipt {
    /// A confirmation code the person can be given.
    pub code: String,
    #[ts(type = "number")]
    pub request_id: i64,
    /// RFC 3339, UTC.
    pub erased_at: String,
    /// Who ran the erasure.
    pub actor: String,
    /// The search found nothing, and a person closed the request saying nothing was held.
    pub nothing_held: bool,
    /// What was deleted, by kind and count.
    pub deleted: Vec<Held>,
    /// What the erasure could not reach of what it deleted (copies a service keeps that no API
    /// deletes), and where the person can ask for those.
    pub beyond_reach: Vec<String>,
    /// Identifiers newly put on the suppression list.
    #[ts(type = "number")]
    pub suppressed: i64,
    /// The audit chain's head after the erasure: its entry number and hash.
    #[ts(type = "number")]
    pub audit_seq: i64,
    pub audit_hash: String,
}

/// One suppressed identifier, as `suppression list` shows it.
#[derive(Debug, Clone, Serialize, TS, sqlx::FromRow)]
pub struct Suppression {
    /// The keyed hash, hex.
    pub hash: String,
    pub kind: String,
    #[ts(type = "number | null")]
    pub request_id: Option<i64>,
    pub added_at: String,
}

/// A new receipt code: "ER-" and twelve characters that are easy to read out.
pub fn new_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let bytes = uuid::Uuid::new_v4().into_bytes();
    let chars: String = bytes.iter().take(12).map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
    format!("ER-{}-{}-{}", &chars[..4], &chars[4..8], &chars[8..])
}

/// Puts identifiers on the suppression list; returns how many were not on it yet.
pub async fn suppress(
    conn: &mut SqliteConnection,
    hashes: &[(IdKind, IdentityHash)],
    request_id: i64,
    at: &str,
) -> Result<i64, sqlx::Error> {
    person_list::add(conn, PersonList::Suppressions, hashes, request_id, at).await
}

/// Every suppressed hash, read on the SQLite handle inside a writer's own transaction: what it stores
/// is checked against the list as it stands when it commits, whatever was erased meanwhile.
pub fn suppressed_now(conn: &rusqlite::Connection) -> rusqlite::Result<HashSet<IdentityHash>> {
    person_list::all_now(conn, PersonList::Suppressions)
}

/// Every suppressed hash, for an import to check rows against in memory.
pub async fn suppressed(pool: &SqlitePool) -> Result<HashSet<IdentityHash>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    suppressed_in(&mut conn).await
}

/// Every suppressed hash, in the caller's connection or transaction.
pub async fn suppressed_in(conn: &mut sqlx::SqliteConnection) -> Result<HashSet<IdentityHash>, sqlx::Error> {
    let rows: Vec<Vec<u8>> = sqlx::query_scalar("SELECT hash FROM suppressions").fetch_all(conn).await?;
    Ok(rows.into_iter().filter_map(|h| IdentityHash::try_from(h.as_slice()).ok()).collect())
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<Suppression>, sqlx::Error> {
    let rows: Vec<(Vec<u8>, i64, Option<i64>, String)> =
        sqlx::query_as("SELECT hash, kind, request_id, added_at FROM suppressions ORDER BY added_at, hash")
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(hash, kind, request_id, added_at)| Suppression {
            hash: hex::encode(hash),
            kind: IdKind::from_stored(kind).map(|k| k.label()).unwrap_or("identifier").into(),
            request_id,
            added_at,
        })
        .collect())
}

/// Closes the erasure request as completed, and removes what every request about the person held
/// of them: the identifiers as given, notes, reasons and extension reasons, on this request and on
/// any other that names them by one of `hashes` (an earlier access or rectification request, say).
/// Only keyed hashes, dates, kinds, statuses and receipt codes stay. Returns the requests cleared.
pub async fn close_erased(
    conn: &mut SqliteConnection,
    request: &Request,
    hashes: &[IdentityHash],
    outcome: &str,
    at: &str,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut theirs = vec![request.id];
    for hash in hashes {
        let ids: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT request_id FROM request_identifiers WHERE hash = ?1")
            .bind(&hash[..])
            .fetch_all(&mut *conn)
            .await?;
        theirs.extend(ids);
    }
    theirs.sort_unstable();
    theirs.dedup();
    for id in &theirs {
        sqlx::query("UPDATE request_identifiers SET value = '' WHERE request_id = ?1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "UPDATE requests SET verification_notes = '', extension_reason = NULL,
                outcome_reason = CASE WHEN outcome_reason IS NULL THEN NULL ELSE 'removed with the person''s data' END
             WHERE id = ?1",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("UPDATE requests SET status = ?2, outcome_reason = ?3, closed_at = ?4 WHERE id = ?1")
        .bind(request.id)
        .bind(RequestStatus::Completed)
        .bind(outcome)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    Ok(theirs)
}

pub async fn store_receipt(conn: &mut SqliteConnection, r: &Receipt) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO erasure_receipts (code, request_id, erased_at, actor, deleted, suppressed, audit_seq, audit_hash,
            nothing_held)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .bind(&r.code)
    .bind(r.request_id)
    .bind(&r.erased_at)
    .bind(&r.actor)
    .bind(serde_json::to_string(&r.deleted).expect("counts serialise"))
    .bind(r.suppressed)
    .bind(r.audit_seq)
    .bind(&r.audit_hash)
    .bind(r.nothing_held)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A receipt as stored: code, erased at, actor, deleted, suppressed, audit seq and hash, nothing held.
type ReceiptRow = (String, String, String, String, i64, i64, String, bool);

/// The receipt of a request already erased.
pub async fn receipt_of(conn: &mut SqliteConnection, request_id: i64) -> Result<Option<Receipt>, sqlx::Error> {
    let row: Option<ReceiptRow> = sqlx::query_as(
        "SELECT code, erased_at, actor, deleted, suppressed, audit_seq, audit_hash, nothing_held FROM erasure_receipts
         WHERE request_id = ?1",
    )
    .bind(request_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(code, erased_at, actor, deleted, suppressed, audit_seq, audit_hash, nothing_held)| {
        let deleted: Vec<Held> = serde_json::from_str(&deleted).unwrap_or_default();
        Receipt {
            code,
            request_id,
            erased_at,
            actor,
            nothing_held,
            beyond_reach: crate::personal_data::beyond_reach(&deleted),
            deleted,
            suppressed,
            audit_seq,
            audit_hash,
        }
    }))
}

/// Whether any suppression is held: each names a person by a hash made with the identity key.
pub async fn any_suppressed(pool: &sqlx::SqlitePool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM suppressions)").fetch_one(pool).await
}
