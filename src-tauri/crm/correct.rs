//! Sending a corrected record to its CRM at once, as a rectification's remote step: the record is
//! rebuilt from the newest lead sent as it, by that lead's form's mapping, and every field the
//! mapping writes is sent, an emptied answer as an empty value, so that the CRM keeps nothing of
//! what was corrected.

use serde_json::{Map, Value};
use sqlx::SqlitePool;

use super::client::{CrmError, Pacing};
use super::send::{Outgoing, Sent};
use super::{connections, mapping, payload, Crm};
use crate::leads::mappable::Mappable;
use crate::requests::remote::RemoteAnswer;

/// Sends record `remote_id` of connection `connection_id` again, as the newest of `leads` (those
/// sent as it, newest first) now is: the CRM's answer, and the hash of the fields the CRM now
/// holds when it took them.
pub async fn resend(
    pool: &SqlitePool,
    workspace_id: &str,
    connection_id: &str,
    remote_id: &str,
    leads: &[i64],
) -> (RemoteAnswer, Option<Vec<u8>>) {
    match corrected(pool, workspace_id, connection_id, remote_id, leads).await {
        Ok((done, hash)) => (RemoteAnswer::Done(done), Some(hash)),
        Err(answer) => (answer, None),
    }
}

/// Sends the record; what the CRM now holds, in words, with the fields' hash, or the step's answer
/// when it was not sent.
async fn corrected(
    pool: &SqlitePool,
    workspace_id: &str,
    connection_id: &str,
    remote_id: &str,
    leads: &[i64],
) -> Result<(String, Vec<u8>), RemoteAnswer> {
    // Erased or purged since: there is nothing left to correct with, and nothing to send.
    let gone = || RemoteAnswer::Done("the lead sent as this record is no longer held; nothing left to correct".into());
    let lead_id = leads.first().copied().ok_or_else(gone)?;
    let lead = match crate::leads::query::detail(pool, lead_id).await {
        Ok(Some(lead)) => lead,
        Ok(None) => return Err(gone()),
        Err(_) => return Err(RemoteAnswer::Failed("the lead sent as this record could not be read".into())),
    };
    let Ok(Some((_, kept, _))) = connections::mapping(pool, connection_id, &lead.form_id).await else {
        return Err(RemoteAnswer::Failed("the lead's form has no mapping for this CRM any more".into()));
    };
    let rules = serde_json::from_str::<mapping::Mapping>(&kept)
        .map_err(|_| RemoteAnswer::Failed("the form's mapping could not be read".into()))?;
    let country = match pool.acquire().await {
        Ok(mut conn) => crate::clients::find(&mut conn, &lead.client).await.ok().and_then(|c| c.country),
        Err(_) => None,
    };
    let client = connections::client_of(pool, workspace_id, connection_id, Pacing::remote_step())
        .await
        .map_err(RemoteAnswer::Failed)?;
    let crm = client.crm();
    let schema = client.schema().await.map_err(failed)?;
    let fields =
        mapping::apply(&rules, &schema, &Mappable::from(&lead).answers(), country.as_deref()).map_err(|problems| {
            let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
            RemoteAnswer::Failed(format!("the corrected lead cannot be sent as mapped: {}", listed.join("; ")))
        })?;
    // A record deleted in the CRM since is not made again by an update that cannot find it.
    let gone_there =
        || RemoteAnswer::Done(format!("not in {} any more (deleted there); nothing to correct", crm.label()));
    if super::send::read(&client, remote_id, &[]).await.map_err(failed)?.is_none() {
        return Err(gone_there());
    }
    let hash = payload::hash(&fields);
    let outgoing =
        Outgoing { lead_id, fields: with_emptied(crm, &rules, fields), remote_id: Some(remote_id.to_owned()) };
    match super::send::send(&client, std::slice::from_ref(&outgoing)).await {
        Ok(answers) => match answers.into_iter().next() {
            Some(Sent::Updated(_) | Sent::Created(_)) => Ok((format!("corrected in {}", crm.label()), hash)),
            Some(Sent::Failed(_)) | None => {
                Err(RemoteAnswer::Failed(format!("{} refused the corrected record", crm.label())))
            }
        },
        Err(CrmError::Refused { status: 404, .. }) => Err(gone_there()),
        Err(e) => Err(failed(e)),
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
