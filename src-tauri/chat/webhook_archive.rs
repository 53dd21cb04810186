//! Archives of WhatsApp Cloud API webhook payloads, as WhatsApp platforms keep them: JSON Lines,
//! each line a whole payload (`{"object": "whatsapp_business_account", "entry": [{"changes":
//! [{"value": …}]}]}`) or only a change's `value` (../shared/reference/meta-graph-api.md). A value
//! holds `metadata` (the business number), `contacts` (`profile.name`, `wa_id`, and since 2026 a
//! business-scoped `user_id` that may stand in for the phone number), `messages` and `statuses`.
//! The Cloud API keeps no history to fetch: these are what an agency has.

use serde_json::Value;

/// The longest line read: far beyond any real payload, and a bound on what one line may cost.
pub const LONGEST_LINE: usize = 1 << 20;

/// A person as a payload names them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contact {
    /// Their WhatsApp id: the phone number's digits with its country code.
    pub wa_id: Option<String>,
    /// The business-scoped user id (`US.1349…`), where WhatsApp gives one.
    pub user_id: Option<String>,
    pub name: Option<String>,
}

/// A message a person sent to the business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// WhatsApp's id of the message (`wamid.…`): what makes importing an archive again add nothing.
    pub id: String,
    /// The business number it was sent to (`metadata.phone_number_id`), which the thread is of.
    pub business: String,
    /// The sender, by WhatsApp id or, where the phone number is withheld, business-scoped user id.
    pub from: Contact,
    /// Seconds since 1970.
    pub at: i64,
    /// `text`, `image`, `button`, …
    pub kind: String,
    /// What it says: a text's body, a media's caption, a button's or a reply's title; `None` for
    /// media without a caption and kinds with no words.
    pub text: Option<String>,
}

/// What one line of an archive came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// The messages of the line's payload, with the contacts it names (statuses carry no words
    /// and are passed over), and why any of its messages could not be read.
    Read {
        messages: Vec<Incoming>,
        contacts: Vec<Contact>,
        bad: Vec<String>,
    },
    Blank,
    Bad(String),
}

/// Reads one line of an archive.
pub fn read_line(line: &str) -> Line {
    let line = line.trim_start_matches('\u{FEFF}').trim();
    if line.is_empty() {
        return Line::Blank;
    }
    if line.len() > LONGEST_LINE {
        return Line::Bad(format!("a line longer than {} MiB", LONGEST_LINE >> 20));
    }
    // Payloads of the usual shape are read straight into their fields; anything else (a field of
    // an unexpected type, a line that is not JSON) is read as a JSON value, which says why.
    match fast::read(line) {
        Some(read) => read,
        None => read_value(line),
    }
}

/// Reads a line as a JSON value, whatever its shape.
fn read_value(line: &str) -> Line {
    let payload: Value = match serde_json::from_str(line) {
        Ok(payload) => payload,
        Err(e) => return Line::Bad(format!("not JSON ({e})")),
    };
    let values: Vec<&Value> = match payload.get("entry") {
        Some(Value::Array(entries)) => entries
            .iter()
            .filter_map(|e| e.get("changes")?.as_array())
            .flatten()
            .filter_map(|change| change.get("value"))
            .collect(),
        Some(_) => return Line::Bad("its entry is not a list".into()),
        None if payload.get("messages").is_some() || payload.get("contacts").is_some() => vec![&payload],
        None if payload.get("statuses").is_some() || payload.get("metadata").is_some() => vec![&payload],
        None => return Line::Bad("not a webhook payload: it has neither entry nor messages".into()),
    };
    let mut messages = Vec::new();
    let mut contacts = Vec::new();
    let mut bad = Vec::new();
    for value in values {
        let business = text_of(value.pointer("/metadata/phone_number_id")).unwrap_or_default();
        let named: Vec<Contact> = value
            .get("contacts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| Contact {
                wa_id: text_of(c.get("wa_id")),
                user_id: text_of(c.get("user_id")),
                name: text_of(c.pointer("/profile/name")),
            })
            .filter(|c| c.wa_id.is_some() || c.user_id.is_some())
            .collect();
        for m in value.get("messages").and_then(Value::as_array).into_iter().flatten() {
            match incoming(m, &business, &named) {
                Ok(message) => messages.push(message),
                Err(why) => bad.push(why.to_owned()),
            }
        }
        contacts.extend(named);
    }
    Line::Read { messages, contacts, bad }
}

/// A string, or a number written as one (WhatsApp writes ids and times as strings, and some
/// platforms store them as numbers).
fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A message's fields as read, before they are checked.
struct Fields {
    id: Option<String>,
    from: Option<String>,
    from_user_id: Option<String>,
    timestamp: Option<String>,
    kind: Option<String>,
    text: Option<String>,
}

fn incoming(m: &Value, business: &str, named: &[Contact]) -> Result<Incoming, &'static str> {
    let words = [
        "/text/body",
        "/image/caption",
        "/video/caption",
        "/document/caption",
        "/button/text",
        "/interactive/button_reply/title",
        "/interactive/list_reply/title",
        "/reaction/emoji",
    ];
    let fields = Fields {
        id: text_of(m.get("id")),
        from: text_of(m.get("from")),
        from_user_id: text_of(m.get("from_user_id")),
        timestamp: text_of(m.get("timestamp")),
        kind: text_of(m.get("type")),
        text: words.iter().find_map(|path| text_of(m.pointer(path))),
    };
    incoming_of(fields, business, named)
}

fn incoming_of(m: Fields, business: &str, named: &[Contact]) -> Result<Incoming, &'static str> {
    let id = m.id.ok_or("a message without its id")?;
    let from = m.from.or_else(|| m.from_user_id.clone()).ok_or("a message without its sender")?;
    let at = m
        .timestamp
        .and_then(|t| t.parse::<f64>().ok())
        .filter(|t| t.is_finite() && t.fract() == 0.0)
        // Some platforms keep milliseconds: anything past the year 5138 in seconds is that.
        .map(|t| if t > 1e11 { t / 1000.0 } else { t })
        .map(|t| t as i64)
        .filter(|t| (1_230_768_000..4_102_444_800).contains(t))
        .ok_or("a message without a time in seconds since 1970 (between 2009 and 2100)")?;
    let kind = m.kind.unwrap_or_else(|| "unknown".into());
    // The sender is a WhatsApp id (digits) or a business-scoped user id; the contacts say the rest.
    let by_user_id = !from.bytes().all(|b| b.is_ascii_digit());
    let mut sender = named
        .iter()
        .find(|c| if by_user_id { c.user_id.as_deref() == Some(&from) } else { c.wa_id.as_deref() == Some(&from) })
        .cloned()
        .unwrap_or_default();
    if by_user_id {
        sender.user_id = Some(from);
    } else {
        sender.wa_id = Some(from);
    }
    if let Some(user_id) = m.from_user_id {
        sender.user_id = Some(user_id);
    }
    Ok(Incoming { id, business: business.to_owned(), from: sender, at, kind, text: m.text })
}

/// The usual payload read straight into its fields, with no JSON value made on the way. It reads
/// what `read_value` reads, the same way, and gives up (`None`) on any field of another type.
mod fast {
    use std::fmt;

    use serde::de::{self, Deserializer, IgnoredAny, Visitor};
    use serde::Deserialize;

    use super::{Contact, Line};

    /// A string or a number, as `text_of` reads it; anything else is none.
    #[derive(Default)]
    struct Scalar(Option<String>);

    impl<'de> Deserialize<'de> for Scalar {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Scalars;
            impl<'de> Visitor<'de> for Scalars {
                type Value = Scalar;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a string or a number")
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                    Ok(Scalar(Some(v.trim()).filter(|v| !v.is_empty()).map(str::to_owned)))
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                    Ok(Scalar(Some(v.to_string())))
                }
                fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                    Ok(Scalar(Some(v.to_string())))
                }
                fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                    Ok(Scalar(serde_json::Number::from_f64(v).map(|n| n.to_string())))
                }
                fn visit_bool<E: de::Error>(self, _: bool) -> Result<Scalar, E> {
                    Ok(Scalar(None))
                }
                fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
                    Ok(Scalar(None))
                }
                fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
                    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                    Ok(Scalar(None))
                }
                fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
                    while seq.next_element::<IgnoredAny>()?.is_some() {}
                    Ok(Scalar(None))
                }
            }
            d.deserialize_any(Scalars)
        }
    }

    #[derive(Deserialize)]
    struct Whole {
        entry: Vec<Entry>,
    }

    #[derive(Deserialize)]
    struct Entry {
        #[serde(default)]
        changes: Vec<Change>,
    }

    #[derive(Deserialize)]
    struct Change {
        value: Option<Value>,
    }

    #[derive(Deserialize)]
    struct Value {
        metadata: Option<Metadata>,
        contacts: Option<Vec<ContactIn>>,
        messages: Option<Vec<Message>>,
        statuses: Option<IgnoredAny>,
    }

    #[derive(Deserialize)]
    struct Metadata {
        #[serde(default)]
        phone_number_id: Scalar,
    }

    #[derive(Deserialize)]
    struct ContactIn {
        #[serde(default)]
        wa_id: Scalar,
        #[serde(default)]
        user_id: Scalar,
        profile: Option<Profile>,
    }

    #[derive(Deserialize)]
    struct Profile {
        #[serde(default)]
        name: Scalar,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Words {
        body: Scalar,
        caption: Scalar,
        text: Scalar,
        title: Scalar,
        emoji: Scalar,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Interactive {
        button_reply: Option<Words>,
        list_reply: Option<Words>,
    }

    #[derive(Deserialize)]
    struct Message {
        #[serde(default)]
        id: Scalar,
        #[serde(default)]
        from: Scalar,
        #[serde(default)]
        from_user_id: Scalar,
        #[serde(default)]
        timestamp: Scalar,
        #[serde(default, rename = "type")]
        kind: Scalar,
        text: Option<Words>,
        image: Option<Words>,
        video: Option<Words>,
        document: Option<Words>,
        button: Option<Words>,
        interactive: Option<Interactive>,
        reaction: Option<Words>,
    }

    /// The line read, or `None` when it is not of the usual shape.
    pub(super) fn read(line: &str) -> Option<Line> {
        let values: Vec<Value> = if line.contains("\"entry\"") {
            let whole: Whole = serde_json::from_str(line).ok()?;
            whole.entry.into_iter().flat_map(|e| e.changes).filter_map(|c| c.value).collect()
        } else {
            let value: Value = serde_json::from_str(line).ok()?;
            let known = value.metadata.is_some() || value.contacts.is_some() || value.messages.is_some();
            if !known && value.statuses.is_none() {
                return None;
            }
            vec![value]
        };
        let mut messages = Vec::new();
        let mut contacts = Vec::new();
        let mut bad = Vec::new();
        for value in values {
            let business = value.metadata.and_then(|m| m.phone_number_id.0).unwrap_or_default();
            let named: Vec<Contact> = value
                .contacts
                .unwrap_or_default()
                .into_iter()
                .map(|c| Contact { wa_id: c.wa_id.0, user_id: c.user_id.0, name: c.profile.and_then(|p| p.name.0) })
                .filter(|c| c.wa_id.is_some() || c.user_id.is_some())
                .collect();
            for m in value.messages.unwrap_or_default() {
                let (button_reply, list_reply) = m.interactive.map_or((None, None), |i| (i.button_reply, i.list_reply));
                let text = [
                    m.text.and_then(|w| w.body.0),
                    m.image.and_then(|w| w.caption.0),
                    m.video.and_then(|w| w.caption.0),
                    m.document.and_then(|w| w.caption.0),
                    m.button.and_then(|w| w.text.0),
                    button_reply.and_then(|w| w.title.0),
                    list_reply.and_then(|w| w.title.0),
                    m.reaction.and_then(|w| w.emoji.0),
                ]
                .into_iter()
                .flatten()
                .next();
                let fields = super::Fields {
                    id: m.id.0,
                    from: m.from.0,
                    from_user_id: m.from_user_id.0,
                    timestamp: m.timestamp.0,
                    kind: m.kind.0,
                    text,
                };
                match super::incoming_of(fields, &business, &named) {
                    Ok(message) => messages.push(message),
                    Err(why) => bad.push(why.to_owned()),
                }
            }
            contacts.extend(named);
        }
        Some(Line::Read { messages, contacts, bad })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn value() -> Value {
        json!({
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": "106540352242922"},
            "contacts": [
                {"profile": {"name": "Ann Lee"}, "wa_id": "447911123456"},
                {"profile": {"name": "Bob"}, "user_id": "US.13491208655302741918"}
            ],
            "messages": [
                {"from": "447911123456", "id": "wamid.A1", "timestamp": "1767649267", "type": "text",
                    "text": {"body": "STOP"}},
                {"from": "US.13491208655302741918", "id": "wamid.B1", "timestamp": 1767649300, "type": "image",
                    "image": {"id": "media1", "mime_type": "image/jpeg", "caption": "my order"}},
                {"from": "447911123456", "id": "wamid.A2", "timestamp": "1767649400", "type": "sticker",
                    "sticker": {"id": "media2"}}
            ]
        })
    }

    #[test]
    fn a_whole_payload_and_a_changes_value_read_alike_with_their_senders_named() {
        let whole = json!({"object": "whatsapp_business_account",
            "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value()}]}]});
        for line in [whole.to_string(), value().to_string()] {
            let Line::Read { messages, contacts, bad } = read_line(&line) else { panic!("{line}") };
            assert!(bad.is_empty());
            assert_eq!(contacts.len(), 2);
            let contact = |wa_id: Option<&str>, user_id: Option<&str>, name: &str| Contact {
                wa_id: wa_id.map(str::to_owned),
                user_id: user_id.map(str::to_owned),
                name: Some(name.to_owned()),
            };
            let message = |id: &str, from: Contact, at: i64, kind: &str, text: Option<&str>| Incoming {
                id: id.to_owned(),
                business: "106540352242922".to_owned(),
                from,
                at,
                kind: kind.to_owned(),
                text: text.map(str::to_owned),
            };
            let (ann, bob) =
                (contact(Some("447911123456"), None, "Ann Lee"), contact(None, Some("US.13491208655302741918"), "Bob"));
            assert_eq!(
                messages,
                [
                    message("wamid.A1", ann.clone(), 1767649267, "text", Some("STOP")),
                    message("wamid.B1", bob, 1767649300, "image", Some("my order")),
                    message("wamid.A2", ann, 1767649400, "sticker", None),
                ]
            );
            assert!(messages.iter().all(|m| m.business == "106540352242922"));
        }
    }

    #[test]
    fn statuses_carry_no_words_and_bad_lines_say_why() {
        let statuses = json!({"metadata": {"phone_number_id": "1"},
            "statuses": [{"id": "wamid.X", "status": "read", "timestamp": "1767649267", "recipient_id": "447911123456"}]});
        assert_eq!(read_line(&statuses.to_string()), Line::Read { messages: vec![], contacts: vec![], bad: vec![] });
        assert_eq!(read_line("   "), Line::Blank);
        for (line, why) in
            [("{not json", "not JSON"), (r#"{"hello": 1}"#, "not a webhook payload"), (r#"{"entry": 5}"#, "not a list")]
        {
            let Line::Bad(reason) = read_line(line) else { panic!("{line} is bad") };
            assert!(reason.contains(why), "{line}: {reason}");
        }
        // A message that cannot be read is said, and the rest of its line is kept.
        let mixed = r#"{"messages": [{"id": "w1", "from": "1", "timestamp": "1767649267.0", "type": "text",
            "text": {"body": "kept"}}, {"from": "1", "timestamp": "2"}, {"id": "w", "from": "1", "timestamp": "soon"},
            {"id": "w3", "from": "1", "timestamp": 1767649267000}]}"#;
        let Line::Read { messages, bad, .. } = read_line(&format!("\u{FEFF}{}", mixed.replace('\n', " "))) else {
            panic!("the line is read")
        };
        let read: Vec<(&str, i64)> = messages.iter().map(|m| (m.id.as_str(), m.at)).collect();
        assert_eq!(read, [("w1", 1767649267), ("w3", 1767649267)]);
        assert_eq!(bad.len(), 2);
        assert!(bad[0].contains("without its id") && bad[1].contains("without a time"), "{bad:?}");
        let long = format!(r#"{{"messages": "{}"}}"#, "x".repeat(LONGEST_LINE));
        assert!(matches!(read_line(&long), Line::Bad(r) if r.contains("longer")));
    }

    #[test]
    fn the_usual_payload_is_read_straight_into_its_fields_exactly_as_a_json_value_reads_it() {
        let whole = json!({"object": "whatsapp_business_account",
            "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value()}]}, {"id": "no changes"}]});
        let replies = json!({"metadata": {"phone_number_id": 106540352242922_u64}, "messages": [
            {"from": 447911123456_u64, "id": "w1", "timestamp": 1767649267.0, "type": "interactive",
                "interactive": {"type": "list_reply", "list_reply": {"id": "l1", "title": "  Size 38 "}}},
            {"from": "447911123456", "id": "w2", "timestamp": "1767649268", "type": "reaction",
                "reaction": {"message_id": "w1", "emoji": "👍"}},
            {"from": "447911123456", "id": "", "timestamp": "1767649269", "type": "text", "text": {"body": "x"}},
            {"from_user_id": "US.1", "id": "w4", "timestamp": "1767649270", "type": "button", "button": {"text": "Yes"}}
        ]});
        let statuses = json!({"metadata": {"phone_number_id": "1"},
            "statuses": [{"id": "wamid.X", "status": "read", "timestamp": "1767649267"}]});
        for line in [whole.to_string(), value().to_string(), replies.to_string(), statuses.to_string()] {
            assert_eq!(fast::read(&line), Some(read_value(&line)), "{line}");
        }
        // Fields of another type are left to the JSON value, which reads what it can.
        for line in
            [r#"{"entry": 5}"#, r#"{"messages": [{"id": "w", "text": "flat"}]}"#, r#"{"hello": 1}"#, "{not json"]
        {
            assert_eq!(fast::read(line), None, "{line}");
            assert_eq!(read_line(line), read_value(line));
        }
    }
}
