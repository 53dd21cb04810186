//! Custodian: a privacy console for agencies that run Meta Lead Ads for their clients.

pub mod audit;
pub mod cli;
pub mod clients;
pub mod console;
pub mod desktop;
pub mod log_file;
pub mod store;
pub mod vault;
