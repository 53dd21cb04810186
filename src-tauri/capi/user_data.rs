//! An event's `user_data`: Meta's matching keys, each hash kept as its 32 bytes from the moment
//! it is made, and written as hex only into the JSON that goes to Meta. The queue stores every
//! event's keys, reads them back to send and again for the log; packed, each of those touches
//! half the pages, and every page written is encrypted and authenticated.
//!
//! Packed, an entry is the key's length (one byte) and name, then a tag: `0` and the 32 bytes of
//! a SHA-256 (written in lowercase hex), or `1`, a length (four bytes, little-endian) and the
//! value's JSON text.

use serde_json::Value;

const HASH: u8 = 0;
const JSON: u8 = 1;

/// Meta's keys and their values, in the order given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserData(Vec<(&'static str, Entry)>);

#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// A SHA-256, sent in lowercase hex.
    Hash([u8; 32]),
    /// A value sent as it is (Meta's lead id).
    Json(Value),
}

impl UserData {
    pub fn insert(&mut self, key: &'static str, entry: Entry) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, e)) => *e = entry,
            None => self.0.push((key, entry)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn pack(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.0.len() * 40);
        for (key, entry) in &self.0 {
            match entry {
                Entry::Hash(digest) => push_hash(&mut out, key, digest),
                Entry::Json(value) => push_json(&mut out, key, &value.to_string()),
            }
        }
        out
    }

    /// As the JSON object Meta takes.
    pub fn to_json(&self) -> Value {
        serde_json::from_str(&json(&self.pack())).unwrap_or(Value::Null)
    }
}

/// `user_data` as the JSON text rows queued before packing keep, packed.
pub fn pack_json(text: &str) -> Vec<u8> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) else { return Vec::new() };
    let mut out = Vec::with_capacity(map.len() * 40);
    for (key, value) in &map {
        let mut digest = [0u8; 32];
        match value {
            // Only lowercase: a value passed on in capitals keeps its spelling exactly.
            Value::String(s)
                if super::normalize::already_hashed(s)
                    && !s.bytes().any(|b| b.is_ascii_uppercase())
                    && hex::decode_to_slice(s, &mut digest).is_ok() =>
            {
                push_hash(&mut out, key, &digest)
            }
            other => push_json(&mut out, key, &other.to_string()),
        }
    }
    out
}

fn push_key(out: &mut Vec<u8>, key: &str) -> bool {
    // Meta's names are a few letters: a longer one is none of them, and is not kept.
    let Ok(len) = u8::try_from(key.len()) else { return false };
    out.push(len);
    out.extend_from_slice(key.as_bytes());
    true
}

fn push_hash(out: &mut Vec<u8>, key: &str, digest: &[u8; 32]) {
    if push_key(out, key) {
        out.push(HASH);
        out.extend_from_slice(digest);
    }
}

fn push_json(out: &mut Vec<u8>, key: &str, text: &str) {
    if push_key(out, key) {
        out.push(JSON);
        out.extend_from_slice(&(text.len() as u32).to_le_bytes());
        out.extend_from_slice(text.as_bytes());
    }
}

/// Whether packed `user_data` has a key that can be read: an event without one is never sent.
pub fn has_keys(packed: &[u8]) -> bool {
    entry(packed).is_some()
}

/// Packed `user_data` written as the JSON object Meta takes. What cannot be read (it never is
/// written so) ends the object there.
pub fn write_json(packed: &[u8], out: &mut String) {
    out.push('{');
    let mut rest = packed;
    let mut first = true;
    while let Some((key, value, after)) = entry(rest) {
        if !first {
            out.push(',');
        }
        first = false;
        if key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            out.push('"');
            out.push_str(key);
            out.push('"');
        } else {
            out.push_str(&Value::from(key).to_string());
        }
        out.push(':');
        match value {
            Packed::Hash(digest) => {
                let mut hex = [0u8; 64];
                hex::encode_to_slice(digest, &mut hex).expect("64 digits for 32 bytes");
                out.push('"');
                out.push_str(std::str::from_utf8(&hex).expect("hex digits are ASCII"));
                out.push('"');
            }
            Packed::Json(text) => out.push_str(text),
        }
        rest = after;
    }
    out.push('}');
}

pub fn json(packed: &[u8]) -> String {
    let mut out = String::with_capacity(packed.len() * 2);
    write_json(packed, &mut out);
    out
}

enum Packed<'a> {
    Hash(&'a [u8]),
    Json(&'a str),
}

fn entry(packed: &[u8]) -> Option<(&str, Packed<'_>, &[u8])> {
    let (&len, rest) = packed.split_first()?;
    let (key, rest) = rest.split_at_checked(usize::from(len))?;
    let key = std::str::from_utf8(key).ok()?;
    let (&tag, rest) = rest.split_first()?;
    match tag {
        HASH => {
            let (digest, rest) = rest.split_at_checked(32)?;
            Some((key, Packed::Hash(digest), rest))
        }
        JSON => {
            let (len, rest) = rest.split_at_checked(4)?;
            let len = u32::from_le_bytes(len.try_into().ok()?) as usize;
            let (text, rest) = rest.split_at_checked(len)?;
            let text = std::str::from_utf8(text).ok()?;
            // Written into a batch as it is: it must be one JSON value and nothing more.
            serde_json::from_str::<serde::de::IgnoredAny>(text).ok()?;
            Some((key, Packed::Json(text), rest))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn packed_keys_come_back_as_the_json_they_were() {
        let mut user = UserData::default();
        user.insert("em", Entry::Hash([0xab; 32]));
        user.insert("lead_id", Entry::Json(json!(1234567890123456u64)));
        user.insert("x\"y", Entry::Json(json!("z")));
        let packed = user.pack();
        let back: Value = serde_json::from_str(&json(&packed)).unwrap();
        assert_eq!(back, json!({"em": "ab".repeat(32), "lead_id": 1234567890123456u64, "x\"y": "z"}));
        let mut only_hash = UserData::default();
        only_hash.insert("em", Entry::Hash([0xab; 32]));
        assert_eq!(only_hash.pack().len(), 1 + 2 + 1 + 32, "a hash takes its 32 bytes, not 64 hex digits");
        assert!(has_keys(&packed));
    }

    #[test]
    fn json_kept_before_packing_reads_as_it_was() {
        let text = json!({"em": "cd".repeat(32), "lead_id": 42, "ph": "EF".repeat(32)}).to_string();
        let packed = pack_json(&text);
        assert_eq!(
            serde_json::from_str::<Value>(&json(&packed)).unwrap(),
            serde_json::from_str::<Value>(&text).unwrap()
        );
        assert!(pack_json("not json").is_empty());
    }

    #[test]
    fn nothing_packed_is_an_empty_object_and_a_damaged_entry_ends_it() {
        assert_eq!(json(&[]), "{}");
        assert!(!has_keys(&[]));
        let mut user = UserData::default();
        user.insert("em", Entry::Hash([7; 32]));
        let packed = user.pack();
        assert_eq!(json(&packed[..packed.len() - 1]), "{}");
        assert_eq!(json(&[2, b'e', b'm', 9]), "{}");
        let mut bad = vec![2, b'e', b'm', JSON, 3, 0, 0, 0];
        bad.extend_from_slice(b"1,2");
        assert_eq!(json(&bad), "{}", "text that is not one JSON value is not written into a batch");
    }
}
