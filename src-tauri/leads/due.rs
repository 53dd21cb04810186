//! Which of a client's leads are due for purging, and which a legal hold keeps: the conditions the
//! retention review counts by and a purge removes by, in one place.

/// Whether a lead (alias `l`) of the client whose id is ?1 is on hold as of today (?9). Each list is
/// gathered once per statement, not once per lead; a lead without a phone is not held for that.
macro_rules! lead_held {
    () => {
        concat!(
            "(?1 IN (",
            $crate::held_clients!(),
            ") OR coalesce(l.id_hash IN (",
            $crate::held_hashes!(),
            "), 0) OR coalesce(l.email_hash IN (",
            $crate::held_hashes!(),
            "), 0) OR coalesce(l.phone_hash IN (",
            $crate::held_hashes!(),
            "), 0) OR coalesce(l.email2_hash IN (",
            $crate::held_hashes!(),
            "), 0) OR coalesce(l.phone2_hash IN (",
            $crate::held_hashes!(),
            "), 0))"
        )
    };
}

/// A client's leads with their ages and holds: all of them when the client is held, otherwise
/// those carrying a held person's identifier.
pub(super) const AGES: &str = concat!(
    "SELECT l.created_unix AS t, ",
    lead_held!(),
    " AS held FROM leads AS l WHERE l.client_num = (SELECT num FROM clients WHERE id = ?1)"
);

/// Which of a client's leads are past ?2 (seconds since 1970).
const DUE: &str = "l.client_num = (SELECT num FROM clients WHERE id = ?1) AND l.created_unix < ?2";

/// The condition a purge selects a client's due leads (alias `l`) by: ?1 the client's id, ?2 the
/// expiry (seconds since 1970), ?9 today. Held leads are left out when any hold applies at all.
pub(super) fn due_condition(holds_apply: bool) -> String {
    if holds_apply {
        format!("{DUE} AND NOT {}", lead_held!())
    } else {
        DUE.to_owned()
    }
}
