//! Retention: how long each kind of data is kept, what is held and how old it is, and what falls
//! due. Every decision takes `now` as a parameter, so the same code answers for any day.

pub mod holds;
pub mod purge;
pub mod runs;

use crate::clock::Moment;
use serde::Serialize;
use sqlx::SqliteConnection;
use ts_rs::TS;

use crate::personal_data::{DataKind, Holder, Scope};

/// The ages the review counts records in, as (label, up to this many days).
const AGE_BANDS: [(&str, i64); 6] = [
    ("under 30 days", 30),
    ("30–90 days", 90),
    ("90–180 days", 180),
    ("180 days – 1 year", 365),
    ("1–2 years", 730),
    ("over 2 years", i64::MAX),
];

#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error("{0} are not kept by a retention policy.")]
    NotKept(&'static str),
    #[error("{0} is kept for the workspace as a whole; its policy cannot differ per client.")]
    NotPerClient(String),
    #[error("A retention period is from 1 to 36,500 days.")]
    BadDays,
    #[error("A retention change needs its reason (an agreement, a legal duty), which the audit trail keeps.")]
    NoReason,
    #[error("A reason is kept in the audit trail and can be at most {} characters long; say it shortly and keep the detail in your own records.", crate::audit::MAX_REASON_CHARS)]
    ReasonTooLong,
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// The policy that applies: a client's own, or the workspace default.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Policy {
    #[ts(type = "number")]
    pub days: i64,
    pub reason: String,
    /// True when the client overrides the workspace default.
    pub client_override: bool,
    pub set_at: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AgeBand {
    pub label: String,
    #[ts(type = "number")]
    pub count: i64,
}

/// One kind of data of one client (or of the workspace): its policy, what is held, how old.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Review {
    pub kind: DataKind,
    pub label: String,
    pub client: Option<String>,
    pub policy: Policy,
    #[ts(type = "number")]
    pub held: i64,
    /// Records a legal hold covers: never purged, whatever their age.
    #[ts(type = "number")]
    pub on_hold: i64,
    /// The oldest record's age reference, RFC 3339.
    pub oldest: Option<String>,
    pub ages: Vec<AgeBand>,
    /// Past its retention period as of now, and not on hold.
    #[ts(type = "number")]
    pub due_now: i64,
    /// Due within the next 7 days, those due now included.
    #[ts(type = "number")]
    pub due_within_7_days: i64,
    #[ts(type = "number")]
    pub due_within_30_days: i64,
}

/// The policy for `kind`, of `client_id` where it has its own.
pub async fn policy(
    conn: &mut SqliteConnection,
    kind: DataKind,
    client_id: Option<&str>,
) -> Result<Policy, sqlx::Error> {
    let row: (i64, String, Option<String>, String) = sqlx::query_as(
        "SELECT days, reason, client_id, set_at FROM retention_policies
         WHERE kind = ?1 AND (client_id = ?2 OR client_id IS NULL)
         ORDER BY client_id IS NULL LIMIT 1",
    )
    .bind(kind.as_str())
    .bind(client_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Policy { days: row.0, reason: row.1, client_override: row.2.is_some(), set_at: row.3 })
}

/// Sets the policy of `kind`, for one client or (with `None`) the workspace default.
pub async fn set(
    conn: &mut SqliteConnection,
    holder: &dyn Holder,
    client_id: Option<&str>,
    days: i64,
    reason: &str,
    at: &str,
) -> Result<(), RetentionError> {
    if holder.ages().is_none() {
        return Err(RetentionError::NotKept(holder.label()));
    }
    if client_id.is_some() && holder.scope() != Scope::Client {
        return Err(RetentionError::NotPerClient(holder.label().to_owned()));
    }
    if !(1..=36_500).contains(&days) {
        return Err(RetentionError::BadDays);
    }
    let reason = reason.trim();
    if reason.chars().count() > crate::audit::MAX_REASON_CHARS {
        return Err(RetentionError::ReasonTooLong);
    }
    if reason.is_empty() {
        return Err(RetentionError::NoReason);
    }
    sqlx::query(
        "INSERT INTO retention_policies (kind, client_id, days, reason, set_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (kind, coalesce(client_id, '')) DO UPDATE SET days = excluded.days, reason = excluded.reason,
             set_at = excluded.set_at",
    )
    .bind(holder.kind().as_str())
    .bind(client_id)
    .bind(days)
    .bind(reason)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What is held of each kind, per client where the kind is per client, as of `now`. With
/// `only_client`, the rows of that client only.
pub async fn review(
    conn: &mut SqliteConnection,
    holders: &[&dyn Holder],
    now: Moment,
    only_client: Option<&crate::clients::Client>,
) -> Result<Vec<Review>, sqlx::Error> {
    let clients: Vec<(String, String)> = match only_client {
        Some(c) => vec![(c.id.clone(), c.name.clone())],
        None => crate::clients::ids_and_names(conn).await?,
    };
    let mut rows = Vec::new();
    for holder in holders {
        let Some(ages) = holder.ages() else { continue };
        let scopes: Vec<Option<&(String, String)>> = if holder.scope() == Scope::Client {
            clients.iter().map(Some).collect()
        } else if only_client.is_none() {
            vec![None]
        } else {
            vec![]
        };
        for scope in scopes {
            let client_id = scope.map(|(id, _)| id.as_str());
            let policy = policy(conn, holder.kind(), client_id).await?;
            let client = scope.map(|(_, name)| name.clone());
            rows.push(of(conn, *holder, ages, client_id, client, policy, now).await?);
        }
    }
    Ok(rows)
}

async fn of(
    conn: &mut SqliteConnection,
    holder: &dyn Holder,
    ages: &str,
    client_id: Option<&str>,
    client: Option<String>,
    policy: Policy,
    now: Moment,
) -> Result<Review, sqlx::Error> {
    const DAY: i64 = 86_400;
    let today = now.date_naive().to_string();
    let now = now.timestamp();
    let expiry = now - policy.days * DAY;
    let mut bands = String::new();
    let mut lower = None;
    for (i, (_, days)) in AGE_BANDS.iter().enumerate() {
        let upper = days.saturating_mul(DAY);
        let from = lower.map(|l| format!("?1 - t >= {l} AND ")).unwrap_or_default();
        bands.push_str(&format!(", coalesce(sum({from}?1 - t < {upper}), 0) AS b{i}"));
        lower = Some(upper);
    }
    // The query text comes from the holder's constant and fixed bands, never from input. The ages
    // are worked out once a record: folded into this query, each mention of `t` and `held` would
    // work its record's out again (for a thread, a look-up of its last message each time).
    let sql = format!(
        "WITH aged AS MATERIALIZED ({})
         SELECT count(*), min(t), coalesce(sum(t < ?2 AND NOT held), 0), coalesce(sum(t < ?3 AND NOT held), 0),
             coalesce(sum(t < ?4 AND NOT held), 0), coalesce(sum(held), 0){bands}
         FROM aged WHERE t IS NOT NULL",
        ages.replace("?1", "?5")
    );
    let row = sqlx::query(&sql)
        .bind(now)
        .bind(expiry)
        .bind(expiry + 7 * DAY)
        .bind(expiry + 30 * DAY)
        .bind(client_id)
        .bind(None::<i64>)
        .bind(None::<i64>)
        .bind(None::<i64>)
        .bind(today)
        .fetch_one(&mut *conn)
        .await?;
    use sqlx::Row;
    let oldest: Option<i64> = row.try_get(1)?;
    Ok(Review {
        kind: holder.kind(),
        label: holder.label().into(),
        client,
        policy,
        held: row.try_get(0)?,
        on_hold: row.try_get(5)?,
        oldest: oldest.and_then(crate::clock::from_unix).map(crate::clock::rfc3339),
        ages: AGE_BANDS
            .iter()
            .enumerate()
            .map(|(i, (label, _))| Ok(AgeBand { label: (*label).into(), count: row.try_get(6 + i)? }))
            .collect::<Result<_, sqlx::Error>>()?,
        due_now: row.try_get(2)?,
        due_within_7_days: row.try_get(3)?,
        due_within_30_days: row.try_get(4)?,
    })
}
