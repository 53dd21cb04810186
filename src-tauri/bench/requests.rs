//! `custodian bench requests --rows N`: data-subject requests over N imported leads — finding a
//! person by each kind of identifier, exporting one person, and erasing one (with the checkpoint
//! that clears the WAL), each through the same Console operations as the app and the CLI.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{leadgen, Scratch};
use crate::clock::SystemClock;
use crate::console::{Console, Error, RequestForm};
use crate::requests::{IdKind, Identifier, RequestKind};

#[derive(Debug, Serialize)]
pub struct Report {
    pub rows: u64,
    pub find_email_ms: Timing,
    pub find_phone_ms: Timing,
    pub find_lead_id_ms: Timing,
    pub export_ms: Timing,
    pub erase_ms: Timing,
}

/// The mean and the slowest of several runs, in milliseconds.
#[derive(Debug, Serialize)]
pub struct Timing {
    pub mean: f64,
    pub max: f64,
    pub runs: usize,
}

impl Timing {
    fn of(times: &[Duration]) -> Self {
        let ms: Vec<f64> = times.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        Timing {
            mean: ms.iter().sum::<f64>() / ms.len() as f64,
            max: ms.iter().copied().fold(0.0, f64::max),
            runs: ms.len(),
        }
    }
}

const FINDS: u64 = 50;
const EXPORTS: u64 = 20;
const ERASURES: u64 = 10;

pub async fn run(rows: u64) -> Result<Report, Error> {
    let scratch = Scratch::new("requests").map_err(|e| Error::Invalid(format!("no scratch directory: {e}")))?;
    let file = scratch.0.join("leads-export.csv");
    eprintln!("Generating and importing {rows} leads…");
    leadgen::write(&file, rows, None).map_err(|e| Error::Invalid(format!("cannot write the bench file: {e}")))?;
    let console = Console::open(&scratch.workspace(), Arc::new(SystemClock)).await?;
    console.add_client("Bench client", Some("GB")).await?;
    let summary = console.import_file(&file, "Bench client", &|_| {}, Arc::new(AtomicBool::new(false))).await?;
    if summary.imported != rows {
        return Err(Error::Invalid(format!("the bench imported {} of {rows} leads", summary.imported)));
    }
    // People spread over the whole set, none used twice.
    let person = |n: u64, salt: u64| (n * 7_919 + salt * 104_729) % rows;
    eprintln!("Finding, exporting and erasing people…");

    let find = |kind: IdKind, value: fn(u64) -> String, salt: u64| {
        let console = &console;
        async move {
            let mut times = Vec::new();
            for n in 0..FINDS {
                let id = new_request(console, RequestKind::Access, kind, value(person(n, salt))).await?;
                let t = Instant::now();
                let found = console.find_for_request(id, false).await?;
                times.push(t.elapsed());
                if found.records() == 0 {
                    return Err(Error::Invalid("the bench found nobody".into()));
                }
            }
            Ok::<_, Error>(Timing::of(&times))
        }
    };
    let find_email_ms = find(IdKind::Email, leadgen::email, 1).await?;
    let find_phone_ms = find(IdKind::Phone, leadgen::phone, 2).await?;
    let find_lead_id_ms = find(IdKind::LeadId, lead_id, 3).await?;

    let mut times = Vec::new();
    for n in 0..EXPORTS {
        let id = new_request(&console, RequestKind::Access, IdKind::Email, leadgen::email(person(n, 4))).await?;
        let out = scratch.0.join(format!("person-{n}.zip"));
        let t = Instant::now();
        console.export_request(id, &out, false).await?;
        times.push(t.elapsed());
    }
    let export_ms = Timing::of(&times);

    let mut times = Vec::new();
    for n in 0..ERASURES {
        let id = new_request(&console, RequestKind::Erasure, IdKind::Email, leadgen::email(person(n, 5))).await?;
        let t = Instant::now();
        let erased = console.erase_request(id, true, false).await?;
        times.push(t.elapsed());
        if erased.receipt.deleted.is_empty() {
            return Err(Error::Invalid("the bench erased nobody".into()));
        }
    }
    let erase_ms = Timing::of(&times);
    console.close().await;
    Ok(Report { rows, find_email_ms, find_phone_ms, find_lead_id_ms, export_ms, erase_ms })
}

fn lead_id(i: u64) -> String {
    (1_000_000_000_000_000 + i).to_string()
}

async fn new_request(console: &Console, kind: RequestKind, id_kind: IdKind, value: String) -> Result<i64, Error> {
    let form = RequestForm::new(kind, vec![Identifier { kind: id_kind, value }]);
    Ok(console.new_request(form).await?.id)
}

impl super::Printed for Report {
    fn print(&self) {
        let line = |label: &str, t: &Timing| {
            println!("{label:<34} {:>8.2} ms mean, {:>8.2} ms slowest ({} runs)", t.mean, t.max, t.runs);
        };
        println!("leads                              {}", self.rows);
        line("find a person by email", &self.find_email_ms);
        line("find a person by phone", &self.find_phone_ms);
        line("find a person by Meta lead id", &self.find_lead_id_ms);
        line("export one person (ZIP)", &self.export_ms);
        line("erase one person, with checkpoint", &self.erase_ms);
    }
}
