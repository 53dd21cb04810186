//! A person's records in the clients' CRMs, as a kind of personal data. Custodian keeps, per lead
//! and CRM connection, the record's id there and a hash of what it last sent; through them a
//! request finds the person's CRM records (read live from the CRM), an erasure deletes them there
//! by remote steps taken after the local erasure, and a correction is sent again by the next push.
//! What is kept here goes with the lead, and with the person.

use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::{SqliteConnection, SqlitePool};

use super::client::{CrmError, Pacing};
use super::connections;
use crate::identity::{Hasher, IdKind, IdentityHash};
use crate::personal_data::{Correction, DataKind, DeletedElsewhere, Erasing, HeldRecord, Holder, Scope};
use crate::requests::remote::{self, PendingStep, RemoteAnswer};
use crate::store::StoreError;

pub struct CrmRecords;

pub const CRM_RECORDS: CrmRecords = CrmRecords;

/// The remote step that deletes a record in a CRM.
const DELETE_RECORD: &str = "delete_record";

/// The remote step that sends a corrected record to the CRM again.
const CORRECT_RECORD: &str = "correct_record";

/// The leads sent to connection `connection_id` as its record `remote_id`, newest first.
pub async fn sent_as(pool: &SqlitePool, connection_id: &str, remote_id: &str) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT lead_id FROM crm_records WHERE connection_id = ?1 AND remote_id = ?2 ORDER BY lead_id DESC",
    )
    .bind(connection_id)
    .bind(remote_id)
    .fetch_all(pool)
    .await
}

/// The records of connection `connection_id`, as (lead id, remote id, when it was last pushed),
/// a page at a time in the order of the leads from after `after_lead`.
pub async fn of_connection(
    pool: &SqlitePool,
    connection_id: &str,
    after_lead: i64,
    limit: i64,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT lead_id, remote_id, pushed_at FROM crm_records WHERE connection_id = ?1 AND lead_id > ?2
         ORDER BY lead_id LIMIT ?3",
    )
    .bind(connection_id)
    .bind(after_lead)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Which of these (lead id, remote id) pairs connection `connection_id` still keeps: a record
/// erased, or a lead pushed again to another record, since they were read is not among them.
pub async fn still_kept(
    conn: &mut SqliteConnection,
    connection_id: &str,
    pairs: &[(i64, &str)],
) -> Result<std::collections::HashSet<i64>, sqlx::Error> {
    let pairs: Vec<serde_json::Value> = pairs.iter().map(|(lead, remote)| serde_json::json!([lead, remote])).collect();
    sqlx::query_scalar(
        "SELECT r.lead_id FROM crm_records AS r JOIN json_each(?2) AS j
             ON r.lead_id = j.value ->> 0 AND r.remote_id = j.value ->> 1
         WHERE r.connection_id = ?1",
    )
    .bind(connection_id)
    .bind(serde_json::Value::Array(pairs).to_string())
    .fetch_all(conn)
    .await
    .map(|ids: Vec<i64>| ids.into_iter().collect())
}

/// Notes the fields last sent for record `remote_id`, once the CRM has them.
pub async fn sent_again(
    pool: &SqlitePool,
    connection_id: &str,
    remote_id: &str,
    hash: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE crm_records SET payload_hash = ?3 WHERE connection_id = ?1 AND remote_id = ?2")
        .bind(connection_id)
        .bind(remote_id)
        .bind(hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// What is known of a lead's record in one CRM.
#[derive(Debug, Clone)]
pub struct Known {
    pub remote_id: String,
    /// `None` once the lead changed here: it is sent again.
    pub payload_hash: Option<Vec<u8>>,
}

/// The records known in connection `connection_id` for the leads with ids from `first` to `last`,
/// by lead id, on the SQLite handle: a push asks once for each chunk of leads it reads in id order.
pub fn known_now(
    c: &rusqlite::Connection,
    connection_id: &str,
    first: i64,
    last: i64,
) -> rusqlite::Result<HashMap<i64, Known>> {
    let mut statement = c.prepare_cached(
        "SELECT lead_id, remote_id, payload_hash FROM crm_records
         WHERE connection_id = ?1 AND lead_id BETWEEN ?2 AND ?3",
    )?;
    let rows = statement.query_map(rusqlite::params![connection_id, first, last], |r| {
        Ok((r.get::<_, i64>(0)?, Known { remote_id: r.get(1)?, payload_hash: r.get(2)? }))
    })?;
    rows.collect()
}

/// The leads whose CRM records have one of these keyed hashes for their id: a request naming a
/// CRM record finds the lead it was made from.
pub async fn leads_named(conn: &mut SqliteConnection, hashes: &[IdentityHash]) -> Result<Vec<i64>, sqlx::Error> {
    let hashes: Vec<String> = hashes.iter().map(hex::encode).collect();
    sqlx::query_scalar(
        "SELECT DISTINCT lead_id FROM crm_records WHERE remote_hash IN (SELECT unhex(value) FROM json_each(?1))",
    )
    .bind(serde_json::to_string(&hashes).expect("hashes serialise"))
    .fetch_all(conn)
    .await
}

/// What one lead became in a CRM, to keep.
#[derive(Clone)]
pub struct Kept<'a> {
    pub lead_id: i64,
    pub remote_id: &'a str,
    pub remote_hash: IdentityHash,
    pub payload_hash: &'a [u8],
}

/// Keeps what leads became in a CRM, on the SQLite handle inside the caller's write transaction.
/// The leads must still be held (the caller checks, in the same transaction: one erased or purged
/// while it was being sent is not kept); a connection removed meanwhile keeps nothing.
pub fn keep_now(c: &rusqlite::Connection, connection_id: &str, kept: &[Kept<'_>], at: &str) -> rusqlite::Result<()> {
    // The write transaction holds the lock, so the connection checked once is there for every row.
    let mut connected = c.prepare_cached("SELECT 1 FROM crm_connections WHERE id = ?1")?;
    if kept.is_empty() || !connected.exists([connection_id])? {
        return Ok(());
    }
    // A prepared statement a row: one statement over the batch as JSON cost more to build and to
    // read, and as one statement writing many rows it made SQLite keep a statement journal.
    let mut upsert = c.prepare_cached(
        "INSERT INTO crm_records (connection_id, lead_id, remote_id, remote_hash, payload_hash, pushed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (connection_id, lead_id) DO UPDATE
         SET remote_id = excluded.remote_id, remote_hash = excluded.remote_hash,
             payload_hash = excluded.payload_hash, pushed_at = excluded.pushed_at",
    )?;
    for k in kept {
        upsert.execute(rusqlite::params![
            connection_id,
            k.lead_id,
            k.remote_id,
            &k.remote_hash[..],
            k.payload_hash,
            at
        ])?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct FoundRow {
    connection_id: String,
    crm: String,
    client: Option<String>,
    remote_id: String,
    pushed_at: String,
}

fn field<'a>(record: &'a HeldRecord, name: &str) -> Option<&'a str> {
    record.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[async_trait]
impl Holder for CrmRecords {
    fn kind(&self) -> DataKind {
        DataKind::CrmRecords
    }

    fn label(&self) -> &'static str {
        "CRM records"
    }

    fn scope(&self) -> Scope {
        Scope::Client
    }

    fn identified_by(&self) -> &'static [IdKind] {
        &[IdKind::Email, IdKind::Phone, IdKind::LeadId, IdKind::CrmRecord]
    }

    /// The records Custodian made or updated in the client's CRMs.
    async fn count(&self, conn: &mut SqliteConnection, client_id: Option<&str>) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT count(DISTINCT r.connection_id || '/' || r.remote_id) FROM crm_records AS r
             JOIN crm_connections AS k ON k.id = r.connection_id WHERE ?1 IS NULL OR k.client_id = ?1",
        )
        .bind(client_id)
        .fetch_one(conn)
        .await?)
    }

    async fn find(
        &self,
        conn: &mut SqliteConnection,
        _hasher: &Hasher,
        hashes: &[IdentityHash],
    ) -> Result<Vec<HeldRecord>, StoreError> {
        let leads = crate::leads::query::by_identities(&mut *conn, hashes).await?;
        let hashes: Vec<String> = hashes.iter().map(hex::encode).collect();
        let rows: Vec<FoundRow> = sqlx::query_as(
            "SELECT r.connection_id, k.crm, c.name AS client, r.remote_id, max(r.pushed_at) AS pushed_at
             FROM crm_records AS r JOIN crm_connections AS k ON k.id = r.connection_id
             LEFT JOIN clients AS c ON c.id = k.client_id
             WHERE r.lead_id IN (SELECT value FROM json_each(?1))
                OR r.remote_hash IN (SELECT unhex(value) FROM json_each(?2))
             GROUP BY r.connection_id, r.remote_id ORDER BY k.crm, r.remote_id",
        )
        .bind(serde_json::to_string(&leads).expect("ids serialise"))
        .bind(serde_json::to_string(&hashes).expect("hashes serialise"))
        .fetch_all(&mut *conn)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let crm = super::Crm::parse(&r.crm).map(super::Crm::label).unwrap_or("a CRM");
                HeldRecord {
                    id: format!("{}/{}", r.connection_id, r.remote_id),
                    client: r.client,
                    source: format!("{crm}, connection {}, last sent {}", r.connection_id, r.pushed_at),
                    created: None,
                    fields: vec![
                        ("crm".into(), crm.to_owned()),
                        ("connection".into(), r.connection_id),
                        ("record id".into(), r.remote_id),
                        ("last sent".into(), r.pushed_at),
                    ],
                    fetched_at: None,
                    identifiers: Vec::new(),
                }
            })
            .collect())
    }

    /// Forgets the records here (their ids and hashes) and records, for the request, a step that
    /// deletes each in its CRM.
    async fn erase(
        &self,
        conn: &mut SqliteConnection,
        records: &[HeldRecord],
        erasing: &Erasing<'_>,
    ) -> Result<i64, StoreError> {
        for record in records {
            let (Some(connection), Some(remote_id)) = (field(record, "connection"), field(record, "record id")) else {
                continue;
            };
            sqlx::query("DELETE FROM crm_records WHERE connection_id = ?1 AND remote_id = ?2")
                .bind(connection)
                .bind(remote_id)
                .execute(&mut *conn)
                .await?;
            // A correction not yet sent has nothing left to send, and must not keep the record's id.
            let answer = "the person was erased since; nothing left to correct";
            let step = (remote_id, connection);
            remote::settle_for(conn, self.kind().as_str(), CORRECT_RECORD, step, answer, erasing.at).await?;
            remote::add(
                conn,
                erasing.request_id,
                self.kind().as_str(),
                DELETE_RECORD,
                remote_id,
                Some(connection),
                erasing.at,
            )
            .await?;
        }
        Ok(records.len() as i64)
    }

    /// Each record as its CRM holds it now, so that an access request's answer says what the CRM
    /// holds and when it was read.
    async fn live(
        &self,
        pool: &SqlitePool,
        workspace_id: &str,
        records: &[HeldRecord],
        at: &str,
    ) -> Option<Vec<HeldRecord>> {
        let pacing = Pacing::reading_for_a_person();
        let mut given_up: HashMap<String, String> = HashMap::new();
        let mut reached: HashMap<String, (super::client::CrmClient, Vec<String>)> = HashMap::new();
        let mut live = Vec::with_capacity(records.len());
        for record in records {
            let unread = |why: &str| {
                let mut kept = record.clone();
                kept.fields.push(("read in the CRM".into(), format!("not possible just now: {why}")));
                kept
            };
            let (Some(connection), Some(remote_id)) = (field(record, "connection"), field(record, "record id")) else {
                live.push(unread("the record's connection is not known"));
                continue;
            };
            if let Some(why) = given_up.get(connection) {
                live.push(unread(why));
                continue;
            }
            // The token and the fields to read, once a connection: a person's records in one CRM
            // share them.
            if !reached.contains_key(connection) {
                match connections::client_of(pool, workspace_id, connection, pacing.clone()).await {
                    Ok(client) => {
                        let properties = connections::mapped_fields(pool, connection).await.unwrap_or_default();
                        reached.insert(connection.to_owned(), (client, properties));
                    }
                    Err(why) => {
                        given_up.insert(connection.to_owned(), why.clone());
                        live.push(unread(&why));
                        continue;
                    }
                }
            }
            let (client, properties) = &reached[connection];
            let mut fields: Vec<(String, String)> = ["crm", "connection", "record id", "last sent"]
                .iter()
                .filter_map(|k| Some(((*k).to_owned(), field(record, k)?.to_owned())))
                .collect();
            match super::send::read(client, remote_id, properties).await {
                Ok(Some(read)) => {
                    fields.extend(read);
                    live.push(HeldRecord { fields, fetched_at: Some(at.to_owned()), ..record.clone() });
                }
                Ok(None) => {
                    fields.push(("held in the CRM".into(), "no: the CRM did not return it (deleted there)".into()));
                    live.push(HeldRecord { fields, fetched_at: Some(at.to_owned()), ..record.clone() });
                }
                Err(e) => {
                    let why = e.plain();
                    if !matches!(e, CrmError::Refused { .. } | CrmError::Unexpected { .. }) {
                        given_up.insert(connection.to_owned(), why.clone());
                    }
                    live.push(unread(&why));
                }
            }
        }
        Some(live)
    }

    async fn run_remote(&self, pool: &SqlitePool, workspace_id: &str, step: &PendingStep) -> RemoteAnswer {
        let (Some(remote_id), Some(connection)) = (step.target.as_deref(), step.place.as_deref()) else {
            return RemoteAnswer::Failed("the step lost what it deletes; it cannot be taken".into());
        };
        if step.action == CORRECT_RECORD {
            let leads = match sent_as(pool, connection, remote_id).await {
                Ok(leads) => leads,
                Err(_) => return RemoteAnswer::Failed("what was sent to the CRM could not be read".into()),
            };
            let (answer, sent) = super::correct::resend(pool, workspace_id, connection, remote_id, &leads).await;
            if let Some(hash) = sent {
                // The next push then finds the record as it is in the CRM, and sends nothing.
                let _ = sent_again(pool, connection, remote_id, &hash).await;
            }
            return answer;
        }
        if step.action != DELETE_RECORD {
            return RemoteAnswer::Failed(format!("'{}' is not a step Custodian takes in a CRM", step.action));
        }
        let pacing = Pacing::remote_step();
        let client = match connections::client_of(pool, workspace_id, connection, pacing).await {
            Ok(client) => client,
            Err(why) => return RemoteAnswer::Failed(why),
        };
        let crm = client.crm().label();
        match super::send::delete(&client, remote_id, super::send::Deletion::Erasure).await {
            Ok(true) => RemoteAnswer::Done(format!("deleted in {crm}")),
            Ok(false) => RemoteAnswer::Done(format!("not found in {crm} (deleted there already)")),
            Err(e @ (CrmError::Throttled { .. } | CrmError::Unavailable { .. })) => {
                RemoteAnswer::Unreachable(e.plain())
            }
            Err(e) => RemoteAnswer::Failed(e.plain()),
        }
    }

    /// The corrected value is in the lead; each of its CRM records gets a remote step that sends
    /// it again once the correction has committed, and is marked to be sent again by the next push
    /// should that step fail.
    async fn rectify(
        &self,
        conn: &mut SqliteConnection,
        _hasher: &Hasher,
        records: &[HeldRecord],
        correction: &Correction,
    ) -> Result<Result<i64, String>, StoreError> {
        let mut marked = 0;
        // Restricted (or objecting) people are not sent to a CRM: the record is marked, and a push
        // sends the correction once the restriction is lifted.
        let restricted = crate::requests::restriction::is_restricted(conn, &correction.person).await?;
        for record in records {
            let (Some(connection), Some(remote_id)) = (field(record, "connection"), field(record, "record id")) else {
                continue;
            };
            let changed =
                sqlx::query("UPDATE crm_records SET payload_hash = NULL WHERE connection_id = ?1 AND remote_id = ?2")
                    .bind(connection)
                    .bind(remote_id)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
            if changed > 0 {
                if !restricted {
                    let (kind, at) = (self.kind().as_str(), &correction.at);
                    remote::add(conn, correction.request_id, kind, CORRECT_RECORD, remote_id, Some(connection), at)
                        .await?;
                }
                marked += 1;
            }
        }
        Ok(Ok(marked))
    }

    async fn held_elsewhere(&self, conn: &mut SqliteConnection, client_id: &str) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT count(DISTINCT r.connection_id || ' ' || r.remote_id) FROM crm_records AS r
             WHERE r.connection_id IN (SELECT id FROM crm_connections WHERE client_id = ?1)",
        )
        .bind(client_id)
        .fetch_one(conn)
        .await?)
    }

    async fn delete_elsewhere(
        &self,
        pool: &SqlitePool,
        workspace_id: &str,
        client_id: &str,
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<DeletedElsewhere, StoreError> {
        let records: Vec<(String, String)> = sqlx::query_as(
            "SELECT DISTINCT r.connection_id, r.remote_id FROM crm_records AS r
             WHERE r.connection_id IN (SELECT id FROM crm_connections WHERE client_id = ?1)
             ORDER BY r.connection_id, r.remote_id",
        )
        .bind(client_id)
        .fetch_all(pool)
        .await?;
        let mut outcome = DeletedElsewhere::default();
        let mut by_connection: Vec<(String, Vec<String>)> = Vec::new();
        for (connection, remote_id) in records {
            match by_connection.last_mut() {
                Some((c, ids)) if *c == connection => ids.push(remote_id),
                _ => by_connection.push((connection, vec![remote_id])),
            }
        }
        for (connection, ids) in by_connection {
            let client = match connections::client_of(pool, workspace_id, &connection, Pacing::remote_step()).await {
                Ok(client) => client,
                Err(why) => {
                    outcome.not_deleted += ids.len() as i64;
                    outcome.reasons.push(why);
                    continue;
                }
            };
            for (i, id) in ids.iter().enumerate() {
                if cancel.load(std::sync::atomic::Ordering::Relaxed) {
                    outcome.not_deleted += (ids.len() - i) as i64;
                    outcome.reasons.push("stopped before the rest were deleted".into());
                    break;
                }
                match super::send::delete(&client, id, super::send::Deletion::Removal).await {
                    // Gone there (or already gone): forgotten here, so that trying again resumes.
                    Ok(_) => {
                        outcome.deleted += 1;
                        let forgot = sqlx::query("DELETE FROM crm_records WHERE connection_id = ?1 AND remote_id = ?2")
                            .bind(&connection)
                            .bind(id)
                            .execute(pool)
                            .await;
                        // What was deleted there is still counted, and audited; trying again finds
                        // the record gone there and forgets it then.
                        if forgot.is_err() {
                            outcome.not_deleted += (ids.len() - i - 1) as i64;
                            outcome.reasons.push("the workspace could not note a deletion; try again".into());
                            break;
                        }
                    }
                    Err(e) => {
                        let stops = !matches!(e, CrmError::Refused { .. } | CrmError::Unexpected { .. });
                        let left = if stops { (ids.len() - i) as i64 } else { 1 };
                        outcome.not_deleted += left;
                        if !outcome.reasons.contains(&e.plain()) {
                            outcome.reasons.push(e.plain());
                        }
                        if stops {
                            break;
                        }
                    }
                }
            }
        }
        Ok(outcome)
    }

    async fn remove_client(&self, conn: &mut SqliteConnection, client_id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM crm_records WHERE connection_id IN (SELECT id FROM crm_connections WHERE client_id = ?1)",
        )
        .bind(client_id)
        .execute(conn)
        .await?;
        Ok(())
    }
}
