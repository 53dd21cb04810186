//! Leads that arrive from Meta's Graph API rather than in a file: the leads of one or more pages are
//! stored like a batch of an import (the same rows, search words and identity index, recognised by
//! their Meta id so that a lead imported from a file and synced is one lead), in one transaction.

use std::collections::HashSet;

use serde_json::Value;

use super::import::{Batch, Target, Totals, Writer};
use super::parse::{Columns, META_COLUMNS};
use super::runs;

/// Leads of a form, one or more pages of them, as the Graph API gave them.
pub struct Page<'a> {
    pub form_name: &'a str,
    pub leads: &'a [Value],
    /// The number of its first lead within the sync, as a file's lines number an import's.
    pub first_line: u64,
}

/// What storing one page did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stored {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub suppressed: u64,
    pub rejected: u64,
    /// The newest lead's created time on the page, seconds since 1970.
    pub newest: Option<i64>,
}

/// A lead's answers to the form's checkboxes (`custom_disclaimer_responses`), each as the
/// question "disclaimer KEY" and its answer as Meta gives it ("1" or "0").
fn disclaimers(lead: &Value) -> impl Iterator<Item = (String, String)> + '_ {
    lead.get("custom_disclaimer_responses").and_then(Value::as_array).into_iter().flatten().filter_map(|response| {
        let key = response.get("checkbox_key").and_then(Value::as_str)?;
        let answer = match response.get("is_checked")? {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        Some((format!("disclaimer {key}"), answer))
    })
}

/// The leads of one page as records under one header: Meta's fields, the form's name, then every
/// question any of them answered (their checkboxes too), in the order first seen.
fn records(leads: &[Value], form_name: &str) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut questions: Vec<String> = Vec::new();
    for lead in leads {
        for field in lead.get("field_data").and_then(Value::as_array).into_iter().flatten() {
            if let Some(name) = field.get("name").and_then(Value::as_str) {
                if !questions.iter().any(|q| q == name) {
                    questions.push(name.to_owned());
                }
            }
        }
        for (question, _) in disclaimers(lead) {
            if !questions.contains(&question) {
                questions.push(question);
            }
        }
    }
    // Meta's own columns as an export file names them; the Graph API gives each lead the same
    // fields, except the form's name (the sync knows it) and the status, which it does not keep.
    let mut header: Vec<String> = META_COLUMNS.iter().map(|f| (*f).to_owned()).collect();
    header.extend(questions.iter().cloned());
    let rows = leads
        .iter()
        .map(|lead| {
            let mut row: Vec<String> = META_COLUMNS
                .iter()
                .map(|f| match (*f, lead.get(*f)) {
                    ("form_name", _) => form_name.to_owned(),
                    (_, Some(Value::String(s))) => s.clone(),
                    (_, Some(Value::Bool(b))) => b.to_string(),
                    (_, Some(Value::Number(n))) => n.to_string(),
                    _ => String::new(),
                })
                .collect();
            let answers = lead.get("field_data").and_then(Value::as_array);
            let ticked: Vec<(String, String)> = disclaimers(lead).collect();
            for question in &questions {
                let answer = answers
                    .into_iter()
                    .flatten()
                    .find(|f| f.get("name").and_then(Value::as_str) == Some(question))
                    .and_then(|f| f.get("values").and_then(Value::as_array))
                    .map(|values| values.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
                    .or_else(|| ticked.iter().find(|(q, _)| q == question).map(|(_, a)| a.clone()))
                    .unwrap_or_default();
                row.push(answer);
            }
            csv::StringRecord::from(row)
        })
        .collect();
    (csv::StringRecord::from(header), rows)
}

/// Stores the leads of one or more pages in a transaction of their own, running `also` in it before
/// it commits (the form's watermark moves only with the leads it stands for). `first_line` numbers
/// the leads within the sync, as a file's lines number an import's.
pub fn store_page(
    conn: &rusqlite::Connection,
    target: &Target<'_>,
    page: &Page<'_>,
    totals: &mut Totals,
    suppressed_now: &dyn Fn(&rusqlite::Connection) -> rusqlite::Result<HashSet<crate::identity::IdentityHash>>,
    also: &dyn Fn(&rusqlite::Connection, Option<i64>) -> rusqlite::Result<()>,
) -> rusqlite::Result<Stored> {
    let (header, rows) = records(page.leads, page.form_name);
    let columns = Columns::from_header(&header);
    let mut batch = Batch::empty();
    let mut stored = Stored::default();
    let mut keys = HashSet::new();
    let mut kept = 0;
    for (i, row) in rows.iter().enumerate() {
        let line = page.first_line + i as u64;
        batch.rows_read += 1;
        match columns.lead(row, line, &target.hasher, target.country.as_deref()) {
            Ok(lead) if lead.identities.iter().any(|(_, h)| target.suppressed.contains(h)) => batch.suppressed += 1,
            Ok(lead) => {
                stored.newest = stored.newest.max(Some(lead.created_unix));
                batch.test_leads += u64::from(lead.is_test);
                batch.unplaced_phones += lead.unplaced_phones as u64;
                if keys.insert(lead.lead_key.clone()) {
                    batch.leads.push(lead);
                } else {
                    batch.duplicates += 1;
                }
            }
            Err(reason) => batch.reject(line, reason, &mut kept),
        }
    }
    let mut writer = Writer::new(conn, target, &columns.answer_keys())?;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let written = (|| {
        // A page can wait minutes for Meta; a person erased meanwhile is not stored now. Inside the
        // transaction, no erasure can come between this check and the commit.
        let erased = suppressed_now(conn)?;
        let before = batch.leads.len();
        batch.leads.retain(|lead| !lead.identities.iter().any(|(_, h)| erased.contains(h)));
        batch.suppressed += (before - batch.leads.len()) as u64;
        let (new, updated, unchanged) = writer.write(&batch)?;
        also(conn, stored.newest)?;
        totals.count(&batch, (new, updated, unchanged));
        writer.commit(totals)?;
        Ok((new, updated, unchanged + batch.duplicates))
    })();
    match written {
        Ok((new, updated, unchanged)) => {
            stored.new = new;
            stored.updated = updated;
            stored.unchanged = unchanged;
            stored.suppressed = batch.suppressed;
            stored.rejected = batch.rejected;
            Ok(stored)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Folds the identity runs the pages left into the index, once, after the last of them.
pub fn finish(conn: &rusqlite::Connection) -> rusqlite::Result<u64> {
    runs::fold_all(conn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_page_of_leads_becomes_records_under_one_header_with_every_question() {
        let leads = [
            json!({"id": "11", "created_time": "2026-11-20T10:00:00+0000", "is_organic": false, "platform": "ig",
                "field_data": [{"name": "email", "values": ["a@x.com"]}, {"name": "full_name", "values": ["Ann"]}]}),
            json!({"id": "12", "created_time": "2026-11-21T10:00:00+0000",
                "field_data": [{"name": "budget?", "values": ["1k", "2k"]}, {"name": "email", "values": ["b@x.com"]}]}),
        ];
        let (header, rows) = records(&leads, "Spring");
        let header: Vec<&str> = header.iter().collect();
        assert_eq!(
            &header[9..],
            ["form_name", "is_organic", "platform", "lead_status", "email", "full_name", "budget?"]
        );
        assert_eq!(&rows[0].iter().collect::<Vec<_>>()[9..], ["Spring", "false", "ig", "", "a@x.com", "Ann", ""]);
        assert_eq!(&rows[1].iter().collect::<Vec<_>>()[13..], ["b@x.com", "", "1k, 2k"]);
    }
}
