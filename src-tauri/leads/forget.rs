//! Removing many leads at once (a purge, a client's removal) with their search words and
//! identifiers, in the caller's transaction.
//!
//! Lead by lead, through the `leads_forget` trigger, every row costs a trigger program and its own
//! search-index and identity-index deletes; at a million leads that was most of a purge. Here each
//! of the three goes in one statement over the listed leads, with the leads' triggers set aside.

use sqlx::SqliteConnection;

/// Starts an empty list of leads to forget: the caller fills `temp.forgetting (id)`.
pub async fn start(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query("CREATE TEMP TABLE IF NOT EXISTS forgetting (id INTEGER PRIMARY KEY)").execute(&mut *conn).await?;
    sqlx::query("DELETE FROM temp.forgetting").execute(&mut *conn).await?;
    Ok(())
}

/// Deletes the leads listed in `temp.forgetting` with their words and identifiers, empties the
/// list, and returns how many leads went. Their words stay readable in the search index's
/// tombstoned segments until `super::drop_forgotten_words` rewrites it, which the caller must run
/// (once, after all its removals).
pub async fn forget_listed(conn: &mut SqliteConnection) -> Result<u64, sqlx::Error> {
    // The index would merge segments as tombstones pile up, at every commit, only for the rewrite
    // that follows to redo the work; `drop_forgotten_words` turns merging back on.
    sqlx::query("INSERT INTO leads_fts (leads_fts, rank) VALUES ('automerge', 0)").execute(&mut *conn).await?;
    sqlx::query("INSERT INTO leads_fts (leads_fts, rank) VALUES ('deletemerge', 0)").execute(&mut *conn).await?;
    // One statement: the index writes out its tombstones at the end of every statement, rewriting
    // them whole each time.
    sqlx::query("DELETE FROM leads_fts WHERE rowid IN (SELECT id FROM temp.forgetting)").execute(&mut *conn).await?;
    // One ordered pass over the identity index, rather than a random descent per identifier.
    sqlx::query("DELETE FROM identities WHERE lead_id IN (SELECT id FROM temp.forgetting)").execute(&mut *conn).await?;
    let runs_waiting: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM identity_run_list)").fetch_one(&mut *conn).await?;
    if runs_waiting {
        // What `leads_forget_runs` does lead by lead: entries waiting in a run are skipped from now on.
        sqlx::query(
            "INSERT INTO identity_run_dropped (hash, lead_id, upto)
             SELECT h.hash, h.id, (SELECT max(run) FROM identity_run_list)
             FROM (SELECT l.id, l.id_hash AS hash FROM leads AS l JOIN temp.forgetting AS f ON f.id = l.id
                   UNION ALL SELECT l.id, l.email_hash FROM leads AS l JOIN temp.forgetting AS f ON f.id = l.id
                   UNION ALL SELECT l.id, l.phone_hash FROM leads AS l JOIN temp.forgetting AS f ON f.id = l.id) AS h
             WHERE h.hash IS NOT NULL
             ON CONFLICT (hash, lead_id) DO UPDATE SET upto = excluded.upto",
        )
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
