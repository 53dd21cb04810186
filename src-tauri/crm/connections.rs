//! Connections to clients' CRMs and their field mappings. The tokens themselves are only in the
//! keychain.

use sqlx::{SqliteConnection, SqlitePool};

/// The keychain purpose of a connection's token; the entry's id is the connection's id.
pub const TOKEN_PURPOSE: &str = "crm-token";

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
}

const SELECT: &str = "SELECT k.id, k.crm, c.name AS client, k.base_url, k.created_at, k.last_ok_at, k.invalid_reason,
    k.auto_push FROM crm_connections AS k LEFT JOIN clients AS c ON c.id = k.client_id";

pub async fn insert(
    conn: &mut SqliteConnection,
    id: &str,
    crm: super::Crm,
    client_id: &str,
    base_url: &str,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO crm_connections (id, crm, client_id, base_url, created_at, last_ok_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )
    .bind(id)
    .bind(crm.as_str())
    .bind(client_id)
    .bind(base_url)
    .bind(at)
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
    at: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO crm_mappings (connection_id, form_id, version, mapping, saved_at)
         SELECT ?1, ?2, coalesce(max(version), 0) + 1, ?3, ?4 FROM crm_mappings WHERE connection_id = ?1 AND form_id = ?2
         RETURNING version",
    )
    .bind(connection_id)
    .bind(form_id)
    .bind(mapping)
    .bind(at)
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
    super::client::CrmClient::new(crm, &row.base_url, token, pacing).map_err(|e| e.to_string())
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
