//! Purging what has passed its retention period and no hold covers: each client and kind in a
//! transaction of its own with its audit entry, so an interrupted purge leaves whole steps done
//! and the next run does the rest.

use crate::clock::Moment;
use serde::Serialize;
use sqlx::SqliteConnection;
use ts_rs::TS;

use super::policy;
use crate::audit::Anchor;
use crate::personal_data::{DataKind, Due, Holder, Scope};
use crate::store::StoreError;

/// What one step purged (or, in a dry run, would purge).
#[derive(Debug, Clone, Serialize, TS)]
pub struct Purged {
    pub kind: DataKind,
    pub label: String,
    pub client: Option<String>,
    #[ts(type = "number")]
    pub days: i64,
    #[ts(type = "number")]
    pub count: i64,
    /// For audit entries: where the chain now starts.
    pub anchor: Option<Anchor>,
}

/// One client (id and name) a step purges, or `None` for the workspace.
pub type PurgeScope = Option<(String, String)>;

/// The scopes a holder is purged in: each client for a kind kept per client, the workspace
/// otherwise.
pub async fn scopes(conn: &mut SqliteConnection, holder: &dyn Holder) -> Result<Vec<PurgeScope>, sqlx::Error> {
    if holder.scope() != Scope::Client {
        return Ok(vec![None]);
    }
    Ok(crate::clients::ids_and_names(conn).await?.into_iter().map(Some).collect())
}

/// Counts (`delete` false) or deletes (`delete` true) what `holder` finds due in one scope as of
/// `now`.
pub async fn run_step(
    conn: &mut SqliteConnection,
    holder: &dyn Holder,
    scope: Option<&(String, String)>,
    now: Moment,
    delete: bool,
) -> Result<Purged, StoreError> {
    let client_id = scope.map(|(id, _)| id.as_str());
    let policy = policy(conn, holder.kind(), client_id).await?;
    let today = now.date_naive().to_string();
    let at = crate::clock::rfc3339(now);
    let due = Due {
        client_id,
        expiry: now.timestamp() - policy.days * 86_400,
        today: &today,
        holds_apply: any_hold(conn, now).await?,
        at: &at,
    };
    let removed = holder.purge(conn, &due, delete).await?;
    Ok(Purged {
        kind: holder.kind(),
        label: holder.label().into(),
        client: scope.map(|(_, name)| name.clone()),
        days: policy.days,
        count: removed.count,
        anchor: removed.anchor,
    })
}

/// Whether any legal hold, or any open request that holds its person, applies as of `now`.
async fn any_hold(conn: &mut SqliteConnection, now: Moment) -> Result<bool, sqlx::Error> {
    let sql = concat!("SELECT EXISTS (", crate::held_clients!(), ") OR EXISTS (", crate::held_hashes!(), ")");
    let row = bind(sqlx::query(sql), None, 0, now).fetch_one(&mut *conn).await?;
    use sqlx::Row;
    Ok(row.get::<bool, _>(0))
}

fn bind<'q>(
    q: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    client_id: Option<&'q str>,
    expiry: i64,
    now: Moment,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    q.bind(client_id)
        .bind(expiry)
        .bind(None::<i64>)
        .bind(None::<i64>)
        .bind(None::<i64>)
        .bind(None::<i64>)
        .bind(None::<i64>)
        .bind(None::<i64>)
        .bind(now.date_naive().to_string())
}
