//! Purging what has passed its retention period and no hold covers: each client and kind in a
//! transaction of its own with its audit entry, so an interrupted purge leaves whole steps done
//! and the next run does the rest.

use serde::Serialize;
use sqlx::SqliteConnection;
use time::OffsetDateTime;
use ts_rs::TS;

use super::policy;
use crate::audit::{self, Anchor};

/// What one step purged (or, in a dry run, would purge).
#[derive(Debug, Clone, Serialize, TS)]
pub struct Purged {
    pub kind: String,
    pub label: String,
    pub client: Option<String>,
    #[ts(type = "number")]
    pub days: i64,
    #[ts(type = "number")]
    pub count: i64,
    /// For audit entries: where the chain now starts.
    pub anchor: Option<Anchor>,
}

/// A purge step: which records of a kind are past `?2` (seconds since 1970) and not held, with
/// the client's id as ?1 and today as ?9.
pub struct Step {
    pub kind: &'static str,
    pub label: &'static str,
    pub per_client: bool,
    /// The records' condition, for `SELECT count(*) FROM {table} WHERE …` and `DELETE FROM …`.
    pub table: &'static str,
    pub due: &'static str,
    /// Which of them a legal hold spares, when any hold applies at all: left out otherwise, as it
    /// would read every record for nothing.
    pub held: Option<&'static str>,
    /// The audit chain: purged as a prefix, leaving an anchor, rather than by `table` and `due`.
    pub chain: bool,
}

/// The kinds a purge removes, audit entries last so that the other steps' entries age with them.
pub const STEPS: &[Step] = &[
    Step {
        kind: "leads",
        label: "leads",
        per_client: true,
        table: "leads AS l",
        due: "l.client_num = (SELECT num FROM clients WHERE id = ?1) AND l.created_unix < ?2",
        held: Some(crate::lead_held!()),
        chain: false,
    },
    Step {
        kind: "request_records",
        label: "closed request records",
        per_client: false,
        table: "requests AS r",
        due: "r.closed_at IS NOT NULL AND unixepoch(r.closed_at) < ?2",
        held: None,
        chain: false,
    },
    Step {
        kind: "audit_entries",
        label: "audit entries",
        per_client: false,
        table: "audit_entries",
        due: "",
        held: None,
        chain: true,
    },
];

/// The scopes of a step: each client for a per-client kind, the workspace otherwise.
pub async fn scopes(conn: &mut SqliteConnection, step: &Step) -> Result<Vec<Option<(String, String)>>, sqlx::Error> {
    if !step.per_client {
        return Ok(vec![None]);
    }
    let clients: Vec<(String, String)> =
        sqlx::query_as("SELECT id, name FROM clients ORDER BY name").fetch_all(&mut *conn).await?;
    Ok(clients.into_iter().map(Some).collect())
}

/// Counts (`delete` false) or deletes (`delete` true) what `step` finds due in one scope as of `now`.
pub async fn run_step(
    conn: &mut SqliteConnection,
    step: &Step,
    scope: Option<&(String, String)>,
    now: OffsetDateTime,
    delete: bool,
) -> Result<Purged, sqlx::Error> {
    let client_id = scope.map(|(id, _)| id.as_str());
    let policy = policy(conn, step.kind, client_id).await?;
    let expiry = now.unix_timestamp() - policy.days * 86_400;
    // Table and condition come from the constant steps above, never from input.
    let mut anchor = None;
    let due = match step.held {
        Some(held) if any_hold(conn, now).await? => format!("{} AND NOT {held}", step.due),
        _ => step.due.to_owned(),
    };
    let count = if step.chain && delete {
        let at = now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
        match audit::purge_before(conn, expiry, &at).await? {
            Some((count, moved)) => {
                anchor = Some(moved);
                count
            }
            None => 0,
        }
    } else if step.chain {
        audit::count_before(conn, expiry).await?
    } else if delete && step.kind == "leads" {
        // Listed first, then deleted with their words and identifiers in statements of their own.
        sqlx::query("CREATE TEMP TABLE IF NOT EXISTS purging (id INTEGER PRIMARY KEY)").execute(&mut *conn).await?;
        let sql = format!("INSERT INTO temp.purging (id) SELECT l.id FROM {} WHERE {due}", step.table);
        let count = bind(sqlx::query(&sql), client_id, expiry, now).execute(&mut *conn).await?.rows_affected() as i64;
        purge_leads(conn).await?;
        count
    } else if delete {
        let sql = format!("DELETE FROM {} WHERE {}", step.table, due);
        bind(sqlx::query(&sql), client_id, expiry, now).execute(&mut *conn).await?.rows_affected() as i64
    } else {
        let sql = format!("SELECT count(*) FROM {} WHERE {}", step.table, due);
        bind(sqlx::query(&sql), client_id, expiry, now).fetch_one(&mut *conn).await.map(|r| {
            use sqlx::Row;
            r.get::<i64, _>(0)
        })?
    };
    Ok(Purged {
        kind: step.kind.into(),
        label: step.label.into(),
        client: scope.map(|(_, name)| name.clone()),
        days: policy.days,
        count,
        anchor,
    })
}

/// Whether any legal hold, or any open request that holds its person, applies as of `now`.
async fn any_hold(conn: &mut SqliteConnection, now: OffsetDateTime) -> Result<bool, sqlx::Error> {
    let sql = concat!("SELECT EXISTS (", crate::held_clients!(), ") OR EXISTS (", crate::held_hashes!(), ")");
    let row = bind(sqlx::query(sql), None, 0, now).fetch_one(&mut *conn).await?;
    use sqlx::Row;
    Ok(row.get::<bool, _>(0))
}

/// How many leads one DELETE statement removes. A statement keeps the original of every page it
/// changes (in memory) until it ends: one statement for a million leads held 950 MiB.
const LEADS_PER_STATEMENT: i64 = 25_000;

/// Deletes the leads listed in `temp.purging`, in the caller's transaction, with their words and
/// identifiers, in statements of bounded size, and empties the list.
async fn purge_leads(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    // Words go in one statement: the search index writes out its tombstones at the end of each
    // statement, and rewrites them whole each time. Identifiers go in ordered passes over their
    // index, a sixteenth of it at a time. The trigger that would do both lead by lead stands aside.
    sqlx::query("UPDATE bulk_forget SET active = 1").execute(&mut *conn).await?;
    sqlx::query("DELETE FROM leads_fts WHERE rowid IN (SELECT id FROM temp.purging)").execute(&mut *conn).await?;
    for first in 0..16_u8 {
        let from = [first << 4];
        let to = (first < 15).then(|| [(first + 1) << 4]);
        sqlx::query(
            "DELETE FROM identities WHERE hash >= ?1 AND (?2 IS NULL OR hash < ?2)
             AND lead_id IN (SELECT id FROM temp.purging)",
        )
        .bind(&from[..])
        .bind(to.as_ref().map(|t| &t[..]))
        .execute(&mut *conn)
        .await?;
    }
    let mut after = 0_i64;
    loop {
        let last: Option<i64> =
            sqlx::query_scalar("SELECT max(id) FROM (SELECT id FROM temp.purging WHERE id > ?1 ORDER BY id LIMIT ?2)")
                .bind(after)
                .bind(LEADS_PER_STATEMENT)
                .fetch_one(&mut *conn)
                .await?;
        let Some(last) = last else { break };
        sqlx::query("DELETE FROM leads WHERE id > ?1 AND id <= ?2 AND id IN (SELECT id FROM temp.purging)")
            .bind(after)
            .bind(last)
            .execute(&mut *conn)
            .await?;
        after = last;
    }
    sqlx::query("UPDATE bulk_forget SET active = 0").execute(&mut *conn).await?;
    sqlx::query("DELETE FROM temp.purging").execute(&mut *conn).await?;
    Ok(())
}

fn bind<'q>(
    q: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    client_id: Option<&'q str>,
    expiry: i64,
    now: OffsetDateTime,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    q.bind(client_id)
        .bind(expiry)
        .bind(None::<i64>)
        .bind(None::<i64>)
        .bind(None::<i64>)
        .bind(None::<i64>)
        .bind(None::<i64>)
        .bind(None::<i64>)
        .bind(now.date().to_string())
}
