//! Connections to Meta: what each token is, as Meta's `debug_token` described it when it was added,
//! and how it has fared since. The tokens themselves are only in the keychain.

use sqlx::{SqliteConnection, SqlitePool};

/// The keychain purpose of a connection's token; the entry's id is the connection's id.
pub const TOKEN_PURPOSE: &str = "meta-token";

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Row {
    pub id: String,
    pub token_type: String,
    pub meta_user_id: Option<String>,
    pub app_id: String,
    /// JSON array of scope names.
    pub scopes: String,
    pub expires_at: Option<i64>,
    pub client: Option<String>,
    pub created_at: String,
    pub last_ok_at: Option<String>,
    pub invalid_reason: Option<String>,
    /// JSON of `inspect::Targets`.
    pub granted_targets: String,
}

const SELECT: &str = "SELECT m.id, m.token_type, m.meta_user_id, m.app_id, m.scopes, m.expires_at, c.name AS client,
        m.created_at, m.last_ok_at, m.invalid_reason, m.granted_targets
    FROM meta_connections AS m LEFT JOIN clients AS c ON c.id = m.client_id";

pub struct New<'a> {
    pub id: &'a str,
    pub token_type: &'a str,
    pub meta_user_id: Option<&'a str>,
    pub app_id: &'a str,
    pub scopes: &'a [String],
    pub expires_at: Option<i64>,
    pub client_id: Option<&'a str>,
    pub at: &'a str,
    pub targets: &'a [super::inspect::Targets],
}

pub async fn insert(conn: &mut SqliteConnection, new: &New<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO meta_connections (id, token_type, meta_user_id, app_id, scopes, expires_at, client_id, created_at,
             last_ok_at, granted_targets)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
    )
    .bind(new.id)
    .bind(new.token_type)
    .bind(new.meta_user_id)
    .bind(new.app_id)
    .bind(serde_json::to_string(new.scopes).expect("strings serialise"))
    .bind(new.expires_at)
    .bind(new.client_id)
    .bind(new.at)
    .bind(serde_json::to_string(new.targets).expect("targets serialise"))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<Row>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} ORDER BY m.created_at, m.id")).fetch_all(pool).await
}

pub async fn find(conn: &mut SqliteConnection, id: &str) -> Result<Option<Row>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE m.id = ?1")).bind(id.trim()).fetch_optional(conn).await
}

pub async fn delete(conn: &mut SqliteConnection, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM meta_connections WHERE id = ?1").bind(id).execute(conn).await?;
    Ok(())
}

/// Notes a call that Meta answered with the connection's token.
pub async fn touch(conn: &mut SqliteConnection, id: &str, at: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE meta_connections SET last_ok_at = ?2 WHERE id = ?1").bind(id).bind(at).execute(conn).await?;
    Ok(())
}

/// Notes that Meta no longer accepts the connection's token, and why: nothing calls with it again.
pub async fn mark_invalid(conn: &mut SqliteConnection, id: &str, reason: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE meta_connections SET invalid_reason = ?2 WHERE id = ?1")
        .bind(id)
        .bind(reason)
        .execute(conn)
        .await?;
    Ok(())
}
