//! Audit entries as a kind of personal data: they name people only by keyed hashes, but are kept
//! for the workspace by a policy of their own and purged oldest first, leaving an anchor from which
//! the chain still verifies.

use async_trait::async_trait;
use sqlx::SqliteConnection;

use crate::personal_data::{DataKind, Due, Holder, Removed, Scope};
use crate::store::StoreError;

pub struct AuditEntries;

pub const AUDIT_ENTRIES: AuditEntries = AuditEntries;

#[async_trait]
impl Holder for AuditEntries {
    fn kind(&self) -> DataKind {
        DataKind::AuditEntries
    }

    fn label(&self) -> &'static str {
        "audit entries"
    }

    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn ages(&self) -> Option<&'static str> {
        Some("SELECT unixepoch(at) AS t, 0 AS held FROM audit_entries")
    }

    async fn count(&self, conn: &mut SqliteConnection, _client_id: Option<&str>) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM audit_entries").fetch_one(conn).await?)
    }

    /// A prefix of the chain, never a selection from it: a legal hold does not stop the trail from
    /// ageing, as it names no one.
    async fn purge(&self, conn: &mut SqliteConnection, due: &Due<'_>, delete: bool) -> Result<Removed, StoreError> {
        if !delete {
            return Ok(Removed { count: super::count_before(conn, due.expiry).await?, anchor: None });
        }
        Ok(match super::purge_before(conn, due.expiry, due.at).await? {
            Some((count, anchor)) => Removed { count, anchor: Some(anchor) },
            None => Removed::default(),
        })
    }
}
