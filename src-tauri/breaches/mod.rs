//! The breach register: every personal-data breach the agency becomes aware of, with the 72 hours
//! to tell the supervisory authority (GDPR Art. 33(1)), when the authority and the people
//! affected were told, and why the authority was told late. A breach is recorded whether it is
//! notified or not (Art. 33(5)), and the record stays once closed.

pub mod deadline;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;
use sqlx::{Row, SqliteConnection};
use ts_rs::TS;

use crate::clock::Moment;
use crate::personal_data::DataKind;
use deadline::{Standing, Told};

/// The longest summary kept: what happened, in a few sentences; the detail is in the notices.
pub const LONGEST_SUMMARY: usize = 2_000;

/// A breach as recorded, and where it stands now.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Breach {
    #[ts(type = "number")]
    pub id: i64,
    /// When the agency became aware, RFC 3339 in the offset it was given in.
    pub aware_at: String,
    /// The latest the authority is to be told, RFC 3339 UTC.
    pub deadline: String,
    pub standing: Standing,
    pub summary: String,
    /// The clients whose data it concerns, by name as recorded.
    pub clients: Vec<String>,
    pub kinds: Vec<DataKind>,
    /// The window of the data concerned, YYYY-MM-DD.
    pub since: Option<String>,
    pub until: Option<String>,
    /// When the authority was told, as given (a day, or RFC 3339).
    pub authority_on: Option<String>,
    pub authority_late: bool,
    /// Why the authority was told after the 72 hours (Art. 33(1)).
    pub late_reason: Option<String>,
    /// When the people affected were told (Art. 34).
    pub subjects_on: Option<String>,
    pub closed_at: Option<String>,
    pub created_at: String,
}

/// A breach to record.
#[derive(Debug, Clone)]
pub struct NewBreach {
    pub aware_at: DateTime<FixedOffset>,
    pub summary: String,
    pub clients: Vec<String>,
    pub kinds: Vec<DataKind>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// Whom a breach was told to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The supervisory authority (Art. 33).
    Authority,
    /// The people affected (Art. 34).
    Subjects,
}

#[derive(Debug, thiserror::Error)]
pub enum BreachError {
    #[error(
        "'{0}' is not a time with its offset from UTC. Give when the agency became aware as, for example, \
         2026-12-01T09:30+01:00 or 2026-12-01T08:30Z: the 72 hours count from that moment."
    )]
    AwareAtUnreadable(String),
    #[error("The agency cannot have become aware of a breach after now ({0}). Check the time and its offset.")]
    AwareLater(String),
    #[error("A breach needs a summary of what happened, which the register and its notices keep.")]
    NoSummary,
    #[error("A summary is at most {LONGEST_SUMMARY} characters; keep the detail for the notices.")]
    SummaryTooLong,
    #[error("A window of the data concerned takes both its first and its last day.")]
    HalfWindow,
    #[error("The window's last day, {until}, is before its first, {since}.")]
    WindowBackwards { since: NaiveDate, until: NaiveDate },
    #[error("'{0}' is not a day (YYYY-MM-DD) or a time with its offset (RFC 3339).")]
    WhenUnreadable(String),
    #[error("{0} is after now: record who was told once they have been.")]
    ToldLater(String),
    #[error(
        "The authority was told on {on}, after the 72 hours ended at {deadline}. A late notification says why it \
         was late (GDPR Art. 33(1)): give the reason for the delay."
    )]
    LateWithoutReason { on: String, deadline: String },
    #[error("Breach {id} is marked as told to the {whom} on {on} already; the register keeps the first date given.")]
    AlreadyTold { id: i64, whom: &'static str, on: String },
    #[error("Breach {0} is closed; its record stays as it was closed.")]
    Closed(i64),
    #[error("No breach has number {0}. The breach list shows those recorded.")]
    NotFound(i64),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// `2026-12-01T09:30+01:00`, `2026-12-01T09:30:00Z`: a moment with its offset, seconds optional.
pub fn parse_aware_at(text: &str) -> Result<DateTime<FixedOffset>, BreachError> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M%:z"))
        .or_else(|_| DateTime::parse_from_str(&text.replace('Z', "+00:00"), "%Y-%m-%dT%H:%M%:z"))
        .map_err(|_| BreachError::AwareAtUnreadable(text.to_owned()))
}

/// Records a breach; returns its number.
pub async fn add(conn: &mut SqliteConnection, new: &NewBreach, now: Moment, at: &str) -> Result<i64, BreachError> {
    let summary = new.summary.trim();
    if summary.is_empty() {
        return Err(BreachError::NoSummary);
    }
    if summary.chars().count() > LONGEST_SUMMARY {
        return Err(BreachError::SummaryTooLong);
    }
    if new.aware_at.to_utc() > now {
        return Err(BreachError::AwareLater(crate::clock::rfc3339(now)));
    }
    match (new.since, new.until) {
        (Some(since), Some(until)) if until < since => return Err(BreachError::WindowBackwards { since, until }),
        (Some(_), None) | (None, Some(_)) => return Err(BreachError::HalfWindow),
        _ => {}
    }
    let kinds: Vec<&str> = new.kinds.iter().map(|k| k.as_str()).collect();
    let id = sqlx::query(
        "INSERT INTO breaches (aware_at, aware_offset, summary, clients, kinds, since, until, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .bind(new.aware_at.timestamp())
    .bind(new.aware_at.offset().local_minus_utc() / 60)
    .bind(summary)
    .bind(serde_json::to_string(&new.clients).expect("names serialise"))
    .bind(serde_json::to_string(&kinds).expect("kinds serialise"))
    .bind(new.since.map(|d| d.to_string()))
    .bind(new.until.map(|d| d.to_string()))
    .bind(at)
    .execute(&mut *conn)
    .await?
    .last_insert_rowid();
    Ok(id)
}

const COLUMNS: &str = "id, aware_at, aware_offset, summary, clients, kinds, since, until, authority_on, \
                       authority_late, late_reason, subjects_on, closed_at, created_at";

fn breach_of(row: &sqlx::sqlite::SqliteRow, now: Moment) -> Result<Breach, sqlx::Error> {
    let aware = aware_of(row.try_get(1)?, row.try_get(2)?);
    let authority_on: Option<String> = row.try_get(8)?;
    let authority_late: bool = row.try_get(9)?;
    let closed_at: Option<String> = row.try_get(12)?;
    let kinds: Vec<String> = serde_json::from_str(&row.try_get::<String, _>(5)?).unwrap_or_default();
    Ok(Breach {
        id: row.try_get(0)?,
        aware_at: aware.to_rfc3339(),
        deadline: crate::clock::rfc3339(deadline::deadline(aware.to_utc())),
        standing: deadline::standing(
            aware.to_utc(),
            authority_on.as_ref().map(|_| authority_late),
            closed_at.is_some(),
            now,
        ),
        summary: row.try_get(3)?,
        clients: serde_json::from_str(&row.try_get::<String, _>(4)?).unwrap_or_default(),
        kinds: kinds
            .iter()
            .filter_map(|k| {
                crate::personal_data::registry::HOLDERS.iter().map(|h| h.kind()).find(|kind| kind.as_str() == k)
            })
            .collect(),
        since: row.try_get(6)?,
        until: row.try_get(7)?,
        authority_on,
        authority_late,
        late_reason: row.try_get(10)?,
        subjects_on: row.try_get(11)?,
        closed_at,
        created_at: row.try_get(13)?,
    })
}

/// The moment `seconds` after 1970, in the offset of `minutes` it was given in.
fn aware_of(seconds: i64, minutes: i32) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(minutes * 60).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"));
    crate::clock::from_unix(seconds).unwrap_or_default().with_timezone(&offset)
}

/// Every breach, the latest awareness first.
pub async fn list(conn: &mut SqliteConnection, now: Moment) -> Result<Vec<Breach>, sqlx::Error> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM breaches ORDER BY aware_at DESC, id DESC"))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| breach_of(row, now))
        .collect()
}

pub async fn get(conn: &mut SqliteConnection, id: i64, now: Moment) -> Result<Breach, BreachError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM breaches WHERE id = ?1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(BreachError::NotFound(id))?;
    Ok(breach_of(&row, now)?)
}

/// Records that the authority or the people affected were told on `on`. The authority told after
/// the 72 hours needs the reason for the delay.
pub async fn told(
    conn: &mut SqliteConnection,
    id: i64,
    audience: Audience,
    on: &str,
    late_reason: Option<&str>,
    now: Moment,
) -> Result<Breach, BreachError> {
    let breach = get(conn, id, now).await?;
    if breach.closed_at.is_some() {
        return Err(BreachError::Closed(id));
    }
    let told = Told::parse(on).ok_or_else(|| BreachError::WhenUnreadable(on.trim().to_owned()))?;
    let aware = DateTime::parse_from_rfc3339(&breach.aware_at).expect("written as RFC 3339");
    if told.after(now, *aware.offset()) {
        return Err(BreachError::ToldLater(on.trim().to_owned()));
    }
    let on = on.trim();
    match audience {
        Audience::Authority => {
            if let Some(first) = breach.authority_on {
                return Err(BreachError::AlreadyTold { id, whom: "authority", on: first });
            }
            let late = told.late(aware);
            let reason = late_reason.map(str::trim).filter(|r| !r.is_empty());
            if late && reason.is_none() {
                return Err(BreachError::LateWithoutReason { on: on.to_owned(), deadline: breach.deadline });
            }
            sqlx::query("UPDATE breaches SET authority_on = ?2, authority_late = ?3, late_reason = ?4 WHERE id = ?1")
                .bind(id)
                .bind(on)
                .bind(late)
                .bind(reason.filter(|_| late))
                .execute(&mut *conn)
                .await?;
        }
        Audience::Subjects => {
            if let Some(first) = breach.subjects_on {
                return Err(BreachError::AlreadyTold { id, whom: "people affected", on: first });
            }
            sqlx::query("UPDATE breaches SET subjects_on = ?2 WHERE id = ?1")
                .bind(id)
                .bind(on)
                .execute(&mut *conn)
                .await?;
        }
    }
    get(conn, id, now).await
}

/// Closes a breach: its record stays, and no longer changes.
pub async fn close(conn: &mut SqliteConnection, id: i64, at: &str, now: Moment) -> Result<Breach, BreachError> {
    let breach = get(conn, id, now).await?;
    if breach.closed_at.is_some() {
        return Err(BreachError::Closed(id));
    }
    sqlx::query("UPDATE breaches SET closed_at = ?2 WHERE id = ?1").bind(id).bind(at).execute(&mut *conn).await?;
    get(conn, id, now).await
}
