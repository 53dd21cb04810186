//! `custodian doctor`: checks what Custodian depends on and says exactly what to fix.
//! It never creates a workspace or a key; it only looks.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::workspace;
use crate::audit;
use crate::store::Store;
use crate::vault::{Sensitive, Vault};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Check {
    pub name: String,
    pub status: Status,
    pub detail: String,
    pub fix: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Report {
    /// False when any check failed; warnings do not count.
    pub ok: bool,
    pub checks: Vec<Check>,
}

fn check(name: &str, status: Status, detail: impl Into<String>, fix: Option<&str>) -> Check {
    Check { name: name.into(), status, detail: detail.into(), fix: fix.map(Into::into) }
}

pub async fn doctor(dir: &Path) -> Report {
    let mut checks = vec![check("version", Status::Ok, format!("custodian {}", crate::VERSION), None)];
    checks.push(keychain().await);
    checks.push(data_dir(dir));
    checks.extend(database(dir).await);
    checks.push(display());
    Report { ok: checks.iter().all(|c| c.status != Status::Fail), checks }
}

async fn keychain() -> Check {
    let vault = Vault::new("doctor");
    let id = uuid::Uuid::new_v4().to_string();
    let probe = uuid::Uuid::new_v4().to_string();
    let round_trip = async {
        vault.set("probe", &id, Sensitive::new(probe.clone())).await?;
        let back = vault.get("probe", &id).await?;
        vault.delete("probe", &id).await?;
        Ok::<_, crate::vault::VaultError>(back.is_some_and(|b| b.expose() == &probe))
    };
    match round_trip.await {
        Ok(true) => check("keychain", Status::Ok, "the OS keychain stores and returns secrets", None),
        Ok(false) => check(
            "keychain",
            Status::Fail,
            "the OS keychain accepted a secret but returned something else",
            Some("Check the keychain provider (gnome-keyring, KWallet, macOS Keychain) for errors and restart it."),
        ),
        Err(e) => check(
            "keychain",
            Status::Fail,
            e.to_string(),
            Some("No Secret Service answered: install one (the package recommends gnome-keyring: sudo apt install gnome-keyring), log in to the desktop again so that it starts unlocked, and check again. Without a desktop session: gnome-keyring-daemon --unlock --components=secrets inside dbus-run-session."),
        ),
    }
}

fn data_dir(dir: &Path) -> Check {
    if !dir.exists() {
        return check(
            "data directory",
            Status::Ok,
            format!("{} does not exist yet; it is made on first use", dir.display()),
            None,
        );
    }
    let probe = dir.join(".doctor-write-probe");
    match std::fs::write(&probe, b"").and_then(|()| std::fs::remove_file(&probe)) {
        Ok(()) => check("data directory", Status::Ok, format!("{} is writable", dir.display()), None),
        Err(e) => check(
            "data directory",
            Status::Fail,
            format!("{} is not writable: {e}", dir.display()),
            Some("Fix the directory's permissions, or choose another data directory."),
        ),
    }
}

async fn database(dir: &Path) -> Vec<Check> {
    let path = dir.join(workspace::DATABASE_FILE);
    if !path.exists() {
        return vec![check("database", Status::Ok, "no database yet; it is made on first use", None)];
    }
    // With a database present, opening the workspace only reads: it never makes a key or a file.
    let unopenable = |e: &dyn std::fmt::Display| {
        vec![check("database", Status::Fail, e.to_string(), Some("See the message: the data was not changed."))]
    };
    let opened = match workspace::open(dir).await {
        Ok(o) => o,
        Err(e) => return unopenable(&e),
    };
    let store = match Store::open(&path, &opened.key, false).await {
        Ok(s) => s,
        Err(e) => return unopenable(&e),
    };
    let mut checks = Vec::new();
    match (store.engine().await, store.check().await) {
        (Ok(engine), Ok(problems)) if problems.is_empty() => checks.push(check(
            "database",
            Status::Ok,
            format!("{} opens; SQLite {}, SQLCipher {}; integrity ok", path.display(), engine.sqlite, engine.cipher),
            None,
        )),
        (Ok(_), Ok(problems)) => checks.push(check(
            "database",
            Status::Fail,
            format!("SQLite found damage: {}", problems.join("; ")),
            Some("Restore the data directory from a backup; keep the damaged copy for support."),
        )),
        (Err(e), _) | (_, Err(e)) => checks.push(check("database", Status::Fail, e.to_string(), None)),
    }
    match audit::verify(store.pool()).await {
        Ok(v) if v.intact => checks.push(check("audit trail", Status::Ok, format!("{} entries, chain intact", v.entries), None)),
        Ok(v) => checks.push(check(
            "audit trail",
            Status::Fail,
            v.broken.map(|b| b.reason).unwrap_or_default(),
            Some("The trail was altered outside Custodian. Keep this data directory as evidence and restore from a backup."),
        )),
        Err(e) => checks.push(check("audit trail", Status::Fail, e.to_string(), None)),
    }
    store.close().await;
    checks
}

fn display() -> Check {
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        return check(
            "display",
            Status::Warn,
            "no display: the desktop app cannot open here, the command line works",
            Some("Run the app in a desktop session, or under Xvfb (`make run` does this by itself)."),
        );
    }
    check("display", Status::Ok, "a display is available for the desktop app", None)
}
