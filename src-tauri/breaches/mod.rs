//! The breach register: every personal-data breach the agency becomes aware of, with the 72 hours
//! to tell the supervisory authority (GDPR Art. 33(1)), when the authority and the people
//! affected were told, why the authority was told late, and why a breach was closed. A breach is
//! recorded whether it is notified or not (Art. 33(5)), and the record stays once closed.

pub mod affected;
pub mod deadline;
pub mod leaked;
pub mod lists;
pub mod notice;

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat};
use serde::Serialize;
use sqlx::{Row, SqliteConnection};
use ts_rs::TS;

use crate::audit::MAX_REASON_CHARS;
use crate::clock::Moment;
use crate::personal_data::DataKind;
use deadline::{Standing, Timing, Told};

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
    /// Minutes from now to the deadline; negative once it has passed.
    #[ts(type = "number")]
    pub minutes_left: i64,
    pub summary: String,
    /// The clients whose data it concerns, by name as recorded.
    pub clients: Vec<String>,
    pub kinds: Vec<DataKind>,
    /// The window of the data concerned, YYYY-MM-DD.
    pub since: Option<String>,
    pub until: Option<String>,
    /// When the authority was told: RFC 3339 UTC, or a day.
    pub authority_on: Option<String>,
    pub authority_late: bool,
    /// Why the authority was told after the 72 hours (Art. 33(1)).
    pub late_reason: Option<String>,
    /// When the people affected were told (Art. 34).
    pub subjects_on: Option<String>,
    pub closed_at: Option<String>,
    pub close_reason: Option<String>,
    pub created_at: String,
    /// What a notification states beyond the above (Art. 33(3)), as it becomes known.
    pub details: Details,
    /// The people and records affected, as last assessed; `None` before an assessment.
    #[ts(type = "number | null")]
    pub people: Option<i64>,
    #[ts(type = "number | null")]
    pub records: Option<i64>,
    pub counted: Option<affected::Counted>,
    pub assessed_at: Option<String>,
}

/// What a notification to the authority states besides the facts of the record (GDPR Art.
/// 33(3)(b)–(d)), and the systems the breach concerns; each filled in as it becomes known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
pub struct Details {
    /// The systems concerned, in words: "the HubSpot connection", "an export file", "this workspace".
    pub systems: Vec<String>,
    /// Its likely consequences for the people affected.
    pub consequences: Option<String>,
    /// The measures taken or proposed, including to mitigate its effects.
    pub measures: Option<String>,
    /// The data protection officer or other contact point: name and how to reach them.
    pub contact: Option<String>,
}

/// The longest text of one detail, and the most systems named.
pub const LONGEST_DETAIL: usize = 4_000;
pub const MOST_SYSTEMS: usize = 20;

/// A breach to record.
#[derive(Debug, Clone)]
pub struct NewBreach {
    pub aware_at: DateTime<FixedOffset>,
    pub summary: String,
    /// By id and name.
    pub clients: Vec<(String, String)>,
    pub kinds: Vec<DataKind>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// Whom a breach was told to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
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
    #[error("'{0}' is not a day (YYYY-MM-DD) or a time with its offset, such as 2026-12-03T14:05+01:00.")]
    WhenUnreadable(String),
    #[error("{0} is after now, or before the agency became aware of the breach: give when they were told.")]
    ToldOutside(String),
    #[error(
        "{0} is the deadline's own day: whether the authority was told within the 72 hours depends on the hour. \
         Give the time it was told, with its offset."
    )]
    DeadlineDay(String),
    #[error(
        "The authority was told on {on}, after the 72 hours ended at {deadline}. A late notification says why it \
         was late (GDPR Art. 33(1)): give the reason for the delay."
    )]
    LateWithoutReason { on: String, deadline: String },
    #[error("The authority was told on {0}, within the 72 hours: there is no delay to give a reason for.")]
    ReasonNotLate(String),
    #[error(
        "A reason is kept in the audit trail and the register, and can be at most {MAX_REASON_CHARS} characters \
         long."
    )]
    ReasonTooLong,
    #[error(
        "A breach is closed with its reason: for one the authority was not told of, why it is unlikely to result \
         in a risk to people (GDPR Art. 33(1), 33(5))."
    )]
    NoCloseReason,
    #[error("Breach {id} is marked as told to the {whom} on {on} already; the register keeps the first date given.")]
    AlreadyTold { id: i64, whom: &'static str, on: String },
    #[error("Breach {0} is closed; its record stays as it was closed.")]
    Closed(i64),
    #[error("No breach has number {0}. The breach list shows those recorded.")]
    NotFound(i64),
    #[error("The {0} can be at most {LONGEST_DETAIL} characters long; a notice can point to a longer document.")]
    DetailTooLong(&'static str),
    #[error("A breach names at most {MOST_SYSTEMS} systems, each in at most 200 characters.")]
    TooManySystems,
    #[error("The leaked file could not be read, so nothing was counted. {0}")]
    LeakedUnreadable(String),
    #[error("No row of the leaked file holds an email address or a phone number, so no one could be counted from it.")]
    LeakedNamesNoOne,
    #[error(
        "The leaked file has several columns but none named for emails or phones, so which cells are identifiers is \
         unclear. Give a table with its email and phone columns named, or a list of one email or phone number a line."
    )]
    LeakedColumnsUnnamed,
    #[error(
        "A client breach {0} concerns has been removed since: a recount would leave its people out, so the counts \
         stay as assessed."
    )]
    ClientRemoved(i64),
    #[error(transparent)]
    File(#[from] crate::export_file::ExportFileError),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// A moment with its offset, as a person writes one: `2026-12-01T09:30+01:00`, `…T08:30Z`,
/// seconds optional, and a four-digit year (a shorter one is a typo).
fn parse_moment(text: &str) -> Option<DateTime<FixedOffset>> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() >= 17
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T';
    if !shaped {
        return None;
    }
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M%:z"))
        .or_else(|_| DateTime::parse_from_str(&text.replace('Z', "+00:00"), "%Y-%m-%dT%H:%M%:z"))
        .ok()
}

pub fn parse_aware_at(text: &str) -> Result<DateTime<FixedOffset>, BreachError> {
    let text = text.trim();
    parse_moment(text).ok_or_else(|| BreachError::AwareAtUnreadable(text.to_owned()))
}

fn reason(text: Option<&str>) -> Result<Option<&str>, BreachError> {
    let text = text.map(str::trim).filter(|r| !r.is_empty());
    if text.is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
        return Err(BreachError::ReasonTooLong);
    }
    Ok(text)
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
    let id = sqlx::query(
        "INSERT INTO breaches (aware_at, aware_offset, summary, since, until, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(new.aware_at.timestamp())
    .bind(new.aware_at.offset().local_minus_utc() / 60)
    .bind(summary)
    .bind(new.since.map(|d| d.to_string()))
    .bind(new.until.map(|d| d.to_string()))
    .bind(at)
    .execute(&mut *conn)
    .await?
    .last_insert_rowid();
    for (client_id, name) in &new.clients {
        sqlx::query("INSERT INTO breach_clients (breach_id, client_id, name) VALUES (?1, ?2, ?3)")
            .bind(id)
            .bind(client_id)
            .bind(name)
            .execute(&mut *conn)
            .await?;
    }
    for kind in &new.kinds {
        sqlx::query("INSERT INTO breach_kinds (breach_id, kind) VALUES (?1, ?2) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(kind.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

const COLUMNS: &str = "id, aware_at, aware_offset, summary, since, until, authority_on, authority_late, late_reason, \
                       subjects_on, closed_at, close_reason, created_at, \
                       systems, consequences, measures, contact, people, records, assessment, assessed_at, \
                       (SELECT json_group_array(name) FROM (SELECT name FROM breach_clients WHERE breach_id = b.id \
                        ORDER BY rowid)), \
                       (SELECT json_group_array(kind) FROM breach_kinds WHERE breach_id = b.id)";

fn breach_of(row: &sqlx::sqlite::SqliteRow, now: Moment) -> Result<Breach, sqlx::Error> {
    let aware = aware_of(row.try_get(1)?, row.try_get(2)?);
    let authority_on: Option<String> = row.try_get(6)?;
    let authority_late: bool = row.try_get(7)?;
    let closed_at: Option<String> = row.try_get(10)?;
    let due = deadline::deadline(aware.to_utc());
    let kinds: Vec<String> = serde_json::from_str(&row.try_get::<String, _>(22)?).unwrap_or_default();
    Ok(Breach {
        id: row.try_get(0)?,
        aware_at: aware.to_rfc3339_opts(SecondsFormat::Secs, true),
        deadline: crate::clock::rfc3339(due),
        standing: deadline::standing(
            aware.to_utc(),
            authority_on.as_ref().map(|_| authority_late),
            closed_at.is_some(),
            now,
        ),
        minutes_left: (due - now).num_minutes(),
        summary: row.try_get(3)?,
        clients: serde_json::from_str(&row.try_get::<String, _>(21)?).unwrap_or_default(),
        kinds: crate::personal_data::registry::HOLDERS
            .iter()
            .map(|h| h.kind())
            .filter(|kind| kinds.iter().any(|k| k == kind.as_str()))
            .collect(),
        since: row.try_get(4)?,
        until: row.try_get(5)?,
        authority_on,
        authority_late,
        late_reason: row.try_get(8)?,
        subjects_on: row.try_get(9)?,
        closed_at,
        close_reason: row.try_get(11)?,
        created_at: row.try_get(12)?,
        details: Details {
            systems: serde_json::from_str(&row.try_get::<String, _>(13)?).unwrap_or_default(),
            consequences: row.try_get(14)?,
            measures: row.try_get(15)?,
            contact: row.try_get(16)?,
        },
        people: row.try_get(17)?,
        records: row.try_get(18)?,
        counted: row.try_get::<Option<String>, _>(19)?.and_then(|j| serde_json::from_str(&j).ok()),
        assessed_at: row.try_get(20)?,
    })
}

/// The moment `seconds` after 1970, in the offset of `minutes` it was given in.
fn aware_of(seconds: i64, minutes: i32) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(minutes * 60).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"));
    crate::clock::from_unix(seconds).unwrap_or_default().with_timezone(&offset)
}

/// Every breach, the latest awareness first.
pub async fn list(conn: &mut SqliteConnection, now: Moment) -> Result<Vec<Breach>, sqlx::Error> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM breaches AS b ORDER BY aware_at DESC, id DESC"))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| breach_of(row, now))
        .collect()
}

pub async fn get(conn: &mut SqliteConnection, id: i64, now: Moment) -> Result<Breach, BreachError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM breaches AS b WHERE id = ?1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(BreachError::NotFound(id))?;
    Ok(breach_of(&row, now)?)
}

/// Records that the authority or the people affected were told on `on`; returns the breach and
/// when, as kept. The authority told after the 72 hours needs the reason for the delay.
pub async fn told(
    conn: &mut SqliteConnection,
    id: i64,
    audience: Audience,
    on: &str,
    late_reason: Option<&str>,
    now: Moment,
) -> Result<(Breach, String), BreachError> {
    let breach = get(conn, id, now).await?;
    if breach.closed_at.is_some() {
        return Err(BreachError::Closed(id));
    }
    let told = Told::parse(on).ok_or_else(|| BreachError::WhenUnreadable(on.trim().to_owned()))?;
    let aware = DateTime::parse_from_rfc3339(&breach.aware_at).expect("written as RFC 3339");
    let kept = told.stored();
    if told.outside(aware, now) {
        return Err(BreachError::ToldOutside(kept));
    }
    let late_reason = reason(late_reason)?;
    match audience {
        Audience::Authority => {
            if let Some(first) = breach.authority_on {
                return Err(BreachError::AlreadyTold { id, whom: "authority", on: first });
            }
            let late = match told.timing(aware) {
                Timing::DeadlineDay => return Err(BreachError::DeadlineDay(kept)),
                Timing::Late if late_reason.is_none() => {
                    return Err(BreachError::LateWithoutReason { on: kept, deadline: breach.deadline })
                }
                Timing::InTime if late_reason.is_some() => return Err(BreachError::ReasonNotLate(kept)),
                timing => timing == Timing::Late,
            };
            sqlx::query("UPDATE breaches SET authority_on = ?2, authority_late = ?3, late_reason = ?4 WHERE id = ?1")
                .bind(id)
                .bind(&kept)
                .bind(late)
                .bind(late_reason)
                .execute(&mut *conn)
                .await?;
        }
        Audience::Subjects => {
            if let Some(first) = breach.subjects_on {
                return Err(BreachError::AlreadyTold { id, whom: "people affected", on: first });
            }
            sqlx::query("UPDATE breaches SET subjects_on = ?2 WHERE id = ?1")
                .bind(id)
                .bind(&kept)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok((get(conn, id, now).await?, kept))
}

/// Closes a breach with its reason: its record stays, and no longer changes.
pub async fn close(
    conn: &mut SqliteConnection,
    id: i64,
    why: &str,
    at: &str,
    now: Moment,
) -> Result<Breach, BreachError> {
    let breach = get(conn, id, now).await?;
    if breach.closed_at.is_some() {
        return Err(BreachError::Closed(id));
    }
    let why = reason(Some(why))?.ok_or(BreachError::NoCloseReason)?;
    sqlx::query("UPDATE breaches SET closed_at = ?2, close_reason = ?3 WHERE id = ?1")
        .bind(id)
        .bind(at)
        .bind(why)
        .execute(&mut *conn)
        .await?;
    get(conn, id, now).await
}

/// A change to a breach's details: each given part replaces what was there, an empty text clears
/// it; parts not given stay.
#[derive(Debug, Clone, Default, serde::Deserialize, TS)]
pub struct DetailsChange {
    pub systems: Option<Vec<String>>,
    pub consequences: Option<String>,
    pub measures: Option<String>,
    pub contact: Option<String>,
}

impl DetailsChange {
    /// The names of the parts it changes, for the audit trail.
    pub fn parts(&self) -> Vec<&'static str> {
        [
            ("systems", self.systems.is_some()),
            ("consequences", self.consequences.is_some()),
            ("measures", self.measures.is_some()),
            ("contact", self.contact.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect()
    }
}

/// Fills in what has become known of breach `id` (Art. 33(4): information may come in phases).
pub async fn edit(
    conn: &mut SqliteConnection,
    id: i64,
    change: &DetailsChange,
    now: Moment,
) -> Result<Breach, BreachError> {
    let breach = get(conn, id, now).await?;
    if breach.closed_at.is_some() {
        return Err(BreachError::Closed(id));
    }
    let text =
        |given: &Option<String>, kept: Option<String>, name: &'static str| -> Result<Option<String>, BreachError> {
            match given {
                None => Ok(kept),
                Some(t) if t.trim().is_empty() => Ok(None),
                Some(t) if t.trim().chars().count() > LONGEST_DETAIL => Err(BreachError::DetailTooLong(name)),
                Some(t) => Ok(Some(t.trim().to_owned())),
            }
        };
    let details = Details {
        systems: match &change.systems {
            None => breach.details.systems,
            Some(systems) => {
                let mut kept: Vec<String> = Vec::new();
                for s in systems.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                    if s.chars().count() > 200 {
                        return Err(BreachError::TooManySystems);
                    }
                    if !kept.iter().any(|k| k == s) {
                        kept.push(s.to_owned());
                    }
                }
                if kept.len() > MOST_SYSTEMS {
                    return Err(BreachError::TooManySystems);
                }
                kept
            }
        },
        consequences: text(&change.consequences, breach.details.consequences, "likely consequences")?,
        measures: text(&change.measures, breach.details.measures, "measures")?,
        contact: text(&change.contact, breach.details.contact, "contact point")?,
    };
    sqlx::query("UPDATE breaches SET systems = ?2, consequences = ?3, measures = ?4, contact = ?5 WHERE id = ?1")
        .bind(id)
        .bind(serde_json::to_string(&details.systems).expect("strings serialise"))
        .bind(&details.consequences)
        .bind(&details.measures)
        .bind(&details.contact)
        .execute(&mut *conn)
        .await?;
    get(conn, id, now).await
}

/// The ids of the clients a breach concerns that are still here: every client when it names none
/// (a breach of the whole workspace), none when those it named were removed.
async fn clients_of(conn: &mut SqliteConnection, id: i64) -> Result<Vec<String>, sqlx::Error> {
    let named: i64 = sqlx::query_scalar("SELECT count(*) FROM breach_clients WHERE breach_id = ?1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    if named == 0 {
        return Ok(crate::clients::ids_and_names(conn).await?.into_iter().map(|(id, _)| id).collect());
    }
    sqlx::query_scalar(
        "SELECT client_id FROM breach_clients WHERE breach_id = ?1 AND client_id IS NOT NULL ORDER BY rowid",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
}

/// The countries of the clients a breach concerns (of the clients whose ids are given, before it is
/// recorded: every client when none is), to place the phone numbers of a leaked file.
pub async fn countries_of(
    conn: &mut SqliteConnection,
    id: Option<i64>,
    named: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    let clients = match id {
        Some(id) => clients_of(conn, id).await?,
        None if named.is_empty() => crate::clients::ids_and_names(conn).await?.into_iter().map(|(id, _)| id).collect(),
        None => named.to_vec(),
    };
    let mut countries: Vec<String> = Vec::new();
    for client in &clients {
        for country in crate::clients::phone_countries(conn, Some(client)).await? {
            if !countries.contains(&country) {
                countries.push(country);
            }
        }
    }
    Ok(countries)
}

/// Counts who breach `id` affects: the records of its clients (all of them when it names none) of
/// its kinds (every kind counted here when it names none) in its window, and the people a leaked
/// file names; keeps the people as keyed hashes, and the counts on the record. A file given
/// replaces the people of one given before; without one, those are kept.
pub async fn assess(
    conn: &mut SqliteConnection,
    id: i64,
    leak: Option<&leaked::Leaked>,
    now: Moment,
    at: &str,
) -> Result<Breach, BreachError> {
    use std::collections::HashSet;
    let breach = get(conn, id, now).await?;
    if breach.closed_at.is_some() {
        return Err(BreachError::Closed(id));
    }
    let unix = |day: &Option<String>, next: bool| {
        day.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).map(|d| {
            let d = if next { d.succ_opt().unwrap_or(d) } else { d };
            d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp()
        })
    };
    let window = affected::Window {
        since: unix(&breach.since, false).unwrap_or(affected::Window::ALL.since),
        until: unix(&breach.until, true).unwrap_or(affected::Window::ALL.until),
    };
    let removed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM breach_clients WHERE breach_id = ?1 AND client_id IS NULL")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    if removed > 0 {
        return Err(BreachError::ClientRemoved(id));
    }
    let clients = clients_of(conn, id).await?;
    let mut people = affected::People::default();
    let mut counted = affected::Counted::default();
    for holder in affected::kinds_of(&breach.kinds) {
        let mut records = 0;
        let mut exposed = true;
        for client in &clients {
            match affected::count_kind(conn, holder, client, window, &mut people).await? {
                Some(n) => records += n,
                None => exposed = false,
            }
        }
        if exposed && holder.exposed().is_some() {
            counted.kinds.push(affected::KindCount { kind: holder.kind(), label: holder.label().to_owned(), records });
        } else {
            counted.not_counted.push(affected::KindName { kind: holder.kind(), label: holder.label().to_owned() });
        }
    }
    // The leak's people: from the file given, or as the list kept them from one given before (less
    // those erased since). Anyone erased stays off the list.
    let leaked_people: Vec<Vec<crate::identity::IdentityHash>> = match leak {
        Some(leak) => {
            counted.leaked_unreadable = leak.unreadable;
            leak.people.clone()
        }
        None => {
            let kept: Vec<(i64, Vec<u8>)> = sqlx::query_as(
                "SELECT person, hash FROM breach_people WHERE breach_id = ?1 AND leaked = 1 ORDER BY person",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            counted.leaked_unreadable = breach.counted.as_ref().map_or(0, |c| c.leaked_unreadable);
            kept.chunk_by(|a, b| a.0 == b.0)
                .map(|chunk| {
                    chunk
                        .iter()
                        .filter_map(|(_, h)| crate::identity::IdentityHash::try_from(h.as_slice()).ok())
                        .collect()
                })
                .collect()
        }
    };
    let suppressed = crate::requests::erasure::suppressed_in(conn).await?;
    let mut leaked_hashes: HashSet<crate::identity::IdentityHash> = HashSet::new();
    for person in &leaked_people {
        if person.iter().any(|h| suppressed.contains(h)) {
            counted.leaked_erased += 1;
            continue;
        }
        counted.leaked_rows += 1;
        if !person.iter().any(|h| people.holds(h)) {
            counted.leaked_beyond += 1;
        }
        leaked_hashes.extend(person.iter().copied());
        people.add(person);
    }
    let total_people = people.count();
    // A leaked row naming someone a counted record holds is that record, not one more.
    let total_records = counted.kinds.iter().map(|k| k.records).sum::<i64>() + counted.leaked_beyond;
    sqlx::query("DELETE FROM breach_people WHERE breach_id = ?1").bind(id).execute(&mut *conn).await?;
    let groups = people.groups();
    for chunk in groups.chunks(2_000) {
        let rows: Vec<(u32, String, bool)> =
            chunk.iter().map(|(person, hash)| (*person, hex::encode(hash), leaked_hashes.contains(hash))).collect();
        sqlx::query(
            "INSERT INTO breach_people (breach_id, person, hash, leaked)
             SELECT ?1, j.value ->> 0, unhex(j.value ->> 1), j.value ->> 2 FROM json_each(?2) AS j",
        )
        .bind(id)
        .bind(serde_json::to_string(&rows).expect("rows serialise"))
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("UPDATE breaches SET people = ?2, records = ?3, assessment = ?4, assessed_at = ?5 WHERE id = ?1")
        .bind(id)
        .bind(total_people)
        .bind(total_records)
        .bind(serde_json::to_string(&counted).expect("counts serialise"))
        .bind(at)
        .execute(&mut *conn)
        .await?;
    get(conn, id, now).await
}
