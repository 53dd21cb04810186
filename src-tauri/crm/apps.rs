//! The agency's OAuth apps at the CRMs: the client id each CRM knows the agency's app by, where its
//! authorization server is, and the loopback port of the redirect URL registered with it. An app's
//! client secret is in the keychain only.

use sqlx::{SqliteConnection, SqlitePool};

use super::Crm;

/// The keychain purpose of an app's client secret; the entry's id is the CRM's name.
pub const SECRET_PURPOSE: &str = "crm-app-secret";

/// The loopback port the redirect URL uses unless the app names another: CRMs match a registered
/// redirect URL exactly, port included, so it cannot be picked at random.
pub const DEFAULT_PORT: u16 = 47817;

/// The path the CRM sends the browser back to on the loopback address.
pub const REDIRECT_PATH: &str = "/callback";

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct App {
    pub crm: String,
    pub client_id: String,
    pub auth_url: Option<String>,
    pub redirect_port: i64,
}

impl App {
    /// The redirect URL to register with the app (RFC 8252's loopback address, not `localhost`,
    /// which a browser may resolve to another interface).
    pub fn redirect_uri(port: u16) -> String {
        format!("http://127.0.0.1:{port}{REDIRECT_PATH}")
    }
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<App>, sqlx::Error> {
    sqlx::query_as("SELECT crm, client_id, auth_url, redirect_port FROM crm_apps ORDER BY crm").fetch_all(pool).await
}

pub async fn one(pool: &SqlitePool, crm: Crm) -> Result<Option<App>, sqlx::Error> {
    sqlx::query_as("SELECT crm, client_id, auth_url, redirect_port FROM crm_apps WHERE crm = ?1")
        .bind(crm.as_str())
        .fetch_optional(pool)
        .await
}

pub async fn set(conn: &mut SqliteConnection, app: &App) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO crm_apps (crm, client_id, auth_url, redirect_port) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (crm) DO UPDATE SET client_id = ?2, auth_url = ?3, redirect_port = ?4",
    )
    .bind(&app.crm)
    .bind(&app.client_id)
    .bind(&app.auth_url)
    .bind(app.redirect_port)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut SqliteConnection, crm: Crm) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM crm_apps WHERE crm = ?1").bind(crm.as_str()).execute(conn).await?.rows_affected() > 0)
}
