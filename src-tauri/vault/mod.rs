//! The OS keychain: the only place a secret is kept.
//!
//! Entries live under service `custodian`, account `<workspace-id>/<purpose>/<id>`. keyring calls
//! block (and the Secret Service backend runs its own executor), so every call is moved off the async
//! runtime. There is deliberately no fallback: a missing keychain is an error the user must fix.

mod sensitive;

pub use sensitive::Sensitive;

const SERVICE: &str = "custodian";

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error(
        "No OS keychain is reachable ({detail}). Custodian keeps its keys only there. On Linux, run \
         a Secret Service provider (gnome-keyring or KWallet) and unlock it; on a headless machine, \
         start `gnome-keyring-daemon --unlock --components=secrets` inside `dbus-run-session`."
    )]
    Unavailable { detail: String },
    #[error("The keychain entry {account} holds something Custodian cannot read; remove it with your keychain tool and try again.")]
    Unreadable { account: String },
}

/// The keychain entries of one workspace.
#[derive(Clone, Debug)]
pub struct Vault {
    workspace: String,
}

impl Vault {
    pub fn new(workspace_id: &str) -> Self {
        Self { workspace: workspace_id.to_owned() }
    }

    fn account(&self, purpose: &str, id: &str) -> String {
        format!("{}/{purpose}/{id}", self.workspace)
    }

    pub async fn get(&self, purpose: &str, id: &str) -> Result<Option<Sensitive<String>>, VaultError> {
        let account = self.account(purpose, id);
        blocking(move || match retried(|| entry(&account)?.get_password()) {
            Ok(secret) => Ok(Some(Sensitive::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(keyring::Error::BadEncoding(_)) => Err(VaultError::Unreadable { account }),
            Err(e) => Err(unavailable(e)),
        })
        .await
    }

    pub async fn set(&self, purpose: &str, id: &str, secret: Sensitive<String>) -> Result<(), VaultError> {
        let account = self.account(purpose, id);
        blocking(move || retried(|| entry(&account)?.set_password(secret.expose())).map_err(unavailable)).await
    }

    pub async fn delete(&self, purpose: &str, id: &str) -> Result<(), VaultError> {
        let account = self.account(purpose, id);
        blocking(move || deleted(&account)).await
    }
}

impl Vault {
    /// Deletes an entry at once, on the calling thread: for clean-up where nothing async can run,
    /// such as a throwaway workspace being dropped.
    pub fn delete_now(&self, purpose: &str, id: &str) -> Result<(), VaultError> {
        deleted(&self.account(purpose, id))
    }
}

fn deleted(account: &str) -> Result<(), VaultError> {
    match retried(|| entry(account)?.delete_credential()) {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(unavailable(e)),
    }
}

/// Runs a keychain call again when the keychain service went away while answering it. A Secret
/// Service daemon that exits mid-call (gnome-keyring does when another client vanishes during its
/// handshake) is started again by the session bus at the next call, on the same unlocked keyring;
/// every call here is safe to repeat (a read, an overwrite, a delete that accepts "no entry").
fn retried<T>(mut call: impl FnMut() -> Result<T, keyring::Error>) -> Result<T, keyring::Error> {
    const PAUSES_MS: [u64; 3] = [100, 400, 1500];
    let mut pauses = PAUSES_MS.iter();
    loop {
        match call() {
            Err(e) if went_away(&e) => match pauses.next() {
                Some(ms) => std::thread::sleep(std::time::Duration::from_millis(*ms)),
                None => return Err(e),
            },
            done => return done,
        }
    }
}

#[cfg(target_os = "linux")]
fn went_away(e: &keyring::Error) -> bool {
    let keyring::Error::PlatformFailure(inner) = e else { return false };
    let Some(dbus_secret_service::Error::Dbus(e)) = inner.downcast_ref::<dbus_secret_service::Error>() else {
        return false;
    };
    // No reply (the daemon exited while answering) and no session (the session opened with the daemon
    // before it exited): both mean a daemon that is coming back. A service that is not installed or
    // not running at all is not retried, so its error is reported at once.
    matches!(e.name(), Some("org.freedesktop.DBus.Error.NoReply" | "org.freedesktop.Secret.Error.NoSession"))
}

#[cfg(not(target_os = "linux"))]
fn went_away(_: &keyring::Error) -> bool {
    false
}

fn entry(account: &str) -> Result<keyring::Entry, keyring::Error> {
    keyring::Entry::new(SERVICE, account)
}

fn unavailable(e: keyring::Error) -> VaultError {
    // keyring's messages describe the platform failure (D-Bus, locked collection); they never carry
    // the secret itself, which is only ever passed in, not returned, on the failing paths.
    VaultError::Unavailable { detail: e.to_string() }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, VaultError> + Send + 'static,
) -> Result<T, VaultError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(VaultError::Unavailable { detail: format!("keychain call did not finish: {e}") }))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn dbus_failure(name: &str) -> keyring::Error {
        let e = dbus_secret_service::Error::Dbus(dbus::Error::new_custom(name, "from the test"));
        keyring::Error::PlatformFailure(Box::new(e))
    }

    #[test]
    fn a_keychain_that_went_away_mid_call_is_asked_again_until_it_answers() {
        let calls = Cell::new(0);
        let answer = retried(|| {
            calls.set(calls.get() + 1);
            match calls.get() {
                1 => Err(dbus_failure("org.freedesktop.DBus.Error.NoReply")),
                2 => Err(dbus_failure("org.freedesktop.Secret.Error.NoSession")),
                _ => Ok("secret"),
            }
        });
        assert_eq!(answer.unwrap(), "secret");
        assert_eq!(calls.get(), 3);
    }

    #[test]
    fn a_keychain_that_is_not_there_is_reported_at_once() {
        let calls = Cell::new(0);
        let answer: Result<(), _> = retried(|| {
            calls.set(calls.get() + 1);
            Err(dbus_failure("org.freedesktop.DBus.Error.ServiceUnknown"))
        });
        assert!(matches!(answer, Err(keyring::Error::PlatformFailure(_))));
        assert_eq!(calls.get(), 1);
        let missing: Result<(), _> = retried(|| Err(keyring::Error::NoEntry));
        assert!(matches!(missing, Err(keyring::Error::NoEntry)));
    }

    #[test]
    fn a_keychain_that_never_comes_back_is_reported_after_the_last_pause() {
        let calls = Cell::new(0);
        let answer: Result<(), _> = retried(|| {
            calls.set(calls.get() + 1);
            Err(dbus_failure("org.freedesktop.DBus.Error.NoReply"))
        });
        assert!(answer.is_err());
        assert_eq!(calls.get(), 4);
    }
}
