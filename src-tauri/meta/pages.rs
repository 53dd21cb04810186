//! The Pages the connections reach and their lead forms. A Page's token is in the keychain only.

use sqlx::{SqliteConnection, SqlitePool};

/// The keychain purpose of a Page's token; the entry's id is the Page's id.
pub const PAGE_TOKEN_PURPOSE: &str = "meta-page-token";

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PageRow {
    pub id: String,
    pub name: String,
    pub category: Option<String>,
    pub connection_id: String,
    pub client: Option<String>,
    pub seen_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FormRow {
    pub id: String,
    pub page_id: String,
    pub page: String,
    pub client: Option<String>,
    pub name: String,
    pub status: Option<String>,
    pub leads_count: Option<i64>,
    pub sync: bool,
    pub watermark: Option<i64>,
    pub last_synced_at: Option<String>,
}

/// A Page as Meta described it, seen now through `connection_id`.
pub async fn upsert_page(
    conn: &mut SqliteConnection,
    id: &str,
    name: &str,
    category: Option<&str>,
    connection_id: &str,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO meta_pages (id, name, category, connection_id, seen_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, category = excluded.category,
             connection_id = excluded.connection_id, seen_at = excluded.seen_at",
    )
    .bind(id)
    .bind(name)
    .bind(category)
    .bind(connection_id)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn pages(pool: &SqlitePool) -> Result<Vec<PageRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id, p.name, p.category, p.connection_id, c.name AS client, p.seen_at
         FROM meta_pages AS p LEFT JOIN clients AS c ON c.id = p.client_id ORDER BY p.name, p.id",
    )
    .fetch_all(pool)
    .await
}

/// The Pages reached through `connection_id`, whose tokens go with it.
pub async fn pages_of(conn: &mut SqliteConnection, connection_id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM meta_pages WHERE connection_id = ?1").bind(connection_id).fetch_all(conn).await
}

/// Assigns the Page to a client (or, with `None`, to none); false when there is no such Page.
pub async fn assign(conn: &mut SqliteConnection, page_id: &str, client_id: Option<&str>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE meta_pages SET client_id = ?2 WHERE id = ?1")
        .bind(page_id)
        .bind(client_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn upsert_form(
    conn: &mut SqliteConnection,
    id: &str,
    page_id: &str,
    name: &str,
    status: Option<&str>,
    leads_count: Option<i64>,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO meta_forms (id, page_id, name, status, leads_count, seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET page_id = excluded.page_id, name = excluded.name, status = excluded.status,
             leads_count = excluded.leads_count, seen_at = excluded.seen_at",
    )
    .bind(id)
    .bind(page_id)
    .bind(name)
    .bind(status)
    .bind(leads_count)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The forms, of one Page or of all.
pub async fn forms(pool: &SqlitePool, page_id: Option<&str>) -> Result<Vec<FormRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT f.id, f.page_id, p.name AS page, c.name AS client, f.name, f.status, f.leads_count, f.sync = 1 AS sync,
             f.watermark, f.last_synced_at
         FROM meta_forms AS f JOIN meta_pages AS p ON p.id = f.page_id LEFT JOIN clients AS c ON c.id = p.client_id
         WHERE ?1 IS NULL OR f.page_id = ?1 ORDER BY p.name, f.name, f.id",
    )
    .bind(page_id)
    .fetch_all(pool)
    .await
}

/// The forms that sync, with their Page's client: of one client or form when given.
pub async fn synced_forms(pool: &SqlitePool) -> Result<Vec<SyncedForm>, sqlx::Error> {
    sqlx::query_as(
        "SELECT f.id, f.name, f.page_id, f.watermark, p.client_id
         FROM meta_forms AS f JOIN meta_pages AS p ON p.id = f.page_id
         WHERE f.sync = 1 ORDER BY f.page_id, f.id",
    )
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SyncedForm {
    pub id: String,
    pub name: String,
    pub page_id: String,
    pub watermark: Option<i64>,
    pub client_id: Option<String>,
}

/// Moves a form's watermark to `newest` (never back) and notes when it synced, in the transaction
/// that stored the leads it stands for.
pub fn advance_watermark(
    conn: &rusqlite::Connection,
    form_id: &str,
    newest: Option<i64>,
    at: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE meta_forms SET watermark = max(coalesce(watermark, ?2), coalesce(?2, watermark)), last_synced_at = ?3
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![form_id, newest, at])?;
    Ok(())
}

/// The Page (id and name) a form belongs to, when Custodian reaches it.
pub async fn page_of_form(conn: &mut SqliteConnection, form_id: &str) -> Result<Option<(String, String)>, sqlx::Error> {
    let form_id = form_id.strip_prefix("f:").unwrap_or(form_id);
    sqlx::query_as("SELECT p.id, p.name FROM meta_forms AS f JOIN meta_pages AS p ON p.id = f.page_id WHERE f.id = ?1")
        .bind(form_id)
        .fetch_optional(conn)
        .await
}

/// Turns a form's sync on or off; false when there is no such form.
pub async fn set_sync(conn: &mut SqliteConnection, form_id: &str, sync: bool) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE meta_forms SET sync = ?2 WHERE id = ?1").bind(form_id).bind(sync).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}
