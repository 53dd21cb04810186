//! Clients: the advertisers an agency works for. Every kind of personal data belongs to one.

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use ts_rs::TS;

use crate::personal_data::{Holder, Scope};

pub mod holdings;

pub use holdings::Holdings;

const MAX_NAME_CHARS: usize = 120;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, sqlx::FromRow)]
pub struct Client {
    pub id: String,
    pub name: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// ISO 3166 alpha-2: the country of leads' phone numbers written without a country code.
    pub country: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("A client needs a name.")]
    EmptyName,
    #[error("A client name can be at most {MAX_NAME_CHARS} characters long.")]
    NameTooLong,
    #[error("A client name cannot contain control characters such as tabs or line breaks.")]
    ControlCharacter,
    #[error("A client named '{0}' already exists; choose another name.")]
    Taken(String),
    #[error("No client is named '{0}'. The list of clients shows the clients there are.")]
    NotFound(String),
    #[error("'{0}' is not a country Custodian knows: give its two-letter ISO code, such as GB, US or DE.")]
    UnknownCountry(String),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Trims a proposed name and checks it is one a person can read back and type again.
pub fn clean_name(name: &str) -> Result<String, ClientError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ClientError::EmptyName);
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ClientError::NameTooLong);
    }
    if name.chars().any(char::is_control) {
        return Err(ClientError::ControlCharacter);
    }
    Ok(name.to_owned())
}

/// An ISO 3166 alpha-2 code Custodian has a calling code for, uppercased.
pub fn clean_country(country: &str) -> Result<String, ClientError> {
    let code = country.trim().to_ascii_uppercase();
    crate::identity::calling_code(&code)
        .map(|_| code)
        .ok_or_else(|| ClientError::UnknownCountry(country.trim().to_owned()))
}

const COLUMNS: &str = "id, name, created_at, country";

pub async fn insert(
    conn: &mut SqliteConnection,
    id: &str,
    name: &str,
    at: &str,
    country: Option<&str>,
) -> Result<Client, ClientError> {
    sqlx::query_as(&format!(
        "INSERT INTO clients (id, name, created_at, country) VALUES (?1, ?2, ?3, ?4) RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(name)
    .bind(at)
    .bind(country)
    .fetch_one(conn)
    .await
    .map_err(|e| taken_or(e, name))
}

pub async fn set_country(conn: &mut SqliteConnection, id: &str, country: Option<&str>) -> Result<Client, ClientError> {
    Ok(sqlx::query_as(&format!("UPDATE clients SET country = ?2 WHERE id = ?1 RETURNING {COLUMNS}"))
        .bind(id)
        .bind(country)
        .fetch_one(conn)
        .await?)
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<Client>, ClientError> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM clients ORDER BY name COLLATE NOCASE, id"))
        .fetch_all(pool)
        .await?)
}

pub async fn count(pool: &SqlitePool) -> Result<i64, ClientError> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM clients").fetch_one(pool).await?)
}

/// The client's number, by which its records refer to it.
pub async fn num(pool: &SqlitePool, id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT num FROM clients WHERE id = ?1").bind(id).fetch_one(pool).await
}

/// Finds a client by name, ignoring case and surrounding spaces, as a person types it.
pub async fn find(conn: &mut SqliteConnection, name: &str) -> Result<Client, ClientError> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM clients WHERE name = ?1"))
        .bind(name.trim())
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| ClientError::NotFound(name.trim().to_owned()))
}

/// Every client's id and name, by name: the order retention reviews and purges them in.
pub async fn ids_and_names(conn: &mut SqliteConnection) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, name FROM clients ORDER BY name").fetch_all(conn).await
}

/// The client whose id is `id`, if there still is one.
pub async fn by_id(pool: &SqlitePool, id: &str) -> Result<Option<Client>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM clients WHERE id = ?1")).bind(id).fetch_optional(pool).await
}

/// The countries a national phone number a person gives is placed with: the client's, when it has
/// one; otherwise every client's, since the person's records may be with any of them.
pub async fn phone_countries(conn: &mut SqliteConnection, client_id: Option<&str>) -> Result<Vec<String>, sqlx::Error> {
    if let Some(id) = client_id {
        let own: Option<String> = sqlx::query_scalar("SELECT country FROM clients WHERE id = ?1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .flatten();
        if let Some(country) = own {
            return Ok(vec![country]);
        }
    }
    sqlx::query_scalar("SELECT DISTINCT country FROM clients WHERE country IS NOT NULL ORDER BY country")
        .fetch_all(conn)
        .await
}

pub async fn rename(conn: &mut SqliteConnection, id: &str, new_name: &str) -> Result<Client, ClientError> {
    sqlx::query_as(&format!("UPDATE clients SET name = ?2 WHERE id = ?1 RETURNING {COLUMNS}"))
        .bind(id)
        .bind(new_name)
        .fetch_one(conn)
        .await
        .map_err(|e| taken_or(e, new_name))
}

/// Deletes the client with every record each holder keeps of it, all at once.
pub async fn delete(conn: &mut SqliteConnection, holders: &[&dyn Holder], id: &str) -> Result<(), ClientError> {
    let theirs: Vec<&&dyn Holder> = holders.iter().filter(|h| h.scope() == Scope::Client).collect();
    for holder in &theirs {
        holder.remove_client(conn, id).await?;
    }
    sqlx::query("DELETE FROM clients WHERE id = ?1").bind(id).execute(&mut *conn).await?;
    for holder in &theirs {
        holder.settle_removals(conn).await?;
    }
    Ok(())
}

fn taken_or(e: sqlx::Error, name: &str) -> ClientError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => ClientError::Taken(name.to_owned()),
        _ => ClientError::Sql(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_must_say_something() {
        assert_eq!(clean_name("  Acme Shoes \n").unwrap(), "Acme Shoes");
        assert!(matches!(clean_name("   "), Err(ClientError::EmptyName)));
        assert!(matches!(clean_name("a\tb"), Err(ClientError::ControlCharacter)));
        assert!(matches!(clean_name(&"x".repeat(121)), Err(ClientError::NameTooLong)));
        assert_eq!(clean_name(&"é".repeat(120)).unwrap().chars().count(), 120);
    }
}
