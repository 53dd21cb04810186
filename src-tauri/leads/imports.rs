//! The record of each import: what file went into which client, when, and what it did. Kept per
//! client as a kind of data of its own, since it names the files a client's leads came from.

use async_trait::async_trait;
use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use ts_rs::TS;

use crate::personal_data::{DataKind, Holder, Scope};
use crate::store::StoreError;

/// One import, as the list of imports shows it.
#[derive(Debug, Clone, Serialize, TS, sqlx::FromRow)]
pub struct ImportRecord {
    pub id: String,
    pub client: String,
    pub file_name: String,
    /// Where the file was, to run the import again.
    pub path: Option<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// running, completed, cancelled, failed or interrupted.
    pub status: String,
    #[ts(type = "number")]
    pub rows_read: i64,
    #[ts(type = "number")]
    pub imported: i64,
    #[ts(type = "number")]
    pub updated: i64,
    #[ts(type = "number")]
    pub duplicates: i64,
    #[ts(type = "number")]
    pub rejected: i64,
}

/// An import about to start, as it is put on record.
pub struct Started<'a> {
    pub id: &'a str,
    pub client_id: &'a str,
    pub file_name: &'a str,
    pub file_size: i64,
    pub format: &'a str,
    pub at: &'a str,
    pub path: &'a str,
}

pub async fn begin(conn: &mut SqliteConnection, import: &Started<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO imports (id, client_id, file_name, file_size, format, started_at, status, path)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running', ?7)",
    )
    .bind(import.id)
    .bind(import.client_id)
    .bind(import.file_name)
    .bind(import.file_size)
    .bind(import.format)
    .bind(import.at)
    .bind(import.path)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records how an import ended: completed, cancelled or failed.
pub async fn finish(conn: &mut SqliteConnection, id: &str, at: &str, status: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE imports SET finished_at = ?2, status = ?3 WHERE id = ?1")
        .bind(id)
        .bind(at)
        .bind(status)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn any_running(pool: &SqlitePool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM imports WHERE status = 'running')").fetch_one(pool).await
}

/// Marks every import still running as interrupted; returns each one's id and client id.
pub async fn mark_interrupted(conn: &mut SqliteConnection, at: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE imports SET status = 'interrupted', finished_at = ?1 WHERE status = 'running' RETURNING id, client_id",
    )
    .bind(at)
    .fetch_all(conn)
    .await
}

/// The imports, newest first.
pub async fn list(pool: &SqlitePool) -> Result<Vec<ImportRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT i.id, c.name AS client, i.file_name, i.path, i.started_at, i.finished_at, i.status, i.rows_read,
            i.imported, i.updated, i.duplicates, i.rejected
         FROM imports AS i JOIN clients AS c ON c.id = i.client_id ORDER BY i.started_at DESC, i.rowid DESC",
    )
    .fetch_all(pool)
    .await
}

pub struct ImportRecords;

pub const IMPORT_RECORDS: ImportRecords = ImportRecords;

#[async_trait]
impl Holder for ImportRecords {
    fn kind(&self) -> DataKind {
        DataKind::ImportRecords
    }

    fn label(&self) -> &'static str {
        "import records"
    }

    fn scope(&self) -> Scope {
        Scope::Client
    }

    async fn count(&self, conn: &mut SqliteConnection, client_id: Option<&str>) -> Result<i64, StoreError> {
        let count = match client_id {
            Some(id) => {
                sqlx::query_scalar("SELECT count(*) FROM imports WHERE client_id = ?1").bind(id).fetch_one(conn).await?
            }
            None => sqlx::query_scalar("SELECT count(*) FROM imports").fetch_one(conn).await?,
        };
        Ok(count)
    }

    async fn remove_client(&self, conn: &mut SqliteConnection, client_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM imports WHERE client_id = ?1").bind(client_id).execute(conn).await?;
        Ok(())
    }
}
