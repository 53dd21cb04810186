//! The steps a request takes at remote services (deleting a person's leads at Meta), and each
//! service's answer. A step's target is kept only until it is done.

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use ts_rs::TS;

/// How a remote step went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteAnswer {
    Done(String),
    Failed(String),
    /// The service cannot be reached or is limiting calls: the steps after it wait for a retry.
    Unreachable(String),
}

/// A remote step as the request shows it: never its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, sqlx::FromRow)]
pub struct RemoteStep {
    /// The kind of data whose holder takes it.
    pub kind: String,
    pub action: String,
    /// pending, done or failed.
    pub status: String,
    /// The service's answer, in words.
    pub answer: Option<String>,
    #[ts(type = "number")]
    pub attempts: i64,
    pub updated_at: String,
}

/// A step still to take, with what taking it needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingStep {
    pub id: i64,
    pub kind: String,
    pub action: String,
    pub target: Option<String>,
    pub place: Option<String>,
}

pub async fn add(
    conn: &mut SqliteConnection,
    request_id: i64,
    kind: &str,
    action: &str,
    target: &str,
    place: Option<&str>,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO remote_steps (request_id, kind, action, target, place, status, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6)",
    )
    .bind(request_id)
    .bind(kind)
    .bind(action)
    .bind(target)
    .bind(place)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The steps of request `request_id` not yet done.
pub async fn undone(pool: &SqlitePool, request_id: i64) -> Result<Vec<PendingStep>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, action, target, place FROM remote_steps
         WHERE request_id = ?1 AND status != 'done' ORDER BY id",
    )
    .bind(request_id)
    .fetch_all(pool)
    .await
}

/// Records a step's answer; a step done no longer keeps its target.
pub async fn answer(conn: &mut SqliteConnection, id: i64, outcome: &RemoteAnswer, at: &str) -> Result<(), sqlx::Error> {
    let (status, text) = match outcome {
        RemoteAnswer::Done(text) => ("done", text),
        RemoteAnswer::Failed(text) | RemoteAnswer::Unreachable(text) => ("failed", text),
    };
    sqlx::query(
        "UPDATE remote_steps SET status = ?2, answer = ?3, attempts = attempts + 1, updated_at = ?4,
             target = CASE WHEN ?2 = 'done' THEN NULL ELSE target END
         WHERE id = ?1 AND status != 'done'",
    )
    .bind(id)
    .bind(status)
    .bind(text)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Settles the steps not yet done that would take `action` on `target` (a person's record being
/// erased, which no correction need reach any more), so that they no longer keep the target.
pub async fn settle_for(
    conn: &mut SqliteConnection,
    kind: &str,
    action: &str,
    (target, place): (&str, &str),
    answer: &str,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE remote_steps SET status = 'done', answer = ?4, target = NULL, updated_at = ?5
         WHERE kind = ?1 AND action = ?2 AND target = ?3 AND place = ?6 AND status != 'done'",
    )
    .bind(kind)
    .bind(action)
    .bind(target)
    .bind(answer)
    .bind(at)
    .bind(place)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn list(pool: &SqlitePool, request_id: i64) -> Result<Vec<RemoteStep>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kind, action, status, answer, attempts, updated_at FROM remote_steps WHERE request_id = ?1 ORDER BY id",
    )
    .bind(request_id)
    .fetch_all(pool)
    .await
}
