//! Pushing leads to the clients' CRMs, and the push log. Each lead is sent by its form's newest
//! mapping; one whose form has none is counted as not mapped, never sent half-filled. A person who
//! restricted processing, objected or was erased is never sent. A lead sent before with the same
//! fields is not sent again, and what each lead became in the CRM is kept with it, so that a
//! request reaches it later.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use super::crm::CrmConnection;
use super::{Console, Error};
use crate::crm::client::CrmError;
use crate::crm::mapping::{self, Mapping};
use crate::crm::payload::hash as payload_hash;
use crate::crm::push_log::{self, Counts, LeadResult, Push};
use crate::crm::records::{self, Kept};
use crate::crm::schema::Schema;
use crate::crm::send::{self, Outgoing, Sent};
use crate::crm::{connections, Crm};
use crate::identity::{IdKind, IdentityHash};
use crate::leads::mappable::{self, Mappable};
use crate::leads::Filter;
use crate::requests::person_list::{withholds, Withheld};

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

/// What a push has sent but not yet recorded. Several batches are recorded in one transaction:
/// a commit per batch would cost more than the rest of the push, and what is sent again after a
/// crash is matched to the record the CRM already has (by email), so it makes nothing twice.
struct Pending {
    kept: Vec<SentRecord>,
    lines: Vec<(i64, &'static str, Option<String>)>,
    since: std::time::Instant,
    checked: Checked,
}

/// The store's data version at which the pending lines' leads were last found held and their
/// people not withheld. While it is one and the same, and no other connection has committed since,
/// recording them need not look again.
#[derive(Clone, Copy, PartialEq)]
enum Checked {
    Nothing,
    At(i64),
    AtSeveral,
}

/// What one lead became in the CRM, until it is recorded.
struct SentRecord {
    lead_id: i64,
    remote_id: String,
    /// The keyed hash of the record's id.
    remote_hash: IdentityHash,
    payload_hash: Vec<u8>,
    /// The keyed hashes of the lead's person.
    person: Vec<IdentityHash>,
}

/// Leads sent, or seconds passed, before what was sent is recorded. A commit writes every page
/// that the records' index by remote id (random keys) was changed in, whether by one row or by
/// fifty, so fewer commits write far fewer pages; the time bounds what a crash leaves to send
/// again.
const RECORD_EVERY: usize = 5_000;
const RECORD_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

impl Pending {
    fn new() -> Self {
        Self { kept: Vec::new(), lines: Vec::new(), since: std::time::Instant::now(), checked: Checked::Nothing }
    }

    /// Notes that lines about to be added were checked at data version `version`.
    fn checked_at(&mut self, version: i64) {
        self.checked = match self.checked {
            Checked::Nothing => Checked::At(version),
            Checked::At(v) if v == version => Checked::At(v),
            _ => Checked::AtSeveral,
        };
    }

    /// Notes a lead that could not be sent, for the log, and for the report while it lists fewer
    /// than `FAILURES_LISTED`.
    fn fail(&mut self, failures: &mut Vec<PushFailure>, lead: &Mappable, message: String) {
        if failures.len() < FAILURES_LISTED {
            failures.push(PushFailure {
                lead_id: lead.id,
                meta_id: lead.meta_id().map(str::to_owned),
                form_id: lead.form_id().to_owned(),
                message: message.clone(),
            });
        }
        self.lines.push((lead.id, "failed", Some(message)));
    }

    fn due(&self) -> bool {
        self.lines.len() >= RECORD_EVERY || self.since.elapsed() >= RECORD_AFTER
    }
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
        let _pushing = super::lock::take(&self.dir, "pushing leads to the CRMs")?;
        let chosen: Vec<CrmConnection> = match which {
            Some(which) => vec![self.crm_connection(which, client).await?],
            None => {
                let only = self.client_if(client).await?.map(|c| c.name);
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
            pushes.push(self.push_or_say_why(&connection, progress, &cancel).await);
        }
        Ok(PushReport { pushes })
    }

    /// A connection's push; one that cannot start (its token refused, the CRM unreachable) says
    /// why, and the other connections' pushes go on.
    async fn push_or_say_why(
        &self,
        connection: &CrmConnection,
        progress: &(dyn Fn(PushProgress) + Send + Sync),
        cancel: &AtomicBool,
    ) -> ConnectionPush {
        match self.push_to(connection, progress, cancel).await {
            Ok(push) => push,
            Err(e) => ConnectionPush {
                push_id: 0,
                connection_id: connection.id.clone(),
                crm: connection.crm,
                client: connection.client.clone(),
                counts: Counts::default(),
                failures: Vec::new(),
                stopped: Some(match e {
                    Error::Crm(e) => e.plain(),
                    e => e.to_string(),
                }),
            },
        }
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
        let crm = self.crm_client(connection).await?;
        // Each mapping is sent by the fields it was checked against when kept, so that a push asks
        // the CRM for nothing but the batches; only a mapping kept without them reads them live.
        let mut live_schema: Option<Arc<Schema>> = None;
        let filter = Filter { client_id: Some(owner.id.clone()), ..Filter::default() };
        let total = crate::leads::query::count(pool, &filter).await?.max(0) as u64;

        let mut tx = self.store.write().await?;
        let push_id = push_log::start(&mut tx, &connection.id, &self.stamp()).await?;
        tx.commit().await?;

        let mut counts = Counts::default();
        let mut failures: Vec<PushFailure> = Vec::new();
        let mut mappings: HashMap<String, Option<(Mapping, Arc<Schema>)>> = HashMap::new();
        let mut stopped: Option<String> = None;
        let mut done = 0u64;
        let mut after_id = 0i64;
        let mut pending = Pending::new();
        let mut withheld = Withheld::default();
        // One connection for the whole push, its writes and its reads: a commit on another
        // connection would empty this one's page cache, and every page read after it would be
        // decrypted again. Its commits skip the fsync: what they record is sent again after a
        // power cut, and the CRM matches it to the record it made.
        let mut bulk = self.store.lean_bulk().await?;
        let outcome: Result<(), Error> = async {
            'chunks: loop {
                let withheld_at = withheld.version;
                let (chunk_version, read, known, fresh) = bulk
                    .direct(|c| -> rusqlite::Result<_> {
                        // Taken before the reads: a commit from elsewhere during them changes it,
                        // and what they read is then checked again before it is sent.
                        let version = crate::store::data_version(c)?;
                        let read = mappable::client_chunk(c, &owner.id, after_id, CHUNK)?;
                        let known = match (read.first(), read.last()) {
                            (Some((first, _)), Some((last, _))) => {
                                records::known_now(c, &connection.id, first.id, last.id)?
                            }
                            _ => HashMap::new(),
                        };
                        Ok((version, read, known, Withheld::read_if_changed(c, withheld_at, version)?))
                    })
                    .await??;
                withheld.update(chunk_version, fresh);
                let Some((last, _)) = read.last() else { break };
                after_id = last.id;
                let (leads, hashes): (Vec<Mappable>, HashMap<i64, Vec<IdentityHash>>) = read
                    .into_iter()
                    .map(|(lead, hashes)| {
                        let id = lead.id;
                        (lead, (id, hashes))
                    })
                    .unzip();
                let mut outgoing: Vec<(Outgoing, Vec<u8>, &Mappable)> = Vec::new();
                for lead in &leads {
                    if withholds(&withheld.people, &hashes, lead.id) {
                        counts.withheld += 1;
                        continue;
                    }
                    if !mappings.contains_key(lead.form_id()) {
                        let kept = match self.crm_map_show(&owner.name, lead.form_id(), &connection.id).await? {
                            None => None,
                            Some(kept) => {
                                let schema =
                                    match connections::mapped_schema(pool, &connection.id, lead.form_id()).await? {
                                        Some(schema) => Arc::new(schema),
                                        None => match &live_schema {
                                            Some(schema) => Arc::clone(schema),
                                            None => {
                                                let schema = Arc::new(self.read_schema(connection, &crm).await?);
                                                live_schema = Some(Arc::clone(&schema));
                                                schema
                                            }
                                        },
                                    };
                                Some((kept.mapping, schema))
                            }
                        };
                        mappings.insert(lead.form_id().to_owned(), kept);
                    }
                    let Some(Some((mapping, schema))) = mappings.get(lead.form_id()) else {
                        counts.not_mapped += 1;
                        continue;
                    };
                    match mapping::apply(mapping, schema, &lead.answers(), owner.country.as_deref()) {
                        Err(problems) => {
                            let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
                            let message = format!("as mapped: {}", listed.join("; "));
                            counts.failed += 1;
                            pending.checked_at(chunk_version);
                            pending.fail(&mut failures, lead, message);
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
                let mut outgoing = outgoing.into_iter().peekable();
                while outgoing.peek().is_some() {
                    let batch: Vec<(Outgoing, Vec<u8>, &Mappable)> = outgoing.by_ref().take(BATCH).collect();
                    if cancel.load(Ordering::Relaxed) {
                        stopped = Some("cancelled".into());
                        break 'chunks;
                    }
                    // A person erased or restricted while this chunk was prepared is not sent; nor is
                    // a lead gone meanwhile. Read again only when another connection has committed
                    // since they were read, which is what erasing, restricting or purging does.
                    let ids: Vec<i64> = batch.iter().map(|(o, ..)| o.lead_id).collect();
                    let withheld_at = withheld.version;
                    let (now, fresh, still) = bulk
                        .direct(|c| -> rusqlite::Result<_> {
                            let now = crate::store::data_version(c)?;
                            let fresh = Withheld::read_if_changed(c, withheld_at, now)?;
                            let still = if now == chunk_version {
                                None
                            } else {
                                Some(crate::leads::query::existing_now(c, &ids)?)
                            };
                            Ok((now, fresh, still))
                        })
                        .await??;
                    withheld.update(now, fresh);
                    pending.checked_at(now);
                    let before = batch.len();
                    let (items, sending): (Vec<Outgoing>, Vec<(Vec<u8>, &Mappable)>) = batch
                        .into_iter()
                        .filter(|(o, ..)| {
                            still.as_ref().is_none_or(|s| s.contains(&o.lead_id))
                                && !withholds(&withheld.people, &hashes, o.lead_id)
                        })
                        .map(|(o, hash, lead)| (o, (hash, lead)))
                        .unzip();
                    counts.withheld += (before - items.len()) as i64;
                    let sent = match send::send(&crm, &items).await {
                        Ok(sent) => sent,
                        Err(e) => {
                            if let CrmError::Unauthorized { reason, .. } = &e {
                                connections::mark_invalid(pool, &connection.id, reason).await?;
                            }
                            // Kept in the push log: Custodian's words, not the CRM's, which may quote
                            // what was sent.
                            stopped = Some(e.plain());
                            break 'chunks;
                        }
                    };
                    for ((outgoing, (hash, lead)), sent) in items.iter().zip(sending).zip(sent) {
                        let created = matches!(sent, Sent::Created(_));
                        match sent {
                            Sent::Created(id) | Sent::Updated(id) => {
                                let status = if created {
                                    counts.created += 1;
                                    "created"
                                } else {
                                    counts.updated += 1;
                                    "updated"
                                };
                                let remote_hash = self.hasher.hash(IdKind::CrmRecord, &id);
                                let person = hashes.get(&outgoing.lead_id).cloned().unwrap_or_default();
                                pending.kept.push(SentRecord {
                                    lead_id: outgoing.lead_id,
                                    remote_id: id,
                                    remote_hash,
                                    payload_hash: hash,
                                    person,
                                });
                                pending.lines.push((outgoing.lead_id, status, None));
                            }
                            Sent::Failed(message) => {
                                counts.failed += 1;
                                pending.fail(&mut failures, lead, message);
                            }
                        }
                    }
                    if pending.due() {
                        self.flush_push(&mut bulk, &crm, &connection.id, push_id, &counts, &mut pending).await?;
                    }
                }
                done += leads.len() as u64;
                progress(PushProgress { connection_id: connection.id.clone(), done, total });
                if cancel.load(Ordering::Relaxed) {
                    stopped = Some("cancelled".into());
                    break;
                }
            }
            Ok(())
        }
        .await;
        // What was sent is on record before anything else: should that fail, the next push sends it
        // again, and the CRM matches it to the record it made.
        let flushed = self.flush_push(&mut bulk, &crm, &connection.id, push_id, &counts, &mut pending).await;
        // The connection's cache and durability go back to ordinary on every path.
        let finished = bulk.finish().await;
        flushed?;
        outcome?;
        finished?;
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

    /// Records what was sent since the last time, with the push's counts so far. A lead erased
    /// meanwhile is not recorded, and what reached the CRM for it is deleted there again.
    async fn flush_push(
        &self,
        bulk: &mut crate::store::Bulk,
        crm: &crate::crm::client::CrmClient,
        connection_id: &str,
        push_id: i64,
        counts: &Counts,
        pending: &mut Pending,
    ) -> Result<(), Error> {
        let taken = std::mem::replace(pending, Pending::new());
        let at = self.stamp();
        let mut tx = bulk.write().await?;
        // Every line's lead must still be held, and a person erased since their lead was sent is
        // not recorded, whatever now holds the lead's id: what reached the CRM is deleted there
        // again below. Both are read once for all, in the transaction that keeps the rows, unless
        // nothing was committed from elsewhere since the lines were checked.
        let ids: Vec<i64> = taken.lines.iter().map(|(id, ..)| *id).collect();
        let gone = crate::store::direct(&mut tx, |c| -> rusqlite::Result<_> {
            let unchanged = taken.checked == Checked::At(crate::store::data_version(c)?);
            let (suppressed, existing) = if unchanged {
                (HashSet::new(), None)
            } else {
                (crate::requests::erasure::suppressed_now(c)?, Some(crate::leads::query::existing_now(c, &ids)?))
            };
            let held = |id: &i64| existing.as_ref().is_none_or(|e| e.contains(id));
            let (gone, kept): (Vec<&SentRecord>, Vec<&SentRecord>) =
                taken.kept.iter().partition(|k| k.person.iter().any(|h| suppressed.contains(h)) || !held(&k.lead_id));
            let kept: Vec<Kept> = kept
                .into_iter()
                .map(|k| Kept {
                    lead_id: k.lead_id,
                    remote_id: &k.remote_id,
                    remote_hash: k.remote_hash,
                    payload_hash: &k.payload_hash,
                })
                .collect();
            let lines: Vec<(i64, &str, Option<&str>)> = taken
                .lines
                .iter()
                .filter(|(id, ..)| held(id))
                .map(|(id, status, message)| (*id, *status, message.as_deref()))
                .collect();
            records::keep_now(c, connection_id, &kept, &at)?;
            push_log::note_now(c, push_id, &lines)?;
            Ok((gone, !kept.is_empty()))
        })
        .await??;
        let (gone, recorded) = gone;
        push_log::update(&mut tx, push_id, counts, None, None).await?;
        if recorded {
            connections::touch(&mut *tx, connection_id, &at).await?;
        }
        tx.commit().await?;
        self.undo_sent_for_erased(crm, &gone).await;
        Ok(())
    }

    /// A lead erased while it was on its way to the CRM: what reached the CRM is deleted there
    /// again, so that the erasure holds. (A lead purged meanwhile is left: retention governs the
    /// copy here, not the client's CRM.)
    async fn undo_sent_for_erased(&self, crm: &crate::crm::client::CrmClient, gone: &[&SentRecord]) {
        if gone.is_empty() {
            return;
        }
        let Ok(suppressed) = crate::requests::erasure::suppressed(self.store.pool()).await else { return };
        for sent in gone {
            if sent.person.iter().any(|h| suppressed.contains(h)) {
                if let Err(e) = send::delete(crm, &sent.remote_id, send::Deletion::Erasure).await {
                    tracing::warn!(error = %e, "a record sent for a person erased meanwhile could not be deleted");
                }
            }
        }
    }

    /// After an import or a sync brought `client` new leads: pushes them to each of its CRM
    /// connections set to push automatically. `None` when none is.
    pub async fn push_after_new_leads(&self, client: &str) -> Result<Option<PushReport>, Error> {
        let name = self.client(client).await?.name;
        let automatic: Vec<CrmConnection> = self
            .crm_connections()
            .await?
            .into_iter()
            .filter(|c| c.auto_push && c.client.as_deref() == Some(name.as_str()))
            .collect();
        if automatic.is_empty() {
            return Ok(None);
        }
        let _pushing = super::lock::take(&self.dir, "pushing leads to the CRMs")?;
        let cancel = AtomicBool::new(false);
        let mut pushes = Vec::with_capacity(automatic.len());
        for connection in automatic {
            pushes.push(self.push_or_say_why(&connection, &|_| {}, &cancel).await);
        }
        Ok(Some(PushReport { pushes }))
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
        let client = self.client_if(client).await?.map(|c| c.name);
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
