//! Lead export files in every shape the importer must read, made on the fly.

use std::path::{Path, PathBuf};

pub const HEADER: &[&str] = &[
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
    "what_is_your_budget?",
    "full_name",
    "email",
    "phone_number",
    "zip_code",
    "lead_status",
];

/// Three people, one of them with awkward text, and a test lead.
pub fn rows() -> Vec<Vec<String>> {
    let row =
        |id: &str, time: &str, platform: &str, budget: &str, name: &str, email: &str, phone: &str| -> Vec<String> {
            [
                id,
                time,
                "ag:120201",
                "Spring – video",
                "as:130301",
                "UK adults",
                "c:140401",
                "Test drives",
                "f:150501",
                "Test drive form",
                "false",
                platform,
                budget,
                name,
                email,
                phone,
                "z:01960",
                "CREATED",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
        };
    vec![
        row(
            "l:1001",
            "2026-07-16T00:12:13+03:00",
            "fb",
            "under_1000",
            "Ann Lee",
            "Ann.Lee@Example.com",
            "p:+447911123456",
        ),
        row(
            "l:1002",
            "2026-07-17T09:00:00+01:00",
            "ig",
            "=1+1 \"quoted\", with comma\tand tab",
            "Zoë Ørsted-Łukasz",
            "zoe@example.org",
            "p:07700 900123",
        ),
        row(
            "l:1003",
            "2026-07-18T10:30:00+0000",
            "fb",
            "line one\nline two",
            "Bob Stone",
            "bob@example.net",
            "p:+15551234567",
        ),
        row(
            "l:1004",
            "2026-07-18T11:00:00+0000",
            "fb",
            "<test lead: dummy data for what_is_your_budget?>",
            "<test lead: dummy data for full_name>",
            "test@fb.com",
            "<test lead: dummy data for phone_number>",
        ),
    ]
}

#[derive(Clone, Copy)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16LeBom,
    Utf16BeBom,
    Utf16LeNoBom,
}

/// The table as text: fields quoted where needed, `sep` between them, `eol` after each row.
pub fn text(header: &[&str], rows: &[Vec<String>], sep: char, eol: &str) -> String {
    let quote = |f: &str| {
        if f.contains(sep) || f.contains('"') || f.contains('\n') || f.contains('\r') {
            format!("\"{}\"", f.replace('"', "\"\""))
        } else {
            f.to_owned()
        }
    };
    let mut out = String::new();
    out.push_str(&header.iter().map(|h| quote(h)).collect::<Vec<_>>().join(&sep.to_string()));
    out.push_str(eol);
    for r in rows {
        out.push_str(&r.iter().map(|f| quote(f)).collect::<Vec<_>>().join(&sep.to_string()));
        out.push_str(eol);
    }
    out
}

pub fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        Encoding::Utf16LeBom => [vec![0xFF, 0xFE], utf16(text, u16::to_le_bytes)].concat(),
        Encoding::Utf16BeBom => [vec![0xFE, 0xFF], utf16(text, u16::to_be_bytes)].concat(),
        Encoding::Utf16LeNoBom => utf16(text, u16::to_le_bytes),
    }
}

fn utf16(text: &str, bytes: fn(u16) -> [u8; 2]) -> Vec<u8> {
    text.encode_utf16().flat_map(bytes).collect()
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

pub fn xlsx(dir: &Path, name: &str, header: &[&str], rows: &[Vec<String>]) -> PathBuf {
    let path = dir.join(name);
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, f) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, f).unwrap();
        }
    }
    book.save(&path).unwrap();
    path
}
