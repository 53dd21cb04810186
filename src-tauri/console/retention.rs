//! The Console's retention operations: the review of what is held and due, and policy changes,
//! each change audited with who and why.

use chrono::Duration;

use crate::clock::Moment;

use super::{rfc3339, still_indexing, Console, Error};
use crate::clients;
use crate::identity::IdentityHash;
use crate::personal_data::{
    registry::{self, HOLDERS},
    DataKind, Holder,
};
use crate::requests::{self, IdKind, Identifier};
use crate::retention::holds::{self, Hold};
use crate::retention::purge::{self, Purged};
use crate::retention::runs::{self, PurgeRun};
use crate::retention::{self, Review};

/// The holders a retention policy governs, in the order purges run them.
fn kept() -> impl Iterator<Item = &'static dyn Holder> {
    HOLDERS.iter().copied().filter(|h| h.ages().is_some())
}

impl Console {
    /// What is held of each kind of data, how old, and what falls due, as of `now`.
    pub async fn retention_review(&self, client: Option<&str>, now: Moment) -> Result<Vec<Review>, Error> {
        let mut conn = self.store.pool().acquire().await?;
        let client = match client {
            Some(name) => Some(clients::find(&mut conn, name).await?),
            None => None,
        };
        Ok(retention::review(&mut conn, HOLDERS, now, client.as_ref()).await?)
    }

    /// Sets how long `kind` is kept: the workspace default, or one client's own period.
    pub async fn set_retention(
        &self,
        kind: DataKind,
        days: i64,
        client: Option<&str>,
        reason: &str,
    ) -> Result<Vec<Review>, Error> {
        let holder = registry::holder(kind);
        let kind_name = kind.as_str();
        let mut tx = self.store.write().await?;
        let client = match client {
            Some(name) => match clients::find(&mut tx, name).await {
                Ok(c) => Some(c),
                Err(e) => {
                    return self.settle(tx, "retention.set", &format!("retention of {kind_name}"), Err(e.into())).await
                }
            },
            None => None,
        };
        let scope =
            client.as_ref().map_or("the workspace default".to_owned(), |c| format!("client:{} \"{}\"", c.id, c.name));
        let object = format!("retention of {kind_name} for {scope}: {days} days, because {}", reason.trim());
        let result =
            match retention::set(&mut tx, holder, client.as_ref().map(|c| c.id.as_str()), days, reason, &self.stamp())
                .await
            {
                Ok(()) => retention::review(&mut tx, HOLDERS, self.now(), client.as_ref())
                    .await
                    .map(|rows| rows.into_iter().filter(|r| r.kind == kind).collect())
                    .map_err(Error::from),
                Err(e) => Err(e.into()),
            };
        self.settle(tx, "retention.set", &object, result).await
    }
}

/// A new legal hold, as the form or the command line gives it.
#[derive(Debug, Clone, Default, serde::Deserialize, ts_rs::TS)]
pub struct HoldForm {
    /// The client held as a whole; or none, for a hold on a person.
    pub client: Option<String>,
    /// The person's identifiers, for a hold on a person.
    pub identifiers: Vec<Identifier>,
    pub reason: String,
    /// The last day it holds, YYYY-MM-DD; none to hold until removed.
    pub until: Option<String>,
}

impl Console {
    /// Places a legal hold: what it covers is never purged.
    pub async fn add_hold(&self, form: HoldForm) -> Result<Hold, Error> {
        let today = self.today();
        let mut tx = self.store.write().await?;
        let checked = async {
            let client = match form.client.as_deref().filter(|c| !c.trim().is_empty()) {
                Some(name) => Some(clients::find(&mut tx, name).await?),
                None => None,
            };
            let person: Vec<(IdKind, IdentityHash)> = if form.identifiers.iter().all(|i| i.value.trim().is_empty()) {
                Vec::new()
            } else {
                // A held phone is placed with every client's country: it must cover the person's
                // records however they were stored.
                let countries = clients::phone_countries(&mut tx, None).await?;
                let countries: Vec<&str> = countries.iter().map(String::as_str).collect();
                requests::hash_identifiers(&self.hasher, &form.identifiers, &countries)?
                    .into_iter()
                    .map(|(i, h)| (i.kind, h))
                    .collect()
            };
            let until = form.until.as_deref().filter(|u| !u.trim().is_empty()).map(requests::parse_date).transpose()?;
            let id = holds::add(
                &mut tx,
                client.as_ref().map(|c| c.id.as_str()),
                &person,
                &form.reason,
                until,
                today,
                &self.stamp(),
            )
            .await?;
            let scope = client.map_or_else(
                || format!("a person ({} identifiers)", person.len()),
                |c| format!("client:{} \"{}\"", c.id, c.name),
            );
            Ok::<_, Error>((id, scope, person.first().map(|(_, h)| hex::encode(h))))
        }
        .await;
        match checked {
            Ok((id, scope, subject)) => {
                let object = format!("hold:{id} on {scope}, because {}", form.reason.trim());
                let hold = holds::list(&mut tx)
                    .await?
                    .into_iter()
                    .find(|h| h.id == id)
                    .ok_or(Error::Invalid("the hold vanished".into()));
                self.settle_about(tx, "hold.add", &object, subject.as_deref(), hold).await
            }
            Err(e) => self.settle(tx, "hold.add", "hold", Err(e)).await,
        }
    }

    pub async fn list_holds(&self) -> Result<Vec<Hold>, Error> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(holds::list(&mut conn).await?)
    }

    /// Lifts a legal hold; what it covered is purged by policy again.
    pub async fn remove_hold(&self, id: i64) -> Result<(), Error> {
        let mut tx = self.store.write().await?;
        let result = holds::remove(&mut tx, id).await.map_err(Error::from);
        self.settle(tx, "hold.remove", &format!("hold:{id}"), result).await
    }
}

/// What a purge removed (or a dry run would remove), by kind and client, with the audit head.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct PurgeReport {
    pub dry_run: bool,
    /// As of when, RFC 3339.
    pub as_of: String,
    /// Only the steps with something due.
    pub purged: Vec<Purged>,
    /// After a run: the audit chain's head, entry number and hash.
    #[ts(type = "number | null")]
    pub audit_seq: Option<i64>,
    pub audit_hash: Option<String>,
    /// After a run: whether the WAL, with the old page images, was emptied at once.
    pub wal_emptied: bool,
}

/// When purges run and what the next one will remove.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct PurgeSchedule {
    pub last: Option<PurgeRun>,
    /// The next scheduled purge, RFC 3339: a day after the last, while the app runs, and at every
    /// start of the app.
    pub next_at: String,
    /// What the next purge would remove, counted as of `next_at`.
    pub next: Vec<Purged>,
}

/// How often the app purges while it runs.
pub const PURGE_EVERY: Duration = Duration::days(1);

impl Console {
    /// What a purge as of `now` would remove, for the confirmation a person sees first (a dry run).
    pub async fn purge_preview(&self, now: Moment) -> Result<PurgeReport, Error> {
        self.count_due(now).await
    }

    /// Purges what is past its retention period and not on hold, as of `now`. Each client and kind
    /// goes in a transaction of its own with its audit entry.
    pub async fn purge(&self, now: Moment) -> Result<PurgeReport, Error> {
        self.recorded_purge(now, false).await
    }

    /// The purge the app runs by itself, at start-up and every day.
    pub async fn scheduled_purge(&self, now: Moment) -> Result<PurgeReport, Error> {
        self.recorded_purge(now, true).await
    }

    /// The last purge, when the next runs and what it would remove.
    pub async fn purge_schedule(&self, now: Moment) -> Result<PurgeSchedule, Error> {
        let last = runs::last(self.store.pool()).await?;
        let next_at = last
            .as_ref()
            .filter(|l| l.finished_at.is_some() && l.error.is_none())
            .and_then(|l| crate::clock::parse_rfc3339(&l.started_at))
            .map_or(now, |t| (t + PURGE_EVERY).max(now));
        let next = self.count_due(next_at).await?.purged;
        Ok(PurgeSchedule { last, next_at: rfc3339(next_at), next })
    }

    async fn count_due(&self, now: Moment) -> Result<PurgeReport, Error> {
        let mut purged = Vec::new();
        let mut conn = self.store.pool().acquire().await?;
        for holder in kept() {
            for scope in purge::scopes(&mut conn, holder).await? {
                purged.push(purge::run_step(&mut conn, holder, scope.as_ref(), now, false).await?);
            }
        }
        purged.retain(|p| p.count > 0);
        Ok(PurgeReport {
            dry_run: true,
            as_of: rfc3339(now),
            purged,
            audit_seq: None,
            audit_hash: None,
            wal_emptied: false,
        })
    }

    /// A purge with its run on record: started, then finished with its count or its error.
    async fn recorded_purge(&self, now: Moment, automatic: bool) -> Result<PurgeReport, Error> {
        let run: i64 = {
            let mut tx = self.store.write().await?;
            let id = runs::start(&mut tx, &self.stamp(), automatic).await?;
            tx.commit().await?;
            id
        };
        let result = self.run_purge(now).await;
        let (purged, error) = match &result {
            Ok(r) => (r.purged.iter().map(|p| p.count).sum::<i64>(), None),
            Err(e) => (0, Some(e.to_string())),
        };
        let mut tx = self.store.write().await?;
        runs::finish(&mut tx, run, &self.stamp(), purged, error.as_deref()).await?;
        tx.commit().await?;
        result
    }

    async fn run_purge(&self, now: Moment) -> Result<PurgeReport, Error> {
        let mut purged = Vec::new();
        let mut conn = self.store.pool().acquire().await?;
        let scopes: Vec<(&dyn Holder, purge::PurgeScope)> = {
            let mut all = Vec::new();
            for holder in kept() {
                all.extend(purge::scopes(&mut conn, holder).await?.into_iter().map(|s| (holder, s)));
            }
            all
        };
        drop(conn);
        for (holder, scope) in scopes {
            let mut tx = self.store.write().await?;
            if let Some(e) = still_indexing(&mut tx, "purge when it has finished").await? {
                return self.settle(tx, "retention.purge", "retention purge", Err(e)).await;
            }
            let done = purge::run_step(&mut tx, holder, scope.as_ref(), now, true).await?;
            if done.count == 0 {
                continue;
            }
            let whose = scope.as_ref().map_or(String::new(), |(id, name)| format!(" of client:{id} \"{name}\""));
            let anchored = done.anchor.as_ref().map_or(String::new(), |a| format!("; {}", a.quoted()));
            let object = format!("purged {} {}{whose}, kept {} days{anchored}", done.count, done.label, done.days);
            self.settle(tx, "retention.purge", &object, Ok(())).await?;
            purged.push(done);
        }
        // What the removals left to finish, including those of a run killed before this point.
        let mut tx = self.store.write().await?;
        for holder in kept() {
            holder.settle_removals(&mut tx).await?;
        }
        tx.commit().await?;
        let wal_emptied = self.empty_wal().await?;
        let head = self.audit_list(1, None).await?.into_iter().next();
        Ok(PurgeReport {
            dry_run: false,
            as_of: rfc3339(now),
            purged,
            audit_seq: head.as_ref().map(|h| h.seq),
            audit_hash: head.map(|h| h.hash),
            wal_emptied,
        })
    }
}
