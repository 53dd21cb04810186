//! Offline conversions from a CSV a client keeps elsewhere: a header row naming `event_name` and
//! `event_time` (ISO 8601 with `Z` or an offset), and any of `email, phone, first_name, last_name,
//! city, state, zip, country, external_id, value, currency, event_id`, matched in any case; other
//! columns are ignored. Each row becomes an event whose matching keys are hashed as it is read, so
//! no plain value goes further than this module. The file is read with the lead importer's guards
//! (encodings, overlong fields and records, XLSX bombs).

use std::path::Path;

use serde_json::Value;

use super::events::{digest_of, NewEvent};
use super::normalize::{self, Key};
use super::user_data::{Entry, UserData};
use crate::identity::{self, Hasher, IdKind};
use crate::leads::decode::{ExportFile, RecordError};
use crate::leads::ReadError;

/// What offline events are sent as: conversions that happened away from a website or an app.
pub const ACTION_SOURCE: &str = "physical_store";

const KEYS: [(&str, Key); 9] = [
    ("email", Key::Email),
    ("phone", Key::Phone),
    ("first_name", Key::FirstName),
    ("last_name", Key::LastName),
    ("city", Key::City),
    ("state", Key::State),
    ("zip", Key::Zip),
    ("country", Key::Country),
    ("external_id", Key::ExternalId),
];

/// The longest value taken in a column: far beyond any real one.
const LONGEST: usize = 1024;

/// An open file of offline conversions.
pub struct Offline {
    file: ExportFile,
    name: String,
    at: Columns,
}

struct Columns {
    event_name: usize,
    event_time: usize,
    keys: Vec<(usize, Key)>,
    value: Option<usize>,
    currency: Option<usize>,
    event_id: Option<usize>,
}

/// What one row of the file came to.
pub enum Read {
    /// An event (with its problem, when it can never be sent), from this line.
    Event(u64, Box<NewEvent>),
    /// A row with nothing in it: spreadsheets end many files with such rows.
    Blank,
    Bad(BadRow),
}

/// A row that could not be read at all.
#[derive(Debug, Clone)]
pub struct BadRow {
    pub line: u64,
    pub reason: String,
}

impl Offline {
    pub fn open(path: &Path) -> Result<Self, ReadError> {
        let file = ExportFile::open_table(path, &["event_name", "event_time"])?;
        let read = ["event_name", "event_time", "value", "currency", "event_id"];
        let named = |name: &str| file.header.iter().filter(|h| h.eq_ignore_ascii_case(name)).count();
        if let Some(twice) = read.into_iter().chain(KEYS.iter().map(|(name, _)| *name)).find(|n| named(n) > 1) {
            return Err(ReadError::RepeatedColumn(twice.to_owned()));
        }
        let find = |name: &str| file.header.iter().position(|h| h.eq_ignore_ascii_case(name));
        let at = Columns {
            event_name: find("event_name").expect("checked on opening"),
            event_time: find("event_time").expect("checked on opening"),
            keys: KEYS.iter().filter_map(|(name, key)| find(name).map(|i| (i, *key))).collect(),
            value: find("value"),
            currency: find("currency"),
            event_id: find("event_id"),
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "the file".into());
        Ok(Self { file, name, at })
    }

    pub fn bytes_read(&self) -> u64 {
        self.file.bytes_read()
    }

    pub fn size(&self) -> u64 {
        self.file.size
    }

    /// The next row as an event of the client whose id is `client_id` (an event it cannot send
    /// says why in its `problem`), `None` at the end of the file.
    pub fn next_event(&mut self, hasher: &Hasher, client_id: &str, country: Option<&str>) -> Option<Read> {
        let record = match self.file.next_record()? {
            Ok(record) => record,
            Err((line, e)) => {
                let reason = match e {
                    RecordError::Encoding => "text that is not valid in the file's encoding".to_owned(),
                    RecordError::Malformed(why) => format!("not a CSV row ({why})"),
                    RecordError::FieldTooLong | RecordError::RecordTooLong => "a value far too long".to_owned(),
                };
                return Some(Read::Bad(BadRow { line, reason }));
            }
        };
        let line = record.line;
        let get = |i: usize| record.fields.get(i).unwrap_or("").trim();
        if record.fields.iter().all(|f| f.trim().is_empty()) {
            return Some(Read::Blank);
        }
        let mut problems: Vec<String> = Vec::new();
        let event_name = get(self.at.event_name).to_owned();
        if event_name.is_empty() {
            problems.push("it has no event_name".into());
        }
        let event_time = match chrono::DateTime::parse_from_rfc3339(get(self.at.event_time)) {
            Ok(t) => t.timestamp(),
            Err(_) => {
                problems.push("its event_time is not an ISO 8601 time with Z or an offset".into());
                0
            }
        };
        let mut user_data = UserData::default();
        let mut people = Vec::new();
        let mut stable: Vec<String> = Vec::new();
        for (i, key) in &self.at.keys {
            let raw = get(*i);
            if raw.len() > LONGEST {
                problems.push(format!("its {} is longer than {LONGEST} characters", key.label()));
                continue;
            }
            // A phone is placed once, for Meta's hash and the person's keyed hash alike; one hashed
            // already is passed on as it is.
            let stored_phone = (*key == Key::Phone && !normalize::already_hashed(raw))
                .then(|| identity::stored_phone(raw, country))
                .flatten();
            let hashed = match &stored_phone {
                Some((IdKind::Phone, e164)) => Ok(Some(normalize::digest(e164.trim_start_matches('+')))),
                // Meta matches a phone by its digits with the country code: a national number with
                // no country to place it in would be sent as a hash nothing matches.
                Some(_) => Err(match country {
                    Some(_) => {
                        "the phone number cannot be placed in the client's country; write it with its country code"
                    }
                    None => "the phone number has no country code, and the client has no country",
                }
                .to_owned()),
                None => normalize::hashed(*key, raw, country),
            };
            // What the made-up event id rests on: what stays the same when the same row is read again
            // (the client's country may have been set meanwhile, or columns added).
            match key {
                Key::Email | Key::ExternalId => {
                    stable.push(hashed.clone().ok().flatten().map(hex::encode).unwrap_or_default())
                }
                Key::Phone => stable.push(raw.chars().filter(char::is_ascii_digit).collect()),
                _ => {}
            }
            match hashed {
                Ok(Some(hash)) => user_data.insert(key.meta_name(), Entry::Hash(hash)),
                Ok(None) => {}
                Err(why) => problems.push(why),
            }
            // The person, for requests and rights: by the workspace's keyed hash, never Meta's.
            match key {
                Key::Email => people.extend(hasher.identify(IdKind::Email, raw, None)),
                Key::Phone => {
                    if let Some((kind, normalised)) = &stored_phone {
                        people.push(hasher.hash(*kind, normalised));
                    }
                }
                _ => {}
            }
        }
        if user_data.is_empty() && problems.is_empty() {
            problems.push("it has no matching key: give at least an email, a phone or an external_id".into());
        }
        let custom_data = custom_data(&self.at, &get, &mut problems);
        let event_id = match self.at.event_id.map(get).filter(|id| !id.is_empty()) {
            Some(id) if id.len() > LONGEST => {
                problems.push(format!("its event_id is longer than {LONGEST} characters"));
                String::new()
            }
            Some(id) => id.to_owned(),
            // The same row makes the same id, so that importing a file again queues nothing twice.
            // A row that cannot be sent is told apart by where it is: what it lacks may be all
            // that two such rows share.
            None if problems.is_empty() => {
                derived_id(&[client_id, &event_name], event_time, &stable, custom_data.as_deref())
            }
            None => {
                let place = format!("{}:{line}", self.name);
                derived_id(&[client_id, &event_name, &place], event_time, &stable, custom_data.as_deref())
            }
        };
        let problem = (!problems.is_empty()).then(|| problems.join("; "));
        Some(Read::Event(
            line,
            Box::new(NewEvent {
                event_name,
                event_id,
                event_time,
                action_source: ACTION_SOURCE,
                source: format!("{}, line {line}", self.name),
                user_data,
                custom_data,
                problem,
                people,
            }),
        ))
    }
}

/// `value` and `currency`, checked, as the JSON object sent: its keys in order, as the event ids
/// of files already queued were made from it.
fn custom_data<'r>(at: &Columns, get: &dyn Fn(usize) -> &'r str, problems: &mut Vec<String>) -> Option<String> {
    let value = at.value.map(get).filter(|v| !v.is_empty());
    let currency = at.currency.map(get).filter(|c| !c.is_empty());
    let mut number = None;
    if let Some(value) = value {
        match value.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => number = Some(v),
            _ => problems.push("its value is not a number".into()),
        }
        if currency.is_none() {
            problems.push("it has a value without a currency".into());
        }
    }
    let mut code = None;
    if let Some(currency) = currency {
        if currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_alphabetic()) {
            code = Some(currency.to_ascii_uppercase());
        } else {
            problems.push("its currency is not a three-letter ISO 4217 code".into());
        }
    }
    let mut text = String::with_capacity(40);
    if let Some(code) = code {
        // Three ASCII letters: nothing to escape.
        text.push_str("{\"currency\":\"");
        text.push_str(&code);
        text.push('"');
    }
    if let Some(number) = number {
        text.push_str(if text.is_empty() { "{\"value\":" } else { ",\"value\":" });
        text.push_str(&Value::from(number).to_string());
    }
    (!text.is_empty()).then(|| text + "}")
}

/// An event id made from what the event is, for a row that gives none.
fn derived_id(names: &[&str], event_time: i64, stable: &[String], custom_data: Option<&str>) -> String {
    let time = event_time.to_string();
    let custom = custom_data.unwrap_or_default();
    let parts = names.iter().copied().chain([time.as_str(), custom]).chain(stable.iter().map(String::as_str));
    format!("offline-{}", &hex::encode(digest_of(parts))[..32])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::Sensitive;

    fn read_one(csv: &str) -> NewEvent {
        let path = std::env::temp_dir().join(format!("custodian-offline-{}.csv", uuid::Uuid::new_v4()));
        std::fs::write(&path, csv).unwrap();
        let mut offline = Offline::open(&path).unwrap();
        let hasher = Hasher::new(&Sensitive::new([7u8; 32]));
        let read = offline.next_event(&hasher, "client-1", Some("GB"));
        std::fs::remove_file(&path).unwrap();
        match read {
            Some(Read::Event(_, event)) => *event,
            _ => panic!("the row is an event"),
        }
    }

    #[test]
    fn a_row_without_an_event_id_gets_the_id_it_has_always_had() {
        // Pinned: a file queued by an earlier version, imported again, must make the same ids, or
        // its events would be queued and sent twice.
        let event = read_one(
            "event_name,event_time,email,phone,value,currency\n\
             Purchase,2026-11-30T10:00:00Z,Ann@Example.com,07911 123456,12.5,gbp\n",
        );
        assert_eq!(event.problem, None);
        assert_eq!(event.event_id, "offline-616892525f193c8bd41448accda5ee03");
        assert_eq!(event.custom_data.as_deref(), Some(r#"{"currency":"GBP","value":12.5}"#));
    }

    #[test]
    fn custom_data_is_the_json_object_serde_would_write_for_every_kind_of_value() {
        for value in ["12.5", "5", "0.1", "1e3", "123456789.125", "0", ""] {
            for currency in ["gbp", "EUR", ""] {
                let at = Columns {
                    event_name: 0,
                    event_time: 0,
                    keys: Vec::new(),
                    value: Some(0),
                    currency: Some(1),
                    event_id: None,
                };
                let cells = [value, currency];
                let mut problems = Vec::new();
                let text = custom_data(&at, &|i| cells[i], &mut problems);
                let mut map = serde_json::Map::new();
                if let Ok(v) = value.parse::<f64>() {
                    map.insert("value".into(), Value::from(v));
                }
                if !currency.is_empty() {
                    map.insert("currency".into(), Value::from(currency.to_ascii_uppercase()));
                }
                let expected = (!map.is_empty()).then(|| serde_json::to_string(&map).unwrap());
                assert_eq!(text, expected, "value {value:?}, currency {currency:?}");
            }
        }
    }
}
