//! Who a breach affects: the people and records of the chosen clients, kinds and window, through
//! each kind's holder, and the people a leaked file names. A person is counted once however many
//! records and identifiers name them: identifiers found together on one record are one person,
//! and two records sharing an identifier are the same person's.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sqlx::{Row, SqliteConnection};
use ts_rs::TS;

use crate::identity::IdentityHash;
use crate::personal_data::{registry, DataKind, Holder};

/// The records of one kind a breach concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KindCount {
    pub kind: DataKind,
    pub label: String,
    #[ts(type = "number")]
    pub records: i64,
}

/// A kind, with its records in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KindName {
    pub kind: DataKind,
    pub label: String,
}

/// What an assessment counted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct Counted {
    pub kinds: Vec<KindCount>,
    /// Kinds chosen whose records a breach here cannot be counted for: kept elsewhere, or not a
    /// client's people (copies in a CRM, the audit trail).
    pub not_counted: Vec<KindName>,
    /// Rows of a leaked file or list that named someone, and those that named no one readable.
    #[ts(type = "number")]
    pub leaked_rows: i64,
    /// Of those, rows naming someone none of the records counted holds: records beyond them.
    #[ts(type = "number")]
    pub leaked_beyond: i64,
    /// Rows naming someone erased since, left out: their erasure stands.
    #[ts(type = "number")]
    pub leaked_erased: i64,
    #[ts(type = "number")]
    pub leaked_unreadable: i64,
}

/// The people found, joined as records and identifiers link them.
#[derive(Default)]
pub struct People {
    /// Each hash's place; a place's parent, up to the place that stands for its person.
    places: HashMap<IdentityHash, u32>,
    parent: Vec<u32>,
    /// Records that named no one by an identifier: each is a person of its own.
    anonymous: i64,
}

impl People {
    /// Whether a hash is among those found so far.
    pub fn holds(&self, hash: &IdentityHash) -> bool {
        self.places.contains_key(hash)
    }

    fn place(&mut self, hash: IdentityHash) -> u32 {
        let next = self.parent.len() as u32;
        let place = *self.places.entry(hash).or_insert(next);
        if place == next {
            self.parent.push(next);
        }
        place
    }

    fn root(&mut self, mut place: u32) -> u32 {
        while self.parent[place as usize] != place {
            let grand = self.parent[self.parent[place as usize] as usize];
            self.parent[place as usize] = grand;
            place = grand;
        }
        place
    }

    fn join(&mut self, a: u32, b: u32) {
        let (a, b) = (self.root(a), self.root(b));
        if a != b {
            self.parent[a.max(b) as usize] = a.min(b);
        }
    }

    /// One person (or record) named by these hashes together.
    pub fn add(&mut self, hashes: &[IdentityHash]) {
        let Some((first, rest)) = hashes.split_first() else {
            self.anonymous += 1;
            return;
        };
        let first = self.place(*first);
        for hash in rest {
            let other = self.place(*hash);
            self.join(first, other);
        }
    }

    /// How many people.
    pub fn count(&mut self) -> i64 {
        let roots = (0..self.parent.len() as u32).filter(|&p| self.root(p) == p).count();
        roots as i64 + self.anonymous
    }

    /// Each person's hashes, numbered from 0.
    pub fn groups(mut self) -> Vec<(u32, IdentityHash)> {
        let places: Vec<(IdentityHash, u32)> = std::mem::take(&mut self.places).into_iter().collect();
        let mut numbers: HashMap<u32, u32> = HashMap::new();
        let mut out = Vec::with_capacity(places.len());
        for (hash, place) in places {
            let root = self.root(place);
            let next = numbers.len() as u32;
            let person = *numbers.entry(root).or_insert(next);
            out.push((person, hash));
        }
        out
    }
}

/// The window of data concerned, seconds since 1970: from `since` up to, not including, `until`.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub since: i64,
    pub until: i64,
}

impl Window {
    pub const ALL: Window = Window { since: i64::MIN, until: i64::MAX };
}

/// Adds the records of `holder` for the client whose id is `client_id` in `window` to `people`;
/// returns how many records, or `None` for a kind a breach here is not counted for.
pub async fn count_kind(
    conn: &mut SqliteConnection,
    holder: &dyn Holder,
    client_id: &str,
    window: Window,
    people: &mut People,
) -> Result<Option<i64>, sqlx::Error> {
    let Some(sql) = holder.exposed() else { return Ok(None) };
    use futures_util::TryStreamExt;
    // A record's hashes come as rows of their own: the first place each record was seen at joins
    // the rest. Memory grows with the people, not with the rows.
    let mut named: HashMap<i64, bool> = HashMap::new();
    let mut first_of: HashMap<(i64, Vec<u8>), u32> = HashMap::new();
    let mut rows = sqlx::query(sql).bind(client_id).bind(window.since).bind(window.until).fetch(&mut *conn);
    while let Some(row) = rows.try_next().await? {
        let record: i64 = row.try_get(0)?;
        // Whose hash it is within the record: an integer or the hash itself, as bytes either way.
        let person: Vec<u8> = match row.try_get::<Option<Vec<u8>>, _>(1) {
            Ok(bytes) => bytes.unwrap_or_default(),
            Err(_) => row.try_get::<i64, _>(1)?.to_le_bytes().to_vec(),
        };
        let hash: Option<Vec<u8>> = row.try_get(2)?;
        let place = hash.and_then(|h| IdentityHash::try_from(h.as_slice()).ok()).map(|h| people.place(h));
        let seen = named.entry(record).or_insert(false);
        let Some(place) = place else { continue };
        *seen = true;
        match first_of.get(&(record, person.clone())) {
            Some(&first) => people.join(first, place),
            None => {
                first_of.insert((record, person), place);
            }
        }
    }
    drop(rows);
    people.anonymous += named.values().filter(|n| !**n).count() as i64;
    Ok(Some(named.len() as i64))
}

/// The kinds an assessment looks at: those chosen, or every kind a breach here can be counted for.
pub fn kinds_of(chosen: &[DataKind]) -> Vec<&'static dyn Holder> {
    if chosen.is_empty() {
        registry::HOLDERS.iter().copied().filter(|h| h.exposed().is_some()).collect()
    } else {
        registry::HOLDERS.iter().copied().filter(|h| chosen.contains(&h.kind())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(n: u8) -> IdentityHash {
        [n; 16]
    }

    #[test]
    fn identifiers_found_together_are_one_person_and_records_sharing_one_are_the_same_person() {
        let mut people = People::default();
        people.add(&[h(1), h(2)]); // email and phone of one lead
        people.add(&[h(2), h(3)]); // the same phone with another email
        people.add(&[h(4)]);
        people.add(&[]); // a record naming no one
        assert_eq!(people.count(), 3);
        let groups = people.groups();
        let person_of = |n: u8| groups.iter().find(|(_, hash)| *hash == h(n)).map(|(p, _)| *p);
        assert_eq!(person_of(1), person_of(3));
        assert_ne!(person_of(1), person_of(4));
        assert_eq!(groups.len(), 4);
    }
}
