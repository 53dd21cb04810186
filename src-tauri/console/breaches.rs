//! The breach register, as the Console keeps it: each change on the audit trail.

use super::{Console, Error};
use std::path::{Path, PathBuf};

use crate::breaches::notice::Notice;
use crate::breaches::{self, Audience, Breach, BreachError, DetailsChange, NewBreach};
use crate::clients;
use crate::personal_data::DataKind;

/// A breach as a person records it.
#[derive(Debug, Clone, Default, serde::Deserialize, ts_rs::TS)]
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
    /// A leaked file or list of identifiers whose people it affects.
    #[ts(type = "string | null")]
    pub identifiers: Option<PathBuf>,
}

impl Console {
    /// Records a breach: its 72 hours to tell the authority count from when the agency became aware.
    pub async fn add_breach(&self, form: BreachForm) -> Result<Breach, Error> {
        let now = self.now();
        let leak = match &form.identifiers {
            Some(path) => {
                let mut ids = Vec::with_capacity(form.clients.len());
                {
                    let mut conn = self.store.pool().acquire().await?;
                    for name in form.clients.iter().filter(|n| !n.trim().is_empty()) {
                        // A name not found is refused, and audited, below.
                        if let Ok(client) = clients::find(&mut conn, name).await {
                            ids.push(client.id);
                        }
                    }
                }
                Some(self.read_leak(None, &ids, path).await)
            }
            None => None,
        };
        let mut tx = self.store.write().await?;
        let checked = async {
            let leak = leak.transpose()?;
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
            Ok::<_, Error>(breaches::assess(&mut tx, id, leak.as_ref(), now, &self.stamp()).await?)
        }
        .await;
        let object = match &checked {
            Ok(b) => format!(
                "breach:{} aware {} ({} clients; {} people, {} records)",
                b.id,
                b.aware_at,
                b.clients.len(),
                b.people.unwrap_or(0),
                b.records.unwrap_or(0)
            ),
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
        let whom = whom(audience);
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

    /// Counts who breach `id` affects again, from what is held now: its clients, kinds and
    /// window, and the people of a leaked file (`identifiers`, replacing one given before).
    pub async fn assess_breach(&self, id: i64, identifiers: Option<&Path>) -> Result<Breach, Error> {
        let now = self.now();
        let leak = match identifiers {
            Some(path) => Some(self.read_leak(Some(id), &[], path).await),
            None => None,
        };
        let mut tx = self.store.write().await?;
        let assessed = match leak {
            Some(Err(e)) => Err(e),
            Some(Ok(leak)) => breaches::assess(&mut tx, id, Some(&leak), now, &self.stamp()).await.map_err(Error::from),
            None => breaches::assess(&mut tx, id, None, now, &self.stamp()).await.map_err(Error::from),
        };
        let object = match &assessed {
            Ok(b) => format!("breach:{id} {} people, {} records", b.people.unwrap_or(0), b.records.unwrap_or(0)),
            Err(_) => format!("breach:{id}"),
        };
        self.settle(tx, "breach.assess", &object, assessed).await
    }

    /// The people a leaked file names, read off the async threads.
    async fn read_leak(
        &self,
        id: Option<i64>,
        clients: &[String],
        path: &Path,
    ) -> Result<breaches::leaked::Leaked, Error> {
        let countries = {
            let mut conn = self.store.pool().acquire().await?;
            breaches::countries_of(&mut conn, id, clients).await?
        };
        let hasher = self.hasher.clone();
        let path = path.to_owned();
        // One country places a national number; with several, it is kept by its digits.
        let country = (countries.len() == 1).then(|| countries[0].clone());
        let leak = tokio::task::spawn_blocking(move || breaches::leaked::read(&path, &hasher, country.as_deref()))
            .await
            .map_err(|e| Error::Invalid(format!("the file reader stopped: {e}")))??;
        if leak.people.is_empty() {
            return Err(BreachError::LeakedNamesNoOne.into());
        }
        Ok(leak)
    }

    /// Fills in what has become known of breach `id`.
    pub async fn edit_breach(&self, id: i64, change: DetailsChange) -> Result<Breach, Error> {
        let mut tx = self.store.write().await?;
        let edited = breaches::edit(&mut tx, id, &change, self.now()).await.map_err(Error::from);
        // The parts changed, never their words.
        let object = format!("breach:{id} {}", change.parts().join(", "));
        self.settle(tx, "breach.edit", &object, edited).await
    }

    /// The draft notice of breach `id` to `audience`, filled from its record.
    pub async fn breach_notice(&self, id: i64, audience: Audience) -> Result<Notice, Error> {
        let breach = self.show_breach(id).await?;
        Ok(breaches::notice::draft(&breach, audience, &self.today().to_string()))
    }

    /// Writes the draft notice of breach `id` to `audience` to `out` (HTML); an existing file is
    /// replaced only with `replace`.
    pub async fn write_breach_notice(
        &self,
        id: i64,
        audience: Audience,
        out: &Path,
        replace: bool,
    ) -> Result<Notice, Error> {
        let notice = self.breach_notice(id, audience).await?;
        let written = (|| {
            let mut file = crate::export_file::ExportFile::create(out, replace).map_err(BreachError::from)?;
            file.write_all(notice.html.as_bytes()).map_err(BreachError::from)?;
            file.finish().map_err(BreachError::from)
        })()
        .map_err(Error::from);
        let tx = self.store.write().await?;
        let object = format!("breach:{id} notice to the {}", whom(audience));
        self.settle(tx, "breach.notice", &object, written.map(|_| notice)).await
    }
}

fn whom(audience: Audience) -> &'static str {
    match audience {
        Audience::Authority => "authority",
        Audience::Subjects => "people affected",
    }
}
