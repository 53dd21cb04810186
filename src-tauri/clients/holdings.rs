//! What a client holds, by kind of personal data, from the registry: what removing it would delete.

use serde::Serialize;
use sqlx::SqliteConnection;
use ts_rs::TS;

use crate::personal_data::{Held, Holder, Scope};
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Holdings {
    pub client: super::Client,
    /// Only the kinds of which the client holds something.
    pub held: Vec<Held>,
    /// Of those, the records also kept elsewhere (in the client's CRMs), which its removal leaves
    /// there or deletes there, as asked.
    pub elsewhere: Vec<Held>,
}

/// What a client's removal does with its records kept elsewhere (in its CRMs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize, TS, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
#[value(rename_all = "lowercase")]
pub enum Elsewhere {
    /// They stay where they are; only what Custodian knows of them goes.
    Leave,
    /// They are deleted there first; the client goes only once all of them are.
    Delete,
}

impl Holdings {
    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// "12 leads, 3 import records", or "no data".
    pub fn describe(&self) -> String {
        if self.held.is_empty() {
            return "no data".into();
        }
        let parts: Vec<String> = self.held.iter().map(|h| format!("{} {}", h.count, h.label)).collect();
        parts.join(", ")
    }
}

pub async fn of(
    conn: &mut SqliteConnection,
    holders: &[&dyn Holder],
    client: super::Client,
) -> Result<Holdings, StoreError> {
    let mut held = Vec::new();
    let mut elsewhere = Vec::new();
    for holder in holders.iter().filter(|h| h.scope() == Scope::Client) {
        let count = holder.count(conn, Some(&client.id)).await?;
        if count > 0 {
            held.push(Held { kind: holder.kind(), label: holder.label().into(), count });
        }
        let there = holder.held_elsewhere(conn, &client.id).await?;
        if there > 0 {
            elsewhere.push(Held { kind: holder.kind(), label: holder.label().into(), count: there });
        }
    }
    Ok(Holdings { client, held, elsewhere })
}
