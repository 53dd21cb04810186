//! Restriction of processing and objection: the person is flagged by keyed hash, and every later
//! push or send to a third party asks `is_restricted` before it goes.

use sqlx::SqliteConnection;

use super::person_list::{self, PersonList};
use super::IdKind;
use crate::identity::IdentityHash;

/// Flags identifiers; returns how many were not flagged yet.
pub async fn flag(
    conn: &mut SqliteConnection,
    hashes: &[(IdKind, IdentityHash)],
    request_id: i64,
    at: &str,
) -> Result<i64, sqlx::Error> {
    person_list::add(conn, PersonList::Restrictions, hashes, request_id, at).await
}

/// The one check every push or send to a third party makes: whether any of a record's
/// identifiers belongs to a person who restricted processing or objected to it.
pub async fn is_restricted(conn: &mut SqliteConnection, hashes: &[IdentityHash]) -> Result<bool, sqlx::Error> {
    for hash in hashes {
        let found: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM restrictions WHERE hash = ?1)")
            .bind(&hash[..])
            .fetch_one(&mut *conn)
            .await?;
        if found {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether any restriction is held: each names a person by a hash made with the identity key.
pub async fn any_restricted(pool: &sqlx::SqlitePool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM restrictions)").fetch_one(pool).await
}

/// As `restricted`, on the SQLite handle directly (`store::direct`).
pub fn restricted_now(conn: &rusqlite::Connection) -> rusqlite::Result<std::collections::HashSet<IdentityHash>> {
    person_list::all_now(conn, PersonList::Restrictions)
}

/// Every restricted hash, for a push to check many records against in memory.
pub async fn restricted(pool: &sqlx::SqlitePool) -> Result<std::collections::HashSet<IdentityHash>, sqlx::Error> {
    let rows: Vec<Vec<u8>> = sqlx::query_scalar("SELECT hash FROM restrictions").fetch_all(pool).await?;
    Ok(rows.into_iter().filter_map(|h| IdentityHash::try_from(h.as_slice()).ok()).collect())
}
