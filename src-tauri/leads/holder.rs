//! Leads as a holder of personal data, for data-subject requests: found through the identity index.

use sqlx::SqliteConnection;

use super::query;
use crate::identity::{Hasher, IdentityHash};
use crate::requests::discovery::{Erasing, Finding, HeldRecord, Holder};
use crate::requests::{IdKind, Identifier};

pub const LEADS: Holder = Holder { kind: "leads", label: "leads", find, erase };

/// Deletes the leads; the `leads_forget` trigger takes their search words and identifiers with
/// them, and secure deletion overwrites what they occupied.
fn erase<'a>(conn: &'a mut SqliteConnection, records: &'a [HeldRecord]) -> Erasing<'a> {
    Box::pin(async move {
        let mut deleted = 0;
        for record in records {
            let Ok(id) = record.id.parse::<i64>() else { continue };
            deleted +=
                sqlx::query("DELETE FROM leads WHERE id = ?1").bind(id).execute(&mut *conn).await?.rows_affected();
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
            let mut fields = vec![
                ("id".to_owned(), lead.meta_id.clone().unwrap_or_default()),
                ("created_time".to_owned(), lead.created_time.clone()),
                ("ad_id".to_owned(), lead.ad_id.clone()),
                ("ad_name".to_owned(), lead.ad_name.clone()),
                ("adset_id".to_owned(), lead.adset_id.clone()),
                ("adset_name".to_owned(), lead.adset_name.clone()),
                ("campaign_id".to_owned(), lead.campaign_id.clone()),
                ("campaign_name".to_owned(), lead.campaign_name.clone()),
                ("form_id".to_owned(), lead.form_id.clone()),
                ("form_name".to_owned(), lead.form_name.clone()),
                ("is_organic".to_owned(), lead.is_organic.map(|o| o.to_string()).unwrap_or_default()),
                ("platform".to_owned(), lead.platform.clone()),
                ("lead_status".to_owned(), lead.lead_status.clone()),
            ];
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
