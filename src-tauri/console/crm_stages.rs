//! CRM stages sent as Conversion Leads events: which stages of which CRM connection a client's
//! events are made of, and reading the stages of the records the client's leads were pushed to.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use ts_rs::TS;

use super::crm::CrmConnection;
use super::{Console, Error};
use crate::capi::events;
use crate::capi::stages::{self, Reached};
use crate::crm::client::CrmError;
use crate::crm::{connections, records, Crm};
use crate::identity::{IdKind, IdentityHash};

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

/// What reading a client's CRM stages found.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct StageReading {
    /// Records read.
    #[ts(type = "number")]
    pub read: u64,
    /// Leads whose record moved to a stage that is sent: each one event, queued.
    #[ts(type = "number")]
    pub queued: u64,
    /// Why reading stopped before the end; the next send reads again.
    pub stopped: Option<String>,
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
        // HubSpot and Salesforce write a choice as the value they list; Pipedrive writes an option's id.
        if connection.crm != Crm::Pipedrive && !known.options.is_empty() {
            if let Some(unknown) = chosen.iter().find(|s| !known.options.contains(s)) {
                return Err(Error::Invalid(format!(
                    "'{unknown}' is not a value of {} field {field}; it takes {}.",
                    connection.crm.label(),
                    known.options.join(", ")
                )));
            }
        }
        let mut tx = self.store.write().await?;
        stages::set_rule(&mut tx, &client.id, &connection.id, &field, &chosen, &self.stamp()).await?;
        let object = format!(
            "client {}: {} stages {} of field {field} (connection {}) sent as conversion events",
            client.name,
            connection.crm.label(),
            chosen.join(", "),
            connection.id
        );
        self.settle(tx, "capi.stages", &object, Ok(())).await?;
        let rules = self.capi_stage_rules(Some(&client.name)).await?;
        Ok(rules.into_iter().find(|r| r.connection_id == connection.id).expect("set above"))
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
    /// seen for the first time is only noted. What was read before a failure or a cancel is kept;
    /// the next read goes on from what was noted.
    pub(super) async fn read_stages(&self, client_id: &str, cancel: &AtomicBool) -> Result<StageReading, Error> {
        let mut reading = StageReading::default();
        let rules = stages::rules(self.store.pool(), Some(client_id)).await?;
        if rules.is_empty() {
            return Ok(reading);
        }
        let client = self.client(&rules[0].client).await?;
        let connections = self.crm_connections().await?;
        for rule in rules {
            let Some(connection) = connections.iter().find(|c| c.id == rule.connection_id) else { continue };
            let crm = self.crm_client(connection).await?;
            let wanted = [rule.field.clone()];
            let mut after = 0;
            loop {
                if cancel.load(Ordering::Relaxed) {
                    reading.stopped = Some("cancelled".into());
                    return Ok(reading);
                }
                let page = records::of_connection(self.store.pool(), &rule.connection_id, after, READ_CHUNK).await?;
                let Some(last) = page.last() else { break };
                after = last.0;
                let mut read: Vec<(i64, &str, String)> = Vec::with_capacity(page.len());
                for (lead, remote) in &page {
                    match crate::crm::send::read(&crm, remote, &wanted).await {
                        Ok(Some(fields)) => read.push((*lead, remote, stages::stage_in(&fields, &rule.field))),
                        // No longer in the CRM: it has no stage to reach.
                        Ok(None) => {}
                        Err(e) => {
                            if let CrmError::Unauthorized { reason, .. } = &e {
                                connections::mark_invalid(self.store.pool(), &connection.id, reason).await?;
                            }
                            return Err(e.into());
                        }
                    }
                    reading.read += 1;
                }
                reading.queued += self.note_stages(&client, &rule, connection.crm, &read).await?;
            }
        }
        Ok(reading)
    }

    /// Notes the stages read, and queues an event for each lead that moved to a stage that is
    /// sent, in one transaction; a lead erased or purged since it was read is passed over.
    async fn note_stages(
        &self,
        client: &crate::clients::Client,
        rule: &stages::Rule,
        crm: Crm,
        read: &[(i64, &str, String)],
    ) -> Result<u64, Error> {
        let at = self.stamp();
        let seen_unix = self.now().timestamp();
        let ids: Vec<i64> = read.iter().map(|(lead, _, _)| *lead).collect();
        let mut tx = self.store.write().await?;
        let held = crate::leads::query::existing(&mut tx, &ids).await?;
        let before = stages::seen(&mut tx, &rule.connection_id, &ids).await?;
        let mut reached = Vec::new();
        for (lead, remote_id, stage) in read {
            if !held.contains(lead) {
                continue;
            }
            match before.get(lead) {
                Some(was) if was == stage => continue,
                Some(_) if rule.stages.contains(stage) => {
                    let Some(detail) = crate::leads::query::detail(&mut *tx, *lead).await? else { continue };
                    let people = self.people_of_lead(&detail, client.country.as_deref());
                    reached.push(stages::event_of(Reached {
                        crm: crm.label(),
                        connection_id: &rule.connection_id,
                        remote_id,
                        stage,
                        meta_id: detail.meta_id.as_deref(),
                        seen_unix,
                        people,
                    }));
                }
                _ => {}
            }
            stages::note(&mut tx, &rule.connection_id, *lead, stage, &at).await?;
        }
        let queued = if reached.is_empty() {
            0
        } else {
            let queued = crate::store::direct(&mut tx, |c| events::queue_now(c, &client.id, &reached, &at))
                .await?
                .map_err(crate::store::StoreError::from)?;
            queued.into_iter().filter(|q| *q).count() as u64
        };
        tx.commit().await?;
        Ok(queued)
    }

    /// The keyed hashes a lead's person is found by: its Meta lead id, emails and phones.
    fn people_of_lead(&self, lead: &crate::leads::LeadDetail, country: Option<&str>) -> Vec<IdentityHash> {
        let answers = lead.answers.iter().map(|(q, a)| (q.as_str(), a.as_str()));
        let found = crate::leads::parse::identifiers_in(answers, country);
        let mut people: Vec<IdentityHash> =
            found.entries.iter().map(|(kind, normalised, _)| self.hasher.hash(*kind, normalised)).collect();
        people.extend(lead.meta_id.as_deref().and_then(|id| self.hasher.identify(IdKind::LeadId, id, None)));
        people
    }
}
