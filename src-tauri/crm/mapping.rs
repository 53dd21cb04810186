//! How a lead form's answers become a CRM record: a mapping names, for each CRM field written,
//! where its value comes from (an answer, a constant, several answers joined) and how it is
//! shaped on the way (a name split, a phone in E.164, an email trimmed and lowercased, a choice
//! mapped, a date formatted). A mapping is checked against the CRM's live schema before it is kept
//! (every problem at once), and applying it to a lead gives exactly the fields that are sent.
//!
//! Its JSON is what `crm map suggest` prints and `crm map set` reads:
//! `{"crm": "salesforce", "form": "f1", "fields": [{"to": "LastName", "from": "full_name", "transform": "last_name"}, …]}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::schema::{FieldKind, Schema};
use super::Crm;

/// The keys Meta's lead forms use for their standard questions (../shared/reference).
pub const STANDARD_KEYS: [&str; 15] = [
    "full_name",
    "first_name",
    "last_name",
    "email",
    "phone_number",
    "city",
    "state",
    "zip_code",
    "post_code",
    "country",
    "company_name",
    "job_title",
    "street_address",
    "date_of_birth",
    "gender",
];

/// A CRM field's value, shaped on its way from one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// Trimmed, as it is otherwise.
    Trim,
    /// Trimmed and lowercased; a value that is not an email is a problem.
    Email,
    /// In E.164, placed with the client's country when written nationally.
    E164,
    /// A full name's first word.
    FirstName,
    /// A full name's words after the first (the whole name when it is one word).
    LastName,
}

/// One CRM field and where its value comes from: exactly one of `from`, `constant` and `concat`.
/// With `from`: at most one of `transform`, `map` and `date`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The CRM field.
    pub to: String,
    /// The lead's answer (a standard key, a custom question's key, or one of Meta's columns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub transform: Option<Transform>,
    /// A multiple-choice answer's values to the CRM field's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub map: Option<BTreeMap<String, String>>,
    /// A date or time answer, formatted in UTC with these strftime items (`%Y-%m-%d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub date: Option<String>,
    /// The same value on every record ("Facebook Lead Ads").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub constant: Option<String>,
    /// Several answers joined by `separator` (a space unless given); empty ones are left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub concat: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub separator: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub crm: Crm,
    /// The Meta lead form whose leads it maps.
    pub form: String,
    pub fields: Vec<Rule>,
    /// What a suggestion could not fill: required CRM fields no answer matched. Read back, it is
    /// ignored (the check works it out again).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub unmet: Vec<String>,
}

/// What is wrong with a mapping, or with applying it to one lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Problem {
    /// The CRM field it is about, when it is about one.
    pub field: Option<String>,
    pub says: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.says),
            None => f.write_str(&self.says),
        }
    }
}

fn problem(field: &str, says: impl Into<String>) -> Problem {
    Problem { field: Some(field.to_owned()), says: says.into() }
}

/// Every problem with `mapping` for `schema` and a form whose leads carry `keys`; none when it can
/// be kept.
pub fn check(mapping: &Mapping, schema: &Schema, keys: &[String]) -> Vec<Problem> {
    let mut problems = Vec::new();
    if mapping.crm != schema.crm {
        problems.push(Problem {
            field: None,
            says: format!("this mapping is for {}, not {}", mapping.crm.label(), schema.crm.label()),
        });
        return problems;
    }
    let known = |key: &str| keys.iter().any(|k| k == key);
    for (i, rule) in mapping.fields.iter().enumerate() {
        let to = rule.to.as_str();
        if mapping.fields[..i].iter().any(|r| r.to == rule.to) {
            problems.push(problem(to, "is written by more than one rule"));
        }
        let Some(field) = schema.field(to) else {
            problems.push(problem(to, format!("{} has no such field", schema.crm.label())));
            continue;
        };
        let sources = [rule.from.is_some(), rule.constant.is_some(), rule.concat.is_some()];
        if sources.iter().filter(|s| **s).count() != 1 {
            problems.push(problem(to, "takes its value from exactly one of: from, constant, concat"));
            continue;
        }
        let shapes = [rule.transform.is_some(), rule.map.is_some(), rule.date.is_some()];
        if shapes.iter().filter(|s| **s).count() > 1 || (rule.from.is_none() && shapes.iter().any(|s| *s)) {
            problems.push(problem(to, "transform, map and date each shape one answer (`from`), one at a time"));
        }
        if rule.separator.is_some() && rule.concat.is_none() {
            problems.push(problem(to, "a separator goes with concat"));
        }
        for key in rule.from.iter().chain(rule.concat.iter().flatten()) {
            if !known(key) {
                problems.push(problem(to, format!("the form's leads have no answer '{key}'")));
            }
        }
        if field.kind == FieldKind::Choice {
            let offered = |v: &str| field.options.is_empty() || field.options.iter().any(|o| o == v);
            let values: Vec<&String> = rule.constant.iter().chain(rule.map.iter().flat_map(|m| m.values())).collect();
            for value in values {
                if !offered(value) {
                    problems.push(problem(
                        to,
                        format!("'{value}' is not one of its choices ({})", field.options.join(", ")),
                    ));
                }
            }
        }
        if let Some(format) = &rule.date {
            let bad = chrono::format::StrftimeItems::new(format).any(|i| matches!(i, chrono::format::Item::Error));
            if bad || format.trim().is_empty() {
                problems.push(problem(to, format!("'{format}' is not a date format (try %Y-%m-%d)")));
            }
        }
        if rule.transform == Some(Transform::E164) && !matches!(field.kind, FieldKind::Phone | FieldKind::Text) {
            problems.push(problem(to, "a phone number goes to a phone or text field"));
        }
    }
    for field in schema.fields.iter().filter(|f| f.required) {
        if !mapping.fields.iter().any(|r| r.to == field.name) {
            problems.push(problem(&field.name, format!("{} needs it to create a record", schema.crm.label())));
        }
    }
    problems
}

/// The fields sent for one lead, whose answers (Meta's columns included) are `answers`, of a client
/// whose national phone numbers are in `country`. An empty answer leaves its field out, unless the
/// CRM requires it; every problem is given at once.
pub fn apply<K: AsRef<str>, V: AsRef<str>>(
    mapping: &Mapping,
    schema: &Schema,
    answers: &[(K, V)],
    country: Option<&str>,
) -> Result<Map<String, Value>, Vec<Problem>> {
    let answer = |key: &str| {
        answers.iter().find(|(k, _)| k.as_ref() == key).map(|(_, v)| v.as_ref().trim()).filter(|v| !v.is_empty())
    };
    let mut out = Map::new();
    let mut problems = Vec::new();
    for rule in &mapping.fields {
        let to = rule.to.as_str();
        let kind = schema.field(to).map_or(FieldKind::Text, |f| f.kind);
        let value: Result<Option<String>, String> = match (&rule.from, &rule.constant, &rule.concat) {
            (_, Some(constant), _) => Ok(Some(constant.clone())),
            (_, _, Some(keys)) => {
                let parts: Vec<&str> = keys.iter().filter_map(|k| answer(k)).collect();
                Ok((!parts.is_empty()).then(|| parts.join(rule.separator.as_deref().unwrap_or(" "))))
            }
            (Some(from), _, _) => match answer(from) {
                None => Ok(None),
                Some(raw) => shaped(rule, raw, country),
            },
            _ => Err("has no source".into()),
        };
        match value {
            Ok(Some(v)) => {
                out.insert(to.to_owned(), typed(kind, v));
            }
            Ok(None) if schema.field(to).is_some_and(|f| f.required) => {
                problems.push(problem(to, "is required, and this lead has nothing for it"));
            }
            Ok(None) => {}
            Err(says) => problems.push(problem(to, says)),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// One answer shaped as the rule says.
fn shaped(rule: &Rule, raw: &str, country: Option<&str>) -> Result<Option<String>, String> {
    if let Some(map) = &rule.map {
        // Meta joins several chosen answers with ", ".
        return match map.get(raw) {
            Some(v) => Ok(Some(v.clone())),
            None => Err(format!("the answer '{raw}' has no value in the map")),
        };
    }
    if let Some(format) = &rule.date {
        let unix = crate::leads::parse::parse_time(raw).ok_or_else(|| format!("'{raw}' is not a date or time"))?;
        let at = crate::clock::from_unix(unix).ok_or_else(|| format!("'{raw}' is out of range"))?;
        return Ok(Some(at.format(format).to_string()));
    }
    let mut words = raw.split_whitespace();
    Ok(Some(match rule.transform {
        None | Some(Transform::Trim) => raw.to_owned(),
        Some(Transform::Email) => {
            crate::identity::normalise_email(raw).ok_or_else(|| format!("'{raw}' is not an email address"))?
        }
        Some(Transform::E164) => crate::identity::normalise_phone(raw, country)
            .ok_or_else(|| format!("'{raw}' cannot be placed as a phone number (is the client's country set?)"))?,
        Some(Transform::FirstName) => match (words.next(), words.next()) {
            (Some(first), Some(_)) => first.to_owned(),
            // A one-word name is a last name: CRMs require that one.
            _ => return Ok(None),
        },
        Some(Transform::LastName) => match words.next() {
            Some(_) if words.clone().next().is_some() => words.collect::<Vec<_>>().join(" "),
            _ => raw.to_owned(),
        },
    }))
}

/// A number field gets a JSON number, a yes/no field a boolean; anything else is text.
fn typed(kind: FieldKind, value: String) -> Value {
    match kind {
        FieldKind::Number => value
            .replace(',', "")
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::String(value), Value::Number),
        FieldKind::Bool => match value.to_lowercase().as_str() {
            "true" | "yes" | "1" => Value::Bool(true),
            "false" | "no" | "0" => Value::Bool(false),
            _ => Value::String(value),
        },
        _ => Value::String(value),
    }
}

/// A first mapping for a form whose leads carry `keys`: each standard answer to the CRM's field for
/// it, shaped as that field wants; required fields nothing matched are listed in `unmet`.
pub fn suggest(schema: &Schema, form: &str, keys: &[String]) -> Mapping {
    let has = |key: &str| keys.iter().any(|k| k == key);
    // The CRM's name for each kind of answer, in each CRM's own spelling.
    let candidates: &[(&str, &[&str], Option<Transform>)] = &[
        ("email", &["email", "Email"], Some(Transform::Email)),
        ("first_name", &["firstname", "FirstName", "first_name"], Some(Transform::Trim)),
        ("last_name", &["lastname", "LastName", "last_name"], Some(Transform::Trim)),
        ("phone_number", &["phone", "Phone", "MobilePhone"], Some(Transform::E164)),
        ("city", &["city", "City"], Some(Transform::Trim)),
        ("state", &["state", "State"], Some(Transform::Trim)),
        ("zip_code", &["zip", "PostalCode"], Some(Transform::Trim)),
        ("post_code", &["zip", "PostalCode"], Some(Transform::Trim)),
        ("country", &["country", "Country"], Some(Transform::Trim)),
        ("company_name", &["company", "Company", "org_name"], Some(Transform::Trim)),
        ("job_title", &["jobtitle", "Title", "job_title"], Some(Transform::Trim)),
    ];
    let mut fields: Vec<Rule> = Vec::new();
    let add = |fields: &mut Vec<Rule>, to: &str, from: &str, transform: Option<Transform>| {
        if schema.field(to).is_some() && !fields.iter().any(|r| r.to == to) {
            fields.push(Rule { to: to.to_owned(), from: Some(from.to_owned()), transform, ..Rule::default() });
        }
    };
    for (key, names, transform) in candidates {
        if has(key) {
            for name in names.iter() {
                add(&mut fields, name, key, *transform);
            }
        }
    }
    if has("full_name") {
        // Pipedrive keeps a person's whole name; the others split it when the form did not ask for
        // the parts.
        add(&mut fields, "name", "full_name", Some(Transform::Trim));
        for first in ["firstname", "FirstName"] {
            add(&mut fields, first, "full_name", Some(Transform::FirstName));
        }
        for last in ["lastname", "LastName"] {
            add(&mut fields, last, "full_name", Some(Transform::LastName));
        }
    }
    let unmet = schema
        .fields
        .iter()
        .filter(|f| f.required && !fields.iter().any(|r| r.to == f.name))
        .map(|f| f.name.clone())
        .collect();
    Mapping { crm: schema.crm, form: form.to_owned(), fields, unmet }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::schema::Field;

    fn field(name: &str, kind: FieldKind, required: bool, options: &[&str]) -> Field {
        let options = options.iter().map(|o| (*o).to_owned()).collect();
        Field {
            name: name.into(),
            label: name.into(),
            kind,
            required,
            options,
            option_values: Vec::new(),
            multiple: false,
        }
    }

    fn salesforce() -> Schema {
        Schema {
            crm: Crm::Salesforce,
            fields: vec![
                field("FirstName", FieldKind::Text, false, &[]),
                field("LastName", FieldKind::Text, true, &[]),
                field("Company", FieldKind::Text, true, &[]),
                field("Email", FieldKind::Email, false, &[]),
                field("Phone", FieldKind::Phone, false, &[]),
                field("LeadSource", FieldKind::Choice, false, &["Web", "Facebook Lead Ads"]),
                field("Budget__c", FieldKind::Choice, false, &["Low", "High"]),
                field("Created__c", FieldKind::Date, false, &[]),
                field("Employees__c", FieldKind::Number, false, &[]),
                field("Description", FieldKind::Text, false, &[]),
            ],
        }
    }

    fn keys() -> Vec<String> {
        ["created_time", "full_name", "email", "phone_number", "city", "zip_code", "what_is_your_budget?", "employees"]
            .map(str::to_owned)
            .to_vec()
    }

    fn rule(to: &str) -> Rule {
        Rule { to: to.into(), ..Rule::default() }
    }

    fn mapping() -> Mapping {
        let budget = BTreeMap::from([("1k".to_owned(), "Low".to_owned()), ("50k".to_owned(), "High".to_owned())]);
        Mapping {
            crm: Crm::Salesforce,
            form: "f1".into(),
            unmet: Vec::new(),
            fields: vec![
                Rule { from: Some("full_name".into()), transform: Some(Transform::FirstName), ..rule("FirstName") },
                Rule { from: Some("full_name".into()), transform: Some(Transform::LastName), ..rule("LastName") },
                Rule { constant: Some("Acme Shoes".into()), ..rule("Company") },
                Rule { from: Some("email".into()), transform: Some(Transform::Email), ..rule("Email") },
                Rule { from: Some("phone_number".into()), transform: Some(Transform::E164), ..rule("Phone") },
                Rule { constant: Some("Facebook Lead Ads".into()), ..rule("LeadSource") },
                Rule { from: Some("what_is_your_budget?".into()), map: Some(budget), ..rule("Budget__c") },
                Rule { from: Some("created_time".into()), date: Some("%Y-%m-%d".into()), ..rule("Created__c") },
                Rule { from: Some("employees".into()), ..rule("Employees__c") },
                Rule {
                    concat: Some(vec!["city".into(), "zip_code".into()]),
                    separator: Some(", ".into()),
                    ..rule("Description")
                },
            ],
        }
    }

    fn lead() -> Vec<(String, String)> {
        [
            ("created_time", "2026-07-16T00:12:13+03:00"),
            ("full_name", "  Zoë  van der Berg "),
            ("email", " Zoe@Example.ORG "),
            ("phone_number", "07700 900123"),
            ("city", "Leeds"),
            ("zip_code", ""),
            ("what_is_your_budget?", "50k"),
            ("employees", "1,200"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .to_vec()
    }

    #[test]
    fn every_transform_shapes_the_answer_as_the_crm_field_wants_it() {
        let sent = apply(&mapping(), &salesforce(), &lead(), Some("GB")).unwrap();
        let expected = serde_json::json!({
            "FirstName": "Zoë", "LastName": "van der Berg", "Company": "Acme Shoes", "Email": "zoe@example.org",
            "Phone": "+447700900123", "LeadSource": "Facebook Lead Ads", "Budget__c": "High",
            "Created__c": "2026-07-15", "Employees__c": 1200.0, "Description": "Leeds",
        });
        assert_eq!(Value::Object(sent), expected);
        // A one-word name is the last name; the first is left out rather than sent empty.
        let mut one_word = lead();
        one_word[1].1 = "Madonna".into();
        let sent = apply(&mapping(), &salesforce(), &one_word, Some("GB")).unwrap();
        assert_eq!((sent.get("FirstName"), sent["LastName"].as_str()), (None, Some("Madonna")));
    }

    #[test]
    fn a_lead_that_cannot_be_sent_as_mapped_says_every_reason_and_sends_nothing() {
        let mut bad = lead();
        bad[1].1 = "   ".into();
        bad[2].1 = "not-an-email".into();
        bad[6].1 = "10k".into();
        let problems = apply(&mapping(), &salesforce(), &bad, None).unwrap_err();
        let fields: Vec<&str> = problems.iter().filter_map(|p| p.field.as_deref()).collect();
        assert_eq!(fields, ["LastName", "Email", "Phone", "Budget__c"], "{problems:?}");
        assert!(problems[3].says.contains("'10k' has no value in the map"), "{}", problems[3]);
    }

    #[test]
    fn a_mapping_is_checked_against_the_live_schema_and_every_problem_is_listed() {
        assert_eq!(check(&mapping(), &salesforce(), &keys()), Vec::<Problem>::new());
        let mut wrong = mapping();
        wrong.fields.retain(|r| r.to != "Company");
        wrong.fields.push(Rule { from: Some("budget".into()), ..rule("Budgett__c") });
        wrong.fields.push(Rule { constant: Some("Instagram".into()), ..rule("LeadSource") });
        wrong.fields.push(Rule { from: Some("city".into()), constant: Some("x".into()), ..rule("FirstName") });
        wrong.fields.push(Rule { from: Some("created_time".into()), date: Some("%Q".into()), ..rule("Description") });
        let problems: Vec<String> = check(&wrong, &salesforce(), &keys()).iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            [
                "Budgett__c: Salesforce has no such field",
                "LeadSource: is written by more than one rule",
                "LeadSource: 'Instagram' is not one of its choices (Web, Facebook Lead Ads)",
                "FirstName: is written by more than one rule",
                "FirstName: takes its value from exactly one of: from, constant, concat",
                "Description: is written by more than one rule",
                "Description: '%Q' is not a date format (try %Y-%m-%d)",
                "Company: Salesforce needs it to create a record",
            ]
        );
        let hubspot = Schema { crm: Crm::HubSpot, fields: Vec::new() };
        assert_eq!(check(&mapping(), &hubspot, &keys()).len(), 1, "a mapping for another CRM is refused outright");
    }

    #[test]
    fn a_suggestion_maps_the_standard_answers_flags_what_is_required_and_reads_back_as_a_mapping() {
        let suggested = suggest(&salesforce(), "f1", &keys());
        let pairs: Vec<(&str, &str)> =
            suggested.fields.iter().map(|r| (r.to.as_str(), r.from.as_deref().unwrap_or(""))).collect();
        assert_eq!(
            pairs,
            [("Email", "email"), ("Phone", "phone_number"), ("FirstName", "full_name"), ("LastName", "full_name")]
        );
        assert_eq!(suggested.unmet, ["Company"]);
        let json = serde_json::to_string_pretty(&suggested).unwrap();
        let read: Mapping = serde_json::from_str(&json).unwrap();
        assert_eq!(read, suggested, "what suggest prints, set reads unedited");
        let problems = check(&read, &salesforce(), &keys());
        assert_eq!(problems.len(), 1, "only the unmet field: {problems:?}");
        assert!(
            serde_json::from_str::<Mapping>(r#"{"crm":"hubspot","form":"f","fields":[{"to":"x","form":"y"}]}"#)
                .is_err(),
            "a misspelt key is refused, not ignored"
        );
    }
}
