//! Reading consent out of what people wrote: a one-word WhatsApp or Messenger message ("STOP",
//! "START"), and a lead form's consent question with its answer.

use super::ConsentChannel;

/// What a message that is only a keyword says: `Some(false)` for an opt-out, `Some(true)` for an
/// opt-in, `None` for any other message. Only the keywords WhatsApp's own guidance and SMS
/// practice agree on: a word that is also everyday speech ("cancel", "end") is read as speech.
pub fn keyword(body: &str) -> Option<bool> {
    let body = body.trim();
    // Longer than any keyword: no need to look closer, which keeps imports fast.
    if body.len() > 16 {
        return None;
    }
    let word: String = body
        .trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_')
        .collect::<String>()
        .to_ascii_uppercase();
    match word.as_str() {
        "STOP" | "STOPALL" | "UNSUBSCRIBE" | "OPTOUT" => Some(false),
        "START" | "UNSTOP" | "SUBSCRIBE" | "OPTIN" => Some(true),
        _ => None,
    }
}

/// The channel a lead form question asks consent for, when it is a consent question: it says it
/// asks about marketing ("consent", "opt in", "agree", "offers", …) and names the channel.
pub fn question_channel(key: &str) -> Option<ConsentChannel> {
    let words: String =
        key.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { ' ' }).collect::<String>();
    let words: Vec<&str> = words.split_whitespace().collect();
    let has = |w: &str| words.contains(&w);
    let joined = words.concat();
    // A checkbox alone ("disclaimer …") may be for order updates or terms: the key must say it
    // asks about marketing.
    let asks = [
        "consent",
        "agree",
        "permission",
        "subscribe",
        "marketing",
        "newsletter",
        "offers",
        "offer",
        "promotions",
        "promo",
        "deals",
    ]
    .iter()
    .any(|w| has(w))
        || joined.contains("optin")
        || joined.contains("optout");
    if !asks {
        return None;
    }
    if has("whatsapp") || joined.contains("whatsapp") {
        Some(ConsentChannel::WhatsappMarketing)
    } else if has("messenger") {
        Some(ConsentChannel::MessengerMarketing)
    } else if has("email") || (has("e") && has("mail")) || has("newsletter") || joined.contains("email") {
        Some(ConsentChannel::EmailMarketing)
    } else {
        None
    }
}

/// A consent question's answer: `Some(true)` given, `Some(false)` declined, `None` when the answer
/// says neither (it is then not taken as either).
pub fn answer(value: &str) -> Option<bool> {
    let value = value.trim().trim_matches('"').trim().to_lowercase();
    match value.as_str() {
        "1" | "true" | "yes" | "y" | "checked" | "on" | "agree" | "i agree" | "ja" | "oui" | "sí" | "si" | "sim" => {
            Some(true)
        }
        "0" | "false" | "no" | "n" | "unchecked" | "off" | "nein" | "non" | "não" | "nao" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_that_is_only_stop_or_start_is_read_as_an_opt_out_or_in() {
        assert_eq!(keyword("STOP"), Some(false));
        assert_eq!(keyword("  stop. "), Some(false));
        assert_eq!(keyword("Stop all"), Some(false));
        assert_eq!(keyword("opt-out"), Some(false));
        assert_eq!(keyword("Start"), Some(true));
        assert_eq!(keyword("UNSTOP"), Some(true));
        assert_eq!(keyword("please stop sending me these"), None);
        assert_eq!(keyword("cancel"), None);
        assert_eq!(keyword("stopped"), None);
        assert_eq!(keyword(""), None);
    }

    #[test]
    fn a_consent_question_is_one_that_asks_and_names_its_channel() {
        assert_eq!(question_channel("disclaimer whatsapp_opt_in"), Some(ConsentChannel::WhatsappMarketing));
        assert_eq!(question_channel("i_agree_to_receive_emails?"), Some(ConsentChannel::EmailMarketing));
        assert_eq!(question_channel("Newsletter"), Some(ConsentChannel::EmailMarketing));
        assert_eq!(question_channel("messenger_consent"), Some(ConsentChannel::MessengerMarketing));
        assert_eq!(question_channel("email"), None);
        assert_eq!(question_channel("whatsapp_number"), None);
        assert_eq!(question_channel("marketing_consent"), None);
        assert_eq!(question_channel("disclaimer whatsapp_offers"), Some(ConsentChannel::WhatsappMarketing));
        assert_eq!(question_channel("disclaimer whatsapp_order_updates"), None, "a checkbox for order updates");
    }

    #[test]
    fn an_answer_is_taken_only_when_it_says_yes_or_no() {
        assert_eq!(answer("Yes"), Some(true));
        assert_eq!(answer("\"1\""), Some(true));
        assert_eq!(answer("false"), Some(false));
        assert_eq!(answer("Nein"), Some(false));
        assert_eq!(answer("maybe later"), None);
        assert_eq!(answer(""), None);
    }
}
