//! Conversations as a kind of personal data: the threads of each client and their messages, held
//! as the source gave them, with the people in each thread by keyed hashes so that a request finds
//! them and an erasure removes them. Owns `chat_threads`, `chat_messages` and `chat_words`.
//!
//! A thread is what a request acts on: it is the person's conversation with the business, so an
//! erasure removes it whole, messages, words and all.

use std::collections::{HashMap, HashSet};

use rustc_hash::FxHashMap;

use async_trait::async_trait;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use sqlx::{Row, SqliteConnection};
use ts_rs::TS;

use crate::identity::{Hasher, IdKind, Identifier, IdentityHash, HASH_LEN};
use crate::personal_data::{due_records, DataKind, Due, Erasing, HeldRecord, Holder, Removed, Scope};
use crate::store::StoreError;

/// Where a conversation was held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "ChatChannel")]
pub enum Channel {
    Messenger,
    Instagram,
    Whatsapp,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Messenger => "messenger",
            Self::Instagram => "instagram",
            Self::Whatsapp => "whatsapp",
        }
    }

    fn from_stored(s: &str) -> Self {
        match s {
            "messenger" => Self::Messenger,
            "instagram" => Self::Instagram,
            _ => Self::Whatsapp,
        }
    }
}

/// How a participant is named by the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantId {
    /// A Page-scoped (Messenger) or Instagram-scoped id.
    Psid,
    /// A WhatsApp id: the phone number's digits with its country code.
    WaId,
    /// WhatsApp's business-scoped user id.
    UserId,
    /// A phone number as written.
    Phone,
}

/// Someone a thread is with, as the source names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Participant {
    pub kind: ParticipantId,
    pub id: String,
    pub name: Option<String>,
}

impl Participant {
    /// The identifiers the participant is found by, each as the index keeps it.
    pub fn identifiers(&self) -> Vec<Identifier> {
        let id = |kind, value: &str| Identifier { kind, value: value.to_owned() };
        match self.kind {
            ParticipantId::Psid => vec![id(IdKind::Psid, &self.id)],
            ParticipantId::UserId => vec![id(IdKind::WaId, &self.id)],
            // A WhatsApp id is the number in full, so it is a phone number too: a request by
            // phone, or a lead's phone, finds the person's WhatsApp messages.
            ParticipantId::WaId => {
                let phone = crate::identity::wa_id_number(&self.id).filter(|d| !d.is_empty());
                std::iter::once(id(IdKind::WaId, &self.id))
                    .chain(phone.map(|digits| id(IdKind::Phone, &format!("+{digits}"))))
                    .collect()
            }
            ParticipantId::Phone => vec![id(IdKind::Phone, &self.id)],
        }
    }

    /// The participant as one key, however the id was written: a phone number or WhatsApp id as
    /// E.164, so that `+44 7911 123456` and `447911123456` are the same person.
    pub fn key(&self) -> String {
        let digits = |id: &str| -> String { id.chars().filter(char::is_ascii_digit).collect() };
        match self.kind {
            ParticipantId::Phone => crate::identity::stored_phone(&self.id, None)
                .map_or_else(|| format!("+{}", digits(&self.id)), |(_, normalised)| normalised),
            ParticipantId::WaId => format!("+{}", digits(&self.id)),
            ParticipantId::Psid | ParticipantId::UserId => self.id.clone(),
        }
    }

    /// The identifiers the participant is found by, each with its keyed hash.
    pub fn hashed(&self, hasher: &Hasher) -> Vec<(Identifier, IdentityHash)> {
        let mut hashed = Vec::new();
        for identifier in self.identifiers() {
            let hash = match identifier.kind {
                IdKind::Phone => {
                    crate::identity::stored_phone(&identifier.value, None).map(|(k, n)| hasher.hash(k, &n))
                }
                kind => hasher.identify(kind, &identifier.value, None),
            };
            if let Some(hash) = hash {
                hashed.push((identifier, hash));
            }
        }
        hashed
    }

    /// The keyed hashes the participant is found by.
    pub fn hashes(&self, hasher: &Hasher) -> Vec<IdentityHash> {
        self.hashed(hasher).into_iter().map(|(_, hash)| hash).collect()
    }
}

/// A thread as an import or a sync names it.
#[derive(Debug, Clone)]
pub struct NewThread {
    pub channel: Channel,
    pub remote_id: String,
    pub title: String,
    pub source: String,
    pub participants: Vec<Participant>,
    /// The other remote ids the same thread may be held under: a WhatsApp person an earlier
    /// archive named by another of their ids.
    pub also_known_as: Vec<String>,
    /// For a person named by an id an earlier archive may have held beside another (a WhatsApp
    /// user id without the number): the start of the remote ids of the threads that may be
    /// theirs, found by the people they hold.
    pub person_among: Option<String>,
}

/// A message as an import or a sync reads it.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub remote_id: String,
    /// Seconds since 1970.
    pub sent_at: i64,
    pub author: Option<String>,
    pub from_business: bool,
    pub kind: String,
    pub body: String,
    pub damaged: bool,
    /// For an export's media: which of its author's media at that second it is, from 1. An
    /// export writes a media message one way with the media and another without, so it is held
    /// already when its thread holds as many of its author's media at that time, whatever their
    /// words.
    pub media_slot: Option<u32>,
}

/// A thread as the threads are listed.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ThreadSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub client: String,
    pub channel: Channel,
    pub title: String,
    pub source: String,
    /// RFC 3339.
    pub first_at: String,
    pub last_at: String,
    #[ts(type = "number")]
    pub messages: i64,
    /// The start of the last message's text.
    pub last_text: String,
}

/// One message, as a thread shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ShownMessage {
    #[ts(type = "number")]
    pub id: i64,
    /// RFC 3339.
    pub sent_at: String,
    pub author: Option<String>,
    pub from_business: bool,
    pub kind: String,
    pub body: String,
    pub damaged: bool,
}

/// A thread with its participants and every message, oldest first.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Thread {
    pub summary: ThreadSummary,
    pub participants: Vec<Participant>,
    pub messages: Vec<ShownMessage>,
}

/// What storing a batch came to.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stored {
    pub threads: u64,
    pub messages: u64,
    pub already_held: u64,
    /// Messages not stored because a person in their thread was erased.
    pub erased: u64,
    /// A thread was deleted on the way (it turned out to hold an erased person): the search
    /// index must be rewritten before the transaction commits.
    pub removed: bool,
    /// Opt-ins and opt-outs read from new messages ("STOP", "START") into the consent register.
    pub consent: u64,
}

/// What the writer knows of a thread it has touched; `id` is `None` until it is stored.
#[derive(Default)]
struct Known {
    id: Option<i64>,
    /// The remote id it is held under, which may be one the thread is also known as.
    stored_as: String,
    /// Someone in it was erased: nothing of it is stored.
    blocked: bool,
    participants: Vec<Participant>,
    people: Vec<u8>,
    /// Someone new is in it since it was last written.
    people_changed: bool,
    /// Its people were checked against those erased: only someone new needs checking after.
    checked: bool,
    /// What this import stored in it since it was known.
    mine: Mine,
}

/// What an import knows of the threads it has touched, kept from one batch of messages to the
/// next so that each thread is read once. It holds only while no other connection has committed
/// (an erasure may have removed a thread): `clear` it then.
#[derive(Default)]
pub struct ThreadCache {
    threads: FxHashMap<Channel, FxHashMap<String, Known>>,
    /// By thread id, what this import stored in each thread it stored in: what a thread found to
    /// hold an erased person takes back from its counts. A few bytes a thread, kept across
    /// `clear` (the store may give a deleted row's id again, so ids alone cannot tell).
    mine: FxHashMap<i64, Mine>,
    /// By thread id, the name its entry is under, and the names that led to an entry under
    /// another: one entry a thread, however many names a person's ids give it, so that what one
    /// learns of its people (or of an erasure) is not missed by another.
    by_id: FxHashMap<i64, String>,
    other_names: FxHashMap<Channel, FxHashMap<String, String>>,
}

/// What an import stored in one thread.
#[derive(Default, Clone, Copy)]
struct Mine {
    messages: u64,
    /// The import made the thread.
    made: bool,
}

impl Mine {
    fn add(&mut self, other: Mine) {
        self.messages += other.messages;
        self.made |= other.made;
    }
}

impl ThreadCache {
    /// Threads known at most: beyond, what is known is written and forgotten, and read back
    /// when a thread comes up again, so that an import's memory stays the same however many
    /// people its file holds.
    pub const HELD: usize = 60_000;

    /// Forgets the threads but those with an erased person in them: a later message may name
    /// them only by an id that is not suppressed (the file links it to one that is), and nothing
    /// of the thread is stored all the same.
    pub fn clear(&mut self) {
        for threads in self.threads.values_mut() {
            for known in threads.values() {
                if let Some(id) = known.id.filter(|_| known.mine.made || known.mine.messages > 0) {
                    self.mine.entry(id).or_default().add(known.mine);
                }
            }
            threads.retain(|_, known| known.blocked);
        }
        self.by_id.clear();
        for (channel, names) in &mut self.other_names {
            let kept = self.threads.get(channel);
            names.retain(|_, primary| kept.is_some_and(|t| t.contains_key(primary)));
        }
    }

    fn len(&self) -> usize {
        self.threads.values().map(FxHashMap::len).sum::<usize>()
            + self.other_names.values().map(FxHashMap::len).sum::<usize>()
    }
}

/// Stores threads and messages on an importer's own connection, inside its transaction: each
/// message once (by its remote id in its thread), its words into the search index, and each
/// thread's people brought up to date at `flush`. Nothing is stored of a thread with an
/// erased person in it.
pub struct Writer<'c, 'k> {
    conn: &'c rusqlite::Connection,
    client_id: &'k str,
    /// When, RFC 3339: what the consent register records an opt-in or opt-out read as.
    at: &'k str,
    cache: &'k mut ThreadCache,
    /// Held for the writer's life: looking each up again per message cost more than the insert.
    insert_message: rusqlite::CachedStatement<'c>,
    insert_words: rusqlite::CachedStatement<'c>,
}

impl<'c, 'k> Writer<'c, 'k> {
    pub fn new(
        conn: &'c rusqlite::Connection,
        client_id: &'k str,
        at: &'k str,
        cache: &'k mut ThreadCache,
    ) -> rusqlite::Result<Self> {
        let insert_message = conn.prepare_cached(
            "INSERT INTO chat_messages (thread_id, remote_id, sent_at, author, from_business, kind, body, damaged)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (thread_id, sent_at, remote_id) DO NOTHING",
        )?;
        let insert_words = conn.prepare_cached("INSERT INTO chat_words (rowid, body) VALUES (?1, ?2)")?;
        Ok(Self { conn, client_id, at, cache, insert_message, insert_words })
    }

    /// Stores `message` in `thread`, made when new, unless it is already held or someone in the
    /// thread is among `erased`.
    pub fn store(
        &mut self,
        hasher: &Hasher,
        erased: &HashSet<IdentityHash>,
        thread: &NewThread,
        message: &NewMessage,
        stored: &mut Stored,
    ) -> rusqlite::Result<()> {
        let cached =
            |cache: &ThreadCache, name: &str| cache.threads.get(&thread.channel).is_some_and(|t| t.contains_key(name));
        let other_name = |cache: &ThreadCache| {
            cache.other_names.get(&thread.channel).and_then(|names| names.get(&thread.remote_id)).cloned()
        };
        let key: std::borrow::Cow<'_, str> = if cached(self.cache, &thread.remote_id) {
            thread.remote_id.as_str().into()
        } else if let Some(primary) = other_name(self.cache) {
            primary.into()
        } else if let Some(other) = thread.also_known_as.iter().find(|name| cached(self.cache, name)) {
            other.as_str().into()
        } else {
            if self.cache.len() >= ThreadCache::HELD {
                self.flush()?;
                self.cache.clear();
            }
            let known = self.known(hasher, thread)?;
            // Found under another name, it may be known here already under that one.
            match known.id.and_then(|id| self.cache.by_id.get(&id)).cloned() {
                Some(primary) => {
                    let names = self.cache.other_names.entry(thread.channel).or_default();
                    names.insert(thread.remote_id.clone(), primary.clone());
                    primary.into()
                }
                None => {
                    if let Some(id) = known.id {
                        self.cache.by_id.insert(id, thread.remote_id.clone());
                    }
                    self.cache.threads.entry(thread.channel).or_default().insert(thread.remote_id.clone(), known);
                    thread.remote_id.as_str().into()
                }
            }
        };
        let known =
            self.cache.threads.get_mut(&thread.channel).and_then(|t| t.get_mut(key.as_ref())).expect("known above");
        if known.blocked {
            stored.erased += 1;
            return Ok(());
        }
        let is_erased = |hashes: &[u8]| {
            hashes.chunks_exact(HASH_LEN).any(|h| IdentityHash::try_from(h).is_ok_and(|h| erased.contains(&h)))
        };
        let mut erased_in = !known.checked && is_erased(&known.people);
        for participant in &thread.participants {
            if erased_in || known.participants.iter().any(|p| p.kind == participant.kind && p.id == participant.id) {
                continue;
            }
            let hashes: Vec<u8> = participant.hashes(hasher).concat();
            if is_erased(&hashes) {
                erased_in = true;
                continue;
            }
            for hash in hashes.chunks_exact(HASH_LEN) {
                if !known.people.chunks_exact(HASH_LEN).any(|h| h == hash) {
                    known.people.extend_from_slice(hash);
                }
            }
            known.participants.push(participant.clone());
            known.people_changed = true;
        }
        if erased_in {
            // Someone in the thread was erased: nothing of it is kept, not what was stored of it
            // before their first message (WhatsApp's own lines, say), and not their id.
            if let Some(id) = known.id.take() {
                self.cache.by_id.remove(&id);
                let mut mine = self.cache.mine.remove(&id).unwrap_or_default();
                mine.add(known.mine);
                self.conn.prepare_cached("DELETE FROM chat_threads WHERE id = ?1")?.execute([id])?;
                crate::consent::forget_thread(self.conn, self.client_id, thread.channel.as_str(), &known.stored_as)?;
                stored.removed = true;
                stored.erased += mine.messages;
                stored.messages -= mine.messages;
                if mine.made {
                    stored.threads -= 1;
                }
            }
            *known = Known { blocked: true, ..Known::default() };
            stored.erased += 1;
            return Ok(());
        }
        known.checked = true;
        let thread_id = match known.id {
            Some(id) => id,
            None => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO chat_threads (client_id, channel, remote_id, title, source, participants, people)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )?
                    .execute(rusqlite::params![
                        self.client_id,
                        thread.channel.as_str(),
                        known.stored_as,
                        thread.title,
                        thread.source,
                        serde_json::to_string(&known.participants).expect("participants serialise"),
                        known.people
                    ])?;
                stored.threads += 1;
                let id = self.conn.last_insert_rowid();
                // The store may give a deleted thread's id again: what was stored in that one is
                // not this import's any more.
                self.cache.mine.remove(&id);
                self.cache.by_id.insert(id, key.to_string());
                index_people(self.conn, id, &known.people)?;
                *known = Known {
                    id: Some(id),
                    stored_as: std::mem::take(&mut known.stored_as),
                    checked: true,
                    mine: Mine { messages: 0, made: true },
                    participants: std::mem::take(&mut known.participants),
                    people: std::mem::take(&mut known.people),
                    ..Known::default()
                };
                id
            }
        };
        if let Some(slot) = message.media_slot {
            if holds_media(self.conn, thread_id, message, slot)? {
                stored.already_held += 1;
                return Ok(());
            }
        }
        let inserted = self.insert_message.execute(rusqlite::params![
            thread_id,
            message.remote_id,
            message.sent_at,
            message.author,
            message.from_business,
            message.kind,
            message.body,
            message.damaged
        ])? == 1;
        if !inserted {
            stored.already_held += 1;
            return Ok(());
        }
        if !message.body.is_empty() {
            self.insert_words.execute(rusqlite::params![self.conn.last_insert_rowid(), message.body])?;
        }
        stored.messages += 1;
        known.mine.messages += 1;
        if !message.from_business {
            if let Some(opted_in) = crate::consent::signals::keyword(&message.body) {
                // Rare (a message that is only a keyword): the copy frees the writer to record.
                let (participants, stored_as) = (known.participants.clone(), known.stored_as.clone());
                if self.record_consent(hasher, thread, &stored_as, &participants, message, opted_in)? {
                    stored.consent += 1;
                }
            }
        }
        Ok(())
    }

    /// Records a person's "STOP" or "START" in the consent register, with the message as its
    /// proof; returns whether it was new. A message whose author is not the person the thread
    /// names (the business, someone else in a group, an author the source does not name) records
    /// nothing.
    fn record_consent(
        &self,
        hasher: &Hasher,
        thread: &NewThread,
        stored_as: &str,
        participants: &[Participant],
        message: &NewMessage,
        opted_in: bool,
    ) -> rusqlite::Result<bool> {
        use crate::consent::{ConsentChannel, ConsentSource, NewEntry};
        let channel = match thread.channel {
            Channel::Whatsapp => ConsentChannel::WhatsappMarketing,
            Channel::Messenger => ConsentChannel::MessengerMarketing,
            // No marketing channel of the register is Instagram's.
            Channel::Instagram => return Ok(false),
        };
        let Some(said_by) = message.author.as_deref() else { return Ok(false) };
        let by_author = |p: &&Participant| p.name.as_deref() == Some(said_by) || p.id == said_by || p.key() == said_by;
        // An export names the one person it is with by its file's name, which is the thread's
        // title; anyone else writing in it (the business, another in a group) is not them.
        let author = participants.iter().find(by_author).or(match participants {
            [only] if thread.title == said_by => Some(only),
            _ => None,
        });
        let Some(author) = author else { return Ok(false) };
        let identifiers = author.hashed(hasher);
        if identifiers.is_empty() {
            return Ok(false);
        }
        let word = message.body.trim();
        let entry = NewEntry {
            client_id: Some(self.client_id),
            channel,
            opted_in,
            said_at: message.sent_at,
            recorded_at: self.at,
            source: ConsentSource::Message,
            proof: format!(
                "{} message \"{word}\" from {} in \"{}\" ({})",
                match thread.channel {
                    Channel::Whatsapp => "WhatsApp",
                    _ => "Messenger",
                },
                author.key(),
                thread.title,
                thread.source
            ),
            identifiers,
            request_id: None,
            origin: Some(format!(
                "message:{}:{}:{}:{}",
                self.client_id,
                thread.channel.as_str(),
                stored_as,
                message.remote_id
            )),
        };
        Ok(crate::consent::record(self.conn, &entry)?.is_some())
    }

    /// The thread as stored under its remote id or one it is also known as, or as it would be
    /// stored.
    fn known(&self, hasher: &Hasher, thread: &NewThread) -> rusqlite::Result<Known> {
        // Each finding gives a thread's id, the name it is held under, its participants and people.
        let known = |r: &rusqlite::Row<'_>| {
            Ok(Known {
                id: Some(r.get(0)?),
                stored_as: r.get(1)?,
                participants: serde_json::from_str(&r.get::<_, String>(2)?).unwrap_or_default(),
                people: r.get(3)?,
                ..Known::default()
            })
        };
        let mut find = self.conn.prepare_cached(
            "SELECT id, remote_id, participants, people FROM chat_threads
             WHERE client_id = ?1 AND channel = ?2 AND remote_id = ?3",
        )?;
        for name in std::iter::once(&thread.remote_id).chain(&thread.also_known_as) {
            let found =
                find.query_row(rusqlite::params![self.client_id, thread.channel.as_str(), name], known).optional()?;
            if let Some(found) = found {
                return Ok(found);
            }
        }
        if let Some(among) = &thread.person_among {
            let mut by_person = self.conn.prepare_cached(
                "SELECT t.id, t.remote_id, t.participants, t.people FROM chat_people AS p
                 JOIN chat_threads AS t ON t.id = p.thread_id
                 WHERE p.hash = ?1 AND t.client_id = ?2 AND t.channel = ?3 AND substr(t.remote_id, 1, length(?4)) = ?4
                 ORDER BY t.id LIMIT 1",
            )?;
            for hash in thread.participants.iter().flat_map(|p| p.hashes(hasher)) {
                let params = rusqlite::params![hash.as_slice(), self.client_id, thread.channel.as_str(), among];
                if let Some(found) = by_person.query_row(params, known).optional()? {
                    return Ok(found);
                }
            }
        }
        Ok(Known { stored_as: thread.remote_id.clone(), ..Known::default() })
    }

    /// Writes each stored thread's people where they changed; call before the transaction
    /// commits.
    pub fn flush(&mut self) -> rusqlite::Result<()> {
        for known in self.cache.threads.values_mut().flat_map(FxHashMap::values_mut) {
            let Some(id) = known.id else { continue };
            if known.people_changed {
                index_people(self.conn, id, &known.people)?;
                self.conn
                    .prepare_cached("UPDATE chat_threads SET participants = ?2, people = ?3 WHERE id = ?1")?
                    .execute(rusqlite::params![
                        id,
                        serde_json::to_string(&known.participants).expect("participants serialise"),
                        known.people
                    ])?;
            }
            known.people_changed = false;
        }
        Ok(())
    }
}

/// Whether the thread holds `slot` or more media of the message's author at its time, written
/// either way an export writes them (a placeholder stored as text by an older reading too).
fn holds_media(conn: &rusqlite::Connection, thread_id: i64, message: &NewMessage, slot: u32) -> rusqlite::Result<bool> {
    let mut at_that_time = conn.prepare_cached(
        "SELECT kind, body FROM chat_messages WHERE thread_id = ?1 AND sent_at = ?2 AND author IS ?3",
    )?;
    let mut rows = at_that_time.query(rusqlite::params![thread_id, message.sent_at, message.author])?;
    let mut media = 0u32;
    while let Some(row) = rows.next()? {
        let (kind, body): (String, String) = (row.get(0)?, row.get(1)?);
        if kind == "media" || super::whatsapp_export::is_media(&body) {
            media += 1;
        }
    }
    Ok(media >= slot)
}

/// Lists the thread under each of its people's hashes (those listed already stay as they are).
fn index_people(conn: &rusqlite::Connection, thread_id: i64, people: &[u8]) -> rusqlite::Result<()> {
    let mut insert =
        conn.prepare_cached("INSERT INTO chat_people (hash, thread_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?;
    for hash in people.chunks_exact(HASH_LEN) {
        insert.execute(rusqlite::params![hash, thread_id])?;
    }
    Ok(())
}

fn rfc3339_of(unix: i64) -> String {
    crate::clock::from_unix(unix).map(crate::clock::rfc3339).unwrap_or_default()
}

/// A thread's (alias `t`) first and last message's time, from the messages' key: a thread always
/// holds a message, and one that somehow held none would be the oldest.
macro_rules! first_at {
    () => {
        "coalesce((SELECT min(m.sent_at) FROM chat_messages AS m WHERE m.thread_id = t.id), 0)"
    };
}
macro_rules! last_at {
    () => {
        "coalesce((SELECT max(m.sent_at) FROM chat_messages AS m WHERE m.thread_id = t.id), 0)"
    };
}

const SUMMARY: &str = concat!(
    "SELECT t.id, c.name, t.channel, t.title, t.source, ",
    first_at!(),
    " AS first_at, ",
    last_at!(),
    " AS last_at,
        (SELECT count(*) FROM chat_messages AS m WHERE m.thread_id = t.id),
        coalesce((SELECT substr(m.body, 1, 120) FROM chat_messages AS m WHERE m.thread_id = t.id
                  ORDER BY m.sent_at DESC, m.id DESC LIMIT 1), '')
    FROM chat_threads AS t JOIN clients AS c ON c.id = t.client_id"
);

fn summary_of(r: &sqlx::sqlite::SqliteRow) -> Result<ThreadSummary, sqlx::Error> {
    Ok(ThreadSummary {
        id: r.try_get(0)?,
        client: r.try_get(1)?,
        channel: Channel::from_stored(r.try_get(2)?),
        title: r.try_get(3)?,
        source: r.try_get(4)?,
        first_at: rfc3339_of(r.try_get(5)?),
        last_at: rfc3339_of(r.try_get(6)?),
        messages: r.try_get(7)?,
        last_text: r.try_get(8)?,
    })
}

/// Which part of a list to read: `limit` items from the `offset`th.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub limit: i64,
    pub offset: i64,
}

impl Window {
    /// Every item.
    pub const ALL: Self = Self { limit: -1, offset: 0 };

    pub fn new(limit: u32, offset: u64) -> Self {
        Self { limit: i64::from(limit), offset: i64::try_from(offset).unwrap_or(i64::MAX) }
    }
}

/// The threads of `client_id` (every client's without one), latest first; with `search`, those
/// with a message holding every word of it.
pub async fn list(
    conn: &mut SqliteConnection,
    client_id: Option<&str>,
    search: Option<&str>,
    window: Window,
) -> Result<Vec<ThreadSummary>, sqlx::Error> {
    let matching = search.and_then(crate::leads::query::fts_query);
    if search.is_some_and(|s| !s.trim().is_empty()) && matching.is_none() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{SUMMARY} WHERE (?1 IS NULL OR t.client_id = ?1)
           AND (?2 IS NULL OR t.id IN (SELECT m.thread_id FROM chat_messages AS m
                WHERE m.id IN (SELECT rowid FROM chat_words WHERE chat_words MATCH ?2)))
         ORDER BY last_at DESC, t.id DESC LIMIT ?3 OFFSET ?4"
    );
    let rows = sqlx::query(&sql)
        .bind(client_id)
        .bind(matching)
        .bind(window.limit)
        .bind(window.offset)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(summary_of).collect()
}

/// A thread with its participants and the `window` of its messages, oldest first; `None` when it
/// is not held.
pub async fn show(conn: &mut SqliteConnection, thread_id: i64, window: Window) -> Result<Option<Thread>, sqlx::Error> {
    let Some(row) =
        sqlx::query(&format!("{SUMMARY} WHERE t.id = ?1")).bind(thread_id).fetch_optional(&mut *conn).await?
    else {
        return Ok(None);
    };
    let summary = summary_of(&row)?;
    let participants: String = sqlx::query_scalar("SELECT participants FROM chat_threads WHERE id = ?1")
        .bind(thread_id)
        .fetch_one(&mut *conn)
        .await?;
    let messages = sqlx::query(
        "SELECT id, sent_at, author, from_business, kind, body, damaged FROM chat_messages
         WHERE thread_id = ?1 ORDER BY sent_at, id LIMIT ?2 OFFSET ?3",
    )
    .bind(thread_id)
    .bind(window.limit)
    .bind(window.offset)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(ShownMessage {
            id: r.try_get(0)?,
            sent_at: rfc3339_of(r.try_get(1)?),
            author: r.try_get(2)?,
            from_business: r.try_get(3)?,
            kind: r.try_get(4)?,
            body: r.try_get(5)?,
            damaged: r.try_get(6)?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    Ok(Some(Thread { summary, participants: serde_json::from_str(&participants).unwrap_or_default(), messages }))
}

/// How far apart two UTC offsets can be (-14:00 and +14:00), in seconds.
const WIDEST_SHIFT: i64 = 28 * 3600;

/// How far the messages of `sample` (time, author, words) are held from their own times in the
/// client's WhatsApp thread `remote_id`: the same whole number of quarter hours, not none, for
/// most of them. An export read before at another UTC offset is held so; words said again at
/// other times (an "ok" every day) are outvoted.
pub async fn held_shifted(
    conn: &mut SqliteConnection,
    client_id: &str,
    remote_id: &str,
    sample: &[(i64, Option<String>, String)],
) -> Result<Option<i64>, sqlx::Error> {
    let thread_id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM chat_threads WHERE client_id = ?1 AND channel = ?2 AND remote_id = ?3")
            .bind(client_id)
            .bind(Channel::Whatsapp.as_str())
            .bind(remote_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(thread_id) = thread_id else { return Ok(None) };
    let mut shifts: HashMap<i64, usize> = HashMap::new();
    for (at, author, body) in sample {
        let held: Vec<i64> = sqlx::query_scalar(
            "SELECT sent_at FROM chat_messages
             WHERE thread_id = ?1 AND sent_at BETWEEN ?2 AND ?3 AND author IS ?4 AND body = ?5",
        )
        .bind(thread_id)
        .bind(at - WIDEST_SHIFT)
        .bind(at + WIDEST_SHIFT)
        .bind(author)
        .bind(body)
        .fetch_all(&mut *conn)
        .await?;
        let mut seen_here: Vec<i64> = held.iter().map(|h| h - at).filter(|shift| shift % 900 == 0).collect();
        seen_here.sort_unstable();
        seen_here.dedup();
        for shift in seen_here {
            *shifts.entry(shift).or_default() += 1;
        }
    }
    let most = shifts.into_iter().max_by_key(|(shift, n)| (*n, std::cmp::Reverse(shift.abs())));
    Ok(most.filter(|(shift, n)| *shift != 0 && 2 * n > sample.len()).map(|(shift, _)| shift))
}

/// The time of the last message held in a client's thread, for a sync to read on from.
pub async fn last_at(
    conn: &mut SqliteConnection,
    client_id: &str,
    channel: Channel,
    remote_id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(concat!(
        "SELECT ",
        last_at!(),
        " FROM chat_threads AS t WHERE t.client_id = ?1 AND t.channel = ?2 AND t.remote_id = ?3"
    ))
    .bind(client_id)
    .bind(channel.as_str())
    .bind(remote_id)
    .fetch_optional(conn)
    .await
}

/// How far a Page's conversations on `channel` were read, in seconds.
pub async fn sync_mark(
    conn: &mut SqliteConnection,
    page_id: &str,
    channel: Channel,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT watermark FROM chat_sync_marks WHERE page_id = ?1 AND platform = ?2")
        .bind(page_id)
        .bind(channel.as_str())
        .fetch_optional(conn)
        .await
}

/// Moves a Page's mark on `channel` to `watermark` (never back).
pub async fn advance_sync_mark(
    conn: &mut SqliteConnection,
    page_id: &str,
    channel: Channel,
    watermark: i64,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO chat_sync_marks (page_id, platform, watermark, synced_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (page_id, platform) DO UPDATE SET watermark = max(watermark, excluded.watermark),
             synced_at = excluded.synced_at",
    )
    .bind(page_id)
    .bind(channel.as_str())
    .bind(watermark)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Rewrites the search index, leaving out the words of every message removed: the end of every
/// removal that must leave no trace.
pub async fn drop_forgotten(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO chat_words (chat_words) VALUES ('optimize')").execute(conn).await?;
    Ok(())
}

/// Whether a thread (alias `t`) is on hold as of today (?9): its client is held, or a person in it.
macro_rules! thread_held {
    () => {
        $crate::record_held!("t.client_id", "t.people")
    };
}

const AGES: &str =
    concat!("SELECT ", last_at!(), " AS t, ", thread_held!(), " AS held FROM chat_threads AS t WHERE t.client_id = ?1");

/// A client's (?1) threads whose last message is from before ?2.
const DUE: &str = concat!("t.client_id = ?1 AND ", last_at!(), " < ?2");

pub struct Conversations;

pub const CONVERSATIONS: Conversations = Conversations;

#[async_trait]
impl Holder for Conversations {
    fn kind(&self) -> DataKind {
        DataKind::Conversations
    }

    fn label(&self) -> &'static str {
        "conversations"
    }

    fn scope(&self) -> Scope {
        Scope::Client
    }

    fn identified_by(&self) -> &'static [IdKind] {
        &[IdKind::Psid, IdKind::WaId, IdKind::Phone, IdKind::PhoneDigits]
    }

    fn beyond_reach(&self) -> Option<&'static str> {
        Some(
            "Conversations: Meta keeps its own copy of Messenger and Instagram messages, and WhatsApp messages stay \
             on the phones of those who took part; no API lets the agency delete those. The person can ask Meta \
             through its form for data rights requests, https://www.facebook.com/help/contact/507739850846588, or \
             its Privacy Center, https://www.facebook.com/privacy/center.",
        )
    }

    fn not_corrected(&self) -> Option<&'static str> {
        Some(
            "Conversations are not corrected: a message is a record of what was said, and is kept as it was said \
             or erased.",
        )
    }

    fn ages(&self) -> Option<&'static str> {
        Some(AGES)
    }

    /// A client's threads with a message in the window. A group's people are other people, and a
    /// thread keeps its people's hashes without saying whose each is, so none are joined within a
    /// thread: one person's several ids there may count twice, so that the count errs high, never
    /// low, and erasing one member never takes the others off a breach's list.
    fn exposed(&self) -> Option<&'static str> {
        Some(
            "SELECT t.id AS record, p.hash AS person, p.hash FROM chat_threads AS t LEFT JOIN chat_people AS p ON p.thread_id = t.id
             WHERE t.client_id = ?1 AND EXISTS (SELECT 1 FROM chat_messages AS m
                 WHERE m.thread_id = t.id AND m.sent_at >= ?2 AND m.sent_at < ?3)",
        )
    }

    fn people_of_client(&self) -> Option<&'static str> {
        Some("SELECT p.hash FROM chat_people AS p JOIN chat_threads AS t ON t.id = p.thread_id WHERE t.client_id = ?1")
    }

    async fn count(&self, conn: &mut SqliteConnection, client_id: Option<&str>) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM chat_threads WHERE ?1 IS NULL OR client_id = ?1")
            .bind(client_id)
            .fetch_one(conn)
            .await?)
    }

    async fn find(
        &self,
        conn: &mut SqliteConnection,
        hasher: &Hasher,
        hashes: &[IdentityHash],
    ) -> Result<Vec<HeldRecord>, StoreError> {
        let hashes_searched = hashes;
        let hashes: Vec<String> = hashes.iter().map(hex::encode).collect();
        let ids: Vec<i64> = sqlx::query_scalar(concat!(
            "SELECT t.id FROM chat_threads AS t WHERE t.id IN (SELECT p.thread_id FROM chat_people AS p
                 WHERE p.hash IN (SELECT unhex(j.value) FROM json_each(?1) AS j WHERE length(j.value) = 32))
             ORDER BY ",
            first_at!(),
            ", t.id"
        ))
        .bind(serde_json::to_string(&hashes).expect("hashes serialise"))
        .fetch_all(&mut *conn)
        .await?;
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(thread) = show(conn, id, Window::ALL).await? else { continue };
            found.push(record_of(hasher, thread, hashes_searched));
        }
        Ok(found)
    }

    /// Deletes the threads whole: each is the person's conversation with the business. Meta keeps
    /// its own copy of Messenger and Instagram messages, which no API deletes; the receipt says so.
    async fn erase(
        &self,
        conn: &mut SqliteConnection,
        records: &[HeldRecord],
        _erasing: &Erasing<'_>,
    ) -> Result<i64, StoreError> {
        let ids: Vec<i64> = records.iter().filter_map(|r| r.id.parse().ok()).collect();
        let deleted = sqlx::query("DELETE FROM chat_threads WHERE id IN (SELECT value FROM json_each(?1))")
            .bind(serde_json::to_string(&ids).expect("ids serialise"))
            .execute(&mut *conn)
            .await?
            .rows_affected();
        if deleted > 0 {
            drop_forgotten(conn).await?;
        }
        Ok(deleted as i64)
    }

    async fn purge(&self, conn: &mut SqliteConnection, due: &Due<'_>, delete: bool) -> Result<Removed, StoreError> {
        let count = due_records(conn, "chat_threads AS t", DUE, thread_held!(), due, delete).await?;
        if delete && count > 0 {
            drop_forgotten(conn).await?;
        }
        Ok(Removed { count, anchor: None })
    }

    async fn remove_client(&self, conn: &mut SqliteConnection, client_id: &str) -> Result<(), StoreError> {
        let removed = sqlx::query("DELETE FROM chat_threads WHERE client_id = ?1")
            .bind(client_id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        if removed > 0 {
            drop_forgotten(conn).await?;
        }
        Ok(())
    }
}

/// A thread as a request finds it: its participants, then each message as a field, in order.
/// Only the participants `searched` found offer their other identifiers to the search: the others
/// in a group are other people, whom a request about this one must not reach.
fn record_of(hasher: &Hasher, thread: Thread, searched: &[IdentityHash]) -> HeldRecord {
    let s = &thread.summary;
    let mut fields = vec![
        ("channel".to_owned(), s.channel.as_str().to_owned()),
        ("with".to_owned(), s.title.clone()),
        ("messages".to_owned(), s.messages.to_string()),
        ("last message".to_owned(), s.last_at.clone()),
    ];
    let mut identifiers = Vec::new();
    // A WhatsApp id and a business-scoped user id in one thread are one person's (a webhook
    // thread is one person's, an export names one person by WhatsApp id): found by either, both
    // are theirs, so that an erasure suppresses the one an archive may name them by alone.
    let whatsapp = |p: &Participant| matches!(p.kind, ParticipantId::WaId | ParticipantId::UserId);
    let found_on_whatsapp = thread
        .participants
        .iter()
        .filter(|p| whatsapp(p))
        .any(|p| p.hashed(hasher).iter().any(|(_, h)| searched.contains(h)));
    for p in &thread.participants {
        let label = match p.kind {
            ParticipantId::Psid => "participant (scoped id)",
            ParticipantId::WaId => "participant (WhatsApp id)",
            ParticipantId::UserId => "participant (WhatsApp user id)",
            ParticipantId::Phone => "participant (phone)",
        };
        let named = match &p.name {
            Some(name) => format!("{} ({name})", p.id),
            None => p.id.clone(),
        };
        fields.push((label.to_owned(), named));
        let hashed = p.hashed(hasher);
        if (found_on_whatsapp && whatsapp(p)) || hashed.iter().any(|(_, h)| searched.contains(h)) {
            identifiers.extend(hashed);
        }
    }
    for m in &thread.messages {
        let who = match (&m.author, m.from_business) {
            (_, true) => "business".to_owned(),
            (Some(author), false) => author.clone(),
            (None, false) => "WhatsApp".to_owned(),
        };
        let body =
            if m.kind == "text" || m.kind == "system" { m.body.clone() } else { format!("[{}] {}", m.kind, m.body) };
        fields.push((format!("message {} {who}", m.sent_at), body));
    }
    HeldRecord {
        id: s.id.to_string(),
        client: Some(s.client.clone()),
        source: s.source.clone(),
        created: Some(s.first_at.clone()),
        fields,
        fetched_at: None,
        identifiers,
    }
}
