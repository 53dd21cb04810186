//! Checking events as Meta would before they go, and handing a batch to a dataset.

use serde_json::Value;

use super::events::Facts;
use crate::meta::graph::{Graph, GraphError};
use crate::vault::Sensitive;

/// The most events Meta takes in one call.
pub const BATCH: usize = 1000;

/// Meta refuses events older than this.
pub const OLDEST: i64 = 7 * 86_400;

/// Meta recognises a resent event (same name and id) for this long; after it, a resend would count
/// again. A little is kept in hand for clocks that differ.
pub const DEDUP_WINDOW: i64 = 47 * 3600;

/// Why an event handed to Meta too long ago is not sent again.
pub const TOO_LATE_TO_RESEND: &str = "it was handed to Meta more than 48 hours ago without an answer on record; it \
     is not sent again, so that it can never count twice";

/// Why an event handed to Meta before its person restricted processing, objected or was erased
/// is not sent again.
pub const WITHHELD_SINCE: &str =
    "it was handed to Meta before its person restricted processing, objected or opted out of marketing, \
     without an answer on record; it is not sent again";

/// Why an event is not sent now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsendable {
    /// Never: it is marked invalid and stays so.
    Never(String),
    /// Not yet: its time is still to come.
    NotYet(String),
}

/// Whether an event may be sent at `now` (seconds since 1970), as Meta checks it.
pub fn check(event: &Facts, now: i64) -> Result<(), Unsendable> {
    if let Some(problem) = &event.problem {
        return Err(Unsendable::Never(problem.clone()));
    }
    if !event.named {
        return Err(Unsendable::Never("it has no event_name".into()));
    }
    if !event.has_keys {
        return Err(Unsendable::Never("it has no matching key".into()));
    }
    if event.value_without_currency {
        return Err(Unsendable::Never("it has a value without a currency".into()));
    }
    if event.event_time < now - OLDEST {
        return Err(Unsendable::Never("its event_time is more than 7 days ago, and Meta refuses older events".into()));
    }
    if event.event_time > now {
        return Err(Unsendable::NotYet("its event_time is in the future".into()));
    }
    Ok(())
}

/// Meta's answer to a batch it took.
#[derive(Debug, Clone)]
pub struct Taken {
    pub events_received: i64,
    pub fbtrace_id: Option<String>,
}

/// A batch as the body Meta takes: `{"data": [events]}`, with the test code when there is one,
/// from each event's payload as JSON text.
pub fn body_of(payloads: &[&str], test_event_code: Option<&str>) -> String {
    let mut body = String::with_capacity(payloads.iter().map(|p| p.len() + 1).sum::<usize>() + 64);
    body.push_str("{\"data\":[");
    for (n, payload) in payloads.iter().enumerate() {
        if n > 0 {
            body.push(',');
        }
        body.push_str(payload);
    }
    body.push(']');
    if let Some(code) = test_event_code {
        body.push_str(",\"test_event_code\":");
        body.push_str(&Value::from(code).to_string());
    }
    body.push('}');
    body
}

/// Sends a batch (as `body_of` wrote it) to `dataset`.
pub async fn post(graph: &Graph, token: &Sensitive<String>, dataset: &str, body: &str) -> Result<Taken, GraphError> {
    let answer = graph.post_json(&format!("{dataset}/events"), body, token).await?;
    Ok(Taken {
        events_received: answer.get("events_received").and_then(Value::as_i64).unwrap_or(0),
        fbtrace_id: answer.get("fbtrace_id").and_then(Value::as_str).map(str::to_owned),
    })
}

/// The index of the event Meta's refusal of a batch names, when it names one ("event at index 3",
/// "data[3]"). The shape of that message is not documented: without an index, the batch is held.
pub fn refused_index(message: &str) -> Option<usize> {
    let after = |marker: &str| {
        let start = message.find(marker)? + marker.len();
        let digits: String = message[start..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    };
    after("index ").or_else(|| after("data["))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_a_refusal_names_is_found_however_it_is_written() {
        assert_eq!(refused_index("(#100) Invalid parameter: event at index 3: event_time is too old"), Some(3));
        assert_eq!(refused_index("Invalid parameter data[12].user_data"), Some(12));
        assert_eq!(refused_index("(#100) Invalid parameter"), None);
    }
}
