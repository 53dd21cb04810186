//! One export row to one lead: Meta's own columns by name, every other column an answer, type
//! prefixes stripped, test leads recognised, identifiers normalised and hashed for the index.

use sha2::{Digest, Sha256};

use crate::identity::{Hasher, IdKind, IdentityHash};

/// Meta's columns that describe a lead rather than hold the person's answers, in the order Meta
/// writes them (`lead_status` comes last in an export, after the answers).
pub const META_COLUMNS: [&str; 13] = [
    "id",
    "created_time",
    "ad_id",
    "ad_name",
    "adset_id",
    "adset_name",
    "campaign_id",
    "campaign_name",
    "form_id",
    "form_name",
    "is_organic",
    "platform",
    "lead_status",
];

/// Where Meta's columns are in one file's header.
#[derive(Debug, Default)]
pub struct Columns {
    id: Option<usize>,
    created_time: Option<usize>,
    ad_id: Option<usize>,
    ad_name: Option<usize>,
    adset_id: Option<usize>,
    adset_name: Option<usize>,
    campaign_id: Option<usize>,
    campaign_name: Option<usize>,
    form_id: Option<usize>,
    form_name: Option<usize>,
    is_organic: Option<usize>,
    platform: Option<usize>,
    lead_status: Option<usize>,
    /// Every other column, in file order: custom questions and standard answer keys.
    answers: Vec<(usize, String)>,
    width: usize,
}

/// A lead ready to be stored.
#[derive(Debug, Clone)]
pub struct Lead {
    pub lead_key: String,
    pub meta_id: Option<String>,
    pub created_time: String,
    pub created_unix: i64,
    pub ad_id: String,
    pub ad_name: String,
    pub adset_id: String,
    pub adset_name: String,
    pub campaign_id: String,
    pub campaign_name: String,
    pub form_id: String,
    pub form_name: String,
    pub is_organic: Option<bool>,
    pub platform: String,
    pub lead_status: String,
    pub is_test: bool,
    pub full_name: String,
    pub email: String,
    pub phone: String,
    /// `[answer, …]` as JSON, in the order of `Columns::answer_keys`.
    pub answers: String,
    /// Every answer, for full-text search.
    pub body: String,
    pub content_hash: String,
    pub line: u64,
    /// `(kind, keyed hash)`.
    pub identities: Vec<(u8, IdentityHash)>,
    /// Phone numbers kept by their digits only, for want of a country.
    pub unplaced_phones: usize,
}

impl Lead {
    /// The keyed hashes kept in the lead's own columns, in their order: lead id, email, phone,
    /// second email, second phone. The lead's triggers forget its index entries through them.
    pub fn hash_columns(&self) -> [Option<&[u8]>; 5] {
        let of = |kinds: &[IdKind]| {
            let mut found = self.identities.iter().filter(|(k, _)| kinds.iter().any(|w| *w as u8 == *k));
            [found.next().map(|(_, h)| &h[..]), found.next().map(|(_, h)| &h[..])]
        };
        let [id, _] = of(&[IdKind::LeadId]);
        let [email, email2] = of(&[IdKind::Email]);
        let [phone, phone2] = of(&[IdKind::Phone, IdKind::PhoneDigits]);
        [id, email, phone, email2, phone2]
    }
}

/// How many emails, and how many phones, of one lead are indexed: a form asks for a personal and a
/// work one at the most.
pub const PER_KIND: usize = 2;

/// The person's identifiers among a lead's answers, normalised, with the answer each came from.
pub struct Identifiers<'a> {
    pub entries: Vec<(IdKind, String, &'a str)>,
    /// Phone numbers that could not be placed in a country: kept as `IdKind::PhoneDigits`.
    pub unplaced: usize,
}

impl<'a> Identifiers<'a> {
    pub fn first(&self, kind: IdKind) -> Option<&'a str> {
        self.entries.iter().find(|(k, _, _)| *k == kind).map(|(_, _, raw)| *raw)
    }
}

/// Every email and phone number a lead holds: any answer whose question is an email or phone
/// field (`email`, `work_email`, `EMAIL`, `phone_number`, `work_phone_number`, …, in any case),
/// and any answer that is an email address whatever its question. A phone that cannot be placed
/// in a country is kept by its digits.
pub fn identifiers_in<'a>(answers: impl Iterator<Item = (&'a str, &'a str)>, country: Option<&str>) -> Identifiers<'a> {
    let mut found = Identifiers { entries: Vec::new(), unplaced: 0 };
    for (key, value) in answers {
        if value.is_empty() || value.starts_with(TEST_LEAD) {
            continue;
        }
        let key = key.to_ascii_lowercase();
        let looks_like_email = value.contains('@') && !value.contains(char::is_whitespace);
        let entry = if (key.contains("phone") || key.contains("mobile")) && !looks_like_email {
            let stored = crate::identity::stored_phone(value, country);
            if matches!(stored, Some((IdKind::PhoneDigits, _))) {
                found.unplaced += 1;
            }
            stored
        } else if key.contains("email") || looks_like_email {
            crate::identity::normalise_email(value).map(|e| (IdKind::Email, e))
        } else {
            None
        };
        if let Some((kind, normalised)) = entry {
            let phone = |k: &IdKind| matches!(k, IdKind::Phone | IdKind::PhoneDigits);
            let same_kind = found.entries.iter().filter(|(k, _, _)| *k == kind || (phone(k) && phone(&kind))).count();
            if same_kind < PER_KIND && !found.entries.iter().any(|(k, n, _)| *k == kind && *n == normalised) {
                found.entries.push((kind, normalised, value));
            }
        }
    }
    found
}

const TEST_LEAD: &str = "<test lead:";

impl Columns {
    pub fn from_header(header: &csv::StringRecord) -> Self {
        let mut c = Columns { width: header.len(), ..Default::default() };
        for (i, name) in header.iter().enumerate() {
            let slot = match name.to_ascii_lowercase().as_str() {
                // Exports re-saved by other tools name Meta's lead id `lead_id`.
                "id" | "lead_id" => &mut c.id,
                "created_time" => &mut c.created_time,
                "ad_id" => &mut c.ad_id,
                "ad_name" => &mut c.ad_name,
                "adset_id" => &mut c.adset_id,
                "adset_name" => &mut c.adset_name,
                "campaign_id" => &mut c.campaign_id,
                "campaign_name" => &mut c.campaign_name,
                "form_id" => &mut c.form_id,
                "form_name" => &mut c.form_name,
                "is_organic" => &mut c.is_organic,
                "platform" => &mut c.platform,
                "lead_status" => &mut c.lead_status,
                _ => {
                    c.answers.push((i, name.to_owned()));
                    continue;
                }
            };
            if slot.is_none() {
                *slot = Some(i);
            }
        }
        c
    }

    pub fn width(&self) -> usize {
        self.width
    }

    /// The question columns, as JSON `["question", …]`: what every lead's answers are keyed by.
    pub fn answer_keys(&self) -> String {
        serde_json::to_string(&self.answers.iter().map(|(_, k)| k).collect::<Vec<_>>()).expect("strings serialise")
    }

    /// Reads one record; `Err` carries the reason it was rejected (never its content).
    pub fn lead(
        &self,
        fields: &csv::StringRecord,
        line: u64,
        hasher: &Hasher,
        country: Option<&str>,
    ) -> Result<Lead, String> {
        if fields.len() != self.width {
            return Err(if fields.len() < self.width {
                format!(
                    "has {} fields where the header has {}; the row is cut short or the file ends inside it",
                    fields.len(),
                    self.width
                )
            } else {
                format!(
                    "has {} fields where the header has {}; a separator inside an unquoted value?",
                    fields.len(),
                    self.width
                )
            });
        }
        let get = |col: Option<usize>| col.and_then(|i| fields.get(i)).map(str::trim).unwrap_or("");
        let id = |col: Option<usize>, prefix: &str| strip_id(get(col), prefix).to_owned();

        let created_time = get(self.created_time).to_owned();
        let created_unix = parse_time(&created_time).ok_or_else(|| "created_time is not a date and time".to_owned())?;
        let meta_id = Some(id(self.id, "l:")).filter(|s| !s.is_empty());

        let mut is_test = false;
        let mut answers: Vec<(&str, &str)> = Vec::with_capacity(self.answers.len());
        let (mut full_name, mut first, mut last) = ("", "", "");
        for (i, key) in &self.answers {
            let value = strip_answer_prefix(key, fields.get(*i).unwrap_or("").trim());
            is_test |= value.starts_with(TEST_LEAD);
            match key.as_str() {
                "full_name" => full_name = value,
                "first_name" => first = value,
                "last_name" => last = value,
                _ => {}
            }
            answers.push((key, value));
        }
        let found = identifiers_in(answers.iter().copied(), country);
        let email = found.first(IdKind::Email);
        let phone = found.first(IdKind::Phone).or_else(|| found.first(IdKind::PhoneDigits)).unwrap_or("");
        let email = email.unwrap_or("");
        let full_name =
            if full_name.is_empty() { format!("{first} {last}").trim().to_owned() } else { full_name.to_owned() };

        let content_hash = content_hash(fields.iter());
        let lead_key = meta_id.clone().unwrap_or_else(|| format!("h:{content_hash}"));

        let mut identities = Vec::with_capacity(3);
        if let Some(id) = &meta_id {
            identities.push((IdKind::LeadId as u8, hasher.hash(IdKind::LeadId, id)));
        }
        if !is_test {
            for (kind, normalised, _) in &found.entries {
                let entry = (*kind as u8, hasher.hash(*kind, normalised));
                if !identities.contains(&entry) {
                    identities.push(entry);
                }
            }
        }

        let body = search_body(answers.iter().map(|(_, v)| *v));
        Ok(Lead {
            lead_key,
            meta_id,
            created_time,
            created_unix,
            ad_id: id(self.ad_id, "ag:"),
            ad_name: get(self.ad_name).to_owned(),
            adset_id: id(self.adset_id, "as:"),
            adset_name: get(self.adset_name).to_owned(),
            campaign_id: id(self.campaign_id, "c:"),
            campaign_name: get(self.campaign_name).to_owned(),
            form_id: id(self.form_id, "f:"),
            form_name: get(self.form_name).to_owned(),
            is_organic: parse_bool(get(self.is_organic)),
            platform: get(self.platform).to_ascii_lowercase(),
            lead_status: get(self.lead_status).to_owned(),
            is_test,
            full_name,
            unplaced_phones: if is_test { 0 } else { found.unplaced },
            email: email.to_owned(),
            phone: phone.to_owned(),
            answers: serde_json::to_string(&answers.iter().map(|(_, v)| v).collect::<Vec<_>>())
                .expect("strings serialise"),
            body,
            content_hash,
            line,
            identities,
        })
    }
}

/// What tells one version of a lead from another: a digest of its values, each trimmed.
pub fn content_hash<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let mut hash = Sha256::new();
    for v in values {
        hash.update(v.trim().as_bytes());
        hash.update([0x1f]);
    }
    hex::encode(&hash.finalize()[..16])
}

/// `l:123` → `123`: Meta's type prefix on ids, only when digits follow.
fn strip_id<'a>(value: &'a str, prefix: &str) -> &'a str {
    match value.strip_prefix(prefix) {
        Some(rest) if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => value,
    }
}

/// `p:+44…` → `+44…` and `z:01960` → `01960`; other answers are kept exactly as typed.
fn strip_answer_prefix<'a>(key: &str, value: &'a str) -> &'a str {
    if let Some(rest) = value.strip_prefix("p:") {
        if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit() || b"+-() ".contains(&b)) {
            return rest;
        }
    }
    if let Some(rest) = value.strip_prefix("z:") {
        let zip_column = key.contains("zip") || key.contains("post");
        if zip_column || (rest.len() <= 10 && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-'))
        {
            return rest;
        }
    }
    value
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// Seconds since the epoch of Meta's times: `2026-07-16T00:12:13+03:00`, `…+0300`, `…Z`, or a
/// date and time with a space and no offset (read as UTC, as spreadsheets re-save them).
pub fn parse_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (y, mo, d, h, mi, sec) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=days_in_month(y, mo)).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "" | "Z" | "z" | "+0000" | "+00:00" => 0,
        o if o.len() >= 5 && (o.starts_with('+') || o.starts_with('-')) => {
            let digits: String = o[1..].chars().filter(char::is_ascii_digit).collect();
            if digits.len() != 4 {
                return None;
            }
            let minutes = digits[..2].parse::<i64>().ok()? * 60 + digits[2..].parse::<i64>().ok()?;
            if o.starts_with('-') {
                -minutes * 60
            } else {
                minutes * 60
            }
        }
        _ => return None,
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

/// How many days month `m` of year `y` has: a 31 February is refused, not rolled into March.
fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// What full-text search indexes of a lead: its non-empty answers, one a line.
pub fn search_body<'a>(answers: impl Iterator<Item = &'a str>) -> String {
    answers.filter(|v| !v.is_empty()).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::Sensitive;

    fn record(fields: &[&str]) -> csv::StringRecord {
        fields.iter().copied().collect()
    }

    const HEADER: &[&str] = &[
        "id",
        "created_time",
        "ad_id",
        "form_id",
        "is_organic",
        "platform",
        "full_name",
        "email",
        "phone_number",
        "zip_code",
        "what_is_your_budget?",
        "lead_status",
    ];

    fn hasher() -> Hasher {
        Hasher::new(&Sensitive::new([1u8; 32]))
    }

    #[test]
    fn meta_times_in_every_offset_style_agree() {
        let utc = parse_time("2026-07-15T21:12:13Z").unwrap();
        assert_eq!(parse_time("2026-07-16T00:12:13+03:00"), Some(utc));
        assert_eq!(parse_time("2026-07-16T00:12:13+0300"), Some(utc));
        assert_eq!(parse_time("2026-07-15 21:12:13"), Some(utc));
        assert_eq!(parse_time("1970-01-01T00:00:00+0000"), Some(0));
        assert_eq!(parse_time("2016-12-21T14:50:56+0000"), Some(1_482_331_856));
        assert_eq!(parse_time("2028-02-29T00:00:00Z"), parse_time("2028-02-28T00:00:00Z").map(|t| t + 86_400));
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-07-16T00:12:13+3",
            "2026-02-31T10:00:00Z",
            "2026-02-29T10:00:00Z",
            "2026-04-31T10:00:00Z",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn prefixes_are_stripped_and_answers_kept_in_order() {
        let cols = Columns::from_header(&record(HEADER));
        let lead = cols
            .lead(
                &record(&[
                    "l:1062269359945847",
                    "2026-07-16T00:12:13+03:00",
                    "ag:120",
                    "f:77",
                    "false",
                    "IG",
                    "Ann Lee",
                    "Ann@X.com",
                    "p:+918119944494",
                    "z:01960",
                    "c:over 5k",
                    "CREATED",
                ]),
                2,
                &hasher(),
                None,
            )
            .unwrap();
        assert_eq!(lead.meta_id.as_deref(), Some("1062269359945847"));
        assert_eq!(lead.lead_key, "1062269359945847");
        assert_eq!((lead.ad_id.as_str(), lead.form_id.as_str(), lead.platform.as_str()), ("120", "77", "ig"));
        assert_eq!(lead.is_organic, Some(false));
        assert_eq!(lead.phone, "+918119944494");
        let keys: Vec<String> = serde_json::from_str(&cols.answer_keys()).unwrap();
        let values: Vec<String> = serde_json::from_str(&lead.answers).unwrap();
        let answer = |k: &str| keys.iter().position(|q| q == k).map(|i| values[i].as_str());
        assert_eq!(answer("zip_code"), Some("01960"), "the zip code's type prefix is stripped");
        assert_eq!(answer("what_is_your_budget?"), Some("c:over 5k"), "a custom answer keeps its text");
        assert_eq!(lead.identities.len(), 3);
        assert!(!lead.is_test);
    }

    #[test]
    fn test_leads_are_flagged_and_not_indexed_as_people() {
        let cols = Columns::from_header(&record(HEADER));
        let lead = cols
            .lead(
                &record(&[
                    "l:1",
                    "2026-07-16T00:12:13+03:00",
                    "",
                    "f:77",
                    "false",
                    "fb",
                    "<test lead: dummy data for full_name>",
                    "test@fb.com",
                    "<test lead: dummy data for phone_number>",
                    "",
                    "",
                    "CREATED",
                ]),
                2,
                &hasher(),
                None,
            )
            .unwrap();
        assert!(lead.is_test);
        assert_eq!(lead.identities.len(), 1, "only the lead id");
    }

    #[test]
    fn rows_of_the_wrong_width_or_time_are_rejected_with_a_reason() {
        let cols = Columns::from_header(&record(HEADER));
        let short = cols.lead(&record(&["l:1", "2026-07-16T00:12:13Z"]), 5, &hasher(), None).unwrap_err();
        assert!(short.contains("2 fields where the header has 12"), "{short}");
        let mut fields: Vec<&str> = vec![""; 12];
        fields[1] = "not a time";
        let err = cols.lead(&record(&fields), 6, &hasher(), None).unwrap_err();
        assert!(err.contains("created_time"));
    }

    #[test]
    fn a_row_without_an_id_is_keyed_by_its_content() {
        let cols = Columns::from_header(&record(HEADER));
        let mut fields: Vec<&str> = vec![""; 12];
        fields[1] = "2026-07-16T00:12:13Z";
        fields[6] = "Ann";
        let a = cols.lead(&record(&fields), 2, &hasher(), None).unwrap();
        let b = cols.lead(&record(&fields), 9, &hasher(), None).unwrap();
        assert!(a.lead_key.starts_with("h:"));
        assert_eq!(a.lead_key, b.lead_key);
    }
}
