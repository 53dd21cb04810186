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
//! encrypted…", "Ann joined using this group's invite link"). The times are the exporting phone's
//! local time, with no zone: the importer places them.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// Whether a file writes its dates day first (most locales) or month first (en-US).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
}

/// One message of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The line it starts on, from 1.
    pub line: u64,
    /// The exporting phone's local time.
    pub at: NaiveDateTime,
    /// As the exporter's phone names them: a contact's name or a phone number as written; `None`
    /// for WhatsApp's own lines.
    pub author: Option<String>,
    /// Its lines, joined by `\n`; a media placeholder as written.
    pub text: String,
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
    date: [u32; 3],
    /// `None` for a time written as one that is none (`25:00`).
    time: Option<NaiveTime>,
    /// Its time was written with AM or PM.
    twelve_hour: bool,
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
        return Some(Head {
            date: parsed.date,
            time: parsed.time,
            twelve_hour: parsed.twelve_hour,
            rest: &line[rest_at..],
        });
    }
    head_of(line)
}

fn head_of(line: &str) -> Option<Head<'_>> {
    let (bracketed, line) = match line.strip_prefix('[') {
        Some(inner) => (true, inner),
        None => (false, line),
    };
    let (date, line) = date(line)?;
    let line = [", ", " à ", " "].iter().find_map(|sep| line.strip_prefix(sep))?;
    let (time, twelve_hour, line) = time(line)?;
    let rest = if bracketed { line.strip_prefix("] ")? } else { line.strip_prefix(" - ")? };
    Some(Head { date, time, twelve_hour, rest: rest.trim_start_matches(MARKS) })
}

/// Whether `line` starts a message, as any app and locale writes one.
pub fn starts_message(line: &str) -> bool {
    head(line).is_some()
}

/// Three numbers separated by `/`, `.` or `-`, the same separator twice.
fn date(text: &str) -> Option<([u32; 3], &str)> {
    let (first, text) = number(text, 2)?;
    let sep = text.chars().next().filter(|c| matches!(c, '/' | '.' | '-'))?;
    let (second, text) = number(&text[1..], 2)?;
    let text = text.strip_prefix(sep)?;
    let (third, text) = number(text, 4)?;
    // A dotted date may end with a dot of its own in some locales ("05.01.26.").
    let text = if sep == '.' { text.strip_prefix('.').unwrap_or(text) } else { text };
    Some(([first, second, third], text))
}

/// `H:MM`, `H:MM:SS`, each with an optional `AM`/`PM` (`am`, `a. m.`, `a.m.`, in any case) after a
/// space, and whether it had one.
fn time(text: &str) -> Option<(Option<NaiveTime>, bool, &str)> {
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
    let (hour, twelve_hour, text) = match meridiem {
        Some((pm, after)) if (1..=12).contains(&hour) => (hour % 12 + if pm { 12 } else { 0 }, true, after),
        // "0:15 AM", "13:05 PM": written as a time, and none; the line is reported, not joined
        // to the message before.
        Some((_, after)) => return Some((None, true, after)),
        None => (hour, false, text),
    };
    Some((NaiveTime::from_hms_opt(hour, minute, second), twelve_hour, text))
}

/// Up to `most` ASCII digits, at least one.
fn number(text: &str, most: usize) -> Option<(u32, &str)> {
    let digits = text.bytes().take(most).take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    Some((text[..digits].parse().ok()?, &text[digits..]))
}

/// The date order of a file whose first lines are `lines`: a first number above 12 is a day, and
/// so is a second; with neither, a 12-hour clock is the US's month first, and any other is day
/// first, as most locales write it.
pub fn date_order<S: AsRef<str>>(lines: impl IntoIterator<Item = S>) -> DateOrder {
    let mut twelve_hour = false;
    for line in lines {
        let Some(head) = head(line.as_ref()) else { continue };
        if head.date[0] > 12 {
            return DateOrder::DayFirst;
        }
        if head.date[1] > 12 {
            return DateOrder::MonthFirst;
        }
        twelve_hour |= head.twelve_hour;
    }
    if twelve_hour {
        DateOrder::MonthFirst
    } else {
        DateOrder::DayFirst
    }
}

/// The messages of an export's lines, in `order`. A line that starts no message continues the
/// one before; lines before the first message are passed over and counted in `skipped`.
pub struct Messages<I> {
    lines: I,
    order: DateOrder,
    line: u64,
    pending: Option<Message>,
    /// The last line that started as a message does could not be read.
    after_unreadable: bool,
}

impl<I: Iterator<Item = String>> Messages<I> {
    pub fn new(lines: I, order: DateOrder) -> Self {
        Self { lines, order, line: 0, pending: None, after_unreadable: false }
    }

    fn start(&self, head: Head<'_>) -> Option<Message> {
        let [a, b, year] = head.date;
        let (day, month) = match self.order {
            DateOrder::DayFirst => (a, b),
            DateOrder::MonthFirst => (b, a),
        };
        let year = if year < 100 { 2000 + year } else { year };
        let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
        let (author, text) = match head.rest.split_once(": ") {
            Some((author, text)) if !author.is_empty() => (Some(author.trim_matches(MARKS).to_owned()), text),
            _ => (None, head.rest),
        };
        let text = text.trim_start_matches(MARKS).to_owned();
        Some(Message {
            line: self.line,
            at: date.and_time(head.time?),
            author,
            media: is_media(&text),
            text,
            cut: false,
        })
    }
}

/// Whether `text` is a placeholder for media: `<Media omitted>` (Android), `image omitted` and the
/// like (iOS), or an attachment's name (`<attached: 00000012-PHOTO-….jpg>`).
fn is_media(text: &str) -> bool {
    let text = text.trim();
    text == "<Media omitted>"
        || text.starts_with("<attached: ")
        || ["image", "video", "audio", "sticker", "GIF", "document"]
            .iter()
            .any(|kind| text == format!("{kind} omitted"))
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
            let started = match head(text) {
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

    fn read(text: &str) -> Vec<Message> {
        let lines: Vec<&str> = text.lines().collect();
        let order = date_order(lines.iter().copied());
        Messages::new(lines.into_iter().map(str::to_owned), order)
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
    fn the_date_order_is_found_from_a_day_above_twelve_or_a_twelve_hour_clock() {
        assert_eq!(date_order(["03/04/2026, 10:00 - A: x", "13/04/2026, 10:00 - A: y"]), DateOrder::DayFirst);
        assert_eq!(date_order(["4/3/26, 10:00 AM - A: x"]), DateOrder::MonthFirst);
        assert_eq!(date_order(["4/13/26, 10:00 - A: x"]), DateOrder::MonthFirst);
        assert_eq!(date_order(["04.03.26, 10:00 - A: x"]), DateOrder::DayFirst);
        // "AM" in the words is no 12-hour clock.
        assert_eq!(date_order(["03/04/2026, 10:00 - ADAM: see you at 9 AM?"]), DateOrder::DayFirst);
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
        for item in Messages::new(lines.iter().map(|l| (*l).to_owned()), DateOrder::DayFirst) {
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
        let mut read = Messages::new(lines.iter().map(|l| (*l).to_owned()), DateOrder::DayFirst);
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
