//! Closed request records as a kind of personal data: kept for the workspace as proof of how each
//! request was answered, aged from when they closed. A person's own records are answered by the
//! erasure itself (which clears what they held), so no identifier finds them here.

use async_trait::async_trait;
use sqlx::SqliteConnection;

use crate::personal_data::{DataKind, Due, Holder, Removed, Scope};
use crate::store::StoreError;

/// Whether a request record (alias `r`) is on hold as of today (?9): its client is held, or it
/// names a held person. A closed request of someone under a hold is kept with the rest of them.
macro_rules! request_held {
    () => {
        concat!(
            "(coalesce(r.client_id IN (",
            $crate::held_clients!(),
            "), 0) OR EXISTS (SELECT 1 FROM request_identifiers AS ri WHERE ri.request_id = r.id AND ri.hash IN (",
            $crate::held_hashes!(),
            ")))"
        )
    };
}

/// Closed request records with their ages and holds.
const AGES: &str = concat!(
    "SELECT unixepoch(r.closed_at) AS t, ",
    request_held!(),
    " AS held FROM requests AS r WHERE r.closed_at IS NOT NULL"
);

/// Closed before ?2 (seconds since 1970).
const DUE: &str = "r.closed_at IS NOT NULL AND unixepoch(r.closed_at) < ?2";

pub struct RequestRecords;

pub const REQUEST_RECORDS: RequestRecords = RequestRecords;

#[async_trait]
impl Holder for RequestRecords {
    fn kind(&self) -> DataKind {
        DataKind::RequestRecords
    }

    fn label(&self) -> &'static str {
        "closed request records"
    }

    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn ages(&self) -> Option<&'static str> {
        Some(AGES)
    }

    async fn count(&self, conn: &mut SqliteConnection, _client_id: Option<&str>) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM requests WHERE closed_at IS NOT NULL").fetch_one(conn).await?)
    }

    async fn purge(&self, conn: &mut SqliteConnection, due: &Due<'_>, delete: bool) -> Result<Removed, StoreError> {
        crate::personal_data::due_in_workspace(conn, "requests AS r", DUE, request_held!(), due, delete).await
    }
}
