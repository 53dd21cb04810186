//! Importing an export file: a parser thread reads, parses, hashes and serialises batches while
//! the writer stores them, many batches a transaction. A crash loses at most the transaction in
//! flight, and running the same import again completes it: leads already stored are recognised,
//! not repeated.
//!
//! The writer works on the SQLite handle directly with prepared statements, a statement per lead,
//! and leaves the identity index to sorted runs (see `runs`): together that keeps every
//! page it writes close to the last one.

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Instant;

use std::sync::mpsc::{sync_channel, Receiver};

use serde::Serialize;
use ts_rs::TS;

use super::decode::{ExportFile, Format, ReadError, RecordError};
use super::parse::{Columns, Lead};
use super::runs;
use crate::identity::{Hasher, IdKind, Identifier, IdentityHash};
use crate::store::{StoreError, Waiting};

/// Leads stored per transaction: what a crash can lose at most, and the unit of progress.
pub const BATCH_ROWS: usize = 2_500;
/// Rejections kept with their reasons; beyond this they are only counted.
const KEPT_REJECTIONS: usize = 10_000;
/// Rejections shown in a summary.
const SHOWN_REJECTIONS: usize = 200;

#[derive(Debug, Clone, Serialize, TS)]
pub struct Rejection {
    #[ts(type = "number")]
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Progress {
    #[ts(type = "number")]
    pub rows: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(type = "number")]
    pub total_bytes: u64,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
    #[ts(type = "number")]
    pub rows_per_second: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportSummary {
    pub import_id: String,
    pub client: String,
    pub file_name: String,
    pub format: Format,
    /// Data rows read, header excluded.
    #[ts(type = "number")]
    pub rows_read: u64,
    /// New leads stored.
    #[ts(type = "number")]
    pub imported: u64,
    /// Leads already stored whose content changed.
    #[ts(type = "number")]
    pub updated: u64,
    /// Rows already stored unchanged, or repeated within the file.
    #[ts(type = "number")]
    pub duplicates: u64,
    #[ts(type = "number")]
    pub rejected: u64,
    /// The first rejections, by line.
    pub rejections: Vec<Rejection>,
    #[ts(type = "number")]
    pub test_leads: u64,
    /// Rows skipped because they carry an identifier of a person whose data was erased.
    #[ts(type = "number")]
    pub suppressed: u64,
    /// Phone numbers that could not be placed in a country (national numbers, and the client has
    /// none): they are found only by their exact digits.
    #[ts(type = "number")]
    pub unplaced_phones: u64,
    pub cancelled: bool,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
    #[ts(type = "number")]
    pub rows_per_second: u64,
    /// Things the reader noticed about the file, such as its encoding.
    pub notes: Vec<String>,
}

/// What the parser thread hands the writer.
pub(super) struct Batch {
    pub(super) leads: Vec<Lead>,
    pub(super) unplaced_phones: u64,
    pub(super) rows_read: u64,
    pub(super) duplicates: u64,
    pub(super) suppressed: u64,
    pub(super) test_leads: u64,
    pub(super) rejections: Vec<Rejection>,
    pub(super) rejected: u64,
    pub(super) bytes: u64,
    /// The reader reached the end of the file with this batch.
    pub(super) last: bool,
}

/// Why an import stopped before the end of its file.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "The file could not be read to its end: the reader stopped after {0} rows. The leads stored before \
         that are kept; import the file again to complete it, and report this if it happens again."
    )]
    ReaderStopped(u64),
}

/// The name a file is known by in summaries, lead provenance and the audit trail.
pub fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

pub struct Plan {
    file: ExportFile,
    columns: Columns,
    pub file_name: String,
}

impl Plan {
    /// Opens and checks the file: everything that makes it unreadable as a whole is found here,
    /// before anything is written.
    pub fn open(path: &Path) -> Result<Self, ReadError> {
        let file = ExportFile::open(path)?;
        let columns = Columns::from_header(&file.header);
        Ok(Self { file, columns, file_name: file_name(path) })
    }

    pub fn format(&self) -> Format {
        self.file.format
    }

    pub fn size(&self) -> u64 {
        self.file.size
    }

    pub fn notes(&self) -> Vec<String> {
        let mut notes = vec![format!(
            "Read as {}{}.",
            self.file.format.describe(),
            match self.file.separator {
                Some('\t') => ", TAB-separated",
                Some(_) => ", comma-separated",
                None => "",
            }
        )];
        if self.file.format == Format::Windows1252 {
            notes.push("The file is neither UTF-8 nor UTF-16, as Meta writes them; it was read as Windows-1252. Check names with accents.".into());
        }
        notes
    }
}

/// The running totals of one import.
#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    pub rows_read: u64,
    /// Bytes of the file read so far.
    pub bytes: u64,
    pub imported: u64,
    pub updated: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub test_leads: u64,
    pub suppressed: u64,
    pub unplaced_phones: u64,
}

impl Totals {
    /// Adds a stored batch: what it read and what the writer did with it (new, updated, unchanged).
    pub(super) fn count(&mut self, batch: &Batch, (new, updated, unchanged): (u64, u64, u64)) {
        self.rows_read += batch.rows_read;
        self.imported += new;
        self.updated += updated;
        self.duplicates += unchanged + batch.duplicates;
        self.rejected += batch.rejected;
        self.test_leads += batch.test_leads;
        self.suppressed += batch.suppressed;
        self.unplaced_phones += batch.unplaced_phones;
    }
}

/// How a record becomes a lead: `Columns::lead`.
type Parse = fn(&Columns, &csv::StringRecord, u64, &Hasher, Option<&str>) -> Result<Lead, String>;

/// Starts the parser thread. Batches arrive on the returned channel, the last one marked `last`;
/// the thread stops early when `cancel` is set or the receiver is dropped. A thread that dies (a
/// panic) never sends the last batch, which is how the writer knows the file was not read whole.
fn spawn_parser(
    mut plan: Plan,
    hasher: Hasher,
    country: Option<String>,
    suppressed: HashSet<IdentityHash>,
    cancel: Arc<AtomicBool>,
    parse: Parse,
) -> Receiver<Batch> {
    let (tx, rx) = sync_channel::<Batch>(1);
    std::thread::Builder::new()
        .name("lead-import-parser".into())
        .spawn(move || {
            let mut keys: HashSet<String> = HashSet::with_capacity(BATCH_ROWS);
            let mut batch = Batch::empty();
            let mut kept_rejections = 0usize;
            loop {
                if cancel.load(Ordering::Relaxed) {
                    return;
                }
                let next = plan.file.next_record();
                let done = next.is_none();
                match next {
                    None => {}
                    Some(Ok(record)) => {
                        batch.rows_read += 1;
                        match parse(&plan.columns, record.fields, record.line, &hasher, country.as_deref()) {
                            Ok(lead) if lead.identities.iter().any(|(_, h)| suppressed.contains(h)) => {
                                batch.suppressed += 1;
                            }
                            Ok(lead) => {
                                batch.test_leads += u64::from(lead.is_test);
                                batch.unplaced_phones += lead.unplaced_phones as u64;
                                if keys.insert(lead.lead_key.clone()) {
                                    batch.leads.push(lead);
                                } else {
                                    batch.duplicates += 1;
                                }
                            }
                            Err(reason) => batch.reject(record.line, reason, &mut kept_rejections),
                        }
                    }
                    Some(Err((line, e))) => {
                        batch.rows_read += 1;
                        let reason = match e {
                            RecordError::Encoding => "holds text that is not valid in the file's encoding; the file may be cut short or damaged".to_owned(),
                            RecordError::Malformed(detail) => format!("cannot be read: {detail}"),
                            RecordError::FieldTooLong => format!(
                                "has a field over {} MiB, which no lead's answer is; the row was left out",
                                super::decode::MAX_FIELD_BYTES >> 20
                            ),
                            RecordError::RecordTooLong => format!(
                                "runs past {} MiB without ending (an unclosed quote, or a damaged file); \
                                 nothing after it could be read",
                                super::decode::MAX_RECORD_BYTES >> 20
                            ),
                        };
                        batch.reject(line, reason, &mut kept_rejections);
                    }
                }
                if batch.leads.len() >= BATCH_ROWS || done {
                    batch.bytes = plan.file.bytes_read();
                    batch.last = done;
                    keys.clear();
                    if tx.send(std::mem::replace(&mut batch, Batch::empty())).is_err() {
                        return;
                    }
                }
                if done {
                    return;
                }
            }
        })
        .expect("start the import parser thread");
    rx
}

impl Batch {
    pub(super) fn empty() -> Self {
        Self {
            leads: Vec::with_capacity(BATCH_ROWS),
            unplaced_phones: 0,
            rows_read: 0,
            duplicates: 0,
            suppressed: 0,
            test_leads: 0,
            rejections: Vec::new(),
            rejected: 0,
            bytes: 0,
            last: false,
        }
    }

    pub(super) fn reject(&mut self, line: u64, reason: String, kept: &mut usize) {
        self.rejected += 1;
        if *kept < KEPT_REJECTIONS {
            *kept += 1;
            self.rejections.push(Rejection { line, reason });
        }
    }
}

/// Leads per transaction. Larger transactions mean fewer, larger search-index segments and runs of
/// the identity index; a crash loses at most one, and running the import again restores it.
pub const COMMIT_ROWS: usize = 50_000;

/// A lead's columns, the person's hashes last.
static COLUMNS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "client_num, lead_key, meta_id, created_time, created_unix, ad_id, ad_name, adset_id, adset_name,
         campaign_id, campaign_name, form_id, form_name, is_organic, platform, lead_status, is_test, full_name,
         email, phone, answer_keys, answers, content_hash, import_id, source_line, {}",
        super::person_hashes::listed("")
    )
});

const LEAD_COLUMNS: usize = 30;

/// Binds a lead's values to parameters 1 to `LEAD_COLUMNS`, in the order of `COLUMNS`.
fn bind_lead(
    statement: &mut rusqlite::Statement<'_>,
    target: &Target<'_>,
    answer_keys: i64,
    lead: &Lead,
) -> rusqlite::Result<()> {
    let [id, email, phone, email2, phone2] = lead.hash_columns();
    let values: [&dyn rusqlite::ToSql; LEAD_COLUMNS] = [
        &target.client_num,
        &lead.lead_key,
        &lead.meta_id,
        &lead.created_time,
        &lead.created_unix,
        &lead.ad_id,
        &lead.ad_name,
        &lead.adset_id,
        &lead.adset_name,
        &lead.campaign_id,
        &lead.campaign_name,
        &lead.form_id,
        &lead.form_name,
        &lead.is_organic,
        &lead.platform,
        &lead.lead_status,
        &lead.is_test,
        &lead.full_name,
        &lead.email,
        &lead.phone,
        &answer_keys,
        &lead.answers,
        &lead.content_hash,
        &target.import_id,
        &(lead.line as i64),
        &id,
        &email,
        &phone,
        &email2,
        &phone2,
    ];
    for (i, value) in values.iter().enumerate() {
        statement.raw_bind_parameter(1 + i, value)?;
    }
    Ok(())
}

/// What the writer needs to know of a lead already stored under the same key.
struct Stored {
    id: i64,
    content_hash: String,
    hashes: [Option<Vec<u8>>; 5],
    /// A data-subject correction changed it.
    corrected: bool,
}

/// The writer's prepared statements and the identity entries of its open transaction.
pub(super) struct Writer<'c> {
    conn: &'c rusqlite::Connection,
    target: &'c Target<'c>,
    /// The file's question columns, in `answer_keys`.
    answer_keys: i64,
    /// Leads with a higher id were stored by this import.
    stored_before: i64,
    insert: rusqlite::Statement<'c>,
    probe: rusqlite::Statement<'c>,
    update: rusqlite::Statement<'c>,
    words: super::words::Writer<'c>,
    identity_delete: rusqlite::Statement<'c>,
    pending: Vec<runs::Entry>,
    /// The file's consent questions: each answer's place among the answers, the channel it asks
    /// for, and the question.
    consent: Vec<(usize, crate::consent::ConsentChannel, String)>,
}

impl<'c> Writer<'c> {
    pub(super) fn new(
        conn: &'c rusqlite::Connection,
        target: &'c Target<'c>,
        answer_keys: &str,
    ) -> rusqlite::Result<Self> {
        let consent = serde_json::from_str::<Vec<String>>(answer_keys)
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .filter_map(|(i, key)| crate::consent::signals::question_channel(&key).map(|c| (i, c, key)))
            .collect();
        conn.execute("INSERT OR IGNORE INTO answer_keys (keys) VALUES (?1)", [answer_keys])?;
        let answer_keys = conn.query_row("SELECT id FROM answer_keys WHERE keys = ?1", [answer_keys], |r| r.get(0))?;
        let assignments = COLUMNS
            .split(',')
            .map(str::trim)
            .enumerate()
            .skip(2)
            .map(|(i, c)| format!("{c} = ?{}", i + 1))
            .collect::<Vec<_>>()
            .join(", ");
        Ok(Self {
            conn,
            target,
            answer_keys,
            stored_before: conn.query_row("SELECT coalesce(max(id), 0) FROM leads", [], |r| r.get(0))?,
            // One row a statement: a statement over several rows opens a statement journal, and
            // full-text search flushes what it holds to disk at each one.
            insert: conn.prepare(&format!(
                "INSERT INTO leads ({}) VALUES ({}) ON CONFLICT (client_num, lead_key) DO NOTHING",
                COLUMNS.as_str(),
                vec!["?"; LEAD_COLUMNS].join(", ")
            ))?,
            probe: conn.prepare(&format!(
                "SELECT id, content_hash, {}, corrected FROM leads WHERE client_num = ?1 AND lead_key = ?2",
                super::person_hashes::listed("")
            ))?,
            update: conn.prepare(&format!("UPDATE leads SET {assignments} WHERE client_num = ?1 AND lead_key = ?2"))?,
            words: super::words::Writer::new(conn),
            identity_delete: conn.prepare("DELETE FROM identities WHERE hash = ?1 AND lead_id = ?2")?,
            pending: Vec::new(),
            consent,
        })
    }

    /// Stores one batch and returns (imported, updated, unchanged). A new lead costs one insert; only
    /// a lead already stored is read back and compared.
    pub(super) fn write(&mut self, batch: &Batch) -> rusqlite::Result<(u64, u64, u64)> {
        let mut counts = (0, 0, 0);
        for lead in &batch.leads {
            bind_lead(&mut self.insert, self.target, self.answer_keys, lead)?;
            if self.insert.raw_execute()? == 1 {
                counts.0 += 1;
                self.index(self.conn.last_insert_rowid(), lead)?;
                self.record_consent(lead)?;
                continue;
            }
            let stored = self.probe.query_row(rusqlite::params![self.target.client_num, lead.lead_key], |r| {
                Ok(Stored {
                    id: r.get(0)?,
                    content_hash: r.get(1)?,
                    hashes: [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?],
                    corrected: r.get(7)?,
                })
            })?;
            // A corrected lead keeps its correction: the export it came from still holds the old value.
            if stored.corrected || stored.content_hash == lead.content_hash {
                counts.2 += 1;
                continue;
            }
            counts.1 += 1;
            self.forget(&stored)?;
            bind_lead(&mut self.update, self.target, self.answer_keys, lead)?;
            self.update.raw_execute()?;
            self.index(stored.id, lead)?;
            self.record_consent(lead)?;
        }
        let mut reject =
            self.conn.prepare_cached("INSERT INTO import_rejections (import_id, line, reason) VALUES (?1, ?2, ?3)")?;
        for r in &batch.rejections {
            reject.execute(rusqlite::params![self.target.import_id, r.line as i64, r.reason])?;
        }
        Ok(counts)
    }

    /// Adds a lead to full-text search, and its identifiers to the pending run.
    fn index(&mut self, id: i64, lead: &Lead) -> rusqlite::Result<()> {
        self.words.insert(id, &lead.body)?;
        self.pending.extend(lead.identities.iter().map(|&(kind, hash)| runs::Entry { hash, lead_id: id, kind }));
        Ok(())
    }

    /// Records the lead's answers to the form's consent questions in the consent register, each
    /// with the form, the question and the answer as its proof; an answer recorded before (the
    /// same file again) records nothing.
    fn record_consent(&self, lead: &Lead) -> rusqlite::Result<()> {
        use crate::consent::{signals, ConsentSource, NewEntry};
        if self.consent.is_empty() {
            return Ok(());
        }
        let answers: Vec<String> = serde_json::from_str(&lead.answers).unwrap_or_default();
        let lead_name = lead.meta_id.as_deref().unwrap_or(&lead.lead_key);
        // Each value with the hash made from it here, so that the two never name different
        // people (a lead with two phone answers keeps its first in `phone`).
        let hasher = &self.target.hasher;
        let mut identifiers = Vec::new();
        if let Some(meta_id) = &lead.meta_id {
            if let Some(hash) = hasher.identify(IdKind::LeadId, meta_id, None) {
                identifiers.push((Identifier { kind: IdKind::LeadId, value: meta_id.clone() }, hash));
            }
        }
        if let Some(hash) = hasher.identify(IdKind::Email, &lead.email, None) {
            identifiers.push((Identifier { kind: IdKind::Email, value: lead.email.clone() }, hash));
        }
        if let Some((kind, normalised)) = crate::identity::stored_phone(&lead.phone, self.target.country.as_deref()) {
            identifiers.push((Identifier { kind, value: lead.phone.clone() }, hasher.hash(kind, &normalised)));
        }
        if identifiers.iter().all(|(i, _)| i.kind == IdKind::LeadId) {
            // A lead id alone names nobody a sender could reach.
            return Ok(());
        }
        for (i, channel, question) in &self.consent {
            let Some(answer) = answers.get(*i) else { continue };
            let Some(opted_in) = signals::answer(answer) else { continue };
            let entry = NewEntry {
                client_id: Some(self.target.client_id),
                channel: *channel,
                opted_in,
                said_at: lead.created_unix,
                recorded_at: &self.target.at,
                source: ConsentSource::LeadForm,
                proof: format!(
                    "lead form \"{}\" (form {}), question \"{question}\" answered \"{}\", lead {lead_name}",
                    lead.form_name,
                    lead.form_id,
                    answer.trim()
                ),
                identifiers: identifiers.clone(),
                request_id: None,
                origin: Some(format!("lead:{}:{}:{question}", self.target.client_id, lead.lead_key)),
            };
            crate::consent::record(self.conn, &entry)?;
        }
        Ok(())
    }

    /// Drops the search tokens and identifiers of a lead about to be rewritten.
    fn forget(&mut self, stored: &Stored) -> rusqlite::Result<()> {
        self.words.remove(stored.id)?;
        for hash in stored.hashes.iter().flatten() {
            self.identity_delete.execute(rusqlite::params![hash, stored.id])?;
        }
        // Only a lead repeated within this very file can still have identifiers in a run.
        if stored.id > self.stored_before {
            self.pending.retain(|e| e.lead_id != stored.id);
            for hash in stored.hashes.iter().flatten() {
                runs::drop_entry(self.conn, hash, stored.id)?;
            }
        }
        Ok(())
    }

    /// Ends the open transaction with the totals so far.
    pub(super) fn commit(&mut self, totals: &Totals) -> rusqlite::Result<()> {
        runs::append(self.conn, &mut self.pending)?;
        record_totals(self.conn, self.target.import_id, totals)?;
        self.conn.execute_batch("COMMIT")
    }
}

/// Everything one import needs to know besides the file.
pub struct Target<'a> {
    /// The client's number, which its leads carry.
    pub client_num: i64,
    pub client_id: &'a str,
    /// When the import began, RFC 3339: what the consent register records answers as.
    pub at: String,
    pub client_name: &'a str,
    pub country: Option<String>,
    pub import_id: &'a str,
    pub hasher: Hasher,
    /// Keyed hashes of erased people: rows carrying one are skipped and counted.
    pub suppressed: HashSet<IdentityHash>,
}

/// Reads the whole file into the store, reporting progress after each batch.
pub async fn run(
    store: &crate::store::Store,
    plan: Plan,
    mut target: Target<'_>,
    progress: &(dyn Fn(Progress) + Send + Sync),
    cancel: Arc<AtomicBool>,
) -> Result<(ImportSummary, Totals), ImportError> {
    let started = Instant::now();
    let (file_name, format, total_bytes, notes) = (plan.file_name.clone(), plan.format(), plan.size(), plan.notes());
    let answer_keys = plan.columns.answer_keys();
    let suppressed = std::mem::take(&mut target.suppressed);
    let batches = spawn_parser(
        plan,
        target.hasher.clone(),
        target.country.clone(),
        suppressed,
        Arc::clone(&cancel),
        Columns::lead,
    );
    let mut bulk = store.bulk().await?;
    let waiting = bulk.waiting();
    let stored = bulk
        .direct(|conn| {
            let batches = batches;
            let written = write_all(conn, &target, &answer_keys, &batches, &waiting, &|totals| {
                let elapsed = started.elapsed();
                progress(Progress {
                    rows: totals.rows_read,
                    bytes: totals.bytes,
                    total_bytes,
                    elapsed_ms: elapsed.as_millis() as u64,
                    rows_per_second: per_second(totals.rows_read, elapsed),
                });
            });
            if written.is_err() && !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            written
        })
        .await;
    // The bulk connection gives its cache back on every path.
    let finished = bulk.finish().await;
    let (totals, shown, ended) = stored.map_err(ImportError::from)?.map_err(StoreError::from)?;
    finished?;
    // The reader ends every file with a last batch; without it, its thread died (a panic) and the
    // import is a failure, never a completion.
    if !ended && !cancel.load(Ordering::Relaxed) {
        return Err(ImportError::ReaderStopped(totals.rows_read));
    }
    let elapsed = started.elapsed();
    let mut notes = notes;
    if totals.unplaced_phones > 0 {
        notes.push(format!(
            "{} phone numbers have no country code and the client has no country, so they are found only by \
             their exact digits. Set the client's country to place them.",
            totals.unplaced_phones
        ));
    }
    let summary = ImportSummary {
        import_id: target.import_id.to_owned(),
        client: target.client_name.to_owned(),
        file_name,
        format,
        rows_read: totals.rows_read,
        imported: totals.imported,
        updated: totals.updated,
        duplicates: totals.duplicates,
        rejected: totals.rejected,
        rejections: shown,
        test_leads: totals.test_leads,
        suppressed: totals.suppressed,
        unplaced_phones: totals.unplaced_phones,
        cancelled: cancel.load(Ordering::Relaxed),
        elapsed_ms: elapsed.as_millis() as u64,
        rows_per_second: per_second(totals.rows_read, elapsed),
        notes,
    };
    Ok((summary, totals))
}

/// The writer's loop: batches into transactions of about `COMMIT_ROWS` leads, then the identity
/// runs folded into the index. Returns the totals, the rejections to show, and whether the reader
/// reached the end of the file.
fn write_all(
    conn: &rusqlite::Connection,
    target: &Target<'_>,
    answer_keys: &str,
    batches: &Receiver<Batch>,
    waiting: &Waiting,
    progress: &dyn Fn(&Totals),
) -> rusqlite::Result<(Totals, Vec<Rejection>, bool)> {
    let mut totals = Totals::default();
    let mut ended = false;
    let mut shown: Vec<Rejection> = Vec::new();
    runs::fold_all(conn)?;
    let mut writer = Writer::new(conn, target, answer_keys)?;
    let mut in_transaction = 0;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    while let Ok(batch) = batches.recv() {
        ended |= batch.last;
        let written = writer.write(&batch)?;
        totals.count(&batch, written);
        totals.bytes = batch.bytes;
        shown.extend(batch.rejections.into_iter().take(SHOWN_REJECTIONS.saturating_sub(shown.len())));
        in_transaction += batch.leads.len();
        if in_transaction >= COMMIT_ROWS {
            writer.commit(&totals)?;
            waiting.let_others_write();
            conn.execute_batch("BEGIN IMMEDIATE")?;
            in_transaction = 0;
        }
        progress(&totals);
    }
    writer.commit(&totals)?;
    drop(writer);
    runs::fold_all(conn)?;
    Ok((totals, shown, ended))
}

fn record_totals(conn: &rusqlite::Connection, import_id: &str, t: &Totals) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE imports SET rows_read = ?2, imported = ?3, updated = ?4, duplicates = ?5, rejected = ?6,
            test_leads = ?7, suppressed = ?8 WHERE id = ?1",
    )?
    .execute(rusqlite::params![
        import_id,
        t.rows_read as i64,
        t.imported as i64,
        t.updated as i64,
        t.duplicates as i64,
        t.rejected as i64,
        t.test_leads as i64,
        t.suppressed as i64,
    ])?;
    Ok(())
}

fn per_second(rows: u64, elapsed: std::time::Duration) -> u64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        (rows as f64 / secs) as u64
    } else {
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::Sensitive;

    fn panics_on_the_third_lead(
        c: &Columns,
        f: &csv::StringRecord,
        line: u64,
        h: &Hasher,
        country: Option<&str>,
    ) -> Result<Lead, String> {
        assert!(line != 4, "a defect in the parser");
        c.lead(f, line, h, country)
    }

    /// Whether the reader's batches of a five-lead file end with the last one.
    fn reaches_the_end(parse: Parse) -> bool {
        let path = std::env::temp_dir().join(format!("custodian-parser-{}.csv", uuid::Uuid::new_v4()));
        let rows: String = (1..=5).map(|i| format!("l:{i},2026-07-16T00:12:13Z,p{i}@example.test\n")).collect();
        std::fs::write(&path, format!("id,created_time,email\n{rows}")).unwrap();
        let plan = Plan::open(&path).unwrap();
        let hasher = Hasher::new(&Sensitive::new([3u8; 32]));
        let batches = spawn_parser(plan, hasher, None, HashSet::new(), Arc::new(AtomicBool::new(false)), parse);
        let ended = batches.iter().any(|b| b.last);
        std::fs::remove_file(path).unwrap();
        ended
    }

    #[test]
    fn a_reader_that_dies_never_sends_its_last_batch_so_the_import_fails_instead_of_completing() {
        assert!(reaches_the_end(Columns::lead), "a whole file ends with the last batch");
        assert!(!reaches_the_end(panics_on_the_third_lead), "a panic leaves no last batch");
    }
}
