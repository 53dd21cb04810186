//! The answer to an access or portability request: a ZIP with the person's data as JSON
//! (complete) and CSV (one file per kind, formula-safe), a summary page with the processing
//! information of GDPR Art. 15, and a manifest with the SHA-256 of every file.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::discovery::Discovery;
use super::Request;
use crate::html::escape;
use crate::personal_data::HeldRecord;
use crate::spreadsheet::neutralise;

/// The processing information the summary quotes, in the order it is shown.
pub const INFO_KEYS: [(&str, &str); 7] = [
    ("controller", "Who is responsible"),
    ("purposes", "Why the data is processed"),
    ("categories", "What kinds of data"),
    ("recipients", "Who receives it"),
    ("retention", "How long it is kept"),
    ("source", "Where it came from"),
    ("rights", "Your rights"),
];

/// One file in the package.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PackedFile {
    pub name: String,
    #[ts(type = "number")]
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Package {
    pub path: String,
    #[ts(type = "number")]
    pub records: u64,
    pub files: Vec<PackedFile>,
}

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("The export is a ZIP file: give a path ending in .zip.")]
    NotZip,
    #[error("{0} cannot be written: {1}. Choose another place, or free some space.")]
    Io(PathBuf, String),
    #[error(transparent)]
    File(#[from] crate::export_file::ExportFileError),
}

/// Everything in the package, as the JSON file holds it.
#[derive(Serialize)]
struct Complete<'a> {
    generated_at: &'a str,
    request: RequestPart<'a>,
    holdings: &'a [super::discovery::Group],
}

#[derive(Serialize)]
struct RequestPart<'a> {
    id: i64,
    kind: &'a str,
    received_on: &'a str,
    identifiers: &'a [super::Identifier],
}

/// Writes the package to `dest` (through its partial file, so a failure leaves nothing under that
/// name; an existing file there is replaced only with `replace`) and returns what it holds.
pub fn write(
    dest: &Path,
    replace: bool,
    request: &Request,
    found: &Discovery,
    info: &[(String, String)],
    generated_at: &str,
) -> Result<Package, PackageError> {
    if !dest.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")) {
        return Err(PackageError::NotZip);
    }
    let complete = Complete {
        generated_at,
        request: RequestPart {
            id: request.id,
            kind: request.kind.as_str(),
            received_on: &request.received_on,
            identifiers: &found.searched,
        },
        holdings: &found.groups,
    };
    let mut files: Vec<(String, Vec<u8>)> =
        vec![("data.json".into(), serde_json::to_vec_pretty(&complete).expect("the package serialises"))];
    let mut kinds: Vec<&str> = found.groups.iter().map(|g| g.kind.as_str()).collect();
    kinds.dedup();
    for kind in kinds {
        let records: Vec<(&Option<String>, &HeldRecord)> = found
            .groups
            .iter()
            .filter(|g| g.kind.as_str() == kind)
            .flat_map(|g| g.records.iter().map(move |r| (&g.client, r)))
            .collect();
        files.push((format!("{kind}.csv"), csv_of(&records)));
    }
    files.push(("summary.html".into(), summary(request, found, info, generated_at).into_bytes()));
    let mut listed: Vec<PackedFile> = files
        .iter()
        .map(|(name, bytes)| PackedFile {
            name: name.clone(),
            bytes: bytes.len() as u64,
            sha256: hex::encode(Sha256::digest(bytes)),
        })
        .collect();
    files.push(("manifest.json".into(), serde_json::to_vec_pretty(&listed).expect("the manifest serialises")));

    let io = |e: &dyn std::fmt::Display| PackageError::Io(dest.to_owned(), e.to_string());
    let mut file = crate::export_file::ExportFile::create(dest, replace)?;
    {
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(&mut file));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in &files {
            zip.start_file(name.as_str(), options).map_err(|e| io(&e))?;
            zip.write_all(bytes).map_err(|e| io(&e))?;
        }
        zip.finish().map_err(|e| io(&e))?.flush().map_err(|e| io(&e))?;
    }
    file.finish()?;
    let manifest = files.last().expect("the manifest was added");
    listed.push(PackedFile {
        name: manifest.0.clone(),
        bytes: manifest.1.len() as u64,
        sha256: hex::encode(Sha256::digest(&manifest.1)),
    });
    Ok(Package { path: dest.display().to_string(), records: found.records() as u64, files: listed })
}

/// One kind's records as CSV: where each came from, then every field any of them has.
fn csv_of(records: &[(&Option<String>, &HeldRecord)]) -> Vec<u8> {
    let mut names: Vec<&str> = Vec::new();
    for (_, r) in records {
        for (name, _) in &r.fields {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
    }
    // Records read live from where they are kept say when.
    let live = records.iter().any(|(_, r)| r.fetched_at.is_some());
    let mut out = csv::Writer::from_writer(Vec::new());
    let place = ["client", "record", "source"].into_iter().chain(live.then_some("read live at"));
    let head = place.chain(names.iter().copied());
    out.write_record(head.map(neutralise).map(|c| c.into_owned())).expect("writing to memory");
    for (client, r) in records {
        let mut row = vec![client.as_deref().unwrap_or("").to_owned(), r.id.clone(), r.source.clone()];
        if live {
            row.push(r.fetched_at.clone().unwrap_or_default());
        }
        row.extend(
            names.iter().map(|n| r.fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap_or_default()),
        );
        out.write_record(row.iter().map(|c| neutralise(c).into_owned())).expect("writing to memory");
    }
    out.into_inner().expect("writing to memory")
}

/// The page a person reads: what is held about them, and how it is processed.
fn summary(request: &Request, found: &Discovery, info: &[(String, String)], generated_at: &str) -> String {
    let mut h = String::new();
    h.push_str("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Your personal data</title>");
    h.push_str("<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}");
    h.push_str("table{border-collapse:collapse;margin:0.5em 0 1.5em}th,td{border:1px solid #ccc;padding:0.2em 0.5em;");
    h.push_str("text-align:left;vertical-align:top}th{background:#f4f4f4}</style></head><body>\n");
    h.push_str("<h1>Your personal data</h1>\n");
    let searched: Vec<String> =
        found.searched.iter().map(|i| format!("{} {}", i.kind.label(), escape(&i.value))).collect();
    h.push_str(&format!(
        "<p>In answer to request {} ({}), received {}. Searched for: {}. Prepared {}.</p>\n",
        request.id,
        request.kind.as_str(),
        escape(&request.received_on),
        searched.join(", "),
        escape(generated_at)
    ));
    if found.groups.is_empty() {
        h.push_str("<p><strong>We hold no personal data about you under these identifiers.</strong></p>\n");
    } else {
        h.push_str(&format!("<p>We hold {} about you.</p>\n", escape(&found.describe())));
    }
    h.push_str("<h2>How your data is processed</h2>\n<table>\n");
    for (key, label) in INFO_KEYS {
        let value = info.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str());
        h.push_str(&format!("<tr><th>{label}</th><td>{}</td></tr>\n", escape(value)));
    }
    h.push_str("</table>\n");
    for g in &found.groups {
        let client = g.client.as_deref().map(|c| format!(" — {}", escape(c))).unwrap_or_default();
        h.push_str(&format!("<h2>{}{client}</h2>\n", escape(&g.label)));
        for r in &g.records {
            let live = r.fetched_at.as_deref().map(|at| format!(" (read live there at {at})")).unwrap_or_default();
            h.push_str(&format!("<p>{}{}</p>\n<table>\n", escape(&r.source), escape(&live)));
            for (k, v) in &r.fields {
                h.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>\n", escape(k), escape(v)));
            }
            h.push_str("</table>\n");
        }
    }
    h.push_str(
        "<p>The files data.json (complete) and one CSV per kind of data hold the same in a machine-readable form; ",
    );
    h.push_str("manifest.json lists the SHA-256 of every file.</p>\n</body></html>\n");
    h
}
