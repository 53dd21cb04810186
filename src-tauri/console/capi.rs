//! The Conversions API: where each client's events go, queuing offline conversions, what would be
//! sent (hashed, with what cannot be and why), sending, and the event log. Nothing is sent about a
//! person who restricted processing, objected or was erased; an erased person's events are gone.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::crm_stages::StageMode;
use super::{Console, Error};
use crate::capi::events::{self, Dataset, Logged, Queued};
use crate::capi::offline::{Offline, Read};
use crate::capi::send::{self, Unsendable, BATCH};
use crate::consent::OptedOut;
use crate::identity::IdentityHash;
use crate::meta::app;
use crate::meta::connections::{self, TOKEN_PURPOSE};
use crate::meta::GraphError;
use crate::requests::person_list::{withheld_now, withholds, Withheld};
use crate::store::StoreError;
use crate::vault::{Sensitive, Vault};

/// Rows of a file queued in one statement.
const QUEUE_CHUNK: usize = 1000;
/// The longest a file's rows wait to be committed: what is queued is on record by then, and other
/// writers get their turn.
const COMMIT_AFTER: std::time::Duration = std::time::Duration::from_secs(2);
/// Events and problems a preview or an import lists; the counts cover all.
const LISTED: usize = 1000;

/// What queuing a file of offline conversions did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CapiImport {
    pub client: String,
    #[ts(type = "number")]
    pub queued: u64,
    /// Rows already queued before, by event name and id: importing a file again adds nothing.
    #[ts(type = "number")]
    pub already_queued: u64,
    /// Rows queued as events that can never be sent, each with why (the first of them).
    #[ts(type = "number")]
    pub invalid: u64,
    pub problems: Vec<RowProblem>,
}

/// A row of a file, or an event, that cannot be sent, and why.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RowProblem {
    pub source: String,
    pub reason: String,
}

/// One event as it would be sent: its payload with hashed keys only.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PreviewEvent {
    pub client: String,
    pub dataset_id: Option<String>,
    pub source: String,
    #[ts(type = "Record<string, unknown>")]
    pub payload: Value,
}

/// What `capi send` would do now.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CapiPreview {
    #[ts(type = "number")]
    pub sendable: u64,
    /// The first of them, as they would go.
    pub events: Vec<PreviewEvent>,
    /// Events that are not sent, and why: never (invalid) or not yet (in the future).
    pub unsendable: Vec<RowProblem>,
    #[ts(type = "number")]
    pub unsendable_count: u64,
    /// Events of people who restricted processing, objected, or opted out of the client's
    /// marketing: kept, not sent.
    #[ts(type = "number")]
    pub withheld: u64,
    /// Clients with events but no dataset to send them to.
    pub no_dataset: Vec<String>,
    /// CRM records read for their stage, live, and the events the stages reached would add (in
    /// the counts and lists above; a send reads them again and queues them first).
    #[ts(type = "number")]
    pub stages_read: u64,
    #[ts(type = "number")]
    pub stage_events: u64,
    #[ts(type = "number")]
    pub stages_unreadable: u64,
    /// For each client whose CRM stages could not all be read: the client, and why.
    pub stages_stopped: Vec<RowProblem>,
}

/// What sending did for one client.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ClientSend {
    pub client: String,
    pub dataset_id: Option<String>,
    #[ts(type = "number")]
    pub sent: u64,
    #[ts(type = "number")]
    pub batches: u64,
    /// Marked never to be sent, with the reason listed in the preview and the event.
    #[ts(type = "number")]
    pub invalid: u64,
    #[ts(type = "number")]
    pub not_yet: u64,
    #[ts(type = "number")]
    pub withheld: u64,
    /// Why sending stopped before the end; the next send goes on from there, sending nothing twice.
    pub stopped: Option<String>,
    /// CRM records whose stage was read, and the events queued for the stages reached.
    #[ts(type = "number")]
    pub stages_read: u64,
    #[ts(type = "number")]
    pub stage_events: u64,
    /// CRM records whose stage the CRM would not give: passed over.
    #[ts(type = "number")]
    pub stages_unreadable: u64,
    /// Why reading the CRM stages stopped before the end; what was queued is sent all the same,
    /// and the next send reads again.
    pub stages_stopped: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct CapiSendReport {
    pub clients: Vec<ClientSend>,
}

impl CapiSendReport {
    pub fn failed(&self) -> bool {
        self.clients.iter().any(|c| c.stopped.is_some() || c.stages_stopped.is_some())
    }
}

impl Console {
    /// Sets the dataset (pixel) a client's conversion events go to, and the test code that sends
    /// them to Meta's Test Events tool instead (empty clears it).
    pub async fn capi_set(&self, client: &str, dataset: &str, test_code: Option<&str>) -> Result<Dataset, Error> {
        let client = self.client(client).await?;
        let dataset = dataset.trim();
        if dataset.is_empty() || !dataset.bytes().all(|b| b.is_ascii_digit()) || dataset.len() > 32 {
            return Err(Error::Invalid(format!(
                "'{dataset}' is not a dataset (pixel) id: it is the number Events Manager shows for the dataset."
            )));
        }
        let test_code = test_code.map(str::trim).filter(|c| !c.is_empty());
        if test_code.is_some_and(|c| c.len() > 64 || c.chars().any(char::is_whitespace)) {
            return Err(Error::Invalid(
                "A test event code is one word, as Events Manager's Test Events tab shows it.".into(),
            ));
        }
        let mut tx = self.store.write().await?;
        events::set_dataset(&mut tx, &client.id, dataset, test_code, &self.stamp()).await?;
        let object = format!(
            "client {}: conversion events go to dataset {dataset}{}",
            client.name,
            if test_code.is_some() { " as test events" } else { "" }
        );
        self.settle(tx, "capi.set", &object, Ok(())).await?;
        let mut set = events::datasets(self.store.pool(), Some(&client.id)).await?;
        Ok(set.pop().map(|(_, d)| d).expect("set above"))
    }

    /// Each client's dataset.
    pub async fn capi_datasets(&self) -> Result<Vec<Dataset>, Error> {
        Ok(events::datasets(self.store.pool(), None).await?.into_iter().map(|(_, d)| d).collect())
    }

    /// Queues the offline conversions of a CSV for `client`. Their matching keys are hashed as the
    /// file is read; rows that can never be sent are queued as such, with why, and never sent.
    pub async fn capi_import(&self, client: &str, file: &Path, cancel: &AtomicBool) -> Result<CapiImport, Error> {
        let client = self.client(client).await?;
        let mut offline = Offline::open(file)?;
        let mut report =
            CapiImport { client: client.name.clone(), queued: 0, already_queued: 0, invalid: 0, problems: Vec::new() };
        // One connection for every chunk, with the bulk page cache: the queue's unique index takes
        // each new event at a random place, and a smaller cache would decrypt its pages again and
        // again.
        let mut bulk = self.store.bulk().await?;
        let queued = self.queue_rows(&mut bulk, &client, &mut offline, &mut report, cancel).await;
        let finished = bulk.finish().await;
        // What was queued before a failure is on record, and so is the import, with its failure.
        let outcome = queued.and(finished.map_err(Error::from)).map(|()| report.clone());
        let tx = self.store.write().await?;
        let object = format!(
            "client {}: {} conversion events queued from {} ({} already queued, {} that cannot be sent){}",
            client.name,
            report.queued,
            file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            report.already_queued,
            report.invalid,
            if cancel.load(Ordering::Relaxed) { ", cancelled" } else { "" }
        );
        self.settle(tx, "capi.import", &object, outcome).await
    }

    /// Reads `offline` a chunk at a time into the queue, on `bulk`.
    async fn queue_rows(
        &self,
        bulk: &mut crate::store::Bulk,
        client: &crate::clients::Client,
        offline: &mut Offline,
        report: &mut CapiImport,
        cancel: &AtomicBool,
    ) -> Result<(), Error> {
        let suppressed = self.suppressed_people().await?;
        // Chunks share a transaction for up to `COMMIT_AFTER`: each commit writes out every index
        // page its chunk touched, and new events land all over the unique index, so a commit per
        // chunk would write most of the index again each time.
        let mut tx = bulk.write().await?;
        let mut since = std::time::Instant::now();
        let mut done = false;
        while !done && !cancel.load(Ordering::Relaxed) {
            let mut chunk = Vec::with_capacity(QUEUE_CHUNK);
            while chunk.len() < QUEUE_CHUNK {
                match offline.next_event(&self.hasher, &client.id, client.country.as_deref()) {
                    None => {
                        done = true;
                        break;
                    }
                    Some(Read::Blank) => {}
                    Some(Read::Bad(bad)) => {
                        report.invalid += 1;
                        if report.problems.len() < LISTED {
                            report
                                .problems
                                .push(RowProblem { source: format!("line {}", bad.line), reason: bad.reason });
                        }
                    }
                    // An erased person is not brought back by a file.
                    Some(Read::Event(_, event)) if event.people.iter().any(|h| suppressed.contains(h)) => {}
                    Some(Read::Event(_, event)) => chunk.push(*event),
                }
            }
            if chunk.is_empty() {
                continue;
            }
            let at = self.stamp();
            let queued = crate::store::direct(&mut tx, |c| events::queue_now(c, &client.id, &chunk, &at)).await??;
            if since.elapsed() >= COMMIT_AFTER {
                tx.commit().await?;
                tx = bulk.write().await?;
                since = std::time::Instant::now();
            }
            for (event, queued) in chunk.iter().zip(queued) {
                if queued {
                    report.queued += 1;
                    if let Some(problem) = &event.problem {
                        report.invalid += 1;
                        if report.problems.len() < LISTED {
                            report.problems.push(RowProblem { source: event.source.clone(), reason: problem.clone() });
                        }
                    }
                } else {
                    report.already_queued += 1;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn suppressed_people(&self) -> Result<HashSet<IdentityHash>, Error> {
        Ok(crate::requests::erasure::suppressed(self.store.pool()).await?)
    }

    /// What sending now would send, hashed, and what it would not, with why.
    pub async fn capi_preview(&self, client: Option<&str>) -> Result<CapiPreview, Error> {
        let client_id = self.client_if(client).await?.map(|c| c.id);
        let datasets = events::datasets(self.store.pool(), client_id.as_deref()).await?;
        // What a send would queue first from the CRM stages of each client it sends for (those
        // with a dataset), read now and not queued. The rest is judged as of after the reading,
        // as the send judges it: a stage event is dated when its stage is seen.
        let mut readings = Vec::new();
        for (id, dataset) in &datasets {
            let reading = self.read_stages(id, StageMode::Look, &AtomicBool::new(false)).await;
            readings.push((id.clone(), dataset.client.clone(), reading));
        }
        let now = self.now().timestamp();
        let mut conn = self.store.pool().acquire().await?;
        let withheld_people = crate::store::direct(&mut conn, withheld_now).await??;
        let opted_out = crate::store::direct(&mut conn, OptedOut::now).await??;
        // Whom nothing is sent about for a client: who restricted, objected or was erased, and
        // who opted out of its marketing.
        let mut by_client: HashMap<String, HashSet<IdentityHash>> = HashMap::new();
        drop(conn);
        let mut preview = CapiPreview {
            sendable: 0,
            events: Vec::new(),
            unsendable: Vec::new(),
            unsendable_count: 0,
            withheld: 0,
            no_dataset: Vec::new(),
            stages_read: 0,
            stage_events: 0,
            stages_unreadable: 0,
            stages_stopped: Vec::new(),
        };
        for (id, name, reading) in readings {
            preview.stages_read += reading.read;
            preview.stage_events += reading.queued;
            preview.stages_unreadable += reading.unreadable;
            if let Some(reason) = reading.stopped {
                preview.stages_stopped.push(RowProblem { source: name.clone(), reason });
            }
            let withheld_people = withheld_for(&mut by_client, &withheld_people, &opted_out, &id);
            for event in &reading.would_queue {
                let withheld = event.people.iter().any(|h| withheld_people.contains(h));
                preview_one(&Queued::not_queued(event, &id, &name), now, &datasets, withheld, &mut preview);
            }
        }
        let mut after = 0;
        loop {
            let mut conn = self.store.pool().acquire().await?;
            let page = crate::store::direct(&mut conn, |c| {
                events::unsent_now(c, client_id.as_deref(), true, after, BATCH as i64)
            })
            .await??;
            let Some(last) = page.last() else { break };
            after = last.id;
            let people = if withheld_people.is_empty() && opted_out.is_empty() {
                HashMap::new()
            } else {
                events::people_of(&mut conn, &page.iter().map(|e| e.id).collect::<Vec<_>>()).await?
            };
            drop(conn);
            for event in &page {
                let withheld = withholds(
                    withheld_for(&mut by_client, &withheld_people, &opted_out, &event.client_id),
                    &people,
                    event.id,
                );
                preview_one(event, now, &datasets, withheld, &mut preview);
            }
        }
        Ok(preview)
    }

    /// Sends the events that may go, of `client` or of every client with a dataset, a batch of up
    /// to 1,000 at a time. A batch is noted as handed to Meta before it goes and as taken once
    /// Meta answers: after a crash between the two it is sent again with the same event ids, which
    /// Meta recognises for 48 hours; past them it is not sent again.
    pub async fn capi_send(&self, client: Option<&str>, cancel: &AtomicBool) -> Result<CapiSendReport, Error> {
        let _sending = super::lock::take(&self.dir, "sending conversion events")?;
        let client_id = self.client_if(client).await?.map(|c| c.id);
        let datasets = events::datasets(self.store.pool(), client_id.as_deref()).await?;
        if datasets.is_empty() {
            return Err(Error::Invalid(match client {
                Some(name) => {
                    format!("Client {name} has no dataset to send conversion events to; set its dataset first.")
                }
                None => "No client has a dataset to send conversion events to; set a client's dataset first.".into(),
            }));
        }
        let mut report = CapiSendReport { clients: Vec::new() };
        for (client_id, dataset) in datasets {
            if cancel.load(Ordering::Relaxed) {
                break;
            }
            let mut sent = ClientSend {
                client: dataset.client.clone(),
                dataset_id: Some(dataset.dataset_id.clone()),
                sent: 0,
                batches: 0,
                invalid: 0,
                not_yet: 0,
                withheld: 0,
                stopped: None,
                stages_read: 0,
                stage_events: 0,
                stages_unreadable: 0,
                stages_stopped: None,
            };
            // The stages reached since the last send are queued first, and go with it.
            let reading = self.read_stages(&client_id, StageMode::Queue, cancel).await;
            sent.stages_read = reading.read;
            sent.stage_events = reading.queued;
            sent.stages_unreadable = reading.unreadable;
            sent.stages_stopped = reading.stopped;
            if let Err(e) = self.send_client(&client_id, &dataset, &mut sent, cancel).await {
                sent.stopped = Some(e.to_string());
            }
            let tx = self.store.write().await?;
            let object = format!(
                "client {}: {} conversion events sent to dataset {} in {} batches, {} invalid, {} withheld, \
                 {} CRM stage events queued from {} records read{}{}",
                sent.client,
                sent.sent,
                dataset.dataset_id,
                sent.batches,
                sent.invalid,
                sent.withheld,
                sent.stage_events,
                sent.stages_read,
                if sent.stages_stopped.is_some() { ", stage reading stopped" } else { "" },
                if sent.stopped.is_some() { ", stopped" } else { "" }
            );
            self.settle(tx, "capi.send", &object, Ok(())).await?;
            report.clients.push(sent);
        }
        Ok(report)
    }

    /// The token of the client's Meta connection that Meta still accepts.
    async fn client_meta_token(&self, client: &str) -> Result<(String, Sensitive<String>), Error> {
        let rows = connections::list(self.store.pool()).await?;
        let name = Some(client.to_owned());
        let usable = rows.into_iter().filter(|r| r.client == name && r.invalid_reason.is_none());
        let vault = Vault::new(&self.workspace_id);
        for row in usable {
            if let Some(token) = vault.get(TOKEN_PURPOSE, &row.id).await? {
                return Ok((row.id, token));
            }
        }
        Err(Error::Invalid(format!(
            "Client {client} has no Meta connection to send with: connect a system-user token of the business that \
             owns the dataset to this client."
        )))
    }

    async fn send_client(
        &self,
        client_id: &str,
        dataset: &Dataset,
        report: &mut ClientSend,
        cancel: &AtomicBool,
    ) -> Result<(), Error> {
        let (connection_id, token) = self.client_meta_token(&dataset.client).await?;
        let settings = app::get(self.store.pool()).await?;
        let graph = self.graph(&settings).await?;
        let sender = Sender { graph: &graph, token: &token, connection_id: &connection_id, dataset };
        // One connection for the whole send: each batch's reads find the pages its last commit
        // wrote still in its cache.
        let mut held = self.store.held().await?;
        // Batches a crash left unanswered go first, as they were, with the same event ids.
        let left = events::unanswered(held.conn(), client_id).await?;
        for send in left {
            self.resend(&mut held, &sender, client_id, send, report).await?;
        }
        // Then the queue, a page at a time in the order queued. When Meta refuses one event of a
        // batch by its index, that one is marked and the page is read again without it.
        let mut after = 0;
        let mut withheld = Withheld::default();
        loop {
            if cancel.load(Ordering::Relaxed) {
                report.stopped = Some("cancelled".into());
                return Ok(());
            }
            let now = self.now().timestamp();
            // The page is read, judged and handed over in one write transaction: an erasure, a
            // restriction or a purge that commits before it is in what is read, and one after it
            // comes after the batch was handed over.
            let mut tx = held.write().await?;
            let page =
                crate::store::direct(&mut tx, |c| events::outgoing_now(c, client_id, after, BATCH as i64)).await??;
            let Some((last, _)) = page.events.last() else {
                tx.rollback().await?;
                return Ok(());
            };
            let page_start = std::mem::replace(&mut after, *last);
            let mut never: Vec<(i64, String)> = Vec::new();
            let mut ready: Vec<i64> = Vec::with_capacity(page.events.len());
            for (id, facts) in &page.events {
                match send::check(facts, now) {
                    Err(Unsendable::Never(reason)) => never.push((*id, reason)),
                    Err(Unsendable::NotYet(_)) => report.not_yet += 1,
                    Ok(()) => ready.push(*id),
                }
            }
            for (id, reason) in &never {
                events::refuse(&mut tx, *id, reason).await?;
            }
            report.invalid += never.len() as u64;
            let ready_count = ready.len();
            let ids = sendable(&mut tx, client_id, ready, page.version, &mut withheld).await?;
            let held_back = (ready_count - ids.len()) as u64;
            report.withheld += held_back;
            if ids.is_empty() {
                tx.commit().await?;
                continue;
            }
            let send_id = events::begin_send(&mut tx, client_id, dataset, &ids, now).await?;
            tx.commit().await?;
            let body = body_of(&page, &ids, dataset);
            match self.post_batch(&mut held, &sender, (send_id, page.version), &ids, &body, report).await {
                Ok(()) => {}
                Err(BatchFailed::Refused { at, message }) => {
                    let mut tx = held.write().await?;
                    events::drop_send(&mut tx, send_id).await?;
                    events::refuse(&mut tx, ids[at], &format!("Meta refused it: {message}")).await?;
                    tx.commit().await?;
                    report.invalid += 1;
                    // Counted again when the page is read again.
                    report.withheld -= held_back;
                    report.not_yet -= (page.events.len() - never.len() - ready_count) as u64;
                    after = page_start;
                }
                Err(BatchFailed::Stop(e)) => return Err(e),
            }
        }
    }

    /// Sends again a batch a crash (or a call that never got its answer) left unanswered: to the
    /// dataset it went to, with the same event ids, which Meta recognises for 48 hours from the
    /// first attempt. Past them, or for an event now invalid or whose person has since restricted
    /// processing, objected or been erased, the event is not sent again: it may have reached Meta
    /// already, and must never count twice.
    async fn resend(
        &self,
        held: &mut crate::store::Bulk,
        sender: &Sender<'_>,
        client_id: &str,
        send: events::Unanswered,
        report: &mut ClientSend,
    ) -> Result<(), Error> {
        let dataset = Dataset {
            client: sender.dataset.client.clone(),
            dataset_id: send.dataset_id.clone(),
            test_event_code: send.test_event_code.clone(),
            set_at: String::new(),
        };
        let sender = Sender { dataset: &dataset, ..*sender };
        loop {
            let now = self.now().timestamp();
            let mut tx = held.write().await?;
            let pending = crate::store::direct(&mut tx, |c| events::outgoing_of_now(c, &send.events)).await??;
            let too_late = now - send.attempted_unix > send::DEDUP_WINDOW;
            let mut never: Vec<(i64, String)> = Vec::new();
            let mut ready: Vec<i64> = Vec::with_capacity(pending.events.len());
            for (id, facts) in &pending.events {
                match send::check(facts, now) {
                    _ if too_late => never.push((*id, send::TOO_LATE_TO_RESEND.to_owned())),
                    Err(Unsendable::Never(reason)) => never.push((*id, reason)),
                    Err(Unsendable::NotYet(_)) | Ok(()) => ready.push(*id),
                }
            }
            let ids = sendable(&mut tx, client_id, ready.clone(), pending.version, &mut Withheld::default()).await?;
            let kept: HashSet<i64> = ids.iter().copied().collect();
            let withheld: Vec<i64> = ready.into_iter().filter(|id| !kept.contains(id)).collect();
            for (id, reason) in &never {
                events::refuse(&mut tx, *id, reason).await?;
            }
            for id in &withheld {
                events::refuse(&mut tx, *id, send::WITHHELD_SINCE).await?;
            }
            if ids.is_empty() {
                events::drop_send(&mut tx, send.id).await?;
            }
            tx.commit().await?;
            report.invalid += (never.len() + withheld.len()) as u64;
            if ids.is_empty() {
                return Ok(());
            }
            let body = body_of(&pending, &ids, &dataset);
            match self.post_batch(held, &sender, (send.id, pending.version), &ids, &body, report).await {
                Ok(()) => return Ok(()),
                Err(BatchFailed::Refused { at, message }) => {
                    let mut tx = held.write().await?;
                    events::refuse(&mut tx, ids[at], &format!("Meta refused it: {message}")).await?;
                    tx.commit().await?;
                    report.invalid += 1;
                }
                Err(BatchFailed::Stop(e)) => return Err(e),
            }
        }
    }

    /// Hands the events `ids`, as `body`, to Meta as send `send_id`, already on record, and records
    /// Meta's answer; the events were found still waiting at data version `checked_at`. A send Meta
    /// certainly did not take is forgotten; one whose answer never came stays on record as perhaps
    /// taken.
    async fn post_batch(
        &self,
        held: &mut crate::store::Bulk,
        sender: &Sender<'_>,
        (send_id, checked_at): (i64, i64),
        ids: &[i64],
        body: &str,
        report: &mut ClientSend,
    ) -> Result<(), BatchFailed> {
        let dataset = sender.dataset;
        match send::post(sender.graph, sender.token, &dataset.dataset_id, body).await {
            Ok(taken) => {
                let at = self.stamp();
                let answer = events::Answer {
                    events_received: taken.events_received,
                    fbtrace_id: taken.fbtrace_id.as_deref(),
                    at: &at,
                    unix: self.now().timestamp(),
                };
                let mut tx = held.write().await.map_err(|e| BatchFailed::Stop(e.into()))?;
                let recorded: Result<(), StoreError> = async {
                    events::answered(&mut tx, send_id, ids, &answer, checked_at).await?;
                    connections::touch(&mut tx, sender.connection_id, &at).await?;
                    Ok(())
                }
                .await;
                recorded.map_err(|e| BatchFailed::Stop(e.into()))?;
                tx.commit().await.map_err(|e| BatchFailed::Stop(StoreError::from(e).into()))?;
                report.sent += ids.len() as u64;
                report.batches += 1;
                Ok(())
            }
            Err(GraphError::Refused { message, .. })
                if send::refused_index(&message).is_some_and(|i| i < ids.len()) =>
            {
                let at = send::refused_index(&message).expect("checked above");
                Err(BatchFailed::Refused { at, message })
            }
            Err(e) => {
                // A refusal of this call does not say that an earlier attempt of it (a retry's
                // first try that timed out, or the call a crash cut off) was not taken: the send
                // stays on record with its first attempt, and the next send goes on from it.
                let mut tx = held.write().await.map_err(|e| BatchFailed::Stop(e.into()))?;
                let noted: Result<(), sqlx::Error> = async {
                    if let GraphError::InvalidToken { reason, .. } = &e {
                        connections::mark_invalid(&mut tx, sender.connection_id, reason).await?;
                    }
                    Ok(())
                }
                .await;
                noted.map_err(|e| BatchFailed::Stop(StoreError::from(e).into()))?;
                tx.commit().await.map_err(|e| BatchFailed::Stop(StoreError::from(e).into()))?;
                Err(BatchFailed::Stop(e.into()))
            }
        }
    }

    /// The event log: what was sent, newest first.
    pub async fn capi_log(&self, client: Option<&str>, limit: u32) -> Result<Vec<Logged>, Error> {
        let client_id = self.client_if(client).await?.map(|c| c.id);
        Ok(events::log(self.store.pool(), client_id.as_deref(), i64::from(limit.clamp(1, 100_000))).await?)
    }
}

/// What a batch is sent with.
struct Sender<'a> {
    graph: &'a crate::meta::graph::Graph,
    token: &'a Sensitive<String>,
    connection_id: &'a str,
    dataset: &'a Dataset,
}

/// Why a batch did not go.
enum BatchFailed {
    /// Meta refused the batch for the event at this index, in these words.
    Refused { at: usize, message: String },
    /// Sending stops here; what is queued waits for the next send.
    Stop(Error),
}

/// Counts `event` into the preview: sendable now, not, or withheld.
fn preview_one(event: &Queued, now: i64, datasets: &[(String, Dataset)], withheld: bool, preview: &mut CapiPreview) {
    let dataset = datasets.iter().find(|(id, _)| *id == event.client_id).map(|(_, d)| d.dataset_id.clone());
    match send::check(&event.facts(), now) {
        Err(Unsendable::Never(reason) | Unsendable::NotYet(reason)) => {
            preview.unsendable_count += 1;
            if preview.unsendable.len() < LISTED {
                preview.unsendable.push(RowProblem { source: event.source.clone(), reason });
            }
        }
        Ok(()) if withheld => preview.withheld += 1,
        Ok(()) => {
            if dataset.is_none() && !preview.no_dataset.contains(&event.client) {
                preview.no_dataset.push(event.client.clone());
            }
            preview.sendable += 1;
            if preview.events.len() < LISTED {
                preview.events.push(PreviewEvent {
                    client: event.client.clone(),
                    dataset_id: dataset,
                    source: event.source.clone(),
                    payload: event.payload(),
                });
            }
        }
    }
}

/// The body of the batch of `ids`, events of `page`, for `dataset`.
fn body_of(page: &events::Outgoing, ids: &[i64], dataset: &Dataset) -> String {
    let payloads: Vec<&str> = ids
        .iter()
        .filter_map(|id| page.events.binary_search_by_key(id, |(event, _)| *event).ok())
        .map(|n| page.payload(n))
        .collect();
    send::body_of(&payloads, dataset.test_event_code.as_deref())
}

/// Whom nothing is sent about for a client: `base` (who restricted, objected or was erased) and
/// who opted out of its marketing; made once per client.
fn withheld_for<'a>(
    cache: &'a mut HashMap<String, HashSet<IdentityHash>>,
    base: &HashSet<IdentityHash>,
    opted_out: &OptedOut,
    client_id: &str,
) -> &'a HashSet<IdentityHash> {
    if !cache.contains_key(client_id) {
        cache.insert(client_id.to_owned(), base.union(opted_out.of(client_id)).copied().collect());
    }
    &cache[client_id]
}

/// Of the events `ids`, read in the transaction on `conn` at data version `read_at`, those whose
/// people may be sent about. Who is withheld is read again only once another connection has
/// committed since `withheld` was read.
async fn sendable(
    conn: &mut sqlx::SqliteConnection,
    client_id: &str,
    ids: Vec<i64>,
    read_at: i64,
    withheld: &mut Withheld,
) -> Result<Vec<i64>, Error> {
    if ids.is_empty() {
        return Ok(ids);
    }
    let held_at = withheld.version;
    // Conversion events serve advertising: a person who opted out of the client's marketing on
    // any channel is withheld like one who objected.
    let fresh = crate::store::direct(&mut *conn, |c| -> rusqlite::Result<_> {
        let Some(mut people) = Withheld::read_if_changed(c, held_at, read_at)? else { return Ok(None) };
        people.extend(crate::consent::opted_out_now(c, client_id)?);
        Ok(Some(people))
    })
    .await??;
    withheld.update(read_at, fresh);
    if withheld.people.is_empty() {
        return Ok(ids);
    }
    let people = events::people_of(conn, &ids).await?;
    Ok(ids.into_iter().filter(|id| !withholds(&withheld.people, &people, *id)).collect())
}
