//! CRM stages as Conversion Leads events. Per client and CRM connection, the record field that
//! holds a lead's stage and the stages Meta is told of. Each pushed lead's record is read; the
//! stage it was first seen at is only noted (it did not change under watch), and a later change to
//! one of the chosen stages becomes one event, queued in the same transaction that notes the new
//! stage, so that no change is queued twice or lost.

use std::collections::HashMap;

use serde_json::{json, Value};
use sqlx::{SqliteConnection, SqlitePool};

use super::events::{digest_of, NewEvent};
use super::user_data::{Entry, UserData};
use crate::identity::IdentityHash;

/// Which stages of a CRM connection's records are sent for a client.
#[derive(Debug, Clone)]
pub struct Rule {
    pub client_id: String,
    pub client: String,
    pub connection_id: String,
    /// The record field that holds the stage, as a read of the record names it.
    pub field: String,
    pub stages: Vec<String>,
    pub set_at: String,
}

/// Sets which stages of `connection_id`'s records are sent for `client_id`. Another field than
/// before forgets the stages seen: what that field holds is where watching starts.
pub async fn set_rule(
    conn: &mut SqliteConnection,
    client_id: &str,
    connection_id: &str,
    field: &str,
    stages: &[String],
    at: &str,
) -> Result<(), sqlx::Error> {
    let before: Option<String> =
        sqlx::query_scalar("SELECT field FROM capi_stage_rules WHERE client_id = ?1 AND connection_id = ?2")
            .bind(client_id)
            .bind(connection_id)
            .fetch_optional(&mut *conn)
            .await?;
    if before.as_deref() != Some(field) {
        forget_seen(conn, connection_id).await?;
    }
    sqlx::query(
        "INSERT INTO capi_stage_rules (client_id, connection_id, field, stages, set_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (client_id, connection_id) DO UPDATE
         SET field = excluded.field, stages = excluded.stages, set_at = excluded.set_at",
    )
    .bind(client_id)
    .bind(connection_id)
    .bind(field)
    .bind(serde_json::to_string(stages).expect("stages serialise"))
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Stops sending `connection_id`'s stages for `client_id`, and forgets the stages seen: set again,
/// what the records hold then is where watching starts. Whether there was a rule to remove.
pub async fn remove_rule(
    conn: &mut SqliteConnection,
    client_id: &str,
    connection_id: &str,
) -> Result<bool, sqlx::Error> {
    let removed = sqlx::query("DELETE FROM capi_stage_rules WHERE client_id = ?1 AND connection_id = ?2")
        .bind(client_id)
        .bind(connection_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    forget_seen(conn, connection_id).await?;
    Ok(removed > 0)
}

/// Forgets the stages seen on `connection_id`'s records.
async fn forget_seen(conn: &mut SqliteConnection, connection_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM capi_stage_seen WHERE connection_id = ?1").bind(connection_id).execute(conn).await?;
    Ok(())
}

/// The rules of `client_id`, or of every client.
pub async fn rules(pool: &SqlitePool, client_id: Option<&str>) -> Result<Vec<Rule>, sqlx::Error> {
    let rows: Vec<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT r.client_id, c.name, r.connection_id, r.field, r.stages, r.set_at
         FROM capi_stage_rules AS r JOIN clients AS c ON c.id = r.client_id
         WHERE ?1 IS NULL OR r.client_id = ?1 ORDER BY c.name, r.connection_id",
    )
    .bind(client_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(client_id, client, connection_id, field, stages, set_at)| Rule {
            client_id,
            client,
            connection_id,
            field,
            stages: serde_json::from_str(&stages).unwrap_or_default(),
            set_at,
        })
        .collect())
}

/// The rule of `client_id` for `connection_id` as it stands now: its field, stages and when it
/// was set.
pub async fn rule_now(
    conn: &mut SqliteConnection,
    client_id: &str,
    connection_id: &str,
) -> Result<Option<(String, Vec<String>, String)>, sqlx::Error> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT field, stages, set_at FROM capi_stage_rules WHERE client_id = ?1 AND connection_id = ?2",
    )
    .bind(client_id)
    .bind(connection_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(field, stages, set_at)| (field, serde_json::from_str(&stages).unwrap_or_default(), set_at)))
}

/// The record and stage each of these leads' records in `connection_id` was last seen at.
pub async fn seen(
    conn: &mut SqliteConnection,
    connection_id: &str,
    lead_ids: &[i64],
) -> Result<HashMap<i64, (String, String)>, sqlx::Error> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT lead_id, remote_id, stage FROM capi_stage_seen
         WHERE connection_id = ?1 AND lead_id IN (SELECT value FROM json_each(?2))",
    )
    .bind(connection_id)
    .bind(serde_json::to_string(lead_ids).expect("ids serialise"))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(lead, remote, stage)| (lead, (remote, stage))).collect())
}

/// Notes the stage a lead's record is at now. The lead must still be held (the caller checks in
/// the same transaction).
pub async fn note(
    conn: &mut SqliteConnection,
    connection_id: &str,
    lead_id: i64,
    remote_id: &str,
    stage: &str,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO capi_stage_seen (connection_id, lead_id, remote_id, stage, seen_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (connection_id, lead_id) DO UPDATE
         SET remote_id = excluded.remote_id, stage = excluded.stage, seen_at = excluded.seen_at",
    )
    .bind(connection_id)
    .bind(lead_id)
    .bind(remote_id)
    .bind(stage)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A lead whose record reached a stage that is sent.
pub struct Reached<'a> {
    /// The CRM's name, as Meta's `lead_event_source` takes it.
    pub crm: &'static str,
    pub connection_id: &'a str,
    /// The lead's row id: two leads on one record are two events.
    pub lead_id: i64,
    pub remote_id: &'a str,
    /// As the record holds it, which the event's id rests on.
    pub stage: &'a str,
    /// As the CRM lists it, which the event is named for.
    pub label: &'a str,
    /// Meta's id of the lead, which the event is matched by.
    pub meta_id: Option<&'a str>,
    /// When the change was seen, in seconds since 1970.
    pub seen_unix: i64,
    pub people: Vec<IdentityHash>,
}

/// The Conversion Leads event of a stage reached: named for the stage, matched by Meta's lead id
/// (sent as it is, not hashed, as Meta wants it), from the CRM. Its id is the same for the same
/// change, so that it is queued once.
pub fn event_of(reached: Reached<'_>) -> NewEvent {
    let (lead, seen) = (reached.lead_id.to_string(), reached.seen_unix.to_string());
    let digest = digest_of([reached.connection_id, &lead, reached.remote_id, reached.stage, &seen]);
    let event_id = format!("crm-{}", &hex::encode(digest)[..32]);
    let meta_id = reached.meta_id.map(str::trim).filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
    let mut user_data = UserData::default();
    if let Some(id) = meta_id {
        // Meta writes lead ids as numbers; one too long for that stays text.
        let id = id.parse::<u64>().map(Value::from).unwrap_or_else(|_| Value::from(id));
        user_data.insert("lead_id", Entry::Json(id));
    }
    let custom = json!({"event_source": "crm", "lead_event_source": reached.crm});
    NewEvent {
        event_name: reached.label.to_owned(),
        event_id,
        event_time: reached.seen_unix,
        action_source: "system_generated",
        source: format!("{} record {} reached {}", reached.crm, reached.remote_id, reached.label),
        user_data,
        custom_data: Some(custom.to_string()),
        problem: meta_id.is_none().then(|| "its lead has no Meta lead id, which Meta matches the event by".to_owned()),
        people: reached.people,
    }
}

/// The stage among a record's fields: the value of `field` (Pipedrive keeps its own fields under
/// `custom_fields`), or none when the record has none.
pub fn stage_in(fields: &[(String, String)], field: &str) -> String {
    let custom = format!("custom_fields.{field}");
    fields
        .iter()
        .find(|(name, _)| name == field || *name == custom)
        .map(|(_, value)| value.trim().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reached(meta_id: Option<&str>) -> Reached<'_> {
        Reached {
            crm: "HubSpot",
            connection_id: "c1",
            lead_id: 7,
            remote_id: "101",
            stage: "customer",
            label: "customer",
            meta_id,
            seen_unix: 1_780_000_000,
            people: Vec::new(),
        }
    }

    #[test]
    fn a_choice_held_as_an_option_id_is_named_for_its_option_and_keeps_its_id_when_the_option_is_renamed() {
        let held = |label| event_of(Reached { stage: "12", label, ..reached(Some("1")) });
        let (high, hot) = (held("High"), held("Hot"));
        assert_eq!((high.event_name.as_str(), hot.event_name.as_str()), ("High", "Hot"));
        assert_eq!(high.event_id, hot.event_id, "the same move is the same event, whatever its option is called");
    }

    #[test]
    fn a_stage_reached_is_a_conversion_leads_event_matched_by_the_meta_lead_id() {
        let event = event_of(reached(Some("1234567890123456")));
        assert_eq!(event.event_name, "customer");
        assert_eq!(event.action_source, "system_generated");
        assert_eq!(event.user_data.to_json(), json!({"lead_id": 1234567890123456u64}));
        assert_eq!(
            serde_json::from_str::<Value>(&event.custom_data.unwrap()).unwrap(),
            json!({"event_source": "crm", "lead_event_source": "HubSpot"})
        );
        assert_eq!(event.problem, None);
        assert_eq!(event.event_id, event_of(reached(Some("1234567890123456"))).event_id);
    }

    #[test]
    fn a_lead_without_a_meta_lead_id_makes_an_event_that_is_never_sent() {
        let event = event_of(reached(None));
        assert!(event.user_data.is_empty());
        assert!(event.problem.unwrap().contains("no Meta lead id"));
    }

    #[test]
    fn the_stage_is_the_named_fields_value() {
        let fields =
            vec![("email".to_owned(), "a@b.com".to_owned()), ("lifecyclestage".to_owned(), " customer ".to_owned())];
        assert_eq!(stage_in(&fields, "lifecyclestage"), "customer");
        assert_eq!(stage_in(&fields, "Status"), "");
        let pipedrive = vec![("custom_fields.5f1c".to_owned(), "12".to_owned())];
        assert_eq!(stage_in(&pipedrive, "5f1c"), "12");
    }
}
