//! Phone numbers to E.164 with every country's numbering plan (libphonenumber's metadata, through
//! the `phonenumber` crate): international forms (`+`, `00`) keep their country; national forms
//! take the client's country, its trunk prefix dropped as that country writes it. A number that
//! cannot be placed is still kept by its digits, so an exact-digits search finds it.

use phonenumber::{country, Mode};

/// The calling code of an ISO 3166 alpha-2 country, if the numbering plans know it.
pub fn calling_code(country: &str) -> Option<u16> {
    let id = country.trim().to_ascii_uppercase();
    phonenumber::metadata::DATABASE.by_id(id.as_str()).map(|m| m.country_code())
}

fn country_id(country: Option<&str>) -> Option<country::Id> {
    country.and_then(|c| c.trim().to_ascii_uppercase().parse().ok())
}

/// `+<digits>` for a number in international form, or in national form with a `country`.
pub fn normalise_phone(raw: &str, country: Option<&str>) -> Option<String> {
    let raw = raw.trim();
    let raw = raw.strip_prefix("p:").unwrap_or(raw).trim();
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    // Meta writes phones in international form (`+447911123456`): those need no numbering plan,
    // which costs far more than the rest of a lead. A `(0)` or anything else unusual goes through it.
    if raw.starts_with('+')
        && (8..=15).contains(&digits.len())
        && raw[1..].bytes().all(|b| b.is_ascii_digit() || b == b' ' || b == b'-' || b == b'.')
    {
        return Some(format!("+{digits}"));
    }
    // `00` is the international prefix of most countries: `0044 …` is `+44 …` whatever the client.
    let starts_00 = raw.starts_with("00");
    let international = raw.starts_with('+') || starts_00;
    let text = if starts_00 {
        format!("+{}", &digits[2..])
    } else if !international && read_by_digits(raw, &digits) {
        digits.clone()
    } else {
        raw.to_owned()
    };
    let parsed = parse(&text, country)
        // E.164 is the country code and the national number as they are: the crate's formatter
        // would first match the number against the country's display patterns, for nothing.
        .map(|n| format!("+{}{}", n.country().code(), n.national()))
        .filter(|e164| (9..=16).contains(&e164.len()));
    match parsed {
        Some(e164) => Some(e164),
        // A number with its country code that the plans do not know is kept as written.
        None if international => {
            let digits = if starts_00 { &digits[2..] } else { &digits[..] };
            (8..=15).contains(&digits.len()).then(|| format!("+{digits}"))
        }
        None => None,
    }
}

/// Whether a national number is placed by its digits alone. The plans' parser reads each
/// character against every kind of punctuation a number may be written with: given only the
/// digits of a number written with spaces and `-.()`, it reads less and places the number the
/// same, but for two digits alone, which it takes as a short code (see the test).
fn read_by_digits(raw: &str, digits: &str) -> bool {
    digits.len() > 2 && raw.bytes().all(|b| b.is_ascii_digit() || b" -.()".contains(&b))
}

fn parse(text: &str, country: Option<&str>) -> Option<phonenumber::PhoneNumber> {
    phonenumber::parse(country_id(country), text).ok()
}

/// The digits of an E.164 number as its own country writes it nationally (`+447911123456` →
/// `07911123456`): how such a number was stored if the client had no country.
pub fn national_digits(e164: &str) -> Option<String> {
    let number = phonenumber::parse(None, e164).ok()?;
    let national = number.format().mode(Mode::National).to_string();
    phone_digits(&national)
}

/// A phone number reduced to its digits as written: how a number that cannot be placed in a
/// country is kept and found. Fewer than six digits are not a phone number.
pub fn phone_digits(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let raw = raw.strip_prefix("p:").unwrap_or(raw);
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    (6..=20).contains(&digits.len()).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn international_numbers_keep_their_country() {
        assert_eq!(normalise_phone("+1 (555) 123-4567", None).as_deref(), Some("+15551234567"));
        assert_eq!(normalise_phone("p:+918119944494", None).as_deref(), Some("+918119944494"));
        assert_eq!(normalise_phone("0044 7911 123456", Some("DE")).as_deref(), Some("+447911123456"));
        assert_eq!(normalise_phone("+44 (0)7911 123456", None).as_deref(), Some("+447911123456"));
    }

    #[test]
    fn national_numbers_take_the_default_country_and_lose_the_trunk_zero() {
        assert_eq!(normalise_phone("07911 123456", Some("gb")).as_deref(), Some("+447911123456"));
        assert_eq!(normalise_phone("06 1234 5678", Some("IT")).as_deref(), Some("+390612345678"));
        assert_eq!(normalise_phone("(555) 123-4567", Some("US")).as_deref(), Some("+15551234567"));
        assert_eq!(normalise_phone("1-555-123-4567", Some("US")).as_deref(), Some("+15551234567"));
    }

    #[test]
    fn every_country_of_the_numbering_plans_is_known_not_only_a_list_of_sixty() {
        // Countries the hand-written table of earlier versions lacked.
        assert_eq!(normalise_phone("0991 234 5678", Some("PH")).as_deref(), Some("+639912345678"));
        assert_eq!(normalise_phone("024 123 4567", Some("GH")).as_deref(), Some("+233241234567"));
        assert_eq!(normalise_phone("0712 345 678", Some("KE")).as_deref(), Some("+254712345678"));
        assert_eq!(calling_code("BD"), Some(880));
        assert_eq!(calling_code("XX"), None);
    }

    #[test]
    fn an_international_number_knows_how_its_country_writes_it_nationally() {
        assert_eq!(national_digits("+447911123456").as_deref(), Some("07911123456"));
        assert_eq!(national_digits("+15551234567").as_deref(), Some("5551234567"));
    }

    #[test]
    fn numbers_that_cannot_be_placed_are_kept_by_their_digits() {
        assert_eq!(normalise_phone("07911 123456", None), None);
        assert_eq!(phone_digits("07911 123456").as_deref(), Some("07911123456"));
        assert_eq!(normalise_phone("12", Some("GB")), None);
        assert_eq!(phone_digits("12"), None);
        assert_eq!(normalise_phone("", Some("GB")), None);
        assert_eq!(normalise_phone("+1234567890123456", None), None);
    }

    #[test]
    fn a_national_number_read_by_its_digits_is_placed_as_its_whole_text_is() {
        // Numbers of every length from 2 to 14 digits, in the ways people write them, in countries
        // with and without a trunk prefix and with national prefixes for parsing of their own.
        let countries = ["GB", "US", "DE", "FR", "IT", "ES", "BR", "IN", "AU", "NL", "MX", "AR", "JP", "RU", "HU"];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        for n in 0..3000 {
            let len = 2 + next() % 13;
            let mut digits: String = (0..len).map(|_| char::from(b'0' + (next() % 10) as u8)).collect();
            if n % 3 == 0 {
                digits.replace_range(0..1, "0");
            }
            let written = match n % 5 {
                0 => digits.clone(),
                1 => format!("{} {}", &digits[..len / 2], &digits[len / 2..]),
                2 => format!("({}) {}-{}", &digits[..1], &digits[1..len / 2], &digits[len / 2..]),
                3 => format!(" {}.{} ", &digits[..len / 3], &digits[len / 3..]),
                _ => format!("{}-{}", &digits[..len - 1], &digits[len - 1..]),
            };
            let country = countries[next() % countries.len()];
            if !read_by_digits(&written, &digits) {
                assert_eq!(len, 2, "{written:?} is written with digits and spaces or -.() only");
                continue;
            }
            let whole = parse(&written, Some(country)).map(|p| (p.country().code(), p.national().to_string()));
            let by_digits = parse(&digits, Some(country)).map(|p| (p.country().code(), p.national().to_string()));
            assert_eq!(by_digits, whole, "{written:?} in {country}");
        }
    }
}
