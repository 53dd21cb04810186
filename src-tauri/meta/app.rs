//! The agency's own Meta app: its id and where its Graph API is. The app secret is in the keychain.

use sqlx::SqlitePool;

/// The variable that points the Graph API client elsewhere (a staging proxy, the tests' simulator).
pub const GRAPH_URL_VARIABLE: &str = "CUSTODIAN_GRAPH_URL";

/// The Graph API versions Custodian speaks.
pub const VERSIONS: [&str; 2] = ["v25.0", "v26.0"];

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AppSettings {
    pub app_id: Option<String>,
    pub graph_version: String,
    pub graph_url: String,
    /// How often the app syncs while it runs, in minutes; 0 never.
    pub sync_minutes: i64,
}

impl AppSettings {
    /// The Graph API's address: `CUSTODIAN_GRAPH_URL` when set, else the setting.
    pub fn graph_url(&self) -> String {
        match std::env::var(GRAPH_URL_VARIABLE) {
            Ok(url) if !url.trim().is_empty() => url.trim().to_owned(),
            _ => self.graph_url.clone(),
        }
    }
}

pub async fn get(pool: &SqlitePool) -> Result<AppSettings, sqlx::Error> {
    sqlx::query_as("SELECT app_id, graph_version, graph_url, sync_minutes FROM meta_app WHERE one = 1")
        .fetch_one(pool)
        .await
}

pub async fn set(conn: &mut sqlx::SqliteConnection, settings: &AppSettings) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE meta_app SET app_id = ?1, graph_version = ?2, graph_url = ?3, sync_minutes = ?4 WHERE one = 1")
        .bind(&settings.app_id)
        .bind(&settings.graph_version)
        .bind(&settings.graph_url)
        .bind(settings.sync_minutes)
        .execute(conn)
        .await?;
    Ok(())
}

/// The Graph API client for these settings, signing its calls with the app secret when there is one.
pub fn graph(
    settings: &AppSettings,
    secret: Option<crate::vault::Sensitive<String>>,
    pacing: super::Pacing,
) -> Result<super::Graph, super::GraphError> {
    let graph = super::Graph::new(&settings.graph_url(), &settings.graph_version, pacing)?;
    Ok(match secret {
        Some(secret) => graph.with_app_secret(secret),
        None => graph,
    })
}

/// A Meta app id is its digits.
pub fn clean_app_id(id: &str) -> Option<String> {
    let id = id.trim();
    (!id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_digit())).then(|| id.to_owned())
}
