//! Breach records as a kind of personal data: each breach's list of the people it affected, kept
//! as keyed hashes, which a request finds and an erasure takes a person from; and the records
//! themselves, kept for their period after they are closed (open ones are never due).

use async_trait::async_trait;
use sqlx::{Row, SqliteConnection};

use crate::identity::{Hasher, IdKind, IdentityHash};
use crate::personal_data::{DataKind, Due, Erasing, HeldRecord, Holder, Removed, Scope};
use crate::store::StoreError;

/// Whether a breach (alias `b`) is on hold as of today (?9): a client it concerns is held, or a
/// person on its list is.
macro_rules! breach_held {
    () => {
        concat!(
            "(EXISTS (SELECT 1 FROM breach_clients AS bc WHERE bc.breach_id = b.id AND bc.client_id IN (",
            $crate::held_clients!(),
            ")) OR EXISTS (SELECT 1 FROM breach_people AS bp WHERE bp.breach_id = b.id AND bp.hash IN (",
            $crate::held_hashes!(),
            ")))"
        )
    };
}

const AGES: &str = concat!(
    "SELECT unixepoch(b.closed_at) AS t, ",
    breach_held!(),
    " AS held FROM breaches AS b WHERE b.closed_at IS NOT NULL"
);

/// Closed before ?2 (seconds since 1970).
const DUE: &str = "b.closed_at IS NOT NULL AND unixepoch(b.closed_at) < ?2";

pub struct BreachLists;

pub const BREACH_LISTS: BreachLists = BreachLists;

#[async_trait]
impl Holder for BreachLists {
    fn kind(&self) -> DataKind {
        DataKind::BreachLists
    }

    fn label(&self) -> &'static str {
        "breach records"
    }

    fn scope(&self) -> Scope {
        Scope::Workspace
    }

    fn identified_by(&self) -> &'static [IdKind] {
        &[IdKind::Email, IdKind::Phone, IdKind::PhoneDigits, IdKind::LeadId, IdKind::Psid, IdKind::WaId]
    }

    fn not_corrected(&self) -> Option<&'static str> {
        Some("a breach record lists the people it affected by keyed hashes only, never their details")
    }

    fn ages(&self) -> Option<&'static str> {
        Some(AGES)
    }

    async fn count(&self, conn: &mut SqliteConnection, _client_id: Option<&str>) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM breaches").fetch_one(conn).await?)
    }

    /// Each breach that lists the person, once per person it lists under these hashes.
    async fn find(
        &self,
        conn: &mut SqliteConnection,
        _hasher: &Hasher,
        hashes: &[IdentityHash],
    ) -> Result<Vec<HeldRecord>, StoreError> {
        let hashes: Vec<String> = hashes.iter().map(hex::encode).collect();
        let rows = sqlx::query(
            "SELECT DISTINCT p.breach_id, p.person, b.created_at, b.summary, b.assessed_at
             FROM breach_people AS p JOIN breaches AS b ON b.id = p.breach_id
             WHERE p.hash IN (SELECT unhex(j.value) FROM json_each(?1) AS j WHERE length(j.value) = 32)
             ORDER BY p.breach_id, p.person",
        )
        .bind(serde_json::to_string(&hashes).expect("hashes serialise"))
        .fetch_all(conn)
        .await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            let breach: i64 = row.try_get(0)?;
            let person: i64 = row.try_get(1)?;
            let assessed: Option<String> = row.try_get(4)?;
            found.push(HeldRecord {
                id: format!("{breach}:{person}"),
                client: None,
                source: format!("breach register, breach {breach}'s list of the people affected"),
                created: row.try_get(2)?,
                fields: vec![
                    ("breach".to_owned(), breach.to_string()),
                    ("breach summary".to_owned(), row.try_get(3)?),
                    ("listed as affected".to_owned(), assessed.unwrap_or_default()),
                ],
                fetched_at: None,
                identifiers: Vec::new(),
            });
        }
        Ok(found)
    }

    /// Takes the person, every hash of theirs, from each list; the breach's counts stay as stated.
    async fn erase(
        &self,
        conn: &mut SqliteConnection,
        records: &[HeldRecord],
        _erasing: &Erasing<'_>,
    ) -> Result<i64, StoreError> {
        let mut erased = 0;
        for record in records {
            let Some((breach, person)) = record.id.split_once(':') else { continue };
            let (Ok(breach), Ok(person)) = (breach.parse::<i64>(), person.parse::<i64>()) else { continue };
            let gone = sqlx::query("DELETE FROM breach_people WHERE breach_id = ?1 AND person = ?2")
                .bind(breach)
                .bind(person)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            erased += i64::from(gone > 0);
        }
        Ok(erased)
    }

    async fn purge(&self, conn: &mut SqliteConnection, due: &Due<'_>, delete: bool) -> Result<Removed, StoreError> {
        crate::personal_data::due_in_workspace(conn, "breaches AS b", DUE, breach_held!(), due, delete).await
    }
}
