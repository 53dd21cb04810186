//! Custodian: a privacy console for agencies that run Meta Lead Ads for their clients.

/// The version and the commit the binary was built from: "0.1.0 (1a2b3c4d5e6f)".
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("CUSTODIAN_COMMIT"), ")");

pub mod app_lock;
pub mod audit;
pub mod bench;
pub mod breaches;
pub mod capi;
pub mod chat;
pub mod cli;
pub mod clients;
pub mod clock;
pub mod consent;
pub mod console;
pub mod crm;
pub mod desktop;
pub mod export_file;
pub mod html;
pub mod identity;
pub mod leads;
pub mod log_file;
pub mod meta;
pub mod pacing;
pub mod personal_data;
pub mod requests;
pub mod retention;
pub mod spreadsheet;
pub mod store;
pub mod system_browser;
pub mod vault;
