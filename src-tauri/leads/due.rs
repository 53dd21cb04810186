//! Which of a client's leads are due for purging, and which a legal hold keeps: the conditions the
//! retention review counts by and a purge removes by, in one place.

use std::sync::LazyLock;

use super::person_hashes;

/// Whether a lead (alias `l`) of the client whose id is ?1 is on hold as of today (?9): its client
/// is held, or one of its person's hashes is. Each list is gathered once per statement, not once
/// per lead; a lead without a phone is not held for that.
fn lead_held() -> String {
    let held = person_hashes::each(" OR ", |c| format!("coalesce(l.{c} IN ({}), 0)", crate::held_hashes!()));
    format!("(?1 IN ({}) OR {held})", crate::held_clients!())
}

/// A client's leads with their ages and holds: all of them when the client is held, otherwise
/// those carrying a held person's identifier.
pub(super) static AGES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT l.created_unix AS t, {} AS held FROM leads AS l WHERE l.client_num = (SELECT num FROM clients WHERE id = ?1)",
        lead_held()
    )
});

/// Which of a client's leads are past ?2 (seconds since 1970).
const DUE: &str = "l.client_num = (SELECT num FROM clients WHERE id = ?1) AND l.created_unix < ?2";

/// The condition a purge selects a client's due leads (alias `l`) by: ?1 the client's id, ?2 the
/// expiry (seconds since 1970), ?9 today. Held leads are left out when any hold applies at all.
pub(super) fn due_condition(holds_apply: bool) -> String {
    if holds_apply {
        format!("{DUE} AND NOT {}", lead_held())
    } else {
        DUE.to_owned()
    }
}
