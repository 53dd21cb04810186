//! The draft notices of a breach, filled from its record: to the supervisory authority with every
//! item of GDPR Art. 33(3), and to the people affected in clear and plain language with the items
//! Art. 34(2) asks for. Each is a plain HTML document the user edits, prints or saves as PDF; an
//! item the record does not hold yet is marked as still to be filled in, never left out.

use serde::Serialize;
use ts_rs::TS;

use super::{Audience, Breach};
use crate::html::escape;
use crate::personal_data::registry;

/// A notice as drafted, with the items it still lacks.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Notice {
    pub html: String,
    /// The items the record does not hold yet, in words: "the likely consequences".
    pub missing: Vec<String>,
}

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;color:#111}\
h1{font-size:1.5em}h2{font-size:1.1em;margin-top:1.6em}dt{font-weight:600}dd{margin:0 0 .6em}\
.missing{background:#fff3cd;border-left:4px solid #b58100;padding:.2em .5em}\
@media print{.missing{border-left-color:#000}body{margin:0}}";

struct Draft {
    html: String,
    missing: Vec<String>,
}

impl Draft {
    fn item(&mut self, term: &str, value: Option<&str>, missing_as: &str) {
        self.html.push_str(&format!("<dt>{}</dt>", escape(term)));
        match value.filter(|v| !v.trim().is_empty()) {
            Some(v) => self.html.push_str(&format!("<dd>{}</dd>", paragraphs(v))),
            None => {
                self.html.push_str(&format!(
                    "<dd class=\"missing\"><strong>To be filled in:</strong> {}.</dd>",
                    escape(missing_as)
                ));
                self.missing.push(missing_as.to_owned());
            }
        }
    }
}

/// Text as paragraphs, its line breaks kept.
fn paragraphs(text: &str) -> String {
    text.split("\n\n").map(|p| format!("<p>{}</p>", escape(p.trim()).replace('\n', "<br>"))).collect()
}

/// The kinds chosen; or, for a breach of every kind, those the assessment found records of.
fn kinds_of(breach: &Breach) -> Option<String> {
    let labels: Vec<String> = if breach.kinds.is_empty() {
        let counted = breach.counted.as_ref()?;
        counted.kinds.iter().filter(|k| k.records > 0).map(|k| k.label.clone()).collect()
    } else {
        breach.kinds.iter().map(|k| registry::holder(*k).label().to_owned()).collect()
    };
    (!labels.is_empty()).then(|| labels.join(", "))
}

fn window_of(breach: &Breach) -> String {
    match (&breach.since, &breach.until) {
        (Some(since), Some(until)) => format!("from {since} to {until}"),
        _ => "all the data held, whatever its date".to_owned(),
    }
}

/// The draft of `audience`'s notice of `breach`, as of `today` (YYYY-MM-DD).
pub fn draft(breach: &Breach, audience: Audience, today: &str) -> Notice {
    let mut d = Draft { html: String::new(), missing: Vec::new() };
    let title = match audience {
        Audience::Authority => "Notification of a personal data breach to the supervisory authority",
        Audience::Subjects => "About a personal data breach that concerns you",
    };
    d.html.push_str(&format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title><style>{STYLE}</style></head><body>"
    ));
    d.html.push_str(&format!("<h1>{title}</h1><p>Draft of {today}, breach {}.</p>", breach.id));
    match audience {
        Audience::Authority => authority(&mut d, breach),
        Audience::Subjects => subjects(&mut d, breach),
    }
    d.html.push_str("</body></html>\n");
    Notice { html: d.html, missing: d.missing }
}

fn authority(d: &mut Draft, b: &Breach) {
    d.html.push_str("<h2>The breach</h2><dl>");
    d.item("When the controller became aware of it", Some(&b.aware_at), "when the controller became aware");
    d.item("Period of the data concerned", Some(&window_of(b)), "the period of the data concerned");
    d.item("What happened", Some(&b.summary), "what happened");
    d.item(
        "Systems concerned",
        (!b.details.systems.is_empty()).then(|| b.details.systems.join(", ")).as_deref(),
        "the systems concerned",
    );
    d.html.push_str("</dl><h2>(a) Nature of the breach</h2><dl>");
    d.item("Categories of personal data", kinds_of(b).as_deref(), "the categories of personal data concerned");
    let clients = (!b.clients.is_empty())
        .then(|| format!("people in the data the agency processes for {}", b.clients.join(", ")));
    d.item(
        "Categories of data subjects",
        clients.as_deref().or(Some("people in the data of every client the agency processes for")),
        "the categories of people concerned",
    );
    let people =
        b.people.map(|n| format!("approximately {n} (as assessed {})", b.assessed_at.as_deref().unwrap_or("")));
    d.item(
        "Approximate number of data subjects",
        people.as_deref(),
        "the approximate number of people (assess the breach)",
    );
    let records = b.records.map(|n| format!("approximately {n}"));
    d.item(
        "Approximate number of personal data records",
        records.as_deref(),
        "the approximate number of records (assess the breach)",
    );
    d.html.push_str("</dl><h2>(b) Contact point</h2><dl>");
    d.item(
        "Data protection officer or other contact point",
        b.details.contact.as_deref(),
        "the name and contact details of the data protection officer or other contact point",
    );
    d.html.push_str("</dl><h2>(c) Likely consequences</h2><dl>");
    d.item("Likely consequences of the breach", b.details.consequences.as_deref(), "the likely consequences");
    d.html.push_str("</dl><h2>(d) Measures</h2><dl>");
    d.item(
        "Measures taken or proposed, including to mitigate its possible adverse effects",
        b.details.measures.as_deref(),
        "the measures taken or proposed",
    );
    d.html.push_str("</dl>");
    // Past the deadline, unless the authority was told in time.
    if b.minutes_left < 0 && b.authority_on.as_ref().is_none_or(|_| b.authority_late) {
        d.html.push_str("<h2>Reasons for the delay</h2><dl>");
        d.item(
            &format!("This notification is made after 72 hours from awareness (deadline {})", b.deadline),
            b.late_reason.as_deref(),
            "the reasons for the delay (GDPR Art. 33(1))",
        );
        d.html.push_str("</dl>");
    }
}

fn subjects(d: &mut Draft, b: &Breach) {
    d.html.push_str("<dl>");
    d.item("What happened", Some(&b.summary), "what happened");
    d.item("What information it concerned", kinds_of(b).as_deref(), "what information it concerned");
    d.item("What it may mean for you", b.details.consequences.as_deref(), "the likely consequences");
    d.item("What we have done and what you can do", b.details.measures.as_deref(), "the measures taken or proposed");
    d.item("Whom to contact", b.details.contact.as_deref(), "the contact point");
    d.html.push_str("</dl>");
}
