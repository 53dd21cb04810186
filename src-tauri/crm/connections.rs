//! Connections to clients' CRMs and their field mappings. The tokens themselves are only in the
//! keychain.

use std::collections::HashMap;

use sqlx::{SqliteConnection, SqlitePool};

/// The keychain purpose of a connection's token; the entry's id is the connection's id.
pub const TOKEN_PURPOSE: &str = "crm-token";

/// The keychain purpose of the refresh token of a connection made through OAuth.
pub const REFRESH_PURPOSE: &str = "crm-refresh";

/// The keychain purpose of the app's client secret a connection made through OAuth renews with: a
/// copy of its own, so that the connection outlives a change or removal of the app's settings.
pub const APP_SECRET_PURPOSE: &str = "crm-refresh-secret";

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Row {
    pub id: String,
    pub crm: String,
    pub client: Option<String>,
    pub base_url: String,
    pub created_at: String,
    pub last_ok_at: Option<String>,
    pub invalid_reason: Option<String>,
    pub auto_push: bool,
    /// Where a connection made through OAuth refreshes its token, and as which app.
    pub token_url: Option<String>,
    pub oauth_client_id: Option<String>,
}

const SELECT: &str = "SELECT k.id, k.crm, c.name AS client, k.base_url, k.created_at, k.last_ok_at, k.invalid_reason,
    k.auto_push, k.token_url, k.oauth_client_id FROM crm_connections AS k LEFT JOIN clients AS c ON c.id = k.client_id";

/// How a connection made through OAuth is renewed.
pub struct OAuth<'a> {
    pub token_url: &'a str,
    pub client_id: &'a str,
}

pub async fn insert(
    conn: &mut SqliteConnection,
    id: &str,
    crm: super::Crm,
    client_id: &str,
    base_url: &str,
    oauth: Option<OAuth<'_>>,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO crm_connections (id, crm, client_id, base_url, created_at, last_ok_at, token_url, oauth_client_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)",
    )
    .bind(id)
    .bind(crm.as_str())
    .bind(client_id)
    .bind(base_url)
    .bind(at)
    .bind(oauth.as_ref().map(|o| o.token_url))
    .bind(oauth.as_ref().map(|o| o.client_id))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<Row>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} ORDER BY c.name, k.crm, k.created_at")).fetch_all(pool).await
}

pub async fn delete(conn: &mut SqliteConnection, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM crm_connections WHERE id = ?1").bind(id).execute(conn).await?;
    Ok(())
}

/// Notes a call the CRM answered with the connection's token.
pub async fn touch(conn: impl sqlx::SqliteExecutor<'_>, id: &str, at: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE crm_connections SET last_ok_at = ?2, invalid_reason = NULL WHERE id = ?1")
        .bind(id)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Notes that the CRM no longer accepts the connection's token, and why.
pub async fn mark_invalid(pool: &SqlitePool, id: &str, reason: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE crm_connections SET invalid_reason = ?2 WHERE id = ?1")
        .bind(id)
        .bind(reason)
        .execute(pool)
        .await?;
    Ok(())
}

/// Keeps a new version of a form's mapping; returns its number.
pub async fn save_mapping(
    conn: &mut SqliteConnection,
    connection_id: &str,
    form_id: &str,
    mapping: &str,
    schema: &str,
    at: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO crm_mappings (connection_id, form_id, version, mapping, saved_at, schema)
         SELECT ?1, ?2, coalesce(max(version), 0) + 1, ?3, ?4, ?5 FROM crm_mappings WHERE connection_id = ?1 AND form_id = ?2
         RETURNING version",
    )
    .bind(connection_id)
    .bind(form_id)
    .bind(mapping)
    .bind(at)
    .bind(schema)
    .fetch_one(conn)
    .await
}

/// The newest mapping of a form for a connection: its version, JSON and when it was saved.
pub async fn mapping(
    pool: &SqlitePool,
    connection_id: &str,
    form_id: &str,
) -> Result<Option<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT version, mapping, saved_at FROM crm_mappings WHERE connection_id = ?1 AND form_id = ?2
         ORDER BY version DESC LIMIT 1",
    )
    .bind(connection_id)
    .bind(form_id)
    .fetch_optional(pool)
    .await
}

/// The CRM's fields as read when the newest mapping of a form was kept; `None` for a version kept
/// before they were.
pub async fn mapped_schema(
    pool: &SqlitePool,
    connection_id: &str,
    form_id: &str,
) -> Result<Option<super::schema::Schema>, sqlx::Error> {
    let kept: Option<Option<String>> = sqlx::query_scalar(
        "SELECT schema FROM crm_mappings WHERE connection_id = ?1 AND form_id = ?2 ORDER BY version DESC LIMIT 1",
    )
    .bind(connection_id)
    .bind(form_id)
    .fetch_optional(pool)
    .await?;
    Ok(kept.flatten().and_then(|text| serde_json::from_str(&text).ok()))
}

pub async fn one(pool: &SqlitePool, id: &str) -> Result<Option<Row>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE k.id = ?1")).bind(id).fetch_optional(pool).await
}

/// A client to call the CRM of connection `id` with, its token from the keychain; or why there is
/// none, in words.
pub async fn client_of(
    pool: &SqlitePool,
    workspace_id: &str,
    id: &str,
    pacing: super::client::Pacing,
) -> Result<super::client::CrmClient, String> {
    let Ok(Some(row)) = one(pool, id).await else {
        return Err("the CRM connection was removed; connect the CRM again, then retry".into());
    };
    let Some(crm) = super::Crm::parse(&row.crm) else {
        return Err(format!("'{}' is not a CRM Custodian knows", row.crm));
    };
    let token = match crate::vault::Vault::new(workspace_id).get(TOKEN_PURPOSE, id).await {
        Ok(Some(token)) => token,
        _ => {
            return Err(format!("the {} token is not in the keychain; connect the CRM again, then retry", crm.label()))
        }
    };
    client_with(&row, crm, token, workspace_id, pacing).map_err(|e| e.to_string())
}

/// The client of connection `row` with its access token; one made through OAuth renews the token
/// with its refresh token when the CRM refuses it.
pub fn client_with(
    row: &Row,
    crm: super::Crm,
    token: crate::vault::Sensitive<String>,
    workspace_id: &str,
    pacing: super::client::Pacing,
) -> Result<super::client::CrmClient, super::client::CrmError> {
    let client = super::client::CrmClient::new(crm, &row.base_url, token, pacing.clone())?;
    let (Some(token_url), Some(client_id)) = (&row.token_url, &row.oauth_client_id) else { return Ok(client) };
    let http =
        super::oauth::token_client(pacing.timeout).map_err(|_| super::client::CrmError::BadUrl(token_url.clone()))?;
    Ok(client.with_renewal(Box::new(KeychainRenewal {
        http,
        crm,
        token_url: token_url.clone(),
        client_id: client_id.clone(),
        vault: crate::vault::Vault::new(workspace_id),
        connection_id: row.id.clone(),
    })))
}

/// Renews an access token with the refresh token in the keychain, and keeps what comes back there
/// before it is used: a token in use is always one the keychain has.
struct KeychainRenewal {
    http: reqwest::Client,
    crm: super::Crm,
    token_url: String,
    client_id: String,
    vault: crate::vault::Vault,
    connection_id: String,
}

/// One renewal at a time per connection in this process, whichever client asks: a refresh token
/// some CRMs take only once must not be sent twice.
fn renewing(connection_id: &str) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    static RENEWING: std::sync::OnceLock<std::sync::Mutex<HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>> =
        std::sync::OnceLock::new();
    let all = RENEWING.get_or_init(Default::default);
    let mut all = all.lock().unwrap_or_else(|e| e.into_inner());
    std::sync::Arc::clone(all.entry(connection_id.to_owned()).or_default())
}

#[async_trait::async_trait]
impl super::client::Renewal for KeychainRenewal {
    async fn renew(
        &self,
        refused: &crate::vault::Sensitive<String>,
    ) -> Result<crate::vault::Sensitive<String>, super::client::CrmError> {
        use super::client::CrmError;
        let label = self.crm.label();
        let keychain = |e: crate::vault::VaultError| CrmError::Unauthorized { crm: label, reason: e.to_string() };
        let lock = renewing(&self.connection_id);
        let _one_at_a_time = lock.lock().await;
        // Renewed meanwhile by another client of this connection (a push beside a remote step).
        if let Some(kept) = self.vault.get(TOKEN_PURPOSE, &self.connection_id).await.map_err(keychain)? {
            if kept.expose() != refused.expose() {
                return Ok(kept);
            }
        }
        let Some(refresh) = self.vault.get(REFRESH_PURPOSE, &self.connection_id).await.map_err(keychain)? else {
            return Err(CrmError::Unauthorized {
                crm: label,
                reason: "its refresh token is not in the keychain".into(),
            });
        };
        let secret = self.vault.get(APP_SECRET_PURPOSE, &self.connection_id).await.map_err(keychain)?;
        let app = super::oauth::AppCredentials { client_id: &self.client_id, secret: secret.as_ref() };
        let grant = super::oauth::Grant::Refresh(&refresh);
        let tokens = super::oauth::exchange(&self.http, self.crm, &self.token_url, &app, grant).await?;
        if let Some(rotated) = tokens.refresh {
            self.vault.set(REFRESH_PURPOSE, &self.connection_id, rotated).await.map_err(keychain)?;
        }
        self.vault.set(TOKEN_PURPOSE, &self.connection_id, tokens.access.clone()).await.map_err(keychain)?;
        tracing::info!(connection = %self.connection_id, "renewed a CRM access token");
        Ok(tokens.access)
    }
}

/// The CRM fields the newest mapping of each form of connection `id` writes: what Custodian put
/// there, and so what an access request reads back.
pub async fn mapped_fields(pool: &SqlitePool, id: &str) -> Result<Vec<String>, sqlx::Error> {
    let mappings: Vec<String> = sqlx::query_scalar(
        "SELECT m.mapping FROM crm_mappings AS m WHERE m.connection_id = ?1
         AND m.version = (SELECT max(n.version) FROM crm_mappings AS n
                          WHERE n.connection_id = m.connection_id AND n.form_id = m.form_id)",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let mut fields: Vec<String> = Vec::new();
    for mapping in mappings {
        if let Ok(mapping) = serde_json::from_str::<super::mapping::Mapping>(&mapping) {
            for rule in mapping.fields {
                if !fields.contains(&rule.to) {
                    fields.push(rule.to);
                }
            }
        }
    }
    Ok(fields)
}

pub async fn set_auto_push(conn: &mut SqliteConnection, id: &str, on: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE crm_connections SET auto_push = ?2 WHERE id = ?1").bind(id).bind(on).execute(conn).await?;
    Ok(())
}
