//! The CRMs leads go on to: HubSpot, Salesforce and Pipedrive. What each CRM's fields are (read
//! live from its schema), and how a lead form's answers become a CRM record (a mapping).

pub mod apps;
pub mod client;
pub mod connections;
pub mod correct;
pub mod loopback;
pub mod mapping;
pub mod oauth;
pub mod payload;
pub mod push_log;
pub mod records;
pub mod schema;
pub mod send;

use serde::{Deserialize, Serialize};

/// A CRM Custodian speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
#[value(rename_all = "lowercase")]
pub enum Crm {
    HubSpot,
    Salesforce,
    Pipedrive,
}

impl Crm {
    pub fn as_str(self) -> &'static str {
        match self {
            Crm::HubSpot => "hubspot",
            Crm::Salesforce => "salesforce",
            Crm::Pipedrive => "pipedrive",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Crm::HubSpot, Crm::Salesforce, Crm::Pipedrive]
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// Its name as people write it.
    pub fn label(self) -> &'static str {
        match self {
            Crm::HubSpot => "HubSpot",
            Crm::Salesforce => "Salesforce",
            Crm::Pipedrive => "Pipedrive",
        }
    }
}
