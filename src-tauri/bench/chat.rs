//! `custodian bench chat --messages N`: importing an archive of N WhatsApp webhook payloads (one
//! message each, from N/20 people) beside the `sqlite3` shell importing the same messages as plain
//! rows; importing it again; peak memory; and finding a person's messages.

use std::io::{BufWriter, Write};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{peak_memory, sqlite3_median, Scratch, REFERENCE_RUNS};
use crate::chat::threads::CONVERSATIONS;
use crate::clock::SystemClock;
use crate::console::{ChatWith, Console, Error};
use crate::identity::IdKind;
use crate::personal_data::Holder;

/// Messages per person, on average.
const PER_PERSON: u64 = 20;
/// People looked up to time finding a person's messages.
const LOOKUPS: u64 = 200;

#[derive(Debug, Serialize)]
pub struct Report {
    pub messages: u64,
    pub people: u64,
    pub file_bytes: u64,
    pub import_seconds: f64,
    pub import_messages_per_second: f64,
    /// Importing the same archive again, which adds nothing.
    pub again_seconds: f64,
    pub peak_memory_mb: Option<f64>,
    /// Finding one person's threads and every message in them, by their WhatsApp id.
    pub find_person_ms: f64,
    /// `None` when the `sqlite3` shell is not installed.
    pub sqlite3_import_seconds: Option<f64>,
    pub ratio_to_sqlite3: Option<f64>,
}

const WORDS: [&str; 16] = [
    "hello",
    "price",
    "delivery",
    "thanks",
    "size",
    "colour",
    "order",
    "tomorrow",
    "available",
    "please",
    "boots",
    "sofa",
    "refund",
    "when",
    "great",
    "address",
];

fn wa_id(person: u64) -> String {
    format!("4479{person:08}")
}

/// Writes the archive and the same messages as TAB-separated rows for the reference.
fn generate(archive: &std::path::Path, rows: &std::path::Path, messages: u64) -> std::io::Result<u64> {
    let people = (messages / PER_PERSON).max(1);
    let mut jsonl = BufWriter::new(std::fs::File::create(archive)?);
    let mut tsv = BufWriter::new(std::fs::File::create(rows)?);
    let start = 1_790_000_000u64;
    for i in 0..messages {
        let person = (i * 7_919) % people;
        let words = 6 + (i % 7) as usize;
        let text: Vec<&str> = (0..words).map(|w| WORDS[((i * 31 + w as u64 * 17) % 16) as usize]).collect();
        let text = text.join(" ");
        let (id, from, name, at) = (format!("wamid.{i:012}"), wa_id(person), format!("Person {person}"), start + i);
        writeln!(
            jsonl,
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"WABA","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550001","phone_number_id":"15550001"}},"contacts":[{{"profile":{{"name":"{name}"}},"wa_id":"{from}"}}],"messages":[{{"from":"{from}","id":"{id}","timestamp":"{at}","type":"text","text":{{"body":"{text}"}}}}]}}}}]}}]}}"#
        )?;
        writeln!(tsv, "{id}\t15550001\t{from}\t{name}\t{at}\ttext\t{text}")?;
    }
    jsonl.flush()?;
    tsv.flush()?;
    Ok(people)
}

pub async fn run(messages: u64) -> Result<Report, Error> {
    let scratch = Scratch::new("chat").map_err(|e| Error::Invalid(format!("no scratch directory: {e}")))?;
    let archive = scratch.0.join("webhooks.jsonl");
    let rows = scratch.0.join("reference.tsv");
    eprintln!("Generating an archive of {messages} webhook payloads…");
    let people =
        generate(&archive, &rows, messages).map_err(|e| Error::Invalid(format!("cannot write the bench file: {e}")))?;
    let file_bytes = std::fs::metadata(&archive).map(|m| m.len()).unwrap_or(0);

    let console = Console::open(&scratch.workspace(), Arc::new(SystemClock)).await?;
    console.add_client("Bench client", Some("GB")).await?;
    eprintln!("Importing…");
    let no_cancel = AtomicBool::new(false);
    let started = Instant::now();
    let first = console.chat_import("Bench client", &archive, &ChatWith::default(), &no_cancel).await?;
    let import = started.elapsed();
    if first.messages != messages {
        return Err(Error::Invalid(format!("the bench imported {} of {messages} messages", first.messages)));
    }
    let peak = peak_memory();
    eprintln!("Importing again…");
    let started = Instant::now();
    let again = console.chat_import("Bench client", &archive, &ChatWith::default(), &no_cancel).await?;
    let again_seconds = started.elapsed().as_secs_f64();
    if again.messages != 0 || again.already_held != messages {
        return Err(Error::Invalid(format!("importing again added {} messages", again.messages)));
    }

    let mut conn = console.store().pool().acquire().await?;
    let mut total = Duration::ZERO;
    for n in 0..LOOKUPS {
        let person = (n * 7_919) % people;
        let t = Instant::now();
        let hash = console.hasher().identify(IdKind::WaId, &wa_id(person), None).expect("a generated id is valid");
        let found = CONVERSATIONS.find(&mut conn, console.hasher(), &[hash]).await?;
        total += t.elapsed();
        if found.is_empty() {
            return Err(Error::Invalid(format!("person {person}'s messages were not found")));
        }
    }
    drop(conn);
    console.close().await;

    eprintln!("Timing the sqlite3 reference…");
    let table = "CREATE TABLE m (id TEXT, business TEXT, wa_id TEXT, name TEXT, at INTEGER, kind TEXT, body TEXT)";
    let sqlite3 = sqlite3_median(&scratch.0, &rows, table);
    let import_seconds = import.as_secs_f64();
    Ok(Report {
        messages,
        people,
        file_bytes,
        import_seconds,
        import_messages_per_second: messages as f64 / import_seconds,
        again_seconds,
        peak_memory_mb: peak.map(|b| b as f64 / 1_048_576.0),
        find_person_ms: total.as_secs_f64() * 1000.0 / LOOKUPS as f64,
        sqlite3_import_seconds: sqlite3,
        ratio_to_sqlite3: sqlite3.map(|s| import_seconds / s),
    })
}

impl super::Printed for Report {
    fn print(&self) {
        println!("messages                   {} from {} people", self.messages, self.people);
        println!("archive                    {:.1} MiB", self.file_bytes as f64 / 1_048_576.0);
        println!(
            "import                     {:.2} s, {:.0} messages/s",
            self.import_seconds, self.import_messages_per_second
        );
        match (self.sqlite3_import_seconds, self.ratio_to_sqlite3) {
            (Some(s), Some(r)) => println!(
                "sqlite3 .import reference  {s:.2} s, median of {REFERENCE_RUNS} (import takes {r:.2}× as long)"
            ),
            _ => println!("sqlite3 .import reference  not measured: the sqlite3 shell is not installed"),
        }
        println!("import again               {:.2} s, nothing added", self.again_seconds);
        if let Some(p) = self.peak_memory_mb {
            println!("peak memory                {p:.0} MiB");
        }
        println!("finding a person           {:.3} ms", self.find_person_ms);
    }
}
