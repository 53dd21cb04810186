//! The record of purge runs: when each started and finished, what it purged, and whether it
//! failed or was interrupted, so that the schedule knows when the next is due.

use sqlx::{SqliteConnection, SqlitePool};

/// One purge run, by hand or on schedule.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS, sqlx::FromRow)]
pub struct PurgeRun {
    pub started_at: String,
    /// None while it runs, or when it was interrupted: the next run completes it.
    pub finished_at: Option<String>,
    pub automatic: bool,
    #[ts(type = "number")]
    pub purged: i64,
    pub error: Option<String>,
}

pub async fn last(pool: &SqlitePool) -> Result<Option<PurgeRun>, sqlx::Error> {
    sqlx::query_as("SELECT started_at, finished_at, automatic, purged, error FROM purge_runs ORDER BY id DESC LIMIT 1")
        .fetch_optional(pool)
        .await
}

/// Puts a run on record as started; returns its number.
pub async fn start(conn: &mut SqliteConnection, at: &str, automatic: bool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO purge_runs (started_at, automatic) VALUES (?1, ?2) RETURNING id")
        .bind(at)
        .bind(automatic)
        .fetch_one(conn)
        .await
}

/// Records how run `id` ended. A run that succeeded completed whatever earlier runs left
/// unfinished, which are marked so.
pub async fn finish(
    conn: &mut SqliteConnection,
    id: i64,
    at: &str,
    purged: i64,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE purge_runs SET finished_at = ?2, purged = ?3, error = ?4 WHERE id = ?1")
        .bind(id)
        .bind(at)
        .bind(purged)
        .bind(error)
        .execute(&mut *conn)
        .await?;
    if error.is_none() {
        sqlx::query(
            "UPDATE purge_runs SET finished_at = ?2, error = 'interrupted; a later run completed it'
             WHERE id < ?1 AND finished_at IS NULL",
        )
        .bind(id)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
