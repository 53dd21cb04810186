//! Realistic lead export files: Meta's columns, 12 custom questions, the standard answer keys,
//! written as UTF-16 LE with a BOM and TABs, as Meta's "Download leads" does. Deterministic: lead
//! `i` is the same every time, so benchmarks and tests can ask for it back.

use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::leads::parse::META_COLUMNS;

const FIRST: &[&str] = &[
    "Ann", "Bogdan", "Chiara", "Dmitri", "Emma", "Farid", "Grace", "Hiroshi", "Ines", "Jonas", "Kemal", "Lucia",
    "Mateo", "Nadia", "Oskar", "Priya",
];
const LAST: &[&str] = &[
    "Lee", "Novak", "Rossi", "Ivanov", "Schmidt", "Haddad", "Okafor", "Tanaka", "García", "Berg", "Yılmaz", "Moreau",
    "Silva", "Kowalski", "Nielsen", "Patel",
];
const CITIES: &[&str] =
    &["London", "Manchester", "Berlin", "Milano", "Kraków", "Lyon", "Porto", "Rotterdam", "Göteborg", "Dublin"];
const QUESTIONS: [&str; 12] = [
    "what_is_your_budget?",
    "when_do_you_plan_to_buy?",
    "which_model_interests_you?",
    "how_did_you_hear_about_us?",
    "preferred_contact_time",
    "company_size",
    "job_title",
    "current_provider",
    "main_goal_for_this_year",
    "would_you_like_a_demo?",
    "anything_else_we_should_know?",
    "preferred_language",
];
const ANSWERS: [&[&str]; 12] = [
    &["under_1000", "1000_to_5000", "5000_to_20000", "over_20000"],
    &["this_month", "in_3_months", "in_6_months", "just_looking"],
    &["City Compact 1.2", "Family Estate Hybrid", "Urban EV Long Range", "Sport Coupé 2.0"],
    &["Instagram", "A friend told me", "Saw an ad on Facebook", "Google search"],
    &["Mornings before 10", "Lunch time", "After 6pm please", "Any time"],
    &["1-10", "11-50", "51-200", "201-1000"],
    &["Marketing manager", "Owner", "Head of operations", "Procurement lead"],
    &["None yet", "A local competitor", "An international brand", "We build it ourselves"],
    &["Grow online sales by a third", "Replace our old system", "Open a second location", "Cut delivery times"],
    &["yes", "no", "maybe_later"],
    &["Please call my office number rather than my mobile.", "", "We need delivery before the end of the quarter.", ""],
    &["English", "Deutsch", "Italiano", "Polski"],
];

const STANDARD: &[&str] = &["full_name", "email", "phone_number", "city", "zip_code", "country"];

/// The email of generated lead `i`.
pub fn email(i: u64) -> String {
    let (f, l) = name_parts(i);
    format!("{}.{}{}@example-mail.com", f.to_lowercase(), ascii(l).to_lowercase(), i)
}

/// The phone number of generated lead `i`, as the person typed it (international form).
pub fn phone(i: u64) -> String {
    format!("+44 7{:03} {:06}", (i / 1_000_000) % 1000, i % 1_000_000)
}

fn name_parts(i: u64) -> (&'static str, &'static str) {
    (FIRST[(i % 16) as usize], LAST[((i / 16) % 16) as usize])
}

fn ascii(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphabetic).collect()
}

/// When the newest generated lead (row 0) was created, seconds since 1970: 2 July 2026.
pub const NEWEST: i64 = 1_783_000_000;

/// The columns of row `i`.
pub fn row(i: u64) -> Vec<String> {
    let (first, last) = name_parts(i);
    let form = i % 3;
    let campaign = i % 5;
    let mut row = vec![
        format!("l:{}", 1_000_000_000_000_000 + i),
        // One lead every 7 seconds, going back from mid-2026.
        time_of(NEWEST - (i as i64) * 7),
        format!("ag:{}", 120_000_000_000 + i % 40),
        format!("Spring offer – creative {}", i % 40),
        format!("as:{}", 130_000_000_000 + i % 12),
        format!("Adults 25-54 – set {}", i % 12),
        format!("c:{}", 140_000_000_000 + campaign),
        format!("Lead generation campaign {campaign}"),
        format!("f:{}", 150_000_000_000 + form),
        format!("Test drive request form {form}"),
        i.is_multiple_of(10).to_string(),
        if i.is_multiple_of(4) { "ig" } else { "fb" }.to_owned(),
    ];
    for (q, answers) in ANSWERS.iter().enumerate() {
        row.push(answers[((i / (q as u64 + 1)) % answers.len() as u64) as usize].to_owned());
    }
    row.extend([
        format!("{first} {last}"),
        email(i),
        format!("p:{}", phone(i)),
        CITIES[(i % CITIES.len() as u64) as usize].to_owned(),
        format!("z:{:05}", i % 99_999),
        "GB".to_owned(),
        "CREATED".to_owned(),
    ]);
    row
}

pub fn header() -> Vec<String> {
    // Meta's columns but `lead_status`, the answers, then `lead_status`, as Meta's exports have them.
    let mut h: Vec<String> = META_COLUMNS[..12].iter().map(|s| (*s).to_owned()).collect();
    h.extend(QUESTIONS.iter().map(|s| (*s).to_owned()));
    h.extend(STANDARD.iter().map(|s| (*s).to_owned()));
    h.push("lead_status".into());
    h
}

fn time_of(unix: i64) -> String {
    let t = crate::clock::from_unix(unix).expect("a time in range");
    let t = t.with_timezone(&chrono::FixedOffset::east_opt(3_600).expect("valid offset"));
    t.format("%Y-%m-%dT%H:%M:%S+01:00").to_string()
}

/// Writes `rows` leads as UTF-16 LE with BOM, TAB-separated, and, when `utf8` is given, the same
/// table as plain UTF-8 TSV without a header (for the `sqlite3` reference).
pub fn write(path: &Path, rows: u64, utf8: Option<&Path>) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut plain = utf8.map(|p| std::fs::File::create(p).map(|f| BufWriter::with_capacity(1 << 20, f))).transpose()?;
    out.write_all(&[0xFF, 0xFE])?;
    let mut units: Vec<u8> = Vec::with_capacity(4096);
    let mut put = |out: &mut BufWriter<std::fs::File>, line: &str| -> io::Result<()> {
        units.clear();
        for u in line.encode_utf16() {
            units.extend_from_slice(&u.to_le_bytes());
        }
        out.write_all(&units)
    };
    put(&mut out, &(header().join("\t") + "\r\n"))?;
    for i in 0..rows {
        let line = row(i).join("\t");
        put(&mut out, &line)?;
        put(&mut out, "\r\n")?;
        if let Some(p) = plain.as_mut() {
            p.write_all(line.as_bytes())?;
            p.write_all(b"\n")?;
        }
    }
    out.flush()?;
    if let Some(mut p) = plain {
        p.flush()?;
    }
    Ok(())
}
