//! Lists that name people by the keyed hashes of their identifiers only: who was erased (so their
//! data does not come back) and who restricted processing (so nothing is sent on about them).

use std::collections::{HashMap, HashSet};

use sqlx::SqliteConnection;

use super::IdKind;
use crate::identity::IdentityHash;

#[derive(Debug, Clone, Copy)]
pub enum PersonList {
    Suppressions,
    Restrictions,
}

impl PersonList {
    fn table(self) -> &'static str {
        match self {
            Self::Suppressions => "suppressions",
            Self::Restrictions => "restrictions",
        }
    }
}

/// Adds identifiers to `list` on behalf of request `request_id`; returns how many were new to it.
pub async fn add(
    conn: &mut SqliteConnection,
    list: PersonList,
    hashes: &[(IdKind, IdentityHash)],
    request_id: i64,
    at: &str,
) -> Result<i64, sqlx::Error> {
    // The table name comes from the enum above, never from input.
    let sql = format!(
        "INSERT INTO {} (hash, kind, request_id, added_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        list.table()
    );
    let mut added = 0;
    for (kind, hash) in hashes {
        added += sqlx::query(&sql)
            .bind(&hash[..])
            .bind(*kind as i64)
            .bind(request_id)
            .bind(at)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(added as i64)
}

/// Every hash on `list`, read on the SQLite handle directly (`store::direct`), for checking many
/// records against in memory.
pub fn all_now(conn: &rusqlite::Connection, list: PersonList) -> rusqlite::Result<HashSet<IdentityHash>> {
    // The table name comes from the enum above, never from input.
    let mut statement = conn.prepare_cached(&format!("SELECT hash FROM {}", list.table()))?;
    let hashes = statement.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
    let mut set = HashSet::new();
    for hash in hashes {
        if let Ok(hash) = IdentityHash::try_from(hash?.as_slice()) {
            set.insert(hash);
        }
    }
    Ok(set)
}

/// The people nothing is sent about to a third party (a CRM, Meta): those who restricted
/// processing or objected, and those erased; on the SQLite handle.
pub fn withheld_now(conn: &rusqlite::Connection) -> rusqlite::Result<HashSet<IdentityHash>> {
    let mut withheld = all_now(conn, PersonList::Restrictions)?;
    withheld.extend(all_now(conn, PersonList::Suppressions)?);
    Ok(withheld)
}

/// The people nothing is sent about, as last read, and the store's data version when they were:
/// read again only once another connection has committed since.
#[derive(Default)]
pub struct Withheld {
    pub version: Option<i64>,
    pub people: HashSet<IdentityHash>,
}

impl Withheld {
    /// The list read afresh at data version `now`, or `None` when the one held, read at
    /// `held_at`, is still current.
    pub fn read_if_changed(
        c: &rusqlite::Connection,
        held_at: Option<i64>,
        now: i64,
    ) -> rusqlite::Result<Option<HashSet<IdentityHash>>> {
        if held_at == Some(now) {
            Ok(None)
        } else {
            withheld_now(c).map(Some)
        }
    }

    /// `fresh` is the list read at `version`, or `None` when the one held was read at it.
    pub fn update(&mut self, version: i64, fresh: Option<HashSet<IdentityHash>>) {
        if let Some(people) = fresh {
            *self = Self { version: Some(version), people };
        }
    }
}

/// Whether the person of record `id`, by its people's hashes, is among `withheld`.
pub fn withholds(withheld: &HashSet<IdentityHash>, people: &HashMap<i64, Vec<IdentityHash>>, id: i64) -> bool {
    people.get(&id).is_some_and(|hashes| hashes.iter().any(|h| withheld.contains(h)))
}
