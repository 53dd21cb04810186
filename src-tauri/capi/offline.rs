//! Offline conversions from a CSV a client keeps elsewhere: a header row naming `event_name` and
//! `event_time` (ISO 8601 with `Z` or an offset), and any of `email, phone, first_name, last_name,
//! city, state, zip, country, external_id, value, currency, event_id`, matched in any case; other
//! columns are ignored. Each row becomes an event whose matching keys are hashed as it is read, so
//! no plain value goes further than this module. The file is read with the lead importer's guards
//! (encodings, overlong fields and records, XLSX bombs).

use std::path::Path;

use serde_json::{Map, Value};

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
                derived_id(&[client_id, &event_name], event_time, &stable, custom_data.as_ref())
            }
            None => {
                let place = format!("{}:{line}", self.name);
                derived_id(&[client_id, &event_name, &place], event_time, &stable, custom_data.as_ref())
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

/// `value` and `currency`, checked.
fn custom_data<'r>(
    at: &Columns,
    get: &dyn Fn(usize) -> &'r str,
    problems: &mut Vec<String>,
) -> Option<Map<String, Value>> {
    let value = at.value.map(get).filter(|v| !v.is_empty());
    let currency = at.currency.map(get).filter(|c| !c.is_empty());
    let mut custom = Map::new();
    if let Some(value) = value {
        match value.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => {
                custom.insert("value".into(), Value::from(v));
            }
            _ => problems.push("its value is not a number".into()),
        }
        if currency.is_none() {
            problems.push("it has a value without a currency".into());
        }
    }
    if let Some(currency) = currency {
        if currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_alphabetic()) {
            custom.insert("currency".into(), Value::from(currency.to_ascii_uppercase()));
        } else {
            problems.push("its currency is not a three-letter ISO 4217 code".into());
        }
    }
    (!custom.is_empty()).then_some(custom)
}

/// An event id made from what the event is, for a row that gives none.
fn derived_id(names: &[&str], event_time: i64, stable: &[String], custom_data: Option<&Map<String, Value>>) -> String {
    let time = event_time.to_string();
    let custom = custom_data.map(|c| serde_json::to_string(c).expect("a map serialises")).unwrap_or_default();
    let parts = names.iter().copied().chain([time.as_str(), custom.as_str()]).chain(stable.iter().map(String::as_str));
    format!("offline-{}", &hex::encode(digest_of(parts))[..32])
}
