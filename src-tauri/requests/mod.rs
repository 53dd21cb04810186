//! Data-subject requests: who asked for what, under which law, and by when the agency must answer.
//! A request moves forward only: received → verifying → in progress → completed or denied.

pub mod deadline;
pub mod discovery;
pub mod erasure;
pub mod package;
pub mod person_list;
pub mod processing_info;
pub mod records;
pub mod remote;
pub mod restriction;
pub mod signed;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::SqliteConnection;
use ts_rs::TS;

use crate::identity::{self, Hasher, IdentityHash};

pub use deadline::{Deadline, Regime, Urgency};

/// What the person asks for (GDPR Art. 15–21; CCPA's rights map onto the same). The aliases are
/// the words people use for the same rights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, TS, sqlx::Type, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case", type_name = "TEXT")]
pub enum RequestKind {
    Access,
    Portability,
    #[value(alias = "rectify", alias = "correct")]
    Rectification,
    #[value(alias = "erase", alias = "delete")]
    Erasure,
    #[value(alias = "restrict")]
    Restriction,
    /// Objection to processing, or consent withdrawn.
    #[value(alias = "object", alias = "withdraw-consent", alias = "withdraw_consent")]
    Objection,
}

impl RequestKind {
    pub const ALL: [Self; 6] =
        [Self::Access, Self::Portability, Self::Rectification, Self::Erasure, Self::Restriction, Self::Objection];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Portability => "portability",
            Self::Rectification => "rectification",
            Self::Erasure => "erasure",
            Self::Restriction => "restriction",
            Self::Objection => "objection",
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize, TS, sqlx::Type, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case", type_name = "TEXT")]
#[value(rename_all = "snake_case")]
pub enum RequestStatus {
    Received,
    Verifying,
    #[value(alias = "in-progress")]
    InProgress,
    Completed,
    Denied,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Verifying => "verifying",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Denied => "denied",
        }
    }

    pub fn is_closed(self) -> bool {
        matches!(self, Self::Completed | Self::Denied)
    }
}

/// How a request is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, TS, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Completed,
    Denied,
}

impl Outcome {
    pub fn status(self) -> RequestStatus {
        match self {
            Self::Completed => RequestStatus::Completed,
            Self::Denied => RequestStatus::Denied,
        }
    }
}

pub use crate::identity::{IdKind, Identifier};

/// The most identifiers one request takes; more is a mistake, not a person.
pub const MAX_IDENTIFIERS: usize = 32;
/// The longest identifier or note accepted, in characters.
const MAX_TEXT_CHARS: usize = 2_000;

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("A request needs at least one identifier of the person: an email, a phone, a Meta lead id, a Page-scoped id, a WhatsApp id, an app-scoped user id or a CRM record id.")]
    NoIdentifier,
    #[error("A request takes at most {MAX_IDENTIFIERS} identifiers.")]
    TooManyIdentifiers,
    #[error("The {0} given is not usable: check its spelling{1}.")]
    BadIdentifier(&'static str, &'static str),
    #[error("{0}")]
    Regime(String),
    #[error("'{0}' is not a date: give it as YYYY-MM-DD.")]
    BadDate(String),
    #[error("The request cannot have been received on {0}, which is after today.")]
    ReceivedInFuture(NaiveDate),
    #[error("Text of more than {MAX_TEXT_CHARS} characters is not accepted here.")]
    TooLong,
    #[error("No request has number {0}. The list of requests shows the requests there are.")]
    NotFound(i64),
    #[error("Request {id} is {status} and can no longer change.", status = .status.as_str())]
    Closed { id: i64, status: RequestStatus },
    #[error("Request {id} is already {from}; it cannot go back to {to}.", from = .from.as_str(), to = .to.as_str())]
    Backwards { id: i64, from: RequestStatus, to: RequestStatus },
    #[error("A request is completed or denied by closing it.")]
    CloseToFinish,
    #[error("Erasure request {0} is completed by erasing its person, or, when nothing is held, by closing it as nothing held; either gives a receipt. It can be denied with a reason.")]
    EraseToComplete(i64),
    #[error("Denying a request needs the reason, which the person is told.")]
    DenialWithoutReason,
    #[error("{0}")]
    Extension(deadline::ExtensionRefused),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// A request as intake records it, before it has a number.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub kind: RequestKind,
    pub regime: Regime,
    pub received_on: NaiveDate,
    pub client_id: Option<String>,
    pub verification_notes: String,
}

/// A request with its deadline worked out for `today`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Request {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: RequestKind,
    pub status: RequestStatus,
    /// gdpr, ccpa or days:N.
    pub regime: String,
    /// YYYY-MM-DD.
    pub received_on: String,
    /// The last day on which the answer is on time, YYYY-MM-DD.
    pub due_on: String,
    /// Days left until `due_on`: 0 on the day, negative once passed. For a closed request, as it
    /// stood when it was closed.
    #[ts(type = "number")]
    pub days_left: i64,
    pub urgency: RequestUrgency,
    pub extended: bool,
    pub extension_reason: Option<String>,
    /// Under CCPA, the day by which receipt must be confirmed, YYYY-MM-DD.
    pub confirm_receipt_by: Option<String>,
    pub client_id: Option<String>,
    pub client: Option<String>,
    pub identifiers: Vec<Identifier>,
    pub verification_notes: String,
    pub outcome_reason: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub closed_at: Option<String>,
}

/// How a request's deadline is shown: green, amber in the last 7 days, red when overdue; closed
/// requests have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RequestUrgency {
    OnTrack,
    DueSoon,
    Overdue,
    Closed,
}

/// Checks the identifiers and hashes them; phones without a country code are placed with each of
/// `countries` (the client's, or every client's).
pub fn hash_identifiers(
    hasher: &Hasher,
    identifiers: &[Identifier],
    countries: &[&str],
) -> Result<Vec<(Identifier, IdentityHash)>, RequestError> {
    let country = countries.first().copied();
    let identifiers: Vec<&Identifier> = identifiers.iter().filter(|i| !i.value.trim().is_empty()).collect();
    if identifiers.is_empty() {
        return Err(RequestError::NoIdentifier);
    }
    if identifiers.len() > MAX_IDENTIFIERS {
        return Err(RequestError::TooManyIdentifiers);
    }
    let mut out: Vec<(Identifier, IdentityHash)> = Vec::with_capacity(identifiers.len());
    for i in identifiers {
        if i.value.chars().count() > MAX_TEXT_CHARS {
            return Err(RequestError::TooLong);
        }
        let hint = match i.kind {
            IdKind::Phone if country.is_none() => ", and give it with its country code (+44 …)",
            IdKind::Phone => ", or give it with its country code",
            IdKind::LeadId => ": a Meta lead id is digits only",
            _ => "",
        };
        let entries: Vec<(identity::IdKind, String)> = match i.kind {
            IdKind::Phone => identity::phone_entries(&i.value, countries),
            kind => identity::normalise(kind, &i.value, country).map(|n| (kind, n)).into_iter().collect(),
        };
        if entries.is_empty() {
            return Err(RequestError::BadIdentifier(i.kind.label(), hint));
        }
        for (kind, normalised) in entries {
            let hash = hasher.hash(kind, &normalised);
            // The same person named twice the same way is one identifier.
            if !out.iter().any(|(_, h)| *h == hash) {
                out.push((Identifier { kind, value: i.value.trim().to_owned() }, hash));
            }
        }
    }
    Ok(out)
}

/// Checks free text (notes, reasons) is of a sensible length.
pub fn clean_text(text: &str) -> Result<String, RequestError> {
    let text = text.trim();
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(RequestError::TooLong);
    }
    Ok(text.to_owned())
}

/// Reads a date as YYYY-MM-DD.
pub fn parse_date(s: &str) -> Result<NaiveDate, RequestError> {
    let s = s.trim();
    // Exactly YYYY-MM-DD: a shorter or signed year, or a month or day without its zero, is a typo.
    let shaped = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    shaped
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| RequestError::BadDate(s.to_owned()))
}

/// Records a new request; returns its number.
pub async fn insert(
    conn: &mut SqliteConnection,
    new: &NewRequest,
    identifiers: &[(Identifier, IdentityHash)],
    at: &str,
) -> Result<i64, RequestError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO requests (kind, status, regime, received_on, client_id, verification_notes, created_at)
         VALUES (?1, 'received', ?2, ?3, ?4, ?5, ?6) RETURNING id",
    )
    .bind(new.kind)
    .bind(new.regime.to_string())
    .bind(new.received_on.to_string())
    .bind(&new.client_id)
    .bind(&new.verification_notes)
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    for (position, (identifier, hash)) in identifiers.iter().enumerate() {
        sqlx::query(
            "INSERT INTO request_identifiers (request_id, position, kind, value, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(identifier.kind as i64)
        .bind(&identifier.value)
        .bind(&hash[..])
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    kind: RequestKind,
    status: RequestStatus,
    regime: String,
    received_on: String,
    extended: bool,
    extension_reason: Option<String>,
    client_id: Option<String>,
    client: Option<String>,
    verification_notes: String,
    outcome_reason: Option<String>,
    created_at: String,
    closed_at: Option<String>,
}

const SELECT: &str = "SELECT r.id, r.kind, r.status, r.regime, r.received_on, r.extended, r.extension_reason,
    r.client_id, c.name AS client, r.verification_notes, r.outcome_reason, r.created_at, r.closed_at
    FROM requests AS r LEFT JOIN clients AS c ON c.id = r.client_id";

/// One request, as of `today`.
pub async fn get(conn: &mut SqliteConnection, id: i64, today: NaiveDate) -> Result<Request, RequestError> {
    let row: Option<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE r.id = ?1")).bind(id).fetch_optional(&mut *conn).await?;
    let row = row.ok_or(RequestError::NotFound(id))?;
    let identifiers = identifiers(conn, id).await?;
    Ok(assemble(row, identifiers, today))
}

/// Every request: open ones first, soonest due first; then closed ones, newest first.
pub async fn list(conn: &mut SqliteConnection, today: NaiveDate) -> Result<Vec<Request>, RequestError> {
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} ORDER BY r.id")).fetch_all(&mut *conn).await?;
    let all: Vec<(i64, i64, String)> =
        sqlx::query_as("SELECT request_id, kind, value FROM request_identifiers ORDER BY request_id, position")
            .fetch_all(&mut *conn)
            .await?;
    let mut requests: Vec<Request> = rows
        .into_iter()
        .map(|row| {
            let mine = all
                .iter()
                .filter(|(r, _, _)| *r == row.id)
                .filter_map(|(_, k, v)| Some(Identifier { kind: IdKind::from_stored(*k)?, value: v.clone() }))
                .collect();
            assemble(row, mine, today)
        })
        .collect();
    requests.sort_by(|a, b| {
        let closed = |r: &Request| r.status.is_closed();
        closed(a).cmp(&closed(b)).then_with(|| {
            if closed(a) {
                b.id.cmp(&a.id)
            } else {
                a.due_on.cmp(&b.due_on).then(a.id.cmp(&b.id))
            }
        })
    });
    Ok(requests)
}

/// How the audit trail names a request's person: the keyed hash of the first identifier given.
pub async fn subject(conn: &mut SqliteConnection, id: i64) -> Result<Option<String>, sqlx::Error> {
    let hash: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT hash FROM request_identifiers WHERE request_id = ?1 ORDER BY position LIMIT 1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(hash.map(hex::encode))
}

/// The request's identifiers with their keyed hashes, in the order given.
pub async fn searched(conn: &mut SqliteConnection, id: i64) -> Result<Vec<(Identifier, IdentityHash)>, sqlx::Error> {
    let rows: Vec<(i64, String, Vec<u8>)> =
        sqlx::query_as("SELECT kind, value, hash FROM request_identifiers WHERE request_id = ?1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(k, value, hash)| {
            Some((Identifier { kind: IdKind::from_stored(k)?, value }, IdentityHash::try_from(hash.as_slice()).ok()?))
        })
        .collect())
}

/// Adds identifiers to an open request, after those it has; returns how many were new.
pub async fn add_identifiers(
    conn: &mut SqliteConnection,
    request: &Request,
    found: &[(Identifier, IdentityHash)],
) -> Result<usize, RequestError> {
    check_open(request)?;
    let have = searched(conn, request.id).await?;
    let mut position = have.len() as i64;
    let mut added = 0;
    for (identifier, hash) in found {
        if have.iter().any(|(_, h)| h == hash) {
            continue;
        }
        if position as usize >= MAX_IDENTIFIERS {
            return Err(RequestError::TooManyIdentifiers);
        }
        sqlx::query(
            "INSERT INTO request_identifiers (request_id, position, kind, value, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(request.id)
        .bind(position)
        .bind(identifier.kind as i64)
        .bind(&identifier.value)
        .bind(&hash[..])
        .execute(&mut *conn)
        .await?;
        position += 1;
        added += 1;
    }
    Ok(added)
}

async fn identifiers(conn: &mut SqliteConnection, id: i64) -> Result<Vec<Identifier>, sqlx::Error> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT kind, value FROM request_identifiers WHERE request_id = ?1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.into_iter().filter_map(|(k, v)| Some(Identifier { kind: IdKind::from_stored(k)?, value: v })).collect())
}

fn assemble(row: Row, identifiers: Vec<Identifier>, today: NaiveDate) -> Request {
    let regime = row.regime.parse().unwrap_or(Regime::Gdpr);
    let received = parse_date(&row.received_on).unwrap_or(today);
    let deadline = Deadline { regime, received, extended: row.extended };
    // A closed request's countdown stops on the day it closed.
    let as_of = row.closed_at.as_deref().and_then(|t| parse_date(t.get(..10)?).ok()).unwrap_or(today);
    let urgency = if row.status.is_closed() {
        RequestUrgency::Closed
    } else {
        match deadline.urgency(today) {
            Urgency::OnTrack => RequestUrgency::OnTrack,
            Urgency::DueSoon => RequestUrgency::DueSoon,
            Urgency::Overdue => RequestUrgency::Overdue,
        }
    };
    Request {
        id: row.id,
        kind: row.kind,
        status: row.status,
        regime: regime.to_string(),
        received_on: row.received_on,
        due_on: deadline.due().to_string(),
        days_left: deadline.days_left(as_of),
        urgency,
        extended: row.extended,
        extension_reason: row.extension_reason,
        confirm_receipt_by: deadline.confirm_receipt_by().map(|d| d.to_string()),
        client_id: row.client_id,
        client: row.client,
        identifiers,
        verification_notes: row.verification_notes,
        outcome_reason: row.outcome_reason,
        created_at: row.created_at,
        closed_at: row.closed_at,
    }
}

/// Moves an open request forward to `to` (not to a closing status), adding `note` to its
/// verification notes.
pub async fn advance(
    conn: &mut SqliteConnection,
    request: &Request,
    to: RequestStatus,
    note: Option<&str>,
) -> Result<(), RequestError> {
    if to.is_closed() {
        return Err(RequestError::CloseToFinish);
    }
    check_open(request)?;
    if to < request.status {
        return Err(RequestError::Backwards { id: request.id, from: request.status, to });
    }
    let notes = match note.map(clean_text).transpose()?.filter(|n| !n.is_empty()) {
        Some(n) if request.verification_notes.is_empty() => n,
        Some(n) => format!("{}\n{n}", request.verification_notes),
        None => request.verification_notes.clone(),
    };
    sqlx::query("UPDATE requests SET status = ?2, verification_notes = ?3 WHERE id = ?1")
        .bind(request.id)
        .bind(to)
        .bind(notes)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Closes an open request as completed or denied; a denial needs its reason.
pub async fn close(
    conn: &mut SqliteConnection,
    request: &Request,
    outcome: Outcome,
    reason: Option<&str>,
    at: &str,
) -> Result<(), RequestError> {
    check_open(request)?;
    let outcome = outcome.status();
    let reason = reason.map(clean_text).transpose()?.filter(|r| !r.is_empty());
    if outcome == RequestStatus::Denied && reason.is_none() {
        return Err(RequestError::DenialWithoutReason);
    }
    sqlx::query("UPDATE requests SET status = ?2, outcome_reason = ?3, closed_at = ?4 WHERE id = ?1")
        .bind(request.id)
        .bind(outcome)
        .bind(reason)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Extends an open request's deadline once, where its regime allows; returns the new due date.
pub async fn extend(
    conn: &mut SqliteConnection,
    request: &Request,
    reason: &str,
    today: NaiveDate,
) -> Result<String, RequestError> {
    check_open(request)?;
    let reason = clean_text(reason)?;
    let mut deadline = Deadline {
        regime: request.regime.parse().map_err(RequestError::Regime)?,
        received: parse_date(&request.received_on)?,
        extended: request.extended,
    };
    let due = deadline.extend(today, &reason).map_err(RequestError::Extension)?;
    sqlx::query("UPDATE requests SET extended = 1, extension_reason = ?2 WHERE id = ?1")
        .bind(request.id)
        .bind(reason)
        .execute(&mut *conn)
        .await?;
    Ok(due.to_string())
}

/// Adds a line to a request's notes, as the record of something done or withheld.
pub async fn note(conn: &mut SqliteConnection, id: i64, line: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE requests SET verification_notes =
            CASE WHEN verification_notes = '' THEN ?2 ELSE verification_notes || char(10) || ?2 END
         WHERE id = ?1",
    )
    .bind(id)
    .bind(line)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn check_open(request: &Request) -> Result<(), RequestError> {
    if request.status.is_closed() {
        return Err(RequestError::Closed { id: request.id, status: request.status });
    }
    Ok(())
}
/// Whether any request's identifier is held: each names a person by a hash made with the identity key.
pub async fn any_identifiers(pool: &sqlx::SqlitePool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM request_identifiers)").fetch_one(pool).await
}
