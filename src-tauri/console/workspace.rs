//! The data directory: `workspace.json` (the workspace id, not secret), the encrypted database, logs.
//! The database key lives in the keychain under the workspace id and nowhere else.

use std::io::Write;
use std::path::{Path, PathBuf};

use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::Error;
use crate::vault::{Sensitive, Vault};

pub const WORKSPACE_FILE: &str = "workspace.json";
pub const DATABASE_FILE: &str = "custodian.db";
pub const LOG_DIR: &str = "logs";
/// The app identifier: the desktop app and the CLI find the same default directory through it.
pub const IDENTIFIER: &str = "app.custodian.console";

pub(super) const KEY_PURPOSE: &str = "database";
pub(super) const KEY_ID: &str = "key";
pub(super) const IDENTITY_PURPOSE: &str = "identity";

#[derive(Serialize, Deserialize)]
struct WorkspaceFile {
    id: String,
}

/// Where the workspace lives when nothing says otherwise: the OS app-data directory.
pub fn default_dir() -> PathBuf {
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join(IDENTIFIER)
}

pub struct Opened {
    pub id: String,
    pub key: Sensitive<[u8; 32]>,
    /// The database file does not exist yet and may be created.
    pub create: bool,
}

/// Reads the workspace of `dir`, or makes a new one (id, key in the keychain) in an empty directory.
/// Never makes a new key where a database already exists: that would orphan the data.
pub async fn open(dir: &Path) -> Result<Opened, Error> {
    make_private_dir(dir)?;
    keep_private(dir)?;
    let db_exists = dir.join(DATABASE_FILE).exists();
    let id = match read_id(dir)? {
        Some(id) => id,
        None if db_exists => return Err(Error::WorkspaceFileMissing { dir: dir.display().to_string() }),
        None => {
            // Two processes creating one workspace would make two keys for one database.
            let _creating = super::lock::take(dir, "creating the workspace")?;
            match read_id(dir)? {
                Some(id) => id,
                None => {
                    let id = uuid::Uuid::new_v4().to_string();
                    let key = new_key();
                    Vault::new(&id).set(KEY_PURPOSE, KEY_ID, Sensitive::new(hex::encode(key.expose()))).await?;
                    // The key is safe in the keychain before the file that points to it exists.
                    write_id(dir, &id)?;
                    return Ok(Opened { id, key, create: true });
                }
            }
        }
    };
    let vault = Vault::new(&id);
    match vault.get(KEY_PURPOSE, KEY_ID).await? {
        Some(hex_key) => {
            let key = parse_key(hex_key.expose()).ok_or_else(|| {
                Error::Vault(crate::vault::VaultError::Unreadable { account: format!("{id}/{KEY_PURPOSE}/{KEY_ID}") })
            })?;
            Ok(Opened { id, key, create: !db_exists })
        }
        None if db_exists => Err(Error::KeyMissing { workspace: id, dir: dir.display().to_string() }),
        None => {
            let key = new_key();
            vault.set(KEY_PURPOSE, KEY_ID, Sensitive::new(hex::encode(key.expose()))).await?;
            Ok(Opened { id, key, create: true })
        }
    }
}

/// Deletes every keychain entry of the workspace in `dir`, at once: for throwaway workspaces
/// (benchmarks), whose data directory goes with them. Returns how many kinds of entry were asked
/// to go; entries that were never made are no error.
pub fn forget_keys_now(dir: &Path) -> Result<usize, Error> {
    let Some(id) = read_id(dir)? else { return Ok(0) };
    let vault = Vault::new(&id);
    let entries = [(KEY_PURPOSE, KEY_ID), (IDENTITY_PURPOSE, KEY_ID), APP_SECRET, crate::app_lock::PASSPHRASE];
    for (purpose, entry) in entries {
        vault.delete_now(purpose, entry)?;
    }
    Ok(entries.len())
}

/// The keychain entry of the Meta app secret, which signs data-deletion callbacks: purpose and id.
pub const APP_SECRET: (&str, &str) = ("meta-app-secret", "default");

/// The workspace id of `dir`, if it has one.
pub fn read_id(dir: &Path) -> Result<Option<String>, Error> {
    let path = dir.join(WORKSPACE_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(unusable(&path, e)),
    };
    let file: WorkspaceFile = serde_json::from_str(&text).map_err(|e| Error::DataDir {
        dir: path.display().to_string(),
        detail: format!("it is not a workspace file ({e})"),
    })?;
    Ok(Some(file.id))
}

fn write_id(dir: &Path, id: &str) -> Result<(), Error> {
    let path = dir.join(WORKSPACE_FILE);
    let tmp = dir.join(format!("{WORKSPACE_FILE}.tmp"));
    let body = serde_json::to_vec_pretty(&WorkspaceFile { id: id.to_owned() }).expect("a struct of strings serialises");
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&body)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)
    };
    write().map_err(|e| unusable(dir, e))
}

pub fn make_private_dir(dir: &Path) -> Result<(), Error> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| unusable(dir, e))
}

/// The data directory and the files Custodian keeps in it are its owner's alone, also when they
/// were made before Custodian saw to that, or by hand.
fn keep_private(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let set = |path: &Path, mode: u32| match std::fs::metadata(path) {
            Ok(m) if m.permissions().mode() & 0o777 != mode => {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            }
            _ => Ok(()),
        };
        set(dir, 0o700).map_err(|e| unusable(dir, e))?;
        set(&dir.join(LOG_DIR), 0o700).map_err(|e| unusable(dir, e))?;
        for name in [WORKSPACE_FILE, DATABASE_FILE, "custodian.db-wal", "custodian.db-shm", "logs/custodian.log"] {
            set(&dir.join(name), 0o600).map_err(|e| unusable(dir, e))?;
        }
    }
    Ok(())
}

fn unusable(path: &Path, e: std::io::Error) -> Error {
    Error::DataDir { dir: path.display().to_string(), detail: e.to_string() }
}

fn new_key() -> Sensitive<[u8; 32]> {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    Sensitive::new(key)
}

fn parse_key(hex_key: &str) -> Option<Sensitive<[u8; 32]>> {
    let bytes = hex::decode(hex_key).ok()?;
    Some(Sensitive::new(bytes.try_into().ok()?))
}

/// Whether anything holds a hash made with the identity key: the index and its runs, erased people's
/// suppressions, restrictions, holds on people, requests, and the audit trail's subjects. A new key
/// would make every one of them unfindable, and let erased people come back in the next import.
async fn any_keyed_hash(store: &crate::store::Store) -> Result<bool, Error> {
    let pool = store.pool();
    Ok(crate::leads::maintain::any_identities(pool).await?
        || crate::requests::erasure::any_suppressed(pool).await?
        || crate::requests::restriction::any_restricted(pool).await?
        || crate::retention::holds::any_on_people(pool).await?
        || crate::requests::any_identifiers(pool).await?
        || crate::audit::any_subjects(pool).await?)
}

/// The key of the identity index, made on first need. Never replaced once people are indexed with
/// it: a new key would make every stored identifier unfindable.
pub async fn identity_key(workspace: &str, store: &crate::store::Store) -> Result<Sensitive<[u8; 32]>, Error> {
    let vault = Vault::new(workspace);
    if let Some(hex_key) = vault.get(IDENTITY_PURPOSE, KEY_ID).await? {
        return parse_key(hex_key.expose()).ok_or_else(|| {
            Error::Vault(crate::vault::VaultError::Unreadable {
                account: format!("{workspace}/{IDENTITY_PURPOSE}/{KEY_ID}"),
            })
        });
    }
    if any_keyed_hash(store).await? {
        return Err(Error::IdentityKeyMissing { workspace: workspace.to_owned() });
    }
    let key = new_key();
    vault.set(IDENTITY_PURPOSE, KEY_ID, Sensitive::new(hex::encode(key.expose()))).await?;
    Ok(key)
}
