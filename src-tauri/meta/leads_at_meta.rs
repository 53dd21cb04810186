//! A person's leads as Meta still holds them, as a kind of personal data: found through the leads
//! held here whose form Custodian reaches through a connected Page, and erased at Meta
//! (`DELETE /{lead-id}` with the Page's token) by a remote step taken after the local erasure.

use async_trait::async_trait;
use sqlx::{SqliteConnection, SqlitePool};

use super::graph::{Graph, Pacing};
use super::pages::{self, PAGE_TOKEN_PURPOSE};
use crate::identity::{Hasher, IdKind, IdentityHash};
use crate::leads::query;
use crate::personal_data::{DataKind, Erasing, HeldRecord, Holder, Scope};
use crate::requests::remote::{self, PendingStep};
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
        let mut ids = Vec::new();
        for hash in hashes {
            ids.extend(query::by_identity(&mut *conn, hash).await?);
        }
        ids.sort_unstable();
        ids.dedup();
        let mut records = Vec::new();
        for id in ids {
            let Some(lead) = query::detail(&mut *conn, id).await? else { continue };
            let Some(meta_id) = lead.meta_id.clone() else { continue };
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

    async fn run_remote(&self, pool: &SqlitePool, workspace_id: &str, step: &PendingStep) -> Result<String, String> {
        let (Some(lead), Some(page)) = (step.target.as_deref(), step.place.as_deref()) else {
            return Err("the step lost what it deletes; it cannot be taken".into());
        };
        if step.action != DELETE_LEAD {
            return Err(format!("'{}' is not a step Custodian takes at Meta", step.action));
        }
        let vault = Vault::new(workspace_id);
        let fail = |e: &dyn std::fmt::Display| e.to_string();
        let Some(token) = vault.get(PAGE_TOKEN_PURPOSE, page).await.map_err(|e| fail(&e))? else {
            return Err("Custodian no longer reaches the lead's Page: connect a token that does, then retry".into());
        };
        let settings = super::app::get(pool).await.map_err(|e| fail(&e))?;
        // A remote step never waits out a long throttle: it fails, says when, and is retried.
        let pacing = Pacing { transient_retries: 1, longest_wait: std::time::Duration::ZERO, ..Pacing::default() };
        let mut graph = Graph::new(&settings.graph_url(), &settings.graph_version, pacing).map_err(|e| fail(&e))?;
        if let Some(secret) = vault
            .get(crate::console::workspace::APP_SECRET.0, crate::console::workspace::APP_SECRET.1)
            .await
            .map_err(|e| fail(&e))?
        {
            graph = graph.with_app_secret(secret);
        }
        match graph.delete(lead, &token).await {
            Ok(answer) if answer.get("success").and_then(serde_json::Value::as_bool) == Some(true) => {
                Ok("deleted at Meta".into())
            }
            Ok(_) => {
                Err("Meta answered without confirming the deletion; retry, or delete the lead in Meta's Leads Center"
                    .into())
            }
            Err(e) => Err(format!("could not delete at Meta: {e}")),
        }
    }
}
