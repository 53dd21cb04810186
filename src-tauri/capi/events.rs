//! Conversion events as a kind of personal data: queued per client, sent to the client's dataset,
//! and kept as the event log (hashed matching keys only, and Meta's answer) for their retention
//! period. The people an event is about are kept as keyed hashes, so that a request finds and an
//! erasure removes their events, and a restriction or an objection keeps them from being sent.

use std::collections::HashMap;
use std::fmt::Write;

use async_trait::async_trait;
use serde::Serialize;
use serde_json::Value;
use sqlx::{Row, SqliteConnection, SqlitePool};
use ts_rs::TS;

use super::user_data::UserData;
use crate::identity::{Hasher, IdKind, IdentityHash, HASH_LEN};
use crate::personal_data::{due_records, DataKind, Due, Erasing, HeldRecord, Holder, Removed, Scope};
use crate::store::StoreError;

/// The send that took the event whose id is `$id`, or NULL: that of the run of ids starting
/// nearest below it, if the run reaches it (runs never overlap).
macro_rules! send_of {
    ($id:literal) => {
        concat!(
            "(SELECT run.send_id FROM capi_sent_runs AS run WHERE run.first = (SELECT below.first
                 FROM capi_sent_runs AS below WHERE below.first <= ",
            $id,
            " ORDER BY below.first DESC LIMIT 1) AND run.last >= ",
            $id,
            ")"
        )
    };
}

/// Whether an event (alias `e`) waits to be sent: queued as sendable, and not yet taken by Meta.
macro_rules! event_waiting {
    () => {
        concat!("(e.status = 'pending' AND ", send_of!("e.id"), " IS NULL)")
    };
}

/// Where a client's events go.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Dataset {
    pub client: String,
    pub dataset_id: String,
    /// Events go to Meta's Test Events tool under this code, not into the dataset's figures.
    pub test_event_code: Option<String>,
    pub set_at: String,
}

pub async fn set_dataset(
    conn: &mut SqliteConnection,
    client_id: &str,
    dataset_id: &str,
    test_event_code: Option<&str>,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO capi_datasets (client_id, dataset_id, test_event_code, set_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (client_id) DO UPDATE SET dataset_id = excluded.dataset_id,
             test_event_code = excluded.test_event_code, set_at = excluded.set_at",
    )
    .bind(client_id)
    .bind(dataset_id)
    .bind(test_event_code)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The dataset of each client that has one, or of `client_id` only.
pub async fn datasets(pool: &SqlitePool, client_id: Option<&str>) -> Result<Vec<(String, Dataset)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT d.client_id, c.name, d.dataset_id, d.test_event_code, d.set_at
         FROM capi_datasets AS d JOIN clients AS c ON c.id = d.client_id
         WHERE ?1 IS NULL OR d.client_id = ?1 ORDER BY c.name",
    )
    .bind(client_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                Dataset {
                    client: r.try_get(1)?,
                    dataset_id: r.try_get(2)?,
                    test_event_code: r.try_get(3)?,
                    set_at: r.try_get(4)?,
                },
            ))
        })
        .collect()
}

/// An event to queue.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event_name: String,
    pub event_id: String,
    /// Seconds since 1970.
    pub event_time: i64,
    pub action_source: &'static str,
    pub source: String,
    /// Meta's keys, hashed.
    pub user_data: UserData,
    /// A JSON object, as it is stored and sent.
    pub custom_data: Option<String>,
    /// Why it can never be sent, found when it was read.
    pub problem: Option<String>,
    /// The keyed hashes of the person it is about.
    pub people: Vec<IdentityHash>,
}

/// Queues `events` for `client_id`, on the SQLite handle of the caller's transaction (a prepared
/// statement a row: through sqlx's thread, or as JSON for one statement, each row would cost more
/// than the rest of its work); for each, `false` when the client already has an event of that name
/// and id, which is left as it is. One queued before that could not be sent as read (not one
/// refused when sending) is replaced: the row may have been corrected. A new event's id is above
/// every id given before, whether or not its event is still kept (see the table `capi_event_ids`).
pub fn queue_now(
    c: &rusqlite::Connection,
    client_id: &str,
    events: &[NewEvent],
    at: &str,
) -> rusqlite::Result<Vec<bool>> {
    // A plain insert that does nothing on a repeat, not an upsert nor RETURNING: either makes
    // SQLite copy every page the row touches into a statement journal first, which cost more
    // than the insert. A repeat is rare, and is replaced by a statement of its own.
    let mut insert = c.prepare_cached(
        "INSERT INTO capi_events (client_id, event_name, event_id, event_time, action_source, source, user_data,
             custom_data, problem, status, queued_at, dedup, people, id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, CASE WHEN ?9 IS NULL THEN 'pending' ELSE 'invalid' END, ?10, ?11, ?12,
             ?13)
         ON CONFLICT (dedup) DO NOTHING",
    )?;
    let mut replace = c.prepare_cached(
        "UPDATE capi_events SET event_time = ?2, action_source = ?3, source = ?4, user_data = ?5, custom_data = ?6,
             problem = ?7, status = CASE WHEN ?7 IS NULL THEN 'pending' ELSE 'invalid' END, queued_at = ?8,
             people = ?9
         WHERE dedup = ?1 AND status = 'invalid' AND NOT refused_at_send",
    )?;
    // Read and written once a call, in the caller's write transaction: no other writer gives ids
    // meanwhile. The highest id kept counts too, for a row put there by other means.
    let mut last: i64 = c
        .prepare_cached(
            "SELECT max(coalesce((SELECT max(id) FROM capi_events), 0), (SELECT last FROM capi_event_ids))",
        )?
        .query_row([], |r| r.get(0))?;
    let given = last;
    let mut queued = Vec::with_capacity(events.len());
    for e in events {
        let user = e.user_data.pack();
        let dedup = dedup_of(client_id, &e.event_name, &e.event_id);
        let people = people_packed(&e.people);
        let inserted = insert.execute(rusqlite::params![
            client_id,
            e.event_name,
            e.event_id,
            e.event_time,
            e.action_source,
            e.source,
            user,
            e.custom_data,
            e.problem,
            at,
            dedup,
            people,
            last + 1
        ])? == 1;
        if inserted {
            last += 1;
        }
        // A row read again in place of one that could not be sent names its person anew.
        let queued_now = inserted
            || replace.execute(rusqlite::params![
                dedup,
                e.event_time,
                e.action_source,
                e.source,
                user,
                e.custom_data,
                e.problem,
                at,
                people
            ])? == 1;
        queued.push(queued_now);
    }
    if last > given {
        c.prepare_cached("UPDATE capi_event_ids SET last = ?1")?.execute([last])?;
    }
    Ok(queued)
}

/// An event's people as its row keeps them: their hashes one after another, each once. A hash is
/// found in them with `instr` (the SQL here says 16, `HASH_LEN`): 16 bytes straddling two keyed
/// hashes that equal a third is a chance of 2^-128.
fn people_packed(people: &[IdentityHash]) -> Vec<u8> {
    let mut sorted: Vec<&IdentityHash> = people.iter().collect();
    sorted.sort_unstable();
    sorted.dedup();
    sorted.into_iter().take(PEOPLE_PER_EVENT).flat_map(|h| h.iter().copied()).collect()
}

/// The most people an event keeps, far beyond the few keys it has: `people_of_client` cuts as many
/// from a row (its SQL says 63, the last one counted from 0).
const PEOPLE_PER_EVENT: usize = 64;

/// The hashes of an event's people, as `people_packed` wrote them.
fn people_unpacked(packed: &[u8]) -> Vec<IdentityHash> {
    const _: () = assert!(HASH_LEN == 16, "the SQL here cuts and tests people as 16 bytes");
    crate::identity::unpacked(packed)
}

/// The key that keeps a client's event name and id unique (see the table).
fn dedup_of(client_id: &str, event_name: &str, event_id: &str) -> [u8; 16] {
    digest_of([client_id, event_name, event_id])[..16].try_into().expect("SHA-256 is longer")
}

/// The SHA-256 of `parts`, each ended by a NUL so that no two lists of parts run together alike:
/// what event ids made from an event, and the key that keeps them unique, are made of.
pub fn digest_of<'a>(parts: impl IntoIterator<Item = &'a str>) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut sha = Sha256::new();
    for part in parts {
        sha.update(part.as_bytes());
        sha.update([0]);
    }
    sha.finalize().into()
}

/// A queued event as it is sent, or was found unsendable.
#[derive(Debug, Clone)]
pub struct Queued {
    pub id: i64,
    pub client_id: String,
    pub client: String,
    pub event_name: String,
    pub event_id: String,
    pub event_time: i64,
    pub action_source: String,
    pub source: String,
    /// `user_data` packed (see `user_data`).
    pub user_data: Vec<u8>,
    /// `custom_data` as stored, a JSON object.
    pub custom_data: Option<String>,
    pub problem: Option<String>,
    pub status: String,
}

impl Queued {
    /// `event` of the client `client_id` named `client`, as it would be once queued.
    pub fn not_queued(event: &NewEvent, client_id: &str, client: &str) -> Self {
        Self {
            id: 0,
            client_id: client_id.to_owned(),
            client: client.to_owned(),
            event_name: event.event_name.clone(),
            event_id: event.event_id.clone(),
            event_time: event.event_time,
            action_source: event.action_source.to_owned(),
            source: event.source.clone(),
            user_data: event.user_data.pack(),
            custom_data: event.custom_data.clone(),
            problem: event.problem.clone(),
            status: if event.problem.is_some() { "invalid" } else { "pending" }.to_owned(),
        }
    }

    /// What `send::check` judges it by.
    pub fn facts(&self) -> Facts {
        Facts::of(&self.stored(), self.problem.clone())
    }

    /// The event as Meta takes it, as JSON text.
    pub fn write_payload(&self, out: &mut String) {
        write_payload(out, self.stored());
    }

    fn stored(&self) -> Stored<'_> {
        Stored {
            event_name: &self.event_name,
            event_time: self.event_time,
            event_id: &self.event_id,
            action_source: &self.action_source,
            user_data: &self.user_data,
            custom_data: self.custom_data.as_deref(),
        }
    }

    /// The event as Meta takes it.
    pub fn payload(&self) -> Value {
        let mut text = String::new();
        self.write_payload(&mut text);
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }
}

/// What an event is judged by before it is sent (`send::check`).
#[derive(Debug, Clone)]
pub struct Facts {
    /// Seconds since 1970.
    pub event_time: i64,
    pub problem: Option<String>,
    /// Whether it has an event name.
    pub named: bool,
    /// Whether it has at least one matching key.
    pub has_keys: bool,
    pub value_without_currency: bool,
}

impl Facts {
    /// Of an event as its row keeps it, with why it can never be sent if that was found.
    fn of(event: &Stored<'_>, problem: Option<String>) -> Self {
        Self {
            event_time: event.event_time,
            problem,
            named: !event.event_name.trim().is_empty(),
            has_keys: super::user_data::has_keys(event.user_data),
            value_without_currency: event
                .custom_data
                .is_some_and(|c| c.contains("\"value\"") && !c.contains("\"currency\"")),
        }
    }
}

/// An event as its row keeps it.
struct Stored<'a> {
    event_name: &'a str,
    event_time: i64,
    event_id: &'a str,
    action_source: &'a str,
    /// Packed (see `user_data`).
    user_data: &'a [u8],
    /// A JSON object, written here.
    custom_data: Option<&'a str>,
}

/// The event as Meta takes it, as JSON text: the stored objects go in as they are (they were
/// written as JSON here), so a batch is written without reading each event back into values.
fn write_payload(out: &mut String, event: Stored<'_>) {
    out.push_str("{\"event_name\":");
    push_json_text(out, event.event_name);
    out.push_str(",\"event_time\":");
    let _ = write!(out, "{}", event.event_time);
    out.push_str(",\"event_id\":");
    push_json_text(out, event.event_id);
    out.push_str(",\"action_source\":");
    push_json_text(out, event.action_source);
    out.push_str(",\"user_data\":");
    super::user_data::write_json(event.user_data, out);
    if let Some(custom) = event.custom_data {
        out.push_str(",\"custom_data\":");
        out.push_str(custom);
    }
    out.push('}');
}

/// `text` as a JSON string.
fn push_json_text(out: &mut String, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        out.push_str(&Value::from(text).to_string());
    }
}

/// Events read to be sent: what each is judged by, and its payload as Meta takes it, the payloads
/// one after another in one text. Sending reads nothing else of an event, and makes no value of
/// it that the batch's text does not need.
#[derive(Debug, Default)]
pub struct Outgoing {
    /// The store's data version as they were read: while it is the same, no other connection has
    /// committed, and they are as read.
    pub version: i64,
    pub events: Vec<(i64, Facts)>,
    payloads: String,
    ends: Vec<usize>,
}

impl Outgoing {
    /// The payload of the `n`th event.
    pub fn payload(&self, n: usize) -> &str {
        let start = if n == 0 { 0 } else { self.ends[n - 1] };
        &self.payloads[start..self.ends[n]]
    }

    fn read(version: i64, rows: &mut rusqlite::Rows<'_>) -> rusqlite::Result<Self> {
        let mut page = Self { version, ..Self::default() };
        while let Some(row) = rows.next()? {
            let legacy: Vec<u8>;
            let user_data = match row.get_ref(6)? {
                rusqlite::types::ValueRef::Blob(packed) => packed,
                rusqlite::types::ValueRef::Text(text) => {
                    legacy = super::user_data::pack_json(&String::from_utf8_lossy(text));
                    &legacy[..]
                }
                _ => &[],
            };
            let custom_data = row.get_ref(7)?.as_str_or_null()?;
            let stored = Stored {
                event_name: row.get_ref(3)?.as_str()?,
                event_time: row.get(1)?,
                event_id: row.get_ref(4)?.as_str()?,
                action_source: row.get_ref(5)?.as_str()?,
                user_data,
                custom_data,
            };
            let facts = Facts::of(&stored, row.get(2)?);
            write_payload(&mut page.payloads, stored);
            page.ends.push(page.payloads.len());
            page.events.push((row.get(0)?, facts));
        }
        Ok(page)
    }
}

const SELECT_OUTGOING: &str = "SELECT e.id, e.event_time, e.problem, e.event_name, e.event_id, e.action_source,
        e.user_data, e.custom_data
    FROM capi_events AS e";

/// Up to `limit` of `client_id`'s events waiting to be sent, in the order they were queued from
/// after `after_id`, read to be sent; on the SQLite handle.
pub fn outgoing_now(
    c: &rusqlite::Connection,
    client_id: &str,
    after_id: i64,
    limit: i64,
) -> rusqlite::Result<Outgoing> {
    let mut statement = c.prepare_cached(&format!(
        concat!("{} WHERE e.client_id = ?1 AND e.id > ?2 AND ", event_waiting!(), " ORDER BY e.id LIMIT ?3"),
        SELECT_OUTGOING
    ))?;
    let version = crate::store::data_version(c)?;
    let mut rows = statement.query(rusqlite::params![client_id, after_id, limit])?;
    Outgoing::read(version, &mut rows)
}

/// The events among `ids` still waiting to be sent, read to be sent; on the SQLite handle.
pub fn outgoing_of_now(c: &rusqlite::Connection, ids: &[i64]) -> rusqlite::Result<Outgoing> {
    let mut statement = c.prepare_cached(&format!(
        concat!("{} WHERE e.id IN (SELECT value FROM json_each(?1)) AND ", event_waiting!(), " ORDER BY e.id"),
        SELECT_OUTGOING
    ))?;
    let version = crate::store::data_version(c)?;
    let mut rows = statement.query([serde_json::to_string(ids).expect("ids serialise")])?;
    Outgoing::read(version, &mut rows)
}

fn queued_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Queued> {
    Ok(Queued {
        id: row.get(0)?,
        client_id: row.get(1)?,
        client: row.get(2)?,
        event_name: row.get(3)?,
        event_id: row.get(4)?,
        event_time: row.get(5)?,
        action_source: row.get(6)?,
        source: row.get(7)?,
        user_data: match row.get_ref(8)? {
            rusqlite::types::ValueRef::Blob(packed) => packed.to_vec(),
            rusqlite::types::ValueRef::Text(text) => super::user_data::pack_json(&String::from_utf8_lossy(text)),
            _ => Vec::new(),
        },
        custom_data: row.get(9)?,
        problem: row.get(10)?,
        status: row.get(11)?,
    })
}

const SELECT_QUEUED: &str = concat!(
    "SELECT e.id, e.client_id, c.name, e.event_name, e.event_id, e.event_time, e.action_source, e.source, e.user_data,
         e.custom_data, e.problem, CASE WHEN ",
    send_of!("e.id"),
    " IS NULL THEN e.status ELSE 'sent' END
     FROM capi_events AS e JOIN clients AS c ON c.id = e.client_id"
);

/// Up to `limit` events not yet sent, and those found unsendable when `invalid` is set, of
/// `client_id` or of every client, in the order they were queued from after `after_id`; on the
/// SQLite handle.
pub fn unsent_now(
    c: &rusqlite::Connection,
    client_id: Option<&str>,
    invalid: bool,
    after_id: i64,
    limit: i64,
) -> rusqlite::Result<Vec<Queued>> {
    let mut statement = c.prepare_cached(&format!(
        concat!(
            "{} WHERE e.id > ?2 AND (",
            event_waiting!(),
            " OR (?3 AND e.status = 'invalid')) AND (?1 IS NULL OR e.client_id = ?1)
             ORDER BY e.id LIMIT ?4"
        ),
        SELECT_QUEUED
    ))?;
    let rows = statement.query_map(rusqlite::params![client_id, after_id, invalid, limit], queued_of)?;
    rows.collect()
}

/// The keyed hashes of the people of these events, by event: read only when someone is withheld.
pub async fn people_of(
    conn: &mut SqliteConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<IdentityHash>>, sqlx::Error> {
    let rows: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT id, people FROM capi_events WHERE id IN (SELECT value FROM json_each(?1))")
            .bind(serde_json::to_string(ids).expect("ids serialise"))
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|(event, people)| (event, people_unpacked(&people))).collect())
}

/// A batch handed to Meta that has no answer on record: a crash came between.
#[derive(Debug, Clone)]
pub struct Unanswered {
    pub id: i64,
    pub attempted_unix: i64,
    pub events: Vec<i64>,
    /// Where it went: a resend goes there too, whatever the client's dataset is now.
    pub dataset_id: String,
    pub test_event_code: Option<String>,
}

pub async fn unanswered(conn: &mut SqliteConnection, client_id: &str) -> Result<Vec<Unanswered>, sqlx::Error> {
    let rows: Vec<(i64, i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, attempted_unix, events, dataset_id, test_event_code FROM capi_sends
         WHERE client_id = ?1 AND answered_at IS NULL ORDER BY id",
    )
    .bind(client_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, attempted_unix, events, dataset_id, test_event_code)| Unanswered {
            id,
            attempted_unix,
            events: serde_json::from_str(&events).unwrap_or_default(),
            dataset_id,
            test_event_code,
        })
        .collect())
}

/// Notes a batch as handed to Meta, before the call: a crash meanwhile leaves it known to have
/// perhaps reached Meta, and when.
pub async fn begin_send(
    conn: &mut SqliteConnection,
    client_id: &str,
    dataset: &Dataset,
    ids: &[i64],
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO capi_sends (client_id, dataset_id, test_event_code, events, attempted_unix)
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
    )
    .bind(client_id)
    .bind(&dataset.dataset_id)
    .bind(&dataset.test_event_code)
    .bind(serde_json::to_string(ids).expect("ids serialise"))
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Meta's answer to a batch that it took.
pub struct Answer<'a> {
    pub events_received: i64,
    pub fbtrace_id: Option<&'a str>,
    pub at: &'a str,
    pub unix: i64,
}

/// Records that Meta took send `send_id`, and with it the events `ids` (as runs of consecutive
/// ids), found still waiting to be sent at data version `checked_at`. An event erased meanwhile is
/// not there to record; while the version is the same, no other connection has committed, and each
/// of them still is.
pub async fn answered(
    conn: &mut SqliteConnection,
    send_id: i64,
    ids: &[i64],
    answer: &Answer<'_>,
    checked_at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE capi_sends SET answered_at = ?2, answered_unix = ?3, events_received = ?4, fbtrace_id = ?5
         WHERE id = ?1",
    )
    .bind(send_id)
    .bind(answer.at)
    .bind(answer.unix)
    .bind(answer.events_received)
    .bind(answer.fbtrace_id)
    .execute(&mut *conn)
    .await?;
    crate::store::direct(conn, |c| {
        let taken: Vec<i64> = if crate::store::data_version(c)? == checked_at {
            ids.to_vec()
        } else {
            let mut waiting = c.prepare_cached(concat!(
                "SELECT e.id FROM capi_events AS e WHERE e.id IN (SELECT value FROM json_each(?1)) AND ",
                event_waiting!()
            ))?;
            let rows = waiting.query_map([serde_json::to_string(ids).expect("ids serialise")], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut insert = c.prepare_cached("INSERT INTO capi_sent_runs (first, last, send_id) VALUES (?1, ?2, ?3)")?;
        for (first, last) in runs_of(taken) {
            insert.execute(rusqlite::params![first, last, send_id])?;
        }
        Ok::<_, rusqlite::Error>(())
    })
    .await??;
    Ok(())
}

/// `ids` as runs of consecutive ids, first and last.
fn runs_of(mut ids: Vec<i64>) -> Vec<(i64, i64)> {
    ids.sort_unstable();
    ids.dedup();
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for id in ids {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == id => *last = id,
            _ => runs.push((id, id)),
        }
    }
    runs
}

/// Forgets a send Meta certainly did not take: its events wait for the next one.
pub async fn drop_send(conn: &mut SqliteConnection, send_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM capi_sends WHERE id = ?1 AND answered_at IS NULL").bind(send_id).execute(conn).await?;
    Ok(())
}

/// Marks an event never to be sent, and why.
pub async fn refuse(conn: &mut SqliteConnection, id: i64, problem: &str) -> Result<(), sqlx::Error> {
    sqlx::query(concat!(
        "UPDATE capi_events AS e SET status = 'invalid', problem = ?2, refused_at_send = 1 WHERE e.id = ?1 AND ",
        event_waiting!()
    ))
    .bind(id)
    .bind(problem)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sends whose events are all gone (erased, purged) say nothing more, and go too, with their runs.
async fn forget_empty_sends(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM capi_sends WHERE answered_at IS NOT NULL AND NOT EXISTS (
             SELECT 1 FROM capi_sent_runs AS run JOIN capi_events AS e ON e.id BETWEEN run.first AND run.last
             WHERE run.send_id = capi_sends.id)",
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One sent event as the event log shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Logged {
    #[ts(type = "number")]
    pub id: i64,
    pub client: String,
    pub event_name: String,
    pub event_id: String,
    /// RFC 3339.
    pub event_time: String,
    pub dataset_id: String,
    pub test_event_code: Option<String>,
    /// The matching keys as sent: Meta's names and the hashes.
    pub keys: Vec<(String, String)>,
    /// Meta's count of the events its batch took.
    #[ts(type = "number")]
    pub events_received: i64,
    pub fbtrace_id: Option<String>,
    pub sent_at: String,
}

/// The events sent, newest first.
pub async fn log(pool: &SqlitePool, client_id: Option<&str>, limit: i64) -> Result<Vec<Logged>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT e.id, c.name, e.event_name, e.event_id, e.event_time, s.dataset_id, s.test_event_code,
             CASE typeof(e.user_data) WHEN 'blob' THEN e.user_data END, s.events_received, s.fbtrace_id, s.answered_at,
             CASE typeof(e.user_data) WHEN 'text' THEN e.user_data END
         FROM capi_sent_runs AS run JOIN capi_sends AS s ON s.id = run.send_id
             JOIN capi_events AS e ON e.id BETWEEN run.first AND run.last JOIN clients AS c ON c.id = e.client_id
         WHERE ?1 IS NULL OR e.client_id = ?1
         ORDER BY s.answered_unix DESC, e.id DESC LIMIT ?2",
    )
    .bind(client_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let user = user_data_json(r.try_get(7)?, r.try_get(11)?);
            Ok(Logged {
                id: r.try_get(0)?,
                client: r.try_get(1)?,
                event_name: r.try_get(2)?,
                event_id: r.try_get(3)?,
                event_time: rfc3339_of(r.try_get(4)?),
                dataset_id: r.try_get(5)?,
                test_event_code: r.try_get(6)?,
                keys: keys_of(&user),
                events_received: r.try_get::<Option<i64>, _>(8)?.unwrap_or(0),
                fbtrace_id: r.try_get(9)?,
                sent_at: r.try_get::<Option<String>, _>(10)?.unwrap_or_default(),
            })
        })
        .collect()
}

/// `user_data` as JSON text, from its packed form or the text a row queued before packing keeps.
fn user_data_json(packed: Option<Vec<u8>>, text: Option<String>) -> String {
    match (packed, text) {
        (Some(packed), _) => super::user_data::json(&packed),
        (None, Some(text)) => text,
        (None, None) => "{}".to_owned(),
    }
}

/// `user_data` as (key, value) pairs, in Meta's order of keys.
pub fn keys_of(user_data: &str) -> Vec<(String, String)> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(user_data) else { return Vec::new() };
    map.into_iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (k, v)
        })
        .collect()
}

fn rfc3339_of(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// Whether an event (alias `e`) is on hold as of today (?9): its client is held, or its person is.
macro_rules! event_held {
    () => {
        $crate::record_held!("e.client_id", "e.people")
    };
}

/// When an event (alias `e`) ages from: when Meta took it, or when it was queued if it never was.
macro_rules! event_age {
    () => {
        concat!(
            "coalesce((SELECT s.answered_unix FROM capi_sends AS s WHERE s.id = ",
            send_of!("e.id"),
            "), unixepoch(e.queued_at))"
        )
    };
}

/// A client's events with their ages.
const AGES: &str =
    concat!("SELECT ", event_age!(), " AS t, ", event_held!(), " AS held FROM capi_events AS e WHERE e.client_id = ?1");

/// A client's (?1) events from before ?2.
const DUE: &str = concat!("e.client_id = ?1 AND ", event_age!(), " < ?2");

pub struct ConversionEvents;

pub const CONVERSION_EVENTS: ConversionEvents = ConversionEvents;

#[async_trait]
impl Holder for ConversionEvents {
    fn kind(&self) -> DataKind {
        DataKind::ConversionEvents
    }

    fn label(&self) -> &'static str {
        "conversion events"
    }

    fn scope(&self) -> Scope {
        Scope::Client
    }

    fn identified_by(&self) -> &'static [IdKind] {
        &[IdKind::Email, IdKind::Phone, IdKind::PhoneDigits, IdKind::LeadId, IdKind::CrmRecord]
    }

    fn ages(&self) -> Option<&'static str> {
        Some(AGES)
    }

    fn exposed(&self) -> Option<&'static str> {
        Some(concat!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 63)
             SELECT e.id AS record, 0 AS person, substr(e.people, n.i * 16 + 1, 16) AS hash
             FROM capi_events AS e LEFT JOIN n ON n.i * 16 < length(e.people)
             WHERE e.client_id = ?1 AND ",
            event_age!(),
            " >= ?2 AND ",
            event_age!(),
            " < ?3"
        ))
    }

    fn people_of_client(&self) -> Option<&'static str> {
        // Each hash of each of the client's events, cut from the row's people.
        Some(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 63)
             SELECT substr(e.people, n.i * 16 + 1, 16) FROM capi_events AS e JOIN n ON n.i * 16 < length(e.people)
             WHERE e.client_id = ?1",
        )
    }

    async fn count(&self, conn: &mut SqliteConnection, client_id: Option<&str>) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM capi_events WHERE ?1 IS NULL OR client_id = ?1")
            .bind(client_id)
            .fetch_one(conn)
            .await?)
    }

    async fn find(
        &self,
        conn: &mut SqliteConnection,
        _hasher: &Hasher,
        hashes: &[IdentityHash],
    ) -> Result<Vec<HeldRecord>, StoreError> {
        let hashes: Vec<String> = hashes.iter().map(hex::encode).collect();
        // The event log is read through, not looked up by an index of people: such an index cost
        // each event queued more than the rest of its storing, and a request is rare.
        let rows = sqlx::query(concat!(
            "SELECT e.id, c.name, e.event_name, e.event_id, e.event_time, e.source,
                 CASE typeof(e.user_data) WHEN 'blob' THEN e.user_data END, e.custom_data,
                 CASE WHEN s.id IS NULL THEN e.status ELSE 'sent' END, e.problem, e.queued_at, s.answered_at,
                 s.dataset_id, s.events_received, s.fbtrace_id, CASE typeof(e.user_data) WHEN 'text' THEN e.user_data END
             FROM capi_events AS e JOIN clients AS c ON c.id = e.client_id
             LEFT JOIN capi_sends AS s ON s.id = ",
            send_of!("e.id"),
            " WHERE EXISTS (SELECT 1 FROM json_each(?1) AS j
                 WHERE length(j.value) = 32 AND instr(e.people, unhex(j.value)) > 0)
             ORDER BY e.event_time, e.id"
        ))
        .bind(serde_json::to_string(&hashes).expect("hashes serialise"))
        .fetch_all(&mut *conn)
        .await?;
        let mut found = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.try_get(0)?;
            let event_time = rfc3339_of(r.try_get(4)?);
            let mut fields = vec![
                ("event name".to_owned(), r.try_get::<String, _>(2)?),
                ("event id".to_owned(), r.try_get::<String, _>(3)?),
                ("event time".to_owned(), event_time.clone()),
                ("status".to_owned(), r.try_get::<String, _>(8)?),
            ];
            for (key, value) in keys_of(&user_data_json(r.try_get(6)?, r.try_get(15)?)) {
                fields.push((format!("user_data.{key}"), value));
            }
            for (key, value) in keys_of(&r.try_get::<Option<String>, _>(7)?.unwrap_or_default()) {
                fields.push((format!("custom_data.{key}"), value));
            }
            let optional: [(&str, Option<String>); 5] = [
                ("problem", r.try_get(9)?),
                ("sent at", r.try_get(11)?),
                ("dataset", r.try_get(12)?),
                ("events received", r.try_get::<Option<i64>, _>(13)?.map(|n| n.to_string())),
                ("fbtrace_id", r.try_get(14)?),
            ];
            fields.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k.to_owned(), v))));
            found.push(HeldRecord {
                id: id.to_string(),
                client: Some(r.try_get(1)?),
                source: format!("{}, queued {}", r.try_get::<String, _>(5)?, r.try_get::<String, _>(10)?),
                created: Some(event_time),
                fields,
                fetched_at: None,
                identifiers: Vec::new(),
            });
        }
        Ok(found)
    }

    /// Deletes the events, sent or not: one not yet sent never will be. Meta keeps what it was
    /// sent (hashed) and offers no call to delete it.
    async fn erase(
        &self,
        conn: &mut SqliteConnection,
        records: &[HeldRecord],
        _erasing: &Erasing<'_>,
    ) -> Result<i64, StoreError> {
        let ids: Vec<i64> = records.iter().filter_map(|r| r.id.parse().ok()).collect();
        let deleted = sqlx::query("DELETE FROM capi_events WHERE id IN (SELECT value FROM json_each(?1))")
            .bind(serde_json::to_string(&ids).expect("ids serialise"))
            .execute(&mut *conn)
            .await?
            .rows_affected();
        forget_empty_sends(conn).await?;
        Ok(deleted as i64)
    }

    async fn purge(&self, conn: &mut SqliteConnection, due: &Due<'_>, delete: bool) -> Result<Removed, StoreError> {
        let count = due_records(conn, "capi_events AS e", DUE, event_held!(), due, delete).await?;
        if delete {
            forget_empty_sends(conn).await?;
        }
        Ok(Removed { count, anchor: None })
    }

    async fn remove_client(&self, conn: &mut SqliteConnection, client_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM capi_events WHERE client_id = ?1").bind(client_id).execute(conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_recorded_as_runs_of_consecutive_ids_with_nothing_between_that_it_did_not_take() {
        assert_eq!(runs_of(vec![5, 1, 2, 3, 7, 8, 3]), [(1, 3), (5, 5), (7, 8)]);
        assert_eq!(runs_of((10..1010).collect()), [(10, 1009)]);
        assert!(runs_of(Vec::new()).is_empty());
    }
}
