//! The desktop window's lock, as the Console keeps it: the passphrase only as its Argon2id hash in
//! the keychain, the idle minutes in the workspace, the gate every window call passes, and every
//! change and every passphrase tried on the audit trail.

use super::{Console, Error};
use crate::app_lock::gate::Gate;
use crate::app_lock::{self, LockError, LockStatus, PASSPHRASE};
use crate::vault::{Sensitive, Vault};

impl Console {
    /// The gate every call from the window passes.
    pub fn gate(&self) -> &Gate {
        &self.lock
    }

    async fn stored_passphrase(&self) -> Result<Option<Sensitive<String>>, Error> {
        Ok(Vault::new(&self.workspace_id).get(PASSPHRASE.0, PASSPHRASE.1).await?)
    }

    async fn idle_minutes(&self) -> Result<u32, Error> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(app_lock::idle_minutes(&mut conn).await?)
    }

    /// Starts the window's lock from what is kept: locked at once when a passphrase is set, so that
    /// whoever starts the app at someone's desk meets the lock first.
    pub async fn start_lock(&self) -> Result<LockStatus, Error> {
        let enabled = self.stored_passphrase().await?.is_some();
        self.lock.configure(enabled, self.idle_minutes().await?, true, self.now());
        self.lock_status().await
    }

    pub async fn lock_status(&self) -> Result<LockStatus, Error> {
        Ok(LockStatus {
            enabled: self.lock.is_enabled(),
            locked: self.lock.is_locked(),
            idle_minutes: self.idle_minutes().await?,
            wait_seconds: self.lock.wait_seconds(self.now()),
        })
    }

    /// Checks `passphrase` against the stored hash off the async threads: hashing takes a while on
    /// purpose.
    async fn passphrase_is(&self, stored: Sensitive<String>, passphrase: Sensitive<String>) -> Result<bool, Error> {
        tokio::task::spawn_blocking(move || app_lock::verify(&stored, &passphrase))
            .await
            .map_err(|e| Error::Invalid(format!("the passphrase check stopped: {e}")))
    }

    /// Sets the passphrase (the current one is needed to change it): from now on the window locks.
    pub async fn set_lock_passphrase(
        &self,
        new: Sensitive<String>,
        current: Option<Sensitive<String>>,
    ) -> Result<LockStatus, Error> {
        let checked = async {
            if let Some(stored) = self.stored_passphrase().await? {
                let current = current.ok_or(LockError::WrongPassphrase)?;
                if !self.passphrase_is(stored, current).await? {
                    return Err(LockError::WrongPassphrase.into());
                }
            }
            let phc = tokio::task::spawn_blocking(move || app_lock::hash(&new))
                .await
                .map_err(|e| Error::Invalid(format!("the passphrase hashing stopped: {e}")))??;
            Vault::new(&self.workspace_id).set(PASSPHRASE.0, PASSPHRASE.1, phc).await?;
            Ok::<_, Error>(())
        }
        .await;
        let tx = self.store.write().await?;
        let object = "app lock passphrase set in the keychain (as its Argon2id hash)";
        self.settle(tx, "lock.set", object, checked).await?;
        self.lock.configure(true, self.idle_minutes().await?, false, self.now());
        self.lock_status().await
    }

    /// Removes the passphrase, given it: the window no longer locks.
    pub async fn clear_lock_passphrase(&self, current: Sensitive<String>) -> Result<LockStatus, Error> {
        let checked = async {
            let stored = self.stored_passphrase().await?.ok_or(LockError::NotSet)?;
            if !self.passphrase_is(stored, current).await? {
                return Err(LockError::WrongPassphrase.into());
            }
            Vault::new(&self.workspace_id).delete(PASSPHRASE.0, PASSPHRASE.1).await?;
            Ok::<_, Error>(())
        }
        .await;
        let tx = self.store.write().await?;
        self.settle(tx, "lock.clear", "app lock passphrase removed from the keychain", checked).await?;
        self.lock.configure(false, self.idle_minutes().await?, false, self.now());
        self.lock_status().await
    }

    pub async fn set_lock_idle(&self, minutes: u32) -> Result<LockStatus, Error> {
        let mut tx = self.store.write().await?;
        let set = app_lock::set_idle_minutes(&mut tx, minutes).await.map_err(Error::from);
        self.settle(tx, "lock.idle", &format!("app lock after {minutes} idle minutes"), set).await?;
        self.lock.configure(self.lock.is_enabled(), minutes, false, self.now());
        self.lock_status().await
    }

    /// Locks the window now (`why`: "on demand", "idle", "screen locked"), if a passphrase is set.
    pub async fn lock_now(&self, why: &str) -> Result<LockStatus, Error> {
        if self.lock.lock() {
            self.record_lock(why).await?;
        }
        self.lock_status().await
    }

    /// Audits a lock the gate made itself.
    pub async fn record_lock(&self, why: &str) -> Result<(), Error> {
        let tx = self.store.write().await?;
        self.settle(tx, "lock.lock", &format!("window locked: {why}"), Ok(())).await
    }

    /// Someone used the window: its idle minutes count from now.
    pub fn lock_activity(&self) {
        self.lock.touch(self.now());
    }

    /// Unlocks the window with its passphrase. Wrong ones are audited, and pause further tries once
    /// there are too many.
    pub async fn unlock(&self, passphrase: Sensitive<String>) -> Result<LockStatus, Error> {
        let _one_at_a_time = self.unlocking.lock().await;
        let wait = self.lock.wait_seconds(self.now());
        let tried = async {
            if wait > 0 {
                return Err(LockError::TryLater(wait).into());
            }
            let Some(stored) = self.stored_passphrase().await? else {
                // The passphrase went from the keychain: nothing is left to unlock with, so the lock goes.
                self.lock.configure(false, self.idle_minutes().await?, false, self.now());
                return Ok(());
            };
            let right = self.passphrase_is(stored, passphrase).await?;
            self.lock.tried(right, self.now());
            if right {
                Ok(())
            } else {
                Err(LockError::WrongPassphrase.into())
            }
        }
        .await;
        let tx = self.store.write().await?;
        self.settle(tx, "lock.unlock", "window", tried).await?;
        self.lock_status().await
    }
}
