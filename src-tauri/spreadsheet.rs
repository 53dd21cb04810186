//! Tables written for people to open in spreadsheet programs: CSV and XLSX.
//!
//! Every CSV cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
//! TAB, CR or NUL) gets a leading `'` (OWASP, CWE-1236). XLSX cells are written as text, never as
//! formulas.

use std::borrow::Cow;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::export_file::{ExportFile, ExportFileError};

/// Excel's limit, header row included.
const XLSX_MAX_ROWS: u32 = 1_048_576;

pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\0') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0} cannot be written: {1}")]
    Io(PathBuf, String),
    #[error(transparent)]
    File(#[from] ExportFileError),
    #[error("Exports are written as .csv or .xlsx; {0} is neither.")]
    UnknownKind(PathBuf),
    #[error("{0}: an XLSX sheet holds at most 1,048,576 rows. Export to .csv, or narrow the filter.")]
    TooManyRows(PathBuf),
}

/// A table being written to a partial file beside its destination (see `export_file`); `finish`
/// moves it into place, so a failed or cancelled export never leaves half a file under the chosen
/// name.
pub enum Table {
    Csv { out: Box<csv::Writer<BufWriter<ExportFile>>>, dest: PathBuf },
    Xlsx { book: Box<rust_xlsxwriter::Workbook>, row: u32, file: ExportFile, dest: PathBuf },
}

impl Table {
    /// Starts a table at `dest`; an existing file there is replaced only with `replace`.
    pub fn create(dest: &Path, replace: bool) -> Result<Self, WriteError> {
        let ext = dest.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => {
                let file = ExportFile::create(dest, replace)?;
                Ok(Table::Csv { out: Box::new(csv::Writer::from_writer(BufWriter::new(file))), dest: dest.to_owned() })
            }
            Some("xlsx") => {
                // Built in memory: the library's low-memory mode spools rows to plaintext temporary
                // files, which would leave personal data behind outside the data directory.
                let file = ExportFile::create(dest, replace)?;
                let mut book = rust_xlsxwriter::Workbook::new();
                book.add_worksheet();
                Ok(Table::Xlsx { book: Box::new(book), row: 0, file, dest: dest.to_owned() })
            }
            _ => Err(WriteError::UnknownKind(dest.to_owned())),
        }
    }

    /// Where the partial file is, until `finish`.
    pub fn partial(&self) -> PathBuf {
        match self {
            Table::Csv { out, .. } => out.get_ref().get_ref().partial().to_owned(),
            Table::Xlsx { file, .. } => file.partial().to_owned(),
        }
    }

    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> Result<(), WriteError> {
        match self {
            Table::Csv { out, dest, .. } => {
                let record: Vec<Cow<'_, str>> = cells.into_iter().map(neutralise).collect();
                out.write_record(record.iter().map(|c| c.as_ref()))
                    .map_err(|e| WriteError::Io(dest.clone(), e.to_string()))
            }
            Table::Xlsx { book, row, dest, .. } => {
                if *row >= XLSX_MAX_ROWS {
                    return Err(WriteError::TooManyRows(dest.clone()));
                }
                let sheet = book.worksheet_from_index(0).map_err(|e| WriteError::Io(dest.clone(), e.to_string()))?;
                for (col, cell) in cells.into_iter().enumerate() {
                    sheet
                        .write_string(*row, col as u16, cell)
                        .map_err(|e| WriteError::Io(dest.clone(), e.to_string()))?;
                }
                *row += 1;
                Ok(())
            }
        }
    }

    pub fn finish(self) -> Result<PathBuf, WriteError> {
        let file = match self {
            Table::Csv { mut out, dest } => {
                out.flush().map_err(|e| WriteError::Io(dest.clone(), e.to_string()))?;
                let buffered = (*out).into_inner().map_err(|e| WriteError::Io(dest.clone(), e.to_string()))?;
                buffered.into_inner().map_err(|e| WriteError::Io(dest.clone(), e.to_string()))?
            }
            Table::Xlsx { mut book, mut file, dest, .. } => {
                let bytes = book.save_to_buffer().map_err(|e| WriteError::Io(dest.clone(), e.to_string()))?;
                file.write_all(&bytes)?;
                file
            }
        };
        Ok(file.finish()?)
    }

    /// Removes the partial file of an export that will not finish.
    pub fn abandon(self) {
        drop(self);
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn cells_that_would_run_as_formulas_are_quoted() {
        for cell in ["=1+1", "+44 7911", "-2", "@SUM(A1)", "\tx", "\rx", "\0x"] {
            assert_eq!(neutralise(cell), format!("'{cell}"), "{cell:?}");
        }
        for cell in ["Ann", "", "1+1", "a=b", " =x"] {
            assert_eq!(neutralise(cell), cell);
        }
    }
}
