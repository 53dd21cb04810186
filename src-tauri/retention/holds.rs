//! Legal holds, on a client or on a person, and the automatic hold on anyone with an open access
//! or portability request: what they cover is never purged.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::SqliteConnection;
use ts_rs::TS;

use crate::identity::IdentityHash;
use crate::personal_data::Holder;
use crate::requests::IdKind;

#[derive(Debug, Clone, Serialize, TS)]
pub struct Hold {
    #[ts(type = "number")]
    pub id: i64,
    /// The client held, or `None` for a hold on a person.
    pub client: Option<String>,
    /// For a hold on a person: the kinds of identifier held (their values are kept only as keyed
    /// hashes).
    pub identifiers: Vec<String>,
    pub reason: String,
    /// The last day it holds, YYYY-MM-DD; `None` until removed.
    pub until: Option<String>,
    pub created_at: String,
}

#[derive(Debug, thiserror::Error)]
pub enum HoldError {
    #[error(
        "A hold needs what it holds: a client, or the person's identifiers (an email, a phone, a Meta lead id …)."
    )]
    Nothing,
    #[error("A hold is on a client or on a person, not both: give the client or the identifiers.")]
    Both,
    #[error("A hold needs its reason (a dispute, an authority's request), which the audit trail keeps.")]
    NoReason,
    #[error("A reason is kept in the audit trail and can be at most {} characters long; say it shortly and keep the detail in your own records.", crate::audit::MAX_REASON_CHARS)]
    ReasonTooLong,
    #[error("The hold would end on {0}, which has passed.")]
    Past(NaiveDate),
    #[error("No hold has number {0}. The list of holds shows the holds there are.")]
    NotFound(i64),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// The keyed hashes held as of today (?9, YYYY-MM-DD): active holds on people, and everyone with
/// an open access or portability request. A macro, so that it can be spliced into other SQL.
#[macro_export]
macro_rules! held_hashes {
    () => {
        "SELECT hi.hash FROM hold_identifiers AS hi JOIN holds AS h ON h.id = hi.hold_id
            WHERE h.until IS NULL OR h.until >= ?9
        UNION SELECT ri.hash FROM request_identifiers AS ri JOIN requests AS r ON r.id = ri.request_id
            WHERE r.status NOT IN ('completed', 'denied') AND r.kind IN ('access', 'portability')"
    };
}

/// The clients held as a whole as of today (?9).
#[macro_export]
macro_rules! held_clients {
    () => {
        "SELECT client_id FROM holds WHERE client_id IS NOT NULL AND (until IS NULL OR until >= ?9)"
    };
}

/// Whether a record is on hold as of today (?9): its client (the column `$client`) is held, or a
/// person among its keyed hashes (the column `$people`, 16 bytes each) is.
#[macro_export]
macro_rules! record_held {
    ($client:literal, $people:literal) => {
        concat!(
            "(coalesce(",
            $client,
            " IN (",
            $crate::held_clients!(),
            "), 0) OR EXISTS (SELECT 1 FROM (",
            $crate::held_hashes!(),
            ") AS held WHERE length(held.hash) = 16 AND instr(",
            $people,
            ", held.hash) > 0))"
        )
    };
}

/// A legal hold that stops a deletion.
#[derive(Debug, Clone)]
pub struct Blocking {
    pub id: i64,
    pub reason: String,
    /// The client held, for a hold on a client.
    pub client: Option<String>,
}

impl Blocking {
    /// "legal hold #3 on client 'Acme' (regulator's inquiry)".
    pub fn describe(&self) -> String {
        match &self.client {
            Some(c) => format!("legal hold #{} on client '{c}' ({})", self.id, self.reason),
            None => format!("legal hold #{} ({})", self.id, self.reason),
        }
    }
}

/// The first legal hold in force today that covers any of these keyed hashes or any of these
/// clients (by name). The automatic hold of an open access request is not one: it keeps records
/// from purges, never from the person's own erasure.
pub async fn blocking(
    conn: &mut SqliteConnection,
    hashes: &[IdentityHash],
    client_names: &[String],
    today: NaiveDate,
) -> Result<Option<Blocking>, sqlx::Error> {
    let today = today.to_string();
    for hash in hashes {
        let hold: Option<(i64, String)> = sqlx::query_as(
            "SELECT h.id, h.reason FROM hold_identifiers AS hi JOIN holds AS h ON h.id = hi.hold_id
             WHERE hi.hash = ?1 AND (h.until IS NULL OR h.until >= ?2) ORDER BY h.id LIMIT 1",
        )
        .bind(&hash[..])
        .bind(&today)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((id, reason)) = hold {
            return Ok(Some(Blocking { id, reason, client: None }));
        }
    }
    for name in client_names {
        if let Some(hold) = on_client(conn, ClientBy::Name(name), &today).await? {
            return Ok(Some(hold));
        }
    }
    Ok(None)
}

/// The first legal hold in force today on the client whose id is `client_id`, or on a person any
/// of whose records that client holds: removing the client would delete what the hold keeps.
pub async fn blocking_client(
    conn: &mut SqliteConnection,
    holders: &[&dyn Holder],
    client_id: &str,
    today: NaiveDate,
) -> Result<Option<Blocking>, sqlx::Error> {
    let today = today.to_string();
    if let Some(hold) = on_client(conn, ClientBy::Id(client_id), &today).await? {
        return Ok(Some(hold));
    }
    // Each kind kept per client names its people's keyed hashes as a query; the query text comes
    // from the holders' constants, never from input.
    for people in holders.iter().filter_map(|h| h.people_of_client()) {
        let person: Option<(i64, String)> = sqlx::query_as(&format!(
            "SELECT h.id, h.reason FROM holds AS h JOIN hold_identifiers AS hi ON hi.hold_id = h.id
             WHERE (h.until IS NULL OR h.until >= ?2) AND hi.hash IN ({people})
             ORDER BY h.id LIMIT 1"
        ))
        .bind(client_id)
        .bind(&today)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((id, reason)) = person {
            return Ok(Some(Blocking { id, reason, client: None }));
        }
    }
    Ok(None)
}

/// How many holds, in force or ended, are placed on the client whose id is `client_id`.
pub async fn on_client_count(conn: &mut SqliteConnection, client_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM holds WHERE client_id = ?1").bind(client_id).fetch_one(conn).await
}

enum ClientBy<'a> {
    Id(&'a str),
    Name(&'a str),
}

async fn on_client(
    conn: &mut SqliteConnection,
    by: ClientBy<'_>,
    today: &str,
) -> Result<Option<Blocking>, sqlx::Error> {
    let (column, value) = match by {
        ClientBy::Id(id) => ("c.id", id),
        ClientBy::Name(name) => ("c.name", name),
    };
    // `column` is one of the two constants above, never input.
    let hold: Option<(i64, String, String)> = sqlx::query_as(&format!(
        "SELECT h.id, h.reason, c.name FROM holds AS h JOIN clients AS c ON c.id = h.client_id
         WHERE {column} = ?1 AND (h.until IS NULL OR h.until >= ?2) ORDER BY h.id LIMIT 1"
    ))
    .bind(value)
    .bind(today)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(hold.map(|(id, reason, client)| Blocking { id, reason, client: Some(client) }))
}

pub async fn add(
    conn: &mut SqliteConnection,
    client_id: Option<&str>,
    person: &[(IdKind, IdentityHash)],
    reason: &str,
    until: Option<NaiveDate>,
    today: NaiveDate,
    at: &str,
) -> Result<i64, HoldError> {
    match (client_id.is_some(), person.is_empty()) {
        (false, true) => return Err(HoldError::Nothing),
        (true, false) => return Err(HoldError::Both),
        _ => {}
    }
    if reason.trim().is_empty() {
        return Err(HoldError::NoReason);
    }
    if reason.trim().chars().count() > crate::audit::MAX_REASON_CHARS {
        return Err(HoldError::ReasonTooLong);
    }
    if let Some(until) = until.filter(|u| *u < today) {
        return Err(HoldError::Past(until));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO holds (client_id, reason, until, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
    )
    .bind(client_id)
    .bind(reason.trim())
    .bind(until.map(|u| u.to_string()))
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    for (kind, hash) in person {
        sqlx::query("INSERT OR IGNORE INTO hold_identifiers (hold_id, kind, hash) VALUES (?1, ?2, ?3)")
            .bind(id)
            .bind(*kind as i64)
            .bind(&hash[..])
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

/// A hold as stored: id, client name, reason, until, created at.
type HoldRow = (i64, Option<String>, String, Option<String>, String);

pub async fn list(conn: &mut SqliteConnection) -> Result<Vec<Hold>, sqlx::Error> {
    let rows: Vec<HoldRow> = sqlx::query_as(
        "SELECT h.id, c.name, h.reason, h.until, h.created_at FROM holds AS h LEFT JOIN clients AS c ON c.id = h.client_id
         ORDER BY h.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let kinds: Vec<(i64, i64)> =
        sqlx::query_as("SELECT hold_id, kind FROM hold_identifiers ORDER BY hold_id").fetch_all(&mut *conn).await?;
    Ok(rows
        .into_iter()
        .map(|(id, client, reason, until, created_at)| Hold {
            id,
            client,
            identifiers: kinds
                .iter()
                .filter(|(h, _)| *h == id)
                .filter_map(|(_, k)| IdKind::from_stored(*k).map(|k| k.label().to_owned()))
                .collect(),
            reason,
            until,
            created_at,
        })
        .collect())
}

pub async fn remove(conn: &mut SqliteConnection, id: i64) -> Result<(), HoldError> {
    let gone = sqlx::query("DELETE FROM holds WHERE id = ?1").bind(id).execute(&mut *conn).await?.rows_affected();
    if gone == 0 {
        return Err(HoldError::NotFound(id));
    }
    Ok(())
}

/// Whether any hold on a person is held: each names a person by a hash made with the identity key.
pub async fn any_on_people(pool: &sqlx::SqlitePool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM hold_identifiers)").fetch_one(pool).await
}
