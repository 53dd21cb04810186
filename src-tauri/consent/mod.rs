//! The consent register: for each person and marketing channel, every opt-in and opt-out they
//! gave, with its proof (a lead form's question and answer, a "STOP" or "START" message, an
//! admin's entry with a reason, an objection). Entries are never changed; the latest one for a
//! channel is the person's answer. Owns `consent_entries` and `consent_people`.
//!
//! Consent is personal data like the rest: a request finds, exports and erases it through the
//! registry, and a client's removal takes it.

pub mod signals;

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use ts_rs::TS;

use crate::identity::{Hasher, IdKind, Identifier, IdentityHash, HASH_LEN};
use crate::personal_data::{DataKind, Erasing, HeldRecord, Holder, Scope};
use crate::store::StoreError;

/// A channel a business markets on, which a person opts into or out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum ConsentChannel {
    WhatsappMarketing,
    MessengerMarketing,
    EmailMarketing,
}

impl ConsentChannel {
    pub const ALL: [Self; 3] = [Self::WhatsappMarketing, Self::MessengerMarketing, Self::EmailMarketing];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::WhatsappMarketing => "whatsapp_marketing",
            Self::MessengerMarketing => "messenger_marketing",
            Self::EmailMarketing => "email_marketing",
        }
    }

    fn from_stored(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Where an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConsentSource {
    /// A lead form's consent question.
    LeadForm,
    /// A message the person sent ("STOP", "START").
    Message,
    /// Recorded by someone in the agency, with a reason.
    Admin,
    /// An objection request: out of every channel.
    Objection,
}

impl ConsentSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LeadForm => "lead_form",
            Self::Message => "message",
            Self::Admin => "admin",
            Self::Objection => "objection",
        }
    }

    fn from_stored(s: &str) -> Self {
        match s {
            "lead_form" => Self::LeadForm,
            "message" => Self::Message,
            "objection" => Self::Objection,
            _ => Self::Admin,
        }
    }
}

/// An entry to record.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    /// `None`: every client.
    pub client_id: Option<&'a str>,
    pub channel: ConsentChannel,
    pub opted_in: bool,
    /// When the person said so, seconds since 1970.
    pub said_at: i64,
    /// RFC 3339.
    pub recorded_at: &'a str,
    pub source: ConsentSource,
    pub proof: String,
    pub identifiers: Vec<(Identifier, IdentityHash)>,
    pub request_id: Option<i64>,
    /// What it was read from, so that reading it again records nothing.
    pub origin: Option<String>,
}

/// One entry of the register, as shown and exported.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ConsentEntry {
    #[ts(type = "number")]
    pub id: i64,
    /// `None`: every client.
    pub client: Option<String>,
    pub channel: ConsentChannel,
    pub opted_in: bool,
    /// RFC 3339.
    pub said_at: String,
    pub recorded_at: String,
    pub source: ConsentSource,
    pub proof: String,
    pub identifiers: Vec<Identifier>,
    #[ts(type = "number | null")]
    pub request_id: Option<i64>,
}

/// A person's answer on one channel for one client (or, with `client` `None`, for every client):
/// the latest entry that applies.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ConsentState {
    pub client: Option<String>,
    pub channel: ConsentChannel,
    pub opted_in: bool,
    /// RFC 3339.
    pub since: String,
    #[ts(type = "number")]
    pub entry_id: i64,
}

/// An identifier as an entry keeps it, with its keyed hash: what a search widens by.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Named {
    kind: IdKind,
    value: String,
    hash: String,
}

/// Records an entry on the store's handle, inside the caller's transaction; returns its id, or
/// `None` when its origin was recorded before.
///
/// The entry also names the person by the identifiers their earlier entries name (one step): an
/// answer given by email then reaches the phone a lead form linked to it, so that no identifier
/// keeps an answer the person has since changed. From another client's entries only identifiers
/// of the person themselves are taken (email, phone, WhatsApp id), never that client's lead or
/// record ids. The time said is never later than the time recorded: a misdated source cannot
/// outrank what is recorded after it.
pub fn record(conn: &rusqlite::Connection, entry: &NewEntry<'_>) -> rusqlite::Result<Option<i64>> {
    use rusqlite::OptionalExtension;
    if let Some(origin) = &entry.origin {
        let known = conn
            .prepare_cached("SELECT 1 FROM consent_entries WHERE origin = ?1")?
            .query_row([origin], |_| Ok(()))
            .optional()?;
        if known.is_some() {
            return Ok(None);
        }
    }
    let mut people: Vec<u8> = Vec::with_capacity(entry.identifiers.len() * HASH_LEN);
    let mut named = Vec::with_capacity(entry.identifiers.len());
    for (identifier, hash) in &entry.identifiers {
        if !people.chunks_exact(HASH_LEN).any(|h| h == hash) {
            people.extend_from_slice(hash);
            named.push(Named { kind: identifier.kind, value: identifier.value.clone(), hash: hex::encode(hash) });
        }
    }
    for (client_id, earlier) in linked(conn, &people)? {
        let same_client = entry.client_id.is_none() || client_id.as_deref() == entry.client_id;
        for n in earlier {
            let personal = matches!(n.kind, IdKind::Email | IdKind::Phone | IdKind::PhoneDigits | IdKind::WaId);
            let Ok(hash) = hex::decode(&n.hash) else { continue };
            if (same_client || personal) && hash.len() == HASH_LEN && !people.chunks_exact(HASH_LEN).any(|h| h == hash)
            {
                people.extend_from_slice(&hash);
                named.push(n);
            }
        }
    }
    let recorded = crate::clock::parse_rfc3339(entry.recorded_at).map(|m| m.timestamp());
    let said_at = recorded.map_or(entry.said_at, |r| entry.said_at.min(r));
    let inserted = conn
        .prepare_cached(
            "INSERT INTO consent_entries (client_id, channel, opted_in, said_at, recorded_at, source, proof,
                 identifiers, people, request_id, origin)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (origin) DO NOTHING",
        )?
        .execute(rusqlite::params![
            entry.client_id,
            entry.channel.as_str(),
            entry.opted_in,
            said_at,
            entry.recorded_at,
            entry.source.as_str(),
            entry.proof,
            serde_json::to_string(&named).expect("identifiers serialise"),
            people,
            entry.request_id,
            entry.origin,
        ])?;
    if inserted == 0 {
        return Ok(None);
    }
    let id = conn.last_insert_rowid();
    let mut index = conn.prepare_cached("INSERT OR IGNORE INTO consent_people (hash, entry_id) VALUES (?1, ?2)")?;
    for hash in people.chunks_exact(HASH_LEN) {
        index.execute(rusqlite::params![hash, id])?;
    }
    Ok(Some(id))
}

/// The client and identifiers of every entry under any of these hashes (16 bytes each).
fn linked(conn: &rusqlite::Connection, people: &[u8]) -> rusqlite::Result<Vec<(Option<String>, Vec<Named>)>> {
    let mut statement = conn.prepare_cached(
        "SELECT e.client_id, e.identifiers FROM consent_entries AS e WHERE e.id IN
             (SELECT p.entry_id FROM consent_people AS p WHERE p.hash = ?1)",
    )?;
    let mut found = Vec::new();
    for hash in people.chunks_exact(HASH_LEN) {
        let rows = statement.query_map([hash], |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (client_id, identifiers) = row?;
            found.push((client_id, serde_json::from_str(&identifiers).unwrap_or_default()));
        }
    }
    Ok(found)
}

/// Forgets the entries read from the messages of one thread: it turned out to hold an erased
/// person, and goes whole.
pub fn forget_thread(
    conn: &rusqlite::Connection,
    client_id: &str,
    channel: &str,
    remote_id: &str,
) -> rusqlite::Result<()> {
    // Origins of its messages are "message:CLIENT:CHANNEL:THREAD:MESSAGE"; ';' follows ':'.
    let prefix = format!("message:{client_id}:{channel}:{remote_id}:");
    let end = format!("message:{client_id}:{channel}:{remote_id};");
    conn.prepare_cached("DELETE FROM consent_entries WHERE origin >= ?1 AND origin < ?2")?.execute([prefix, end])?;
    Ok(())
}

/// An entry as read, with its people's hashes.
struct Stored {
    entry: ConsentEntry,
    client_id: Option<String>,
    people: Vec<IdentityHash>,
    named: Vec<Named>,
}

const SELECT: &str = "SELECT e.id, c.name, e.channel, e.opted_in, e.said_at, e.recorded_at, e.source, e.proof,
        e.identifiers, e.request_id, e.client_id, e.people
    FROM consent_entries AS e LEFT JOIN clients AS c ON c.id = e.client_id";

fn stored_of(r: &sqlx::sqlite::SqliteRow) -> Result<Option<Stored>, sqlx::Error> {
    use sqlx::Row;
    let Some(channel) = ConsentChannel::from_stored(r.try_get::<&str, _>(2)?) else { return Ok(None) };
    let said_unix: i64 = r.try_get(4)?;
    let named: Vec<Named> = serde_json::from_str(r.try_get::<&str, _>(8)?).unwrap_or_default();
    let people: Vec<u8> = r.try_get(11)?;
    Ok(Some(Stored {
        entry: ConsentEntry {
            id: r.try_get(0)?,
            client: r.try_get(1)?,
            channel,
            opted_in: r.try_get(3)?,
            said_at: rfc3339_of(said_unix),
            recorded_at: r.try_get(5)?,
            source: ConsentSource::from_stored(r.try_get::<&str, _>(6)?),
            proof: r.try_get(7)?,
            identifiers: named.iter().map(|n| Identifier { kind: n.kind, value: n.value.clone() }).collect(),
            request_id: r.try_get(9)?,
        },
        client_id: r.try_get(10)?,
        people: crate::identity::unpacked(&people),
        named,
    }))
}

fn rfc3339_of(unix: i64) -> String {
    crate::clock::from_unix(unix).map(crate::clock::rfc3339).unwrap_or_default()
}

/// The entries held under any of these keyed hashes, oldest first.
async fn stored_under(conn: &mut SqliteConnection, hashes: &[IdentityHash]) -> Result<Vec<Stored>, sqlx::Error> {
    let hashes: Vec<String> = hashes.iter().map(hex::encode).collect();
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE e.id IN (SELECT p.entry_id FROM consent_people AS p
             WHERE p.hash IN (SELECT unhex(j.value) FROM json_each(?1) AS j WHERE length(j.value) = 32))
         ORDER BY e.said_at, e.id"
    ))
    .bind(serde_json::to_string(&hashes).expect("hashes serialise"))
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(stored_of).collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect())
}

/// A person's register, found by the keyed hashes of the identifiers given.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Register {
    /// Their answer on each channel, per client that has an entry, and for every client where an
    /// entry is for all of them.
    pub states: Vec<ConsentState>,
    /// Every entry, oldest first.
    pub entries: Vec<ConsentEntry>,
}

/// Every identifier on an entry names the one person it is about, so the entries found widen the
/// search, as a request's search widens: a person asked for by email is shown the STOP they sent
/// from the phone their lead gave.
pub async fn of_person(conn: &mut SqliteConnection, hashes: &[IdentityHash]) -> Result<Register, sqlx::Error> {
    let mut searched: Vec<IdentityHash> = hashes.to_vec();
    let mut stored = stored_under(conn, &searched).await?;
    // A few rounds reach everyone the entries link; more would follow a chain of shared numbers
    // away from the person.
    for _ in 0..2 {
        let before = searched.len();
        for hash in stored.iter().flat_map(|s| &s.people) {
            if !searched.contains(hash) {
                searched.push(*hash);
            }
        }
        if searched.len() == before {
            break;
        }
        stored = stored_under(conn, &searched).await?;
    }
    let mut clients: Vec<(Option<String>, Option<String>)> = vec![(None, None)];
    for s in &stored {
        if s.client_id.is_some() && !clients.iter().any(|(id, _)| *id == s.client_id) {
            clients.push((s.client_id.clone(), s.entry.client.clone()));
        }
    }
    let mut states = Vec::new();
    for (client_id, client) in clients {
        for channel in ConsentChannel::ALL {
            // Oldest first: the last that applies is the answer. An entry for every client
            // applies to each.
            let latest = stored
                .iter()
                .rfind(|s| s.entry.channel == channel && (s.client_id.is_none() || s.client_id == client_id));
            if let Some(s) = latest {
                states.push(ConsentState {
                    client: client.clone(),
                    channel,
                    opted_in: s.entry.opted_in,
                    since: s.entry.said_at.clone(),
                    entry_id: s.entry.id,
                });
            }
        }
    }
    Ok(Register { states, entries: stored.into_iter().map(|s| s.entry).collect() })
}

/// A client's entries, oldest first, each with whether it is still the answer for some
/// identifier of the person on its channel. Entries for every client (an objection, an opt-out
/// everywhere) are among them for the people of the client's own entries, naming them only by
/// the identifiers those entries name: the rest may be what another client holds.
pub async fn of_client(conn: &mut SqliteConnection, client_id: &str) -> Result<Vec<(ConsentEntry, bool)>, sqlx::Error> {
    let rows = sqlx::query(&format!("{SELECT} WHERE e.client_id = ?1 OR e.client_id IS NULL ORDER BY e.said_at, e.id"))
        .bind(client_id)
        .fetch_all(conn)
        .await?;
    let mut stored: Vec<Stored> =
        rows.iter().map(stored_of).collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect();
    let own: HashSet<IdentityHash> =
        stored.iter().filter(|s| s.client_id.is_some()).flat_map(|s| s.people.iter().copied()).collect();
    stored.retain(|s| s.client_id.is_some() || s.people.iter().any(|h| own.contains(h)));
    for s in stored.iter_mut().filter(|s| s.client_id.is_none()) {
        s.people.retain(|h| own.contains(h));
        let kept: Vec<String> = s.people.iter().map(hex::encode).collect();
        s.named.retain(|n| kept.contains(&n.hash));
        s.entry.identifiers = s.named.iter().map(|n| Identifier { kind: n.kind, value: n.value.clone() }).collect();
    }
    let latest = latest_by_hash(stored.iter().map(|s| (s.entry.id, s.entry.channel, s.entry.opted_in, &s.people)));
    Ok(stored
        .into_iter()
        .map(|s| {
            let current =
                s.people.iter().any(|h| latest.get(&(*h, s.entry.channel)).is_some_and(|(id, _)| *id == s.entry.id));
            (s.entry, current)
        })
        .collect())
}

/// For each identifier and channel, the last entry (by the order given) and its answer.
fn latest_by_hash<'a>(
    entries: impl Iterator<Item = (i64, ConsentChannel, bool, &'a Vec<IdentityHash>)>,
) -> HashMap<(IdentityHash, ConsentChannel), (i64, bool)> {
    let mut latest = HashMap::new();
    for (id, channel, opted_in, people) in entries {
        for hash in people {
            latest.insert((*hash, channel), (id, opted_in));
        }
    }
    latest
}

/// The people who opted out of marketing on any channel, for the client whose id is given or for
/// every client, by the keyed hashes their latest answer was given under; on the store's handle.
/// Nothing is sent about them for marketing: a conversion event is advertising.
pub fn opted_out_now(conn: &rusqlite::Connection, client_id: &str) -> rusqlite::Result<HashSet<IdentityHash>> {
    let mut statement = conn.prepare_cached(
        "SELECT e.id, e.channel, e.opted_in, e.people FROM consent_entries AS e
         WHERE e.client_id = ?1 OR e.client_id IS NULL ORDER BY e.said_at, e.id",
    )?;
    let rows = statement.query_map([client_id], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?, r.get::<_, Vec<u8>>(3)?))
    })?;
    let mut entries = Vec::new();
    for row in rows {
        let (id, channel, opted_in, people) = row?;
        let Some(channel) = ConsentChannel::from_stored(&channel) else { continue };
        entries.push((id, channel, opted_in, crate::identity::unpacked(&people)));
    }
    let latest = latest_by_hash(entries.iter().map(|(id, c, o, p)| (*id, *c, *o, p)));
    Ok(latest.into_iter().filter(|(_, (_, opted_in))| !opted_in).map(|((hash, _), _)| hash).collect())
}

pub struct Consent;

pub const CONSENT: Consent = Consent;

#[async_trait]
impl Holder for Consent {
    fn kind(&self) -> DataKind {
        DataKind::Consent
    }

    fn label(&self) -> &'static str {
        "consent records"
    }

    fn scope(&self) -> Scope {
        Scope::Client
    }

    fn identified_by(&self) -> &'static [IdKind] {
        &[IdKind::Email, IdKind::Phone, IdKind::PhoneDigits, IdKind::WaId, IdKind::Psid]
    }

    fn not_corrected(&self) -> Option<&'static str> {
        Some(
            "Consent records are not corrected: each is the proof of what the person said and when. A change of \
             mind is a new opt-in or opt-out.",
        )
    }

    /// A client's own entries said in the window; those for every client are the workspace's.
    fn exposed(&self) -> Option<&'static str> {
        Some(
            "SELECT e.id AS record, 0 AS person, p.hash FROM consent_entries AS e LEFT JOIN consent_people AS p ON p.entry_id = e.id
             WHERE e.client_id = ?1 AND e.said_at >= ?2 AND e.said_at < ?3",
        )
    }

    fn people_of_client(&self) -> Option<&'static str> {
        Some(
            "SELECT p.hash FROM consent_people AS p JOIN consent_entries AS e ON e.id = p.entry_id
             WHERE e.client_id = ?1",
        )
    }

    /// A client's count is its own entries; the workspace's is every entry, those for every
    /// client too.
    async fn count(&self, conn: &mut SqliteConnection, client_id: Option<&str>) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM consent_entries WHERE ?1 IS NULL OR client_id = ?1")
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
        Ok(stored_under(conn, hashes).await?.into_iter().map(record_of).collect())
    }

    async fn erase(
        &self,
        conn: &mut SqliteConnection,
        records: &[HeldRecord],
        _erasing: &Erasing<'_>,
    ) -> Result<i64, StoreError> {
        let ids: Vec<i64> = records.iter().filter_map(|r| r.id.parse().ok()).collect();
        let deleted = sqlx::query("DELETE FROM consent_entries WHERE id IN (SELECT value FROM json_each(?1))")
            .bind(serde_json::to_string(&ids).expect("ids serialise"))
            .execute(conn)
            .await?
            .rows_affected();
        Ok(deleted as i64)
    }

    async fn remove_client(&self, conn: &mut SqliteConnection, client_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM consent_entries WHERE client_id = ?1").bind(client_id).execute(conn).await?;
        Ok(())
    }
}

/// An entry as a request finds it. Its identifiers all name the one person it is about, so each
/// widens the search.
fn record_of(s: Stored) -> HeldRecord {
    let e = &s.entry;
    let mut fields = vec![
        ("channel".to_owned(), e.channel.as_str().to_owned()),
        ("answer".to_owned(), if e.opted_in { "opted in" } else { "opted out" }.to_owned()),
        ("said at".to_owned(), e.said_at.clone()),
        ("source".to_owned(), e.source.as_str().to_owned()),
        ("proof".to_owned(), e.proof.clone()),
        ("client".to_owned(), e.client.clone().unwrap_or_else(|| "every client".to_owned())),
        ("recorded at".to_owned(), e.recorded_at.clone()),
    ];
    for n in &s.named {
        fields.push((n.kind.label().to_owned(), n.value.clone()));
    }
    let identifiers = s
        .named
        .iter()
        .filter_map(|n| {
            let hash = IdentityHash::try_from(hex::decode(&n.hash).ok()?.as_slice()).ok()?;
            Some((Identifier { kind: n.kind, value: n.value.clone() }, hash))
        })
        .collect();
    HeldRecord {
        id: e.id.to_string(),
        client: e.client.clone(),
        source: format!("consent register, {}", e.source.as_str().replace('_', " ")),
        created: Some(e.said_at.clone()),
        fields,
        fetched_at: None,
        identifiers,
    }
}

/// Who opted out of marketing, for each client with entries of its own, and for a client with
/// only entries for every client.
#[derive(Debug, Default)]
pub struct OptedOut {
    by_client: HashMap<String, HashSet<IdentityHash>>,
    every: HashSet<IdentityHash>,
}

impl OptedOut {
    /// Everyone's, read on the store's handle.
    pub fn now(conn: &rusqlite::Connection) -> rusqlite::Result<Self> {
        let clients: Vec<String> = conn
            .prepare_cached("SELECT DISTINCT client_id FROM consent_entries WHERE client_id IS NOT NULL")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut by_client = HashMap::new();
        for client in clients {
            let out = opted_out_now(conn, &client)?;
            by_client.insert(client, out);
        }
        // No client's id is empty: only the entries for every client apply.
        Ok(Self { by_client, every: opted_out_now(conn, "")? })
    }

    pub fn of(&self, client_id: &str) -> &HashSet<IdentityHash> {
        self.by_client.get(client_id).unwrap_or(&self.every)
    }

    pub fn is_empty(&self) -> bool {
        self.every.is_empty() && self.by_client.values().all(HashSet::is_empty)
    }
}
