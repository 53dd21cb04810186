//! The Console's Meta operations: the agency's app, and connections by token. A token is inspected
//! with Meta before it is kept, kept only in the keychain, and never returned, logged or audited.

use serde::Serialize;
use ts_rs::TS;

use super::workspace::APP_SECRET;
use super::{rfc3339, Console, Error};
use crate::meta::app::{self, AppSettings};
use crate::meta::connections::{self, TOKEN_PURPOSE};
use crate::meta::inspect::{self, Targets};
use crate::meta::{Graph, GraphError, Pacing};
use crate::vault::{Sensitive, Vault};

/// Days before a token's expiry from which its connection shows as expiring.
pub const EXPIRY_WARNING_DAYS: i64 = 7;

/// The agency's Meta app, as the settings show it: never the secret, only whether it is set.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MetaApp {
    pub app_id: Option<String>,
    pub secret_set: bool,
    pub graph_version: String,
    /// Where calls go: `CUSTODIAN_GRAPH_URL` when set, else the setting.
    pub graph_url: String,
    /// How often the app syncs leads while it runs, in minutes; 0 never.
    #[ts(type = "number")]
    pub sync_minutes: i64,
}

/// A change to the app's settings; what is `None` stays.
#[derive(Debug, Clone, Default, serde::Deserialize, TS)]
pub struct MetaAppForm {
    pub app_id: Option<String>,
    pub graph_version: Option<String>,
    pub graph_url: Option<String>,
    #[ts(type = "number | null")]
    pub sync_minutes: Option<i64>,
}

/// How a connection's token is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TokenHealth {
    Ok,
    /// Expires within `EXPIRY_WARNING_DAYS`.
    Expiring,
    Expired,
    /// Meta reported it invalid: log in again or add a new token.
    LogInAgain,
}

/// A connection as the Connections screen and `meta status` show it; never its token.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MetaConnection {
    pub id: String,
    /// SYSTEM_USER, USER or PAGE, as Meta says.
    pub token_type: String,
    pub meta_user_id: Option<String>,
    pub app_id: String,
    pub scopes: Vec<String>,
    /// RFC 3339; `None` when it never expires.
    pub expires_at: Option<String>,
    #[ts(type = "number | null")]
    pub days_left: Option<i64>,
    pub client: Option<String>,
    pub created_at: String,
    pub last_ok_at: Option<String>,
    pub health: TokenHealth,
    /// Why, when the health is not ok.
    pub health_reason: Option<String>,
    /// Permissions granted for some Pages, WhatsApp accounts or businesses only, and which.
    pub targets: Vec<Targets>,
}

/// What disconnecting did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Disconnected {
    pub id: String,
    /// Whether Meta revoked the app's permissions (user tokens); `None` when there was nothing to
    /// revoke there.
    pub revoked_at_meta: Option<bool>,
    /// Meta's answer when revoking failed: the local removal went ahead.
    pub revoke_error: Option<String>,
}

impl Console {
    pub async fn meta_app(&self) -> Result<MetaApp, Error> {
        let settings = app::get(self.store.pool()).await?;
        let secret_set = Vault::new(&self.workspace_id).get(APP_SECRET.0, APP_SECRET.1).await?.is_some();
        Ok(MetaApp {
            app_id: settings.app_id.clone(),
            secret_set,
            graph_version: settings.graph_version.clone(),
            graph_url: settings.graph_url(),
            sync_minutes: settings.sync_minutes,
        })
    }

    /// Changes the app's id, Graph API version or address.
    pub async fn set_meta_app(&self, form: MetaAppForm) -> Result<MetaApp, Error> {
        let mut settings = app::get(self.store.pool()).await?;
        if let Some(id) = &form.app_id {
            settings.app_id = Some(app::clean_app_id(id).ok_or_else(|| {
                Error::Invalid(format!(
                    "'{}' is not a Meta app id: it is the digits on App settings → Basic.",
                    id.trim()
                ))
            })?);
        }
        if let Some(version) = &form.graph_version {
            let version = version.trim();
            if !app::VERSIONS.contains(&version) {
                return Err(Error::Invalid(format!(
                    "'{version}' is not a Graph API version Custodian speaks: use {}.",
                    app::VERSIONS.join(" or ")
                )));
            }
            settings.graph_version = version.to_owned();
        }
        if let Some(url) = &form.graph_url {
            let url = url.trim().trim_end_matches('/');
            Graph::new(url, &settings.graph_version, Pacing::default())?;
            settings.graph_url = url.to_owned();
        }
        if let Some(minutes) = form.sync_minutes {
            if !(0..=1440).contains(&minutes) {
                return Err(Error::Invalid("Leads sync every 1 to 1,440 minutes, or never (0).".into()));
            }
            settings.sync_minutes = minutes;
        }
        let mut tx = self.store.write().await?;
        app::set(&mut tx, &settings).await?;
        let object = format!(
            "Meta app {} on {} {}",
            settings.app_id.as_deref().unwrap_or("(no id)"),
            settings.graph_url,
            settings.graph_version
        );
        self.settle(tx, "meta.app", &object, Ok(())).await?;
        self.meta_app().await
    }

    /// Keeps the app secret in the keychain: it signs calls (`appsecret_proof`), inspects tokens
    /// and verifies data-deletion callbacks.
    pub async fn set_meta_app_secret(&self, secret: Sensitive<String>) -> Result<(), Error> {
        let trimmed = secret.expose().trim();
        if trimmed.is_empty() || trimmed.chars().any(char::is_whitespace) {
            return Err(Error::Invalid(
                "A Meta app secret is one word of letters and digits (App settings → Basic → App secret).".into(),
            ));
        }
        let secret = Sensitive::new(trimmed.to_owned());
        Vault::new(&self.workspace_id).set(APP_SECRET.0, APP_SECRET.1, secret).await?;
        let tx = self.store.write().await?;
        self.settle(tx, "meta.app_secret", "Meta app secret set in the keychain", Ok(())).await
    }

    pub async fn remove_meta_app_secret(&self) -> Result<(), Error> {
        Vault::new(&self.workspace_id).delete(APP_SECRET.0, APP_SECRET.1).await?;
        let tx = self.store.write().await?;
        self.settle(tx, "meta.app_secret", "Meta app secret removed from the keychain", Ok(())).await
    }

    /// The Graph API client for the app's settings, signing calls when the secret is set.
    pub(super) async fn graph(&self, settings: &AppSettings) -> Result<Graph, Error> {
        let secret = Vault::new(&self.workspace_id).get(APP_SECRET.0, APP_SECRET.1).await?;
        self.graph_with(settings, secret)
    }

    /// As `graph`, with the secret already read.
    fn graph_with(&self, settings: &AppSettings, secret: Option<Sensitive<String>>) -> Result<Graph, Error> {
        let pacing = self.graph_pacing.lock().unwrap_or_else(|e| e.into_inner()).clone();
        Ok(app::graph(settings, secret, pacing)?)
    }

    /// Connects a system-user, user or Page token: Meta inspects it first, and one that is invalid,
    /// of another app or lacking a permission Lead Ads needs is refused, naming what is wrong. The
    /// token goes to the keychain only; the connection, on record, holds what Meta said of it.
    pub async fn connect_meta(&self, token: Sensitive<String>, client: Option<&str>) -> Result<MetaConnection, Error> {
        let token = Sensitive::new(token.expose().trim().to_owned());
        if token.expose().is_empty() || token.expose().chars().any(char::is_whitespace) {
            return Err(Error::Invalid("A Meta access token is one word of letters and digits.".into()));
        }
        let settings = app::get(self.store.pool()).await?;
        let app_id = Self::app_id_of(&settings)?;
        let client = self.client_if(client).await?.map(|c| c.id);
        self.keep_token(&settings, &app_id, token, client.as_deref(), "pasted").await
    }

    /// The app's id, which every token is checked against.
    pub(super) fn app_id_of(settings: &AppSettings) -> Result<String, Error> {
        settings.app_id.clone().ok_or_else(|| {
            Error::Invalid("Set the Meta app's id first: tokens are checked against the agency's own app.".into())
        })
    }

    /// Inspects `token` with Meta and, if Custodian can work with it, keeps it in the keychain and
    /// the connection on record. `how` says on the audit trail how the token came.
    pub(super) async fn keep_token(
        &self,
        settings: &AppSettings,
        app_id: &str,
        token: Sensitive<String>,
        client_id: Option<&str>,
        how: &str,
    ) -> Result<MetaConnection, Error> {
        // With the secret, Meta is asked as the app; without it, the token inspects itself.
        let secret = Vault::new(&self.workspace_id).get(APP_SECRET.0, APP_SECRET.1).await?;
        let graph = self.graph_with(settings, secret.clone())?;
        let asking = match &secret {
            Some(s) => Sensitive::new(format!("{app_id}|{}", s.expose())),
            None => token.clone(),
        };
        let answer = graph.debug_token(&token, &asking).await?;
        let inspected = inspect::read(&answer).ok_or_else(|| {
            Error::Remote(GraphError::Unavailable { attempts: 1, last: "an answer of another shape".into() })
        })?;
        let tx = self.store.write().await?;
        if let Err(refusal) = inspect::check(&inspected, app_id) {
            let object = format!("{} token for app {} ({how})", inspected.token_type, inspected.app_id);
            // Meta's reason may quote the token.
            let said = refusal.to_string().replace(token.expose().as_str(), "<token>");
            return self.settle(tx, "meta.connect", &object, Err(Error::Invalid(said))).await;
        }
        let id = uuid::Uuid::new_v4().to_string();
        let mut tx = tx;
        let new = connections::New {
            id: &id,
            token_type: &inspected.token_type,
            meta_user_id: inspected.user_id.as_deref(),
            app_id: &inspected.app_id,
            scopes: &inspected.scopes,
            expires_at: inspected.expires_at,
            client_id,
            at: &self.stamp(),
            targets: &inspected.targets,
        };
        connections::insert(&mut tx, &new).await?;
        // The keychain first: a connection on record always has its token. Should the commit fail,
        // the entry is taken back.
        let vault = Vault::new(&self.workspace_id);
        vault.set(TOKEN_PURPOSE, &id, token).await?;
        let object = format!("connection:{id} {} token of app {} ({how})", inspected.token_type, inspected.app_id);
        if let Err(e) = self.settle(tx, "meta.connect", &object, Ok(())).await {
            let _ = vault.delete(TOKEN_PURPOSE, &id).await;
            return Err(e);
        }
        self.meta_connections()
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or(Error::Conflict("The connection was removed while it was being added.".into()))
    }

    /// Every connection with its token's health as of now.
    pub async fn meta_connections(&self) -> Result<Vec<MetaConnection>, Error> {
        let now = self.now();
        let rows = connections::list(self.store.pool()).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let days_left = r.expires_at.map(|t| (t - now.timestamp()).div_euclid(86_400));
                let (health, health_reason) = match (&r.invalid_reason, r.expires_at) {
                    (Some(reason), _) => (TokenHealth::LogInAgain, Some(reason.clone())),
                    (None, Some(t)) if t <= now.timestamp() => (TokenHealth::Expired, Some("the token expired".into())),
                    (None, Some(t)) if t - now.timestamp() <= EXPIRY_WARNING_DAYS * 86_400 => {
                        (TokenHealth::Expiring, Some(format!("it expires in {}", time_left(t - now.timestamp()))))
                    }
                    _ => (TokenHealth::Ok, None),
                };
                MetaConnection {
                    id: r.id,
                    token_type: r.token_type,
                    meta_user_id: r.meta_user_id,
                    app_id: r.app_id,
                    scopes: serde_json::from_str(&r.scopes).unwrap_or_default(),
                    expires_at: r.expires_at.and_then(crate::clock::from_unix).map(rfc3339),
                    days_left,
                    client: r.client,
                    created_at: r.created_at,
                    last_ok_at: r.last_ok_at,
                    health,
                    health_reason,
                    targets: serde_json::from_str(&r.granted_targets).unwrap_or_default(),
                }
            })
            .collect())
    }

    /// Disconnects: a user token's permissions are revoked at Meta, the token leaves the keychain,
    /// and the connection goes; leads synced through it stay, under retention. Without `confirmed`
    /// nothing changes and the refusal says what would happen.
    pub async fn disconnect_meta(&self, id: &str, confirmed: bool) -> Result<Disconnected, Error> {
        let mut tx = self.store.write().await?;
        let Some(connection) = connections::find(&mut tx, id).await? else {
            let e =
                Error::Invalid(format!("No Meta connection has id {}; the list of connections shows them.", id.trim()));
            return self.settle(tx, "meta.disconnect", &format!("connection:{}", id.trim()), Err(e)).await;
        };
        let user = connection.token_type == "USER";
        if !confirmed {
            return Err(Error::ConfirmationRequired(format!(
                "Disconnecting removes connection {}'s token from the keychain{}; leads synced through it stay.",
                connection.id,
                if user { " and revokes the app's permissions at Meta" } else { "" }
            )));
        }
        drop(tx);
        let vault = Vault::new(&self.workspace_id);
        let (mut revoked_at_meta, mut revoke_error) = (None, None);
        if user {
            if let Some(token) = vault.get(TOKEN_PURPOSE, &connection.id).await? {
                let settings = app::get(self.store.pool()).await?;
                match self.graph(&settings).await?.delete("me/permissions", &token).await {
                    Ok(_) => revoked_at_meta = Some(true),
                    Err(e) => {
                        revoked_at_meta = Some(false);
                        revoke_error = Some(e.to_string());
                    }
                }
            }
        }
        vault.delete(TOKEN_PURPOSE, &connection.id).await?;
        let mut tx = self.store.write().await?;
        // Its Pages' tokens go too; the Pages and their forms go with the connection's row.
        for page in crate::meta::pages::pages_of(&mut tx, &connection.id).await? {
            vault.delete(crate::meta::pages::PAGE_TOKEN_PURPOSE, &page).await?;
        }
        connections::delete(&mut tx, &connection.id).await?;
        let object = format!(
            "connection:{} {} token{}",
            connection.id,
            connection.token_type,
            match revoked_at_meta {
                Some(true) => ", revoked at Meta",
                Some(false) => ", not revoked at Meta",
                None => "",
            }
        );
        let done = Disconnected { id: connection.id.clone(), revoked_at_meta, revoke_error };
        self.settle(tx, "meta.disconnect", &object, Ok(done)).await
    }
}

/// `seconds` in the largest unit that says it: days, else hours, else minutes.
fn time_left(seconds: i64) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match seconds {
        s if s >= 86_400 => plural(s / 86_400, "day"),
        s if s >= 3_600 => plural(s / 3_600, "hour"),
        s => plural((s / 60).max(1), "minute"),
    }
}
