//! The people a leaked file names: a lead export (or any table with email or phone columns), each
//! row one person; or a plain list, each line one person's identifiers. Phones are read as a
//! request reads them, placed in each of the breach's clients' countries.

use std::path::Path;

use crate::identity::{self, Hasher, IdKind, IdentityHash};
use crate::leads::decode::{ExportFile, ReadError};

/// What a leaked file named.
#[derive(Debug, Default)]
pub struct Leaked {
    /// Each row's person, by the keyed hashes of their identifiers.
    pub people: Vec<Vec<IdentityHash>>,
    /// Rows that named no one by an email or phone, or could not be read.
    pub unreadable: i64,
}

/// Whether a header names a column of identifiers: then the file is a table, one person a row.
fn is_table(header: &csv::StringRecord) -> bool {
    header.iter().any(|h| {
        let h = h.to_ascii_lowercase();
        ["email", "e-mail", "phone", "mobile"].iter().any(|k| h.contains(k)) && !h.contains('@')
    })
}

/// One cell of a plain list: an email, or a phone in every form a search finds it by.
fn entries_of(cell: &str, countries: &[&str]) -> Vec<(IdKind, String)> {
    let cell = cell.trim();
    if cell.contains('@') {
        return identity::normalise_email(cell).map(|e| vec![(IdKind::Email, e)]).unwrap_or_default();
    }
    if cell.chars().filter(char::is_ascii_digit).count() < 6 {
        return Vec::new();
    }
    identity::phone_entries(cell, countries)
}

pub fn read(path: &Path, hasher: &Hasher, countries: &[&str]) -> Result<Leaked, ReadError> {
    let mut file = ExportFile::open_table(path, &[])?;
    let header = file.header.clone();
    let table = is_table(&header);
    let mut leaked = Leaked::default();
    let add = |entries: Vec<(IdKind, String)>, leaked: &mut Leaked| {
        let mut hashes: Vec<IdentityHash> = entries.iter().map(|(k, v)| hasher.hash(*k, v)).collect();
        hashes.dedup();
        if hashes.is_empty() {
            leaked.unreadable += 1;
        } else {
            leaked.people.push(hashes);
        }
    };
    let row_of_list = |fields: &csv::StringRecord| -> Vec<(IdKind, String)> {
        fields.iter().flat_map(|cell| entries_of(cell, countries)).collect()
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
            let found = crate::leads::parse::identifiers_in(
                header.iter().zip(record.fields.iter()),
                countries.first().copied(),
            );
            let mut entries: Vec<(IdKind, String)> = Vec::new();
            for (kind, value, raw) in found.entries {
                if matches!(kind, IdKind::Phone | IdKind::PhoneDigits) {
                    entries.extend(identity::phone_entries(raw, countries));
                } else {
                    entries.push((kind, value));
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
        let read_table = read(&table, &hasher(), &["GB"]).unwrap();
        assert_eq!(read_table.people.len(), 2);
        assert_eq!(read_table.unreadable, 1, "Bo's row names no one");
        let h = hasher();
        assert!(read_table.people[0].contains(&h.hash(IdKind::Email, "ann@example.com")));
        assert!(read_table.people[0].contains(&h.hash(IdKind::Phone, "+447911123456")));

        let list = dir.join("list.txt");
        std::fs::write(&list, "ann@example.com\n07911 123456\nnot an identifier\n").unwrap();
        let read_list = read(&list, &hasher(), &["GB"]).unwrap();
        assert_eq!(read_list.people.len(), 2, "the first line is a person, not a header");
        assert_eq!(read_list.unreadable, 1);
        assert!(read_list.people[1].contains(&h.hash(IdKind::Phone, "+447911123456")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
