//! Reading a lead export file whatever its encoding and separator: UTF-16 LE/BE (with or without
//! BOM), UTF-8 (with or without BOM), TAB or comma separated whatever the file is named, or XLSX.
//! Everything comes out as UTF-8 records; nothing is held in memory but the current record
//! (XLSX excepted: its rows come from one sheet read whole, and Meta's XLSX exports are small).

use std::fs::File;
use std::io::{self, BufReader, Read, Seek};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use calamine::{Data, Reader, Xlsx};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use serde::Serialize;
use ts_rs::TS;

const SNIFF_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Utf8,
    Utf16Le,
    Utf16Be,
    /// Not valid UTF-8 or UTF-16: read as Windows-1252, the usual result of re-saving in a
    /// spreadsheet program on Windows.
    Windows1252,
    Xlsx,
}

impl Format {
    pub fn describe(self) -> &'static str {
        match self {
            Format::Utf8 => "UTF-8",
            Format::Utf16Le => "UTF-16 LE",
            Format::Utf16Be => "UTF-16 BE",
            Format::Windows1252 => "Windows-1252",
            Format::Xlsx => "XLSX",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("The file could not be read: {0}. Check that it exists and that you may read it.")]
    Io(#[from] io::Error),
    #[error("The file is empty: there is nothing to import.")]
    Empty,
    #[error(
        "This is not a text or XLSX file (it holds binary data). Choose the file Meta's \"Download leads\" produced."
    )]
    Binary,
    #[error("The file looks like XLSX but cannot be read as a spreadsheet ({0}). Open it in a spreadsheet program and save it again, or download it again.")]
    BadXlsx(String),
    #[error("The first row is not the header of a Meta lead export: it has no {missing} column. Found: {found}.")]
    NotLeadExport { missing: &'static str, found: String },
}

/// One record of the file, with the line it starts on (1 is the header).
pub struct Record<'a> {
    pub line: u64,
    pub fields: &'a csv::StringRecord,
}

/// An open export file: its header, then its records one at a time.
pub struct ExportFile {
    pub format: Format,
    /// csv-core places a record's start between the `\r` and `\n` of the line before it, one line
    /// short, in files whose lines end in CRLF.
    crlf: bool,
    pub separator: Option<char>,
    pub header: csv::StringRecord,
    pub size: u64,
    source: Source,
    record: csv::StringRecord,
    bytes_read: Arc<AtomicU64>,
}

enum Source {
    Text(csv::Reader<Box<dyn Read + Send>>),
    Sheet { rows: std::vec::IntoIter<Vec<Data>>, line: u64 },
}

/// What went wrong with one record; the record is skipped, the import goes on.
#[derive(Debug)]
pub enum RecordError {
    /// The text is not valid in the file's encoding (a replacement character came out).
    Encoding,
    /// The CSV reader gave up on this record.
    Malformed(String),
}

impl ExportFile {
    pub fn open(path: &Path) -> Result<Self, ReadError> {
        let mut file = File::open(path)?;
        let size = file.metadata()?.len();
        if size == 0 {
            return Err(ReadError::Empty);
        }
        let mut head = vec![0u8; SNIFF_BYTES.min(size as usize)];
        file.read_exact(&mut head)?;
        file.rewind()?;
        let bytes_read = Arc::new(AtomicU64::new(0));

        if head.starts_with(b"PK\x03\x04") {
            return Self::open_xlsx(file, size, bytes_read);
        }
        let (format, encoding) = sniff_encoding(&head, head.len() as u64 == size)?;
        let (separator, crlf) = sniff_separator(&head, encoding);
        let counted = Counted { inner: file, read: Arc::clone(&bytes_read) };
        let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(Some(encoding))
            .bom_override(true)
            .build(BufReader::with_capacity(256 * 1024, counted));
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(separator as u8)
            .buffer_capacity(256 * 1024)
            .from_reader(Box::new(decoded) as Box<dyn Read + Send>);
        let mut header = csv::StringRecord::new();
        if !reader.read_record(&mut header).map_err(|e| ReadError::Io(io::Error::other(e.to_string())))? {
            return Err(ReadError::Empty);
        }
        let header = clean_header(&header);
        check_header(&header)?;
        Ok(Self {
            format,
            crlf,
            separator: Some(separator),
            header,
            size,
            source: Source::Text(reader),
            record: csv::StringRecord::new(),
            bytes_read,
        })
    }

    fn open_xlsx(file: File, size: u64, bytes_read: Arc<AtomicU64>) -> Result<Self, ReadError> {
        let mut book: Xlsx<_> = Xlsx::new(BufReader::new(file)).map_err(|e| ReadError::BadXlsx(e.to_string()))?;
        let sheet = book.sheet_names().first().cloned().ok_or_else(|| ReadError::BadXlsx("it has no sheets".into()))?;
        let range = book.worksheet_range(&sheet).map_err(|e| ReadError::BadXlsx(e.to_string()))?;
        let mut rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
        if rows.is_empty() {
            return Err(ReadError::Empty);
        }
        let header: csv::StringRecord = rows.remove(0).iter().map(cell_text).collect();
        let header = clean_header(&header);
        check_header(&header)?;
        bytes_read.store(size, Ordering::Relaxed);
        Ok(Self {
            format: Format::Xlsx,
            crlf: false,
            separator: None,
            header,
            size,
            source: Source::Sheet { rows: rows.into_iter(), line: 1 },
            record: csv::StringRecord::new(),
            bytes_read,
        })
    }

    /// Bytes of the file consumed so far, for progress.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed).min(self.size)
    }

    /// The next record, `None` at the end of the file.
    pub fn next_record(&mut self) -> Option<Result<Record<'_>, (u64, RecordError)>> {
        match &mut self.source {
            Source::Text(reader) => {
                let line = reader.position().line() + 1;
                match reader.read_record(&mut self.record) {
                    Ok(false) => None,
                    Ok(true) => {
                        let line = self.record.position().map_or(line, |p| p.line() + u64::from(self.crlf));
                        if self.record.iter().any(|f| f.contains('\u{FFFD}')) {
                            return Some(Err((line, RecordError::Encoding)));
                        }
                        Some(Ok(Record { line, fields: &self.record }))
                    }
                    Err(e) => Some(Err((line, RecordError::Malformed(e.to_string())))),
                }
            }
            Source::Sheet { rows, line } => {
                let row = rows.next()?;
                *line += 1;
                self.record = row.iter().map(cell_text).collect();
                Some(Ok(Record { line: *line, fields: &self.record }))
            }
        }
    }
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

fn clean_header(header: &csv::StringRecord) -> csv::StringRecord {
    header.iter().map(|h| h.trim_start_matches('\u{FEFF}').trim().to_owned()).collect()
}

/// A lead export names every lead's creation time and the form it came through.
fn check_header(header: &csv::StringRecord) -> Result<(), ReadError> {
    let has = |name: &str| header.iter().any(|h| h.eq_ignore_ascii_case(name));
    let missing = if !has("created_time") {
        Some("created_time")
    } else if !has("id") && !has("form_id") && !has("form_name") {
        Some("id or form_id")
    } else {
        None
    };
    match missing {
        None => Ok(()),
        Some(missing) => {
            let mut found: Vec<String> =
                header.iter().take(8).map(|h| format!("'{}'", h.chars().take(40).collect::<String>())).collect();
            if header.len() > 8 {
                found.push(format!("and {} more", header.len() - 8));
            }
            Err(ReadError::NotLeadExport { missing, found: found.join(", ") })
        }
    }
}

fn sniff_encoding(head: &[u8], whole_file: bool) -> Result<(Format, &'static Encoding), ReadError> {
    if head.starts_with(&[0xFF, 0xFE]) {
        return Ok((Format::Utf16Le, UTF_16LE));
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Ok((Format::Utf16Be, UTF_16BE));
    }
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok((Format::Utf8, UTF_8));
    }
    // UTF-16 without a BOM: ASCII text leaves every other byte zero.
    let pairs = head.len() / 2;
    if pairs >= 8 {
        let even_zero = head.chunks_exact(2).filter(|p| p[0] == 0 && p[1] != 0).count();
        let odd_zero = head.chunks_exact(2).filter(|p| p[1] == 0 && p[0] != 0).count();
        if odd_zero * 10 > pairs * 8 {
            return Ok((Format::Utf16Le, UTF_16LE));
        }
        if even_zero * 10 > pairs * 8 {
            return Ok((Format::Utf16Be, UTF_16BE));
        }
    }
    if head.contains(&0) {
        return Err(ReadError::Binary);
    }
    match std::str::from_utf8(head) {
        Ok(_) => Ok((Format::Utf8, UTF_8)),
        // A multi-byte character cut by the end of the sample is still UTF-8.
        Err(e) if e.error_len().is_none() && !whole_file => Ok((Format::Utf8, UTF_8)),
        Err(_) => {
            let controls = head.iter().filter(|b| **b < 0x09 || (0x0E..0x20).contains(*b)).count();
            if controls * 20 > head.len() {
                return Err(ReadError::Binary);
            }
            Ok((Format::Windows1252, WINDOWS_1252))
        }
    }
}

/// TAB or comma, whichever the header line uses more outside quotes, and whether lines end in CRLF.
fn sniff_separator(head: &[u8], encoding: &'static Encoding) -> (char, bool) {
    let (text, _, _) = encoding.decode(head);
    let first_line = text.lines().next().unwrap_or("");
    let crlf = text.find('\n').is_some_and(|i| i > 0 && text.as_bytes()[i - 1] == b'\r');
    let (mut tabs, mut commas, mut quoted) = (0, 0, false);
    for c in first_line.chars() {
        match c {
            '"' => quoted = !quoted,
            '\t' if !quoted => tabs += 1,
            ',' if !quoted => commas += 1,
            _ => {}
        }
    }
    (if tabs >= commas && tabs > 0 { '\t' } else { ',' }, crlf)
}

struct Counted<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
