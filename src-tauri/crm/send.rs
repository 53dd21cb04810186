//! Sending leads to a CRM so that sending twice never makes a second record
//! (../shared/reference/crm-apis.md): HubSpot contacts are upserted by email a batch at a time;
//! Salesforce Leads already known by id, or found by email, are updated and only the rest created,
//! through sObject collections; Pipedrive persons are searched for by exact email before one is
//! created. A refusal of one lead is that lead's failure, with the CRM's words; a failure of the
//! CRM itself (a token refused, a limit not waited out, the CRM unreachable) stops the batch.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::{json, Map, Value};

use super::client::{CrmClient, CrmError, SALESFORCE_VERSION};
use super::payload;
use super::Crm;

/// The most leads in one HubSpot batch upsert.
pub const HUBSPOT_BATCH: usize = 100;

/// One lead on its way: its mapped fields, and its record's id in the CRM when one is known.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub lead_id: i64,
    pub fields: Map<String, Value>,
    pub remote_id: Option<String>,
}

/// What became of one lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    Created(String),
    Updated(String),
    /// The CRM's (or the payload's) reason.
    Failed(String),
}

/// Sends `items` and says what became of each, in their order.
pub async fn send(client: &CrmClient, items: &[Outgoing]) -> Result<Vec<Sent>, CrmError> {
    match client.crm() {
        Crm::HubSpot => hubspot(client, items).await,
        Crm::Salesforce => salesforce(client, items).await,
        Crm::Pipedrive => pipedrive(client, items).await,
    }
}

fn email_of(fields: &Map<String, Value>, key: &str) -> Option<String> {
    fields.get(key).and_then(Value::as_str).map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty())
}

async fn hubspot(client: &CrmClient, items: &[Outgoing]) -> Result<Vec<Sent>, CrmError> {
    let mut outcome: Vec<Option<Sent>> = vec![None; items.len()];
    // A contact already made is updated by its id, so that a corrected email changes that contact
    // rather than making another; the rest are upserted by email.
    let known: Vec<usize> = (0..items.len()).filter(|&at| items[at].remote_id.is_some()).collect();
    for round in known.chunks(HUBSPOT_BATCH) {
        for (at, sent) in hubspot_batch(client, items, round, MatchBy::Id).await? {
            outcome[at] = Some(sent);
        }
    }
    // HubSpot refuses a batch that names one email twice: a second lead of the same person waits
    // for the next round.
    let mut waiting: Vec<usize> = Vec::new();
    for (at, item) in items.iter().enumerate().filter(|(_, i)| i.remote_id.is_none()) {
        if email_of(&item.fields, "email").is_none() {
            outcome[at] = Some(Sent::Failed("HubSpot contacts are matched by email, and this lead has none".into()));
        } else {
            waiting.push(at);
        }
    }
    while !waiting.is_empty() {
        let mut round: Vec<usize> = Vec::new();
        let mut later: Vec<usize> = Vec::new();
        let mut emails: Vec<String> = Vec::new();
        for at in waiting {
            let email = email_of(&items[at].fields, "email").expect("checked above");
            if emails.contains(&email) || round.len() == HUBSPOT_BATCH {
                later.push(at);
            } else {
                emails.push(email);
                round.push(at);
            }
        }
        for (at, sent) in hubspot_batch(client, items, &round, MatchBy::Email).await? {
            outcome[at] = Some(sent);
        }
        waiting = later;
    }
    Ok(outcome.into_iter().map(|o| o.expect("every lead has an outcome")).collect())
}

/// A HubSpot batch's input, serialised straight from the lead's fields.
#[derive(serde::Serialize)]
struct HubSpotInput<'a> {
    id: &'a str,
    #[serde(rename = "idProperty", skip_serializing_if = "Option::is_none")]
    id_property: Option<&'static str>,
    properties: &'a Map<String, Value>,
}

#[derive(serde::Serialize)]
struct HubSpotBatch<'a> {
    inputs: Vec<HubSpotInput<'a>>,
}

/// HubSpot's id: a string, though some answers give a number.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum HubSpotId {
    Text(String),
    Number(u64),
}

impl HubSpotId {
    fn text(self) -> String {
        match self {
            HubSpotId::Text(s) => s,
            HubSpotId::Number(n) => n.to_string(),
        }
    }
}

#[derive(serde::Deserialize, Default)]
struct HubSpotEmail {
    email: Option<String>,
}

#[derive(serde::Deserialize)]
struct HubSpotResult {
    id: HubSpotId,
    #[serde(default)]
    new: bool,
    #[serde(default)]
    properties: HubSpotEmail,
}

#[derive(serde::Deserialize)]
struct HubSpotError {
    message: Option<String>,
}

#[derive(serde::Deserialize)]
struct HubSpotAnswer {
    #[serde(default)]
    results: Vec<HubSpotResult>,
    #[serde(default)]
    errors: Vec<HubSpotError>,
}

/// How a HubSpot batch names its contacts: by the id of one already made, or by email.
#[derive(Clone, Copy, PartialEq, Eq)]
enum MatchBy {
    Id,
    Email,
}

/// One batch: an update of contacts by their ids, or an upsert of leads with distinct emails. A
/// batch HubSpot refuses as a whole (one invalid value refuses them all) is sent again one lead at
/// a time, so that only the lead at fault fails.
async fn hubspot_batch(
    client: &CrmClient,
    items: &[Outgoing],
    round: &[usize],
    by: MatchBy,
) -> Result<Vec<(usize, Sent)>, CrmError> {
    // What HubSpot knows each contact by: its id, or its email (lowercased, as HubSpot compares).
    let keys: Vec<String> = round
        .iter()
        .map(|&at| match by {
            MatchBy::Id => items[at].remote_id.clone().expect("known above"),
            MatchBy::Email => email_of(&items[at].fields, "email").expect("checked above"),
        })
        .collect();
    let id_property = (by == MatchBy::Email).then_some("email");
    let batch = HubSpotBatch {
        inputs: round
            .iter()
            .zip(&keys)
            .map(|(&at, key)| HubSpotInput { id: key, id_property, properties: &items[at].fields })
            .collect(),
    };
    let path = match by {
        MatchBy::Id => "/crm/v3/objects/contacts/batch/update",
        MatchBy::Email => "/crm/v3/objects/contacts/batch/upsert",
    };
    let answer: HubSpotAnswer = match client.call_typed(Method::POST, path, &batch).await {
        Ok(answer) => answer,
        Err(CrmError::Refused { message, .. }) if round.len() == 1 => {
            return Ok(vec![(round[0], Sent::Failed(message))])
        }
        Err(CrmError::Refused { .. }) => {
            let mut each = Vec::with_capacity(round.len());
            for &at in round {
                each.extend(Box::pin(hubspot_batch(client, items, &[at], by)).await?);
            }
            return Ok(each);
        }
        Err(e) => return Err(e),
    };
    let missing = match by {
        MatchBy::Id => "HubSpot did not update the contact (deleted there?)".to_owned(),
        MatchBy::Email => answer
            .errors
            .into_iter()
            .find_map(|e| e.message)
            .unwrap_or_else(|| "HubSpot did not return the contact".to_owned()),
    };
    let mut answered: HashMap<String, (String, bool)> = HashMap::with_capacity(answer.results.len());
    for result in answer.results {
        let id = result.id.text();
        let key = match by {
            MatchBy::Id => Some(id.clone()),
            MatchBy::Email => result.properties.email.map(|e| e.trim().to_lowercase()),
        };
        if let Some(key) = key {
            answered.insert(key, (id, result.new && by == MatchBy::Email));
        }
    }
    Ok(round
        .iter()
        .zip(keys)
        .map(|(&at, key)| {
            let sent = match answered.remove(&key) {
                Some((id, true)) => Sent::Created(id),
                Some((id, false)) => Sent::Updated(id),
                None => Sent::Failed(missing.clone()),
            };
            (at, sent)
        })
        .collect())
}

/// A value written into a SOQL string literal.
fn soql_quoted(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The first message of a Salesforce record result's `errors`.
fn salesforce_error(result: &Value) -> String {
    result
        .get("errors")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
        .map(|e| {
            let code = e.get("statusCode").and_then(Value::as_str).unwrap_or("");
            let message = e.get("message").and_then(Value::as_str).unwrap_or("refused");
            format!("{code}: {message}").trim_matches([':', ' ']).to_owned()
        })
        .unwrap_or_else(|| "Salesforce refused it without a reason".into())
}

async fn salesforce(client: &CrmClient, items: &[Outgoing]) -> Result<Vec<Sent>, CrmError> {
    let base = format!("/services/data/{SALESFORCE_VERSION}");
    let mut known: Vec<Option<String>> = items.iter().map(|i| i.remote_id.clone()).collect();
    // A Lead this push made before its answer was lost, or one the CRM already had, is found by
    // email and updated rather than made again.
    let unknown: Vec<String> = items
        .iter()
        .zip(&known)
        .filter(|(_, k)| k.is_none())
        .filter_map(|(i, _)| email_of(&i.fields, "Email"))
        .collect();
    if !unknown.is_empty() {
        let listed: Vec<String> = unknown.iter().map(|e| soql_quoted(e)).collect();
        let soql = format!("SELECT Id, Email FROM Lead WHERE Email IN ({})", listed.join(","));
        let mut url = reqwest::Url::parse("http://q/").expect("a fixed URL");
        url.query_pairs_mut().append_pair("q", &soql);
        let answer = match client.get(&format!("{base}/query?{}", url.query().unwrap_or_default())).await {
            Ok(answer) => answer,
            // A search Salesforce refuses fails the leads it was for, not the push. Its message is
            // not kept: it quotes the query, emails and all.
            Err(CrmError::Refused { status, .. }) => {
                return Ok(items
                    .iter()
                    .map(|_| {
                        Sent::Failed(format!(
                            "Salesforce refused the search for existing Leads by email (HTTP {status}); the batch \
                             was not sent, to make nothing twice"
                        ))
                    })
                    .collect())
            }
            Err(e) => return Err(e),
        };
        let mut found: HashMap<String, String> = HashMap::new();
        for record in answer.get("records").and_then(Value::as_array).into_iter().flatten() {
            if let (Some(id), Some(email)) =
                (record.get("Id").and_then(Value::as_str), record.as_object().and_then(|r| email_of(r, "Email")))
            {
                found.entry(email).or_insert_with(|| id.to_owned());
            }
        }
        for (item, known) in items.iter().zip(known.iter_mut()) {
            if known.is_none() {
                *known = email_of(&item.fields, "Email").and_then(|e| found.get(&e).cloned());
            }
        }
    }
    let record = |item: &Outgoing, id: Option<&String>| {
        let mut record = Map::new();
        record.insert("attributes".into(), json!({"type": "Lead"}));
        if let Some(id) = id {
            record.insert("Id".into(), json!(id));
        }
        record.extend(item.fields.clone());
        Value::Object(record)
    };
    let mut outcome: Vec<Option<Sent>> = vec![None; items.len()];
    let updates: Vec<usize> = (0..items.len()).filter(|&at| known[at].is_some()).collect();
    // Two new leads of one person in a batch make one Lead: the second updates what the first made.
    let mut creates: Vec<usize> = Vec::new();
    let mut after: Vec<(usize, usize)> = Vec::new();
    for at in (0..items.len()).filter(|&at| known[at].is_none()) {
        let email = email_of(&items[at].fields, "Email");
        match creates.iter().find(|&&c| email.is_some() && email_of(&items[c].fields, "Email") == email) {
            Some(&first) => after.push((at, first)),
            None => creates.push(at),
        }
    }
    // sObject collections take 200 records at a time; a push hands over at most that many.
    for (method, chosen) in [(Method::PATCH, &updates), (Method::POST, &creates)] {
        if chosen.is_empty() {
            continue;
        }
        let records: Vec<Value> = chosen.iter().map(|&at| record(&items[at], known[at].as_ref())).collect();
        let body = json!({"allOrNone": false, "records": records});
        let path = format!("{base}/composite/sobjects");
        let answer = if method == Method::POST {
            client.call_once(method.clone(), &path, Some(&body)).await
        } else {
            client.call(method.clone(), &path, Some(&body)).await
        };
        let answer = match answer {
            Ok(answer) => answer,
            // Refused as a whole: each of its leads fails with the reason.
            Err(CrmError::Refused { message, .. }) => {
                for &at in chosen {
                    outcome[at] = Some(Sent::Failed(message.clone()));
                }
                continue;
            }
            Err(e) => return Err(e),
        };
        let results = answer.as_array().cloned().unwrap_or_default();
        for (n, &at) in chosen.iter().enumerate() {
            let result = results.get(n);
            let ok = result.and_then(|r| r.get("success")).and_then(Value::as_bool) == Some(true);
            let id = result.and_then(|r| r.get("id")).and_then(Value::as_str).map(str::to_owned);
            outcome[at] = Some(match (ok, id, method == Method::POST) {
                (true, Some(id), true) => Sent::Created(id),
                (true, _, false) => Sent::Updated(known[at].clone().expect("an update has its id")),
                (true, None, true) => Sent::Failed("Salesforce made the Lead without saying its id".into()),
                (false, ..) => Sent::Failed(
                    result.map(salesforce_error).unwrap_or_else(|| "Salesforce did not answer for it".into()),
                ),
            });
        }
    }
    if !after.is_empty() {
        let mut second: Vec<Outgoing> = Vec::with_capacity(after.len());
        for &(at, first) in &after {
            match &outcome[first] {
                Some(Sent::Created(id)) => {
                    second.push(Outgoing { remote_id: Some(id.clone()), ..items[at].clone() });
                }
                _ => outcome[at] = Some(Sent::Failed("another lead of this person in the batch was not sent".into())),
            }
        }
        let waiting: Vec<usize> = after.iter().map(|(at, _)| *at).filter(|&at| outcome[at].is_none()).collect();
        if !second.is_empty() {
            let sent = Box::pin(salesforce(client, &second)).await?;
            for (at, sent) in waiting.into_iter().zip(sent) {
                outcome[at] = Some(sent);
            }
        }
    }
    Ok(outcome.into_iter().map(|o| o.expect("every lead has an outcome")).collect())
}

fn pipedrive_id(answer: &Value) -> Option<String> {
    let id = answer.get("data")?.get("id")?;
    id.as_u64().map(|n| n.to_string()).or_else(|| id.as_str().map(str::to_owned))
}

async fn pipedrive(client: &CrmClient, items: &[Outgoing]) -> Result<Vec<Sent>, CrmError> {
    let mut outcome = Vec::with_capacity(items.len());
    for item in items {
        let body = payload::body(Crm::Pipedrive, item.fields.clone())
            .map_err(|p| CrmError::Unexpected { crm: "Pipedrive", what: p.to_string() })?;
        let mut known = item.remote_id.clone();
        if known.is_none() {
            if let Some(email) = email_of(&item.fields, "email") {
                let mut url = reqwest::Url::parse("http://q/").expect("a fixed URL");
                url.query_pairs_mut()
                    .append_pair("term", &email)
                    .append_pair("fields", "email")
                    .append_pair("exact_match", "true");
                let answer =
                    match client.get(&format!("/api/v2/persons/search?{}", url.query().unwrap_or_default())).await {
                        Ok(answer) => answer,
                        // A search Pipedrive refuses fails this lead, not the push.
                        Err(CrmError::Refused { status, .. }) => {
                            outcome.push(Sent::Failed(format!(
                                "Pipedrive refused the search for an existing person by email (HTTP {status}); \
                                 not sent, to make nothing twice"
                            )));
                            continue;
                        }
                        Err(e) => return Err(e),
                    };
                known = answer
                    .get("data")
                    .and_then(|d| d.get("items"))
                    .and_then(Value::as_array)
                    .and_then(|items| items.first())
                    .and_then(|i| i.get("item"))
                    .and_then(|i| i.get("id"))
                    .and_then(|id| id.as_u64().map(|n| n.to_string()).or_else(|| id.as_str().map(str::to_owned)));
            }
        }
        let sent = match &known {
            Some(id) => client.call(Method::PATCH, &format!("/api/v2/persons/{id}"), Some(&body)).await,
            None => client.call_once(Method::POST, "/api/v2/persons", Some(&body)).await,
        };
        outcome.push(match (sent, known) {
            (Ok(_), Some(id)) => Sent::Updated(id),
            (Ok(answer), None) => match pipedrive_id(&answer) {
                Some(id) => Sent::Created(id),
                None => Sent::Failed("Pipedrive made the person without saying its id".into()),
            },
            (Err(CrmError::Refused { message, .. }), _) => Sent::Failed(message),
            (Err(e), _) => return Err(e),
        });
    }
    Ok(outcome)
}

/// Deletes one record: HubSpot's GDPR delete (which also keeps the email from being made again),
/// a Salesforce Lead, a Pipedrive person. `Ok(false)` when the CRM no longer has it.
/// Why a record is deleted in its CRM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    /// A person's erasure: HubSpot's GDPR delete, which also keeps the email from being made again.
    Erasure,
    /// The agency leaving a client: an ordinary delete, which leaves the client's CRM free to hold
    /// that person again.
    Removal,
}

pub async fn delete(client: &CrmClient, remote_id: &str, why: Deletion) -> Result<bool, CrmError> {
    let id: String = remote_id.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if id.is_empty() || id != remote_id {
        return Err(CrmError::Unexpected {
            crm: client.crm().label(),
            what: "a record id with other than letters and digits".into(),
        });
    }
    let done = match client.crm() {
        Crm::HubSpot if why == Deletion::Erasure => {
            client.call(Method::POST, "/crm/v3/objects/contacts/gdpr-delete", Some(&json!({"objectId": id}))).await
        }
        Crm::HubSpot => client.call(Method::DELETE, &format!("/crm/v3/objects/contacts/{id}"), None).await,
        Crm::Salesforce => {
            client.call(Method::DELETE, &format!("/services/data/{SALESFORCE_VERSION}/sobjects/Lead/{id}"), None).await
        }
        Crm::Pipedrive => client.call(Method::DELETE, &format!("/api/v2/persons/{id}"), None).await,
    };
    match done {
        Ok(_) => Ok(true),
        Err(CrmError::Refused { status: 404, .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// One record as the CRM holds it now, as field and value pairs; `None` when it no longer has it.
/// HubSpot answers only its default properties unless asked for others: `properties` names them.
pub async fn read(
    client: &CrmClient,
    remote_id: &str,
    properties: &[String],
) -> Result<Option<Vec<(String, String)>>, CrmError> {
    let id: String = remote_id.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if id.is_empty() || id != remote_id {
        return Ok(None);
    }
    let path = match client.crm() {
        Crm::HubSpot if !properties.is_empty() => {
            let mut url = reqwest::Url::parse("http://q/").expect("a fixed URL");
            url.query_pairs_mut().append_pair("properties", &properties.join(","));
            format!("/crm/v3/objects/contacts/{id}?{}", url.query().unwrap_or_default())
        }
        Crm::HubSpot => format!("/crm/v3/objects/contacts/{id}"),
        Crm::Salesforce => format!("/services/data/{SALESFORCE_VERSION}/sobjects/Lead/{id}"),
        Crm::Pipedrive => format!("/api/v2/persons/{id}"),
    };
    let answer = match client.get(&path).await {
        Ok(answer) => answer,
        Err(CrmError::Refused { status: 404, .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let record = match client.crm() {
        Crm::HubSpot => answer.get("properties").cloned().unwrap_or(Value::Null),
        Crm::Salesforce => answer,
        Crm::Pipedrive => answer.get("data").cloned().unwrap_or(Value::Null),
    };
    let mut fields = Vec::new();
    flatten("", &record, &mut fields);
    Ok(Some(fields))
}

/// A record's values as `field` / `field.sub` / `field.0.value` pairs, leaving out nulls and
/// Salesforce's `attributes`.
fn flatten(prefix: &str, value: &Value, into: &mut Vec<(String, String)>) {
    let name = |key: &str| if prefix.is_empty() { key.to_owned() } else { format!("{prefix}.{key}") };
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (key, value) in map {
                if key != "attributes" {
                    flatten(&name(key), value, into);
                }
            }
        }
        Value::Array(list) => {
            for (n, value) in list.iter().enumerate() {
                flatten(&name(&n.to_string()), value, into);
            }
        }
        Value::String(s) => into.push((prefix.to_owned(), s.clone())),
        other => into.push((prefix.to_owned(), other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_in_an_email_cannot_end_the_soql_string() {
        assert_eq!(soql_quoted("o'hara@example.com"), "'o\\'hara@example.com'");
        assert_eq!(soql_quoted("a\\'b"), "'a\\\\\\'b'");
    }

    #[test]
    fn a_record_is_flattened_without_nulls_or_attributes() {
        let mut fields = Vec::new();
        flatten(
            "",
            &json!({"attributes": {"type": "Lead"}, "Email": "a@b.com", "Phone": null,
                    "emails": [{"value": "a@b.com"}], "id": 7}),
            &mut fields,
        );
        assert_eq!(
            fields,
            vec![
                ("Email".to_owned(), "a@b.com".to_owned()),
                ("emails.0.value".to_owned(), "a@b.com".to_owned()),
                ("id".to_owned(), "7".to_owned()),
            ]
        );
    }
}
