//! Leads as a holder of personal data, for data-subject requests: found through the identity index.

use sqlx::SqliteConnection;

use super::parse::{search_body, META_COLUMNS};
use super::query;
use crate::identity::{Hasher, IdentityHash};
use crate::requests::discovery::{Correction, Erasing, Finding, HeldRecord, Holder, Rectifying};
use crate::requests::{IdKind, Identifier};

pub const LEADS: Holder = Holder {
    kind: "leads",
    label: "leads",
    identified_by: &[IdKind::Email, IdKind::Phone, IdKind::LeadId],
    find,
    erase,
    rectify,
};

/// Deletes the leads; their triggers take their search words and identifiers with them, secure
/// deletion overwrites what they occupied, and the search parts they were in are rewritten without
/// their words.
fn erase<'a>(conn: &'a mut SqliteConnection, records: &'a [HeldRecord]) -> Erasing<'a> {
    Box::pin(async move {
        let mut deleted = 0;
        for record in records {
            let Ok(id) = record.id.parse::<i64>() else { continue };
            deleted +=
                sqlx::query("DELETE FROM leads WHERE id = ?1").bind(id).execute(&mut *conn).await?.rows_affected();
        }
        if deleted > 0 {
            super::words::drop_forgotten(conn).await?;
        }
        Ok(deleted as i64)
    })
}

fn find<'a>(conn: &'a mut SqliteConnection, hasher: &'a Hasher, hashes: &'a [IdentityHash]) -> Finding<'a> {
    Box::pin(async move {
        let mut ids = Vec::new();
        for hash in hashes {
            ids.extend(query::by_identity(&mut *conn, hash).await?);
        }
        ids.sort_unstable();
        ids.dedup();
        let mut records = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(lead) = query::detail(&mut *conn, id).await? else { continue };
            let (email, phone, country): (String, String, Option<String>) = sqlx::query_as(
                "SELECT l.email, l.phone, c.country FROM leads AS l JOIN clients AS c ON c.num = l.client_num
                 WHERE l.id = ?1",
            )
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
            let given = [
                (IdKind::Email, email),
                (IdKind::Phone, phone),
                (IdKind::LeadId, lead.meta_id.clone().unwrap_or_default()),
            ];
            let identifiers = given
                .into_iter()
                .filter_map(|(kind, value)| {
                    let hash = hasher.identify(kind.index_kind(), &value, country.as_deref())?;
                    Some((Identifier { kind, value }, hash))
                })
                .collect();
            let mut fields: Vec<(String, String)> =
                META_COLUMNS.iter().map(|c| (*c).to_owned()).zip(lead.meta_values()).collect();
            fields.extend(lead.answers.iter().cloned());
            records.push(HeldRecord {
                id: lead.id.to_string(),
                client: Some(lead.client.clone()),
                source: format!("{}, line {}, imported {}", lead.source_file, lead.source_line, lead.imported_at),
                created: Some(lead.created_time.clone()),
                fields,
                identifiers,
            });
        }
        Ok(records)
    })
}

/// Answer keys whose value is also kept in its own column, and the identifier it is. The full
/// name is made anew from the answers after every correction.
const IDENTIFYING: [(&str, &str, Option<IdKind>); 3] = [
    ("email", "email", Some(IdKind::Email)),
    ("phone_number", "phone", Some(IdKind::Phone)),
    ("phone", "phone", Some(IdKind::Phone)),
];

/// A lead's answers, its answer keys, its client's country, and its email and phone hashes.
type Stored = (String, String, Option<String>, Option<Vec<u8>>, Option<Vec<u8>>);

/// Rewrites the answer on each lead that has it, and everything derived from the answers with it:
/// the email, phone and full-name columns (a corrected first or last name makes the full name
/// anew), the content hash, the search words and, for an email or phone, its identity-index entry.
/// The lead is marked corrected: an import of the old export never overwrites it, so the old value
/// does not come back.
fn rectify<'a>(
    conn: &'a mut SqliteConnection,
    hasher: &'a Hasher,
    records: &'a [HeldRecord],
    correction: &'a Correction,
) -> Rectifying<'a> {
    Box::pin(async move {
        let column = IDENTIFYING.iter().find(|(key, _, _)| *key == correction.field);
        let mut changed = 0;
        for record in records {
            let Ok(id) = record.id.parse::<i64>() else { continue };
            let (answers, keys, country, email_hash, phone_hash): Stored = sqlx::query_as(
                "SELECT l.answers, k.keys, c.country, l.email_hash, l.phone_hash FROM leads AS l
                 JOIN answer_keys AS k ON k.id = l.answer_keys JOIN clients AS c ON c.num = l.client_num
                 WHERE l.id = ?1",
            )
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
            let keys: Vec<String> = serde_json::from_str(&keys).unwrap_or_default();
            let mut values: Vec<String> = serde_json::from_str(&answers).unwrap_or_default();
            let Some(at) = keys.iter().position(|k| *k == correction.field) else { continue };
            if values.get(at) == Some(&correction.value) {
                continue;
            }
            if let Some(slot) = values.get_mut(at) {
                slot.clone_from(&correction.value);
            }
            let answers = serde_json::to_string(&values).expect("strings serialise");
            sqlx::query("UPDATE leads SET answers = ?2 WHERE id = ?1")
                .bind(id)
                .bind(&answers)
                .execute(&mut *conn)
                .await?;
            if let Some((_, column, identifier)) = column {
                // Column names come from the constant above, never from input.
                sqlx::query(&format!("UPDATE leads SET {column} = ?2 WHERE id = ?1"))
                    .bind(id)
                    .bind(&correction.value)
                    .execute(&mut *conn)
                    .await?;
                if let Some(kind) = identifier {
                    let Some(new) = hasher.identify(kind.index_kind(), &correction.value, country.as_deref()) else {
                        return Ok(Err(format!("'{}' is not a usable {}.", correction.value, kind.label())));
                    };
                    let (old, hash_column) =
                        if *kind == IdKind::Email { (email_hash, "email_hash") } else { (phone_hash, "phone_hash") };
                    if let Some(old) = old {
                        sqlx::query("DELETE FROM identities WHERE hash = ?1 AND lead_id = ?2")
                            .bind(old)
                            .bind(id)
                            .execute(&mut *conn)
                            .await?;
                    }
                    sqlx::query(
                        "INSERT INTO identities (hash, lead_id, kind) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                    )
                    .bind(&new[..])
                    .bind(id)
                    .bind(kind.index_kind() as i64)
                    .execute(&mut *conn)
                    .await?;
                    sqlx::query(&format!("UPDATE leads SET {hash_column} = ?2 WHERE id = ?1"))
                        .bind(id)
                        .bind(&new[..])
                        .execute(&mut *conn)
                        .await?;
                }
            }
            let answer = |key: &str| keys.iter().position(|k| k == key).and_then(|i| values.get(i));
            let full_name = match answer("full_name").filter(|v| !v.is_empty()) {
                Some(full) => full.clone(),
                None => {
                    let part = |key| answer(key).map_or("", String::as_str);
                    format!("{} {}", part("first_name"), part("last_name")).trim().to_owned()
                }
            };
            sqlx::query("UPDATE leads SET full_name = ?2, content_hash = ?3, corrected = 1 WHERE id = ?1")
                .bind(id)
                .bind(full_name)
                .bind(super::parse::content_hash(values.iter().map(String::as_str)))
                .execute(&mut *conn)
                .await?;
            super::words::replace(conn, id, &search_body(values.iter().map(String::as_str))).await?;
            changed += 1;
        }
        if changed > 0 {
            super::words::drop_forgotten(conn).await?;
        }
        Ok(Ok(changed))
    })
}
