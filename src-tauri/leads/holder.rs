//! Leads as a kind of personal data: found through the identity index, aged by when Meta created
//! them, kept per client.

use std::sync::LazyLock;

use async_trait::async_trait;
use sqlx::SqliteConnection;

use super::parse::{identifiers_in, search_body, META_COLUMNS};
use super::query;
use crate::identity::{Hasher, IdKind, Identifier, IdentityHash};
use crate::personal_data::{Correction, DataKind, Due, Erasing, HeldRecord, Holder, Removed, Scope};
use crate::store::{self, StoreError};

pub struct Leads;

pub const LEADS: Leads = Leads;

/// A client's (?1) leads created from ?2 up to ?3, one row per lead and hash column: a lead is one
/// person's.
static EXPOSED: LazyLock<String> = LazyLock::new(|| {
    super::person_hashes::each(" UNION ALL ", |c| {
        format!(
            "SELECT id AS record, 0 AS person, {c} AS hash FROM leads
             WHERE client_num = (SELECT num FROM clients WHERE id = ?1) AND created_unix >= ?2 AND created_unix < ?3"
        )
    })
});

/// Through the leads' own identifier columns rather than the index: an import fills them at once,
/// while its index entries may still wait in runs.
static PEOPLE_OF_CLIENT: LazyLock<String> = LazyLock::new(|| {
    super::person_hashes::each(" UNION ALL ", |c| {
        format!("SELECT {c} FROM leads WHERE client_num = (SELECT num FROM clients WHERE id = ?1)")
    })
});

#[async_trait]
impl Holder for Leads {
    fn kind(&self) -> DataKind {
        DataKind::Leads
    }

    fn label(&self) -> &'static str {
        "leads"
    }

    fn scope(&self) -> Scope {
        Scope::Client
    }

    fn identified_by(&self) -> &'static [IdKind] {
        // A CRM record's id finds the lead it was made from.
        &[IdKind::Email, IdKind::Phone, IdKind::LeadId, IdKind::CrmRecord]
    }

    fn ages(&self) -> Option<&'static str> {
        Some(super::due::AGES.as_str())
    }

    fn people_of_client(&self) -> Option<&'static str> {
        Some(PEOPLE_OF_CLIENT.as_str())
    }

    fn exposed(&self) -> Option<&'static str> {
        Some(EXPOSED.as_str())
    }

    async fn count(&self, conn: &mut SqliteConnection, client_id: Option<&str>) -> Result<i64, StoreError> {
        // Two statements rather than one with `?1 IS NULL OR …`, which would keep SQLite from the
        // client's index and read every lead.
        let count = match client_id {
            Some(id) => {
                sqlx::query_scalar(
                    "SELECT count(*) FROM leads WHERE client_num = (SELECT num FROM clients WHERE id = ?1)",
                )
                .bind(id)
                .fetch_one(conn)
                .await?
            }
            None => sqlx::query_scalar("SELECT count(*) FROM leads").fetch_one(conn).await?,
        };
        Ok(count)
    }

    async fn find(
        &self,
        conn: &mut SqliteConnection,
        hasher: &Hasher,
        hashes: &[IdentityHash],
    ) -> Result<Vec<HeldRecord>, StoreError> {
        find(conn, hasher, hashes).await
    }

    /// Deletes the leads; their triggers take their search words and identifiers with them, secure
    /// deletion overwrites what they occupied, and the search parts they were in are rewritten
    /// without their words.
    async fn erase(
        &self,
        conn: &mut SqliteConnection,
        records: &[HeldRecord],
        _erasing: &Erasing<'_>,
    ) -> Result<i64, StoreError> {
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
    }

    async fn rectify(
        &self,
        conn: &mut SqliteConnection,
        hasher: &Hasher,
        records: &[HeldRecord],
        correction: &Correction,
    ) -> Result<Result<i64, String>, StoreError> {
        rectify(conn, hasher, records, correction).await
    }

    async fn purge(&self, conn: &mut SqliteConnection, due: &Due<'_>, delete: bool) -> Result<Removed, StoreError> {
        let Some(client_id) = due.client_id else { return Ok(Removed::default()) };
        let selection = super::forget::Selection::Due {
            client_id,
            before: due.expiry,
            today: due.today,
            holds_apply: due.holds_apply,
        };
        let count = if delete {
            super::forget::remove(conn, selection).await? as i64
        } else {
            super::forget::count(conn, selection).await?
        };
        Ok(Removed { count, anchor: None })
    }

    async fn remove_client(&self, conn: &mut SqliteConnection, client_id: &str) -> Result<(), StoreError> {
        super::forget::remove(conn, super::forget::Selection::Client(client_id)).await?;
        Ok(())
    }

    async fn settle_removals(&self, conn: &mut SqliteConnection) -> Result<(), StoreError> {
        Ok(super::words::drop_forgotten(conn).await?)
    }
}

/// Why a corrected email or phone answer cannot be taken: the identity index must keep finding
/// the person by it.
fn unusable(field: &str, value: &str, country: Option<&str>) -> Option<String> {
    let key = field.to_ascii_lowercase();
    let usable = if key.contains("phone") || key.contains("mobile") {
        crate::identity::stored_phone(value, country).is_some()
    } else if key.contains("email") {
        crate::identity::normalise_email(value).is_some()
    } else {
        true
    };
    (!usable && !value.trim().is_empty())
        .then(|| format!("'{value}' is not a usable {}.", if key.contains("email") { "email" } else { "phone number" }))
}

async fn find(
    conn: &mut SqliteConnection,
    hasher: &Hasher,
    hashes: &[IdentityHash],
) -> Result<Vec<HeldRecord>, StoreError> {
    {
        let mut ids = query::by_identities(&mut *conn, hashes).await?;
        // A CRM record's id names the lead it was made from.
        for id in crate::crm::records::leads_named(&mut *conn, hashes).await? {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids.sort_unstable();
        let mut records = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(lead) = query::detail(&mut *conn, id).await? else { continue };
            let country: Option<String> = sqlx::query_scalar(
                "SELECT c.country FROM leads AS l JOIN clients AS c ON c.num = l.client_num WHERE l.id = ?1",
            )
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
            let answers = lead.answers.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            let found = identifiers_in(answers, country.as_deref());
            let mut identifiers: Vec<(Identifier, IdentityHash)> = found
                .entries
                .iter()
                .map(|(kind, normalised, raw)| {
                    (Identifier { kind: *kind, value: (*raw).to_owned() }, hasher.hash(*kind, normalised))
                })
                .collect();
            // A phone is also named the other ways a request or another record may hold it: by the
            // digits as written and as its country writes it nationally.
            let phones: Vec<&str> =
                found.entries.iter().filter(|(k, _, _)| *k == IdKind::Phone).map(|(_, _, raw)| *raw).collect();
            for raw in phones {
                let countries: Vec<&str> = country.as_deref().into_iter().collect();
                for (kind, normalised) in crate::identity::phone_entries(raw, &countries) {
                    let hash = hasher.hash(kind, &normalised);
                    if !identifiers.iter().any(|(_, h)| *h == hash) {
                        identifiers.push((Identifier { kind, value: raw.to_owned() }, hash));
                    }
                }
            }
            if let Some(meta) = lead.meta_id.as_deref() {
                let hash = hasher.hash(IdKind::LeadId, meta);
                identifiers.push((Identifier { kind: IdKind::LeadId, value: meta.to_owned() }, hash));
            }
            let mut fields: Vec<(String, String)> =
                META_COLUMNS.iter().map(|c| (*c).to_owned()).zip(lead.meta_values().map(str::to_owned)).collect();
            fields.extend(lead.answers.iter().cloned());
            records.push(HeldRecord {
                id: lead.id.to_string(),
                client: Some(lead.client.clone()),
                source: format!("{}, line {}, imported {}", lead.source_file, lead.source_line, lead.imported_at),
                created: Some(lead.created_time.clone()),
                fields,
                identifiers,
                fetched_at: None,
            });
        }
        Ok(records)
    }
}

/// A lead's answers, its answer keys and its client's country.
type Stored = (String, String, Option<String>);

/// Rewrites the answer on each lead that has it, and everything derived from the answers with it:
/// the full name (a corrected first or last name makes it anew), the content hash, the search
/// words, and the identity-index entries with the lead's email and phone columns. The lead is
/// marked corrected: an import of the old export never overwrites it, so the old value does not
/// come back.
async fn rectify(
    conn: &mut SqliteConnection,
    hasher: &Hasher,
    records: &[HeldRecord],
    correction: &Correction,
) -> Result<Result<i64, String>, StoreError> {
    {
        let mut changed = 0;
        for record in records {
            let Ok(id) = record.id.parse::<i64>() else { continue };
            let (answers, keys, country): Stored = sqlx::query_as(
                "SELECT l.answers, k.keys, c.country FROM leads AS l
                 JOIN answer_keys AS k ON k.id = l.answer_keys JOIN clients AS c ON c.num = l.client_num
                 WHERE l.id = ?1",
            )
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
            let keys: Vec<String> = serde_json::from_str(&keys).unwrap_or_default();
            let mut values: Vec<String> = serde_json::from_str(&answers).unwrap_or_default();
            // A file may name a question twice: every answer to it is corrected.
            let at: Vec<usize> =
                keys.iter().enumerate().filter(|(_, k)| **k == correction.field).map(|(i, _)| i).collect();
            if at.iter().all(|i| values.get(*i) == Some(&correction.value)) {
                continue;
            }
            if let Some(why) = unusable(&correction.field, &correction.value, country.as_deref()) {
                return Ok(Err(why));
            }
            for i in at {
                if let Some(slot) = values.get_mut(i) {
                    slot.clone_from(&correction.value);
                }
            }
            let answers = serde_json::to_string(&values).expect("strings serialise");
            sqlx::query("UPDATE leads SET answers = ?2 WHERE id = ?1")
                .bind(id)
                .bind(&answers)
                .execute(&mut *conn)
                .await?;
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
            store::direct(&mut *conn, |c| super::identifiers::reindex_lead(c, hasher, id)).await??;
            super::words::replace(conn, id, &search_body(values.iter().map(String::as_str))).await?;
            changed += 1;
        }
        if changed > 0 {
            super::words::drop_forgotten(conn).await?;
        }
        Ok(Ok(changed))
    }
}
