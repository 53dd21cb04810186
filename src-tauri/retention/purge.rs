//! Purging what has passed its retention period and no hold covers: each client and kind in a
//! transaction of its own with its audit entry, so an interrupted purge leaves whole steps done
//! and the next run does the rest.

use serde::Serialize;
use sqlx::SqliteConnection;
use time::OffsetDateTime;
use ts_rs::TS;

use super::policy;
use crate::audit::{self, Anchor};
use crate::store::StoreError;

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
        held: Some(crate::request_held!()),
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
) -> Result<Purged, StoreError> {
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
        crate::leads::forget::start(conn).await?;
        let sql = format!("INSERT INTO temp.forgetting (id) SELECT l.id FROM {} WHERE {due}", step.table);
        bind(sqlx::query(&sql), client_id, expiry, now).execute(&mut *conn).await?;
        crate::leads::forget::forget_listed(conn).await? as i64
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
