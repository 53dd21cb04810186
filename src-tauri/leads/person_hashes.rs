//! The columns in which a lead keeps its person's keyed hashes, filled as the lead is stored (so
//! that holds and erasures see them before the identity index does): one list, from which every
//! statement that names them is made.

/// In the order an import binds them and a lead's identifiers fill them: the Meta lead id, the
/// first email and phone, the second email and phone.
pub(super) const PERSON_HASHES: [&str; 5] = ["id_hash", "email_hash", "phone_hash", "email2_hash", "phone2_hash"];

/// The columns as a list, each behind `prefix` (`"l."`, or `""`).
pub(super) fn listed(prefix: &str) -> String {
    PERSON_HASHES.map(|c| format!("{prefix}{c}")).join(", ")
}

/// One statement per column, `each` making it from the column's name, joined by `joiner`.
pub(super) fn each(joiner: &str, each: impl Fn(&str) -> String) -> String {
    PERSON_HASHES.map(each).join(joiner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statements_name_every_column_once_in_order() {
        assert_eq!(listed("l."), "l.id_hash, l.email_hash, l.phone_hash, l.email2_hash, l.phone2_hash");
        assert_eq!(each(" OR ", |c| format!("{c} = 1")).matches(" = 1").count(), 5);
    }
}
