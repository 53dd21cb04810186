//! Writing the identity index in bulk. Keyed hashes are uniformly random, so inserting a batch of
//! them straight into a large index rewrites nearly every page of it, batch after batch. Instead a
//! bulk writer appends each transaction's identifiers, sorted, as a run of `identity_runs` (pages
//! written once, in order) and folds all runs into `identities` in one merge at the end. Lookups
//! read the runs too, so a lead is findable the moment it is stored, and a run left behind by an
//! interrupted import is folded by the next writer or the next start.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rusqlite::{Connection, Rows};

use super::IdentityHash;

/// One identifier of one lead, ordered as the index orders them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub hash: IdentityHash,
    pub lead_id: i64,
    pub kind: u8,
}

/// Appends `entries` as a new run, sorted, and empties the vector. Call inside a write transaction.
pub fn append(conn: &Connection, entries: &mut Vec<Entry>) -> rusqlite::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    entries.sort_unstable();
    entries.dedup_by(|a, b| a.hash == b.hash && a.lead_id == b.lead_id);
    conn.execute("INSERT INTO identity_run_list (run) SELECT coalesce(max(run), 0) + 1 FROM identity_run_list", [])?;
    let run = conn.last_insert_rowid();
    for chunk in entries.chunks(ROWS_PER_INSERT) {
        insert(conn, "INSERT INTO identity_runs (run, hash, lead_id, kind) VALUES ", Some(run), chunk)?;
    }
    entries.clear();
    Ok(())
}

/// Entries per INSERT statement: for rows this small, running a statement costs more than the
/// B-tree work of the row.
const ROWS_PER_INSERT: usize = 128;

/// Inserts `entries` in one statement, each row led by `run` when given.
fn insert(conn: &Connection, head: &str, run: Option<i64>, entries: &[Entry]) -> rusqlite::Result<()> {
    let row = if run.is_some() { "(?, ?, ?, ?)" } else { "(?, ?, ?)" };
    let mut sql = String::with_capacity(head.len() + entries.len() * (row.len() + 1) + 16);
    sql.push_str(head);
    for i in 0..entries.len() {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(row);
    }
    if run.is_none() {
        sql.push_str(" ON CONFLICT DO NOTHING");
    }
    let mut statement = conn.prepare_cached(&sql)?;
    let mut at = 1;
    for e in entries {
        if let Some(run) = run {
            statement.raw_bind_parameter(at, run)?;
            at += 1;
        }
        statement.raw_bind_parameter(at, &e.hash[..])?;
        statement.raw_bind_parameter(at + 1, e.lead_id)?;
        statement.raw_bind_parameter(at + 2, e.kind)?;
        at += 3;
    }
    statement.raw_execute()?;
    Ok(())
}

/// Merges every run into `identities` in hash order, so each page of the index is written at most
/// once, then empties `identity_runs`. Call inside a write transaction. Returns the entries merged.
pub fn fold(conn: &Connection) -> rusqlite::Result<u64> {
    let runs: Vec<i64> =
        conn.prepare("SELECT run FROM identity_run_list")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    if runs.is_empty() {
        return Ok(0);
    }
    let mut statements = Vec::with_capacity(runs.len());
    for _ in &runs {
        statements
            .push(conn.prepare("SELECT hash, lead_id, kind FROM identity_runs WHERE run = ?1 ORDER BY hash, lead_id")?);
    }
    let mut cursors = Vec::with_capacity(runs.len());
    for (statement, run) in statements.iter_mut().zip(&runs) {
        cursors.push(statement.query([run])?);
    }
    // A k-way merge: memory is one entry per run, whatever the runs hold.
    let mut heads = BinaryHeap::with_capacity(cursors.len());
    for (i, cursor) in cursors.iter_mut().enumerate() {
        if let Some(e) = next(cursor)? {
            heads.push(Reverse((e, i)));
        }
    }
    let mut merged = 0;
    let mut out = Vec::with_capacity(ROWS_PER_INSERT);
    while let Some(Reverse((e, i))) = heads.pop() {
        out.push(e);
        if out.len() == ROWS_PER_INSERT {
            insert(conn, "INSERT INTO identities (hash, lead_id, kind) VALUES ", None, &out)?;
            merged += out.len() as u64;
            out.clear();
        }
        if let Some(e) = next(&mut cursors[i])? {
            heads.push(Reverse((e, i)));
        }
    }
    if !out.is_empty() {
        insert(conn, "INSERT INTO identities (hash, lead_id, kind) VALUES ", None, &out)?;
        merged += out.len() as u64;
    }
    drop(cursors);
    conn.execute("DELETE FROM identity_runs", [])?;
    conn.execute("DELETE FROM identity_run_list", [])?;
    Ok(merged)
}

/// Whether any run waits to be folded: 1 or 0.
pub const ANY_RUNS: &str = "SELECT EXISTS (SELECT 1 FROM identity_run_list)";

/// Folds every run in a transaction of its own, without taking the write lock when there are none:
/// an import's own runs when it ends, or what an interrupted one left.
pub fn fold_all(conn: &Connection) -> rusqlite::Result<u64> {
    let any: bool = conn.query_row(ANY_RUNS, [], |r| r.get(0))?;
    if !any {
        return Ok(0);
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    match fold(conn) {
        Ok(n) => conn.execute_batch("COMMIT").map(|()| n),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

fn next(rows: &mut Rows<'_>) -> rusqlite::Result<Option<Entry>> {
    let Some(row) = rows.next()? else { return Ok(None) };
    let hash: Vec<u8> = row.get(0)?;
    let hash: IdentityHash = hash
        .try_into()
        .map_err(|_| rusqlite::Error::InvalidColumnType(0, "hash".into(), rusqlite::types::Type::Blob))?;
    Ok(Some(Entry { hash, lead_id: row.get(1)?, kind: row.get(2)? }))
}
