//! Leads: reading Meta's lead export files, storing their leads with the identity index and
//! full-text search, and reading them back for review and export.

pub mod decode;
mod due;
pub mod forget;
pub mod holder;
pub mod identifiers;
pub mod import;
pub mod imports;
pub mod maintain;
pub mod mappable;
pub mod parse;
mod person_hashes;
pub mod query;
pub mod runs;
pub mod synced;
pub mod words;

pub use decode::{Format, ReadError};
pub use import::{ImportSummary, Progress, Rejection};
pub use query::{Cursor, Filter, LeadDetail, LeadPage, LeadRow, Order, PageRequest, SortBy};
