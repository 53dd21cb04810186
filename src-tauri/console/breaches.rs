//! The breach register, as the Console keeps it: each change on the audit trail.

use super::{Console, Error};
use crate::breaches::{self, Audience, Breach, NewBreach};
use crate::clients;
use crate::personal_data::DataKind;

/// A breach as a person records it.
#[derive(Debug, Clone, Default)]
pub struct BreachForm {
    /// When the agency became aware: RFC 3339 with its offset.
    pub aware_at: String,
    pub summary: String,
    /// The clients whose data it concerns, by name.
    pub clients: Vec<String>,
    pub kinds: Vec<DataKind>,
    /// The window of the data concerned, YYYY-MM-DD.
    pub since: Option<String>,
    pub until: Option<String>,
}

impl Console {
    /// Records a breach: its 72 hours to tell the authority count from when the agency became aware.
    pub async fn add_breach(&self, form: BreachForm) -> Result<Breach, Error> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let checked = async {
            let aware_at = breaches::parse_aware_at(&form.aware_at)?;
            let mut named: Vec<(String, String)> = Vec::with_capacity(form.clients.len());
            for name in form.clients.iter().filter(|n| !n.trim().is_empty()) {
                let client = clients::find(&mut tx, name).await?;
                if !named.iter().any(|(id, _)| *id == client.id) {
                    named.push((client.id, client.name));
                }
            }
            let mut kinds: Vec<DataKind> = Vec::with_capacity(form.kinds.len());
            for kind in &form.kinds {
                if !kinds.contains(kind) {
                    kinds.push(*kind);
                }
            }
            let day = |d: &Option<String>| {
                d.as_deref().filter(|d| !d.trim().is_empty()).map(crate::requests::parse_date).transpose()
            };
            let new = NewBreach {
                aware_at,
                summary: form.summary.clone(),
                clients: named,
                kinds,
                since: day(&form.since)?,
                until: day(&form.until)?,
            };
            let id = breaches::add(&mut tx, &new, now, &self.stamp()).await?;
            Ok::<_, Error>(breaches::get(&mut tx, id, now).await?)
        }
        .await;
        let object = match &checked {
            Ok(b) => format!("breach:{} aware {} ({} clients)", b.id, b.aware_at, b.clients.len()),
            Err(_) => "breach".to_owned(),
        };
        self.settle(tx, "breach.new", &object, checked).await
    }

    /// Every breach recorded, the latest awareness first, with where each stands now.
    pub async fn list_breaches(&self) -> Result<Vec<Breach>, Error> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(breaches::list(&mut conn, self.now()).await?)
    }

    pub async fn show_breach(&self, id: i64) -> Result<Breach, Error> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(breaches::get(&mut conn, id, self.now()).await?)
    }

    /// Records that the authority or the people affected were told of breach `id` on `on` (a day or
    /// a time); the authority told after the 72 hours needs `late_reason`.
    pub async fn breach_told(
        &self,
        id: i64,
        audience: Audience,
        on: &str,
        late_reason: Option<&str>,
    ) -> Result<Breach, Error> {
        let mut tx = self.store.write().await?;
        let told = breaches::told(&mut tx, id, audience, on, late_reason, self.now()).await.map_err(Error::from);
        let whom = match audience {
            Audience::Authority => "authority",
            Audience::Subjects => "people affected",
        };
        // What was typed stays out of the trail; only a date as read goes in.
        let object = match &told {
            Ok((b, kept)) => {
                let late = audience == Audience::Authority && b.authority_late;
                format!("breach:{id} told the {whom} on {kept}{}", if late { ", late" } else { "" })
            }
            Err(_) => format!("breach:{id} told the {whom}"),
        };
        self.settle(tx, "breach.notified", &object, told.map(|(b, _)| b)).await
    }

    /// Closes breach `id` with its reason: its record stays.
    pub async fn close_breach(&self, id: i64, reason: &str) -> Result<Breach, Error> {
        let mut tx = self.store.write().await?;
        let closed = breaches::close(&mut tx, id, reason, &self.stamp(), self.now()).await.map_err(Error::from);
        self.settle(tx, "breach.close", &format!("breach:{id}"), closed).await
    }
}
