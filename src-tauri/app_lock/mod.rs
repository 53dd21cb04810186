//! The app lock of the desktop window: a passphrase kept only as an Argon2id hash in the OS
//! keychain, how many idle minutes lock the window, and the gate that refuses every call from the
//! window while it is locked. The command line is not locked: it runs as the OS user.

pub mod gate;
pub mod screen;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::Serialize;
use sqlx::SqliteConnection;
use ts_rs::TS;

use crate::vault::Sensitive;

/// The keychain entry of the passphrase's hash: purpose and id.
pub const PASSPHRASE: (&str, &str) = ("app-lock", "passphrase");

/// The shortest passphrase taken, and the longest (hashing a longer one only costs time).
pub const SHORTEST: usize = 8;
pub const LONGEST: usize = 1_024;

/// Idle minutes before the window locks, the default and the bounds a person may set.
pub const DEFAULT_IDLE_MINUTES: u32 = 10;
pub const MOST_IDLE_MINUTES: u32 = 240;

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("A passphrase is at least {SHORTEST} characters long, and at most {LONGEST}.")]
    PassphraseLength,
    #[error("That is not the app's passphrase.")]
    WrongPassphrase,
    #[error("Too many wrong passphrases: try again in {0} seconds.")]
    TryLater(u64),
    #[error("No passphrase is set, so the app does not lock.")]
    NotSet,
    #[error("The app locks after 1 to {MOST_IDLE_MINUTES} idle minutes.")]
    IdleMinutes,
    #[error("The passphrase could not be hashed: {0}")]
    Hash(String),
    #[error(
        "The passphrase's hash in the keychain cannot be read, so no passphrase can be checked. Remove it as the \
         computer's user (on the command line, which is never locked), then set a new one."
    )]
    HashUnreadable,
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// The lock's settings, as the window shows them: never the passphrase or its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct LockStatus {
    /// Whether a passphrase is set, so that the window locks.
    pub enabled: bool,
    pub locked: bool,
    pub idle_minutes: u32,
    /// Seconds until another passphrase is taken after too many wrong ones; 0 when one is.
    #[ts(type = "number")]
    pub wait_seconds: u64,
}

/// OWASP's Argon2id setting of 19 MiB, two passes, one lane.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Checks a new passphrase's length, in characters.
pub fn check(passphrase: &Sensitive<String>) -> Result<(), LockError> {
    let n = passphrase.expose().chars().count();
    if !(SHORTEST..=LONGEST).contains(&n) {
        return Err(LockError::PassphraseLength);
    }
    Ok(())
}

/// The PHC string of `passphrase` (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), with a new salt.
pub fn hash(passphrase: &Sensitive<String>) -> Result<Sensitive<String>, LockError> {
    check(passphrase)?;
    let salt = SaltString::generate(&mut OsRng);
    let phc =
        hasher().hash_password(passphrase.expose().as_bytes(), &salt).map_err(|e| LockError::Hash(e.to_string()))?;
    Ok(Sensitive::new(phc.to_string()))
}

/// Whether `passphrase` is the one `phc` was made from; `None` when the PHC string cannot be read,
/// which is no wrong passphrase of the person's.
pub fn verify(phc: &Sensitive<String>, passphrase: &Sensitive<String>) -> Option<bool> {
    let parsed = PasswordHash::new(phc.expose()).ok()?;
    match hasher().verify_password(passphrase.expose().as_bytes(), &parsed) {
        Ok(()) => Some(true),
        Err(argon2::password_hash::Error::Password) => Some(false),
        // A hash without its parts, or with parameters out of range: nothing to check against.
        Err(_) => None,
    }
}

/// The wrong passphrases since the last right one, and until when tries pause (seconds since 1970).
pub async fn tries(conn: &mut SqliteConnection) -> Result<(u32, Option<i64>), sqlx::Error> {
    let row: Option<(i64, Option<i64>)> =
        sqlx::query_as("SELECT failures, paused_until FROM app_lock WHERE one = 1").fetch_optional(conn).await?;
    Ok(row.map_or((0, None), |(f, p)| (u32::try_from(f).unwrap_or(u32::MAX), p)))
}

pub async fn set_tries(
    conn: &mut SqliteConnection,
    failures: u32,
    paused_until: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO app_lock (one, failures, paused_until) VALUES (1, ?1, ?2)
         ON CONFLICT (one) DO UPDATE SET failures = ?1, paused_until = ?2",
    )
    .bind(failures)
    .bind(paused_until)
    .execute(conn)
    .await?;
    Ok(())
}

/// The idle minutes set, or the default.
pub async fn idle_minutes(conn: &mut SqliteConnection) -> Result<u32, sqlx::Error> {
    let minutes: Option<i64> =
        sqlx::query_scalar("SELECT idle_minutes FROM app_lock WHERE one = 1").fetch_optional(conn).await?;
    Ok(minutes.and_then(|m| u32::try_from(m).ok()).unwrap_or(DEFAULT_IDLE_MINUTES))
}

pub async fn set_idle_minutes(conn: &mut SqliteConnection, minutes: u32) -> Result<(), LockError> {
    if !(1..=MOST_IDLE_MINUTES).contains(&minutes) {
        return Err(LockError::IdleMinutes);
    }
    sqlx::query(
        "INSERT INTO app_lock (one, idle_minutes) VALUES (1, ?1) ON CONFLICT (one) DO UPDATE SET idle_minutes = ?1",
    )
    .bind(minutes)
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passphrase_is_kept_as_an_argon2id_phc_string_that_only_it_verifies() {
        let right = Sensitive::new("correct horse battery".to_owned());
        let phc = hash(&right).unwrap();
        assert!(phc.expose().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", phc.expose());
        assert!(!phc.expose().contains("correct horse"));
        assert_eq!(verify(&phc, &right), Some(true));
        assert_eq!(verify(&phc, &Sensitive::new("correct horse battery ".to_owned())), Some(false));
        assert_eq!(verify(&Sensitive::new("not a hash".to_owned()), &right), None, "unreadable, not wrong");
        // A new salt each time: the same passphrase never hashes alike.
        assert_ne!(hash(&right).unwrap().expose(), phc.expose());
        assert!(matches!(hash(&Sensitive::new("short".to_owned())), Err(LockError::PassphraseLength)));
    }
}
