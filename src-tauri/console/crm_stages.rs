//! CRM stages sent as Conversion Leads events: which stages of which CRM connection a client's
//! events are made of, and reading the stages of the records the client's leads were pushed to.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use ts_rs::TS;

use super::crm::CrmConnection;
use super::{Console, Error};
use crate::capi::events::{self, NewEvent};
use crate::capi::stages::{self, Reached};
use crate::crm::client::CrmError;
use crate::crm::{connections, records, Crm};
use crate::identity::IdKind;

/// Records whose stages are read before what they show is noted, in one transaction.
const READ_CHUNK: i64 = 100;

/// A client's choice of the stages of one CRM connection's records that are sent.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StageRule {
    pub client: String,
    pub connection_id: String,
    pub crm: Crm,
    /// The record field that holds the stage.
    pub field: String,
    pub stages: Vec<String>,
    pub set_at: String,
}

/// A record's stage as read.
struct Read<'a> {
    lead: i64,
    remote_id: &'a str,
    /// As the record holds it (Pipedrive's, a choice's option id).
    stage: String,
    /// As the CRM lists it: what the event is named.
    label: String,
    /// The lead was pushed to the record after the rule was set.
    pushed_since_rule: bool,
}

/// What reading a client's CRM stages found.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct StageReading {
    /// Records read.
    #[ts(type = "number")]
    pub read: u64,
    /// Leads whose record moved to a stage that is sent: each one event, queued.
    #[ts(type = "number")]
    pub queued: u64,
    /// Records the CRM would not give (refused, or in a shape it does not document): passed over.
    #[ts(type = "number")]
    pub unreadable: u64,
    /// Why reading stopped before the end; the next send reads again.
    pub stopped: Option<String>,
    /// When only looking: the events that queuing would have added, none of them queued.
    #[serde(skip)]
    #[ts(skip)]
    pub(super) would_queue: Vec<NewEvent>,
}

/// Whether reading the stages queues what it finds, or only says what it would queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StageMode {
    Queue,
    /// Nothing is noted or queued: the next send reads the same stages and queues the same events.
    Look,
}

/// The field that holds a record's stage where the CRM has one of its own: HubSpot's contact
/// lifecycle stage, and a Salesforce Lead's status. Pipedrive's persons have none: its field is
/// always named.
fn stage_field(crm: Crm) -> Option<&'static str> {
    match crm {
        Crm::HubSpot => Some("lifecyclestage"),
        Crm::Salesforce => Some("Status"),
        Crm::Pipedrive => None,
    }
}

impl Console {
    /// Sends the leads of `client` that reach one of `stages` in the records of its CRM connection
    /// `crm` as Conversion Leads events; `field` names the record field holding the stage (by
    /// default the CRM's own). The field, and for a field of choices each stage, is checked
    /// against the CRM. Watching starts at the stages the records are at at the next read.
    pub async fn capi_stages_set(
        &self,
        client: &str,
        crm: &str,
        field: Option<&str>,
        stages: &[String],
    ) -> Result<StageRule, Error> {
        let client = self.client(client).await?;
        let connection = self.client_crm(&client.name, crm).await?;
        let field = match field.map(str::trim).filter(|f| !f.is_empty()) {
            Some(field) => field.to_owned(),
            None => stage_field(connection.crm).map(str::to_owned).ok_or_else(|| {
                Error::Invalid(format!(
                    "{} persons have no stage of their own: name the person field that holds it, by its key as the \
                     CRM's fields list it.",
                    connection.crm.label()
                ))
            })?,
        };
        let mut chosen: Vec<String> = Vec::new();
        for stage in stages.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            if stage.chars().count() > 100 {
                return Err(Error::Invalid("A stage is at most 100 characters, as Meta takes an event name.".into()));
            }
            if !chosen.iter().any(|c| c == stage) {
                chosen.push(stage.to_owned());
            }
        }
        if chosen.is_empty() {
            return Err(Error::Invalid("Name at least one stage to send, as the CRM writes it.".into()));
        }
        let schema = self.schema_of(&connection).await?;
        let Some(known) = schema.field(&field) else {
            return Err(Error::Invalid(format!(
                "{} has no field '{field}' on its records; the CRM's fields list the ones it has.",
                connection.crm.label()
            )));
        };
        if known.multiple {
            return Err(Error::Invalid(format!(
                "{} field {field} holds several options at once; a stage is one option of a field that holds one.",
                connection.crm.label()
            )));
        }
        // A stage is kept as a record holds it, which stays when its option is renamed: for
        // Pipedrive's, the option's id, whether the option was named by its label or by its id.
        let mut held: Vec<String> = Vec::with_capacity(chosen.len());
        for stage in &chosen {
            let Some(value) = known.value_of(stage) else {
                return Err(Error::Invalid(format!(
                    "'{stage}' is not a value of {} field {field}; it takes {}.",
                    connection.crm.label(),
                    known.options.join(", ")
                )));
            };
            if !held.iter().any(|h| h == value) {
                held.push(value.to_owned());
            }
        }
        let chosen = held;
        let mut tx = self.store.write().await?;
        let at = self.stamp();
        stages::set_rule(&mut tx, &client.id, &connection.id, &field, &chosen, &at).await?;
        let object = format!(
            "client {}: {} stages {} of field {field} (connection {}) sent as conversion events",
            client.name,
            connection.crm.label(),
            chosen.join(", "),
            connection.id
        );
        let rule = StageRule {
            client: client.name.clone(),
            connection_id: connection.id.clone(),
            crm: connection.crm,
            field,
            stages: chosen,
            set_at: at,
        };
        self.settle(tx, "capi.stages", &object, Ok(rule)).await
    }

    /// Stops sending the stages of `client`'s CRM connection `crm`.
    pub async fn capi_stages_off(&self, client: &str, crm: &str) -> Result<(), Error> {
        let client = self.client(client).await?;
        let connection = self.client_crm(&client.name, crm).await?;
        let mut tx = self.store.write().await?;
        if !stages::remove_rule(&mut tx, &client.id, &connection.id).await? {
            return Err(Error::Invalid(format!(
                "Client {}'s {} stages are not sent; there is nothing to stop.",
                client.name,
                connection.crm.label()
            )));
        }
        let object = format!("client {}: {} stages no longer sent", client.name, connection.crm.label());
        self.settle(tx, "capi.stages", &object, Ok(())).await
    }

    /// The stages each client sends, or `client` sends.
    pub async fn capi_stage_rules(&self, client: Option<&str>) -> Result<Vec<StageRule>, Error> {
        let client_id = self.client_if(client).await?.map(|c| c.id);
        let connections = self.crm_connections().await?;
        let rules = stages::rules(self.store.pool(), client_id.as_deref()).await?;
        Ok(rules
            .into_iter()
            .filter_map(|r| {
                let connection = connections.iter().find(|c| c.id == r.connection_id)?;
                Some(StageRule {
                    client: r.client,
                    connection_id: r.connection_id,
                    crm: connection.crm,
                    field: r.field,
                    stages: r.stages,
                    set_at: r.set_at,
                })
            })
            .collect())
    }

    /// The CRM connection `crm` (a CRM's name or a connection id) of client `client`.
    async fn client_crm(&self, client: &str, crm: &str) -> Result<CrmConnection, Error> {
        let connection = self.crm_connection(crm, Some(client)).await?;
        if connection.client.as_deref() != Some(client) {
            return Err(Error::Invalid(format!(
                "CRM connection {} is not client {client}'s; a client's events come from its own CRM.",
                connection.id
            )));
        }
        Ok(connection)
    }

    /// Reads the stage of every record `client_id`'s leads were pushed to in the CRMs whose stages
    /// it sends, and queues an event for each lead that moved to a stage that is sent. A record
    /// seen for the first time is only noted, unless its lead was pushed after the rule was set
    /// (then it started with no stage). A record the CRM refuses to give is passed over and
    /// counted; a refused token, a lasting throttle or an unreachable CRM stops the reading, which
    /// keeps what it noted and queued, and says why.
    pub(super) async fn read_stages(&self, client_id: &str, mode: StageMode, cancel: &AtomicBool) -> StageReading {
        let mut reading = StageReading::default();
        if let Err(e) = self.read_stages_into(client_id, mode, cancel, &mut reading).await {
            reading.stopped = Some(e.to_string());
        }
        reading
    }

    async fn read_stages_into(
        &self,
        client_id: &str,
        mode: StageMode,
        cancel: &AtomicBool,
        reading: &mut StageReading,
    ) -> Result<(), Error> {
        let rules = stages::rules(self.store.pool(), Some(client_id)).await?;
        let Some(first) = rules.first() else { return Ok(()) };
        let client = self.client(&first.client).await?;
        let connections = self.crm_connections().await?;
        for rule in rules {
            let Some(connection) = connections.iter().find(|c| c.id == rule.connection_id) else { continue };
            let crm = self.crm_client(connection).await?;
            let wanted = [rule.field.clone()];
            // Pipedrive's records hold a choice as its option's id; its event is named for the
            // option as the CRM lists it now.
            let choices = match connection.crm {
                Crm::Pipedrive => {
                    let schema = self.read_schema(connection, &crm).await?;
                    let Some(field) = schema.field(&rule.field).cloned() else {
                        return Err(Error::Invalid(format!(
                            "Pipedrive no longer lists the person field {} that client {}'s stages are read from; \
                             choose the stages again.",
                            rule.field, client.name
                        )));
                    };
                    Some(field)
                }
                Crm::HubSpot | Crm::Salesforce => None,
            };
            let mut after = 0;
            loop {
                if cancel.load(Ordering::Relaxed) {
                    reading.stopped = Some("cancelled".into());
                    return Ok(());
                }
                let page = records::of_connection(self.store.pool(), &rule.connection_id, after, READ_CHUNK).await?;
                let Some(last) = page.last() else { break };
                after = last.0;
                let mut read: Vec<Read<'_>> = Vec::with_capacity(page.len());
                for (lead, remote_id, pushed_at) in &page {
                    match crate::crm::send::read(&crm, remote_id, &wanted).await {
                        Ok(Some(fields)) => {
                            let stage = stages::stage_in(&fields, &rule.field);
                            let label = choices.as_ref().map_or(stage.as_str(), |f| f.label_of(&stage)).to_owned();
                            read.push(Read {
                                lead: *lead,
                                remote_id,
                                stage,
                                label,
                                pushed_since_rule: pushed_at.as_str() > rule.set_at.as_str(),
                            })
                        }
                        // No longer in the CRM: it has no stage to reach.
                        Ok(None) => {}
                        Err(CrmError::Refused { .. } | CrmError::Unexpected { .. }) => reading.unreadable += 1,
                        Err(e) => {
                            if let CrmError::Unauthorized { reason, .. } = &e {
                                connections::mark_invalid(self.store.pool(), &connection.id, reason).await?;
                            }
                            return Err(e.into());
                        }
                    }
                    reading.read += 1;
                }
                match self.note_stages(&client, &rule, connection.crm, &read, mode).await? {
                    Some(queued) => {
                        reading.queued += queued.len() as u64;
                        if mode == StageMode::Look {
                            reading.would_queue.extend(queued);
                        }
                    }
                    // The rule was changed or stopped meanwhile: what was read is of another rule.
                    None => break,
                }
            }
        }
        Ok(())
    }

    /// Notes the stages read, and queues an event for each lead that moved to a stage that is
    /// sent, in one transaction, if the rule is still as it was read under (`None` otherwise); the
    /// events queued (none already were). A lead erased or purged since it was read, or whose
    /// record is no longer the one read, is passed over; Meta's test leads are noted, never sent.
    /// Only looking, the same transaction is rolled back: what it would queue is exactly what a
    /// send would.
    async fn note_stages(
        &self,
        client: &crate::clients::Client,
        rule: &stages::Rule,
        crm: Crm,
        read: &[Read<'_>],
        mode: StageMode,
    ) -> Result<Option<Vec<NewEvent>>, Error> {
        let at = self.stamp();
        let seen_unix = self.now().timestamp();
        let ids: Vec<i64> = read.iter().map(|r| r.lead).collect();
        let mut tx = self.store.write().await?;
        let same_rule =
            stages::rule_now(&mut tx, &client.id, &rule.connection_id).await?.is_some_and(|(field, chosen, set_at)| {
                field == rule.field && set_at == rule.set_at && chosen == rule.stages
            });
        if !same_rule {
            return Ok(None);
        }
        let pairs: Vec<(i64, &str)> = read.iter().map(|r| (r.lead, r.remote_id)).collect();
        // A record is kept only while its lead is held: this passes over erased and purged leads too.
        let kept = records::still_kept(&mut tx, &rule.connection_id, &pairs).await?;
        let before = stages::seen(&mut tx, &rule.connection_id, &ids).await?;
        let mut reached = Vec::new();
        for r in read {
            if !kept.contains(&r.lead) {
                continue;
            }
            let was = match before.get(&r.lead) {
                Some((remote_id, stage)) if remote_id == r.remote_id => Some(stage.as_str()),
                // First seen on this record: a lead pushed since the rule was set started with none.
                _ if r.pushed_since_rule => Some(""),
                _ => None,
            };
            if was.is_some_and(|was| was != r.stage && rule.stages.contains(&r.stage)) {
                let lead =
                    crate::store::direct(&mut tx, |c| crate::leads::query::one_with_hashes_now(c, r.lead)).await??;
                if let Some((detail, mut people)) = lead.filter(|(d, _)| !d.is_test) {
                    people.extend(self.hasher.identify(IdKind::CrmRecord, r.remote_id, None));
                    reached.push(stages::event_of(Reached {
                        crm: crm.label(),
                        connection_id: &rule.connection_id,
                        lead_id: r.lead,
                        remote_id: r.remote_id,
                        stage: &r.stage,
                        label: &r.label,
                        meta_id: detail.meta_id.as_deref(),
                        seen_unix,
                        people,
                    }));
                }
            }
            if before.get(&r.lead).is_none_or(|(remote_id, stage)| remote_id != r.remote_id || *stage != r.stage) {
                stages::note(&mut tx, &rule.connection_id, r.lead, r.remote_id, &r.stage, &at).await?;
            }
        }
        let queued = if reached.is_empty() {
            Vec::new()
        } else {
            let queued = crate::store::direct(&mut tx, |c| events::queue_now(c, &client.id, &reached, &at)).await??;
            reached.into_iter().zip(queued).filter_map(|(event, queued)| queued.then_some(event)).collect()
        };
        match mode {
            StageMode::Queue => tx.commit().await?,
            StageMode::Look => tx.rollback().await?,
        }
        Ok(Some(queued))
    }
}
