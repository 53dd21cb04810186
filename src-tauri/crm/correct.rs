//! Sending a corrected record to its CRM at once, as a rectification's remote step: the record is
//! rebuilt from the newest lead sent as it, by that lead's form's mapping, and every field the
//! mapping writes is sent, an emptied answer as an empty value, so that the CRM keeps nothing of
//! what was corrected.

use serde_json::{Map, Value};
use sqlx::SqlitePool;

use super::client::{CrmError, Pacing};
use super::send::{Outgoing, Sent};
use super::{connections, mapping, records, Crm};
use crate::requests::remote::RemoteAnswer;

/// Sends record `remote_id` of connection `connection_id` again, as its lead now is.
pub async fn resend(pool: &SqlitePool, workspace_id: &str, connection_id: &str, remote_id: &str) -> RemoteAnswer {
    let leads = match records::sent_as(pool, connection_id, remote_id).await {
        Ok(leads) => leads,
        Err(_) => return RemoteAnswer::Failed("what was sent to the CRM could not be read".into()),
    };
    // Erased or purged since: there is nothing left to correct with, and nothing to send.
    let gone = || RemoteAnswer::Done("the lead sent as this record is no longer held; nothing left to correct".into());
    let Some(lead_id) = leads.first().copied() else { return gone() };
    let lead = match crate::leads::query::detail(pool, lead_id).await {
        Ok(Some(lead)) => lead,
        Ok(None) => return gone(),
        Err(_) => return RemoteAnswer::Failed("the lead sent as this record could not be read".into()),
    };
    let Ok(Some((_, kept, _))) = connections::mapping(pool, connection_id, &lead.form_id).await else {
        return RemoteAnswer::Failed("the lead's form has no mapping for this CRM any more".into());
    };
    let Ok(rules) = serde_json::from_str::<mapping::Mapping>(&kept) else {
        return RemoteAnswer::Failed("the form's mapping could not be read".into());
    };
    let country = match pool.acquire().await {
        Ok(mut conn) => crate::clients::find(&mut conn, &lead.client).await.ok().and_then(|c| c.country),
        Err(_) => None,
    };
    let client = match connections::client_of(pool, workspace_id, connection_id, Pacing::remote_step()).await {
        Ok(client) => client,
        Err(why) => return RemoteAnswer::Failed(why),
    };
    let crm = client.crm();
    let schema = match client.schema().await {
        Ok(schema) => schema,
        Err(e) => return failed(e),
    };
    let meta = lead.meta_values();
    let fields = match mapping::apply(&rules, &schema, &mapping::answers_of(&lead, &meta), country.as_deref()) {
        Ok(fields) => fields,
        Err(problems) => {
            let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
            return RemoteAnswer::Failed(format!("the corrected lead cannot be sent as mapped: {}", listed.join("; ")));
        }
    };
    let hash = records::payload_hash(&fields);
    let sent = with_emptied(crm, &rules, fields);
    let outgoing = Outgoing { lead_id, fields: sent, remote_id: Some(remote_id.to_owned()) };
    match super::send::send(&client, std::slice::from_ref(&outgoing)).await {
        Ok(answers) => match answers.into_iter().next() {
            Some(Sent::Updated(_) | Sent::Created(_)) => {
                let _ = records::sent_again(pool, connection_id, remote_id, &hash).await;
                RemoteAnswer::Done(format!("corrected in {}", crm.label()))
            }
            Some(Sent::Failed(_)) | None => {
                RemoteAnswer::Failed(format!("{} refused the corrected record", crm.label()))
            }
        },
        Err(CrmError::Refused { status: 404, .. }) => {
            RemoteAnswer::Done(format!("not in {} any more (deleted there); nothing to correct", crm.label()))
        }
        Err(e) => failed(e),
    }
}

/// A CRM out of reach or limiting calls now will be for the steps after this one too.
fn failed(e: CrmError) -> RemoteAnswer {
    match e {
        CrmError::Throttled { .. } | CrmError::Unavailable { .. } => RemoteAnswer::Unreachable(e.plain()),
        e => RemoteAnswer::Failed(e.plain()),
    }
}

/// `fields` with every other field the mapping writes set empty: a correction that empties an
/// answer must empty it in the CRM too, where leaving the field out would keep the old value.
fn with_emptied(crm: Crm, rules: &mapping::Mapping, mut fields: Map<String, Value>) -> Map<String, Value> {
    for rule in &rules.fields {
        if !fields.contains_key(&rule.to) {
            // HubSpot's properties are strings, which an empty one clears; the others take null.
            let empty = match crm {
                Crm::HubSpot => Value::String(String::new()),
                Crm::Salesforce | Crm::Pipedrive => Value::Null,
            };
            fields.insert(rule.to.clone(), empty);
        }
    }
    fields
}
