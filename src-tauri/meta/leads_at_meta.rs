//! A person's leads as Meta still holds them, as a kind of personal data: found through the leads
//! held here whose form Custodian reaches through a connected Page, and erased at Meta
//! (`DELETE /{lead-id}` with the Page's token) by a remote step taken after the local erasure.

use async_trait::async_trait;
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
            let Some(meta_id) = lead.meta_id.clone() else { continue };
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
        let Ok(settings) = super::app::get(pool).await else {
            return RemoteAnswer::Unreachable("the workspace's Meta settings could not be read".into());
        };
        // A remote step never waits out a long throttle: it says so and is retried later.
        let pacing = Pacing { transient_retries: 1, longest_wait: std::time::Duration::ZERO, ..Pacing::default() };
        let secret = vault.get(crate::console::workspace::APP_SECRET.0, crate::console::workspace::APP_SECRET.1).await;
        let Ok(graph) = super::app::graph(&settings, secret.ok().flatten(), pacing) else {
            return RemoteAnswer::Failed("the Graph API address in the settings is not usable".into());
        };
        match graph.delete(lead, &token).await {
            Ok(answer) if answer.get("success").and_then(serde_json::Value::as_bool) == Some(true) => {
                RemoteAnswer::Done("deleted at Meta".into())
            }
            Ok(_) => RemoteAnswer::Failed("Meta answered without confirming the deletion".into()),
            // Meta no longer has it (it keeps leads 90 days, or another copy's step deleted it).
            Err(GraphError::Refused { code: 100, subcode: Some(33), .. }) => {
                RemoteAnswer::Done("no longer held at Meta".into())
            }
            Err(GraphError::InvalidToken { .. }) => {
                RemoteAnswer::Failed("Meta no longer accepts the Page's token: reconnect, then retry".into())
            }
            Err(GraphError::Permission { code, .. }) => {
                RemoteAnswer::Failed(format!("Meta refused for lack of a permission (code {code}) to delete leads"))
            }
            Err(GraphError::Refused { code, .. }) => {
                RemoteAnswer::Failed(format!("Meta refused the deletion (code {code})"))
            }
            Err(GraphError::Throttled { .. }) => {
                RemoteAnswer::Unreachable("Meta is limiting calls; retry later".into())
            }
            Err(GraphError::Unavailable { .. } | GraphError::BadBaseUrl(_)) => {
                RemoteAnswer::Unreachable("Meta could not be reached; retry later".into())
            }
        }
    }
}
