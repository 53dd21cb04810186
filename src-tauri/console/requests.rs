//! The Console's data-subject request operations. Every change is audited under the person's
//! keyed hash, never their identifiers.

use std::path::Path;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use sqlx::{Sqlite, Transaction};
use ts_rs::TS;

use super::{still_indexing, Console, Error};
use crate::audit::{self, Event};
use crate::clients;
use crate::consent::{ConsentChannel, ConsentSource, NewEntry};
use crate::identity::IdentityHash;
use crate::personal_data::registry::{holder, HOLDERS};
use crate::personal_data::Held;
use crate::personal_data::{Correction, HeldRecord};
use crate::requests::discovery::{self, Discovery, Group};
use crate::requests::erasure::{self, Receipt, Suppression};
use crate::requests::package::{self, Package};
use crate::requests::remote::{self, RemoteAnswer, RemoteStep};
use crate::requests::{
    self, IdKind, Identifier, NewRequest, Outcome, Regime, Request, RequestError, RequestKind, RequestStatus,
};
use crate::requests::{processing_info, restriction, signed};
use crate::retention::holds;
use crate::vault::Vault;

/// A new request as the form or the command line gives it; every field is checked.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct RequestForm {
    pub kind: RequestKind,
    pub identifiers: Vec<Identifier>,
    /// gdpr (the default), ccpa or days:N.
    pub regime: Option<String>,
    /// YYYY-MM-DD; today when not given.
    pub received_on: Option<String>,
    /// The client's name.
    pub client: Option<String>,
    pub verification_notes: Option<String>,
}

impl RequestForm {
    /// A request of `kind` for the person with these identifiers, under the GDPR, received today.
    pub fn new(kind: RequestKind, identifiers: Vec<Identifier>) -> Self {
        Self { kind, identifiers, regime: None, received_on: None, client: None, verification_notes: None }
    }
}

/// What erasing a request's person would delete, for the confirmation a person sees first.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ErasePreview {
    #[ts(type = "number")]
    pub request_id: i64,
    /// The records that would be deleted, by kind.
    pub deletes: Vec<Held>,
    /// How many identifiers would go on the suppression list.
    #[ts(type = "number")]
    pub suppresses: i64,
}

/// An erasure checked and ready, in its transaction.
struct Planned {
    tx: Transaction<'static, Sqlite>,
    request: Request,
    subject: Option<String>,
    object: String,
    found: Discovery,
    hashes: Vec<(IdKind, IdentityHash)>,
    plain: Vec<IdentityHash>,
}

/// What an erasure hands back.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Erased {
    pub receipt: Receipt,
    /// Whether the WAL, with the old page images, was emptied at once; if a reader held it, the
    /// next checkpoint (at the latest when the workspace closes) empties it.
    pub wal_emptied: bool,
    /// The steps at remote services (deleting the person's leads at Meta) and their answers.
    pub remote: Vec<RemoteStep>,
}

use super::workspace::APP_SECRET;

/// What a rectification changed.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Rectified {
    pub request: Request,
    /// Records changed, by kind.
    pub changed: Vec<Held>,
    /// Why records of the kinds found that a correction does not apply to were left as they are.
    pub not_corrected: Vec<String>,
    /// The steps that correct the copies kept elsewhere (the person's CRM records), with each
    /// service's answer.
    pub remote: Vec<RemoteStep>,
}

impl Console {
    /// Records a new request and works out its deadline.
    pub async fn new_request(&self, form: RequestForm) -> Result<Request, Error> {
        let today = self.today();
        let mut tx = self.store.write().await?;
        let checked = async {
            let kind = form.kind;
            let regime: Regime = form.regime.as_deref().unwrap_or("gdpr").parse().map_err(RequestError::Regime)?;
            let received_on = match form.received_on.as_deref().filter(|d| !d.trim().is_empty()) {
                Some(d) => requests::parse_date(d)?,
                None => today,
            };
            // A day's grace: a desktop ahead of UTC may already be on tomorrow's date.
            if received_on > today + Duration::days(1) {
                return Err(RequestError::ReceivedInFuture(received_on).into());
            }
            let client = match form.client.as_deref().filter(|c| !c.trim().is_empty()) {
                Some(name) => Some(clients::find(&mut tx, name).await?),
                None => None,
            };
            let countries = clients::phone_countries(&mut tx, client.as_ref().map(|c| c.id.as_str())).await?;
            let countries: Vec<&str> = countries.iter().map(String::as_str).collect();
            let identifiers = requests::hash_identifiers(&self.hasher, &form.identifiers, &countries)?;
            let notes = requests::clean_text(form.verification_notes.as_deref().unwrap_or(""))?;
            let new =
                NewRequest { kind, regime, received_on, client_id: client.map(|c| c.id), verification_notes: notes };
            Ok::<_, Error>((new, identifiers))
        }
        .await;
        let (new, identifiers) = match checked {
            Ok(v) => v,
            Err(e) => return self.settle(tx, "request.new", "request", Err(e)).await,
        };
        let id = requests::insert(&mut tx, &new, &identifiers, &self.stamp()).await.map_err(Error::from)?;
        let request = requests::get(&mut tx, id, today).await.map_err(Error::from)?;
        let subject = identifiers.first().map(|(_, h)| hex::encode(h));
        let object = format!("request:{id} {} {} due {}", new.kind.as_str(), request.regime, request.due_on);
        self.settle_about(tx, "request.new", &object, subject.as_deref(), Ok(request)).await
    }

    pub async fn list_requests(&self) -> Result<Vec<Request>, Error> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(requests::list(&mut conn, self.today()).await?)
    }

    pub async fn request(&self, id: i64) -> Result<Request, Error> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(requests::get(&mut conn, id, self.today()).await?)
    }

    /// Adds identifiers the person gave to an open request (for one whose search found nothing, say),
    /// so that the next search uses them too; returns the request.
    pub async fn add_request_identifiers(&self, id: i64, identifiers: &[Identifier]) -> Result<Request, Error> {
        let today = self.today();
        let (mut tx, request, subject) = self.open_request("request.identify", id, today).await?;
        let countries = clients::phone_countries(&mut tx, request.client_id.as_deref()).await?;
        let countries: Vec<&str> = countries.iter().map(String::as_str).collect();
        let added = match requests::hash_identifiers(&self.hasher, identifiers, &countries) {
            Ok(hashed) => requests::add_identifiers(&mut tx, &request, &hashed).await.map_err(Error::from),
            Err(e) => Err(e.into()),
        };
        let object = match &added {
            Ok(n) => format!("request:{id} {n} identifiers added"),
            Err(_) => format!("request:{id}"),
        };
        let result = match added {
            Ok(_) => requests::get(&mut tx, id, today).await.map_err(Error::from),
            Err(e) => Err(e),
        };
        self.settle_about(tx, "request.identify", &object, subject.as_deref(), result).await
    }

    /// Everything held about the request's person, grouped by kind of data and client. With
    /// `widen`, the identifiers found on those records are added to an open request and searched
    /// too, until no new one turns up.
    pub async fn find_for_request(&self, id: i64, widen: bool) -> Result<Discovery, Error> {
        let today = self.today();
        let (mut tx, request, subject) = self.open_request("request.find", id, today).await?;
        let mut added = 0;
        let found = loop {
            let searched = requests::searched(&mut tx, id).await?;
            let (found, offered) = discovery::find(&mut tx, HOLDERS, &self.hasher, id, &searched).await?;
            if !widen || offered.is_empty() {
                break Ok(found);
            }
            match requests::add_identifiers(&mut tx, &request, &offered).await {
                Ok(0) => break Ok(found),
                Ok(n) => added += n,
                Err(e) => break Err(e.into()),
            }
        };
        let object = match &found {
            Ok(d) if widen => format!("request:{id} found {}; {added} identifiers added", d.describe()),
            Ok(d) => format!("request:{id} found {}", d.describe()),
            Err(_) => format!("request:{id}"),
        };
        let found = self.settle_about(tx, "request.find", &object, subject.as_deref(), found).await?;
        if !answers_with_data(request.kind) {
            return Ok(found);
        }
        // What is kept elsewhere is read there once the search is on record: the network is not
        // waited on inside a transaction.
        let live = discovery::read_live(&found, HOLDERS, self.store.pool(), &self.workspace_id, &self.stamp()).await;
        Ok(found.with_live(&live))
    }

    /// What erasing request `id`'s person would delete and suppress, for the confirmation a person
    /// sees first. Refused as the erasure itself would be (already erased, not an erasure request,
    /// held, nothing found), and those refusals are on record; what it would delete is not changed.
    pub async fn erase_preview(&self, id: i64) -> Result<ErasePreview, Error> {
        let planned = self.plan_erasure(id, false).await?;
        Ok(ErasePreview { request_id: id, deletes: planned.found.counts(), suppresses: planned.hashes.len() as i64 })
    }

    /// Everything an erasure checks before it deletes, in its transaction: a refusal is settled
    /// (on record) here.
    async fn plan_erasure(&self, id: i64, nothing_held: bool) -> Result<Planned, Error> {
        let today = self.today();
        let (mut tx, request, subject) = self.open_request("request.erase", id, today).await?;
        let object = format!("request:{id} {}", request.kind.as_str());
        if let Some(done) = erasure::receipt_of(&mut tx, id).await? {
            let e = Error::Conflict(format!(
                "Request {id} was already erased on {} (receipt {}); nothing more was deleted.",
                &done.erased_at[..10.min(done.erased_at.len())],
                done.code
            ));
            return self.settle_about(tx, "request.erase", &object, subject.as_deref(), Err(e)).await;
        }
        let rule = Rule {
            kinds: &[RequestKind::Erasure],
            says: "only an erasure request erases. Record an erasure request for the person.",
            open: true,
            after_indexing: Some("erase when it has finished, so that nothing it stores is missed"),
        };
        if let Some(e) = rule.refusal(&mut tx, &request).await? {
            return self.settle_about(tx, "request.erase", &object, subject.as_deref(), Err(e)).await;
        }
        let (_, named) = self.person_named(&mut tx, id).await?;
        // The identifiers on the person's records are suppressed with those they gave, so nothing
        // that names one of them may stay held: a thread found only by the phone on their lead
        // goes with the lead, searched or not.
        let (found, _) = discovery::find(&mut tx, HOLDERS, &self.hasher, id, &named).await?;
        let hashes: Vec<(IdKind, IdentityHash)> = named.iter().map(|(i, h)| (i.kind, *h)).collect();
        let plain: Vec<IdentityHash> = hashes.iter().map(|(_, h)| *h).collect();
        if let Some(hold) = self.withheld(&mut tx, id, &found, &plain, "erasure", today).await? {
            let e = Error::Held(format!(
                "Request {id}'s person is under {}. Data needed for legal claims is kept from erasure \
                 (GDPR Art. 17(3)(e)); nothing was deleted. Lift the hold when it no longer applies, then erase.",
                hold.describe()
            ));
            return self.settle_about(tx, "request.erase", &object, subject.as_deref(), Err(e)).await;
        }
        if found.records() == 0 && !nothing_held {
            let e = Error::NothingFound(discovery::nothing_found(&found, HOLDERS));
            return self.settle_about(tx, "request.erase", &object, subject.as_deref(), Err(e)).await;
        }
        Ok(Planned { tx, request, subject, object, found, hashes, plain })
    }

    /// Erases everything held about an erasure request's person in one transaction, puts their
    /// identifiers on the suppression list, removes what every request about them held of them,
    /// closes the request and returns the receipt. Without `confirmed` nothing changes and the
    /// error says what would be deleted.
    ///
    /// An erasure never closes on its own when the search finds nothing: the request stays open,
    /// and the refusal says what was searched and which identifiers could match what is held. Only
    /// `nothing_held`, said by a person, closes it so, and the receipt says nothing was held.
    /// A legal hold on the person or on a client whose records they are in stops it (GDPR
    /// Art. 17(3)(e)); the request notes what was withheld and why.
    pub async fn erase_request(&self, id: i64, confirmed: bool, nothing_held: bool) -> Result<Erased, Error> {
        let Planned { mut tx, request, subject, object, found, hashes, plain } =
            self.plan_erasure(id, nothing_held).await?;
        if !confirmed {
            return Err(Error::ConfirmationRequired(format!(
                "Erasing request {id}'s person deletes {} and puts {} identifiers on the suppression list.",
                found.describe(),
                hashes.len()
            )));
        }
        let at = self.stamp();
        let erasing = crate::personal_data::Erasing { request_id: id, at: &at };
        let deleted = discovery::erase(&mut tx, HOLDERS, &found, &erasing).await?;
        let suppressed = erasure::suppress(&mut tx, &hashes, id, &at).await?;
        let code = erasure::new_code();
        let nothing_held = found.records() == 0;
        let outcome =
            if nothing_held { format!("nothing held; receipt {code}") } else { format!("erased; receipt {code}") };
        let cleared = erasure::close_erased(&mut tx, &request, &plain, &outcome, &at).await?;
        let counts = if deleted.is_empty() {
            "nothing".to_owned()
        } else {
            deleted.iter().map(|d| format!("{} {}", d.count, d.label)).collect::<Vec<_>>().join(", ")
        };
        let others = cleared.len().saturating_sub(1);
        let event = Event {
            action: "request.erase",
            object: &format!(
                "{object} erased {counts}; {suppressed} identifiers suppressed; {others} other requests cleared; receipt {code}"
            ),
            outcome: "ok",
            subject: subject.as_deref(),
        };
        let entry = audit::append(&mut tx, &at, &self.actor, &event).await?;
        let receipt = Receipt {
            code,
            request_id: id,
            erased_at: at,
            actor: self.actor.clone(),
            nothing_held,
            beyond_reach: crate::personal_data::beyond_reach(&deleted),
            deleted,
            suppressed,
            audit_seq: entry.seq,
            audit_hash: entry.hash,
        };
        erasure::store_receipt(&mut tx, &receipt).await?;
        tx.commit().await?;
        tracing::info!(action = "request.erase", "change recorded");
        let wal_emptied = self.empty_wal().await?;
        // Only now, with the local erasure committed, the steps at remote services: their answers
        // are on the request, and a failed one is taken again with `retry_remote`.
        let remote = match self.run_remote_steps(id).await {
            Ok(steps) => steps,
            // The erasure stands and its receipt comes back: the steps are on the request to retry.
            Err(e) => {
                tracing::warn!(code = e.code().as_str(), "remote steps of an erasure could not be taken now");
                remote::list(self.store.pool(), id).await.unwrap_or_default()
            }
        };
        Ok(Erased { receipt, wal_emptied, remote })
    }

    /// Takes again every remote step of request `id` not yet done (deleting the person's leads at
    /// Meta); each service's answer is recorded on the request. On record.
    pub async fn retry_remote(&self, id: i64) -> Result<Vec<RemoteStep>, Error> {
        self.request(id).await?;
        let steps = self.run_remote_steps(id).await?;
        let failed = steps.iter().filter(|s| s.status == "failed").count();
        let object = format!("request:{id} {} remote steps, {failed} failed", steps.len());
        let tx = self.store.write().await?;
        self.settle(tx, "request.remote", &object, Ok(())).await?;
        Ok(steps)
    }

    /// The remote steps of request `id`, with each service's answer.
    pub async fn remote_steps(&self, id: i64) -> Result<Vec<RemoteStep>, Error> {
        Ok(remote::list(self.store.pool(), id).await?)
    }

    async fn run_remote_steps(&self, id: i64) -> Result<Vec<RemoteStep>, Error> {
        for step in remote::undone(self.store.pool(), id).await? {
            let outcome = match HOLDERS.iter().find(|h| h.kind().as_str() == step.kind) {
                Some(holder) => holder.run_remote(self.store.pool(), &self.workspace_id, &step).await,
                None => RemoteAnswer::Failed(format!("no holder takes steps for '{}'", step.kind)),
            };
            let mut tx = self.store.write().await?;
            remote::answer(&mut tx, step.id, &outcome, &self.stamp()).await?;
            tx.commit().await?;
            // A service that cannot be reached now will not be reached by the next step either.
            if matches!(outcome, RemoteAnswer::Unreachable(_)) {
                break;
            }
        }
        Ok(remote::list(self.store.pool(), id).await?)
    }

    /// Flags a restriction or objection request's person so that every later push or send to a
    /// third party skips them, and closes the request as completed.
    pub async fn restrict_request(&self, id: i64) -> Result<Request, Error> {
        let today = self.today();
        let (mut tx, request, subject) = self.open_request("request.restrict", id, today).await?;
        let object = format!("request:{id} {}", request.kind.as_str());
        let rule = Rule {
            kinds: &[RequestKind::Restriction, RequestKind::Objection],
            says: "only a restriction or objection request flags the person.",
            open: true,
            after_indexing: None,
        };
        if let Some(e) = rule.refusal(&mut tx, &request).await? {
            return self.settle_about(tx, "request.restrict", &object, subject.as_deref(), Err(e)).await;
        }
        let (_, named) = self.person_named(&mut tx, id).await?;
        let hashes: Vec<(IdKind, IdentityHash)> = named.iter().map(|(i, h)| (i.kind, *h)).collect();
        let at = self.stamp();
        let flagged = restriction::flag(&mut tx, &hashes, id, &at).await?;
        if request.kind == RequestKind::Objection {
            // An objection to processing is an objection to marketing on every channel, for every
            // client: the register says so, with the request as its proof.
            let said_at = self.now().timestamp();
            crate::store::direct(&mut tx, |c| -> rusqlite::Result<()> {
                // An erased person is kept from everything by the suppression list; the register
                // keeps nothing of them.
                let erased = crate::requests::erasure::suppressed_now(c)?;
                if named.iter().any(|(_, h)| erased.contains(h)) {
                    return Ok(());
                }
                for channel in ConsentChannel::ALL {
                    let entry = NewEntry {
                        client_id: None,
                        channel,
                        opted_in: false,
                        said_at,
                        recorded_at: &at,
                        source: ConsentSource::Objection,
                        proof: format!("objection request {id}"),
                        identifiers: named.clone(),
                        request_id: Some(id),
                        origin: Some(format!("objection:{id}:{}", channel.as_str())),
                    };
                    crate::consent::record(c, &entry)?;
                }
                Ok(())
            })
            .await??;
        }
        let outcome = format!("restricted: {} identifiers flagged", hashes.len());
        requests::close(&mut tx, &request, Outcome::Completed, Some(&outcome), &at).await?;
        let object = format!("{object} {flagged} identifiers newly flagged");
        let result = requests::get(&mut tx, id, today).await.map_err(Error::from);
        self.settle_about(tx, "request.restrict", &object, subject.as_deref(), result).await
    }

    /// Corrects one field on every record held about a rectification request's person. The old
    /// value is not kept anywhere: secure deletion overwrites it and its search words go.
    pub async fn rectify_request(&self, id: i64, field: &str, value: &str) -> Result<Rectified, Error> {
        let today = self.today();
        let (mut tx, request, subject) = self.open_request("request.rectify", id, today).await?;
        let field = field.trim();
        let object = format!("request:{id} {} field {field}", request.kind.as_str());
        let rule = Rule {
            kinds: &[RequestKind::Rectification],
            says: "only a rectification request corrects data.",
            open: true,
            after_indexing: Some("correct the data when it has finished"),
        };
        if let Some(e) = rule.refusal(&mut tx, &request).await? {
            return self.settle_about(tx, "request.rectify", &object, subject.as_deref(), Err(e)).await;
        }
        let value = requests::clean_text(value)?;
        let (found, hashes) = self.person(&mut tx, id).await?;
        // A correction overwrites the old value for good: data kept for legal claims is not changed.
        let plain: Vec<IdentityHash> = hashes.iter().map(|(_, h)| *h).collect();
        if let Some(hold) = self.withheld(&mut tx, id, &found, &plain, "correction", today).await? {
            let e = Error::Held(format!(
                "Request {id}'s person is under {}: what it keeps is not changed. Nothing was corrected. \
                 Lift the hold when it no longer applies, then correct.",
                hold.describe()
            ));
            return self.settle_about(tx, "request.rectify", &object, subject.as_deref(), Err(e)).await;
        }
        let correction =
            Correction { field: field.to_owned(), value, request_id: id, at: self.stamp(), person: plain.clone() };
        let changed = match discovery::rectify(&mut tx, HOLDERS, &self.hasher, &found, &correction).await? {
            Ok(changed) => changed,
            Err(why) => {
                // Some records may already hold the new value: none of it may stay.
                tx.rollback().await?;
                let tx = self.store.write().await?;
                return self
                    .settle_about(tx, "request.rectify", &object, subject.as_deref(), Err(Error::Invalid(why)))
                    .await;
            }
        };
        if changed.is_empty() {
            let correctable = |g: &&Group| holder(g.kind).not_corrected().is_none();
            let holds = |r: &HeldRecord| r.fields.iter().any(|(k, _)| k == field);
            let e = if found.groups.iter().filter(correctable).flat_map(|g| &g.records).any(holds) {
                Error::Invalid(format!("Every record already holds that value in '{field}'; nothing changed."))
            } else {
                let mut names: Vec<&str> = found
                    .groups
                    .iter()
                    .filter(correctable)
                    .flat_map(|g| &g.records)
                    .flat_map(|r| r.fields.iter().map(|(k, _)| k.as_str()))
                    .collect();
                names.sort_unstable();
                names.dedup();
                let uncorrectable: Vec<&str> = found
                    .groups
                    .iter()
                    .filter(|g| !g.records.is_empty())
                    .filter_map(|g| holder(g.kind).not_corrected())
                    .collect();
                Error::Invalid(match (names.is_empty(), uncorrectable.first()) {
                    (true, None) => "Nothing is held about this person, so there is nothing to correct.".to_owned(),
                    (true, Some(why)) => format!("Nothing held about this person can be corrected. {why}"),
                    (false, _) => format!(
                        "No record about this person has a field '{field}' that can be corrected. Its fields: {}.",
                        names.join(", ")
                    ),
                })
            };
            return self.settle_about(tx, "request.rectify", &object, subject.as_deref(), Err(e)).await;
        }
        if request.status < RequestStatus::InProgress {
            requests::advance(&mut tx, &request, RequestStatus::InProgress, None).await?;
        }
        let counts = changed.iter().map(|c| format!("{} {}", c.count, c.label)).collect::<Vec<_>>().join(", ");
        let object = format!("{object} corrected on {counts}");
        let not_corrected: Vec<String> = found
            .groups
            .iter()
            .filter(|g| !g.records.is_empty())
            .filter_map(|g| holder(g.kind).not_corrected())
            .map(str::to_owned)
            .fold(Vec::new(), |mut all, why| {
                if !all.contains(&why) {
                    all.push(why);
                }
                all
            });
        let result = requests::get(&mut tx, id, today)
            .await
            .map(|request| Rectified { request, changed, not_corrected, remote: Vec::new() })
            .map_err(Error::from);
        let mut rectified = self.settle_about(tx, "request.rectify", &object, subject.as_deref(), result).await?;
        // The old value's page images are in the WAL until a checkpoint.
        self.empty_wal().await?;
        // Only now, with the correction committed, the copies kept elsewhere (the CRMs) are
        // corrected; a step that fails is on the request to take again with `retry_remote`.
        rectified.remote = match self.run_remote_steps(id).await {
            Ok(steps) => steps,
            Err(e) => {
                tracing::warn!(code = e.code().as_str(), "remote steps of a correction could not be taken now");
                remote::list(self.store.pool(), id).await.unwrap_or_default()
            }
        };
        Ok(rectified)
    }

    /// Writes everything held about an access or portability request's person to a ZIP: the data
    /// as JSON and CSV, a summary page with the processing information, and a manifest.
    /// An existing file at `out` is replaced only with `replace`.
    pub async fn export_request(&self, id: i64, out: &Path, replace: bool) -> Result<Package, Error> {
        let partial = crate::export_file::partial_of(out);
        self.note_partial(&partial, true).await?;
        let exported = self.write_package(id, out, replace).await;
        self.note_partial(&partial, false).await?;
        exported
    }

    async fn write_package(&self, id: i64, out: &Path, replace: bool) -> Result<Package, Error> {
        let live = self.read_live(id).await?;
        let today = self.today();
        let (mut tx, request, subject) = self.open_request("request.export", id, today).await?;
        let object = format!("request:{id} {}", request.kind.as_str());
        let rule = Rule {
            kinds: &[RequestKind::Access, RequestKind::Portability],
            says: "exports answer access and portability requests.",
            open: false,
            after_indexing: None,
        };
        if let Some(e) = rule.refusal(&mut tx, &request).await? {
            return self.settle_about(tx, "request.export", &object, subject.as_deref(), Err(e)).await;
        }
        let (found, _) = self.person(&mut tx, id).await?;
        let found = found.with_live(&live);
        let info = processing_info::list(&mut tx).await?;
        let written = package::write(out, replace, &request, &found, &info, &self.stamp()).map_err(Error::from);
        let object = match &written {
            // Not the file's name: people name such files after the person.
            Ok(p) => format!("{object} exported {} in {} files", found.describe(), p.files.len()),
            Err(_) => object,
        };
        self.settle_about(tx, "request.export", &object, subject.as_deref(), written).await
    }

    /// What request `id`'s person has kept elsewhere, read live there before the export's
    /// transaction begins (it waits on the network). Nothing for a request that is not answered
    /// with the person's data.
    async fn read_live(&self, id: i64) -> Result<discovery::Live, Error> {
        let mut conn = self.store.pool().acquire().await?;
        let Ok(request) = requests::get(&mut conn, id, self.today()).await else { return Ok(Vec::new()) };
        if !answers_with_data(request.kind) {
            return Ok(Vec::new());
        }
        let searched = requests::searched(&mut conn, id).await?;
        let (found, _) = discovery::find(&mut conn, HOLDERS, &self.hasher, id, &searched).await?;
        drop(conn);
        Ok(discovery::read_live(&found, HOLDERS, self.store.pool(), &self.workspace_id, &self.stamp()).await)
    }

    /// The processing information export summaries quote, as (key, text).
    pub async fn processing_info(&self) -> Result<Vec<(String, String)>, Error> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(processing_info::list(&mut conn).await?)
    }

    /// Sets one piece of the processing information.
    pub async fn set_processing_info(&self, key: &str, text: &str) -> Result<Vec<(String, String)>, Error> {
        let mut tx = self.store.write().await?;
        let key = key.trim().to_ascii_lowercase();
        if !package::INFO_KEYS.iter().any(|(k, _)| *k == key) {
            let keys: Vec<&str> = package::INFO_KEYS.iter().map(|(k, _)| *k).collect();
            let e = Error::Invalid(format!("'{key}' is not a setting; the settings are {}.", keys.join(", ")));
            return self.settle(tx, "settings.set", "processing information", Err(e)).await;
        }
        let result = match requests::clean_text(text) {
            Ok(text) if !text.is_empty() => {
                processing_info::set(&mut tx, &key, &text).await?;
                Ok(processing_info::list(&mut tx).await?)
            }
            Ok(_) => {
                Err(Error::Invalid(format!("The {key} text cannot be empty: an access request's answer must say it.")))
            }
            Err(e) => Err(e.into()),
        };
        self.settle(tx, "settings.set", &format!("processing information: {key}"), result).await
    }

    /// The legal hold, if any, that keeps what `found` holds of the person named by `hashes` from
    /// `what` (an erasure, a correction); the request's notes record that it was withheld.
    async fn withheld(
        &self,
        tx: &mut sqlx::SqliteConnection,
        id: i64,
        found: &Discovery,
        hashes: &[IdentityHash],
        what: &str,
        today: NaiveDate,
    ) -> Result<Option<holds::Blocking>, Error> {
        let clients: Vec<String> = found.groups.iter().filter_map(|g| g.client.clone()).collect();
        let hold = holds::blocking(tx, hashes, &clients, today).await?;
        if let Some(hold) = &hold {
            requests::note(tx, id, &format!("{today}: {what} withheld: {}", hold.describe())).await?;
        }
        Ok(hold)
    }

    /// What is held about the request's person, and every identifier that names them: the
    /// request's own and those found on the records.
    async fn person(
        &self,
        tx: &mut sqlx::SqliteConnection,
        id: i64,
    ) -> Result<(Discovery, Vec<(IdKind, IdentityHash)>), Error> {
        let (found, identifiers) = self.person_named(tx, id).await?;
        Ok((found, identifiers.iter().map(|(i, h)| (i.kind, *h)).collect()))
    }

    /// As `person`, with each identifier as given or as a record holds it.
    async fn person_named(
        &self,
        tx: &mut sqlx::SqliteConnection,
        id: i64,
    ) -> Result<(Discovery, Vec<(Identifier, IdentityHash)>), Error> {
        let mut searched = requests::searched(tx, id).await?;
        let (found, on_records) = discovery::find(tx, HOLDERS, &self.hasher, id, &searched).await?;
        searched.extend(on_records);
        Ok((found, searched))
    }

    /// Verifies a `signed_request` from Meta's data-deletion callback with the app secret and
    /// opens an erasure request for the app-scoped user it names.
    pub async fn request_from_signed_request(&self, signed: &str) -> Result<Request, Error> {
        let Some(secret) = Vault::new(&self.workspace_id).get(APP_SECRET.0, APP_SECRET.1).await? else {
            return Err(Error::SecretMissing(
                "No Meta app secret is in the keychain, so the signed_request cannot be checked. \
                 Store the app secret first."
                    .into(),
            ));
        };
        let now = self.now().timestamp();
        let callback = match signed::verify(signed, secret.expose().as_bytes(), now) {
            Ok(c) => c,
            Err(e) => {
                let tx = self.store.write().await?;
                return self.settle(tx, "request.new", "request from Meta's deletion callback", Err(e.into())).await;
            }
        };
        let issued = callback
            .issued_at
            .and_then(crate::clock::from_unix)
            .map(|t| t.date_naive().to_string())
            .unwrap_or_else(|| "unknown".into());
        self.new_request(RequestForm {
            verification_notes: Some(format!(
                "From Meta's data-deletion callback, signature verified with the app secret; issued {issued}."
            )),
            ..RequestForm::new(
                RequestKind::Erasure,
                vec![Identifier { kind: IdKind::AppUserId, value: callback.user_id }],
            )
        })
        .await
    }

    /// The identifiers on the suppression list, as keyed hashes.
    pub async fn suppressions(&self) -> Result<Vec<Suppression>, Error> {
        Ok(erasure::list(self.store.pool()).await?)
    }

    /// Moves a request forward (to verifying or in progress), with an optional note.
    pub async fn advance_request(&self, id: i64, to: RequestStatus, note: Option<&str>) -> Result<Request, Error> {
        self.change_request(id, "request.status", Change::Advance { to, note }).await
    }

    /// Extends a request's deadline once, with the reason the person is told.
    pub async fn extend_request(&self, id: i64, reason: &str) -> Result<Request, Error> {
        self.change_request(id, "request.extend", Change::Extend { reason }).await
    }

    /// Closes a request as completed or denied (a denial with its reason).
    pub async fn close_request(&self, id: i64, outcome: Outcome, reason: Option<&str>) -> Result<Request, Error> {
        self.change_request(id, "request.close", Change::Close { outcome, reason }).await
    }

    /// A write transaction with request `id` and the keyed hash naming its person; a request that
    /// does not exist is refused, and the refusal audited, here.
    async fn open_request(
        &self,
        action: &str,
        id: i64,
        today: NaiveDate,
    ) -> Result<(Transaction<'static, Sqlite>, Request, Option<String>), Error> {
        let mut tx = self.store.write().await?;
        match requests::get(&mut tx, id, today).await {
            Ok(request) => {
                let subject = requests::subject(&mut tx, id).await?;
                Ok((tx, request, subject))
            }
            Err(e) => self.settle(tx, action, &format!("request:{id}"), Err(e.into())).await,
        }
    }

    /// Makes one change to request `id` in an audited transaction; the audit entry names the
    /// request, what changed and the person's hash.
    async fn change_request(&self, id: i64, action: &str, change: Change<'_>) -> Result<Request, Error> {
        let today = self.today();
        let (mut tx, request, subject) = self.open_request(action, id, today).await?;
        let object = format!("request:{id} {}", request.kind.as_str());
        let changed = match change {
            Change::Advance { to, note } => requests::advance(&mut tx, &request, to, note)
                .await
                .map(|()| format!("{} -> {}", request.status.as_str(), to.as_str())),
            Change::Extend { reason } => {
                requests::extend(&mut tx, &request, reason, today).await.map(|due| format!("due {due}"))
            }
            // An erasure is completed only by erasing (or closing as nothing held), which suppresses the
            // person and clears their requests; a bare "completed" would claim an erasure never done.
            Change::Close { outcome: Outcome::Completed, .. } if request.kind == RequestKind::Erasure => {
                Err(RequestError::EraseToComplete(request.id))
            }
            Change::Close { outcome, reason } => requests::close(&mut tx, &request, outcome, reason, &self.stamp())
                .await
                .map(|()| outcome.status().as_str().to_owned()),
        };
        let (object, result) = match changed {
            Ok(what) => (format!("{object} {what}"), requests::get(&mut tx, id, today).await.map_err(Error::from)),
            Err(e) => (object, Err(e.into())),
        };
        self.settle_about(tx, action, &object, subject.as_deref(), result).await
    }
}

/// Which requests an operation answers.
struct Rule<'a> {
    kinds: &'a [RequestKind],
    /// Completes "Request N is an access request; …" for a request of another kind.
    says: &'a str,
    /// Whether the request must still be open.
    open: bool,
    /// For an operation that must see every identifier indexed: what to do once an import that is
    /// still indexing has finished.
    after_indexing: Option<&'a str>,
}

impl Rule<'_> {
    /// Why `request` cannot go through the operation, if it cannot.
    async fn refusal(&self, tx: &mut sqlx::SqliteConnection, request: &Request) -> Result<Option<Error>, Error> {
        if !self.kinds.contains(&request.kind) {
            let kind = request.kind.as_str();
            return Ok(Some(Error::Invalid(format!("Request {} is an {kind} request; {}", request.id, self.says))));
        }
        if self.open && request.status.is_closed() {
            return Ok(Some(RequestError::Closed { id: request.id, status: request.status }.into()));
        }
        match self.after_indexing {
            Some(then) => still_indexing(tx, then).await,
            None => Ok(None),
        }
    }
}

/// The changes a request can go through after intake.
enum Change<'a> {
    Advance { to: RequestStatus, note: Option<&'a str> },
    Extend { reason: &'a str },
    Close { outcome: Outcome, reason: Option<&'a str> },
}

/// Whether a request is answered with the person's data, which then includes what is kept elsewhere
/// as it is there now.
fn answers_with_data(kind: RequestKind) -> bool {
    matches!(kind, RequestKind::Access | RequestKind::Portability)
}
