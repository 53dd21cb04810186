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
        blocking(move || {
            let entry = entry(&account)?;
            match entry.get_password() {
                Ok(secret) => Ok(Some(Sensitive::new(secret))),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(keyring::Error::BadEncoding(_)) => Err(VaultError::Unreadable { account }),
                Err(e) => Err(unavailable(e)),
            }
        })
        .await
    }

    pub async fn set(&self, purpose: &str, id: &str, secret: Sensitive<String>) -> Result<(), VaultError> {
        let account = self.account(purpose, id);
        blocking(move || entry(&account)?.set_password(secret.expose()).map_err(unavailable)).await
    }

    pub async fn delete(&self, purpose: &str, id: &str) -> Result<(), VaultError> {
        let account = self.account(purpose, id);
        blocking(move || match entry(&account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        })
        .await
    }
}

impl Vault {
    /// Deletes an entry at once, on the calling thread: for clean-up where nothing async can run,
    /// such as a throwaway workspace being dropped.
    pub fn delete_now(&self, purpose: &str, id: &str) -> Result<(), VaultError> {
        match entry(&self.account(purpose, id))?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}

fn entry(account: &str) -> Result<keyring::Entry, VaultError> {
    keyring::Entry::new(SERVICE, account).map_err(unavailable)
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
