//! A person's leads as Meta still holds them, as a kind of personal data: found through the leads
//! held here whose form Custodian reaches through a connected Page, and erased at Meta
//! (`DELETE /{lead-id}` with the Page's token) by a remote step taken after the local erasure.

use async_trait::async_trait;
use serde_json::Value;
use sqlx::{SqliteConnection, SqlitePool};

use super::graph::{GraphError, Pacing};
use super::pages::{self, PAGE_TOKEN_PURPOSE};
use crate::identity::{Hasher, IdKind, IdentityHash};
use crate::leads::query;
use crate::personal_data::{DataKind, Erasing, HeldRecord, Holder, Scope};
use crate::requests::remote::{self, PendingStep, RemoteAnswer};
use crate::store::StoreError;
use crate::vault::Vault;

pub struct LeadsAtMeta;

pub const LEADS_AT_META: LeadsAtMeta = LeadsAtMeta;

/// The remote step that deletes a lead at Meta.
const DELETE_LEAD: &str = "delete_lead";

#[async_trait]
impl Holder for LeadsAtMeta {
    fn kind(&self) -> DataKind {
        DataKind::LeadsAtMeta
    }

    fn label(&self) -> &'static str {
        "leads at Meta"
    }

    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn identified_by(&self) -> &'static [IdKind] {
        &[IdKind::Email, IdKind::Phone, IdKind::LeadId]
    }

    /// Nothing is held here: Meta holds them.
    async fn count(&self, _conn: &mut SqliteConnection, _client_id: Option<&str>) -> Result<i64, StoreError> {
        Ok(0)
    }

    async fn find(
        &self,
        conn: &mut SqliteConnection,
        _hasher: &Hasher,
        hashes: &[IdentityHash],
    ) -> Result<Vec<HeldRecord>, StoreError> {
        let ids = query::by_identities(&mut *conn, hashes).await?;
        let mut records: Vec<HeldRecord> = Vec::new();
        for id in ids {
            let Some(lead) = query::detail(&mut *conn, id).await? else { continue };
            // Only what is a Meta lead id is one: the id becomes a Graph API path, and a file could
            // name any object there.
            let Some(meta_id) = lead.meta_id.clone().filter(|id| is_lead_id(id)) else { continue };
            // One lead at Meta, however many clients here hold a copy of it.
            if records.iter().any(|r| r.id == meta_id) {
                continue;
            }
            let Some((page_id, page)) = pages::page_of_form(&mut *conn, &lead.form_id).await? else { continue };
            records.push(HeldRecord {
                id: meta_id.clone(),
                client: Some(lead.client.clone()),
                source: format!("Meta, Page {page}, form {}", lead.form_id),
                created: Some(lead.created_time.clone()),
                fields: vec![
                    ("lead id".into(), meta_id),
                    ("page id".into(), page_id),
                    ("page".into(), page),
                    ("form id".into(), lead.form_id.clone()),
                ],
                identifiers: Vec::new(),
                fetched_at: None,
            });
        }
        Ok(records)
    }

    /// Records, for the request, a step that deletes each lead at Meta.
    async fn erase(
        &self,
        conn: &mut SqliteConnection,
        records: &[HeldRecord],
        erasing: &Erasing<'_>,
    ) -> Result<i64, StoreError> {
        for record in records {
            let page = record.fields.iter().find(|(k, _)| k == "page id").map(|(_, v)| v.as_str());
            remote::add(conn, erasing.request_id, self.kind().as_str(), DELETE_LEAD, &record.id, page, erasing.at)
                .await?;
        }
        Ok(records.len() as i64)
    }

    /// Each lead as Meta holds it now (`GET /{lead-id}` with the Page's token), so that an access
    /// request's answer says what Meta holds and when it was read.
    async fn live(
        &self,
        pool: &SqlitePool,
        workspace_id: &str,
        records: &[HeldRecord],
        at: &str,
    ) -> Option<Vec<HeldRecord>> {
        let mut graph = None;
        // Once Meta cannot be reached or is limiting calls, the rest are not asked for: the answer to
        // a person does not wait on each in turn, nor add to the limit.
        let mut given_up: Option<String> = None;
        let mut live = Vec::with_capacity(records.len());
        for record in records {
            let field = |name: &str| record.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
            let unread = |why: &str| {
                let mut kept = record.clone();
                kept.fields.push(("read at Meta".into(), format!("not possible just now: {why}")));
                kept
            };
            if let Some(why) = &given_up {
                live.push(unread(why));
                continue;
            }
            let Some(page) = field("page id").filter(|_| is_lead_id(&record.id)) else {
                live.push(unread("the lead's Page is not known"));
                continue;
            };
            let token = match Vault::new(workspace_id).get(PAGE_TOKEN_PURPOSE, &page).await {
                Ok(Some(token)) => token,
                _ => {
                    live.push(unread("Custodian no longer reaches the lead's Page; connect a token that does"));
                    continue;
                }
            };
            if graph.is_none() {
                let pacing = Pacing::reading_for_a_person();
                match graph_for(pool, workspace_id, pacing).await {
                    Ok(g) => graph = Some(g),
                    Err(why) => {
                        live.push(unread(&why));
                        continue;
                    }
                }
            }
            let graph = graph.as_ref().expect("made above");
            let mut fields: Vec<(String, String)> = ["lead id", "page id", "page", "form id"]
                .iter()
                .filter_map(|k| Some(((*k).to_owned(), field(k)?)))
                .collect();
            match graph.get(&record.id, &[("fields", LEAD_FIELDS)], &token).await {
                Ok(lead) => {
                    fields.extend(fields_of(&lead));
                    live.push(HeldRecord {
                        created: lead
                            .get("created_time")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                            .or(record.created.clone()),
                        fields,
                        fetched_at: Some(at.to_owned()),
                        ..record.clone()
                    });
                }
                // Meta's words for this: it does not exist, or the token may not see it.
                Err(GraphError::Refused { code: 100, subcode: Some(33), .. }) => {
                    let said = "no: Meta did not return it (deleted there, or no longer visible to the Page's token)";
                    fields.push(("held at Meta".into(), said.into()));
                    live.push(HeldRecord { fields, fetched_at: Some(at.to_owned()), ..record.clone() });
                }
                Err(e) => {
                    if unreachable(&e) {
                        given_up = Some(said(&e));
                    }
                    live.push(unread(&said(&e)));
                }
            }
        }
        Some(live)
    }

    async fn run_remote(&self, pool: &SqlitePool, workspace_id: &str, step: &PendingStep) -> RemoteAnswer {
        let (Some(lead), Some(page)) = (step.target.as_deref(), step.place.as_deref()) else {
            return RemoteAnswer::Failed("the step lost what it deletes; it cannot be taken".into());
        };
        if step.action != DELETE_LEAD {
            return RemoteAnswer::Failed(format!("'{}' is not a step Custodian takes at Meta", step.action));
        }
        let vault = Vault::new(workspace_id);
        let Ok(Some(token)) = vault.get(PAGE_TOKEN_PURPOSE, page).await else {
            return RemoteAnswer::Failed(
                "Custodian no longer reaches the lead's Page: connect a token that does, then retry".into(),
            );
        };
        let pacing = Pacing::remote_step();
        let graph = match graph_for(pool, workspace_id, pacing).await {
            Ok(graph) => graph,
            Err(why) => return RemoteAnswer::Unreachable(why),
        };
        if !is_lead_id(lead) {
            return RemoteAnswer::Failed("the step's lead id is not one Meta gives; nothing was deleted".into());
        }
        match graph.delete(lead, &token).await {
            Ok(answer) if answer.get("success").and_then(serde_json::Value::as_bool) == Some(true) => {
                RemoteAnswer::Done("deleted at Meta".into())
            }
            Ok(_) => RemoteAnswer::Failed("Meta answered without confirming the deletion".into()),
            // Meta no longer has it (it keeps leads 90 days, or another copy's step deleted it).
            // Meta's words for this: the lead does not exist, or the token may not see it. Asking
            // again would not change it.
            Err(GraphError::Refused { code: 100, subcode: Some(33), .. }) => {
                RemoteAnswer::Done("not found at Meta (deleted there, or no longer visible to the Page's token)".into())
            }
            Err(e) if unreachable(&e) => RemoteAnswer::Unreachable(said(&e)),
            Err(e) => RemoteAnswer::Failed(said(&e)),
        }
    }
}

/// What is asked of a lead read live: every field Meta documents for it.
const LEAD_FIELDS: &str = "id,created_time,ad_id,ad_name,adset_id,adset_name,campaign_id,campaign_name,form_id,\
                           is_organic,platform,field_data,custom_disclaimer_responses,partner_name";

/// The Graph API client for the workspace's Meta settings and app secret.
async fn graph_for(pool: &SqlitePool, workspace_id: &str, pacing: Pacing) -> Result<super::Graph, String> {
    let settings =
        super::app::get(pool).await.map_err(|_| "the workspace's Meta settings could not be read".to_owned())?;
    let (purpose, name) = crate::console::workspace::APP_SECRET;
    let secret = Vault::new(workspace_id).get(purpose, name).await.ok().flatten();
    super::app::graph(&settings, secret, pacing)
        .map_err(|_| "the Graph API address in the settings is not usable".to_owned())
}

/// A lead's fields as Meta answers them: its own, then each form answer and disclaimer response.
fn fields_of(lead: &Value) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let Some(object) = lead.as_object() else { return fields };
    for (key, value) in object {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => continue,
        };
        if key != "id" {
            fields.push((key.clone(), text));
        }
    }
    for answer in lead.get("field_data").and_then(Value::as_array).into_iter().flatten() {
        let Some(name) = answer.get("name").and_then(Value::as_str) else { continue };
        let values: Vec<&str> =
            answer.get("values").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        fields.push((name.to_owned(), values.join("; ")));
    }
    for response in lead.get("custom_disclaimer_responses").and_then(Value::as_array).into_iter().flatten() {
        let title = response.get("checkbox_key").and_then(Value::as_str).unwrap_or("disclaimer");
        let answer = match response.get("is_checked") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        fields.push((format!("disclaimer {title}"), answer));
    }
    fields
}

/// A failure to read, in Custodian's words: Meta's message may quote what was asked for.
fn said(e: &GraphError) -> String {
    match e {
        GraphError::InvalidToken { .. } => "Meta no longer accepts the Page's token; reconnect".into(),
        GraphError::Permission { code, .. } => format!("Meta refused for lack of a permission (code {code})"),
        GraphError::Refused { code, .. } => format!("Meta refused (code {code})"),
        GraphError::Throttled { .. } => "Meta is limiting calls; try again later".into(),
        GraphError::Unavailable { .. } | GraphError::BadBaseUrl(_) => {
            "Meta could not be reached; try again later".into()
        }
    }
}

/// Whether Meta could not answer now (rather than answered no): the next lead would fare the same,
/// and a later try may not.
fn unreachable(e: &GraphError) -> bool {
    matches!(e, GraphError::Unavailable { .. } | GraphError::Throttled { .. } | GraphError::BadBaseUrl(_))
}

/// Whether `id` is a Meta lead id: digits only. Anything else would be a path to another object.
fn is_lead_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_digit())
}
