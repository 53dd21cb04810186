//! The consent register: a person's answers on each marketing channel, an admin's entry with its
//! reason, and a client's register as a CSV for an opt-in audit.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Console, Error, Export};
use crate::audit;
use crate::chat::threads::{Participant, ParticipantId};
use crate::clients;
use crate::consent::{self, ConsentChannel, ConsentEntry, ConsentSource, ConsentState, NewEntry};
use crate::identity::{IdKind, Identifier, IdentityHash};
use crate::spreadsheet::Table;

/// A person's consent, found by the identifiers given.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ConsentOf {
    pub searched: Vec<Identifier>,
    /// Their answer on each channel: per client with an entry, and for every client where an
    /// entry is for all of them. A channel with no entry is not listed: nobody opted in.
    pub states: Vec<ConsentState>,
    /// Every entry with its proof, oldest first.
    pub entries: Vec<ConsentEntry>,
}

/// An opt-in or opt-out someone in the agency records.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ConsentChange {
    /// The business the person answered; `None` for an opt-out of every client.
    pub client: Option<String>,
    pub channel: ConsentChannel,
    pub opted_in: bool,
    /// How the person said it ("asked by phone on 3 March"): the entry's proof.
    pub reason: String,
}

/// The CSV's columns.
const COLUMNS: [&str; 13] = [
    "said_at",
    "channel",
    "answer",
    "current",
    "client",
    "email",
    "phone",
    "wa_id",
    "other_ids",
    "source",
    "proof",
    "recorded_at",
    "request_id",
];

impl Console {
    /// The consent register of the person these identifiers name.
    pub async fn consent_show(&self, identifiers: &[Identifier]) -> Result<ConsentOf, Error> {
        let hashed = self.consent_person(identifiers, None).await?;
        let hashes: Vec<IdentityHash> = hashed.iter().map(|(_, h)| *h).collect();
        let register = consent::of_person(&mut *self.store.pool().acquire().await?, &hashes).await?;
        let subject = hex::encode(hashes[0]);
        let outcome = format!("ok: {} entries", register.entries.len());
        let mut tx = self.store.write().await?;
        let event = audit::Event {
            action: "consent.show",
            object: "consent register",
            outcome: &outcome,
            subject: Some(&subject),
        };
        audit::append(&mut tx, &self.stamp(), &self.actor, &event).await?;
        tx.commit().await?;
        Ok(ConsentOf { searched: identifiers.to_vec(), states: register.states, entries: register.entries })
    }

    /// Records an opt-in or an opt-out for the person these identifiers name, with the reason as
    /// its proof. An opt-in names its client (the business the person agreed to hear from); an
    /// opt-out without one is for every client.
    pub async fn consent_set(&self, identifiers: &[Identifier], change: &ConsentChange) -> Result<ConsentOf, Error> {
        let client = self.client_if(change.client.as_deref()).await?;
        let object = format!(
            "consent {} {} for {}",
            if change.opted_in { "opt-in" } else { "opt-out" },
            change.channel.as_str(),
            client.as_ref().map_or("every client", |c| c.name.as_str())
        );
        let hashed = self.consent_person(identifiers, client.as_ref().map(|c| c.id.as_str())).await?;
        let subject = hex::encode(hashed[0].1);
        let tx = self.store.write().await?;
        if change.opted_in && client.is_none() {
            let e = Error::Invalid(
                "An opt-in is given to one business: name the client the person agreed to hear from.".into(),
            );
            return self.settle_about(tx, "consent.set", &object, Some(&subject), Err(e)).await;
        }
        let reason = match crate::requests::clean_text(&change.reason) {
            Ok(reason) if !reason.is_empty() => reason,
            Ok(_) => {
                let e =
                    Error::Invalid("Say how the person gave their answer: it is the proof the register keeps.".into());
                return self.settle_about(tx, "consent.set", &object, Some(&subject), Err(e)).await;
            }
            Err(e) => return self.settle_about(tx, "consent.set", &object, Some(&subject), Err(e.into())).await,
        };
        let mut tx = tx;
        let hashes: Vec<IdentityHash> = hashed.iter().map(|(_, h)| *h).collect();
        let erased = crate::store::direct(&mut tx, crate::requests::erasure::suppressed_now).await??;
        if hashes.iter().any(|h| erased.contains(h)) {
            let e = Error::Conflict(
                "That person's data was erased at their request: nothing about them is held or sent, and the \
                 register keeps nothing of them either."
                    .into(),
            );
            return self.settle_about(tx, "consent.set", &object, Some(&subject), Err(e)).await;
        }
        let at = self.stamp();
        let entry = NewEntry {
            client_id: client.as_ref().map(|c| c.id.as_str()),
            channel: change.channel,
            opted_in: change.opted_in,
            said_at: self.now().timestamp(),
            recorded_at: &at,
            source: ConsentSource::Admin,
            proof: format!("recorded by {}: {reason}", self.actor),
            identifiers: hashed,
            request_id: None,
            origin: None,
        };
        crate::store::direct(&mut tx, |c| consent::record(c, &entry)).await??;
        let register = consent::of_person(&mut tx, &hashes).await;
        let result = register.map_err(Error::from).map(|r| ConsentOf {
            searched: identifiers.to_vec(),
            states: r.states,
            entries: r.entries,
        });
        self.settle_about(tx, "consent.set", &object, Some(&subject), result).await
    }

    /// Writes a client's register (its own entries and those for every client) to a CSV, oldest
    /// first, each entry with whether it is still the person's answer on its channel.
    pub async fn consent_export(&self, client: &str, dest: &Path, replace: bool) -> Result<Export, Error> {
        let client = self.client(client).await?;
        let entries = consent::of_client(&mut *self.store.pool().acquire().await?, &client.id).await?;
        let mut table = Table::create(dest, replace)?;
        let partial = table.partial();
        self.note_partial(&partial, true).await?;
        let written = (|| {
            table.row(COLUMNS)?;
            for (entry, current) in &entries {
                table.row(row_of(entry, *current).iter().map(String::as_str))?;
            }
            Ok::<(), crate::spreadsheet::WriteError>(())
        })();
        if let Err(e) = written {
            table.abandon();
            self.note_partial(&partial, false).await?;
            return Err(e.into());
        }
        let finished = table.finish();
        self.note_partial(&partial, false).await?;
        let path = finished?;
        let rows = entries.len() as u64;
        let object = format!("client {} to {}", client.name, audit::file_ref(&crate::leads::import::file_name(dest)));
        let mut tx = self.store.write().await?;
        let outcome = format!("ok: {rows} entries");
        let event = audit::Event { action: "consent.export", object: &object, outcome: &outcome, subject: None };
        audit::append(&mut tx, &self.stamp(), &self.actor, &event).await?;
        tx.commit().await?;
        Ok(Export { path: path.display().to_string(), rows })
    }

    /// The identifiers given, checked, each with its keyed hash; a WhatsApp id also as the phone
    /// number it is, as a WhatsApp conversation keeps it.
    async fn consent_person(
        &self,
        identifiers: &[Identifier],
        client_id: Option<&str>,
    ) -> Result<Vec<(Identifier, IdentityHash)>, Error> {
        let countries = clients::phone_countries(&mut *self.store.pool().acquire().await?, client_id).await?;
        let countries: Vec<&str> = countries.iter().map(String::as_str).collect();
        let mut hashed = crate::requests::hash_identifiers(&self.hasher, identifiers, &countries)?;
        let mut seen: HashSet<IdentityHash> = hashed.iter().map(|(_, h)| *h).collect();
        for wa_id in identifiers.iter().filter(|i| i.kind == IdKind::WaId) {
            let as_participant =
                Participant { kind: ParticipantId::WaId, id: wa_id.value.trim().to_owned(), name: None };
            for (identifier, hash) in as_participant.hashed(&self.hasher) {
                if seen.insert(hash) {
                    hashed.push((identifier, hash));
                }
            }
        }
        Ok(hashed)
    }
}

fn row_of(e: &ConsentEntry, current: bool) -> Vec<String> {
    let of_kind = |kinds: &[IdKind]| -> String {
        let mut values: Vec<&str> = Vec::new();
        for i in e.identifiers.iter().filter(|i| kinds.contains(&i.kind)) {
            if !values.contains(&i.value.as_str()) {
                values.push(&i.value);
            }
        }
        values.join("; ")
    };
    let others: Vec<String> = e
        .identifiers
        .iter()
        .filter(|i| !matches!(i.kind, IdKind::Email | IdKind::Phone | IdKind::PhoneDigits | IdKind::WaId))
        .map(|i| format!("{}: {}", i.kind.label(), i.value))
        .collect();
    vec![
        e.said_at.clone(),
        e.channel.as_str().to_owned(),
        if e.opted_in { "opt_in" } else { "opt_out" }.to_owned(),
        if current { "yes" } else { "no" }.to_owned(),
        e.client.clone().unwrap_or_else(|| "every client".to_owned()),
        of_kind(&[IdKind::Email]),
        of_kind(&[IdKind::Phone, IdKind::PhoneDigits]),
        of_kind(&[IdKind::WaId]),
        others.join("; "),
        e.source.as_str().to_owned(),
        e.proof.clone(),
        e.recorded_at.clone(),
        e.request_id.map(|id| id.to_string()).unwrap_or_default(),
    ]
}
