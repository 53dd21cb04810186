//! Pushing leads to the clients' CRMs, and the push log. Each lead is sent by its form's newest
//! mapping; one whose form has none is counted as not mapped, never sent half-filled. A person who
//! restricted processing, objected or was erased is never sent. A lead sent before with the same
//! fields is not sent again, and what each lead became in the CRM is kept with it, so that a
//! request reaches it later.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::crm::CrmConnection;
use super::{Console, Error};
use crate::crm::client::CrmError;
use crate::crm::mapping::{self, Mapping};
use crate::crm::push_log::{self, Counts, LeadResult, Push};
use crate::crm::records::{self, Kept};
use crate::crm::send::{self, Outgoing, Sent};
use crate::crm::{connections, Crm};
use crate::identity::{IdKind, IdentityHash};
use crate::leads::parse::META_COLUMNS;
use crate::leads::query::LeadDetail;
use crate::leads::Filter;

/// Leads read from the store at a time.
const CHUNK: i64 = 500;
/// Leads handed to the CRM at a time: HubSpot's batch limit, and a Salesforce query's list of
/// emails that stays well within a URL.
const BATCH: usize = 100;
/// Failures listed in a push's report; the log keeps every one.
const FAILURES_LISTED: usize = 1000;

/// How far a push has come, for a progress bar.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PushProgress {
    pub connection_id: String,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}

/// A lead that could not be sent, and why.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PushFailure {
    #[ts(type = "number")]
    pub lead_id: i64,
    /// Its Meta lead id, when it has one.
    pub meta_id: Option<String>,
    pub form_id: String,
    pub message: String,
}

/// What a push to one connection did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ConnectionPush {
    #[ts(type = "number")]
    pub push_id: i64,
    pub connection_id: String,
    pub crm: Crm,
    pub client: Option<String>,
    pub counts: Counts,
    /// The first failures, each with its reason.
    pub failures: Vec<PushFailure>,
    /// Why the push stopped before the end (the CRM refused the token, kept limiting calls, could
    /// not be reached, or it was cancelled); the next push goes on from what was sent.
    pub stopped: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct PushReport {
    pub pushes: Vec<ConnectionPush>,
}

impl PushReport {
    /// Whether any lead failed or any push stopped before the end.
    pub fn failed(&self) -> bool {
        self.pushes.iter().any(|p| p.counts.failed > 0 || p.stopped.is_some())
    }
}

/// The push log as `crm log` and the push log screen show it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PushLog {
    pub pushes: Vec<Push>,
    pub results: Vec<LeadResult>,
}

/// The hash of the fields sent for a lead: the same fields are not sent twice.
fn payload_hash(fields: &serde_json::Map<String, serde_json::Value>) -> Vec<u8> {
    Sha256::digest(serde_json::to_vec(fields).expect("fields serialise")).to_vec()
}

/// Everything a lead answers, by key: Meta's columns and the form's questions.
fn answers_of(lead: &LeadDetail) -> Vec<(String, String)> {
    let mut answers: Vec<(String, String)> =
        META_COLUMNS.iter().map(|c| (*c).to_owned()).zip(lead.meta_values()).collect();
    answers.extend(lead.answers.iter().cloned());
    answers
}

impl Console {
    /// Pushes the leads of `client` (or of every client) to their CRM connections (or to the one
    /// named by `which`). A connection's push that stops (the CRM refuses the token, keeps limiting
    /// calls, cannot be reached) says why and the others go on.
    pub async fn crm_push(
        &self,
        client: Option<&str>,
        which: Option<&str>,
        progress: &(dyn Fn(PushProgress) + Send + Sync),
        cancel: Arc<AtomicBool>,
    ) -> Result<PushReport, Error> {
        let chosen: Vec<CrmConnection> = match which {
            Some(which) => vec![self.crm_connection(which, client).await?],
            None => {
                let only = match client {
                    Some(name) => Some(self.client(name).await?.name),
                    None => None,
                };
                self.crm_connections()
                    .await?
                    .into_iter()
                    .filter(|c| c.client.is_some() && (only.is_none() || c.client == only))
                    .collect()
            }
        };
        if chosen.is_empty() {
            return Err(Error::Invalid(match client {
                Some(name) => format!("Client {name} has no CRM connection to push to; connect its CRM first."),
                None => "No CRM is connected to push to; connect a client's CRM first.".into(),
            }));
        }
        let mut pushes = Vec::with_capacity(chosen.len());
        for connection in chosen {
            if cancel.load(Ordering::Relaxed) {
                break;
            }
            pushes.push(self.push_to(&connection, progress, &cancel).await?);
        }
        Ok(PushReport { pushes })
    }

    async fn push_to(
        &self,
        connection: &CrmConnection,
        progress: &(dyn Fn(PushProgress) + Send + Sync),
        cancel: &AtomicBool,
    ) -> Result<ConnectionPush, Error> {
        let pool = self.store.pool();
        let Some(owner_name) = connection.client.clone() else {
            return Err(Error::Invalid("This CRM connection's client was removed; disconnect it.".into()));
        };
        let owner = self.client(&owner_name).await?;
        let schema = self.schema_of(connection).await?;
        let crm = connections::client_of(pool, &self.workspace_id, &connection.id, self.crm_pacing())
            .await
            .map_err(Error::SecretMissing)?;
        let filter = Filter { client_id: Some(owner.id.clone()), ..Filter::default() };
        let total = crate::leads::query::count(pool, &filter).await?.max(0) as u64;

        let mut tx = self.store.write().await?;
        let push_id = push_log::start(&mut tx, &connection.id, &self.stamp()).await?;
        tx.commit().await?;

        let mut counts = Counts::default();
        let mut failures: Vec<PushFailure> = Vec::new();
        let mut mappings: HashMap<String, Option<Mapping>> = HashMap::new();
        let mut stopped: Option<String> = None;
        let mut done = 0u64;
        let mut after_id = 0i64;
        'chunks: loop {
            let leads = crate::leads::query::chunk(pool, &filter, after_id, CHUNK).await?;
            let Some(last) = leads.last() else { break };
            after_id = last.id;
            let ids: Vec<i64> = leads.iter().map(|l| l.id).collect();
            let hashes = crate::leads::query::person_hashes(pool, &ids).await?;
            let known = records::known(pool, &connection.id, &ids).await?;
            let withheld = self.not_to_send().await?;
            let mut outgoing: Vec<(Outgoing, Vec<u8>, &LeadDetail)> = Vec::new();
            let mut noted: Vec<(i64, &'static str, Option<String>)> = Vec::new();
            for lead in &leads {
                if hashes.get(&lead.id).is_some_and(|h| h.iter().any(|h| withheld.contains(h))) {
                    counts.withheld += 1;
                    continue;
                }
                if !mappings.contains_key(&lead.form_id) {
                    let kept = self.crm_map_show(&owner.name, &lead.form_id, &connection.id).await?;
                    mappings.insert(lead.form_id.clone(), kept.map(|k| k.mapping));
                }
                let Some(Some(mapping)) = mappings.get(&lead.form_id) else {
                    counts.not_mapped += 1;
                    continue;
                };
                match mapping::apply(mapping, &schema, &answers_of(lead), owner.country.as_deref()) {
                    Err(problems) => {
                        let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
                        let message = format!("as mapped: {}", listed.join("; "));
                        counts.failed += 1;
                        noted.push((lead.id, "failed", Some(message.clone())));
                        if failures.len() < FAILURES_LISTED {
                            failures.push(PushFailure {
                                lead_id: lead.id,
                                meta_id: lead.meta_id.clone(),
                                form_id: lead.form_id.clone(),
                                message,
                            });
                        }
                    }
                    Ok(fields) => {
                        let hash = payload_hash(&fields);
                        let before = known.get(&lead.id);
                        if before.and_then(|k| k.payload_hash.as_deref()) == Some(hash.as_slice()) {
                            counts.unchanged += 1;
                            continue;
                        }
                        let remote_id = before.map(|k| k.remote_id.clone());
                        outgoing.push((Outgoing { lead_id: lead.id, fields, remote_id }, hash, lead));
                    }
                }
            }
            if !noted.is_empty() {
                let mut tx = self.store.write().await?;
                let lines: Vec<(i64, &str, Option<&str>)> =
                    noted.iter().map(|(id, s, m)| (*id, *s, m.as_deref())).collect();
                push_log::note(&mut tx, push_id, &lines).await?;
                push_log::update(&mut tx, push_id, &counts, None, None).await?;
                tx.commit().await?;
            }
            for batch in outgoing.chunks(BATCH) {
                if cancel.load(Ordering::Relaxed) {
                    stopped = Some("cancelled".into());
                    break 'chunks;
                }
                // A person erased or restricted while this chunk was prepared is not sent.
                let withheld = self.not_to_send().await?;
                let ids: Vec<i64> = batch.iter().map(|(o, ..)| o.lead_id).collect();
                let mut still = crate::leads::query::existing(&mut *self.store.pool().acquire().await?, &ids).await?;
                still.retain(|id| !hashes.get(id).is_some_and(|h| h.iter().any(|h| withheld.contains(h))));
                let sending: Vec<&(Outgoing, Vec<u8>, &LeadDetail)> =
                    batch.iter().filter(|(o, ..)| still.contains(&o.lead_id)).collect();
                counts.withheld += (batch.len() - sending.len()) as i64;
                let items: Vec<Outgoing> = sending.iter().map(|(o, ..)| o.clone()).collect();
                let sent = match send::send(&crm, &items).await {
                    Ok(sent) => sent,
                    Err(e) => {
                        if let CrmError::Unauthorized { reason, .. } = &e {
                            connections::mark_invalid(pool, &connection.id, reason).await?;
                        }
                        stopped = Some(e.to_string());
                        break 'chunks;
                    }
                };
                let at = self.stamp();
                let mut kept: Vec<Kept> = Vec::new();
                let mut lines: Vec<(i64, &str, Option<&str>)> = Vec::new();
                for ((outgoing, hash, lead), sent) in sending.iter().zip(&sent) {
                    match sent {
                        Sent::Created(id) | Sent::Updated(id) => {
                            let created = matches!(sent, Sent::Created(_));
                            if created {
                                counts.created += 1;
                            } else {
                                counts.updated += 1;
                            }
                            kept.push(Kept {
                                lead_id: outgoing.lead_id,
                                remote_id: id,
                                remote_hash: self.hasher.hash(IdKind::CrmRecord, id),
                                payload_hash: hash,
                            });
                            lines.push((outgoing.lead_id, if created { "created" } else { "updated" }, None));
                        }
                        Sent::Failed(message) => {
                            counts.failed += 1;
                            lines.push((outgoing.lead_id, "failed", Some(message)));
                            if failures.len() < FAILURES_LISTED {
                                failures.push(PushFailure {
                                    lead_id: outgoing.lead_id,
                                    meta_id: lead.meta_id.clone(),
                                    form_id: lead.form_id.clone(),
                                    message: message.clone(),
                                });
                            }
                        }
                    }
                }
                let mut tx = self.store.write().await?;
                records::keep(&mut tx, &connection.id, &kept, &at).await?;
                push_log::note(&mut tx, push_id, &lines).await?;
                push_log::update(&mut tx, push_id, &counts, None, None).await?;
                let gone: Vec<(i64, String)> = {
                    let sent_ids: Vec<i64> = kept.iter().map(|k| k.lead_id).collect();
                    let existing = crate::leads::query::existing(&mut tx, &sent_ids).await?;
                    kept.iter()
                        .filter(|k| !existing.contains(&k.lead_id))
                        .map(|k| (k.lead_id, k.remote_id.to_owned()))
                        .collect()
                };
                tx.commit().await?;
                connections::touch(pool, &connection.id, &at).await?;
                self.undo_sent_for_erased(&crm, &hashes, &gone).await;
            }
            done += leads.len() as u64;
            progress(PushProgress { connection_id: connection.id.clone(), done, total });
            if cancel.load(Ordering::Relaxed) {
                stopped = Some("cancelled".into());
                break;
            }
        }
        let tx = self.store.write().await?;
        let mut tx = tx;
        push_log::update(&mut tx, push_id, &counts, Some(&self.stamp()), stopped.as_deref()).await?;
        let object = format!(
            "crm:{} push {push_id}: {} created, {} updated, {} unchanged, {} withheld, {} not mapped, {} failed{}",
            connection.id,
            counts.created,
            counts.updated,
            counts.unchanged,
            counts.withheld,
            counts.not_mapped,
            counts.failed,
            if stopped.is_some() { ", stopped" } else { "" }
        );
        self.settle(tx, "crm.push", &object, Ok(())).await?;
        Ok(ConnectionPush {
            push_id,
            connection_id: connection.id.clone(),
            crm: connection.crm,
            client: connection.client.clone(),
            counts,
            failures,
            stopped,
        })
    }

    /// The people nothing is sent about: those who restricted processing or objected, and those
    /// erased.
    async fn not_to_send(&self) -> Result<HashSet<IdentityHash>, Error> {
        let pool = self.store.pool();
        let mut withheld = crate::requests::restriction::restricted(pool).await?;
        withheld.extend(crate::requests::erasure::suppressed(pool).await?);
        Ok(withheld)
    }

    /// A lead erased while it was on its way to the CRM: what reached the CRM is deleted there
    /// again, so that the erasure holds. (A lead purged meanwhile is left: retention governs the
    /// copy here, not the client's CRM.)
    async fn undo_sent_for_erased(
        &self,
        crm: &crate::crm::client::CrmClient,
        hashes: &HashMap<i64, Vec<IdentityHash>>,
        gone: &[(i64, String)],
    ) {
        if gone.is_empty() {
            return;
        }
        let Ok(suppressed) = crate::requests::erasure::suppressed(self.store.pool()).await else { return };
        for (lead_id, remote_id) in gone {
            if hashes.get(lead_id).is_some_and(|h| h.iter().any(|h| suppressed.contains(h))) {
                if let Err(e) = send::delete(crm, remote_id).await {
                    tracing::warn!(error = %e, "a record sent for a person erased meanwhile could not be deleted");
                }
            }
        }
    }

    /// The push log, newest first: the pushes of `client` and `crm` when given, and what became of
    /// their leads, of `status` when given (created, updated, failed).
    pub async fn crm_log(
        &self,
        client: Option<&str>,
        crm: Option<Crm>,
        status: Option<&str>,
        limit: u32,
    ) -> Result<PushLog, Error> {
        let client = match client {
            Some(name) => Some(self.client(name).await?.name),
            None => None,
        };
        if let Some(status) = status {
            if !["created", "updated", "failed"].contains(&status) {
                return Err(Error::Invalid(format!("'{status}' is not a push result: created, updated or failed.")));
            }
        }
        let pool = self.store.pool();
        let limit = i64::from(limit.clamp(1, 100_000));
        let crm = crm.map(Crm::as_str);
        Ok(PushLog {
            pushes: push_log::pushes(pool, client.as_deref(), crm, limit).await?,
            results: push_log::results(pool, client.as_deref(), crm, status, limit).await?,
        })
    }
}
