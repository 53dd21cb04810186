//! The Console's data-subject request operations. Every change is audited under the person's
//! keyed hash, never their identifiers.

use serde::Deserialize;
use time::{Date, Duration, OffsetDateTime};
use ts_rs::TS;

use super::{now, Console, Error};
use crate::clients;
use crate::requests::discovery::{self, Discovery};
use crate::requests::{self, Identifier, NewRequest, Regime, Request, RequestError, RequestKind, RequestStatus};

/// A new request as the form or the command line gives it; every field is checked.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct RequestForm {
    /// access, portability, rectification, erasure, restriction or objection.
    pub kind: String,
    pub identifiers: Vec<Identifier>,
    /// gdpr (the default), ccpa or days:N.
    pub regime: Option<String>,
    /// YYYY-MM-DD; today when not given.
    pub received_on: Option<String>,
    /// The client's name.
    pub client: Option<String>,
    pub verification_notes: Option<String>,
}

/// Request dates are calendar days in UTC.
fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

impl Console {
    /// Records a new request and works out its deadline.
    pub async fn new_request(&self, form: RequestForm) -> Result<Request, Error> {
        let today = today();
        let mut tx = self.store.write().await?;
        let checked = async {
            let kind = RequestKind::parse(&form.kind)?;
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
            let country = client.as_ref().and_then(|c| c.country.as_deref());
            let identifiers = requests::hash_identifiers(&self.hasher, &form.identifiers, country)?;
            let notes = requests::clean_text(form.verification_notes.as_deref().unwrap_or(""))?;
            let new = NewRequest {
                kind,
                identifiers: Vec::new(),
                regime,
                received_on,
                client_id: client.map(|c| c.id),
                verification_notes: notes,
            };
            Ok::<_, Error>((new, identifiers))
        }
        .await;
        let (new, identifiers) = match checked {
            Ok(v) => v,
            Err(e) => return self.settle(tx, "request.new", "request", Err(e)).await,
        };
        let id = requests::insert(&mut tx, &new, &identifiers, &now()).await.map_err(Error::from)?;
        let request = requests::get(&mut tx, id, today).await.map_err(Error::from)?;
        let subject = identifiers.first().map(|(_, h)| hex::encode(h));
        let object = format!("request:{id} {} {} due {}", new.kind.as_str(), request.regime, request.due_on);
        self.settle_about(tx, "request.new", &object, subject.as_deref(), Ok(request)).await
    }

    pub async fn list_requests(&self) -> Result<Vec<Request>, Error> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(requests::list(&mut conn, today()).await?)
    }

    pub async fn request(&self, id: i64) -> Result<Request, Error> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(requests::get(&mut conn, id, today()).await?)
    }

    /// Everything held about the request's person, grouped by kind of data and client. With
    /// `widen`, the identifiers found on those records are added to an open request and searched
    /// too, until no new one turns up.
    pub async fn find_for_request(&self, id: i64, widen: bool) -> Result<Discovery, Error> {
        let today = today();
        let mut tx = self.store.write().await?;
        let request = match requests::get(&mut tx, id, today).await {
            Ok(r) => r,
            Err(e) => return self.settle(tx, "request.find", &format!("request:{id}"), Err(e.into())).await,
        };
        let subject = requests::subject(&mut tx, id).await?;
        let mut added = 0;
        let found = loop {
            let searched = requests::searched(&mut tx, id).await?;
            let (found, offered) = discovery::find(&mut tx, &self.hasher, id, &searched).await?;
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
        self.settle_about(tx, "request.find", &object, subject.as_deref(), found).await
    }

    /// Moves a request forward (to verifying or in progress), with an optional note.
    pub async fn advance_request(&self, id: i64, to: &str, note: Option<&str>) -> Result<Request, Error> {
        self.change_request(id, "request.status", Change::Advance { to, note }).await
    }

    /// Extends a request's deadline once, with the reason the person is told.
    pub async fn extend_request(&self, id: i64, reason: &str) -> Result<Request, Error> {
        self.change_request(id, "request.extend", Change::Extend { reason }).await
    }

    /// Closes a request as completed or denied (a denial with its reason).
    pub async fn close_request(&self, id: i64, outcome: &str, reason: Option<&str>) -> Result<Request, Error> {
        self.change_request(id, "request.close", Change::Close { outcome, reason }).await
    }

    /// Makes one change to request `id` in an audited transaction; the audit entry names the
    /// request, what changed and the person's hash.
    async fn change_request(&self, id: i64, action: &str, change: Change<'_>) -> Result<Request, Error> {
        let today = today();
        let mut tx = self.store.write().await?;
        let request = match requests::get(&mut tx, id, today).await {
            Ok(r) => r,
            Err(e) => return self.settle(tx, action, &format!("request:{id}"), Err(e.into())).await,
        };
        let subject = requests::subject(&mut tx, id).await?;
        let object = format!("request:{id} {}", request.kind.as_str());
        let changed = match change {
            Change::Advance { to, note } => match RequestStatus::parse(to) {
                Ok(to) => requests::advance(&mut tx, &request, to, note)
                    .await
                    .map(|()| format!("{} -> {}", request.status.as_str(), to.as_str())),
                Err(e) => Err(e),
            },
            Change::Extend { reason } => {
                requests::extend(&mut tx, &request, reason, today).await.map(|due| format!("due {due}"))
            }
            Change::Close { outcome, reason } => match RequestStatus::parse(outcome) {
                Ok(outcome) => requests::close(&mut tx, &request, outcome, reason, &now())
                    .await
                    .map(|()| outcome.as_str().to_owned()),
                Err(e) => Err(e),
            },
        };
        let (object, result) = match changed {
            Ok(what) => (format!("{object} {what}"), requests::get(&mut tx, id, today).await.map_err(Error::from)),
            Err(e) => (object, Err(e.into())),
        };
        self.settle_about(tx, action, &object, subject.as_deref(), result).await
    }
}

/// The changes a request can go through after intake.
enum Change<'a> {
    Advance { to: &'a str, note: Option<&'a str> },
    Extend { reason: &'a str },
    Close { outcome: &'a str, reason: Option<&'a str> },
}
