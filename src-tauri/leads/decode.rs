//! Reading a lead export file whatever its encoding and separator: UTF-16 LE/BE (with or without
//! BOM), UTF-8 (with or without BOM), TAB or comma separated whatever the file is named, or XLSX.
//! Everything comes out as UTF-8 records; nothing is held in memory but the current record
//! (XLSX excepted: its cells come from one sheet read whole, and Meta's XLSX exports are small).
//!
//! Hostile files are refused before they can take the machine's memory: a record is at most
//! `MAX_RECORD_BYTES` and a field `MAX_FIELD_BYTES` in every format; an XLSX archive is checked
//! for its declared uncompressed sizes (a zip bomb) and its sheet for its declared and actual
//! extent (a cell at XFD1048576) before its cells are read.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use calamine::{Data, Reader, Xlsx};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use serde::Serialize;
use ts_rs::TS;

const SNIFF_BYTES: usize = 64 * 1024;

/// The longest field taken, in bytes of UTF-8: a lead's answer is never near this.
pub const MAX_FIELD_BYTES: usize = 1024 * 1024;
/// The longest record taken; a longer one stops the reading, since its end cannot be trusted.
pub const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;
/// The most an XLSX archive may hold once uncompressed, all parts together.
const MAX_XLSX_UNCOMPRESSED: u64 = 512 * 1024 * 1024;
/// The most any part of an XLSX archive may expand by; deflate reaches about 1,000 only on
/// repetitive filler, which is what a zip bomb is made of.
const MAX_XLSX_RATIO: u64 = 100;
/// Columns a lead export sheet may use; Meta's have a few dozen.
const MAX_COLUMNS: u32 = 4_096;
/// Cells a sheet may declare or hold.
const MAX_CELLS: u64 = 50_000_000;

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
    #[error("The first row is not the header this file needs: it has no {missing} column. Found: {found}.")]
    MissingColumn { missing: &'static str, found: String },
    #[error("The first row names the {0} column more than once, so which to read is unclear. Rename or remove the others and try again.")]
    RepeatedColumn(String),
    #[error("This XLSX file would expand to {0} when unpacked, more than a lead export ever does: it may be a zip bomb. Nothing was imported. Download the export from Meta again.")]
    ZipBomb(String),
    #[error("This XLSX sheet reaches {0}, far beyond a lead export's rows and columns: it may have been damaged or made to exhaust memory. Nothing was imported. Open it in a spreadsheet program, delete what lies outside the leads, and save it again.")]
    SheetTooLarge(String),
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

/// A sheet's row with its line, or why it was not taken.
type SheetRow = (u64, Result<csv::StringRecord, RecordError>);

enum Source {
    Text { reader: csv::Reader<Box<dyn Read + Send>>, overlong: Arc<AtomicBool>, stopped: bool },
    Sheet { rows: std::vec::IntoIter<SheetRow> },
}

/// What went wrong with one record; the record is skipped, the import goes on.
#[derive(Debug)]
pub enum RecordError {
    /// The text is not valid in the file's encoding (a replacement character came out).
    Encoding,
    /// The CSV reader gave up on this record.
    Malformed(String),
    /// A field longer than `MAX_FIELD_BYTES`.
    FieldTooLong,
    /// A record longer than `MAX_RECORD_BYTES`: the reading stops here.
    RecordTooLong,
}

impl ExportFile {
    pub fn open(path: &Path) -> Result<Self, ReadError> {
        Self::open_checked(path, &check_header)
    }

    /// A table of another kind, with the same guards, whose header must name each of `required`
    /// (in any case).
    pub fn open_table(path: &Path, required: &'static [&'static str]) -> Result<Self, ReadError> {
        Self::open_checked(path, &|header: &csv::StringRecord| match required
            .iter()
            .find(|r| !header.iter().any(|h| h.eq_ignore_ascii_case(r)))
        {
            None => Ok(()),
            Some(missing) => Err(ReadError::MissingColumn { missing, found: found_columns(header) }),
        })
    }

    fn open_checked(
        path: &Path,
        check: &dyn Fn(&csv::StringRecord) -> Result<(), ReadError>,
    ) -> Result<Self, ReadError> {
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
            return Self::open_xlsx(file, size, bytes_read, check);
        }
        let (format, encoding) = sniff_encoding(&head, head.len() as u64 == size)?;
        let (separator, crlf) = sniff_separator(&head, encoding);
        let counted = Counted { inner: file, read: Arc::clone(&bytes_read) };
        let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(Some(encoding))
            .bom_override(true)
            .build(BufReader::with_capacity(256 * 1024, counted));
        let overlong = Arc::new(AtomicBool::new(false));
        let guarded = RecordGuard { inner: decoded, since_end: 0, quoted: false, overlong: Arc::clone(&overlong) };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(separator as u8)
            .buffer_capacity(256 * 1024)
            .from_reader(Box::new(guarded) as Box<dyn Read + Send>);
        let mut header = csv::StringRecord::new();
        if !reader.read_record(&mut header).map_err(|e| ReadError::Io(io::Error::other(e.to_string())))? {
            return Err(ReadError::Empty);
        }
        let header = clean_header(&header);
        check(&header)?;
        Ok(Self {
            format,
            crlf,
            separator: Some(separator),
            header,
            size,
            source: Source::Text { reader, overlong, stopped: false },
            record: csv::StringRecord::new(),
            bytes_read,
        })
    }

    fn open_xlsx(
        file: File,
        size: u64,
        bytes_read: Arc<AtomicU64>,
        check: &dyn Fn(&csv::StringRecord) -> Result<(), ReadError>,
    ) -> Result<Self, ReadError> {
        check_archive(&file)?;
        let mut book: Xlsx<_> = Xlsx::new(BufReader::new(file)).map_err(|e| ReadError::BadXlsx(e.to_string()))?;
        let sheet = book.sheet_names().first().cloned().ok_or_else(|| ReadError::BadXlsx("it has no sheets".into()))?;
        let mut rows = read_sheet(&mut book, &sheet)?.into_iter();
        let header = match rows.next() {
            Some((_, Ok(header))) => clean_header(&header),
            Some((_, Err(_))) => return Err(ReadError::SheetTooLarge("a header cell over 1 MiB".into())),
            None => return Err(ReadError::Empty),
        };
        check(&header)?;
        bytes_read.store(size, Ordering::Relaxed);
        Ok(Self {
            format: Format::Xlsx,
            crlf: false,
            separator: None,
            header,
            size,
            source: Source::Sheet { rows },
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
            Source::Text { reader, overlong, stopped } => {
                if *stopped {
                    return None;
                }
                let line = reader.position().line() + 1;
                let read = reader.read_record(&mut self.record);
                // The guard ended the input inside a record too long to hold: report it, once.
                if overlong.load(Ordering::Relaxed) {
                    *stopped = true;
                    return Some(Err((line, RecordError::RecordTooLong)));
                }
                match read {
                    Ok(false) => None,
                    Ok(true) => {
                        let line = self.record.position().map_or(line, |p| p.line() + u64::from(self.crlf));
                        if self.record.iter().any(|f| f.len() > MAX_FIELD_BYTES) {
                            return Some(Err((line, RecordError::FieldTooLong)));
                        }
                        if self.record.iter().any(|f| f.contains('\u{FFFD}')) {
                            return Some(Err((line, RecordError::Encoding)));
                        }
                        Some(Ok(Record { line, fields: &self.record }))
                    }
                    Err(e) => Some(Err((line, RecordError::Malformed(e.to_string())))),
                }
            }
            Source::Sheet { rows } => match rows.next()? {
                (line, Ok(record)) => {
                    self.record = record;
                    Some(Ok(Record { line, fields: &self.record }))
                }
                (line, Err(e)) => Some(Err((line, e))),
            },
        }
    }
}

/// Refuses an archive whose parts declare more than a lead export could ever unpack to, from its
/// central directory alone: nothing is decompressed.
fn check_archive(file: &File) -> Result<(), ReadError> {
    let mut archive = zip::ZipArchive::new(file).map_err(|e| ReadError::BadXlsx(e.to_string()))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let part = archive.by_index_raw(i).map_err(|e| ReadError::BadXlsx(e.to_string()))?;
        let (size, packed) = (part.size(), part.compressed_size().max(1));
        total = total.saturating_add(size);
        if size > 1024 * 1024 && size / packed > MAX_XLSX_RATIO {
            return Err(ReadError::ZipBomb(format!("{} MiB from {} KiB in one part", size >> 20, packed >> 10)));
        }
    }
    if total > MAX_XLSX_UNCOMPRESSED {
        return Err(ReadError::ZipBomb(format!("{} MiB", total >> 20)));
    }
    Ok(())
}

/// The sheet's rows that hold cells, with their lines, read cell by cell: the declared extent is
/// checked first, and every cell's place as it comes, so a sparse sheet cannot make a range of
/// billions of empty cells.
fn read_sheet<R: Read + Seek>(book: &mut Xlsx<R>, sheet: &str) -> Result<Vec<SheetRow>, ReadError> {
    let mut cells = book.worksheet_cells_reader(sheet).map_err(|e| ReadError::BadXlsx(e.to_string()))?;
    let declared = cells.dimensions();
    let too_large = |(row, col): (u32, u32)| {
        let place = format!("row {} and column {}", u64::from(row) + 1, u64::from(col) + 1);
        ReadError::SheetTooLarge(place)
    };
    if declared.end.1 >= MAX_COLUMNS || declared.len() > MAX_CELLS {
        return Err(too_large(declared.end));
    }
    let mut rows: Vec<(u32, Vec<String>, usize)> = Vec::new();
    let mut count: u64 = 0;
    while let Some(cell) = cells.next_cell().map_err(|e| ReadError::BadXlsx(e.to_string()))? {
        let (row, col) = cell.get_position();
        count += 1;
        if col >= MAX_COLUMNS || count > MAX_CELLS {
            return Err(too_large((row, col)));
        }
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if rows.last().is_none_or(|(r, _, _)| *r != row) {
            rows.push((row, Vec::new(), 0));
        }
        let (_, fields, bytes) = rows.last_mut().expect("pushed above");
        *bytes += text.len();
        if fields.len() <= col as usize {
            fields.resize(col as usize + 1, String::new());
        }
        fields[col as usize] = text;
    }
    Ok(rows
        .into_iter()
        .map(|(row, fields, bytes)| {
            let line = u64::from(row) + 1;
            let checked = if bytes > MAX_RECORD_BYTES {
                Err(RecordError::RecordTooLong)
            } else if fields.iter().any(|f| f.len() > MAX_FIELD_BYTES) {
                Err(RecordError::FieldTooLong)
            } else {
                Ok(fields.into_iter().collect())
            };
            (line, checked)
        })
        .collect())
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
        Some(missing) => Err(ReadError::NotLeadExport { missing, found: found_columns(header) }),
    }
}

/// The first columns of a header, for an error that says what the file has instead.
fn found_columns(header: &csv::StringRecord) -> String {
    let mut found: Vec<String> =
        header.iter().take(8).map(|h| format!("'{}'", h.chars().take(40).collect::<String>())).collect();
    if header.len() > 8 {
        found.push(format!("and {} more", header.len() - 8));
    }
    found.join(", ")
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
    if let Some(utf16) = utf16_without_bom(head) {
        return Ok(utf16);
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

/// The UTF-16 a text starting with `head` is written in, by its BOM or without one: text that is
/// mostly ASCII leaves every other byte zero. `None` for any other encoding.
pub(crate) fn utf16_of(head: &[u8]) -> Option<&'static Encoding> {
    if head.starts_with(&[0xFF, 0xFE]) {
        return Some(UTF_16LE);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Some(UTF_16BE);
    }
    utf16_without_bom(head).map(|(_, encoding)| encoding)
}

fn utf16_without_bom(head: &[u8]) -> Option<(Format, &'static Encoding)> {
    let pairs = head.len() / 2;
    if pairs < 8 {
        return None;
    }
    let even_zero = head.chunks_exact(2).filter(|p| p[0] == 0 && p[1] != 0).count();
    let odd_zero = head.chunks_exact(2).filter(|p| p[1] == 0 && p[0] != 0).count();
    if odd_zero * 10 > pairs * 8 {
        return Some((Format::Utf16Le, UTF_16LE));
    }
    if even_zero * 10 > pairs * 8 {
        return Some((Format::Utf16Be, UTF_16BE));
    }
    None
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

/// Ends the text (as if the file ended) once a record runs past `MAX_RECORD_BYTES`, so that no
/// record, however it is quoted, can make the reader hold more than that. It follows quotes as the
/// CSV reader does: a line break inside quotes does not end a record, and `""` toggles twice.
struct RecordGuard<R> {
    inner: R,
    since_end: usize,
    quoted: bool,
    overlong: Arc<AtomicBool>,
}

impl<R: Read> Read for RecordGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.overlong.load(Ordering::Relaxed) {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        for (i, b) in buf[..n].iter().enumerate() {
            match b {
                b'"' => self.quoted = !self.quoted,
                b'\n' if !self.quoted => {
                    self.since_end = 0;
                    continue;
                }
                _ => {}
            }
            self.since_end += 1;
            if self.since_end > MAX_RECORD_BYTES {
                self.overlong.store(true, Ordering::Relaxed);
                return Ok(i);
            }
        }
        Ok(n)
    }
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
