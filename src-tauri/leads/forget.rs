//! Removing many leads at once (a purge, a client's removal) with their search words and
//! identifiers, in the caller's transaction: the one way leads are removed in bulk.
//!
//! Lead by lead, through the leads' triggers, every row costs trigger programs and its own
//! search-index and identity-index deletes; at a million leads that was most of a purge. Here
//! words, identifiers and rows each go in bulk over the listed leads, with the triggers set aside.

use rusqlite::functions::FunctionFlags;
use sqlx::SqliteConnection;

use super::words::LISTED_FN;
use crate::store::{self, StoreError};

/// Which leads a bulk removal takes.
#[derive(Debug, Clone, Copy)]
pub enum Selection<'a> {
    /// Every lead of the client whose id is given.
    Client(&'a str),
    /// The client's leads created before `before` (seconds since 1970), except those a legal hold
    /// in force on `today` (YYYY-MM-DD) covers, when `holds_apply`.
    Due { client_id: &'a str, before: i64, today: &'a str, holds_apply: bool },
}

impl Selection<'_> {
    /// The leads (alias `l`) selected, as a condition with its parameters bound by `bind`.
    fn condition(&self) -> String {
        match self {
            Self::Client(_) => "l.client_num = (SELECT num FROM clients WHERE id = ?1)".to_owned(),
            Self::Due { holds_apply, .. } => super::due::due_condition(*holds_apply),
        }
    }

    fn bind<'q>(
        &self,
        q: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
        let (client_id, before, today) = match *self {
            Self::Client(id) => (id.to_owned(), 0, String::new()),
            Self::Due { client_id, before, today, .. } => (client_id.to_owned(), before, today.to_owned()),
        };
        // ?3 to ?8 are unused; ?9 is today, as the hold conditions name it.
        let mut q = q.bind(client_id).bind(before);
        for _ in 3..=8 {
            q = q.bind(None::<i64>);
        }
        q.bind(today)
    }
}

/// How many leads `selection` takes.
pub async fn count(conn: &mut SqliteConnection, selection: Selection<'_>) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT count(*) FROM leads AS l WHERE {}", selection.condition());
    let row = selection.bind(sqlx::query(&sql)).fetch_one(&mut *conn).await?;
    use sqlx::Row;
    row.try_get(0)
}

/// Removes the leads `selection` takes, with their words and identifiers; returns how many went.
/// Words in search parts that keep other leads stay readable, tombstoned, until
/// `super::words::drop_forgotten` rewrites those parts, which the caller runs once after all its
/// removals.
pub async fn remove(conn: &mut SqliteConnection, selection: Selection<'_>) -> Result<u64, StoreError> {
    start(conn).await?;
    let sql = format!("INSERT INTO temp.forgetting (id) SELECT l.id FROM leads AS l WHERE {}", selection.condition());
    selection.bind(sqlx::query(&sql)).execute(&mut *conn).await?;
    forget_listed(conn).await
}

/// Starts an empty list of leads to forget: the caller fills `temp.forgetting (id)`.
async fn start(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query("CREATE TEMP TABLE IF NOT EXISTS forgetting (id INTEGER PRIMARY KEY)").execute(&mut *conn).await?;
    sqlx::query("DELETE FROM temp.forgetting").execute(&mut *conn).await?;
    Ok(())
}

/// Deletes the leads listed in `temp.forgetting` with their words and identifiers, empties the
/// list, and returns how many leads went. Nothing listed, nothing done: the identity passes alone
/// would read the whole index.
async fn forget_listed(conn: &mut SqliteConnection) -> Result<u64, StoreError> {
    let any: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM temp.forgetting)").fetch_one(&mut *conn).await?;
    if !any {
        return Ok(0);
    }
    // Scanning an index for the listed leads' entries asks the list about every entry; as a B-tree
    // lookup that was most of the scan, where a bitmap answers in nanoseconds. The SQL below asks
    // it as `custodian_listed(id)`, defined on this connection only while this runs.
    store::direct(conn, |db| {
        let ids =
            db.prepare("SELECT id FROM temp.forgetting")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        let listed = Listed::new(ids);
        db.create_scalar_function(
            LISTED_FN,
            1,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            move |f| Ok(listed.contains(f.get(0)?)),
        )
    })
    .await??;
    let forgotten = forget(conn).await;
    store::direct(conn, |db| db.remove_function(LISTED_FN, 1)).await??;
    forgotten
}

async fn forget(conn: &mut SqliteConnection) -> Result<u64, StoreError> {
    super::words::forget_listed(conn).await?;
    // A sixteenth of the identity index at a time, in order: a statement gathers all it deletes
    // before deleting it. Both bounds are always given, so that each pass reads only its range.
    let delete = format!("DELETE FROM identities WHERE hash >= ?1 AND hash < ?2 AND {LISTED_FN}(lead_id)");
    for first in 0..16_u8 {
        // Past the last range: longer than any hash, and every byte the highest.
        let to = if first < 15 { vec![(first + 1) << 4] } else { vec![0xFF; 64] };
        sqlx::query(&delete).bind(vec![first << 4]).bind(to).execute(&mut *conn).await?;
    }
    let runs_waiting: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM identity_run_list)").fetch_one(&mut *conn).await?;
    if runs_waiting {
        // What `leads_forget_runs` does lead by lead: entries waiting in a run are skipped from now on.
        let hashes = super::person_hashes::each(" UNION ALL ", |c| {
            format!("SELECT l.id, l.{c} AS hash FROM leads AS l JOIN temp.forgetting AS f ON f.id = l.id")
        });
        sqlx::query(&format!(
            "INSERT INTO identity_run_dropped (hash, lead_id, upto)
             SELECT h.hash, h.id, (SELECT max(run) FROM identity_run_list)
             FROM ({hashes}) AS h
             WHERE h.hash IS NOT NULL
             ON CONFLICT (hash, lead_id) DO UPDATE SET upto = excluded.upto"
        ))
        .execute(&mut *conn)
        .await?;
    }
    // The triggers have nothing left to do, and merely firing them (reading each whole row for
    // them) was a third of deleting the rows. Dropped and recreated from their own definitions
    // inside this transaction, so no other connection ever sees the table without them.
    let triggers: Vec<(String, String)> =
        sqlx::query_as("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'leads'")
            .fetch_all(&mut *conn)
            .await?;
    for (name, _) in &triggers {
        sqlx::query(&format!("DROP TRIGGER \"{}\"", name.replace('"', "\"\""))).execute(&mut *conn).await?;
    }
    let deleted = sqlx::query("DELETE FROM leads WHERE id IN (SELECT id FROM temp.forgetting)")
        .execute(&mut *conn)
        .await?
        .rows_affected();
    for (_, sql) in &triggers {
        sqlx::query(sql).execute(&mut *conn).await?;
    }
    sqlx::query("DELETE FROM temp.forgetting").execute(&mut *conn).await?;
    Ok(deleted)
}

/// Lead ids as a bitmap over their range: lead ids are row ids, dense from 1.
struct Listed {
    first: i64,
    bits: Vec<u64>,
}

impl Listed {
    fn new(ids: Vec<i64>) -> Self {
        let first = ids.iter().copied().min().unwrap_or(0);
        let last = ids.iter().copied().max().unwrap_or(-1);
        let mut bits = vec![0_u64; usize::try_from((last - first + 64) / 64).unwrap_or(0)];
        for id in ids {
            let at = (id - first) as usize;
            bits[at / 64] |= 1 << (at % 64);
        }
        Self { first, bits }
    }

    fn contains(&self, id: i64) -> bool {
        let Some(at) = id.checked_sub(self.first).and_then(|d| usize::try_from(d).ok()) else { return false };
        self.bits.get(at / 64).is_some_and(|word| word >> (at % 64) & 1 == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::Listed;

    #[test]
    fn the_bitmap_holds_exactly_the_listed_ids() {
        let listed = Listed::new(vec![70, 5, 6, 133, 64]);
        let found: Vec<i64> = (-3..300).filter(|&id| listed.contains(id)).collect();
        assert_eq!(found, [5, 6, 64, 70, 133]);
        assert!(!listed.contains(i64::MIN) && !listed.contains(i64::MAX));
        let none = Listed::new(Vec::new());
        assert!(!(-1..3).any(|id| none.contains(id)));
    }
}
