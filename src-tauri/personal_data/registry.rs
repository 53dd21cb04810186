//! The registry: every kind of personal data Custodian holds, each by its one holder. A new kind
//! joins with one line here.

use super::Holder;

/// In the order purges run them: audit entries last, so that the other steps' own entries age
/// with them.
pub const HOLDERS: &[&dyn Holder] = &[
    &crate::leads::holder::LEADS,
    &crate::meta::leads_at_meta::LEADS_AT_META,
    &crate::crm::records::CRM_RECORDS,
    &crate::capi::events::CONVERSION_EVENTS,
    &crate::chat::threads::CONVERSATIONS,
    &crate::consent::CONSENT,
    &crate::leads::imports::IMPORT_RECORDS,
    &crate::requests::records::REQUEST_RECORDS,
    &crate::breaches::lists::BREACH_LISTS,
    &crate::audit::entries::AUDIT_ENTRIES,
];

/// The holder of `kind`.
pub fn holder(kind: super::DataKind) -> &'static dyn Holder {
    *HOLDERS.iter().find(|h| h.kind() == kind).expect("every kind has its holder in the registry")
}
