//! The push log: each push to a CRM connection with what came of it, and what became of each lead
//! it sent or could not send. A lead's lines go with the lead.

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use ts_rs::TS;

/// What a push did, in counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS, sqlx::FromRow)]
pub struct Counts {
    #[ts(type = "number")]
    pub created: i64,
    #[ts(type = "number")]
    pub updated: i64,
    /// Sent before with the same fields: not sent again.
    #[ts(type = "number")]
    pub unchanged: i64,
    /// Not sent: the person restricted processing, objected, or was erased.
    #[ts(type = "number")]
    pub withheld: i64,
    /// Not sent: the lead's form has no mapping for this CRM.
    #[ts(type = "number")]
    pub not_mapped: i64,
    #[ts(type = "number")]
    pub failed: i64,
}

/// One push as the log shows it.
#[derive(Debug, Clone, Serialize, TS, sqlx::FromRow)]
pub struct Push {
    #[ts(type = "number")]
    pub id: i64,
    pub connection_id: String,
    pub crm: String,
    pub client: Option<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
    #[sqlx(flatten)]
    pub counts: Counts,
    /// Why it stopped before the end, when it did.
    pub stopped: Option<String>,
}

/// What became of one lead in a push.
#[derive(Debug, Clone, Serialize, TS, sqlx::FromRow)]
pub struct LeadResult {
    #[ts(type = "number")]
    pub push_id: i64,
    #[ts(type = "number")]
    pub lead_id: i64,
    pub crm: String,
    pub client: Option<String>,
    pub at: String,
    /// created, updated or failed.
    pub status: String,
    pub message: Option<String>,
}

pub async fn start(conn: &mut SqliteConnection, connection_id: &str, at: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO crm_pushes (connection_id, started_at) VALUES (?1, ?2) RETURNING id")
        .bind(connection_id)
        .bind(at)
        .fetch_one(conn)
        .await
}

/// Notes what became of these leads, which must still be held (the caller checks, in the same
/// transaction: one erased meanwhile leaves no line); on the SQLite handle inside the caller's
/// write transaction.
pub fn note_now(c: &rusqlite::Connection, push_id: i64, results: &[(i64, &str, Option<&str>)]) -> rusqlite::Result<()> {
    // A connection disconnected during its push took the push's record with it; the write
    // transaction holds the lock, so the push checked once is there for every line.
    let mut pushed = c.prepare_cached("SELECT 1 FROM crm_pushes WHERE id = ?1")?;
    if results.is_empty() || !pushed.exists([push_id])? {
        return Ok(());
    }
    // A prepared statement a row, as `records::keep_now` keeps records.
    let mut upsert = c.prepare_cached(
        "INSERT INTO crm_push_results (push_id, lead_id, status, message) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (push_id, lead_id) DO UPDATE SET status = excluded.status, message = excluded.message",
    )?;
    for (lead, status, message) in results {
        upsert.execute(rusqlite::params![push_id, lead, status, message])?;
    }
    Ok(())
}

/// Records a push's counts so far, and when it ended and why it stopped, once it has.
pub async fn update(
    conn: &mut SqliteConnection,
    push_id: i64,
    counts: &Counts,
    finished_at: Option<&str>,
    stopped: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE crm_pushes SET created = ?2, updated = ?3, unchanged = ?4, withheld = ?5, not_mapped = ?6,
         failed = ?7, finished_at = ?8, stopped = ?9 WHERE id = ?1",
    )
    .bind(push_id)
    .bind(counts.created)
    .bind(counts.updated)
    .bind(counts.unchanged)
    .bind(counts.withheld)
    .bind(counts.not_mapped)
    .bind(counts.failed)
    .bind(finished_at)
    .bind(stopped)
    .execute(conn)
    .await?;
    Ok(())
}

/// The pushes, newest first, of `client` and `crm` when given.
pub async fn pushes(
    pool: &SqlitePool,
    client: Option<&str>,
    crm: Option<&str>,
    limit: i64,
) -> Result<Vec<Push>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id, p.connection_id, k.crm, c.name AS client, p.started_at, p.finished_at, p.created, p.updated,
                p.unchanged, p.withheld, p.not_mapped, p.failed, p.stopped
         FROM crm_pushes AS p JOIN crm_connections AS k ON k.id = p.connection_id
         LEFT JOIN clients AS c ON c.id = k.client_id
         WHERE (?1 IS NULL OR c.name = ?1) AND (?2 IS NULL OR k.crm = ?2)
         ORDER BY p.id DESC LIMIT ?3",
    )
    .bind(client)
    .bind(crm)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// What became of leads, newest push first, filtered by client, CRM and status when given.
pub async fn results(
    pool: &SqlitePool,
    client: Option<&str>,
    crm: Option<&str>,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<LeadResult>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.push_id, r.lead_id, k.crm, c.name AS client, p.started_at AS at, r.status, r.message
         FROM crm_push_results AS r JOIN crm_pushes AS p ON p.id = r.push_id
         JOIN crm_connections AS k ON k.id = p.connection_id LEFT JOIN clients AS c ON c.id = k.client_id
         WHERE (?1 IS NULL OR c.name = ?1) AND (?2 IS NULL OR k.crm = ?2) AND (?3 IS NULL OR r.status = ?3)
         ORDER BY r.push_id DESC, r.lead_id LIMIT ?4",
    )
    .bind(client)
    .bind(crm)
    .bind(status)
    .bind(limit)
    .fetch_all(pool)
    .await
}
