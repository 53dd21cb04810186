//! Matching keys as Meta's SDKs normalise and hash them before they leave the machine
//! (../shared/reference/meta-graph-api.md, Conversions API): trimmed and lowercased, each key
//! cleaned by its own rule, then SHA-256 in lowercase hex. A value that already is 64 hex digits
//! was hashed by whoever wrote it and passes through.

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// A matching key of `user_data` that is sent hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Email,
    Phone,
    FirstName,
    LastName,
    City,
    State,
    Zip,
    Country,
    ExternalId,
}

impl Key {
    /// Meta's name for it in `user_data`.
    pub fn meta_name(self) -> &'static str {
        match self {
            Self::Email => "em",
            Self::Phone => "ph",
            Self::FirstName => "fn",
            Self::LastName => "ln",
            Self::City => "ct",
            Self::State => "st",
            Self::Zip => "zp",
            Self::Country => "country",
            Self::ExternalId => "external_id",
        }
    }

    /// In words, for a reason an event cannot be sent.
    pub fn label(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::FirstName => "first name",
            Self::LastName => "last name",
            Self::City => "city",
            Self::State => "state",
            Self::Zip => "zip",
            Self::Country => "country",
            Self::ExternalId => "external id",
        }
    }
}

/// Whether `value` is a SHA-256 in hex already.
pub fn already_hashed(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Meta's test for an email: `^[a-z0-9_.+-]+@[a-z0-9-]+\.[a-z0-9-.]+$`, on the lowercased value.
fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    let local_ok = !local.is_empty() && local.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.+-".contains(&b));
    let Some((host, rest)) = domain.split_once('.') else { return false };
    let host_ok = !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let rest_ok = !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.".contains(&b));
    local_ok && host_ok && rest_ok
}

/// The value of `key` as Meta hashes it, or why it cannot be one; `Ok(None)` for an empty value.
/// A phone is written with its country code: `country` (the client's) places a national number.
pub fn normalise(key: Key, raw: &str, country: Option<&str>) -> Result<Option<String>, String> {
    let mut value = raw.trim().to_lowercase();
    // An accent written as a letter and a combining mark (as some systems export text) is composed
    // first: the mark alone is no letter, and would be dropped from a name or hashed apart. Only
    // in words: an id is hashed as written.
    if matches!(key, Key::FirstName | Key::LastName | Key::City | Key::State) && !value.is_ascii() {
        value = value.nfc().collect();
    }
    if value.is_empty() {
        return Ok(None);
    }
    if already_hashed(&value) {
        return Ok(Some(value));
    }
    let cleaned = match key {
        Key::Email if valid_email(&value) => value,
        Key::Email => return Err("the email is not a valid address".into()),
        Key::Phone => {
            let e164 = crate::identity::normalise(crate::identity::IdKind::Phone, &value, country);
            phone(&value, e164.as_deref()).ok_or("the phone number has no digits to send")?
        }
        // Letters only, in any script: accents are kept, as UTF-8.
        Key::FirstName | Key::LastName => value.chars().filter(|c| c.is_alphabetic()).collect(),
        Key::City | Key::State => {
            value.chars().filter(|c| !c.is_ascii_digit() && !c.is_whitespace() && !".-()".contains(*c)).collect()
        }
        Key::Zip => {
            let joined: String = value.chars().filter(|c| !c.is_whitespace()).collect();
            joined.split('-').next().unwrap_or_default().to_owned()
        }
        Key::Country if value.len() == 2 && value.bytes().all(|b| b.is_ascii_lowercase()) => value,
        Key::Country => return Err("the country is not a two-letter ISO 3166 code".into()),
        Key::ExternalId => value,
    };
    Ok((!cleaned.is_empty()).then_some(cleaned))
}

/// A phone number as digits with its country code: its E.164 form when it could be placed (with
/// the client's country for a national one), else its digits once spaces, `-()`, a leading `+` and
/// a leading `00` are dropped.
fn phone(value: &str, e164: Option<&str>) -> Option<String> {
    if let Some(e164) = e164 {
        return Some(e164.trim_start_matches('+').to_owned());
    }
    let kept: String = value.chars().filter(|c| !c.is_whitespace() && !"-()".contains(*c)).collect();
    let kept = kept.strip_prefix('+').unwrap_or(&kept);
    let kept = kept.strip_prefix("00").unwrap_or(kept);
    (!kept.is_empty() && kept.bytes().all(|b| b.is_ascii_digit())).then(|| kept.to_owned())
}

/// SHA-256 of a normalised value; a value already hashed (in hex, lowercased by normalising) is
/// itself.
pub fn digest(normalised: &str) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    if already_hashed(normalised) && hex::decode_to_slice(normalised, &mut bytes).is_ok() {
        return bytes;
    }
    Sha256::digest(normalised.as_bytes()).into()
}

/// Normalised and hashed: what goes into `user_data`.
pub fn hashed(key: Key, raw: &str, country: Option<&str>) -> Result<Option<[u8; 32]>, String> {
    Ok(normalise(key, raw, country)?.map(|n| digest(&n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs as people write them, with the normalised value and its SHA-256 (computed apart,
    /// with coreutils' `sha256sum`), for the examples in Meta's customer information parameters.
    const TABLE: &[(Key, &str, Option<&str>, &str, &str)] = &[
        (
            Key::Email,
            "  John_Smith@gmail.com ",
            None,
            "john_smith@gmail.com",
            "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f",
        ),
        (
            Key::Phone,
            "+1 (616) 954-7888",
            None,
            "16169547888",
            "bb2fa2e6d2cea4746530c99686d0c7886ab2019875dca2d7e9e171c0e6ada00d",
        ),
        (
            Key::Phone,
            "07911 123456",
            Some("GB"),
            "447911123456",
            "40b5c38342a9c584ec707e8679b003f8c779c6aaa138c976ef94e049cc05208f",
        ),
        (
            Key::Phone,
            "0044 7911 123456",
            None,
            "447911123456",
            "40b5c38342a9c584ec707e8679b003f8c779c6aaa138c976ef94e049cc05208f",
        ),
        (Key::FirstName, "Mary", None, "mary", "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec"),
        (
            Key::FirstName,
            " Valéry.",
            None,
            "valéry",
            "08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c",
        ),
        (
            Key::FirstName,
            "Marie-José",
            None,
            "mariejosé",
            "89408cd7bb7b0ba3842ca99bed096ae36b62648d91e22c820e577cb55d4b8791",
        ),
        (Key::LastName, "Smith", None, "smith", "6627835f988e2c5e50533d491163072d3f4f41f5c8b04630150debb3722ca2dd"),
        (
            Key::City,
            "Menlo Park",
            None,
            "menlopark",
            "0007a3d64c01e23d5075203c5977c14e4f7e01a3fc570686fcc50b5e1dd42685",
        ),
        (Key::State, "CA", None, "ca", "6959097001d10501ac7d54c0bdb8db61420f658f2922cc26e46d536119a31126"),
        (Key::Zip, "94025-1234", None, "94025", "b9a9cf3cd3723a2e91b7c23ecf68456e872b6e5d86e5cab7f3d45a7302da32c7"),
        (Key::Zip, "W1 1AA", None, "w11aa", "2f5698a8084621a8445caa18e51fe23c671494fe94ab2d4f9c7be277f88b121e"),
        (Key::Country, "US", None, "us", "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"),
        (
            Key::ExternalId,
            "User-42",
            None,
            "user-42",
            "6d894aa3ee802549d7f340e7c1cf0d1c1cb14cd84f768d92ffaa6785337c4997",
        ),
    ];

    #[test]
    fn matching_keys_are_normalised_and_hashed_as_metas_sdks_do() {
        for (key, raw, country, normalised, sha) in TABLE {
            assert_eq!(normalise(*key, raw, *country).unwrap().as_deref(), Some(*normalised), "{key:?} {raw}");
            assert_eq!(hashed(*key, raw, *country).unwrap().map(hex::encode).as_deref(), Some(*sha), "{key:?} {raw}");
        }
    }

    #[test]
    fn an_accent_written_as_a_combining_mark_hashes_as_the_composed_letter() {
        let composed = hashed(Key::FirstName, " Valéry.", None).unwrap();
        assert_eq!(hashed(Key::FirstName, " Vale\u{301}ry.", None).unwrap(), composed);
        assert_eq!(hashed(Key::City, "Zu\u{308}rich", None).unwrap(), hashed(Key::City, "Zürich", None).unwrap());
    }

    #[test]
    fn a_value_already_hashed_passes_through_lowercased() {
        let sha = "62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F";
        assert_eq!(hashed(Key::Email, sha, None).unwrap().map(hex::encode), Some(sha.to_lowercase()));
    }

    #[test]
    fn an_invalid_email_or_country_is_refused_and_an_empty_value_is_nothing() {
        assert!(normalise(Key::Email, "john smith@gmail.com", None).is_err());
        assert!(normalise(Key::Email, "john@localhost", None).is_err());
        assert!(normalise(Key::Country, "United States", None).is_err());
        assert!(normalise(Key::Phone, "call me", None).is_err());
        assert_eq!(normalise(Key::City, "   ", None).unwrap(), None);
        assert_eq!(normalise(Key::FirstName, "123", None).unwrap(), None);
    }
}
