//! A lead's entries in the identity index made again from its stored answers: after a correction,
//! when its client's country changes (national phones can then be placed), and once for every lead
//! when the rules of finding identifiers change (`identity_rules`). The lead's own hash columns
//! and its email and phone columns follow, so its triggers forget exactly what it holds.

use rusqlite::{params, Connection, OptionalExtension};

use super::parse::identifiers_in;
use crate::identity::{Hasher, IdKind};

/// The version of the rules `parse::identifiers_in` follows; see the `identity_rules` table.
pub const RULES: i64 = 2;

/// Leads indexed again per transaction: what a crash loses at most, and the unit of progress.
const CHUNK: i64 = 5_000;

/// Indexes one lead again. Returns false when there is no such lead.
pub fn reindex_lead(conn: &Connection, hasher: &Hasher, id: i64) -> rusqlite::Result<bool> {
    let stored = conn
        .prepare_cached(&format!(
            "SELECT l.meta_id, l.is_test, l.answers, k.keys, c.country, {}
             FROM leads AS l JOIN answer_keys AS k ON k.id = l.answer_keys JOIN clients AS c ON c.num = l.client_num
             WHERE l.id = ?1",
            super::person_hashes::listed("l.")
        ))?
        .query_row([id], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                [r.get::<_, Option<Vec<u8>>>(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?],
            ))
        })
        .optional()?;
    let Some((mut meta_id, is_test, answers, keys, country, old)) = stored else { return Ok(false) };
    let keys: Vec<String> = serde_json::from_str(&keys).unwrap_or_default();
    let values: Vec<String> = serde_json::from_str(&answers).unwrap_or_default();
    if meta_id.is_none() {
        // Older rules kept a `lead_id` column as an answer: it is Meta's lead id, which the lead is
        // keyed by from now on, so that the same lead under `id` is not stored twice.
        let lead_id = keys.iter().zip(&values).find(|(k, _)| k.eq_ignore_ascii_case("lead_id")).map(|(_, v)| v.trim());
        if let Some(meta) = lead_id
            .map(|v| v.strip_prefix("l:").unwrap_or(v))
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        {
            let keyed = conn
                .prepare_cached(
                    "UPDATE leads SET meta_id = ?2, lead_key = ?2 WHERE id = ?1 AND NOT EXISTS (
                    SELECT 1 FROM leads AS o WHERE o.client_num = leads.client_num AND o.lead_key = ?2)",
                )?
                .execute(params![id, meta])?;
            if keyed == 1 {
                meta_id = Some(meta.to_owned());
            }
        }
    }
    let found =
        identifiers_in(keys.iter().map(String::as_str).zip(values.iter().map(String::as_str)), country.as_deref());

    let mut entries: Vec<(IdKind, [u8; crate::identity::HASH_LEN])> = Vec::with_capacity(5);
    if let Some(meta) = meta_id.as_deref() {
        entries.push((IdKind::LeadId, hasher.hash(IdKind::LeadId, meta)));
    }
    if !is_test {
        entries.extend(found.entries.iter().map(|(kind, normalised, _)| (*kind, hasher.hash(*kind, normalised))));
    }
    let mut delete = conn.prepare_cached("DELETE FROM identities WHERE hash = ?1 AND lead_id = ?2")?;
    for hash in old.iter().flatten() {
        delete.execute(params![hash, id])?;
        // An entry still waiting in an import's run is skipped from now on, as when a lead goes.
        super::runs::drop_entry(conn, hash, id)?;
    }
    let mut insert =
        conn.prepare_cached("INSERT OR IGNORE INTO identities (hash, lead_id, kind) VALUES (?1, ?2, ?3)")?;
    for (kind, hash) in &entries {
        insert.execute(params![&hash[..], id, *kind as i64])?;
    }
    let column = |kinds: &[IdKind], nth: usize| {
        entries.iter().filter(|(k, _)| kinds.contains(k)).nth(nth).map(|(_, h)| h.to_vec())
    };
    // The columns show what the answers hold, as the import sets them; only the index leaves test leads out.
    let (email, phone) =
        (found.first(IdKind::Email), found.first(IdKind::Phone).or_else(|| found.first(IdKind::PhoneDigits)));
    let phones = [IdKind::Phone, IdKind::PhoneDigits];
    let hashes: Vec<String> =
        super::person_hashes::PERSON_HASHES.iter().zip(2..).map(|(c, n)| format!("{c} = ?{n}")).collect();
    conn.prepare_cached(&format!("UPDATE leads SET {}, email = ?7, phone = ?8 WHERE id = ?1", hashes.join(", ")))?
        .execute(params![
            id,
            column(&[IdKind::LeadId], 0),
            column(&[IdKind::Email], 0),
            column(&phones, 0),
            column(&[IdKind::Email], 1),
            column(&phones, 1),
            email.unwrap_or(""),
            phone.unwrap_or(""),
        ])?;
    Ok(true)
}

/// Whether the workspace's leads were indexed by older rules and wait to be indexed again.
pub fn pending(conn: &Connection) -> rusqlite::Result<bool> {
    let version: Option<i64> =
        conn.query_row("SELECT version FROM identity_rules WHERE one = 1", [], |r| r.get(0)).optional()?;
    Ok(version.is_some_and(|v| v < RULES))
}

/// Indexes again the leads of one client (`client_num`), or, with `None`, every lead left to do
/// under older rules, a transaction of `CHUNK` leads at a time; `progress` hears (done, total)
/// after each. A whole-workspace run that is interrupted goes on from where it stopped.
pub fn reindex_all(
    conn: &Connection,
    hasher: &Hasher,
    client_num: Option<i64>,
    progress: &dyn Fn(u64, u64),
) -> rusqlite::Result<u64> {
    let mut after: i64 = match client_num {
        Some(_) => 0,
        None => conn.query_row("SELECT done_through FROM identity_rules WHERE one = 1", [], |r| r.get(0))?,
    };
    let total: i64 = conn.query_row(
        "SELECT count(*) FROM leads WHERE id > ?1 AND (?2 IS NULL OR client_num = ?2)",
        params![after, client_num],
        |r| r.get(0),
    )?;
    let mut done = 0u64;
    loop {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let ids: Vec<i64> = conn
            .prepare_cached(
                "SELECT id FROM leads WHERE id > ?1 AND (?2 IS NULL OR client_num = ?2) ORDER BY id LIMIT ?3",
            )?
            .query_map(params![after, client_num, CHUNK], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in &ids {
            reindex_lead(conn, hasher, *id)?;
        }
        let finished = (ids.len() as i64) < CHUNK;
        if let Some(last) = ids.last() {
            after = *last;
        }
        if client_num.is_none() {
            if finished {
                conn.execute("UPDATE identity_rules SET version = ?1, done_through = 0 WHERE one = 1", [RULES])?;
            } else {
                conn.execute("UPDATE identity_rules SET done_through = ?1 WHERE one = 1", [after])?;
            }
        }
        conn.execute_batch("COMMIT")?;
        done += ids.len() as u64;
        progress(done, total as u64);
        if finished {
            return Ok(done);
        }
    }
}
