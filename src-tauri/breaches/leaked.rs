//! The people a leaked file names: a lead export (or any table with email or phone columns), each
//! row one person; or a plain list, one email or phone number a line. A phone is read as a stored
//! one is: placed in the breach's clients' country when they share one, kept by its digits
//! otherwise; never in several countries at once, which would make two people of one number.

use std::path::Path;

use super::BreachError;
use crate::identity::{self, Hasher, IdKind, IdentityHash};
use crate::leads::decode::ExportFile;

/// What a leaked file named.
#[derive(Debug, Default)]
pub struct Leaked {
    /// Each row's person, by the keyed hashes of their identifiers.
    pub people: Vec<Vec<IdentityHash>>,
    /// Rows that named no one by an email or phone, or could not be read.
    pub unreadable: i64,
}

/// The words a column of emails or phones is named with, in the languages of the agencies' exports.
const IDENTIFIER_COLUMNS: [&str; 12] = [
    "email",
    "e-mail",
    "mail",
    "courriel",
    "phone",
    "mobile",
    "cell",
    "telefon",
    "téléphone",
    "teléfono",
    "móvil",
    "handy",
];

/// Whether a header names a column of identifiers: then the file is a table, one person a row.
fn is_table(header: &csv::StringRecord) -> bool {
    header.iter().any(|h| {
        let h = h.to_lowercase();
        IDENTIFIER_COLUMNS.iter().any(|k| h.contains(k)) && !h.contains('@')
    })
}

/// Whether a cell is written as a phone number and nothing else: digits with the marks numbers are
/// written with, and as many digits as a number has.
fn phone_shaped(cell: &str) -> bool {
    let digits = cell.chars().filter(char::is_ascii_digit).count();
    let marks = cell.trim_start_matches('+').chars().all(|c| c.is_ascii_digit() || " -().".contains(c));
    // A day (2026-11-01) is digits and dashes too, but never a number a person gives.
    let day = cell.len() == 10 && cell.as_bytes().get(4) == Some(&b'-') && cell.as_bytes().get(7) == Some(&b'-');
    marks && (7..=15).contains(&digits) && !day
}

/// A phone number as a stored one is kept: in `country` when given, by its digits otherwise.
fn phone(raw: &str, country: Option<&str>) -> Vec<(IdKind, String)> {
    identity::stored_phone(raw, country).into_iter().collect()
}

/// One line of a plain list: an email, or a phone number.
fn entries_of(cell: &str, country: Option<&str>) -> Vec<(IdKind, String)> {
    let cell = cell.trim();
    if cell.contains('@') {
        return identity::normalise_email(cell).map(|e| vec![(IdKind::Email, e)]).unwrap_or_default();
    }
    if !phone_shaped(cell) {
        return Vec::new();
    }
    phone(cell, country)
}

/// Reads the people of the leaked file at `path`; `country` places national phone numbers.
pub fn read(path: &Path, hasher: &Hasher, country: Option<&str>) -> Result<Leaked, BreachError> {
    let unreadable = |e: crate::leads::decode::ReadError| BreachError::LeakedUnreadable(e.to_string());
    let mut file = ExportFile::open_table(path, &[]).map_err(unreadable)?;
    let header = file.header.clone();
    let table = is_table(&header);
    if !table && header.len() > 1 {
        return Err(BreachError::LeakedColumnsUnnamed);
    }
    let mut leaked = Leaked::default();
    let add = |entries: Vec<(IdKind, String)>, leaked: &mut Leaked| {
        let mut hashes: Vec<IdentityHash> = Vec::with_capacity(entries.len());
        for hash in entries.iter().map(|(k, v)| hasher.hash(*k, v)) {
            if !hashes.contains(&hash) {
                hashes.push(hash);
            }
        }
        if hashes.is_empty() {
            leaked.unreadable += 1;
        } else {
            leaked.people.push(hashes);
        }
    };
    let row_of_list = |fields: &csv::StringRecord| -> Vec<(IdKind, String)> {
        fields.iter().flat_map(|cell| entries_of(cell, country)).collect()
    };
    if !table {
        // A list has no header: its first line is a person too.
        add(row_of_list(&header), &mut leaked);
    }
    while let Some(record) = file.next_record() {
        let Ok(record) = record else {
            leaked.unreadable += 1;
            continue;
        };
        let entries = if table {
            let found = crate::leads::parse::identifiers_in(header.iter().zip(record.fields.iter()), country);
            let mut entries: Vec<(IdKind, String)> =
                found.entries.into_iter().map(|(kind, value, _)| (kind, value)).collect();
            // Columns named in another language than the lead export's own.
            for (name, cell) in header.iter().zip(record.fields.iter()) {
                let name = name.to_lowercase();
                let phone_column =
                    ["telefon", "téléphone", "teléfono", "móvil", "handy", "cell"].iter().any(|k| name.contains(k));
                if phone_column && phone_shaped(cell.trim()) {
                    entries.extend(phone(cell.trim(), country));
                } else if (name.contains("courriel") || name.contains("mail")) && cell.contains('@') {
                    entries.extend(identity::normalise_email(cell).map(|e| (IdKind::Email, e)));
                }
            }
            entries
        } else {
            row_of_list(record.fields)
        };
        add(entries, &mut leaked);
    }
    Ok(leaked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::Sensitive;

    fn hasher() -> Hasher {
        Hasher::new(&Sensitive::new([7u8; 32]))
    }

    #[test]
    fn a_leaked_table_names_one_person_a_row_and_a_list_one_a_line() {
        let dir = std::env::temp_dir().join(format!("custodian-leaked-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let table = dir.join("leak.csv");
        std::fs::write(
            &table,
            "full_name,email,phone_number\nAnn,ann@example.com,+44 7911 123456\nBo,,\nCy,cy@example.com,\n",
        )
        .unwrap();
        let read_table = read(&table, &hasher(), Some("GB")).unwrap();
        assert_eq!(read_table.people.len(), 2);
        assert_eq!(read_table.unreadable, 1, "Bo's row names no one");
        let h = hasher();
        assert!(read_table.people[0].contains(&h.hash(IdKind::Email, "ann@example.com")));
        assert!(read_table.people[0].contains(&h.hash(IdKind::Phone, "+447911123456")));

        let list = dir.join("list.txt");
        std::fs::write(&list, "ann@example.com\n07911 123456\nnot an identifier\n2026-11-01\n").unwrap();
        let read_list = read(&list, &hasher(), Some("GB")).unwrap();
        assert_eq!(read_list.people.len(), 2, "the first line is a person, not a header");
        assert_eq!(read_list.unreadable, 2, "words and a day are no one");
        assert_eq!(read_list.people[1], [h.hash(IdKind::Phone, "+447911123456")], "one form of the number");
        // Without one country, a national number is kept by its digits, never placed twice.
        let unplaced = read(&list, &hasher(), None).unwrap();
        assert_eq!(unplaced.people[1], [h.hash(IdKind::PhoneDigits, "07911123456")]);

        let german = dir.join("leak-de.csv");
        std::fs::write(&german, "Name,E-Mail-Adresse,Telefonnummer\nAnn,ann@example.com,+49 151 12345678\n").unwrap();
        let read_german = read(&german, &hasher(), None).unwrap();
        assert_eq!(read_german.people[0].len(), 2, "{:?}", read_german.people);

        let unnamed = dir.join("unnamed.csv");
        std::fs::write(&unnamed, "a,b\n2026-11-01,12345678\n").unwrap();
        assert!(matches!(read(&unnamed, &hasher(), None), Err(BreachError::LeakedColumnsUnnamed)));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
