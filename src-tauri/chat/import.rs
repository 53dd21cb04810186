//! A file of conversations as threads and messages to store: each message with the thread it
//! belongs to, and each line that could not be read with why.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use super::file::{chat_name, ChatFile, ChatFileError, Flaw, Kind};
use super::threads::{Channel, NewMessage, NewThread, Participant, ParticipantId, ThreadCache};
use super::webhook_archive::{self, Contact, Line};
use super::whatsapp_export::{Item, Layout, Messages};

/// What an import knows of an export that the export does not say.
#[derive(Debug, Clone, Default)]
pub struct ExportContext {
    /// The exporting phone's offset from UTC, in seconds: its times are local, with no zone.
    pub utc_offset: i32,
    /// Whom the chat is with, by phone number or WhatsApp id, where the agency knows it: what a
    /// request by phone then finds the chat by, when the export names them only by name.
    pub with: Option<Participant>,
    /// The name the business's own messages are written under.
    pub business_name: Option<String>,
}

/// One item of a file.
#[derive(Debug)]
pub enum Read {
    Message(Arc<NewThread>, NewMessage),
    Bad {
        line: u64,
        reason: String,
    },
    /// The file could not be read on: what was read before stands.
    Failed(ChatFileError),
}

/// The file's messages, streamed; a file that cannot be read at all is refused with why.
pub fn read<'f>(
    file: &'f ChatFile,
    context: &ExportContext,
) -> Result<Box<dyn Iterator<Item = Read> + Send + 'f>, ChatFileError> {
    match file.kind {
        Kind::WebhookArchive => Ok(Box::new(archive(file)?)),
        Kind::Export(layout) => Ok(Box::new(export(file, layout, context)?)),
    }
}

fn archive(file: &ChatFile) -> Result<impl Iterator<Item = Read> + Send + '_, ChatFileError> {
    // By business number, then by person: looked up by reference, with nothing made per message.
    let mut threads: HashMap<String, HashMap<String, Arc<NewThread>>> = HashMap::new();
    let mut held = 0usize;
    let source = format!("webhook archive {}", file.name());
    let mut line_no = 0u64;
    let lines = file.lines()?;
    Ok(lines.flat_map(move |line| {
        line_no += 1;
        let line = match line {
            Ok(line) => line,
            Err(e) => return vec![Read::Failed(e)],
        };
        if line.flaw == Some(Flaw::Cut) {
            let reason = format!("{}; no webhook payload is that long, and it was passed over", Flaw::Cut.reason());
            return vec![Read::Bad { line: line_no, reason }];
        }
        match webhook_archive::read_line(&line.text) {
            Line::Blank => Vec::new(),
            Line::Bad(reason) => vec![Read::Bad { line: line_no, reason }],
            Line::Read { messages, bad, .. } => {
                let mut items: Vec<Read> = bad.into_iter().map(|reason| Read::Bad { line: line_no, reason }).collect();
                if line.flaw == Some(Flaw::NotUtf8) {
                    let reason = format!("{}; its messages are kept, marked damaged", Flaw::NotUtf8.reason());
                    items.push(Read::Bad { line: line_no, reason });
                }
                for m in messages {
                    let Some(person) = m.from.wa_id.as_deref().or(m.from.user_id.as_deref()) else { continue };
                    // A person may be named by either id, or by both: their thread is found by
                    // whichever this payload gives.
                    let ids = [m.from.wa_id.as_deref(), m.from.user_id.as_deref()];
                    let known =
                        threads.get(&m.business).and_then(|t| ids.iter().flatten().find_map(|id| t.get(*id))).cloned();
                    let thread = match known {
                        // A person's later payloads may name them by an id the first did not
                        // (a business-scoped user id beside the WhatsApp id): the thread keeps
                        // the id it was first named by, and is found by the new one too.
                        Some(thread) if names_more(&thread, &m.from) => {
                            let mut widened = (*thread).clone();
                            widened.participants = whatsapp_participants(&m.from, &thread.participants);
                            widened.also_known_as = also_known_as(&m.business, &widened);
                            let widened = Arc::new(widened);
                            let of_business = threads.entry(m.business.clone()).or_default();
                            for id in ids.into_iter().flatten() {
                                of_business.insert(id.to_owned(), widened.clone());
                            }
                            widened
                        }
                        Some(thread) => thread,
                        None => {
                            // Bounded as the writer's threads are: one made again from a later
                            // message names fewer ids, and the writer adds them to those it holds.
                            if held >= ThreadCache::HELD {
                                threads.clear();
                                held = 0;
                            }
                            held += 1;
                            let thread = Arc::new(whatsapp_thread(&m.business, person, &m.from, &source));
                            let of_business = threads.entry(m.business.clone()).or_default();
                            for id in ids.into_iter().flatten() {
                                of_business.insert(id.to_owned(), thread.clone());
                            }
                            thread
                        }
                    };
                    let author = m.from.name.clone().unwrap_or_else(|| person.to_owned());
                    let message = NewMessage {
                        remote_id: m.id,
                        sent_at: m.at,
                        author: Some(author),
                        from_business: false,
                        kind: m.kind,
                        body: m.text.unwrap_or_default(),
                        damaged: line.flaw.is_some(),
                        media_slot: None,
                    };
                    items.push(Read::Message(thread, message));
                }
                items
            }
        }
    }))
}

/// Whether `from` names the thread's person by an id its participants do not hold yet.
fn names_more(thread: &NewThread, from: &Contact) -> bool {
    let holds = |kind: ParticipantId, id: &Option<String>| {
        id.as_ref().is_none_or(|id| thread.participants.iter().any(|p| p.kind == kind && &p.id == id))
    };
    !holds(ParticipantId::WaId, &from.wa_id) || !holds(ParticipantId::UserId, &from.user_id)
}

/// `known` with the ids `from` names that it does not hold.
fn whatsapp_participants(from: &Contact, known: &[Participant]) -> Vec<Participant> {
    let mut participants = known.to_vec();
    let ids = [(ParticipantId::WaId, &from.wa_id), (ParticipantId::UserId, &from.user_id)];
    for (kind, id) in ids {
        let Some(id) = id else { continue };
        if !participants.iter().any(|p| p.kind == kind && &p.id == id) {
            participants.push(Participant { kind, id: id.clone(), name: from.name.clone() });
        }
    }
    participants
}

fn whatsapp_thread(business: &str, person: &str, from: &Contact, source: &str) -> NewThread {
    let participants = whatsapp_participants(from, &[]);
    let mut thread = NewThread {
        channel: Channel::Whatsapp,
        remote_id: format!("{business}:{person}"),
        title: from.name.clone().unwrap_or_else(|| person.to_owned()),
        source: source.to_owned(),
        participants,
        also_known_as: Vec::new(),
        // Named by their user id alone: an earlier archive may hold them by number and user id.
        person_among: from.wa_id.is_none().then(|| format!("{business}:")),
    };
    thread.also_known_as = also_known_as(business, &thread);
    thread
}

/// The other names a person's thread with `business` may be held under: one for each id of theirs
/// besides the one it is named by, as an earlier archive that knew only that id named it.
fn also_known_as(business: &str, thread: &NewThread) -> Vec<String> {
    thread
        .participants
        .iter()
        .filter(|p| matches!(p.kind, ParticipantId::WaId | ParticipantId::UserId))
        .map(|p| format!("{business}:{}", p.id))
        .filter(|name| *name != thread.remote_id)
        .collect()
}

fn export<'f>(
    file: &'f ChatFile,
    layout: Layout,
    context: &ExportContext,
) -> Result<impl Iterator<Item = Read> + Send + 'f, ChatFileError> {
    let title = match (&context.with, chat_name(file.name())) {
        (_, Some(name)) => name,
        (Some(with), None) => with.name.clone().unwrap_or_else(|| with.id.clone()),
        (None, None) => {
            return Err(ChatFileError::Unreadable(
                file.name().to_owned(),
                "its name does not say whom the chat is with; name them (by phone number or WhatsApp id)".into(),
            ))
        }
    };
    let remote_id = match &context.with {
        Some(with) => format!("export:{}", with.key()),
        None => format!("export:{title}"),
    };
    let mut thread = Arc::new(NewThread {
        channel: Channel::Whatsapp,
        remote_id,
        title,
        source: format!("WhatsApp export {}", file.name()),
        participants: context.with.iter().cloned().collect(),
        also_known_as: Vec::new(),
        person_among: None,
    });
    // What the lines say besides their text, shared with the reading below: a failure that ended
    // them, and the lines that were cut or not UTF-8, each kept until the message holding it is
    // read (and reported with it) or it is reported as in no message.
    #[derive(Default)]
    struct Seen {
        failed: Option<ChatFileError>,
        read: u64,
        damaged: Vec<(u64, Flaw)>,
    }
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let seen_in = seen.clone();
    let lines = file.lines()?.map_while(move |l| {
        let mut seen = seen_in.lock().expect("not poisoned");
        match l {
            Ok(l) => {
                seen.read += 1;
                if let Some(flaw) = l.flaw {
                    let read = seen.read;
                    seen.damaged.push((read, flaw));
                }
                Some(l.text)
            }
            Err(e) => {
                seen.failed = Some(e);
                None
            }
        }
    });
    let mut messages = Messages::new(lines, layout);
    let business = context.business_name.clone();
    let offset = i64::from(context.utc_offset);
    // A message's id is a digest of what it is and how many identical ones came before it at the
    // same time: the same export, or a later one of the same chat, names each message alike. The
    // count is kept a while rather than per run of one second, since local times repeat: the hour
    // a clock goes back in autumn comes twice, and its messages are not those of an hour before.
    let mut repeats = Repeats::default();
    let mut queue: VecDeque<Read> = VecDeque::new();
    let mut done = false;
    Ok(std::iter::from_fn(move || loop {
        if let Some(item) = queue.pop_front() {
            return Some(item);
        }
        if done {
            return None;
        }
        let m = match messages.next() {
            Some(Item::Message(m)) => m,
            Some(Item::Bad { line, why }) => {
                // A line in no message is reported once, for why it is in none.
                let mut seen = seen.lock().expect("not poisoned");
                if let Some(at) = seen.damaged.iter().rposition(|(l, _)| *l == line) {
                    seen.damaged.remove(at);
                }
                return Some(Read::Bad { line, reason: why.reason().into() });
            }
            None => {
                done = true;
                queue.extend(seen.lock().expect("not poisoned").failed.take().map(Read::Failed));
                continue;
            }
        };
        let from_business = m.author.is_some() && m.author == business;
        if let Some(author) = m.author.as_deref().filter(|a| !from_business && looks_like_phone(a)) {
            let known = thread.participants.iter().any(|p| p.kind == ParticipantId::Phone && p.id == author);
            if !known {
                let mut widened = (*thread).clone();
                widened.participants.push(Participant {
                    kind: ParticipantId::Phone,
                    id: author.to_owned(),
                    name: None,
                });
                thread = Arc::new(widened);
            }
        }
        let sent_at = m.at.and_utc().timestamp() - offset;
        let kind = match (&m.author, m.media) {
            (None, _) => "system",
            (Some(_), true) => "media",
            (Some(_), false) => "text",
        };
        // A media message is written one way in an export with the media and another without
        // ("IMG-….jpg (file attached)", "<Media omitted>"): it is named by its author and time, and
        // how many of theirs came at that time, whichever way it is written.
        let words = if m.media { b"\0media".as_slice() } else { &m.text.as_bytes()[m.named_len..] };
        let what = Sha256::new()
            .chain_update(thread.remote_id.as_bytes())
            .chain_update([0])
            .chain_update(sent_at.to_le_bytes())
            .chain_update(m.named.as_deref().unwrap_or("").as_bytes())
            .chain_update([0])
            .chain_update(words)
            .finalize();
        let repeat = repeats.count(what.into(), sent_at);
        let remote_id = format!(
            "x:{}",
            hex::encode(&Sha256::new().chain_update(what).chain_update(repeat.to_le_bytes()).finalize()[..16])
        );
        let damaged = {
            let mut seen = seen.lock().expect("not poisoned");
            // Messages come in the order of their lines: the damaged lines before this one's are
            // no later message's, and a file damaged throughout is not scanned whole each time.
            let mut flawed = false;
            for &(line, flaw) in seen.damaged.iter().filter(|(l, _)| *l <= m.end) {
                flawed = true;
                queue.push_back(Read::Bad {
                    line,
                    reason: format!("{}; its message is kept, marked damaged", flaw.reason()),
                });
            }
            seen.damaged.retain(|(l, _)| *l > m.end);
            m.cut || flawed
        };
        queue.push_back(Read::Message(
            thread.clone(),
            NewMessage {
                remote_id,
                sent_at,
                author: m.author,
                from_business,
                kind: kind.into(),
                body: m.text,
                damaged,
                media_slot: m.media.then_some(repeat),
            },
        ));
    }))
}

/// How many times each message (by its digest, which holds its time) has come so far, forgetting
/// those more than a day older than the latest: no clock goes back further, and a long export's
/// counts stay few.
#[derive(Default)]
struct Repeats {
    seen: HashMap<[u8; 32], (i64, u32)>,
    latest: i64,
    pruned_at: i64,
}

impl Repeats {
    const KEPT: i64 = 86_400;

    fn count(&mut self, what: [u8; 32], at: i64) -> u32 {
        self.latest = self.latest.max(at);
        if self.latest - self.pruned_at > Self::KEPT {
            let oldest = self.latest - Self::KEPT;
            self.seen.retain(|_, (at, _)| *at >= oldest);
            self.pruned_at = self.latest;
        }
        let (_, repeat) = self.seen.entry(what).or_insert((at, 0));
        *repeat += 1;
        *repeat
    }
}

/// A phone number as WhatsApp writes an unsaved contact: `+` and the digits, spaced.
fn looks_like_phone(author: &str) -> bool {
    let Some(rest) = author.trim().strip_prefix('+') else { return false };
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    (7..=15).contains(&digits) && rest.chars().all(|c| c.is_ascii_digit() || " -().\u{a0}\u{202f}\u{2011}".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_archive_line_longer_than_any_payload_is_reported_as_too_long_not_as_not_json() {
        let dir = std::env::temp_dir().join(format!("custodian-import-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("hooks.jsonl");
        let long = format!("{{\"entry\": [], \"pad\": \"{}\"}}", "x".repeat(super::super::file::LONGEST_LINE));
        std::fs::write(&path, format!("{{\"entry\": []}}\n{long}\n{{\"entry\": []}}\n")).unwrap();
        let file = ChatFile::open(&path, None).unwrap();
        let bad: Vec<(u64, String)> = read(&file, &ExportContext::default())
            .unwrap()
            .filter_map(|item| match item {
                Read::Bad { line, reason } => Some((line, reason)),
                _ => None,
            })
            .collect();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert_eq!(bad[0].0, 2);
        assert!(bad[0].1.contains("longer than 1 MiB"), "{}", bad[0].1);
    }

    #[test]
    fn a_line_that_is_not_utf8_marks_its_own_message_damaged_and_is_reported_and_the_one_before_stays_whole() {
        let dir = std::env::temp_dir().join(format!("custodian-import-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("WhatsApp Chat with Ann.txt");
        std::fs::write(
            &path,
            b"01/03/2026, 10:00 - Ann: fine\nstill fine\n01/03/2026, 10:01 - Ann: caf\xE9\n01/03/2026, 10:02 - Ann: also fine\n\
              13/03/2026, 10:03 - Ann: more\nand caf\xE9\n",
        )
        .unwrap();
        let file = ChatFile::open(&path, None).unwrap();
        let mut damaged = Vec::new();
        let mut bad = Vec::new();
        for item in read(&file, &ExportContext::default()).unwrap() {
            match item {
                Read::Message(_, m) => damaged.push(m.damaged),
                Read::Bad { line, .. } => bad.push(line),
                Read::Failed(e) => panic!("{e}"),
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(damaged, [false, true, false, true]);
        assert_eq!(bad, [3, 6]);
    }

    #[test]
    fn a_number_as_the_apps_write_an_unsaved_contact_is_a_phone_and_a_name_is_not() {
        for number in [
            "+44 7911 123456",
            "+1 (555) 010-0199",
            "+49\u{a0}151\u{a0}12345678",
            "+7\u{2011}912\u{2011}345\u{2011}67\u{2011}89",
        ] {
            assert!(looks_like_phone(number), "{number}");
        }
        for not_one in ["Ann Lee", "+44", "+44 7911 ext. 12", "447911123456"] {
            assert!(!looks_like_phone(not_one), "{not_one}");
        }
    }
}
