//! Importing an export file: a parser thread reads, parses, hashes and serialises batches while
//! the writer stores each batch in one transaction. A crash loses at most the batch in flight, and
//! running the same import again completes it: leads already stored are recognised, not repeated.
//!
//! Each batch crosses into SQLite as one JSON document, unpacked by `json_each` into an in-memory
//! staging table and merged with a handful of set-based statements: a statement per row would cost
//! more in round trips to the database thread than the work itself.

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use ts_rs::TS;

use super::decode::{ExportFile, Format, ReadError, RecordError};
use super::parse::{Columns, Lead};
use crate::identity::Hasher;

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
    pub cancelled: bool,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
    #[ts(type = "number")]
    pub rows_per_second: u64,
    /// Things the reader noticed about the file, such as its encoding.
    pub notes: Vec<String>,
}

/// What the parser thread hands the writer.
struct Batch {
    leads: Vec<Lead>,
    rows_read: u64,
    duplicates: u64,
    test_leads: u64,
    rejections: Vec<Rejection>,
    rejected: u64,
    bytes: u64,
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
}

/// Starts the parser thread. Batches arrive on the returned channel; the thread stops early when
/// `cancel` is set or the receiver is dropped.
fn spawn_parser(
    mut plan: Plan,
    hasher: Hasher,
    country: Option<String>,
    cancel: Arc<AtomicBool>,
) -> tokio::sync::mpsc::Receiver<Batch> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Batch>(1);
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
                        match plan.columns.lead(record.fields, record.line, &hasher, country.as_deref()) {
                            Ok(lead) => {
                                batch.test_leads += u64::from(lead.is_test);
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
                        };
                        batch.reject(line, reason, &mut kept_rejections);
                    }
                }
                if batch.leads.len() >= BATCH_ROWS || (done && batch.rows_read > 0) {
                    batch.bytes = plan.file.bytes_read();
                    keys.clear();
                    if tx.blocking_send(std::mem::replace(&mut batch, Batch::empty())).is_err() {
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
    fn empty() -> Self {
        Self {
            leads: Vec::with_capacity(BATCH_ROWS),
            rows_read: 0,
            duplicates: 0,
            test_leads: 0,
            rejections: Vec::new(),
            rejected: 0,
            bytes: 0,
        }
    }

    fn reject(&mut self, line: u64, reason: String, kept: &mut usize) {
        self.rejected += 1;
        if *kept < KEPT_REJECTIONS {
            *kept += 1;
            self.rejections.push(Rejection { line, reason });
        }
    }
}

/// Rows per multi-row INSERT: SQLite allows 32,766 parameters a statement.
const STAGE_ROWS: usize = 1_200;
const STAGE_IDS: usize = 10_000;

/// Creates this connection's staging tables (once per connection) and empties them.
async fn staging(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    // One statement a call: `raw_sql` would take several, but its future is not `Send`, which the
    // desktop app's commands need.
    for sql in [
        "CREATE TEMP TABLE IF NOT EXISTS import_staging (
            pos INTEGER PRIMARY KEY, lead_key TEXT, meta_id TEXT, created_time TEXT, created_unix INTEGER,
            ad_id TEXT, ad_name TEXT, adset_id TEXT, adset_name TEXT, campaign_id TEXT, campaign_name TEXT,
            form_id TEXT, form_name TEXT, is_organic INTEGER, platform TEXT, lead_status TEXT, is_test INTEGER,
            full_name TEXT, email TEXT, phone TEXT, answers TEXT, body TEXT, content_hash TEXT, line INTEGER,
            lead_id INTEGER, same INTEGER)",
        "CREATE TEMP TABLE IF NOT EXISTS import_staging_ids (pos INTEGER NOT NULL, kind INTEGER NOT NULL, hash BLOB NOT NULL)",
        "DELETE FROM temp.import_staging",
        "DELETE FROM temp.import_staging_ids",
    ] {
        sqlx::query(sql).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Copies the batch into the staging tables, many rows a statement.
async fn stage(conn: &mut SqliteConnection, leads: &[Lead]) -> Result<(), sqlx::Error> {
    for (n, chunk) in leads.chunks(STAGE_ROWS).enumerate() {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO temp.import_staging (pos, lead_key, meta_id, created_time, created_unix, ad_id, ad_name, adset_id,
                adset_name, campaign_id, campaign_name, form_id, form_name, is_organic, platform, lead_status, is_test,
                full_name, email, phone, answers, body, content_hash, line) ",
        );
        q.push_values(chunk.iter().enumerate(), |mut row, (i, l)| {
            row.push_bind((n * STAGE_ROWS + i) as i64)
                .push_bind(&l.lead_key)
                .push_bind(&l.meta_id)
                .push_bind(&l.created_time)
                .push_bind(l.created_unix)
                .push_bind(&l.ad_id)
                .push_bind(&l.ad_name)
                .push_bind(&l.adset_id)
                .push_bind(&l.adset_name)
                .push_bind(&l.campaign_id)
                .push_bind(&l.campaign_name)
                .push_bind(&l.form_id)
                .push_bind(&l.form_name)
                .push_bind(l.is_organic)
                .push_bind(&l.platform)
                .push_bind(&l.lead_status)
                .push_bind(l.is_test)
                .push_bind(&l.full_name)
                .push_bind(&l.email)
                .push_bind(&l.phone)
                .push_bind(&l.answers)
                .push_bind(&l.body)
                .push_bind(&l.content_hash)
                .push_bind(l.line as i64);
        });
        q.build().execute(&mut *conn).await?;
    }
    let ids: Vec<(i64, u8, &[u8])> = leads
        .iter()
        .enumerate()
        .flat_map(|(pos, l)| l.identities.iter().map(move |(kind, hash)| (pos as i64, *kind, &hash[..])))
        .collect();
    for chunk in ids.chunks(STAGE_IDS) {
        let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO temp.import_staging_ids (pos, kind, hash) ");
        q.push_values(chunk, |mut row, (pos, kind, hash)| {
            row.push_bind(*pos).push_bind(i64::from(*kind)).push_bind(*hash);
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Stores one batch inside the caller's transaction and returns (imported, updated, unchanged).
async fn write_batch(
    conn: &mut SqliteConnection,
    client_id: &str,
    import_id: &str,
    file_name: &str,
    at: &str,
    batch: &Batch,
) -> Result<(u64, u64, u64), sqlx::Error> {
    let mut counts = (0, 0, 0);
    if !batch.leads.is_empty() {
        staging(conn).await?;
        stage(conn, &batch.leads).await?;
        // Correlated subqueries: one probe of the leads' unique index per staged row. (A join lets the
        // planner walk every stored lead instead, which grows with the table.)
        sqlx::query(
            "UPDATE temp.import_staging SET (lead_id, same) =
               (SELECT l.id, l.content_hash = import_staging.content_hash FROM leads AS l
                WHERE l.client_id = ?1 AND l.lead_key = import_staging.lead_key)",
        )
        .bind(client_id)
        .execute(&mut *conn)
        .await?;
        // Changed leads: drop their old index entries, then rewrite the row.
        sqlx::query("DELETE FROM leads_fts WHERE rowid IN (SELECT lead_id FROM temp.import_staging WHERE same = 0)")
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM identities WHERE lead_id IN (SELECT lead_id FROM temp.import_staging WHERE same = 0)")
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "UPDATE leads SET meta_id = s.meta_id, created_time = s.created_time, created_unix = s.created_unix,
                ad_id = s.ad_id, ad_name = s.ad_name, adset_id = s.adset_id, adset_name = s.adset_name,
                campaign_id = s.campaign_id, campaign_name = s.campaign_name, form_id = s.form_id,
                form_name = s.form_name, is_organic = s.is_organic, platform = s.platform,
                lead_status = s.lead_status, is_test = s.is_test, full_name = s.full_name, email = s.email,
                phone = s.phone, answers = s.answers, content_hash = s.content_hash, import_id = ?1,
                source_file = ?2, source_line = s.line, imported_at = ?3
             FROM (SELECT * FROM temp.import_staging WHERE same = 0) AS s WHERE leads.id = s.lead_id",
        )
        .bind(import_id)
        .bind(file_name)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO leads (client_id, lead_key, meta_id, created_time, created_unix, ad_id, ad_name, adset_id,
                adset_name, campaign_id, campaign_name, form_id, form_name, is_organic, platform, lead_status,
                is_test, full_name, email, phone, answers, content_hash, import_id, source_file, source_line,
                imported_at)
             SELECT ?1, lead_key, meta_id, created_time, created_unix, ad_id, ad_name, adset_id, adset_name,
                campaign_id, campaign_name, form_id, form_name, is_organic, platform, lead_status, is_test,
                full_name, email, phone, answers, content_hash, ?2, ?3, line, ?4
             FROM temp.import_staging WHERE lead_id IS NULL ORDER BY pos",
        )
        .bind(client_id)
        .bind(import_id)
        .bind(file_name)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE temp.import_staging SET lead_id =
               (SELECT l.id FROM leads AS l WHERE l.client_id = ?1 AND l.lead_key = import_staging.lead_key)
             WHERE lead_id IS NULL",
        )
        .bind(client_id)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO leads_fts (rowid, body) SELECT lead_id, body FROM temp.import_staging WHERE same IS NOT 1",
        )
        .execute(&mut *conn)
        .await?;
        // In hash order, so each page of the index is visited once per batch rather than at random.
        sqlx::query(
            "INSERT OR IGNORE INTO identities (hash, lead_id, kind)
             SELECT i.hash, s.lead_id, i.kind FROM temp.import_staging_ids AS i
             JOIN temp.import_staging AS s ON s.pos = i.pos WHERE s.same IS NOT 1 ORDER BY i.hash",
        )
        .execute(&mut *conn)
        .await?;
        let (new, changed, same): (i64, i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE same IS NULL), count(*) FILTER (WHERE same = 0), count(*) FILTER (WHERE same = 1)
             FROM temp.import_staging",
        )
        .fetch_one(&mut *conn)
        .await?;
        counts = (new as u64, changed as u64, same as u64);
        sqlx::query("DELETE FROM temp.import_staging").execute(&mut *conn).await?;
        sqlx::query("DELETE FROM temp.import_staging_ids").execute(&mut *conn).await?;
    }
    for r in &batch.rejections {
        sqlx::query("INSERT INTO import_rejections (import_id, line, reason) VALUES (?1, ?2, ?3)")
            .bind(import_id)
            .bind(r.line as i64)
            .bind(&r.reason)
            .execute(&mut *conn)
            .await?;
    }
    Ok(counts)
}

/// Everything one import needs to know besides the file.
pub struct Target<'a> {
    pub client_id: &'a str,
    pub client_name: &'a str,
    pub country: Option<String>,
    pub import_id: &'a str,
    pub at: &'a str,
    pub hasher: Hasher,
}

/// Reads the whole file into the store, batch by batch, reporting progress after each.
pub async fn run(
    store: &crate::store::Store,
    plan: Plan,
    target: Target<'_>,
    progress: &(dyn Fn(Progress) + Send + Sync),
    cancel: Arc<AtomicBool>,
) -> Result<(ImportSummary, Totals), sqlx::Error> {
    let started = Instant::now();
    let (file_name, format, total_bytes, notes) = (plan.file_name.clone(), plan.format(), plan.size(), plan.notes());
    let mut batches = spawn_parser(plan, target.hasher.clone(), target.country.clone(), Arc::clone(&cancel));
    let mut totals = Totals::default();
    let mut shown: Vec<Rejection> = Vec::new();
    let mut bulk = store.bulk().await.map_err(store_error)?;
    // The loop runs in its own block so the bulk connection gives its cache back on every path.
    let stored = async {
        while let Some(batch) = batches.recv().await {
            store_batch(&mut bulk, &target, &file_name, batch, &mut totals, &mut shown).await?;
            let elapsed = started.elapsed();
            progress(Progress {
                rows: totals.rows_read,
                bytes: totals.bytes,
                total_bytes,
                elapsed_ms: elapsed.as_millis() as u64,
                rows_per_second: per_second(totals.rows_read, elapsed),
            });
        }
        Ok::<(), sqlx::Error>(())
    }
    .await;
    let finished = bulk.finish().await.map_err(store_error);
    stored?;
    finished?;
    let elapsed = started.elapsed();
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
        cancelled: cancel.load(Ordering::Relaxed),
        elapsed_ms: elapsed.as_millis() as u64,
        rows_per_second: per_second(totals.rows_read, elapsed),
        notes,
    };
    Ok((summary, totals))
}

/// Stores one batch in its own transaction and adds it to the totals.
async fn store_batch(
    bulk: &mut crate::store::Bulk,
    target: &Target<'_>,
    file_name: &str,
    batch: Batch,
    totals: &mut Totals,
    shown: &mut Vec<Rejection>,
) -> Result<(), sqlx::Error> {
    let mut tx = bulk.write().await.map_err(store_error)?;
    let (new, changed, same) =
        write_batch(&mut tx, target.client_id, target.import_id, file_name, target.at, &batch).await?;
    totals.rows_read += batch.rows_read;
    totals.bytes = batch.bytes;
    totals.imported += new;
    totals.updated += changed;
    totals.duplicates += same + batch.duplicates;
    totals.rejected += batch.rejected;
    totals.test_leads += batch.test_leads;
    record_totals(&mut tx, target.import_id, totals, "running").await?;
    tx.commit().await?;
    shown.extend(batch.rejections.into_iter().take(SHOWN_REJECTIONS.saturating_sub(shown.len())));
    Ok(())
}

pub async fn record_totals(
    conn: &mut SqliteConnection,
    import_id: &str,
    t: &Totals,
    status: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE imports SET rows_read = ?2, imported = ?3, updated = ?4, duplicates = ?5, rejected = ?6,
            test_leads = ?7, status = ?8 WHERE id = ?1",
    )
    .bind(import_id)
    .bind(t.rows_read as i64)
    .bind(t.imported as i64)
    .bind(t.updated as i64)
    .bind(t.duplicates as i64)
    .bind(t.rejected as i64)
    .bind(t.test_leads as i64)
    .bind(status)
    .execute(conn)
    .await?;
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

fn store_error(e: crate::store::StoreError) -> sqlx::Error {
    match e {
        crate::store::StoreError::Sql(e) => e,
        other => sqlx::Error::Protocol(other.to_string()),
    }
}
