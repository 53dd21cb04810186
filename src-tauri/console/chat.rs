//! Conversations: importing WhatsApp's exports and webhook archives, listing and reading threads.

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender};

use serde::Serialize;
use ts_rs::TS;

use super::{Console, Error};
use crate::chat::file::{ChatFile, Kind};
use crate::chat::import::{self, ExportContext, Read};
use crate::chat::threads::{
    self, Channel, NewMessage, NewThread, Participant, ParticipantId, Stored, Thread, ThreadCache, ThreadSummary,
    Window, Writer,
};
use crate::chat::whatsapp_export::DateOrder;
use crate::identity::IdentityHash;
use crate::leads::import::Rejection;
use crate::meta::conversations::{self, Conversation, Platform};
use crate::meta::pages::{self, PageRow, PAGE_TOKEN_PURPOSE};
use crate::meta::{app, Graph};
use crate::vault::{Sensitive, Vault};

/// Messages stored per call on the store's handle.
const CHUNK: usize = 2_000;
/// How long chunks share a transaction: what a crash can lose at most (the import is repeatable),
/// and how long an erasure may wait for the import to let it write. Five seconds measured no
/// faster at a million messages.
const COMMIT_AFTER: std::time::Duration = std::time::Duration::from_secs(2);
/// Page cache of an import's connection: messages come to threads in any order, so the message
/// key's pages are written all over between two commits, and with less they spill and are read
/// back mid-transaction. 32 MiB took a fifth longer at a million messages.
const IMPORT_CACHE_MIB: i64 = 64;
/// Bad lines kept with their reasons; beyond this they are only counted.
const LISTED: usize = 1_000;

/// What the file was.
#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChatFileKind {
    WhatsappExport,
    WebhookArchive,
}

/// What syncing one Page's conversations on one platform did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ChatSynced {
    pub page_id: String,
    pub page: String,
    pub channel: Channel,
    pub client: Option<String>,
    /// Threads updated since the last sync, read now.
    #[ts(type = "number")]
    pub threads_read: u64,
    /// Threads and messages new to Custodian.
    #[ts(type = "number")]
    pub threads: u64,
    #[ts(type = "number")]
    pub messages: u64,
    #[ts(type = "number")]
    pub already_held: u64,
    /// Messages not stored because a person in their thread was erased.
    #[ts(type = "number")]
    pub erased: u64,
    /// Opt-ins and opt-outs read from the new messages into the consent register.
    #[ts(type = "number")]
    pub consent: u64,
    /// Items Meta listed that could not be read (no id or time).
    #[ts(type = "number")]
    pub unreadable: u64,
    /// Why it did not read to the end; the next sync reads again from where this one was sure.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ChatSyncReport {
    pub pages: Vec<ChatSynced>,
    pub cancelled: bool,
}

impl ChatSyncReport {
    pub fn failed(&self) -> bool {
        self.pages.iter().any(|p| p.problem.is_some())
    }
}

/// Whom a WhatsApp export is with, where its file does not say it by number.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize, TS)]
#[serde(default)]
pub struct ChatWith {
    pub phone: Option<String>,
    pub wa_id: Option<String>,
    pub name: Option<String>,
    /// The name the business's own messages are written under in the export.
    pub business_name: Option<String>,
    /// The exporting phone's offset from UTC, in minutes: an export's times are local.
    pub utc_offset_minutes: i32,
    /// The order the phone writes dates in, where the export's dates do not say it.
    pub date_order: Option<DateOrder>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ChatImport {
    pub client: String,
    pub file_name: String,
    pub kind: ChatFileKind,
    /// Threads new to Custodian.
    #[ts(type = "number")]
    pub threads: u64,
    /// Messages new to Custodian.
    #[ts(type = "number")]
    pub messages: u64,
    /// Messages already held (an import of the same file, or of a later export of the same chat).
    #[ts(type = "number")]
    pub already_held: u64,
    /// Messages not stored because a person in their thread was erased.
    #[ts(type = "number")]
    pub erased: u64,
    /// Opt-ins and opt-outs read from the new messages ("STOP", "START") into the consent register.
    #[ts(type = "number")]
    pub consent: u64,
    #[ts(type = "number")]
    pub rejected: u64,
    /// The first bad lines, with why.
    pub rejections: Vec<Rejection>,
    /// Why reading stopped before the end of the file; what was read before is stored.
    pub stopped: Option<String>,
    pub cancelled: bool,
}

impl Console {
    /// Imports a WhatsApp export (text or the apps' ZIP) or an archive of webhook payloads into
    /// `client`'s conversations, told apart by what the file holds. Importing again adds nothing;
    /// nothing is stored of an erased person.
    pub async fn chat_import(
        &self,
        client: &str,
        file: &Path,
        with: &ChatWith,
        cancel: &AtomicBool,
    ) -> Result<ChatImport, Error> {
        let client = self.client(client).await?;
        let context = export_context(with, client.country.as_deref())?;
        let chat_file = ChatFile::open(file, with.date_order)?;
        let kind = match chat_file.kind {
            Kind::Export(_) => ChatFileKind::WhatsappExport,
            Kind::WebhookArchive => ChatFileKind::WebhookArchive,
        };
        let mut report = ChatImport {
            client: client.name.clone(),
            file_name: chat_file.name().to_owned(),
            kind,
            threads: 0,
            messages: 0,
            already_held: 0,
            erased: 0,
            consent: 0,
            rejected: 0,
            rejections: Vec::new(),
            stopped: None,
            cancelled: false,
        };
        // A file that cannot be read is refused here, with why, before anything is stored; so is
        // an export held already at other times, read before at another UTC offset.
        if let Kind::Export(_) = chat_file.kind {
            self.refuse_another_offset(&client.id, &chat_file, &context, with.utc_offset_minutes).await?;
        }
        import::read(&chat_file, &context).map(drop)?;
        let (chunks, spent, reader) = read_in_chunks(chat_file, context);
        let mut bulk = self.store.bulk_with_cache(IMPORT_CACHE_MIB).await?;
        // Storing ends by dropping the receiver, which stops a reader still going (a cancel, a
        // failure).
        let stored = self.store_items(&mut bulk, &client.id, (chunks, spent), &mut report, cancel).await;
        let _ = waiting(|| reader.join());
        let finished = bulk.finish().await;
        report.cancelled = cancel.load(Ordering::Relaxed);
        let outcome = stored.and(finished.map_err(Error::from)).map(|()| report.clone());
        let tx = self.store.write().await?;
        let object = format!(
            "client {}: {} messages in {} new threads from {} ({} already held, {} of erased people, {} bad lines, \
             {} consent answers){}",
            client.name,
            report.messages,
            report.threads,
            crate::audit::file_ref(&report.file_name),
            report.already_held,
            report.erased,
            report.rejected,
            report.consent,
            if report.cancelled { ", cancelled" } else { "" }
        );
        self.settle(tx, "chat.import", &object, outcome).await
    }

    async fn store_items(
        &self,
        bulk: &mut crate::store::Bulk,
        client_id: &str,
        (chunks, spent): (Receiver<Vec<Read>>, Sender<Spent>),
        report: &mut ChatImport,
        cancel: &AtomicBool,
    ) -> Result<(), Error> {
        let mut tx = bulk.write().await?;
        let mut since = std::time::Instant::now();
        let mut erased: (Option<i64>, HashSet<IdentityHash>) = (None, HashSet::new());
        let mut stored = Stored::default();
        let mut cache = ThreadCache::default();
        let at = self.stamp();
        let mut done = false;
        while !done && !cancel.load(Ordering::Relaxed) {
            // The reader has parsed the next chunk meanwhile, on the other core.
            let Ok(read) = waiting(|| chunks.recv()) else { break };
            if read.is_empty() {
                break;
            }
            let mut chunk = Vec::with_capacity(read.len());
            for item in read {
                match item {
                    Read::Message(thread, message) => chunk.push((thread, message)),
                    Read::Bad { line, reason } => {
                        report.rejected += 1;
                        if report.rejections.len() < LISTED {
                            report.rejections.push(Rejection { line, reason });
                        }
                    }
                    Read::Failed(e) => {
                        report.stopped = Some(e.to_string());
                        done = true;
                        break;
                    }
                }
            }
            if chunk.is_empty() {
                continue;
            }
            let committing = done || since.elapsed() >= COMMIT_AFTER;
            let hasher = &self.hasher;
            let (erased, stored, cache) = (&mut erased, &mut stored, &mut cache);
            crate::store::direct(&mut tx, |c| -> rusqlite::Result<()> {
                // Who was erased, and the threads, as they stand in this transaction: after an
                // erasure that committed since the last chunk, nothing of its person is stored.
                let version = crate::store::data_version(c)?;
                if erased.0 != Some(version) {
                    *erased = (Some(version), crate::requests::erasure::suppressed_now(c)?);
                    cache.clear();
                }
                let mut writer = Writer::new(c, client_id, &at, cache)?;
                for (thread, message) in &chunk {
                    writer.store(hasher, &erased.1, thread, message, stored)?;
                }
                if committing {
                    writer.flush()?;
                }
                Ok(())
            })
            .await??;
            let _ = spent.send(chunk);
            // A thread deleted on the way leaves no words behind in what commits.
            if std::mem::take(&mut stored.removed) {
                threads::drop_forgotten(&mut tx).await?;
            }
            if committing {
                tx.commit().await?;
                tx = bulk.write().await?;
                since = std::time::Instant::now();
            }
        }
        // What the last chunks changed of their threads, when they did not commit themselves (a
        // cancel, a file that stopped).
        crate::store::direct(&mut tx, |c| Writer::new(c, client_id, &at, &mut cache)?.flush()).await??;
        tx.commit().await?;
        report.threads = stored.threads;
        report.messages = stored.messages;
        report.already_held = stored.already_held;
        report.erased = stored.erased;
        report.consent = stored.consent;
        Ok(())
    }

    /// Reads the Messenger and Instagram conversations of every Page assigned to a client (of
    /// `client` only, when given) updated since the last sync, and each such thread's messages
    /// since its last one held. A Page's mark moves only once every thread updated since it was
    /// stored, so an interrupted sync is simply run again: messages are recognised by their ids.
    pub async fn chat_sync(&self, client: Option<&str>, cancel: &AtomicBool) -> Result<ChatSyncReport, Error> {
        let only_client = self.client_if(client).await?;
        let pages: Vec<PageRow> = pages::pages(self.store.pool())
            .await?
            .into_iter()
            .filter(|p| p.client.is_some())
            .filter(|p| only_client.as_ref().is_none_or(|c| p.client.as_deref() == Some(c.name.as_str())))
            .collect();
        let _syncing = super::lock::take(&self.dir, "syncing conversations from Meta")?;
        let mut report = ChatSyncReport { pages: Vec::new(), cancelled: false };
        if pages.is_empty() {
            return Ok(report);
        }
        let settings = app::get(self.store.pool()).await?;
        let graph = self.graph(&settings).await?;
        for page in &pages {
            let token = Vault::new(&self.workspace_id).get(PAGE_TOKEN_PURPOSE, &page.id).await?;
            for platform in [Platform::Messenger, Platform::Instagram] {
                if cancel.load(Ordering::Relaxed) {
                    report.cancelled = true;
                    return Ok(report);
                }
                let channel = match platform {
                    Platform::Messenger => Channel::Messenger,
                    Platform::Instagram => Channel::Instagram,
                };
                let mut done = ChatSynced {
                    page_id: page.id.clone(),
                    page: page.name.clone(),
                    channel,
                    client: page.client.clone(),
                    threads_read: 0,
                    threads: 0,
                    messages: 0,
                    already_held: 0,
                    erased: 0,
                    consent: 0,
                    unreadable: 0,
                    problem: None,
                };
                match &token {
                    Some(token) => {
                        if !self.sync_platform(&graph, page, platform, token, &mut done, cancel).await? {
                            continue;
                        }
                    }
                    None => done.problem = Some("its Page's token is not in the keychain; refresh the Pages".into()),
                }
                let tx = self.store.write().await?;
                let object = format!(
                    "Meta Page {} ({}) {}: {} threads read, {} messages in {} new threads{}",
                    page.name,
                    page.id,
                    channel.as_str(),
                    done.threads_read,
                    done.messages,
                    done.threads,
                    done.problem.as_deref().map(|p| format!("; stopped: {p}")).unwrap_or_default()
                );
                self.settle(tx, "chat.sync", &object, Ok(())).await?;
                report.pages.push(done);
            }
        }
        report.cancelled |= cancel.load(Ordering::Relaxed);
        Ok(report)
    }

    /// Reads one platform's conversations of a Page into `done`; false when the Page has none
    /// on it (no Instagram account).
    async fn sync_platform(
        &self,
        graph: &Graph,
        page: &PageRow,
        platform: Platform,
        token: &Sensitive<String>,
        done: &mut ChatSynced,
        cancel: &AtomicBool,
    ) -> Result<bool, Error> {
        let client = self.client(page.client.as_deref().expect("only Pages with a client")).await?;
        let channel = done.channel;
        // In Instagram conversations the business is the Page's Instagram account, not the Page;
        // a Page with none has no Instagram conversations, and nothing to report of them.
        let instagram = match platform {
            Platform::Messenger => None,
            Platform::Instagram => match conversations::instagram_account(graph, &page.id, token).await {
                Ok(Some(account)) => Some(account),
                Ok(None) => return Ok(false),
                Err(e) => {
                    done.problem = Some(e.to_string());
                    return Ok(true);
                }
            },
        };
        let since = {
            let mut conn = self.store.pool().acquire().await?;
            threads::sync_mark(&mut conn, &page.id, channel).await?
        };
        let mut updated: Vec<Conversation> = Vec::new();
        let mut unreadable = 0u64;
        let listed = conversations::updated_since(graph, &page.id, platform, since, token, |listed| {
            unreadable += u64::from(listed.unreadable);
            updated.extend(listed.items);
            !cancel.load(Ordering::Relaxed)
        })
        .await;
        done.unreadable += unreadable;
        if let Err(e) = listed {
            done.problem = Some(e.to_string());
            return Ok(true);
        }
        done.threads_read = updated.len() as u64;
        let newest = updated.iter().map(|c| c.updated).max();
        let business = |p: &conversations::Participant| {
            p.id == page.id
                || p.name.as_deref() == Some(page.name.as_str())
                || instagram.as_ref().is_some_and(|a| a.id == p.id || (a.name.is_some() && a.name == p.name))
        };
        let mut stored = Stored::default();
        let at = self.stamp();
        // Oldest first: should the sync stop, what it stored is the older part, and the mark has
        // not moved past any of it.
        for conversation in updated.iter().rev() {
            if cancel.load(Ordering::Relaxed) {
                break;
            }
            let people: Vec<&conversations::Participant> =
                conversation.participants.iter().filter(|p| !business(p)).collect();
            let thread = NewThread {
                channel,
                remote_id: conversation.id.clone(),
                title: people
                    .iter()
                    .map(|p| p.name.clone().unwrap_or_else(|| p.id.clone()))
                    .collect::<Vec<_>>()
                    .join(", "),
                source: format!("{} of Page {}", channel.as_str(), page.name),
                participants: people
                    .iter()
                    .map(|p| Participant { kind: ParticipantId::Psid, id: p.id.clone(), name: p.name.clone() })
                    .collect(),
                also_known_as: Vec::new(),
                person_among: None,
            };
            let held_since = {
                let mut conn = self.store.pool().acquire().await?;
                threads::last_at(&mut conn, &client.id, channel, &conversation.id).await?
            };
            let mut messages: Vec<conversations::Message> = Vec::new();
            let mut unreadable = 0u64;
            let read = conversations::messages_since(graph, &conversation.id, held_since, token, |listed| {
                unreadable += u64::from(listed.unreadable);
                messages.extend(listed.items);
                true
            })
            .await;
            done.unreadable += unreadable;
            if let Err(e) = read {
                done.problem = Some(e.to_string());
                break;
            }
            let new: Vec<NewMessage> = messages
                .into_iter()
                .rev()
                .map(|m| NewMessage {
                    remote_id: m.id,
                    sent_at: m.created,
                    from_business: business(&m.from),
                    author: Some(m.from.name.unwrap_or(m.from.id)),
                    kind: if m.text.is_some() { "text" } else { "attachment" }.into(),
                    body: m.text.unwrap_or_default(),
                    damaged: false,
                    media_slot: None,
                })
                .collect();
            let mut tx = self.store.write().await?;
            let hasher = &self.hasher;
            let stored_now = &mut stored;
            crate::store::direct(&mut tx, |c| -> rusqlite::Result<()> {
                let erased = crate::requests::erasure::suppressed_now(c)?;
                let mut cache = ThreadCache::default();
                let mut writer = Writer::new(c, &client.id, &at, &mut cache)?;
                for message in &new {
                    writer.store(hasher, &erased, &thread, message, stored_now)?;
                }
                writer.flush()
            })
            .await??;
            if std::mem::take(&mut stored.removed) {
                threads::drop_forgotten(&mut tx).await?;
            }
            tx.commit().await?;
        }
        done.threads = stored.threads;
        done.messages = stored.messages;
        done.already_held = stored.already_held;
        done.consent = stored.consent;
        done.erased = stored.erased;
        if done.problem.is_none() && !cancel.load(Ordering::Relaxed) {
            if let Some(newest) = newest {
                let mut tx = self.store.write().await?;
                threads::advance_sync_mark(&mut tx, &page.id, channel, newest, &self.stamp()).await?;
                tx.commit().await?;
            }
        }
        Ok(true)
    }

    /// The threads of `client` (every client's without one), latest first; with `search`, those
    /// with a message holding every word of it.
    pub async fn chat_list(
        &self,
        client: Option<&str>,
        search: Option<&str>,
        window: Window,
    ) -> Result<Vec<ThreadSummary>, Error> {
        let client_id = self.client_if(client).await?.map(|c| c.id);
        let mut conn = self.store.pool().acquire().await?;
        Ok(threads::list(&mut conn, client_id.as_deref(), search, window).await?)
    }

    /// A thread with its participants and the `window` of its messages, oldest first.
    pub async fn chat_show(&self, thread_id: i64, window: Window) -> Result<Thread, Error> {
        let mut conn = self.store.pool().acquire().await?;
        threads::show(&mut conn, thread_id, window).await?.ok_or(Error::NoSuchThread(thread_id))
    }
}

/// Whom an export is with, as its import is told. A number written nationally is placed with the
/// client's country and kept in full, as the person's WhatsApp messages and their leads name it.
/// Runs `work`, which waits on the file's reader thread, where the async runtime allows blocking:
/// in place on a single-threaded runtime (as in tests), which has no other thread to hand its
/// tasks to.
fn waiting<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::current().runtime_flavor() {
        tokio::runtime::RuntimeFlavor::CurrentThread => work(),
        _ => tokio::task::block_in_place(work),
    }
}

/// Messages stored, sent back to the reader to be freed there: where they were allocated, and off
/// the writer, which is the slower of the two.
type Spent = Vec<(std::sync::Arc<NewThread>, NewMessage)>;

/// Reads the file on a thread of its own, in chunks of up to `CHUNK` items, so that parsing
/// the next chunk overlaps storing this one. The file's end is an empty chunk; the reader stops
/// once the receiver is dropped.
fn read_in_chunks(
    file: ChatFile,
    context: ExportContext,
) -> (Receiver<Vec<Read>>, Sender<Spent>, std::thread::JoinHandle<()>) {
    let (send, chunks) = sync_channel::<Vec<Read>>(2);
    let (spent, freed) = channel::<Spent>();
    let reader = std::thread::spawn(move || {
        let mut items = match import::read(&file, &context) {
            Ok(items) => items,
            Err(e) => {
                let _ = send.send(vec![Read::Failed(e)]);
                return;
            }
        };
        loop {
            freed.try_iter().for_each(drop);
            let mut chunk = Vec::with_capacity(CHUNK);
            let mut ended = false;
            // Bad lines count too: a file of nothing else still goes in chunks of a bounded size.
            while chunk.len() < CHUNK {
                match items.next() {
                    None => {
                        ended = true;
                        break;
                    }
                    Some(item) => {
                        let failed = matches!(item, Read::Failed(_));
                        chunk.push(item);
                        if failed {
                            ended = true;
                            break;
                        }
                    }
                }
            }
            if send.send(chunk).is_err() {
                return;
            }
            if ended {
                let _ = send.send(Vec::new());
                return;
            }
        }
    });
    (chunks, spent, reader)
}

/// Messages of an export's start looked for among those held, to tell it was read before at
/// another offset.
const SAMPLED: usize = 40;

impl Console {
    /// Refuses an export whose thread holds its messages, but each the same whole number of
    /// quarter hours away: the same export read before at another UTC offset, which read at this
    /// one would add every message again.
    async fn refuse_another_offset(
        &self,
        client_id: &str,
        file: &ChatFile,
        context: &ExportContext,
        offset_minutes: i32,
    ) -> Result<(), Error> {
        let mut thread = None;
        let mut sample = Vec::with_capacity(SAMPLED);
        // A file of media and notices is not read to its end for its few words.
        for item in import::read(file, context)?.take(100 * SAMPLED) {
            let Read::Message(of, message) = item else { continue };
            if message.kind == "text" && !message.body.trim().is_empty() {
                thread.get_or_insert(of);
                sample.push((message.sent_at, message.author, message.body));
                if sample.len() == SAMPLED {
                    break;
                }
            }
        }
        let Some(thread) = thread else { return Ok(()) };
        let mut conn = self.store.pool().acquire().await?;
        let Some(shift) = threads::held_shifted(&mut conn, client_id, &thread.remote_id, &sample).await? else {
            return Ok(());
        };
        let then = offset_minutes - i32::try_from(shift / 60).unwrap_or(0);
        if then.abs() > 14 * 60 {
            return Ok(());
        }
        Err(Error::Conflict(format!(
            "{} was imported before with its times read at UTC{}; read at UTC{} now, its messages would be held a \
             second time, {} apart. Import it at UTC{} as before, or, if the times held are wrong, erase the \
             conversation first. Nothing was imported.",
            file.name(),
            offset_text(then),
            offset_text(offset_minutes),
            crate::clock::span_text(shift.unsigned_abs() / 60),
            offset_text(then),
        )))
    }
}

/// `+01:00`, `-05:30`.
fn offset_text(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", minutes.unsigned_abs() / 60, minutes.unsigned_abs() % 60)
}

fn export_context(with: &ChatWith, country: Option<&str>) -> Result<ExportContext, Error> {
    if with.utc_offset_minutes.abs() > 14 * 60 {
        return Err(Error::Invalid("A UTC offset is between -14:00 and +14:00.".into()));
    }
    let participant = match (&with.phone, &with.wa_id) {
        (Some(_), Some(_)) => {
            return Err(Error::Invalid(
                "Name whom the chat is with by phone number or by WhatsApp id, not both.".into(),
            ))
        }
        (Some(phone), None) => match crate::identity::stored_phone(phone, country) {
            Some((crate::identity::IdKind::Phone, full)) => {
                // Kept as written when it is in full already: it is how the person gave it.
                let written =
                    matches!(crate::identity::stored_phone(phone, None), Some((crate::identity::IdKind::Phone, _)));
                let id = if written { phone.trim().to_owned() } else { full };
                Some(Participant { kind: ParticipantId::Phone, id, name: with.name.clone() })
            }
            _ => {
                return Err(Error::Invalid(format!(
                    "'{phone}' is not a phone number in full: write it with its country code, such as +44 7911 \
                     123456, or set the client's country."
                )))
            }
        },
        (None, Some(wa_id)) => {
            let digits = wa_id.trim().trim_start_matches('+');
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::Invalid(format!(
                    "'{wa_id}' is not a WhatsApp id: it is the phone number's digits with its country code."
                )));
            }
            Some(Participant { kind: ParticipantId::WaId, id: digits.to_owned(), name: with.name.clone() })
        }
        (None, None) => None,
    };
    Ok(ExportContext {
        utc_offset: with.utc_offset_minutes * 60,
        with: participant,
        business_name: with.business_name.clone().filter(|n| !n.trim().is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_of_nothing_but_bad_lines_is_read_in_chunks_of_a_bounded_size() {
        let dir = std::env::temp_dir().join(format!("custodian-chunks-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("hooks.jsonl");
        let good = r#"{"object":"whatsapp_business_account","entry":[{"id":"W","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"1"},"contacts":[{"profile":{"name":"Ann"},"wa_id":"447911123456"}],"messages":[{"from":"447911123456","id":"wamid.1","timestamp":"1795000000","type":"text","text":{"body":"hi"}}]}}]}]}"#;
        let bad = "not json\n".repeat(3 * CHUNK + 5);
        std::fs::write(&path, format!("{good}\n{bad}")).unwrap();
        let (chunks, _spent, reader) = read_in_chunks(ChatFile::open(&path, None).unwrap(), ExportContext::default());
        let sizes: Vec<usize> = chunks.iter().map(|c| c.len()).collect();
        reader.join().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(sizes.iter().all(|&n| n <= CHUNK), "{sizes:?}");
        assert_eq!(sizes.iter().sum::<usize>(), 3 * CHUNK + 6, "every line is read: {sizes:?}");
    }
}
