//! Writing the identity index in bulk. Keyed hashes are uniformly random, so inserting a batch of
//! them straight into a large index rewrites nearly every page of it, batch after batch. Instead a
//! bulk writer appends each transaction's identifiers, sorted and packed into blocks, as a run in
//! `identity_run_blocks` (a few rows per thousand identifiers, written once, in order), and folds
//! all runs into `identities` in one merge at the end. Lookups read the runs too, so a lead is
//! findable the moment it is stored, and a run left behind by an interrupted import is folded by
//! the next writer or the next start.
//!
//! A packed block cannot lose one entry, so an entry that stops being true while it waits in a run
//! (its lead changed or went) is listed in `identity_run_dropped` with the newest run it may be in;
//! lookups and the fold skip it there, and the fold empties the list.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use rusqlite::{Connection, Rows};

use crate::identity::{IdentityHash, HASH_LEN};

/// One identifier of one lead, ordered as the index orders them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub hash: IdentityHash,
    pub lead_id: i64,
    pub kind: u8,
}

/// An entry packed in a block: the hash, the lead id (8 bytes, big-endian) and the kind.
pub const ENTRY_BYTES: usize = HASH_LEN + 8 + 1;

/// Entries per block: a block fits within one database page, so a lookup reads one page per run.
const BLOCK_ENTRIES: usize = 512;

impl Entry {
    fn pack(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.hash);
        out.extend_from_slice(&self.lead_id.to_be_bytes());
        out.push(self.kind);
    }

    fn unpack(bytes: &[u8]) -> Self {
        let hash = bytes[..HASH_LEN].try_into().expect("an entry holds a whole hash");
        let lead_id = i64::from_be_bytes(bytes[HASH_LEN..HASH_LEN + 8].try_into().expect("and a lead id"));
        Self { hash, lead_id, kind: bytes[HASH_LEN + 8] }
    }
}

/// The lead ids under `hash` in a packed block.
fn leads_in_block(block: &[u8], hash: &IdentityHash) -> Vec<i64> {
    let count = block.len() / ENTRY_BYTES;
    let at = |i: usize| &block[i * ENTRY_BYTES..i * ENTRY_BYTES + HASH_LEN];
    // The first entry whose hash is not below `hash`.
    let (mut low, mut high) = (0, count);
    while low < high {
        let mid = (low + high) / 2;
        if at(mid) < &hash[..] {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    (low..count).take_while(|&i| at(i) == &hash[..]).map(|i| Entry::unpack(&block[i * ENTRY_BYTES..]).lead_id).collect()
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
    let mut insert =
        conn.prepare_cached("INSERT INTO identity_run_blocks (run, first, entries) VALUES (?1, ?2, ?3)")?;
    let mut block = Vec::with_capacity((BLOCK_ENTRIES + 16) * ENTRY_BYTES);
    for part in blocks(entries, BLOCK_ENTRIES) {
        block.clear();
        part.iter().for_each(|e| e.pack(&mut block));
        insert.execute(rusqlite::params![run, &part[0].hash[..], block])?;
    }
    entries.clear();
    Ok(())
}

/// Sorted `entries` cut into blocks of about `size`. A block never splits the entries of one hash,
/// so a lookup finds them all in the one block whose first hash is the greatest not above it.
fn blocks(entries: &[Entry], size: usize) -> Vec<&[Entry]> {
    let mut out = Vec::with_capacity(entries.len() / size + 1);
    let mut start = 0;
    while start < entries.len() {
        let mut end = (start + size).min(entries.len());
        while end < entries.len() && entries[end].hash == entries[end - 1].hash {
            end += 1;
        }
        out.push(&entries[start..end]);
        start = end;
    }
    out
}

/// Marks `hash` of `lead_id` as no longer true in the runs written so far. Call inside a write
/// transaction, when a lead that may have entries in a run changes.
pub fn drop_entry(conn: &Connection, hash: &[u8], lead_id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(DROP_ENTRY)?.execute(rusqlite::params![hash, lead_id])?;
    Ok(())
}

/// Lists an entry as dropped from every run so far; nothing when there are no runs.
const DROP_ENTRY: &str = "INSERT INTO identity_run_dropped (hash, lead_id, upto)
    SELECT ?1, ?2, max(run) FROM identity_run_list WHERE true HAVING max(run) IS NOT NULL
    ON CONFLICT (hash, lead_id) DO UPDATE SET upto = excluded.upto";

/// Merges every run into `identities` in hash order, so each page of the index is written at most
/// once, then empties the runs. Call inside a write transaction. Returns the entries merged.
pub fn fold(conn: &Connection) -> rusqlite::Result<u64> {
    let runs: Vec<i64> =
        conn.prepare("SELECT run FROM identity_run_list")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    if runs.is_empty() {
        return Ok(0);
    }
    let dropped: HashMap<(IdentityHash, i64), i64> = conn
        .prepare("SELECT hash, lead_id, upto FROM identity_run_dropped")?
        .query_map([], |r| Ok(((hash_of(r.get_ref(0)?.as_blob()?)?, r.get(1)?), r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut statements = Vec::with_capacity(runs.len());
    for _ in &runs {
        statements.push(conn.prepare("SELECT entries FROM identity_run_blocks WHERE run = ?1 ORDER BY first")?);
    }
    let mut cursors = Vec::with_capacity(runs.len());
    for (statement, &run) in statements.iter_mut().zip(&runs) {
        cursors.push(Cursor { run, rows: statement.query([run])?, block: Vec::new(), at: 0 });
    }
    // A k-way merge: memory is one block per run, whatever the runs hold.
    let mut heads = BinaryHeap::with_capacity(cursors.len());
    for (i, cursor) in cursors.iter_mut().enumerate() {
        if let Some(e) = cursor.next()? {
            heads.push(Reverse((e, i)));
        }
    }
    let mut merged = 0;
    let mut out = Vec::with_capacity(ROWS_PER_INSERT);
    while let Some(Reverse((e, i))) = heads.pop() {
        let run = cursors[i].run;
        if dropped.get(&(e.hash, e.lead_id)).is_none_or(|&upto| run > upto) {
            out.push(e);
        }
        if out.len() == ROWS_PER_INSERT {
            insert(conn, &out)?;
            merged += out.len() as u64;
            out.clear();
        }
        if let Some(e) = cursors[i].next()? {
            heads.push(Reverse((e, i)));
        }
    }
    if !out.is_empty() {
        insert(conn, &out)?;
        merged += out.len() as u64;
    }
    drop(cursors);
    conn.execute_batch(
        "DELETE FROM identity_run_blocks; DELETE FROM identity_run_list; DELETE FROM identity_run_dropped;",
    )?;
    Ok(merged)
}

/// Entries per INSERT statement: for rows this small, running a statement costs more than the
/// B-tree work of the row.
const ROWS_PER_INSERT: usize = 128;

/// Inserts `entries` into the index in one statement.
fn insert(conn: &Connection, entries: &[Entry]) -> rusqlite::Result<()> {
    const HEAD: &str = "INSERT INTO identities (hash, lead_id, kind) VALUES ";
    const ROW: &str = "(?, ?, ?)";
    let mut sql = String::with_capacity(HEAD.len() + entries.len() * (ROW.len() + 1) + 32);
    sql.push_str(HEAD);
    for i in 0..entries.len() {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(ROW);
    }
    sql.push_str(" ON CONFLICT DO NOTHING");
    let mut statement = conn.prepare_cached(&sql)?;
    for (i, e) in entries.iter().enumerate() {
        statement.raw_bind_parameter(3 * i + 1, &e.hash[..])?;
        statement.raw_bind_parameter(3 * i + 2, e.lead_id)?;
        statement.raw_bind_parameter(3 * i + 3, e.kind)?;
    }
    statement.raw_execute()?;
    Ok(())
}

/// Whether any run waits to be folded: 1 or 0.
pub const ANY_RUNS: &str = "SELECT EXISTS (SELECT 1 FROM identity_run_list)";

/// A lookup of a hash (?1), in one statement so that it reads one snapshot: a fold in between
/// cannot move an entry out of sight. Rows of (part, number, upto, block):
/// - part 0, each lead id under the hash in the index;
/// - part 1, each run's number with the one block of it that can hold the hash;
/// - part 2, each lead id whose entry under the hash is dropped from the runs up to `upto`.
pub const LOOKUP: &str = "SELECT 0, lead_id, NULL, NULL FROM identities WHERE hash = ?1
    UNION ALL
    SELECT 1, l.run, NULL, b.entries FROM identity_run_list AS l
    JOIN identity_run_blocks AS b ON b.run = l.run
        AND b.first = (SELECT max(first) FROM identity_run_blocks WHERE run = l.run AND first <= ?1)
    UNION ALL
    SELECT 2, lead_id, upto, NULL FROM identity_run_dropped WHERE hash = ?1";

/// A row of `LOOKUP`.
pub type LookupRow = (i64, i64, Option<i64>, Option<Vec<u8>>);

/// The lead ids under `hash`, from the rows of `LOOKUP`.
pub fn looked_up(hash: &IdentityHash, rows: Vec<LookupRow>) -> Vec<i64> {
    let dropped: Vec<(i64, i64)> = rows.iter().filter(|r| r.0 == 2).map(|r| (r.1, r.2.unwrap_or(i64::MAX))).collect();
    let mut leads = Vec::new();
    for (part, n, _, block) in rows {
        match (part, block) {
            (0, _) => leads.push(n),
            (1, Some(block)) => {
                let stale = |lead: &i64| dropped.iter().any(|&(id, upto)| id == *lead && n <= upto);
                leads.extend(leads_in_block(&block, hash).into_iter().filter(|lead| !stale(lead)));
            }
            _ => {}
        }
    }
    leads.sort_unstable();
    leads.dedup();
    leads
}

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

/// Reads one run's entries in order, a block at a time.
struct Cursor<'s> {
    run: i64,
    rows: Rows<'s>,
    block: Vec<u8>,
    at: usize,
}

impl Cursor<'_> {
    fn next(&mut self) -> rusqlite::Result<Option<Entry>> {
        while self.at + ENTRY_BYTES > self.block.len() {
            let Some(row) = self.rows.next()? else { return Ok(None) };
            self.block.clear();
            self.block.extend_from_slice(row.get_ref(0)?.as_blob()?);
            self.at = 0;
        }
        let e = Entry::unpack(&self.block[self.at..]);
        self.at += ENTRY_BYTES;
        Ok(Some(e))
    }
}

fn hash_of(bytes: &[u8]) -> rusqlite::Result<IdentityHash> {
    bytes.try_into().map_err(|_| rusqlite::Error::InvalidColumnType(0, "hash".into(), rusqlite::types::Type::Blob))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(h: u8, lead_id: i64) -> Entry {
        Entry { hash: [h; HASH_LEN], lead_id, kind: 1 }
    }

    fn packed(entries: &[Entry]) -> Vec<u8> {
        let mut out = Vec::new();
        entries.iter().for_each(|e| e.pack(&mut out));
        out
    }

    #[test]
    fn a_block_never_splits_the_entries_of_one_hash() {
        let entries = [entry(1, 1), entry(2, 1), entry(2, 2), entry(2, 3), entry(3, 1), entry(4, 1), entry(4, 2)];
        let cut: Vec<Vec<i64>> = blocks(&entries, 2)
            .iter()
            .map(|b| b.iter().map(|e| i64::from(e.hash[0]) * 10 + e.lead_id).collect())
            .collect();
        assert_eq!(cut, [vec![11, 21, 22, 23], vec![31, 41, 42]]);
        assert!(blocks(&[], 2).is_empty());
    }

    #[test]
    fn a_block_yields_every_lead_under_a_hash_and_nothing_else() {
        let block = packed(&[entry(1, 7), entry(3, 1), entry(3, 2), entry(3, 9), entry(5, 4)]);
        assert_eq!(leads_in_block(&block, &[3; HASH_LEN]), [1, 2, 9]);
        assert_eq!(leads_in_block(&block, &[1; HASH_LEN]), [7]);
        assert_eq!(leads_in_block(&block, &[5; HASH_LEN]), [4]);
        assert!(leads_in_block(&block, &[0; HASH_LEN]).is_empty());
        assert!(leads_in_block(&block, &[4; HASH_LEN]).is_empty());
        assert!(leads_in_block(&block, &[6; HASH_LEN]).is_empty());
        assert!(leads_in_block(&[], &[3; HASH_LEN]).is_empty());
    }

    #[test]
    fn a_lookup_skips_entries_dropped_from_the_runs_they_are_in() {
        let hash = [3; HASH_LEN];
        let rows = vec![
            (0, 100, None, None),
            (1, 1, None, Some(packed(&[entry(3, 5), entry(3, 6)]))),
            (1, 2, None, Some(packed(&[entry(3, 5), entry(4, 8)]))),
            // Lead 5 changed after run 1 and got the same hash again in run 2; lead 6 went.
            (2, 5, Some(1), None),
            (2, 6, Some(2), None),
        ];
        assert_eq!(looked_up(&hash, rows), [5, 100]);
    }
}
