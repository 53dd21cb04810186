//! What a client holds: the registry of the kinds of personal data kept per client.
//!
//! A kind of data joins by adding one `Holder` here, naming its table; its rows must reference
//! `clients(id)` or `clients(num)` `ON DELETE CASCADE` so that removing a client removes them in the
//! same transaction.

use serde::Serialize;
use sqlx::SqliteConnection;
use ts_rs::TS;

struct Holder {
    kind: &'static str,
    label: &'static str,
    table: &'static str,
    /// Which rows are the client's, given the client's id as ?1.
    owned: &'static str,
}

/// Every kind of data that belongs to a client. Each later capability (leads, messages, conversion
/// events, CRM sync records) adds its table here.
const HOLDERS: &[Holder] = &[
    Holder {
        kind: "leads",
        label: "leads",
        table: "leads",
        owned: "client_num = (SELECT num FROM clients WHERE id = ?1)",
    },
    Holder { kind: "imports", label: "import records", table: "imports", owned: "client_id = ?1" },
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
pub struct Held {
    pub kind: String,
    pub label: String,
    #[ts(type = "number")]
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Holdings {
    pub client: super::Client,
    /// Only the kinds of which the client holds something.
    pub held: Vec<Held>,
}

impl Holdings {
    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// "12 leads and 3 messages", or "no data".
    pub fn describe(&self) -> String {
        if self.held.is_empty() {
            return "no data".into();
        }
        let parts: Vec<String> = self.held.iter().map(|h| format!("{} {}", h.count, h.label)).collect();
        parts.join(", ")
    }
}

pub async fn of(conn: &mut SqliteConnection, client: super::Client) -> Result<Holdings, sqlx::Error> {
    let mut held = Vec::new();
    for holder in HOLDERS {
        // Table names come from the constant registry above, never from input.
        let sql = format!("SELECT count(*) FROM {} WHERE {}", holder.table, holder.owned);
        let count: i64 = sqlx::query_scalar(&sql).bind(&client.id).fetch_one(&mut *conn).await?;
        if count > 0 {
            held.push(Held { kind: holder.kind.into(), label: holder.label.into(), count });
        }
    }
    Ok(Holdings { client, held })
}
