//! Keeping the lead store in order: the work an open does once, and whether its indexes are
//! complete, for the operations that must see every identifier.

use crate::store::{self, Store, StoreError};

/// What keeps the identity index incomplete for a while.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indexing {
    /// An import's identifiers wait in runs.
    Importing,
    /// The leads wait to be indexed again under newer rules (once, after an upgrade).
    Reindexing,
}

/// What an open does before anything else: a database from before search parts has its index
/// split into them; identity runs an import left when it was killed are folded, rather than left
/// for lookups and deletions to probe.
pub async fn at_open(store: &Store) -> Result<(), StoreError> {
    super::words::split_whole_index(store.pool()).await?;
    if sqlx::query_scalar::<_, bool>(super::runs::ANY_RUNS).fetch_one(store.pool()).await? {
        // Only with runs to fold is a bulk connection worth setting up.
        let mut bulk = store.bulk().await?;
        let folded = bulk.direct(super::runs::fold_all).await;
        bulk.finish().await?;
        folded??;
    }
    Ok(())
}

/// Whether, and why, the identity index is incomplete right now.
pub async fn indexing(conn: &mut sqlx::SqliteConnection) -> Result<Option<Indexing>, StoreError> {
    if sqlx::query_scalar::<_, bool>(super::runs::ANY_RUNS).fetch_one(&mut *conn).await? {
        return Ok(Some(Indexing::Importing));
    }
    Ok(reindex_pending(conn).await?.then_some(Indexing::Reindexing))
}

/// Whether the leads wait to be indexed again under newer rules of finding identifiers.
pub async fn reindex_pending(conn: &mut sqlx::SqliteConnection) -> Result<bool, StoreError> {
    Ok(store::direct(conn, super::identifiers::pending).await??)
}

/// Whether the identity index holds anything, in its table or in runs.
pub async fn any_identities(pool: &sqlx::SqlitePool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM identities) OR EXISTS (SELECT 1 FROM identity_run_list)")
        .fetch_one(pool)
        .await
}
