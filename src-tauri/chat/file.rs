//! A file of conversations as an agency has it: WhatsApp's "Export chat" text (`_chat.txt`), the
//! ZIP the apps make of it with its media, or an archive of Cloud API webhook payloads (JSON
//! Lines). Which it is is decided by what it holds, not by its name. A ZIP is checked from its
//! directory before anything is unpacked, and read no further than it said, so that a zip bomb
//! costs nothing; only the chat's text is read from it, never the media.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::whatsapp_export::{self, DateOrder, Layout, Survey, Unsettled};

/// The most a chat's text may be once unpacked: years of a busy chat are a few hundred MiB.
const LONGEST_TEXT: u64 = 2 << 30;
/// The most the chat's text may expand by; deflate reaches about 1,000 only on repetitive filler,
/// which is what a zip bomb is made of.
const MOST_RATIO: u64 = 100;
/// The longest line read; a longer one is cut there and reported.
pub const LONGEST_LINE: usize = 1 << 20;
/// Lines looked at to tell what a file is.
const SNIFF_LINES: usize = 200;
/// What is read of each text in a ZIP to tell the chat's from a text file sent in it.
const SNIFF_BYTES: u64 = 8 << 10;

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
    #[error(
        "{name}'s dates read as well day first as month first (line {line}: {date}), and none of them says which. \
         Say which order the phone writes dates in, and import it again: a wrong guess would date every message \
         wrongly. Nothing was imported."
    )]
    DateOrderUnknown { name: String, line: u64, date: String },
    #[error(
        "{name}'s dates are not written {asked}: line {line} has {date}, which read that way is no date, or comes \
         before the date above it. Import it with the other order. Nothing was imported."
    )]
    DateOrderRefused { name: String, asked: &'static str, line: u64, date: String },
}

impl ChatFileError {
    fn unsettled(name: &str, unsettled: Unsettled) -> Self {
        match unsettled {
            Unsettled::Either { line, date } => Self::DateOrderUnknown { name: name.to_owned(), line, date },
            Unsettled::NotAsked { asked, line, date } => Self::DateOrderRefused {
                name: name.to_owned(),
                asked: match asked {
                    DateOrder::DayFirst => "day first",
                    DateOrder::MonthFirst => "month first",
                },
                line,
                date,
            },
        }
    }
}

/// What a file of conversations holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// WhatsApp's Export chat, read in this layout.
    Export(Layout),
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

/// One line of a file: its text, and what was wrong with it as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLine {
    pub text: String,
    pub flaw: Option<Flaw>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaw {
    /// It was longer than `LONGEST_LINE`, and was cut there.
    Cut,
    /// It held bytes that are not UTF-8, read as U+FFFD.
    NotUtf8,
}

impl Flaw {
    pub fn reason(self) -> &'static str {
        match self {
            Self::Cut => "it is longer than 1 MiB, and was cut there",
            Self::NotUtf8 => "it holds bytes that are not text in its encoding, read as \u{FFFD}",
        }
    }
}

impl ChatFile {
    /// Opens `path` and finds what it holds, reading a WhatsApp export's lines once for its form
    /// and its day/month order (`asked` where the dates do not say it).
    pub fn open(path: &Path, asked: Option<DateOrder>) -> Result<Self, ChatFileError> {
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
            // Read through once for the layout, a line at a time; a failure to read ends it.
            let mut survey = Survey::default();
            first.iter().for_each(|l| survey.line(l));
            for line in lines {
                survey.line(&line?.text);
            }
            match survey.layout(asked) {
                Ok(Some(layout)) => Kind::Export(layout),
                Ok(None) => return Err(ChatFileError::Unknown(name)),
                Err(unsettled) => return Err(ChatFileError::unsettled(&name, unsettled)),
            }
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
        let mut reader = BufReader::new(reader);
        let head = reader.fill_buf().map_err(|e| unreadable(e.to_string()))?;
        // WhatsApp writes UTF-8; a file saved again on Windows may be UTF-16. An export starts with
        // a date, in ASCII: its first bytes tell, whatever script its messages are in.
        let utf16 = crate::leads::decode::utf16_of(&head[..head.len().min(32)]);
        let reader: Box<dyn BufRead + Send> = match utf16 {
            Some(utf16) => Box::new(BufReader::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new().encoding(Some(utf16)).bom_override(true).build(reader),
            )),
            None => Box::new(reader),
        };
        Ok(Lines { reader, decoded: utf16.is_some(), done: false, name: self.name.clone() })
    }
}

/// The chat's text in a ZIP: its one `_chat.txt` (iOS), or its one text file that starts as a chat
/// does (Android names it for the chat; a text file sent in the chat is beside it). Only the
/// directory and the first few KiB of each text file are read.
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
    let mut chats: Vec<usize> = texts.iter().filter(|(_, base)| base == "_chat.txt").map(|(i, _)| *i).collect();
    if chats.is_empty() {
        for (i, _) in &texts {
            // A text that cannot be read (encrypted, compressed some other way) is no chat here.
            let mut head = Vec::new();
            let read = archive.by_index(*i).map(|entry| entry.take(SNIFF_BYTES).read_to_end(&mut head));
            if matches!(read, Ok(Ok(_))) && starts_a_chat(&head) {
                chats.push(*i);
            }
        }
        // Beside a chat, an export sent in it: the chat's own names whom it is with as the ZIP
        // does (a copy's " (1)" aside).
        if chats.len() > 1 {
            let with = chat_name(name);
            chats.retain(|i| texts.iter().any(|(t, base)| t == i && with.is_some() && chat_name(base) == with));
        }
    }
    let [index] = chats[..] else { return Err(ChatFileError::NoChatInZip(name.to_owned())) };
    // Only the chat's text is checked: a long document sent in the chat is never unpacked.
    let entry = archive.by_index_raw(index).map_err(unreadable)?;
    let (size, packed) = (entry.size(), entry.compressed_size().max(1));
    if size > LONGEST_TEXT || (size > 1 << 20 && size / packed > MOST_RATIO) {
        return Err(ChatFileError::ZipBomb(name.to_owned(), format!("{} MiB", size >> 20)));
    }
    Ok(index)
}

/// Whether a text's first bytes start as a WhatsApp export does, in UTF-8 or UTF-16.
fn starts_a_chat(head: &[u8]) -> bool {
    let text = match crate::leads::decode::utf16_of(&head[..head.len().min(32)]) {
        Some(utf16) => utf16.decode_with_bom_removal(head).0,
        None => String::from_utf8_lossy(head),
    };
    text.lines().filter(|l| !l.trim().is_empty()).take(3).any(whatsapp_export::starts_message)
}

/// Whom an export is with, from its file's name as the apps write it ("WhatsApp Chat with Ann
/// Lee.txt", "WhatsApp Chat - Ann Lee.zip"), in any locale's words before the name.
pub fn chat_name(file_name: &str) -> Option<String> {
    let stem = file_name.rsplit_once('.').map_or(file_name, |(stem, _)| stem).trim();
    let name = [
        "WhatsApp Chat with ",
        "WhatsApp Chat - ",
        "Chat de WhatsApp con ",
        "WhatsApp-Chat mit ",
        "Discussion WhatsApp avec ",
        "Conversa do WhatsApp com ",
        "Chat WhatsApp con ",
    ]
    .iter()
    .find_map(|prefix| stem.strip_prefix(prefix))
    .or_else(|| (stem != "_chat" && !stem.is_empty()).then_some(stem))?;
    // A file saved twice is named "… (1).txt": the same chat.
    let name = name
        .trim()
        .strip_suffix(')')
        .and_then(|n| n.rsplit_once(" ("))
        // Up to two digits: "Reunion (2019)" is a name.
        .filter(|(_, copy)| (1..=2).contains(&copy.len()) && copy.bytes().all(|b| b.is_ascii_digit()))
        .map_or(name, |(name, _)| name);
    Some(name.trim().to_owned()).filter(|n| !n.is_empty())
}

struct Lines {
    reader: Box<dyn BufRead + Send>,
    /// Decoded from UTF-16, which writes what it cannot read as U+FFFD.
    decoded: bool,
    done: bool,
    name: String,
}

impl Lines {
    fn read(&mut self) -> std::io::Result<Option<FileLine>> {
        let mut bytes = Vec::new();
        // A line is read no further than the longest taken; the rest of it is passed over.
        let read = (&mut self.reader).take(LONGEST_LINE as u64 + 1).read_until(b'\n', &mut bytes)?;
        if read == 0 {
            return Ok(None);
        }
        let mut flaw = None;
        if bytes.len() > LONGEST_LINE && bytes.last() != Some(&b'\n') {
            flaw = Some(Flaw::Cut);
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
        let text = match String::from_utf8(bytes) {
            Ok(text) if self.decoded && text.contains('\u{FFFD}') => {
                flaw = flaw.or(Some(Flaw::NotUtf8));
                text
            }
            Ok(text) => text,
            Err(e) => {
                flaw = flaw.or(Some(Flaw::NotUtf8));
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }
        };
        Ok(Some(FileLine { text, flaw }))
    }
}

impl Iterator for Lines {
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

    impl ChatFile {
        fn open_as_found(path: &Path) -> Result<Self, ChatFileError> {
            Self::open(path, None)
        }

        fn order(&self) -> Option<DateOrder> {
            match self.kind {
                Kind::Export(layout) => Some(layout.order),
                Kind::WebhookArchive => None,
            }
        }
    }

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
    fn a_copy_of_an_exports_file_names_the_same_chat() {
        for name in
            ["WhatsApp Chat with Ann Lee.txt", "WhatsApp Chat with Ann Lee (1).txt", "WhatsApp Chat - Ann Lee (12).zip"]
        {
            assert_eq!(chat_name(name).as_deref(), Some("Ann Lee"), "{name}");
        }
        assert_eq!(chat_name("WhatsApp Chat with Team (Berlin).txt").as_deref(), Some("Team (Berlin)"));
    }

    #[test]
    fn a_chat_is_told_by_what_it_holds_whatever_its_name_and_a_zip_gives_only_its_text() {
        let scratch = Scratch::new();
        let plain = ChatFile::open_as_found(&scratch.write("chat.json", EXPORT.as_bytes())).unwrap();
        assert_eq!(plain.order(), Some(DateOrder::DayFirst));
        let zipped = scratch.zip(
            "WhatsApp Chat - Ann.zip",
            &[("00000012-PHOTO-2026-01-04-10-00-00.jpg", &[0xFF, 0xD8, 0xFF]), ("_chat.txt", EXPORT.as_bytes())],
        );
        let zipped = ChatFile::open_as_found(&zipped).unwrap();
        assert_eq!(zipped.order(), Some(DateOrder::DayFirst));
        assert_eq!(texts(&zipped), texts(&plain));
        let android = scratch.zip(
            "android.zip",
            &[("WhatsApp Chat with Ann.txt", EXPORT.as_bytes()), ("__MACOSX/._WhatsApp Chat with Ann.txt", b"\0\x05")],
        );
        assert_eq!(texts(&ChatFile::open_as_found(&android).unwrap()).len(), 2);
        let filler = vec![b'a'; 64 << 20];
        let with_a_log = scratch.zip("log.zip", &[("_chat.txt", EXPORT.as_bytes()), ("server.log.txt", &filler)]);
        assert_eq!(ChatFile::open_as_found(&with_a_log).unwrap().order(), Some(DateOrder::DayFirst));

        let archive = scratch.write("archive.txt", b"\n{\"entry\": []}\n");
        assert_eq!(ChatFile::open_as_found(&archive).unwrap().kind, Kind::WebhookArchive);
    }

    #[test]
    fn a_file_that_is_no_chat_a_zip_without_one_and_a_zip_bomb_are_refused_with_why() {
        let scratch = Scratch::new();
        let leads = scratch.write("leads.csv", b"id,created_time,email\n1,2026-01-01,a@example.com\n");
        assert!(matches!(ChatFile::open_as_found(&leads), Err(ChatFileError::Unknown(_))));
        let photos = scratch.zip("photos.zip", &[("a.jpg", &[1, 2, 3])]);
        assert!(matches!(ChatFile::open_as_found(&photos), Err(ChatFileError::NoChatInZip(_))));
        let two = scratch.zip("two.zip", &[("A/_chat.txt", EXPORT.as_bytes()), ("B/_chat.txt", EXPORT.as_bytes())]);
        assert!(
            matches!(ChatFile::open_as_found(&two), Err(ChatFileError::NoChatInZip(_))),
            "which chat is not guessed"
        );
        let filler = vec![b'a'; 64 << 20];
        let bomb = scratch.zip("bomb.zip", &[("_chat.txt", &filler)]);
        assert!(matches!(ChatFile::open_as_found(&bomb), Err(ChatFileError::ZipBomb(_, _))));
    }

    #[test]
    fn an_overlong_line_is_cut_and_text_that_is_not_utf8_is_marked_and_kept() {
        let scratch = Scratch::new();
        let mut bytes = b"04/01/2026, 10:00 - Ann: ".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', LONGEST_LINE + 10));
        bytes.extend_from_slice(b"\n04/01/2026, 10:01 - Ann: caf\xE9\n04/01/2026, 10:02 - Ann: fine\n");
        let file = ChatFile::open(&scratch.write("_chat.txt", &bytes), Some(DateOrder::DayFirst)).unwrap();
        let lines: Vec<FileLine> = file.lines().unwrap().map(Result::unwrap).collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].flaw == Some(Flaw::Cut) && lines[0].text.len() == LONGEST_LINE);
        assert!(lines[1].flaw == Some(Flaw::NotUtf8) && lines[1].text.ends_with("caf\u{FFFD}"));
        assert_eq!(lines[2], FileLine { text: "04/01/2026, 10:02 - Ann: fine".into(), flaw: None });
    }

    fn utf16le(text: &str, bom: bool) -> Vec<u8> {
        let mut bytes = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    }

    #[test]
    fn an_export_saved_again_as_utf16_reads_as_the_utf8_one_does() {
        let scratch = Scratch::new();
        let plain = ChatFile::open_as_found(&scratch.write("plain.txt", EXPORT.as_bytes())).unwrap();
        for bom in [true, false] {
            let text = EXPORT.trim_start_matches('\u{FEFF}');
            let utf16 = ChatFile::open_as_found(&scratch.write("utf16.txt", &utf16le(text, bom))).unwrap();
            assert_eq!(utf16.order(), Some(DateOrder::DayFirst), "with a BOM: {bom}");
            let strip = |lines: Vec<String>| -> Vec<String> {
                lines.into_iter().map(|l| l.trim_start_matches('\u{FEFF}').to_owned()).collect()
            };
            assert_eq!(strip(texts(&utf16)), strip(texts(&plain)), "with a BOM: {bom}");
        }
        // Messages in another script, no BOM: the date the export starts with tells.
        let cyrillic = "04/01/2026, 10:00 - Анна: Здравствуйте, как дела? Всё хорошо, спасибо большое\n\
                        13/01/2026, 11:00 - Борис: Привет\n";
        let cyrillic = ChatFile::open_as_found(&scratch.write("cyrillic.txt", &utf16le(cyrillic, false))).unwrap();
        assert_eq!(texts(&cyrillic)[1], "13/01/2026, 11:00 - Борис: Привет");
        // A lone surrogate is no text: its line is kept, and marked.
        let mut broken = utf16le("04/01/2026, 10:00 - Ann: Hi\n13/01/2026, 11:00 - Bob: ", true);
        broken.extend([0x00, 0xD8, b'\n', 0]);
        let broken = ChatFile::open_as_found(&scratch.write("broken.txt", &broken)).unwrap();
        let flaws: Vec<Option<Flaw>> = broken.lines().unwrap().map(|l| l.unwrap().flaw).collect();
        assert_eq!(flaws, [None, Some(Flaw::NotUtf8)]);
        let zipped =
            scratch.zip("WhatsApp Chat with Ann.zip", &[("WhatsApp Chat with Ann.txt", &utf16le(EXPORT, false))]);
        assert_eq!(ChatFile::open_as_found(&zipped).unwrap().order(), Some(DateOrder::DayFirst));
    }

    #[test]
    fn an_android_zip_with_a_text_file_sent_in_the_chat_reads_the_chat_and_not_the_file() {
        let scratch = Scratch::new();
        let zipped = scratch.zip(
            "WhatsApp Chat with Ann.zip",
            &[
                ("Notes for the visit.txt", b"Bring the samples\nAsk about the price\n"),
                ("WhatsApp Chat with Ann.txt", EXPORT.as_bytes()),
                ("IMG-20260104-WA0001.jpg", &[0xFF, 0xD8, 0xFF]),
            ],
        );
        let file = ChatFile::open_as_found(&zipped).unwrap();
        assert_eq!(texts(&file).len(), 2);
        assert!(texts(&file)[1].ends_with("Bob: Hello"));
        // A chat's export sent in the chat: the ZIP's own is named as the ZIP is.
        let forwarded = scratch.zip(
            "WhatsApp Chat with Ann.zip",
            &[
                ("WhatsApp Chat with Bob.txt", EXPORT.as_bytes()),
                ("WhatsApp Chat with Ann.txt", b"13/01/2026, 11:00 - Ann: Mine\n"),
            ],
        );
        assert_eq!(texts(&ChatFile::open_as_found(&forwarded).unwrap()), ["13/01/2026, 11:00 - Ann: Mine"]);
        let copy = scratch.write("WhatsApp Chat with Ann (1).zip", &std::fs::read(&forwarded).unwrap());
        assert_eq!(texts(&ChatFile::open_as_found(&copy).unwrap()), ["13/01/2026, 11:00 - Ann: Mine"]);
        // Two chats' texts in one ZIP: which one is not guessed.
        let two = scratch.zip("two.zip", &[("Chat A.txt", EXPORT.as_bytes()), ("Chat B.txt", EXPORT.as_bytes())]);
        assert!(matches!(ChatFile::open_as_found(&two), Err(ChatFileError::NoChatInZip(_))));
    }

    #[test]
    fn an_export_whose_dates_do_not_say_their_order_is_refused_until_it_is_given_and_one_they_refuse_is_refused() {
        let scratch = Scratch::new();
        let path = scratch
            .write("WhatsApp Chat with Ann.txt", b"02/03/2026, 9:00 AM - Ann: Hi\n05/03/2026, 10:00 AM - Ann: Yes\n");
        let refused = ChatFile::open_as_found(&path).unwrap_err();
        assert_eq!(
            refused,
            ChatFileError::DateOrderUnknown {
                name: "WhatsApp Chat with Ann.txt".into(),
                line: 1,
                date: "2/3/2026".into()
            }
        );
        assert_eq!(ChatFile::open(&path, Some(DateOrder::MonthFirst)).unwrap().order(), Some(DateOrder::MonthFirst));
        let settled = scratch.write("settled.txt", EXPORT.as_bytes());
        assert!(matches!(
            ChatFile::open(&settled, Some(DateOrder::MonthFirst)),
            Err(ChatFileError::DateOrderRefused { line: 2, .. })
        ));
    }
}
