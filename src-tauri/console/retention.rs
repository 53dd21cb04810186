//! The Console's retention operations: the review of what is held and due, and policy changes,
//! each change audited with who and why.

use time::OffsetDateTime;

use super::{now, Console, Error};
use crate::clients;
use crate::retention::{self, Review};

impl Console {
    /// What is held of each kind of data, how old, and what falls due, as of `now`.
    pub async fn retention_review(&self, client: Option<&str>, now: OffsetDateTime) -> Result<Vec<Review>, Error> {
        let mut conn = self.store.pool().acquire().await?;
        let client = match client {
            Some(name) => Some(clients::find(&mut conn, name).await?),
            None => None,
        };
        Ok(retention::review(&mut conn, now, client.as_ref()).await?)
    }

    /// Sets how long `kind` is kept: the workspace default, or one client's own period.
    pub async fn set_retention(
        &self,
        kind: &str,
        days: i64,
        client: Option<&str>,
        reason: &str,
    ) -> Result<Vec<Review>, Error> {
        let kind = kind.trim().to_ascii_lowercase().replace('-', "_");
        let mut tx = self.store.write().await?;
        let client = match client {
            Some(name) => match clients::find(&mut tx, name).await {
                Ok(c) => Some(c),
                Err(e) => {
                    return self.settle(tx, "retention.set", &format!("retention of {kind}"), Err(e.into())).await
                }
            },
            None => None,
        };
        let scope =
            client.as_ref().map_or("the workspace default".to_owned(), |c| format!("client:{} \"{}\"", c.id, c.name));
        let object = format!("retention of {kind} for {scope}: {days} days, because {}", reason.trim());
        let result =
            match retention::set(&mut tx, &kind, client.as_ref().map(|c| c.id.as_str()), days, reason, &now()).await {
                Ok(()) => retention::review(&mut tx, OffsetDateTime::now_utc(), client.as_ref())
                    .await
                    .map(|rows| rows.into_iter().filter(|r| r.kind == kind).collect())
                    .map_err(Error::from),
                Err(e) => Err(e.into()),
            };
        self.settle(tx, "retention.set", &object, result).await
    }
}
