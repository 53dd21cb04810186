//! A lead as a CRM mapping reads it: Meta's own fields and the form's answers, by key. A push
//! reads every lead of a client, so its chunks are read with only what a mapping needs: a lead's
//! values in one buffer, and the answer keys a form's leads share read once a chunk. The preview
//! and a correction read a lead in full and make the same from it, so that what they show is what
//! a push sends.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use rusqlite::OptionalExtension;
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde::Deserializer as _;

use super::parse::META_COLUMNS;
use super::person_hashes::{self, PERSON_HASHES};
use super::query::{organic_text, LeadDetail};
use crate::identity::IdentityHash;

/// Where Meta's lead id is among `META_COLUMNS`, and the form's id.
const META_ID: usize = 0;
const FORM_ID: usize = 8;

/// A lead as a mapping reads it.
pub struct Mappable {
    pub id: i64,
    has_meta_id: bool,
    /// Meta's fields in the order of `META_COLUMNS`, then the answers, one after another; the
    /// i-th ends at `ends[i]`.
    values: String,
    ends: Vec<usize>,
    /// The keys of the answers, shared by the leads of a form's layout.
    keys: Arc<[String]>,
}

impl Mappable {
    fn new(id: i64, has_meta_id: bool, keys: Arc<[String]>, capacity: usize) -> Self {
        Self {
            id,
            has_meta_id,
            values: String::with_capacity(capacity),
            ends: Vec::with_capacity(META_COLUMNS.len() + keys.len()),
            keys,
        }
    }

    fn push(&mut self, value: &str) {
        self.values.push_str(value);
        self.ends.push(self.values.len());
    }

    fn value(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.values[start..self.ends[i]]
    }

    pub fn meta_id(&self) -> Option<&str> {
        self.has_meta_id.then(|| self.value(META_ID))
    }

    pub fn form_id(&self) -> &str {
        self.value(FORM_ID)
    }

    /// Everything the lead answers, by key: Meta's columns, then the form's questions in the
    /// order of the file.
    pub fn answers(&self) -> Vec<(&str, &str)> {
        let mut start = 0;
        let values = self.ends.iter().map(|&end| {
            let value = &self.values[start..end];
            start = end;
            value
        });
        META_COLUMNS.iter().copied().chain(self.keys.iter().map(String::as_str)).zip(values).collect()
    }
}

impl From<&LeadDetail> for Mappable {
    fn from(lead: &LeadDetail) -> Self {
        let keys: Arc<[String]> = lead.answers.iter().map(|(k, _)| k.clone()).collect();
        let meta = lead.meta_values();
        let capacity =
            meta.iter().map(|v| v.len()).sum::<usize>() + lead.answers.iter().map(|(_, v)| v.len()).sum::<usize>();
        let mut mappable = Self::new(lead.id, lead.meta_id.is_some(), keys, capacity);
        for value in meta {
            mappable.push(value);
        }
        for (_, value) in &lead.answers {
            mappable.push(value);
        }
        mappable
    }
}

/// One client's leads in id order after `after_id`, each with the keyed hashes of its person, on
/// the SQLite handle directly (`store::direct`).
pub fn client_chunk(
    conn: &rusqlite::Connection,
    client_id: &str,
    after_id: i64,
    limit: i64,
) -> rusqlite::Result<Vec<(Mappable, Vec<IdentityHash>)>> {
    // In id order whatever else there is: the chunks together are one pass over the table.
    let sql = format!(
        "SELECT l.id, {META}, l.answers, l.answer_keys, {hashes} FROM leads AS l NOT INDEXED
         WHERE l.client_num = (SELECT num FROM clients WHERE id = ?1) AND l.id > ?2 ORDER BY l.id LIMIT ?3",
        hashes = person_hashes::listed("l.")
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let mut keys_of = conn.prepare_cached("SELECT keys FROM answer_keys WHERE id = ?1")?;
    let mut keys_read: HashMap<Option<i64>, Arc<[String]>> = HashMap::new();
    let mut rows = statement.query(rusqlite::params![client_id, after_id, limit])?;
    let mut chunk = Vec::new();
    while let Some(r) = rows.next()? {
        let keys_id: Option<i64> = r.get(ANSWER_KEYS)?;
        let keys = match keys_read.get(&keys_id) {
            Some(keys) => Arc::clone(keys),
            None => {
                let text: Option<String> = match keys_id {
                    Some(id) => keys_of.query_row([id], |k| k.get(0)).optional()?,
                    None => None,
                };
                let keys: Arc<[String]> =
                    text.and_then(|t| serde_json::from_str::<Vec<String>>(&t).ok()).unwrap_or_default().into();
                keys_read.insert(keys_id, Arc::clone(&keys));
                keys
            }
        };
        let answers = r.get_ref(ANSWERS)?.as_str()?;
        let meta_id = r.get_ref(1)?.as_str_or_null()?;
        let mut meta = [""; META_COLUMNS.len()];
        meta[0] = meta_id.unwrap_or_default();
        for (value, column) in meta.iter_mut().skip(1).zip(2..) {
            *value = if column == IS_ORGANIC { organic_text(r.get(column)?) } else { r.get_ref(column)?.as_str()? };
        }
        let capacity = answers.len() + meta.iter().map(|v| v.len()).sum::<usize>();
        let mut lead = Mappable::new(r.get(0)?, meta_id.is_some(), keys, capacity);
        for value in meta {
            lead.push(value);
        }
        // Answers that cannot be read are none, as in a lead read in full.
        let meta_end = lead.ends.len();
        if read_answers(answers, &mut lead).is_err() {
            lead.ends.truncate(meta_end);
            lead.values.truncate(lead.ends.last().copied().unwrap_or(0));
        }
        let mut hashes = Vec::new();
        for column in HASHES..HASHES + PERSON_HASHES.len() {
            if let Some(hash) = r.get_ref(column)?.as_blob_or_null()?.and_then(|h| IdentityHash::try_from(h).ok()) {
                hashes.push(hash);
            }
        }
        chunk.push((lead, hashes));
    }
    Ok(chunk)
}

/// Meta's fields, in the order of `META_COLUMNS`, as the leads table holds them.
const META: &str = "l.meta_id, l.created_time, l.ad_id, l.ad_name, l.adset_id, l.adset_name, l.campaign_id, \
     l.campaign_name, l.form_id, l.form_name, l.is_organic, l.platform, l.lead_status";
/// The positions of `client_chunk`'s columns after the id and `META`.
const IS_ORGANIC: usize = 11;
const ANSWERS: usize = 1 + META_COLUMNS.len();
const ANSWER_KEYS: usize = ANSWERS + 1;
const HASHES: usize = ANSWER_KEYS + 1;

/// Reads a lead's answers (a JSON list of strings, and nothing after it, as `serde_json::from_str`
/// wants for a lead read in full) straight into its buffer.
fn read_answers(json: &str, lead: &mut Mappable) -> serde_json::Result<()> {
    let mut answers = serde_json::Deserializer::from_str(json);
    answers.deserialize_seq(AnswersInto(lead))?;
    answers.end()
}

/// Reads a lead's answers straight into its buffer.
struct AnswersInto<'a>(&'a mut Mappable);

impl<'de> Visitor<'de> for AnswersInto<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of answers")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Answer(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

struct Answer<'a>(&'a mut Mappable);

impl<'de> DeserializeSeed<'de> for Answer<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Answer<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an answer")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<(), E> {
        self.0.push(value);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead() -> LeadDetail {
        LeadDetail {
            id: 7,
            client: "Acme".into(),
            meta_id: Some("l:1".into()),
            created_time: "2026-11-02T10:00:00+0000".into(),
            ad_id: "ad".into(),
            ad_name: "Ad".into(),
            adset_id: "set".into(),
            adset_name: "Set".into(),
            campaign_id: "cmp".into(),
            campaign_name: "Campaign".into(),
            form_id: "f:9".into(),
            form_name: "Form".into(),
            is_organic: Some(false),
            platform: "ig".into(),
            lead_status: "complete".into(),
            is_test: false,
            answers: vec![("email".into(), "ann@example.com".into()), ("full_name".into(), "Ann \"A\" Lee".into())],
            source_file: "leads.csv".into(),
            source_line: 2,
            imported_at: "2026-11-02T11:00:00Z".into(),
        }
    }

    #[test]
    fn a_lead_answers_meta_fields_then_its_questions_in_order() {
        let lead = lead();
        let mappable = Mappable::from(&lead);
        let answers = mappable.answers();
        let expected: Vec<(&str, &str)> = META_COLUMNS
            .iter()
            .copied()
            .zip(lead.meta_values())
            .chain(lead.answers.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .collect();
        assert_eq!(answers, expected);
        assert_eq!(mappable.meta_id(), Some("l:1"));
        assert_eq!(mappable.form_id(), "f:9");
    }

    #[test]
    fn a_lead_without_a_meta_id_says_so() {
        let mut lead = lead();
        lead.meta_id = None;
        let mappable = Mappable::from(&lead);
        assert_eq!(mappable.meta_id(), None);
        assert_eq!(mappable.answers()[0], ("id", ""));
    }

    #[test]
    fn answers_are_read_into_the_buffer_with_their_escapes_undone() {
        let mut mappable = Mappable::new(1, false, Arc::from(vec!["a".to_owned(), "b".to_owned()]), 0);
        read_answers(r#"["x\"y", "é\n"] "#, &mut mappable).unwrap();
        assert_eq!(mappable.value(0), "x\"y");
        assert_eq!(mappable.value(1), "é\n");
    }

    #[test]
    fn answers_a_lead_read_in_full_could_not_read_are_refused_here_too() {
        for json in [r#"["a", "b"]x"#, r#"["a", 1]"#, r#"{"a": "b"}"#, r#"["a""#] {
            let mut mappable = Mappable::new(1, false, Arc::from(Vec::new()), 0);
            assert!(read_answers(json, &mut mappable).is_err(), "{json}");
            assert!(serde_json::from_str::<Vec<String>>(json).is_err(), "{json}");
        }
    }
}
