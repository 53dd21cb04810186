//! Full-text search over the leads' answers, kept in parts of 65,536 leads by id: `leads_fts_<n>`
//! holds the words of leads `n << 16` to `(n + 1) << 16 - 1`, and `search_parts` lists the parts.
//!
//! Parts keep forgetting cheap. A removed row's words stay readable in the index until it is
//! rewritten ('optimize'), so every erasure, correction and purge ends with a rewrite: of the parts
//! it touched (`dirty`) rather than of the index for every lead held. And a part whose leads all go
//! is dropped whole, where deleting its rows one by one was most of a large purge.
//!
//! Each part is contentless (the text lives only in the index) with `contentless_delete`, and comes
//! with a trigger that removes a deleted lead's row from it and marks the part dirty.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

/// The SQL function that tells whether a lead id is listed for bulk removal, defined only while a
/// removal runs.
pub(super) const LISTED_FN: &str = "custodian_listed";

/// Leads per part, as a power of two.
const PART_BITS: u32 = 16;

fn part_of(lead_id: i64) -> i64 {
    lead_id >> PART_BITS
}

fn table(part: i64) -> String {
    format!("leads_fts_{part}")
}

/// The statements that make a part, when it does not exist yet.
fn creation(part: i64) -> [String; 4] {
    let t = table(part);
    let (from, to) = (part << PART_BITS, (part + 1) << PART_BITS);
    [
        format!(
            "CREATE VIRTUAL TABLE IF NOT EXISTS {t} USING fts5(body, content = '', contentless_delete = 1,
             detail = none, tokenize = 'unicode61 remove_diacritics 2')"
        ),
        format!("INSERT INTO {t} ({t}, rank) VALUES ('secure-delete', 1)"),
        format!(
            "CREATE TRIGGER IF NOT EXISTS {t}_forget AFTER DELETE ON leads WHEN old.id >= {from} AND old.id < {to}
             BEGIN
                 DELETE FROM {t} WHERE rowid = old.id;
                 UPDATE search_parts SET dirty = 1 WHERE part = {part};
             END"
        ),
        format!("INSERT OR IGNORE INTO search_parts (part) VALUES ({part})"),
    ]
}

async fn ensure(conn: &mut SqliteConnection, part: i64) -> Result<(), sqlx::Error> {
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM search_parts WHERE part = ?1)")
        .bind(part)
        .fetch_one(&mut *conn)
        .await?;
    if !exists {
        for sql in creation(part) {
            sqlx::query(&sql).execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// The parts there are, for a search.
pub async fn parts(conn: &mut SqliteConnection) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT part FROM search_parts ORDER BY part").fetch_all(conn).await
}

/// `rowid IN (…)` of the leads whose words match the FTS5 query `m`, in every part.
pub fn push_match(q: &mut QueryBuilder<'_, Sqlite>, parts: &[i64], m: &str) {
    if parts.is_empty() {
        q.push("0");
        return;
    }
    q.push("(");
    for (i, part) in parts.iter().enumerate() {
        let t = table(*part);
        if i > 0 {
            q.push(" UNION ALL ");
        }
        q.push(format!("SELECT rowid FROM {t} WHERE {t} MATCH ")).push_bind(m.to_owned());
    }
    q.push(")");
}

/// The ids of the leads whose words match the FTS5 query `m`, in order.
pub async fn matching(conn: &mut SqliteConnection, m: &str) -> Result<Vec<i64>, sqlx::Error> {
    let parts = parts(&mut *conn).await?;
    let mut q = QueryBuilder::new("SELECT rowid FROM ");
    push_match(&mut q, &parts, m);
    q.push(" ORDER BY rowid");
    q.build_query_scalar().fetch_all(conn).await
}

/// How many leads have their words in the index, in all parts: one row per lead.
pub async fn indexed(conn: &mut SqliteConnection) -> Result<i64, sqlx::Error> {
    let mut total = 0;
    for part in parts(&mut *conn).await? {
        let n: i64 =
            sqlx::query_scalar(&format!("SELECT count(*) FROM {}_docsize", table(part))).fetch_one(&mut *conn).await?;
        total += n;
    }
    Ok(total)
}

/// Replaces a lead's words (a correction); the part is then dirty until `drop_forgotten`.
pub async fn replace(conn: &mut SqliteConnection, lead_id: i64, body: &str) -> Result<(), sqlx::Error> {
    let part = part_of(lead_id);
    ensure(conn, part).await?;
    let t = table(part);
    sqlx::query(&format!("DELETE FROM {t} WHERE rowid = ?1")).bind(lead_id).execute(&mut *conn).await?;
    sqlx::query(&format!("INSERT INTO {t} (rowid, body) VALUES (?1, ?2)"))
        .bind(lead_id)
        .bind(body)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE search_parts SET dirty = 1 WHERE part = ?1").bind(part).execute(&mut *conn).await?;
    Ok(())
}

/// Removes the words of the leads listed in `temp.forgetting`: a part none of whose leads stay is
/// dropped whole (`secure_delete` zeroes its pages); from the others the listed rows are deleted,
/// and those parts stay dirty until `drop_forgotten`. Part of `super::forget::forget_listed`, which
/// defines the function that tells a listed lead.
pub(super) async fn forget_listed(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let touched: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT DISTINCT id >> {PART_BITS} FROM temp.forgetting AS f
         WHERE id >> {PART_BITS} IN (SELECT part FROM search_parts) ORDER BY 1"
    ))
    .fetch_all(&mut *conn)
    .await?;
    for part in touched {
        let t = table(part);
        let (from, to) = (part << PART_BITS, (part + 1) << PART_BITS);
        let staying: bool =
            sqlx::query_scalar(&format!("SELECT EXISTS (SELECT 1 FROM {t}_docsize WHERE NOT {}(id))", LISTED_FN))
                .fetch_one(&mut *conn)
                .await?;
        if !staying {
            sqlx::query(&format!("DROP TRIGGER IF EXISTS {t}_forget")).execute(&mut *conn).await?;
            sqlx::query(&format!("DROP TABLE {t}")).execute(&mut *conn).await?;
            sqlx::query("DELETE FROM search_parts WHERE part = ?1").bind(part).execute(&mut *conn).await?;
            continue;
        }
        // Merging as tombstones pile up, at every commit, would only be redone by the rewrite that
        // follows; `drop_forgotten` turns it back on.
        sqlx::query(&format!("INSERT INTO {t} ({t}, rank) VALUES ('automerge', 0)")).execute(&mut *conn).await?;
        sqlx::query(&format!("INSERT INTO {t} ({t}, rank) VALUES ('deletemerge', 0)")).execute(&mut *conn).await?;
        // One statement: the index writes out its tombstones at the end of every statement.
        sqlx::query(&format!(
            "DELETE FROM {t} WHERE rowid IN (SELECT id FROM temp.forgetting WHERE id >= {from} AND id < {to})"
        ))
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE search_parts SET dirty = 1 WHERE part = ?1").bind(part).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Rewrites the parts that removed rows since their last rewrite, leaving out every tombstoned
/// row, and turns their merging back on (FTS5's defaults). Every change that must leave no trace
/// ends with this; `secure_delete` zeroes the pages the rewrite frees.
pub async fn drop_forgotten(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let dirty: Vec<i64> =
        sqlx::query_scalar("SELECT part FROM search_parts WHERE dirty = 1").fetch_all(&mut *conn).await?;
    for part in dirty {
        let t = table(part);
        sqlx::query(&format!("INSERT INTO {t} ({t}) VALUES ('optimize')")).execute(&mut *conn).await?;
        sqlx::query(&format!("INSERT INTO {t} ({t}, rank) VALUES ('automerge', 4)")).execute(&mut *conn).await?;
        sqlx::query(&format!("INSERT INTO {t} ({t}, rank) VALUES ('deletemerge', 10)")).execute(&mut *conn).await?;
        sqlx::query("UPDATE search_parts SET dirty = 0 WHERE part = ?1").bind(part).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Moves the words of an index kept whole (before parts) into parts, rebuilt from the stored
/// answers, in one transaction; nothing to do once done.
pub async fn split_whole_index(pool: &sqlx::SqlitePool) -> Result<(), sqlx::Error> {
    let whole: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'leads_fts')")
            .fetch_one(pool)
            .await?;
    if !whole {
        return Ok(());
    }
    tracing::info!("splitting the full-text index into parts, once; this reads every lead");
    let mut tx = pool.begin().await?;
    let parts: Vec<i64> = sqlx::query_scalar(&format!("SELECT DISTINCT id >> {PART_BITS} FROM leads ORDER BY 1"))
        .fetch_all(&mut *tx)
        .await?;
    for part in parts {
        ensure(&mut tx, part).await?;
        sqlx::query(&format!(
            "INSERT INTO {} (rowid, body)
             SELECT l.id, (SELECT group_concat(j.value, char(10)) FROM json_each(l.answers) AS j WHERE j.value <> '')
             FROM leads AS l WHERE l.id >= ?1 AND l.id < ?2",
            table(part)
        ))
        .bind(part << PART_BITS)
        .bind((part + 1) << PART_BITS)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DROP TABLE leads_fts").execute(&mut *tx).await?;
    tx.commit().await
}

/// Adding leads' words during an import, on the importer's own connection: the part of each lead
/// is made when its first lead arrives.
pub struct Writer<'c> {
    conn: &'c rusqlite::Connection,
    part: Option<i64>,
    insert: Option<rusqlite::Statement<'c>>,
}

impl<'c> Writer<'c> {
    pub fn new(conn: &'c rusqlite::Connection) -> Self {
        Self { conn, part: None, insert: None }
    }

    pub fn insert(&mut self, lead_id: i64, body: &str) -> rusqlite::Result<()> {
        let part = part_of(lead_id);
        if self.part != Some(part) {
            let exists: bool =
                self.conn
                    .query_row("SELECT EXISTS (SELECT 1 FROM search_parts WHERE part = ?1)", [part], |r| r.get(0))?;
            if !exists {
                self.conn.execute_batch(&creation(part).join(";\n"))?;
            }
            self.insert =
                Some(self.conn.prepare(&format!("INSERT INTO {} (rowid, body) VALUES (?1, ?2)", table(part)))?);
            self.part = Some(part);
        }
        self.insert.as_mut().expect("prepared above").execute(rusqlite::params![lead_id, body])?;
        Ok(())
    }

    /// Removes a lead's words before it is rewritten; its old words stay in the part, tombstoned,
    /// until the part's next rewrite.
    pub fn remove(&mut self, lead_id: i64) -> rusqlite::Result<()> {
        let part = part_of(lead_id);
        self.conn.prepare_cached(&format!("DELETE FROM {} WHERE rowid = ?1", table(part)))?.execute([lead_id])?;
        self.conn.prepare_cached("UPDATE search_parts SET dirty = 1 WHERE part = ?1")?.execute([part])?;
        Ok(())
    }
}
