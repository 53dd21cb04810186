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

fn incoming(m: &Value, business: &str, named: &[Contact]) -> Result<Incoming, &'static str> {
    let id = text_of(m.get("id")).ok_or("a message without its id")?;
    let from =
        text_of(m.get("from")).or_else(|| text_of(m.get("from_user_id"))).ok_or("a message without its sender")?;
    let at = text_of(m.get("timestamp"))
        .and_then(|t| t.parse::<f64>().ok())
        .filter(|t| t.is_finite() && t.fract() == 0.0)
        // Some platforms keep milliseconds: anything past the year 5138 in seconds is that.
        .map(|t| if t > 1e11 { t / 1000.0 } else { t })
        .map(|t| t as i64)
        .filter(|t| (1_230_768_000..4_102_444_800).contains(t))
        .ok_or("a message without a time in seconds since 1970 (between 2009 and 2100)")?;
    let kind = text_of(m.get("type")).unwrap_or_else(|| "unknown".into());
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
    if let Some(user_id) = text_of(m.get("from_user_id")) {
        sender.user_id = Some(user_id);
    }
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
    let text = words.iter().find_map(|path| text_of(m.pointer(path)));
    Ok(Incoming { id, business: business.to_owned(), from: sender, at, kind, text })
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
}
