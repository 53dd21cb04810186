//! Leads: reading Meta's lead export files, storing their leads with the identity index and
//! full-text search, and reading them back for review and export.

pub mod decode;
pub mod forget;
pub mod holder;
pub mod import;
pub mod parse;
pub mod query;

pub use decode::{Format, ReadError};
pub use import::{ImportSummary, Progress, Rejection};
pub use query::{Cursor, Filter, LeadDetail, LeadPage, LeadRow, Order, PageRequest, SortBy};

/// Rewrites full-text search without the leads removed from it. Removing a lead only marks its
/// words in a tombstone, and they stay in the file until their part of the index is merged; every
/// change that must leave no trace (erasure, correction, client removal, purge) ends with this.
/// With `secure_delete`, the pages it frees are zeroed. It also turns the index's merging back on
/// after `forget::forget_listed` (FTS5's defaults).
pub async fn drop_forgotten_words(conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO leads_fts (leads_fts) VALUES ('optimize')").execute(&mut *conn).await?;
    sqlx::query("INSERT INTO leads_fts (leads_fts, rank) VALUES ('automerge', 4)").execute(&mut *conn).await?;
    sqlx::query("INSERT INTO leads_fts (leads_fts, rank) VALUES ('deletemerge', 10)").execute(&mut *conn).await?;
    Ok(())
}
