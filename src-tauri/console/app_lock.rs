//! The desktop window's lock, as the Console keeps it: the passphrase only as its Argon2id hash in
//! the keychain, the idle minutes and the wrong passphrases in the workspace, the gate every window
//! call passes, and every change and every passphrase checked on the audit trail.

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

    /// Starts the window's lock from what is kept: locked at once when a passphrase is set, so that
    /// whoever starts the app at someone's desk meets the lock first. When what is kept cannot be
    /// read, it starts locked all the same: unlocking then says why until it can be.
    pub async fn start_lock(&self) -> Result<LockStatus, Error> {
        let now = self.now();
        let kept = async {
            let enabled = self.stored_passphrase().await?.is_some();
            let mut conn = self.store.pool().acquire().await?;
            let idle = app_lock::idle_minutes(&mut conn).await?;
            let (failures, paused_until) = app_lock::tries(&mut conn).await?;
            Ok::<_, Error>((enabled, idle, failures, paused_until))
        }
        .await;
        match kept {
            Ok((enabled, idle, failures, paused_until)) => {
                self.lock.configure(enabled, idle, true, now);
                self.lock.restore(failures, paused_until.and_then(crate::clock::from_unix));
                Ok(self.lock_status())
            }
            Err(e) => {
                self.lock.configure(true, app_lock::DEFAULT_IDLE_MINUTES, true, now);
                Err(e)
            }
        }
    }

    /// Where the lock stands; read from the gate alone, so that it answers whatever the database is doing.
    pub fn lock_status(&self) -> LockStatus {
        LockStatus {
            enabled: self.lock.is_enabled(),
            locked: self.lock.is_locked(),
            idle_minutes: self.lock.idle_minutes(),
            wait_seconds: self.lock.wait_seconds(self.now()),
        }
    }

    /// Checks `passphrase` against the stored hash, off the async threads (hashing takes a while on
    /// purpose), through the same pause as unlocking: no passphrase is guessed more freely at an
    /// unlocked window than at a locked one. `what` names the try in the audit trail. Returns the
    /// outcome, audited with the tries left in the workspace, and the wrong ones counted.
    async fn check_passphrase(
        &self,
        stored: Sensitive<String>,
        passphrase: Sensitive<String>,
        action: &str,
    ) -> Result<(), Error> {
        let wait = self.lock.wait_seconds(self.now());
        if wait > 0 {
            // A try during a pause checks nothing, and is not written down: it cannot flood the trail.
            return Err(LockError::TryLater(wait).into());
        }
        let right = tokio::task::spawn_blocking(move || app_lock::verify(&stored, &passphrase))
            .await
            .map_err(|e| Error::Invalid(format!("the passphrase check stopped: {e}")))?;
        let Some(right) = right else {
            let tx = self.store.write().await?;
            return self.settle(tx, action, "window", Err(LockError::HashUnreadable.into())).await;
        };
        let now = self.now();
        let (failures, paused_until) = self.lock.after_try(right, now);
        let mut tx = self.store.write().await?;
        let kept = app_lock::set_tries(&mut tx, failures, paused_until.map(|t| t.timestamp())).await;
        let outcome = match kept {
            Err(e) => Err(e.into()),
            Ok(()) if right => Ok(()),
            Ok(()) => Err(LockError::WrongPassphrase.into()),
        };
        let settled = self.settle(tx, action, "window", outcome).await;
        // Counted only once on the trail: a try whose entry could not be written changes nothing.
        if matches!(&settled, Ok(()) | Err(Error::Lock(LockError::WrongPassphrase))) {
            self.lock.restore(failures, paused_until);
        }
        settled
    }

    /// Sets the passphrase (the current one is needed to change it): from now on the window locks.
    pub async fn set_lock_passphrase(
        &self,
        new: Sensitive<String>,
        current: Option<Sensitive<String>>,
    ) -> Result<LockStatus, Error> {
        let _one_at_a_time = self.unlocking.lock().await;
        if let Some(stored) = self.stored_passphrase().await? {
            let current = current.unwrap_or_else(|| Sensitive::new(String::new()));
            self.check_passphrase(stored, current, "lock.check").await?;
        }
        let hashed = async {
            let phc = tokio::task::spawn_blocking(move || app_lock::hash(&new))
                .await
                .map_err(|e| Error::Invalid(format!("the passphrase hashing stopped: {e}")))??;
            Vault::new(&self.workspace_id).set(PASSPHRASE.0, PASSPHRASE.1, phc).await?;
            Ok::<_, Error>(())
        }
        .await;
        let tx = self.store.write().await?;
        let object = "app lock passphrase set in the keychain (as its Argon2id hash)";
        self.settle(tx, "lock.set", object, hashed).await?;
        self.lock.configure(true, self.lock.idle_minutes(), false, self.now());
        Ok(self.lock_status())
    }

    /// Removes the passphrase, given it: the window no longer locks.
    pub async fn clear_lock_passphrase(&self, current: Sensitive<String>) -> Result<LockStatus, Error> {
        let _one_at_a_time = self.unlocking.lock().await;
        let Some(stored) = self.stored_passphrase().await? else {
            let tx = self.store.write().await?;
            return self.settle(tx, "lock.clear", "app lock passphrase", Err(LockError::NotSet.into())).await;
        };
        self.check_passphrase(stored, current, "lock.check").await?;
        self.remove_lock_passphrase("app lock passphrase removed from the keychain").await
    }

    /// Removes the passphrase without it: for the command line, which runs as the computer's user
    /// (who can read the keychain anyway), when the passphrase is forgotten or its hash damaged.
    pub async fn forget_lock_passphrase(&self) -> Result<LockStatus, Error> {
        self.remove_lock_passphrase("app lock passphrase removed from the keychain by the computer's user").await
    }

    async fn remove_lock_passphrase(&self, object: &str) -> Result<LockStatus, Error> {
        let removed = Vault::new(&self.workspace_id).delete(PASSPHRASE.0, PASSPHRASE.1).await.map_err(Error::from);
        let mut tx = self.store.write().await?;
        let removed = match removed {
            Ok(()) => app_lock::set_tries(&mut tx, 0, None).await.map_err(Error::from),
            Err(e) => Err(e),
        };
        self.settle(tx, "lock.clear", object, removed).await?;
        self.lock.configure(false, self.lock.idle_minutes(), false, self.now());
        self.lock.restore(0, None);
        Ok(self.lock_status())
    }

    pub async fn set_lock_idle(&self, minutes: u32) -> Result<LockStatus, Error> {
        let mut tx = self.store.write().await?;
        let set = app_lock::set_idle_minutes(&mut tx, minutes).await.map_err(Error::from);
        self.settle(tx, "lock.idle", &format!("app lock after {minutes} idle minutes"), set).await?;
        self.lock.configure(self.lock.is_enabled(), minutes, false, self.now());
        Ok(self.lock_status())
    }

    /// Locks the window now (`why`: "on demand", "idle", "screen locked"), if a passphrase is set.
    /// The lock holds at once; its audit entry follows, and one that cannot be written (the
    /// database busy) is logged instead of keeping the window open.
    pub async fn lock_now(&self, why: &str) -> LockStatus {
        if self.lock.lock() {
            self.record_lock(why).await;
        }
        self.lock_status()
    }

    /// Audits a lock the gate made.
    pub async fn record_lock(&self, why: &str) {
        let recorded = async {
            let tx = self.store.write().await?;
            self.settle(tx, "lock.lock", &format!("window locked: {why}"), Ok(())).await
        }
        .await;
        if let Err(e) = recorded {
            tracing::warn!(error = %e, "a lock of the window was not recorded in the audit trail");
        }
    }

    /// Someone used the window: its idle minutes count from now.
    pub fn lock_activity(&self) {
        self.lock.touch(self.now());
    }

    /// Unlocks the window with its passphrase. Every passphrase checked is audited; wrong ones pause
    /// further tries once there are too many, across restarts.
    pub async fn unlock(&self, passphrase: Sensitive<String>) -> Result<LockStatus, Error> {
        let _one_at_a_time = self.unlocking.lock().await;
        let Some(stored) = self.stored_passphrase().await? else {
            // The passphrase went from the keychain: nothing is left to unlock with, so the lock goes.
            self.lock.configure(false, self.lock.idle_minutes(), false, self.now());
            return Ok(self.lock_status());
        };
        self.check_passphrase(stored, passphrase, "lock.unlock").await?;
        self.lock.tried(true, self.now());
        Ok(self.lock_status())
    }
}
