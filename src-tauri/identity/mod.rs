//! The identity index: every stored person-identifier, normalised and reduced to a keyed hash
//! (HMAC-SHA256 with a workspace key kept in the keychain). A person is found by hashing what they
//! gave us the same way; the audit trail and the suppression list name people by these hashes only.

mod phone;

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use phone::{calling_code, normalise_phone, phone_digits};

use crate::vault::Sensitive;

/// The kinds of identifier: as a person gives them (the request form, the CLI's flags), as records
/// hold them, and as the index stores them. The number is part of the hashed input, so the same
/// digits as a phone and as a lead id never collide; it is also how the database stores a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, ts_rs::TS, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum IdKind {
    Email = 1,
    Phone = 2,
    LeadId = 3,
    /// A Page-scoped id (Messenger, Instagram messaging).
    Psid = 4,
    /// A WhatsApp id or business-scoped user id.
    WaId = 5,
    /// A Meta app-scoped user id.
    AppUserId = 6,
    CrmRecord = 7,
    /// A phone number by its digits as written: what finds a stored number that could not be
    /// placed in a country. Every phone given is searched this way too.
    PhoneDigits = 8,
}

impl IdKind {
    const ALL: [Self; 8] = [
        Self::Email,
        Self::Phone,
        Self::LeadId,
        Self::Psid,
        Self::WaId,
        Self::AppUserId,
        Self::CrmRecord,
        Self::PhoneDigits,
    ];

    /// The kind a stored number names, if any.
    pub fn from_stored(k: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|i| *i as i64 == k)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::LeadId => "Meta lead id",
            Self::Psid => "Page-scoped id",
            Self::WaId => "WhatsApp id",
            Self::AppUserId => "app-scoped user id",
            Self::CrmRecord => "CRM record id",
            Self::PhoneDigits => "phone as written",
        }
    }
}

/// One identifier of a person, as given or as a record holds it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Identifier {
    pub kind: IdKind,
    pub value: String,
}

/// The stored length of a hash: 128 bits is ample against collisions and halves the index.
pub const HASH_LEN: usize = 16;

pub type IdentityHash = [u8; HASH_LEN];

/// Keyed hashes kept one after another in a blob (a record's people), as a list.
pub fn unpacked(packed: &[u8]) -> Vec<IdentityHash> {
    packed.chunks_exact(HASH_LEN).filter_map(|h| IdentityHash::try_from(h).ok()).collect()
}

/// Computes keyed hashes. Cloning the keyed state per hash avoids re-deriving the HMAC pads.
#[derive(Clone)]
pub struct Hasher {
    keyed: Hmac<Sha256>,
}

impl Drop for Hasher {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        // The keyed state is as good as the key. It is plain data (arrays, no pointers, no drop of
        // its own), so its bytes are overwritten in place.
        // SAFETY: the bytes belong to `self.keyed`, which is never read again after this.
        let bytes = unsafe {
            std::slice::from_raw_parts_mut(
                (&mut self.keyed as *mut Hmac<Sha256>).cast::<u8>(),
                std::mem::size_of::<Hmac<Sha256>>(),
            )
        };
        bytes.zeroize();
    }
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hasher(<redacted>)")
    }
}

impl Hasher {
    pub fn new(key: &Sensitive<[u8; 32]>) -> Self {
        Self { keyed: Hmac::new_from_slice(key.expose()).expect("HMAC takes any key length") }
    }

    /// The hash of an identifier that is already normalised.
    pub fn hash(&self, kind: IdKind, normalised: &str) -> IdentityHash {
        let mut mac = self.keyed.clone();
        mac.update(&[kind as u8]);
        mac.update(normalised.as_bytes());
        let full = mac.finalize().into_bytes();
        full[..HASH_LEN].try_into().expect("SHA-256 is longer than the stored hash")
    }

    /// Normalises `raw` as `kind` and hashes it; `None` when it is not a usable identifier.
    pub fn identify(&self, kind: IdKind, raw: &str, country: Option<&str>) -> Option<IdentityHash> {
        let normalised = normalise(kind, raw, country)?;
        Some(self.hash(kind, &normalised))
    }
}

/// The canonical form of an identifier, or `None` when `raw` cannot be one.
pub fn normalise(kind: IdKind, raw: &str, country: Option<&str>) -> Option<String> {
    match kind {
        IdKind::Email => normalise_email(raw),
        IdKind::Phone => normalise_phone(raw, country),
        IdKind::PhoneDigits => phone_digits(raw),
        IdKind::LeadId => {
            let id = raw.trim();
            let id = id.strip_prefix("l:").unwrap_or(id);
            (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())).then(|| id.to_owned())
        }
        IdKind::WaId => normalise_wa_id(raw),
        _ => {
            let id = raw.trim();
            (!id.is_empty()).then(|| id.to_owned())
        }
    }
}

/// A WhatsApp id is a number's digits with its country code, as WhatsApp sends it; one written as
/// a number (`+44 7911 123456`) is the same id. A business-scoped user id (`US.1349…`) is kept as
/// given, trimmed.
fn normalise_wa_id(raw: &str) -> Option<String> {
    let id = raw.trim();
    match wa_id_number(id) {
        Some(digits) => (!digits.is_empty()).then_some(digits),
        None => (!id.is_empty()).then(|| id.to_owned()),
    }
}

/// The digits of a WhatsApp id written as a number; `None` for one that is not (a business-scoped
/// user id), which is no phone number either.
pub fn wa_id_number(raw: &str) -> Option<String> {
    let id = raw.trim();
    id.chars()
        .all(|c| c.is_ascii_digit() || " +-().\u{a0}".contains(c))
        .then(|| id.chars().filter(char::is_ascii_digit).collect())
}

/// Trimmed and lowercased; it must have one `@` with something on both sides and a dot after it.
pub fn normalise_email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let valid = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.chars().any(char::is_whitespace);
    valid.then_some(email)
}

/// The index entries a phone number makes when a person gives it, so that it finds the number
/// however it was stored: its E.164 form placed with each of `countries` (the client's, or every
/// client's when the request names none), its digits as written, and the national digits of each
/// E.164 form (`07911123456` for `+447911123456`), which find a stored number that could not be
/// placed in a country.
pub fn phone_entries(raw: &str, countries: &[&str]) -> Vec<(IdKind, String)> {
    let mut entries: Vec<(IdKind, String)> = Vec::with_capacity(4);
    let mut push = |entry: (IdKind, String)| {
        if !entries.contains(&entry) {
            entries.push(entry);
        }
    };
    let placed: Vec<String> = if countries.is_empty() {
        normalise_phone(raw, None).into_iter().collect()
    } else {
        countries.iter().filter_map(|c| normalise_phone(raw, Some(c))).collect()
    };
    for e164 in &placed {
        push((IdKind::Phone, e164.clone()));
    }
    if let Some(digits) = phone_digits(raw) {
        push((IdKind::PhoneDigits, digits));
    }
    for e164 in &placed {
        if let Some(national) = phone::national_digits(e164) {
            push((IdKind::PhoneDigits, national));
        }
    }
    entries
}

/// The index entry a stored phone number makes: E.164 where it can be placed, its digits otherwise.
pub fn stored_phone(raw: &str, country: Option<&str>) -> Option<(IdKind, String)> {
    match normalise_phone(raw, country) {
        Some(e164) => Some((IdKind::Phone, e164)),
        None => phone_digits(raw).map(|d| (IdKind::PhoneDigits, d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased_and_nonsense_is_refused() {
        assert_eq!(normalise_email("  Ann.Lee@Example.COM ").as_deref(), Some("ann.lee@example.com"));
        for bad in ["", "ann", "ann@", "@x.com", "ann@localhost", "a b@x.com", "a@b@c.com", "a@x.com."] {
            assert_eq!(normalise_email(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_same_identifier_hashes_the_same_whatever_its_spelling() {
        let h = Hasher::new(&Sensitive::new([7u8; 32]));
        assert_eq!(h.identify(IdKind::Email, "ANN@x.com ", None), h.identify(IdKind::Email, "ann@x.com", None));
        assert_eq!(
            h.identify(IdKind::Phone, "+44 7911 123456", None),
            h.identify(IdKind::Phone, "07911-123456", Some("GB"))
        );
        assert_eq!(h.identify(IdKind::LeadId, "l:123", None), h.identify(IdKind::LeadId, "123", None));
        assert_eq!(h.identify(IdKind::WaId, "+44 7911 123456", None), h.identify(IdKind::WaId, "447911123456", None));
    }

    #[test]
    fn a_whatsapp_id_written_as_a_number_is_its_digits_and_a_user_id_stays_as_given() {
        assert_eq!(normalise(IdKind::WaId, " +44 7911-123 456 ", None).as_deref(), Some("447911123456"));
        assert_eq!(normalise(IdKind::WaId, "447911123456", None).as_deref(), Some("447911123456"));
        assert_eq!(
            normalise(IdKind::WaId, " US.13491208655302741918 ", None).as_deref(),
            Some("US.13491208655302741918")
        );
        assert_eq!(normalise(IdKind::WaId, "  ", None), None);
        assert_eq!(normalise(IdKind::WaId, "+ -", None), None);
        // Only an id written as a number is a phone number too.
        assert_eq!(wa_id_number("+44 7911 123456").as_deref(), Some("447911123456"));
        assert_eq!(wa_id_number("US.13491208655302741918"), None);
    }

    #[test]
    fn kinds_and_keys_separate_hashes() {
        let a = Hasher::new(&Sensitive::new([7u8; 32]));
        let b = Hasher::new(&Sensitive::new([8u8; 32]));
        assert_ne!(a.hash(IdKind::Phone, "123"), a.hash(IdKind::LeadId, "123"));
        assert_ne!(a.hash(IdKind::Email, "a@x.com"), b.hash(IdKind::Email, "a@x.com"));
    }
}
