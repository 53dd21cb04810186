//! The processing information an access request's answer gives (GDPR Art. 15(1)(a)–(h)): the
//! workspace's own texts, one per key in `package::INFO_KEYS`.

use sqlx::SqliteConnection;

/// Every text, in the order of `package::INFO_KEYS`.
pub async fn list(conn: &mut SqliteConnection) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT key, value FROM processing_info").fetch_all(&mut *conn).await?;
    Ok(super::package::INFO_KEYS.iter().filter_map(|(key, _)| rows.iter().find(|(k, _)| k == key).cloned()).collect())
}

pub async fn set(conn: &mut SqliteConnection, key: &str, text: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE processing_info SET value = ?2 WHERE key = ?1").bind(key).bind(text).execute(conn).await?;
    Ok(())
}
