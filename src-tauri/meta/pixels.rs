//! Pixels (datasets) and who can reach them: read from Meta (a business's own pixels and its
//! clients' pixels shared with it, and each pixel's partner businesses and ad accounts), shared and
//! revoked there, and kept here with when each grant was made (by Custodian, or found already
//! there) and a log of every operation.

use serde::Serialize;
use serde_json::Value;
use sqlx::{Row, SqliteConnection, SqlitePool};
use ts_rs::TS;

use super::graph::{Graph, GraphError};
use crate::vault::Sensitive;

/// The tasks a partner business may be given on a pixel.
pub const TASKS: [&str; 3] = ["ANALYZE", "UPLOAD", "ADVERTISE"];

/// A pixel as Meta lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: String,
    pub name: String,
    pub creation_time: Option<String>,
    pub last_fired_time: Option<String>,
}

/// One that can reach a pixel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Grantee {
    /// `business` or `ad_account`.
    pub kind: String,
    /// A business's id, or an ad account as Meta writes it (`act_…`).
    pub id: String,
    /// A business's tasks.
    pub tasks: Vec<String>,
}

/// An ad account as Meta writes it: `act_` and its number.
pub fn ad_account(raw: &str) -> Option<String> {
    let digits = raw.trim().trim_start_matches("act_");
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| format!("act_{digits}"))
}

/// A business's or a pixel's id: digits.
pub fn object_id(raw: &str) -> Option<String> {
    let id = raw.trim();
    (!id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_digit())).then(|| id.to_owned())
}

/// Tasks as Meta takes them, from `ANALYZE,UPLOAD` in any case; an unknown one is named.
pub fn tasks(raw: &str) -> Result<Vec<String>, String> {
    let mut tasks: Vec<String> = Vec::new();
    for task in raw.split(',').map(|t| t.trim().to_ascii_uppercase()).filter(|t| !t.is_empty()) {
        if !TASKS.contains(&task.as_str()) {
            return Err(format!("'{task}' is not a pixel task: ANALYZE, UPLOAD or ADVERTISE"));
        }
        if !tasks.contains(&task) {
            tasks.push(task);
        }
    }
    Ok(tasks)
}

fn text(item: &Value, key: &str) -> Option<String> {
    item.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Every item of a paged edge.
async fn all(
    graph: &Graph,
    path: &str,
    query: &[(&str, &str)],
    token: &Sensitive<String>,
) -> Result<Vec<Value>, GraphError> {
    let mut items = Vec::new();
    graph
        .each_page(path, query, token, |page| {
            items.extend(page);
            true
        })
        .await?;
    Ok(items)
}

/// The businesses a token reaches.
pub async fn businesses(graph: &Graph, token: &Sensitive<String>) -> Result<Vec<String>, GraphError> {
    Ok(all(graph, "me/businesses", &[("fields", "id,name")], token)
        .await?
        .iter()
        .filter_map(|b| text(b, "id"))
        .collect())
}

/// A business's own pixels and its clients' pixels shared with it.
pub async fn of_business(
    graph: &Graph,
    business: &str,
    token: &Sensitive<String>,
) -> Result<Vec<(Listed, &'static str)>, GraphError> {
    let fields = [("fields", "id,name,creation_time,last_fired_time")];
    let mut listed = Vec::new();
    for (edge, relation) in [("owned_pixels", "owned"), ("client_pixels", "client")] {
        for item in all(graph, &format!("{business}/{edge}"), &fields, token).await? {
            let Some(id) = text(&item, "id") else { continue };
            let pixel = Listed {
                name: text(&item, "name").unwrap_or_else(|| id.clone()),
                id,
                creation_time: text(&item, "creation_time"),
                last_fired_time: text(&item, "last_fired_time"),
            };
            listed.push((pixel, relation));
        }
    }
    Ok(listed)
}

/// Who can reach a pixel now: partner businesses with their tasks, and ad accounts.
pub async fn grantees(graph: &Graph, pixel: &str, token: &Sensitive<String>) -> Result<Vec<Grantee>, GraphError> {
    let mut grantees: Vec<Grantee> = Vec::new();
    for item in all(graph, &format!("{pixel}/shared_agencies"), &[], token).await? {
        let Some(id) = text(&item, "id") else { continue };
        let tasks = item
            .get("permitted_tasks")
            .and_then(Value::as_array)
            .map(|t| t.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        grantees.push(Grantee { kind: "business".into(), id, tasks });
    }
    for item in all(graph, &format!("{pixel}/shared_accounts"), &[], token).await? {
        let id = text(&item, "id").or_else(|| text(&item, "account_id")).and_then(|a| ad_account(&a));
        if let Some(id) = id {
            grantees.push(Grantee { kind: "ad_account".into(), id, tasks: Vec::new() });
        }
    }
    Ok(grantees)
}

pub async fn share_with_business(
    graph: &Graph,
    pixel: &str,
    business: &str,
    tasks: &[String],
    token: &Sensitive<String>,
) -> Result<(), GraphError> {
    let tasks = serde_json::to_string(tasks).expect("strings serialise");
    graph.post(&format!("{pixel}/agencies"), &[("business", business), ("permitted_tasks", &tasks)], token).await?;
    Ok(())
}

pub async fn share_with_account(
    graph: &Graph,
    pixel: &str,
    account: &str,
    business: &str,
    token: &Sensitive<String>,
) -> Result<(), GraphError> {
    let number = account.trim_start_matches("act_");
    graph.post(&format!("{pixel}/shared_accounts"), &[("account_id", number), ("business", business)], token).await?;
    Ok(())
}

pub async fn revoke(
    graph: &Graph,
    pixel: &str,
    grantee: &Grantee,
    token: &Sensitive<String>,
) -> Result<(), GraphError> {
    match grantee.kind.as_str() {
        "business" => graph.delete_with(&format!("{pixel}/agencies"), &[("business", &grantee.id)], token).await?,
        _ => {
            let number = grantee.id.trim_start_matches("act_");
            graph.delete_with(&format!("{pixel}/shared_accounts"), &[("account_id", number)], token).await?
        }
    };
    Ok(())
}

/// Makes a pixel on an ad account; its id.
pub async fn create(graph: &Graph, account: &str, name: &str, token: &Sensitive<String>) -> Result<String, GraphError> {
    let answer = graph.post(&format!("{account}/adspixels"), &[("name", name)], token).await?;
    text(&answer, "id").ok_or_else(|| GraphError::Unavailable { attempts: 1, last: "Meta gave no id".into() })
}

/// A pixel as kept here.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Pixel {
    pub id: String,
    pub name: String,
    pub business_id: String,
    /// `owned` (the business's own) or `client` (a client's, shared with it).
    pub relation: String,
    pub client: Option<String>,
    pub connection_id: String,
    pub creation_time: Option<String>,
    pub last_fired_time: Option<String>,
    pub listed_at: String,
    pub grants: Vec<Grant>,
}

/// One that can reach a pixel, and since when.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Grant {
    pub kind: String,
    pub id: String,
    pub tasks: Vec<String>,
    /// When Custodian granted it, or first found it there.
    pub granted_at: String,
    pub by_custodian: bool,
}

/// Keeps a listed pixel and who can reach it now; a grant no longer there is forgotten.
pub async fn keep(
    conn: &mut SqliteConnection,
    pixel: &Listed,
    relation: &str,
    business: &str,
    connection: (&str, Option<&str>),
    grantees: &[Grantee],
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO pixels (id, name, business_id, relation, creation_time, last_fired_time, connection_id, client_id,
             listed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, business_id = excluded.business_id,
             relation = excluded.relation, creation_time = excluded.creation_time,
             last_fired_time = excluded.last_fired_time, connection_id = excluded.connection_id,
             client_id = excluded.client_id, listed_at = excluded.listed_at",
    )
    .bind(&pixel.id)
    .bind(&pixel.name)
    .bind(business)
    .bind(relation)
    .bind(&pixel.creation_time)
    .bind(&pixel.last_fired_time)
    .bind(connection.0)
    .bind(connection.1)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    seen(conn, &pixel.id, grantees, at).await
}

/// Who can reach `pixel` now, as just read from Meta: new grants are noted as found there.
pub async fn seen(conn: &mut SqliteConnection, pixel: &str, grantees: &[Grantee], at: &str) -> Result<(), sqlx::Error> {
    let now: Vec<Value> = grantees.iter().map(|g| serde_json::json!([g.kind, g.id, g.tasks])).collect();
    let now = Value::Array(now).to_string();
    sqlx::query(
        "DELETE FROM pixel_grants WHERE pixel_id = ?1
           AND NOT EXISTS (SELECT 1 FROM json_each(?2) AS j
                           WHERE j.value ->> 0 = grantee_kind AND j.value ->> 1 = grantee_id)",
    )
    .bind(pixel)
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO pixel_grants (pixel_id, grantee_kind, grantee_id, tasks, granted_at, by_custodian, seen_at)
         SELECT ?1, j.value ->> 0, j.value ->> 1, j.value -> 2, ?3, 0, ?3 FROM json_each(?2) AS j WHERE true
         ON CONFLICT (pixel_id, grantee_kind, grantee_id) DO UPDATE SET tasks = excluded.tasks, seen_at = excluded.seen_at",
    )
    .bind(pixel)
    .bind(&now)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Notes a grant Custodian made.
pub async fn granted(conn: &mut SqliteConnection, pixel: &str, grantee: &Grantee, at: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO pixel_grants (pixel_id, grantee_kind, grantee_id, tasks, granted_at, by_custodian, seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?5)
         ON CONFLICT (pixel_id, grantee_kind, grantee_id) DO UPDATE SET tasks = excluded.tasks,
             granted_at = excluded.granted_at, by_custodian = 1, seen_at = excluded.seen_at",
    )
    .bind(pixel)
    .bind(&grantee.kind)
    .bind(&grantee.id)
    .bind(serde_json::to_string(&grantee.tasks).expect("strings serialise"))
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Notes a grant revoked.
pub async fn revoked(conn: &mut SqliteConnection, pixel: &str, grantee: &Grantee) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM pixel_grants WHERE pixel_id = ?1 AND grantee_kind = ?2 AND grantee_id = ?3")
        .bind(pixel)
        .bind(&grantee.kind)
        .bind(&grantee.id)
        .execute(conn)
        .await?;
    Ok(())
}

const SELECT_PIXELS: &str = "SELECT p.id, p.name, p.business_id, p.relation, c.name, p.connection_id, p.creation_time,
        p.last_fired_time, p.listed_at,
        (SELECT json_group_array(json_array(g.grantee_kind, g.grantee_id, json(coalesce(g.tasks, '[]')), g.granted_at,
             g.by_custodian))
         FROM (SELECT * FROM pixel_grants WHERE pixel_id = p.id ORDER BY grantee_kind, grantee_id) AS g)
    FROM pixels AS p LEFT JOIN clients AS c ON c.id = p.client_id";

fn pixel_of(r: sqlx::sqlite::SqliteRow) -> Result<Pixel, sqlx::Error> {
    let grants: String = r.try_get(9)?;
    let grants: Vec<(String, String, Vec<String>, String, i64)> = serde_json::from_str(&grants).unwrap_or_default();
    Ok(Pixel {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        business_id: r.try_get(2)?,
        relation: r.try_get(3)?,
        client: r.try_get(4)?,
        connection_id: r.try_get(5)?,
        creation_time: r.try_get(6)?,
        last_fired_time: r.try_get(7)?,
        listed_at: r.try_get(8)?,
        grants: grants
            .into_iter()
            .map(|(kind, id, tasks, granted_at, by)| Grant { kind, id, tasks, granted_at, by_custodian: by != 0 })
            .collect(),
    })
}

/// The pixels kept, of `client_id` or all, by name.
pub async fn list(pool: &SqlitePool, client_id: Option<&str>) -> Result<Vec<Pixel>, sqlx::Error> {
    let rows = sqlx::query(&format!("{SELECT_PIXELS} WHERE ?1 IS NULL OR p.client_id = ?1 ORDER BY p.name, p.id"))
        .bind(client_id)
        .fetch_all(pool)
        .await?;
    rows.into_iter().map(pixel_of).collect()
}

pub async fn find(conn: &mut SqliteConnection, id: &str) -> Result<Option<Pixel>, sqlx::Error> {
    let row = sqlx::query(&format!("{SELECT_PIXELS} WHERE p.id = ?1")).bind(id.trim()).fetch_optional(conn).await?;
    row.map(pixel_of).transpose()
}

/// One operation on a pixel, for its log.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Operation {
    #[ts(type = "number")]
    pub id: i64,
    pub pixel_id: Option<String>,
    /// list, share, revoke or create.
    pub operation: String,
    pub target: Option<String>,
    pub tasks: Option<String>,
    pub actor: String,
    pub at: String,
    /// done or refused.
    pub outcome: String,
    pub answer: Option<String>,
}

pub async fn note(conn: &mut SqliteConnection, op: &Operation) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO pixel_operations (pixel_id, operation, target, tasks, actor, at, outcome, answer)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .bind(&op.pixel_id)
    .bind(&op.operation)
    .bind(&op.target)
    .bind(&op.tasks)
    .bind(&op.actor)
    .bind(&op.at)
    .bind(&op.outcome)
    .bind(&op.answer)
    .execute(conn)
    .await?;
    Ok(())
}

/// The operations on `pixel_id` (or on every pixel), newest first.
pub async fn operations(pool: &SqlitePool, pixel_id: Option<&str>, limit: i64) -> Result<Vec<Operation>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, pixel_id, operation, target, tasks, actor, at, outcome, answer FROM pixel_operations
         WHERE ?1 IS NULL OR pixel_id = ?1 ORDER BY id DESC LIMIT ?2",
    )
    .bind(pixel_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Operation {
                id: r.try_get(0)?,
                pixel_id: r.try_get(1)?,
                operation: r.try_get(2)?,
                target: r.try_get(3)?,
                tasks: r.try_get(4)?,
                actor: r.try_get(5)?,
                at: r.try_get(6)?,
                outcome: r.try_get(7)?,
                answer: r.try_get(8)?,
            })
        })
        .collect()
}
