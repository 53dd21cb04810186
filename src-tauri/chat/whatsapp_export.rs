//! WhatsApp's own "Export chat" text (`_chat.txt`, alone or in the ZIP with the media), as the
//! iOS and Android apps write it in each locale (../shared/reference/meta-graph-api.md; its details
//! are unverified, so every form below is read, and a line that fits none continues the message
//! before it, as the apps write a message of several lines):
//!
//! - iOS: `[05/01/2026, 21:41:07] Name: text`, often after a U+200E mark;
//! - Android: `1/5/26, 9:41 PM - Name: text` (en-US, a U+202F before PM), `05.01.26, 21:41 - …` (de),
//!   `05/01/2026 à 21:41 - …` (fr), `05/01/2026 21:41 - …` (pt-BR), `5/1/26, 21:41 - …` (es),
//!   `05/01/26, 21:41 - …` (it).
//!
//! A line without `Name: ` after its time is WhatsApp's own ("Messages and calls are end-to-end
//! encrypted…", "Ann joined using this group's invite link"); iOS writes those under the chat's
//! name, their text after a U+200E mark. The times are the exporting phone's local time, with no
//! zone: the importer places them.
//!
//! One phone writes every head of its export alike, so a file's form and its day/month order are
//! found from all its heads first ([`Survey`]): a date typed inside a message in another form starts
//! no message, and an order the dates do not settle is asked for rather than guessed, since a
//! guess that a later export overturns would date, and name, every message differently.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// Whether a file writes its dates day first (most locales) or month first (en-US).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
}

/// How a phone writes a message's first line: in brackets (iOS) or before a dash (Android), the
/// date's separator, and what stands between the date and the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Form {
    bracketed: bool,
    date_separator: char,
    joiner: Joiner,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Joiner {
    /// `05/01/2026, 21:41`
    Comma,
    /// `05/01/2026 à 21:41` (fr)
    A,
    /// `05/01/2026 21:41` (pt-BR)
    Space,
}

/// How an export is read: its heads' form and its dates' order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub order: DateOrder,
    pub form: Form,
}

/// One message of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The line it starts on, from 1.
    pub line: u64,
    /// The last line it holds.
    pub end: u64,
    /// The exporting phone's local time.
    pub at: NaiveDateTime,
    /// As the exporter's phone names them: a contact's name or a phone number as written; `None`
    /// for WhatsApp's own lines.
    pub author: Option<String>,
    /// Its lines, joined by `\n`; a media placeholder as written.
    pub text: String,
    /// The author as the line names one before its first `: `, and how many bytes at the start of
    /// `text` were theirs: what an earlier reading took for the author of WhatsApp's own lines,
    /// kept so that the message is known by the same id.
    pub named: Option<String>,
    pub named_len: usize,
    /// A photo, video, voice note or document was sent here (its placeholder is the text).
    pub media: bool,
    /// Its text was longer than a message can be, and was cut.
    pub cut: bool,
}

/// Why a line of an export is not in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadLine {
    /// It starts as a message does but names no real date or time ("29/02/25").
    Unreadable,
    /// It continues an unreadable line: the message before is someone else's words as likely as not.
    Orphaned,
    /// It comes before the first message, with no date of its own.
    BeforeFirst,
    /// Its message is already as long as one can be.
    Overlong,
}

impl BadLine {
    pub fn reason(self) -> &'static str {
        match self {
            Self::Unreadable => "it starts as a message does but names no real date or time",
            Self::Orphaned => "it continues a line that could not be read, and is not joined to the message before",
            Self::BeforeFirst => "it comes before the first message, with no date of its own",
            Self::Overlong => "its message is longer than WhatsApp lets a message be; the message is kept cut here",
        }
    }
}

/// An export, line by line: its messages, and each line that is in none with why, as they come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Message(Message),
    Bad { line: u64, why: BadLine },
}

/// A message's first line, before its date order is known: the date's three numbers as written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Head<'a> {
    form: Form,
    date: [u32; 3],
    /// `None` for a time written as one that is none (`25:00`).
    time: Option<NaiveTime>,
    rest: &'a str,
}

/// Marks the apps put around a line's start and around a name or number (left-to-right and
/// right-to-left marks, embeddings and isolates, which keep a number's `+` in place in a
/// right-to-left locale), and a byte order mark.
const MARKS: [char; 12] = [
    '\u{200E}', '\u{200F}', '\u{FEFF}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}',
    '\u{2067}', '\u{2068}', '\u{2069}',
];

/// Reads the head of a message's first line: `[date, time] rest` (iOS) or `date, time - rest`,
/// `date à time - rest`, `date time - rest` (Android); `None` for a line that continues a message.
fn head(line: &str) -> Option<Head<'_>> {
    let line = line.trim_start_matches(MARKS);
    // The apps write no-break and narrow spaces inside a time ("9:41\u{202F}p.\u{00A0}m."): those
    // are read as spaces, for the head only (its length in bytes may change, the rest is kept).
    if line.contains(['\u{00A0}', '\u{202F}', '\u{2009}']) {
        let spaced: String =
            line.chars().map(|c| if matches!(c, '\u{00A0}' | '\u{202F}' | '\u{2009}') { ' ' } else { c }).collect();
        let parsed = head_of(&spaced)?;
        // The rest, found again in the line as written: the two have the same characters before it.
        let before = spaced[..spaced.len() - parsed.rest.len()].chars().count();
        let rest_at = line.char_indices().nth(before).map_or(line.len(), |(at, _)| at);
        return Some(Head { form: parsed.form, date: parsed.date, time: parsed.time, rest: &line[rest_at..] });
    }
    head_of(line)
}

fn head_of(line: &str) -> Option<Head<'_>> {
    let (bracketed, line) = match line.strip_prefix('[') {
        Some(inner) => (true, inner),
        None => (false, line),
    };
    let (date, date_separator, line) = date(line)?;
    let (joiner, line) = [(", ", Joiner::Comma), (" à ", Joiner::A), (" ", Joiner::Space)]
        .into_iter()
        .find_map(|(sep, joiner)| Some((joiner, line.strip_prefix(sep)?)))?;
    let (time, line) = time(line)?;
    let rest = if bracketed { line.strip_prefix("] ")? } else { line.strip_prefix(" - ")? };
    Some(Head { form: Form { bracketed, date_separator, joiner }, date, time, rest: rest.trim_start_matches(MARKS) })
}

/// Whether `line` starts a message, as any app and locale writes one.
pub fn starts_message(line: &str) -> bool {
    head(line).is_some()
}

/// Three numbers separated by `/`, `.` or `-`, the same separator twice, and that separator.
fn date(text: &str) -> Option<([u32; 3], char, &str)> {
    let (first, text) = number(text, 2)?;
    let sep = text.chars().next().filter(|c| matches!(c, '/' | '.' | '-'))?;
    let (second, text) = number(&text[1..], 2)?;
    let text = text.strip_prefix(sep)?;
    let (third, text) = number(text, 4)?;
    // A dotted date may end with a dot of its own in some locales ("05.01.26.").
    let text = if sep == '.' { text.strip_prefix('.').unwrap_or(text) } else { text };
    Some(([first, second, third], sep, text))
}

/// `H:MM`, `H:MM:SS`, each with an optional `AM`/`PM` (`am`, `a. m.`, `a.m.`, in any case) after a
/// space.
fn time(text: &str) -> Option<(Option<NaiveTime>, &str)> {
    let (hour, text) = number(text, 2)?;
    let (minute, text) = number(text.strip_prefix(':')?, 2)?;
    let (second, text) = match text.strip_prefix(':') {
        Some(after) => number(after, 2)?,
        None => (0, text),
    };
    let spaced = text.trim_start_matches(' ');
    let meridiem = ["a. m.", "p. m.", "a.m.", "p.m.", "am", "pm"].into_iter().find_map(|word| {
        let head = spaced.get(..word.len())?;
        head.eq_ignore_ascii_case(word).then(|| (word.starts_with('p'), &spaced[word.len()..]))
    });
    let (hour, text) = match meridiem {
        Some((pm, after)) if (1..=12).contains(&hour) => (hour % 12 + if pm { 12 } else { 0 }, after),
        // "0:15 AM", "13:05 PM": written as a time, and none; the line is reported, not joined
        // to the message before.
        Some((_, after)) => return Some((None, after)),
        None => (hour, text),
    };
    Some((NaiveTime::from_hms_opt(hour, minute, second), text))
}

/// Up to `most` ASCII digits, at least one.
fn number(text: &str, most: usize) -> Option<(u32, &str)> {
    let digits = text.bytes().take(most).take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    Some((text[..digits].parse().ok()?, &text[digits..]))
}

fn full_year(year: u32) -> i32 {
    i32::try_from(if year < 100 { 2000 + year } else { year }).unwrap_or(i32::MAX)
}

/// The day a head's date names read day first ([0]) and month first ([1]).
fn readings([a, b, year]: [u32; 3]) -> [Option<NaiveDate>; 2] {
    let year = full_year(year);
    [NaiveDate::from_ymd_opt(year, b, a), NaiveDate::from_ymd_opt(year, a, b)]
}

/// Why an export's day/month order is not settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsettled {
    /// Every date reads as a day either way, and in time order either way: the first that names
    /// two different days, where, and its numbers.
    Either { line: u64, date: String },
    /// The order asked for is not the file's: a date that is none that way, or earlier than the one
    /// before it, where, and its numbers.
    NotAsked { asked: DateOrder, line: u64, date: String },
}

/// What the heads of a file's form say of their dates' order.
#[derive(Debug)]
struct Evidence {
    form: Form,
    /// Heads whose date is a day read day first only, and read month first only, with the first
    /// of each.
    only: [u64; 2],
    first_only: [Option<(u64, String)>; 2],
    /// Where each reading goes back in time from one head to the next (an export is in time
    /// order), with the first.
    back: [u64; 2],
    first_back: [Option<(u64, String)>; 2],
    last: [Option<NaiveDate>; 2],
    /// The first date that names two different days.
    either: Option<(u64, String)>,
}

/// An export's heads, gathered a line at a time, for its form and its dates' order.
#[derive(Debug, Default)]
pub struct Survey {
    line: u64,
    /// The form of the file's first head, which is the phone's own (the export starts with a
    /// message or WhatsApp's notice), and what its heads say. Lines in another form were typed or
    /// pasted inside messages, however many there are.
    evidence: Option<Evidence>,
}

impl Survey {
    pub fn line(&mut self, text: &str) {
        self.line += 1;
        let Some(head) = head(text) else { return };
        let evidence = self.evidence.get_or_insert(Evidence {
            form: head.form,
            only: [0; 2],
            first_only: [None, None],
            back: [0; 2],
            first_back: [None, None],
            last: [None; 2],
            either: None,
        });
        if evidence.form != head.form {
            return;
        }
        let [a, b, year] = head.date;
        let written = || format!("{a}{sep}{b}{sep}{year}", sep = head.form.date_separator);
        let read = readings(head.date);
        match read {
            [Some(_), None] | [None, Some(_)] => {
                let only = usize::from(read[0].is_none());
                evidence.only[only] += 1;
                evidence.first_only[only].get_or_insert_with(|| (self.line, written()));
            }
            [Some(_), Some(_)] if a != b => {
                evidence.either.get_or_insert_with(|| (self.line, written()));
            }
            _ => {}
        }
        for (reading, day) in read.into_iter().enumerate() {
            let Some(day) = day else { continue };
            if evidence.last[reading].is_some_and(|last| day < last) {
                evidence.back[reading] += 1;
                evidence.first_back[reading].get_or_insert_with(|| (self.line, written()));
            }
            evidence.last[reading] = Some(day);
        }
    }

    /// The file's layout, `None` when no line starts a message. The order is the reading with
    /// fewer dates that are none (a day above 12 first or second) and fewer steps back in time;
    /// where both readings fare alike, the one asked for; where none is asked, day first if no
    /// locale writes the form month first (`05.01.26`, `05/01/2026 à`), else it is asked for. An
    /// order asked for that the other reading beats is refused, with its first fault.
    pub fn layout(self, asked: Option<DateOrder>) -> Result<Option<Layout>, Unsettled> {
        let Some(evidence) = self.evidence else { return Ok(None) };
        // A reading's faults: the dates it makes none, and where it goes back in time.
        let faults = |reading: usize| evidence.only[1 - reading] + evidence.back[reading];
        let found = match faults(0).cmp(&faults(1)) {
            std::cmp::Ordering::Less => Some(DateOrder::DayFirst),
            std::cmp::Ordering::Greater => Some(DateOrder::MonthFirst),
            std::cmp::Ordering::Equal => None,
        };
        let form = evidence.form;
        let order = match (asked, found) {
            (Some(asked), Some(found)) if found != asked => {
                // Its faults: the dates the other order reads alone, and its own steps back.
                let (other, own) = match found {
                    DateOrder::DayFirst => (0, 1),
                    DateOrder::MonthFirst => (1, 0),
                };
                let fault = evidence.first_only[other].clone().or_else(|| evidence.first_back[own].clone());
                let (line, date) = fault.expect("a reading with more faults has one");
                return Err(Unsettled::NotAsked { asked, line, date });
            }
            (Some(asked), _) => asked,
            (None, Some(found)) => found,
            (None, None) => match evidence.either {
                None => DateOrder::DayFirst,
                Some(_) if form.date_separator == '.' || form.joiner == Joiner::A => DateOrder::DayFirst,
                Some((line, date)) => return Err(Unsettled::Either { line, date }),
            },
        };
        Ok(Some(Layout { order, form }))
    }
}

/// The messages of an export's lines, read in `layout`. A line that starts no message in the
/// file's form continues the one before; every line in no message is reported.
pub struct Messages<I> {
    lines: I,
    layout: Layout,
    line: u64,
    pending: Option<Message>,
    /// The last line that started as a message does could not be read.
    after_unreadable: bool,
}

impl<I: Iterator<Item = String>> Messages<I> {
    pub fn new(lines: I, layout: Layout) -> Self {
        Self { lines, layout, line: 0, pending: None, after_unreadable: false }
    }

    fn start(&self, head: Head<'_>) -> Option<Message> {
        let [day_first, month_first] = readings(head.date);
        let date = match self.layout.order {
            DateOrder::DayFirst => day_first,
            DateOrder::MonthFirst => month_first,
        }?;
        let named = head.rest.split_once(": ").filter(|(author, _)| !author.is_empty());
        let (mut author, text) = match named {
            // A system line's own words may hold a colon ('Ann created group "Promo: May"'): a
            // name that opens a quotation the words after it close is such words, not a name
            // (a name with one inch mark, 'TV 55" Store', is still one).
            Some((author, text)) if quotes_closed(author) || quotes_closed(text) => {
                (Some(author.trim_matches(MARKS).to_owned()), text)
            }
            _ => (None, head.rest),
        };
        let marked = text.starts_with('\u{200E}');
        let text = text.trim_start_matches(MARKS).to_owned();
        let media = is_media(&text);
        // iOS writes WhatsApp's own notices under the chat's name, after a mark.
        if self.layout.form.bracketed && marked && !media && whatsapps_own(&text) {
            author = None;
        }
        let (named, named_len) = match named {
            Some((name, words)) => {
                (Some(name.trim_matches(MARKS).to_owned()), text.len() - words.trim_start_matches(MARKS).len())
            }
            None => (None, 0),
        };
        Some(Message {
            line: self.line,
            end: self.line,
            at: date.and_time(head.time?),
            author,
            media,
            text,
            named,
            named_len,
            cut: false,
        })
    }
}

/// Whether `text` holds an even count of quotation marks: it closes every quotation it opens, and
/// closes none opened before it.
fn quotes_closed(text: &str) -> bool {
    text.chars().filter(|c| matches!(c, '"' | '“' | '”' | '„' | '«' | '»')).count() % 2 == 0
}

/// WhatsApp's own notices, as iOS writes them under a chat's name: only those known are taken
/// from the name, so that a person's own note after a mark (a deleted message, a call, in any
/// language) keeps its author.
fn whatsapps_own(text: &str) -> bool {
    const NOTICES: [&str; 16] = [
        "end-to-end",
        "Ende-zu-Ende",
        "de extremo a extremo",
        "de bout en bout",
        "de ponta a ponta",
        "Your security code with",
        "created group",
        "created this group",
        "changed the subject",
        "changed this group's",
        "changed the group",
        "joined using this group's invite link",
        "turned on disappearing messages",
        "turned off disappearing messages",
        "This chat is with a business account",
        "changed their phone number",
    ];
    const EVENTS: [&str; 3] = [" added ", " removed ", " left"];
    NOTICES.iter().any(|notice| text.contains(notice))
        || (!text.contains('\n') && EVENTS.iter().any(|event| text.contains(event)) && text.split(' ').count() <= 8)
}

/// Whether `text` is a placeholder for media, in the locales the apps are read in (their words are
/// unverified beyond English, so the file names WhatsApp gives media are read in any language):
/// - without the media: `<Media omitted>` (Android), `image omitted` and the like (iOS);
/// - with it: `<attached: 00000012-PHOTO-….jpg>` (iOS), `IMG-20260105-WA0001.jpg (file attached)`
///   (Android).
pub fn is_media(text: &str) -> bool {
    const OMITTED: [&str; 6] = [
        "<Media omitted>",
        "<Medien ausgeschlossen>",
        "<Multimedia omitido>",
        "<Médias omis>",
        "<Mídia oculta>",
        "<Media omessi>",
    ];
    const IOS_OMITTED: [&str; 12] = [
        " omitted",
        " weggelassen",
        " omitido",
        " omitida",
        " absente",
        " omis",
        " retiré",
        " ocultada",
        " ocultado",
        " omessa",
        " omesso",
        " omessi",
    ];
    const ATTACHED: [&str; 6] = [
        "(file attached)",
        "(Datei angehängt)",
        "(archivo adjunto)",
        "(fichier joint)",
        "(arquivo anexado)",
        "(file allegato)",
    ];
    let text = text.trim();
    let first = text.lines().next().unwrap_or_default().trim();
    if OMITTED.contains(&first) || text.starts_with("<attached: ") {
        return true;
    }
    // "image omitted", "Bild weggelassen": a kind of media and the locale's "omitted".
    if !text.contains('\n') && text.split(' ').count() <= 3 && IOS_OMITTED.iter().any(|w| text.ends_with(w)) {
        let kind = text.split(' ').next().unwrap_or_default().to_lowercase();
        let kinds = [
            "image",
            "video",
            "audio",
            "sticker",
            "gif",
            "document",
            "bild",
            "dokument",
            "imagen",
            "vídeo",
            "documento",
            "vidéo",
            "autocollant",
            "imagem",
            "áudio",
            "figurinha",
            "immagine",
        ];
        return kinds.contains(&kind.as_str());
    }
    // "IMG-20260105-WA0001.jpg (file attached)", or a document's own name before the words.
    ATTACHED
        .iter()
        .any(|words| first.strip_suffix(words).is_some_and(|name| name.ends_with(' ') && name.trim().contains('.')))
        || is_whatsapp_media_name(first.split(" (").next().unwrap_or_default()) && first.ends_with(')')
}

/// `IMG-20260105-WA0001.jpg`, `PTT-20260105-WA0002.opus`: a name WhatsApp gives the media it saves.
fn is_whatsapp_media_name(name: &str) -> bool {
    let mut parts = name.splitn(3, '-');
    let (Some(kind), Some(day), Some(rest)) = (parts.next(), parts.next(), parts.next()) else { return false };
    ["IMG", "VID", "AUD", "PTT", "DOC", "STK"].contains(&kind)
        && day.len() == 8
        && day.bytes().all(|b| b.is_ascii_digit())
        && rest.starts_with("WA")
        && rest.contains('.')
}

/// The longest text a message is given, in bytes: WhatsApp lets a message be 65,536 characters,
/// each at most four bytes. A file that runs on past it is not held in memory whole.
const LONGEST_MESSAGE: usize = 4 * 65_536;

impl<I: Iterator<Item = String>> Iterator for Messages<I> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            let Some(text) = self.lines.next() else { return self.pending.take().map(Item::Message) };
            self.line += 1;
            let bad = |why| Some(Item::Bad { line: self.line, why });
            let text = text.trim_end_matches(['\r', '\n']);
            let started = match head(text).filter(|head| head.form == self.layout.form) {
                Some(head) => match self.start(head) {
                    Some(started) => Some(started),
                    None => {
                        self.after_unreadable = true;
                        return bad(BadLine::Unreadable);
                    }
                },
                None => None,
            };
            match started {
                Some(started) => {
                    self.after_unreadable = false;
                    if let Some(done) = self.pending.replace(started) {
                        return Some(Item::Message(done));
                    }
                }
                None if self.after_unreadable => return bad(BadLine::Orphaned),
                None => match &mut self.pending {
                    Some(message) if message.text.len() + 1 + text.len() > LONGEST_MESSAGE => {
                        message.cut = true;
                        return bad(BadLine::Overlong);
                    }
                    Some(message) => {
                        message.text.push('\n');
                        message.text.push_str(text);
                        message.end = self.line;
                    }
                    None => return bad(BadLine::BeforeFirst),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn survey(lines: &[&str], asked: Option<DateOrder>) -> Result<Option<Layout>, Unsettled> {
        let mut survey = Survey::default();
        lines.iter().for_each(|l| survey.line(l));
        survey.layout(asked)
    }

    fn order(lines: &[&str]) -> Result<DateOrder, Unsettled> {
        survey(lines, None).map(|layout| layout.expect("an export").order)
    }

    fn read(text: &str) -> Vec<Message> {
        let lines: Vec<&str> = text.lines().collect();
        // As someone asked would answer for these day-first examples, where the dates do not say.
        let layout = survey(&lines, None).or_else(|_| survey(&lines, Some(DateOrder::DayFirst))).unwrap().unwrap();
        Messages::new(lines.into_iter().map(str::to_owned), layout)
            .filter_map(|item| match item {
                Item::Message(m) => Some(m),
                Item::Bad { .. } => None,
            })
            .collect()
    }

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, s).unwrap()
    }

    /// The same two messages, 5 January 2026 at 21:41 and 13 January at 08:05, as each app and
    /// locale writes them.
    const LOCALES: &[(&str, &str)] = &[
        (
            "iOS, en-GB",
            "\u{200E}[05/01/2026, 21:41:07] Ann Lee: Hello\n[13/01/2026, 08:05:00] +44 7911 123456: Hi there",
        ),
        (
            "iOS, en-US",
            "[1/5/26, 9:41:07\u{202F}PM] Ann Lee: Hello\n[1/13/26, 8:05:00\u{202F}AM] +44 7911 123456: Hi there",
        ),
        (
            "Android, en-US",
            "1/5/26, 9:41\u{202F}PM - Ann Lee: Hello\n1/13/26, 8:05\u{202F}AM - +44 7911 123456: Hi there",
        ),
        ("Android, en-GB", "05/01/2026, 21:41 - Ann Lee: Hello\n13/01/2026, 08:05 - +44 7911 123456: Hi there"),
        ("Android, de", "05.01.26, 21:41 - Ann Lee: Hello\n13.01.26, 08:05 - +44 7911 123456: Hi there"),
        ("Android, fr", "05/01/2026 à 21:41 - Ann Lee: Hello\n13/01/2026 à 08:05 - +44 7911 123456: Hi there"),
        ("Android, es", "5/1/26, 21:41 - Ann Lee: Hello\n13/1/26, 8:05 - +44 7911 123456: Hi there"),
        ("Android, pt-BR", "05/01/2026 21:41 - Ann Lee: Hello\n13/01/2026 08:05 - +44 7911 123456: Hi there"),
        ("Android, it", "05/01/26, 21:41 - Ann Lee: Hello\n13/01/26, 08:05 - +44 7911 123456: Hi there"),
    ];

    #[test]
    fn every_locales_export_reads_as_the_same_messages() {
        for (locale, text) in LOCALES {
            let messages = read(text);
            let seconds = if locale.starts_with("iOS") { 7 } else { 0 };
            let got: Vec<(NaiveDateTime, Option<&str>, &str)> =
                messages.iter().map(|m| (m.at, m.author.as_deref(), m.text.as_str())).collect();
            assert_eq!(
                got,
                [
                    (at(2026, 1, 5, 21, 41, seconds), Some("Ann Lee"), "Hello"),
                    (at(2026, 1, 13, 8, 5, 0), Some("+44 7911 123456"), "Hi there"),
                ],
                "{locale}"
            );
        }
    }

    #[test]
    fn a_line_without_a_time_continues_the_message_and_whatsapps_own_lines_have_no_author() {
        let messages = read(
            "05/01/2026, 21:40 - Messages and calls are end-to-end encrypted. No one outside of this chat can read them.\n\
             05/01/2026, 21:41 - Ann Lee: First line\n\
             second line: with a colon\n\
             \n\
             05/01/2026, 21:42 - Bob joined using this group's invite link\n\
             05/01/2026, 21:43 - Ann Lee: <Media omitted>",
        );
        assert_eq!(messages.len(), 4);
        assert_eq!(messages[0].author, None);
        assert_eq!((messages[1].line, messages[1].text.as_str()), (2, "First line\nsecond line: with a colon\n"));
        assert_eq!(
            (messages[2].author.as_deref(), messages[2].text.as_str()),
            (None, "Bob joined using this group's invite link")
        );
        assert!(messages[3].media && !messages[1].media);
    }

    #[test]
    fn an_unsaved_number_between_direction_marks_is_its_number() {
        let messages = read(
            "05/01/2026, 21:41 - \u{202A}+44 7911 123456\u{202C}: Hello\n\
             05/01/2026, 21:42 - \u{2068}+49 151 12345678\u{2069}: Hallo",
        );
        let authors: Vec<Option<&str>> = messages.iter().map(|m| m.author.as_deref()).collect();
        assert_eq!(authors, [Some("+44 7911 123456"), Some("+49 151 12345678")]);
    }

    #[test]
    fn ios_attachments_and_placeholders_are_media() {
        let messages = read(
            "[05/01/2026, 21:41:07] Ann Lee: \u{200E}<attached: 00000012-PHOTO-2026-01-05-21-41-07.jpg>\n\
             [05/01/2026, 21:41:09] Ann Lee: \u{200E}image omitted",
        );
        assert!(messages.iter().all(|m| m.media), "{messages:?}");
    }

    #[test]
    fn the_date_order_is_found_from_a_day_above_twelve_or_from_time_order_and_one_the_dates_do_not_settle_is_asked() {
        assert_eq!(order(&["03/04/2026, 10:00 - A: x", "13/04/2026, 10:00 - A: y"]), Ok(DateOrder::DayFirst));
        assert_eq!(order(&["4/13/26, 10:00 - A: x"]), Ok(DateOrder::MonthFirst));
        // Dotted dates and French heads are day first in every locale that writes them.
        assert_eq!(order(&["04.03.26, 10:00 - A: x"]), Ok(DateOrder::DayFirst));
        assert_eq!(order(&["04/03/2026 à 10:00 - A: x"]), Ok(DateOrder::DayFirst));
        // 12 March then 1 April, or 3 December then 4 January of the same year: only one is in time order.
        assert_eq!(order(&["12/03/2026, 10:00 - A: x", "01/04/2026, 10:00 - A: y"]), Ok(DateOrder::DayFirst));
        assert_eq!(order(&["3/12/26, 10:00 AM - A: x", "4/1/26, 10:00 AM - A: y"]), Ok(DateOrder::MonthFirst));
        // The same date either way is no question.
        assert_eq!(order(&["04/04/2026, 10:00 - A: x"]), Ok(DateOrder::DayFirst));
        // A twelve-hour clock says nothing of the order (es and en-GB phones write one too): asked.
        let unsettled = ["02/03/2026, 9:00 AM - A: x", "05/03/2026, 10:00 AM - A: y"];
        assert_eq!(order(&unsettled), Err(Unsettled::Either { line: 1, date: "2/3/2026".into() }));
        assert_eq!(survey(&unsettled, Some(DateOrder::DayFirst)).unwrap().unwrap().order, DateOrder::DayFirst);
        assert_eq!(survey(&unsettled, Some(DateOrder::MonthFirst)).unwrap().unwrap().order, DateOrder::MonthFirst);
        // An order the dates refuse is refused, not read with every later date unreadable.
        let day_first = ["02/03/2026, 10:00 - A: x", "25/03/2026, 10:00 - A: y"];
        assert_eq!(
            survey(&day_first, Some(DateOrder::MonthFirst)),
            Err(Unsettled::NotAsked { asked: DateOrder::MonthFirst, line: 2, date: "25/3/2026".into() })
        );
        assert_eq!(survey(&["no chat here"], None), Ok(None));
        // A pasted month-first line in a day-first chat neither turns the file month first nor
        // makes day first refused: the reading with fewer faults wins.
        let pasted = [
            "02/03/2026, 10:00 - Ann: Hi",
            "05/03/2026, 10:00 - Ann: Pasting Bob's:",
            "1/13/26, 9:00 AM - Bob: see you",
            "01/04/2026, 10:00 - Ann: April",
        ];
        assert_eq!(order(&pasted), Ok(DateOrder::DayFirst));
        // Asked month first, 12/03 then 01/04 would go back from December to January: refused.
        let in_order = ["12/03/2026, 10:00 - A: x", "01/04/2026, 10:00 - A: y"];
        assert_eq!(
            survey(&in_order, Some(DateOrder::MonthFirst)),
            Err(Unsettled::NotAsked { asked: DateOrder::MonthFirst, line: 2, date: "1/4/2026".into() })
        );
        assert_eq!(survey(&pasted, Some(DateOrder::DayFirst)).unwrap().unwrap().order, DateOrder::DayFirst);
    }

    #[test]
    fn the_files_form_is_its_first_heads_however_many_lines_of_another_are_pasted_in() {
        let messages = read(
            "[05/01/2026, 21:41:07] Ann: Here is the log from my Android:\n\
             05/01/2026, 10:00 - Bob: a\n05/01/2026, 10:01 - Bob: b\n05/01/2026, 10:02 - Bob: c\n\
             [05/01/2026, 21:42:00] Ann: ok",
        );
        let got: Vec<(Option<&str>, u64)> = messages.iter().map(|m| (m.author.as_deref(), m.line)).collect();
        assert_eq!(got, [(Some("Ann"), 1), (Some("Ann"), 5)]);
    }

    #[test]
    fn a_later_export_reaching_the_thirteenth_reads_the_earlier_days_as_the_first_did() {
        // The first export is refused rather than guessed, so no guess is ever overturned: asked
        // day first, it reads as the later export that settles the order by itself.
        let first = ["05/01/2026, 9:41 PM - Ann: Hello", "06/01/2026, 8:05 AM - Ann: Hi"];
        let later = [first[0], first[1], "13/01/2026, 8:05 AM - Ann: Later"];
        let asked = survey(&first, Some(DateOrder::DayFirst)).unwrap().unwrap();
        let found = survey(&later, None).unwrap().unwrap();
        assert_eq!(asked, found);
        let dates = |lines: &[&str], layout| -> Vec<NaiveDateTime> {
            Messages::new(lines.iter().map(|l| (*l).to_owned()), layout)
                .filter_map(|i| match i {
                    Item::Message(m) => Some(m.at),
                    Item::Bad { .. } => None,
                })
                .collect()
        };
        assert_eq!(dates(&first, asked), dates(&later, found)[..2]);
    }

    #[test]
    fn a_date_typed_inside_a_message_in_another_apps_form_starts_no_message() {
        let messages = read(
            "[05/01/2026, 21:41:07] Ann Lee: Forwarding what Bob sent:\n\
             06/01/2026 10:00 - kickoff\n\
             [05/01/2026, 21:42:00] Bob: Thanks",
        );
        let got: Vec<(Option<&str>, &str)> = messages.iter().map(|m| (m.author.as_deref(), m.text.as_str())).collect();
        assert_eq!(
            got,
            [(Some("Ann Lee"), "Forwarding what Bob sent:\n06/01/2026 10:00 - kickoff"), (Some("Bob"), "Thanks")]
        );
        assert_eq!((messages[0].line, messages[0].end), (1, 2));
    }

    #[test]
    fn whatsapps_own_lines_with_a_colon_and_ios_notices_have_no_author() {
        let android = read(
            "05/01/2026, 21:40 - Ann created group \"Promo: May\"\n\
             05/01/2026, 21:41 - Ann changed the subject from \u{201C}Promo: May\u{201D} to \u{201C}June\u{201D}\n\
             05/01/2026, 21:42 - Ann \"Nan\" Lee: a name with quotes is still a name\n\
             05/01/2026, 21:43 - TV 55\" Store: and so is one with an inch mark",
        );
        let authors: Vec<Option<&str>> = android.iter().map(|m| m.author.as_deref()).collect();
        assert_eq!(authors, [None, None, Some("Ann \"Nan\" Lee"), Some("TV 55\" Store")]);
        assert_eq!(android[0].text, "Ann created group \"Promo: May\"");

        let ios = read(
            "[05/01/2026, 21:40:00] Ann Lee: \u{200E}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.\n\
             [05/01/2026, 21:41:00] Ann Lee: \u{200E}image omitted\n\
             [05/01/2026, 21:42:00] Ann Lee: \u{200E}This message was deleted.\n\
             [05/01/2026, 21:42:30] Ann Lee: \u{200E}Diese Nachricht wurde gelöscht.\n\
             [05/01/2026, 21:43:00] Ann Lee: Hello",
        );
        let got: Vec<(Option<&str>, bool)> = ios.iter().map(|m| (m.author.as_deref(), m.media)).collect();
        let ann = Some("Ann Lee");
        assert_eq!(got, [(None, false), (ann, true), (ann, false), (ann, false), (ann, false)]);
        // Known by the name the line gives, as before it was told to be WhatsApp's own.
        assert_eq!((ios[0].named.as_deref(), ios[0].named_len), (ann, 0));
        let group = read("05/01/2026, 21:40 - Ann created group \"Promo: May\"");
        assert_eq!(
            (group[0].named.as_deref(), &group[0].text[group[0].named_len..]),
            (Some("Ann created group \"Promo"), "May\"")
        );
    }

    #[test]
    fn media_placeholders_are_media_in_each_locale_with_the_media_and_without() {
        for placeholder in [
            "<Media omitted>",
            "<Medien ausgeschlossen>",
            "<Multimedia omitido>",
            "<Médias omis>",
            "<Mídia oculta>",
            "<Media omessi>",
            "image omitted",
            "Bild weggelassen",
            "imagen omitida",
            "immagine omessa",
            "<attached: 00000012-PHOTO-2026-01-05-21-41-07.jpg>",
            "IMG-20260105-WA0001.jpg (file attached)",
            "PTT-20260105-WA0002.opus (Datei angehängt)",
            "Angebot Mai.pdf (archivo adjunto)",
            "VID-20260105-WA0003.mp4 (something else)",
        ] {
            assert!(is_media(placeholder), "{placeholder}");
        }
        for words in ["the image omitted from the brochure was nicer", "see (file attached)", "Ann omitted", "<b>"] {
            assert!(!is_media(words), "{words}");
        }
    }

    #[test]
    fn spanish_times_with_no_break_spaces_inside_their_am_and_pm_are_read() {
        let messages = read(
            "5/1/26, 9:41\u{202F}p.\u{00A0}m. - Ana: Hola\n13/1/26, 8:05\u{202F}a.\u{202F}m. - Ana: Adiós\n\
             13/1/26, 8:06\u{202F}a.\u{202F}m. - ",
        );
        let got: Vec<(NaiveDateTime, &str)> = messages.iter().map(|m| (m.at, m.text.as_str())).collect();
        assert_eq!(
            got,
            [(at(2026, 1, 5, 21, 41, 0), "Hola"), (at(2026, 1, 13, 8, 5, 0), "Adiós"), (at(2026, 1, 13, 8, 6, 0), "")]
        );
        assert_eq!(messages[0].author.as_deref(), Some("Ana"));
    }

    #[test]
    fn the_lines_that_continue_an_unreadable_one_are_not_joined_to_the_message_before() {
        let lines = [
            "01/03/2026, 10:00 - Ann: hi",
            "01/03/2026, 25:00 - Bob: my address is",
            "12 Main St",
            "01/03/2026, 10:05 - Ann: thanks",
            "see you",
        ];
        let (texts, bad) = items(&lines);
        assert_eq!(texts, ["hi", "thanks\nsee you"]);
        assert_eq!(bad, [(2, BadLine::Unreadable), (3, BadLine::Orphaned)]);
    }

    #[test]
    fn lines_that_are_not_a_chat_are_counted_and_impossible_dates_start_no_message() {
        let lines = [
            "not a chat",
            "01/03/2026, 10:00 - A: first",
            "31/02/2026, 10:00 - A: no such day",
            "01/03/2026, 25:00 - A: no such hour",
        ];
        let (texts, bad) = items(&lines);
        assert_eq!(texts, ["first"], "nothing is joined to it");
        assert_eq!(bad, [(1, BadLine::BeforeFirst), (3, BadLine::Unreadable), (4, BadLine::Unreadable)]);
    }

    #[test]
    fn a_twelve_hour_time_that_is_none_is_reported_rather_than_joined_to_the_message_before() {
        let lines = ["01/03/2026, 10:00 AM - Ann: hi", "01/03/2026, 0:15 AM - Bob: x", "01/03/2026, 13:05 PM - Bob: y"];
        let (texts, bad) = items(&lines);
        assert_eq!(texts, ["hi"]);
        assert_eq!(bad, [(2, BadLine::Unreadable), (3, BadLine::Unreadable)]);
    }

    /// The texts of the messages of day-first `lines`, and the lines in none with why.
    fn items(lines: &[&str]) -> (Vec<String>, Vec<(u64, BadLine)>) {
        let (mut texts, mut bad) = (Vec::new(), Vec::new());
        let layout = survey(lines, Some(DateOrder::DayFirst)).unwrap().unwrap();
        for item in Messages::new(lines.iter().map(|l| (*l).to_owned()), layout) {
            match item {
                Item::Message(m) => texts.push(m.text),
                Item::Bad { line, why } => bad.push((line, why)),
            }
        }
        (texts, bad)
    }

    #[test]
    fn a_message_that_runs_on_past_the_longest_one_can_be_is_cut_and_the_rest_reported() {
        let long = "x".repeat(100_000);
        let mut lines = vec!["01/03/2026, 10:00 - Ann: start"];
        lines.extend(std::iter::repeat_n(long.as_str(), 5));
        lines.push("01/03/2026, 10:05 - Ann: next");
        let layout = survey(&lines, Some(DateOrder::DayFirst)).unwrap().unwrap();
        let mut read = Messages::new(lines.iter().map(|l| (*l).to_owned()), layout);
        let mut bad = Vec::new();
        let first = loop {
            match read.next().unwrap() {
                Item::Message(m) => break m,
                Item::Bad { line, why } => bad.push((line, why)),
            }
        };
        assert!(first.cut && first.text.len() <= LONGEST_MESSAGE, "{}", first.text.len());
        assert_eq!(first.text.len(), "start".len() + 2 * 100_001);
        assert_eq!(bad, [(4, BadLine::Overlong), (5, BadLine::Overlong), (6, BadLine::Overlong)]);
        assert!(matches!(read.next(), Some(Item::Message(m)) if m.text == "next" && !m.cut));
    }
}
