//! Deleting a whole workspace: its data directory and every keychain entry it made, for someone
//! who uninstalls Custodian and wants nothing left. Refused while a legal hold is in force; audited
//! up to the moment the trail goes with the rest.

use serde::Serialize;
use ts_rs::TS;

use super::workspace::{APP_SECRET, IDENTITY_PURPOSE, KEY_ID, KEY_PURPOSE};
use super::{Console, Error};
use crate::vault::Vault;

/// What deleting a workspace removed.
#[derive(Debug, Clone, Serialize, TS)]
pub struct WorkspaceDeleted {
    pub data_dir: String,
    /// Keychain entries asked to go (entries never made are no error).
    #[ts(type = "number")]
    pub keychain_entries: i64,
}

impl Console {
    /// Every keychain entry this workspace may have made, by purpose and id.
    async fn keychain_entries(&self) -> Result<Vec<(String, String)>, Error> {
        let pool = self.store.pool();
        let mut entries: Vec<(String, String)> =
            [(KEY_PURPOSE, KEY_ID), (IDENTITY_PURPOSE, KEY_ID), APP_SECRET, crate::app_lock::PASSPHRASE]
                .iter()
                .map(|(p, id)| ((*p).to_owned(), (*id).to_owned()))
                .collect();
        for c in crate::meta::connections::list(pool).await? {
            entries.push((crate::meta::connections::TOKEN_PURPOSE.to_owned(), c.id));
        }
        for p in crate::meta::pages::pages(pool).await? {
            entries.push((crate::meta::pages::PAGE_TOKEN_PURPOSE.to_owned(), p.id));
        }
        for c in crate::crm::connections::list(pool).await? {
            for purpose in [
                crate::crm::connections::TOKEN_PURPOSE,
                crate::crm::connections::REFRESH_PURPOSE,
                crate::crm::connections::APP_SECRET_PURPOSE,
            ] {
                entries.push((purpose.to_owned(), c.id.clone()));
            }
        }
        for a in crate::crm::apps::list(pool).await? {
            entries.push((crate::crm::apps::SECRET_PURPOSE.to_owned(), a.crm));
        }
        Ok(entries)
    }

    /// Deletes the workspace: refused while a legal hold is in force, and until `confirmed`; then
    /// audited, closed, its keychain entries deleted and its data directory removed. The keys go
    /// last but one: a failure before them leaves a workspace that still opens.
    pub async fn delete_workspace(&self, confirmed: bool) -> Result<WorkspaceDeleted, Error> {
        let today = self.today().to_string();
        let holds = {
            let mut conn = self.store.pool().acquire().await?;
            crate::retention::holds::list(&mut conn).await?
        };
        let in_force = holds.iter().filter(|h| h.until.as_deref().is_none_or(|u| u >= today.as_str())).count();
        let entries = self.keychain_entries().await?;
        let dir = self.dir.clone();
        let refusal = if in_force > 0 {
            Some(Error::Held(format!(
                "{in_force} legal holds are in force in this workspace: data needed for legal claims is kept (GDPR \
                 Art. 17(3)(e)), so the workspace is not deleted. Lift the holds when they no longer apply."
            )))
        } else if !confirmed {
            Some(Error::ConfirmationRequired(format!(
                "Deleting the workspace removes {} with everything it holds, and its {} keychain entries, for good.",
                dir.display(),
                entries.len()
            )))
        } else {
            None
        };
        let tx = self.store.write().await?;
        let object = format!("workspace {} ({} keychain entries)", self.workspace_id, entries.len());
        match refusal {
            Some(e) => return self.settle(tx, "workspace.delete", &object, Err(e)).await,
            None => self.settle(tx, "workspace.delete", &object, Ok(())).await?,
        }
        self.store.close().await;
        let vault = Vault::new(&self.workspace_id);
        for (purpose, id) in &entries {
            vault.delete(purpose, id).await?;
        }
        std::fs::remove_dir_all(&dir).map_err(|e| Error::DataDir {
            dir: dir.display().to_string(),
            detail: format!("it could not be removed ({e}); its keychain entries are gone, so delete it by hand"),
        })?;
        tracing::info!(workspace = %self.workspace_id, "workspace deleted");
        Ok(WorkspaceDeleted { data_dir: dir.display().to_string(), keychain_entries: entries.len() as i64 })
    }
}
