//! A file of conversations as an agency has it: WhatsApp's "Export chat" text (`_chat.txt`), the
//! ZIP the apps make of it with its media, or an archive of Cloud API webhook payloads (JSON
//! Lines). Which it is is decided by what it holds, not by its name. A ZIP is checked from its
//! directory before anything is unpacked, and read no further than it said, so that a zip bomb
//! costs nothing; only the chat's text is read from it, never the media.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::whatsapp_export::{self, DateOrder};

/// The most a chat's text may be once unpacked: years of a busy chat are a few hundred MiB.
const LONGEST_TEXT: u64 = 2 << 30;
/// The most the chat's text may expand by; deflate reaches about 1,000 only on repetitive filler,
/// which is what a zip bomb is made of.
const MOST_RATIO: u64 = 100;
/// The longest line read; a longer one is cut there and reported.
pub const LONGEST_LINE: usize = 1 << 20;
/// Lines looked at to tell what a file is.
const SNIFF_LINES: usize = 200;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ChatFileError {
    #[error("{0} cannot be read: {1}")]
    Unreadable(String, String),
    #[error(
        "{0} is a ZIP without a chat's text in it: WhatsApp's Export chat makes a ZIP holding _chat.txt. Export the \
         chat again, or give the text file itself."
    )]
    NoChatInZip(String),
    #[error(
        "{0} would expand to {1} when unpacked, more than a chat's text ever does: it may be a zip bomb. Nothing was \
         imported."
    )]
    ZipBomb(String, String),
    #[error(
        "{0} is neither WhatsApp's Export chat text nor an archive of webhook payloads (JSON Lines): its first lines \
         start with no date and time of a message, and are not JSON."
    )]
    Unknown(String),
}

/// What a file of conversations holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// WhatsApp's Export chat, its dates written in this order.
    Export(DateOrder),
    WebhookArchive,
}

/// A file of conversations, its kind found.
#[derive(Debug)]
pub struct ChatFile {
    path: PathBuf,
    /// Its name, as errors give it.
    name: String,
    /// The chat's text in the ZIP, by its index.
    entry: Option<usize>,
    pub kind: Kind,
    pub size: u64,
}

/// One line of a file: its text, and whether it was cut at `LONGEST_LINE` or held text that is not
/// UTF-8 (read with U+FFFD in its place).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLine {
    pub text: String,
    pub damaged: bool,
}

impl ChatFile {
    /// Opens `path` and finds what it holds, reading its lines once for a WhatsApp export's date
    /// order (the first day above 12 anywhere in it decides).
    pub fn open(path: &Path) -> Result<Self, ChatFileError> {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "the file".into());
        let unreadable = |e: std::io::Error| ChatFileError::Unreadable(name.clone(), e.to_string());
        let size = std::fs::metadata(path).map_err(unreadable)?.len();
        let mut magic = [0u8; 4];
        let read = File::open(path).and_then(|mut f| f.read(&mut magic)).map_err(unreadable)?;
        let entry = if read == 4 && magic == *b"PK\x03\x04" { Some(chat_entry(path, &name)?) } else { None };
        let mut file = Self { path: path.to_owned(), name: name.clone(), entry, kind: Kind::WebhookArchive, size };
        let mut lines = file.lines()?;
        let first: Vec<String> =
            lines.by_ref().take(SNIFF_LINES).map(|l| l.map(|l| l.text)).collect::<Result<_, _>>()?;
        let first_text = first.iter().map(|l| l.trim_start_matches('\u{FEFF}').trim()).find(|l| !l.is_empty());
        file.kind = if first_text.is_some_and(|l| l.starts_with('{')) {
            Kind::WebhookArchive
        } else if first.iter().any(|l| whatsapp_export::starts_message(l)) {
            // Read through once for the date order, a line at a time; a failure to read ends it.
            let mut failed = None;
            let rest = lines.map_while(|l| l.map_err(|e| failed = Some(e)).ok()).map(|l| l.text);
            let order = whatsapp_export::date_order(first.into_iter().chain(rest));
            if let Some(e) = failed {
                return Err(e);
            }
            Kind::Export(order)
        } else {
            return Err(ChatFileError::Unknown(name));
        };
        Ok(file)
    }

    /// Its name, as errors and sources give it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's lines, from the start; a failure to read ends them with why.
    pub fn lines(&self) -> Result<impl Iterator<Item = Result<FileLine, ChatFileError>> + Send, ChatFileError> {
        let unreadable = |e: String| ChatFileError::Unreadable(self.name.clone(), e);
        let file = File::open(&self.path).map_err(|e| unreadable(e.to_string()))?;
        let reader: Box<dyn Read + Send> = match self.entry {
            None => Box::new(file),
            // The chat's text is read straight from its place in the file, no further than the
            // directory said (checked when the file was opened): nothing else is unpacked, and
            // nothing is held in memory.
            Some(index) => {
                let mut archive = zip::ZipArchive::new(file).map_err(|e| unreadable(e.to_string()))?;
                let entry = archive.by_index_raw(index).map_err(|e| unreadable(e.to_string()))?;
                let (method, packed, size) = (entry.compression(), entry.compressed_size(), entry.size());
                let start = entry.data_start().ok_or_else(|| unreadable("no data for the chat's text".into()))?;
                drop(entry);
                let mut file = archive.into_inner();
                file.seek(SeekFrom::Start(start)).map_err(|e| unreadable(e.to_string()))?;
                let data = file.take(packed);
                match method {
                    zip::CompressionMethod::Stored => Box::new(data.take(size)),
                    zip::CompressionMethod::Deflated => Box::new(flate2::read::DeflateDecoder::new(data).take(size)),
                    other => return Err(unreadable(format!("its text is compressed as {other:?}, which is not read"))),
                }
            }
        };
        Ok(Lines { reader: BufReader::new(reader), done: false, name: self.name.clone() })
    }
}

/// The chat's text in a ZIP: its one `_chat.txt` (iOS), or its one text file (Android names it
/// for the chat), checked from the directory alone.
fn chat_entry(path: &Path, name: &str) -> Result<usize, ChatFileError> {
    let unreadable = |e: zip::result::ZipError| ChatFileError::Unreadable(name.to_owned(), e.to_string());
    let file = File::open(path).map_err(|e| ChatFileError::Unreadable(name.to_owned(), e.to_string()))?;
    let mut archive = zip::ZipArchive::new(file).map_err(unreadable)?;
    // Text files, less the resource forks a Mac adds when it zips (`__MACOSX/`, `._name`), with
    // their names split on either kind of slash.
    let mut texts: Vec<(usize, String)> = Vec::new();
    for i in 0..archive.len() {
        let Some(entry_name) = archive.name_for_index(i) else { continue };
        let entry_name = entry_name.map_err(unreadable)?;
        let base = entry_name.rsplit(['/', '\\']).next().unwrap_or_default();
        let fork = entry_name.starts_with("__MACOSX") || base.starts_with("._");
        if !fork && base.to_ascii_lowercase().ends_with(".txt") {
            texts.push((i, base.to_owned()));
        }
    }
    let chats: Vec<usize> = texts.iter().filter(|(_, base)| base == "_chat.txt").map(|(i, _)| *i).collect();
    let index = match (chats.as_slice(), texts.as_slice()) {
        ([one], _) => *one,
        ([], [(one, _)]) => *one,
        _ => return Err(ChatFileError::NoChatInZip(name.to_owned())),
    };
    // Only the chat's text is checked: a long document sent in the chat is never unpacked.
    let entry = archive.by_index_raw(index).map_err(unreadable)?;
    let (size, packed) = (entry.size(), entry.compressed_size().max(1));
    if size > LONGEST_TEXT || (size > 1 << 20 && size / packed > MOST_RATIO) {
        return Err(ChatFileError::ZipBomb(name.to_owned(), format!("{} MiB", size >> 20)));
    }
    Ok(index)
}

struct Lines<R> {
    reader: BufReader<R>,
    done: bool,
    name: String,
}

impl<R: Read> Lines<R> {
    fn read(&mut self) -> std::io::Result<Option<FileLine>> {
        let mut bytes = Vec::new();
        // A line is read no further than the longest taken; the rest of it is passed over.
        let read = (&mut self.reader).take(LONGEST_LINE as u64 + 1).read_until(b'\n', &mut bytes)?;
        if read == 0 {
            return Ok(None);
        }
        let mut cut = false;
        if bytes.len() > LONGEST_LINE && bytes.last() != Some(&b'\n') {
            cut = true;
            bytes.truncate(LONGEST_LINE);
            let mut rest = Vec::new();
            while (&mut self.reader).take(LONGEST_LINE as u64).read_until(b'\n', &mut rest)? > 0 {
                let ended = rest.last() == Some(&b'\n');
                rest.clear();
                if ended {
                    break;
                }
            }
        }
        while matches!(bytes.last(), Some(b'\n' | b'\r')) {
            bytes.pop();
        }
        let (text, damaged) = match String::from_utf8(bytes) {
            Ok(text) => (text, cut),
            Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
        };
        Ok(Some(FileLine { text, damaged }))
    }
}

impl<R: Read> Iterator for Lines<R> {
    type Item = Result<FileLine, ChatFileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let read = self.read();
        self.done = !matches!(read, Ok(Some(_)));
        read.map_err(|e| ChatFileError::Unreadable(self.name.clone(), e.to_string())).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    struct Scratch(PathBuf);

    impl Scratch {
        fn new() -> Self {
            let dir = std::env::temp_dir().join(format!("custodian-chat-file-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
            let path = self.0.join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        }

        fn zip(&self, name: &str, entries: &[(&str, &[u8])]) -> PathBuf {
            let path = self.0.join(name);
            let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
            let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            for (entry, bytes) in entries {
                zip.start_file(*entry, options).unwrap();
                zip.write_all(bytes).unwrap();
            }
            zip.finish().unwrap();
            path
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const EXPORT: &str = "\u{FEFF}04/01/2026, 10:00 - Ann: Hi\n13/01/2026, 11:00 - Bob: Hello\n";

    fn texts(file: &ChatFile) -> Vec<String> {
        file.lines().unwrap().map(|l| l.unwrap().text).collect()
    }

    #[test]
    fn a_chat_is_told_by_what_it_holds_whatever_its_name_and_a_zip_gives_only_its_text() {
        let scratch = Scratch::new();
        let plain = ChatFile::open(&scratch.write("chat.json", EXPORT.as_bytes())).unwrap();
        assert_eq!(plain.kind, Kind::Export(DateOrder::DayFirst));
        let zipped = scratch.zip(
            "WhatsApp Chat - Ann.zip",
            &[("00000012-PHOTO-2026-01-04-10-00-00.jpg", &[0xFF, 0xD8, 0xFF]), ("_chat.txt", EXPORT.as_bytes())],
        );
        let zipped = ChatFile::open(&zipped).unwrap();
        assert_eq!(zipped.kind, Kind::Export(DateOrder::DayFirst));
        assert_eq!(texts(&zipped), texts(&plain));
        let android = scratch.zip(
            "android.zip",
            &[("WhatsApp Chat with Ann.txt", EXPORT.as_bytes()), ("__MACOSX/._WhatsApp Chat with Ann.txt", b"\0\x05")],
        );
        assert_eq!(texts(&ChatFile::open(&android).unwrap()).len(), 2);
        let filler = vec![b'a'; 64 << 20];
        let with_a_log = scratch.zip("log.zip", &[("_chat.txt", EXPORT.as_bytes()), ("server.log.txt", &filler)]);
        assert_eq!(ChatFile::open(&with_a_log).unwrap().kind, Kind::Export(DateOrder::DayFirst));

        let archive = scratch.write("archive.txt", b"\n{\"entry\": []}\n");
        assert_eq!(ChatFile::open(&archive).unwrap().kind, Kind::WebhookArchive);
    }

    #[test]
    fn a_file_that_is_no_chat_a_zip_without_one_and_a_zip_bomb_are_refused_with_why() {
        let scratch = Scratch::new();
        let leads = scratch.write("leads.csv", b"id,created_time,email\n1,2026-01-01,a@example.com\n");
        assert!(matches!(ChatFile::open(&leads), Err(ChatFileError::Unknown(_))));
        let photos = scratch.zip("photos.zip", &[("a.jpg", &[1, 2, 3])]);
        assert!(matches!(ChatFile::open(&photos), Err(ChatFileError::NoChatInZip(_))));
        let two = scratch.zip("two.zip", &[("A/_chat.txt", EXPORT.as_bytes()), ("B/_chat.txt", EXPORT.as_bytes())]);
        assert!(matches!(ChatFile::open(&two), Err(ChatFileError::NoChatInZip(_))), "which chat is not guessed");
        let filler = vec![b'a'; 64 << 20];
        let bomb = scratch.zip("bomb.zip", &[("_chat.txt", &filler)]);
        assert!(matches!(ChatFile::open(&bomb), Err(ChatFileError::ZipBomb(_, _))));
    }

    #[test]
    fn an_overlong_line_is_cut_and_text_that_is_not_utf8_is_marked_and_kept() {
        let scratch = Scratch::new();
        let mut bytes = b"04/01/2026, 10:00 - Ann: ".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', LONGEST_LINE + 10));
        bytes.extend_from_slice(b"\n04/01/2026, 10:01 - Ann: caf\xE9\n04/01/2026, 10:02 - Ann: fine\n");
        let file = ChatFile::open(&scratch.write("_chat.txt", &bytes)).unwrap();
        let lines: Vec<FileLine> = file.lines().unwrap().map(Result::unwrap).collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].damaged && lines[0].text.len() == LONGEST_LINE);
        assert!(lines[1].damaged && lines[1].text.ends_with("caf\u{FFFD}"));
        assert_eq!(lines[2], FileLine { text: "04/01/2026, 10:02 - Ann: fine".into(), damaged: false });
    }
}
