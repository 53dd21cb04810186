//! Connecting a CRM by signing in through the system browser: the agency's OAuth app at each CRM
//! (its client id, and its secret in the keychain), and the sign-in itself, with PKCE and a
//! loopback redirect. The tokens that come back go to the keychain only.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::crm::{CrmConnection, SignedIn};
use super::{Console, Error};
use crate::crm::apps::{self, App, DEFAULT_PORT, SECRET_PURPOSE};
use crate::crm::client::CrmClient;
use crate::crm::connections;
use crate::crm::loopback::{Ended, Loopback};
use crate::crm::oauth::{self, AppCredentials, Grant, Pkce};
use crate::crm::Crm;
use crate::vault::{Sensitive, Vault};

/// How long a sign-in waits for the browser to come back.
const PATIENCE: Duration = Duration::from_secs(10 * 60);

/// The agency's OAuth app at a CRM, as shown; never its secret.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CrmApp {
    pub crm: Crm,
    pub client_id: String,
    /// Whether its client secret is in the keychain.
    pub has_secret: bool,
    /// The authorization server signed in at.
    pub auth_url: String,
    pub redirect_port: u16,
    /// The redirect URL to register with the app at the CRM.
    pub redirect_uri: String,
}

/// What setting an app takes; its secret comes separately, never through a form that is logged.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct CrmAppForm {
    pub crm: Crm,
    pub client_id: String,
    #[ts(optional)]
    pub auth_url: Option<String>,
    #[ts(optional)]
    pub redirect_port: Option<u16>,
}

/// A sign-in under way: the address to open in the system browser, and to show (and copy) should
/// none open.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SignIn {
    pub crm: Crm,
    pub address: String,
}

impl Console {
    pub async fn crm_apps(&self) -> Result<Vec<CrmApp>, Error> {
        let vault = Vault::new(&self.workspace_id);
        let mut shown = Vec::new();
        for app in apps::list(self.store.pool()).await? {
            let Some(crm) = Crm::parse(&app.crm) else { continue };
            let has_secret = vault.get(SECRET_PURPOSE, crm.as_str()).await?.is_some();
            shown.push(shown_app(crm, app, has_secret));
        }
        Ok(shown)
    }

    /// Sets the agency's app at a CRM; `secret`, when given, replaces the one in the keychain.
    pub async fn set_crm_app(&self, form: CrmAppForm, secret: Option<Sensitive<String>>) -> Result<CrmApp, Error> {
        let client_id = form.client_id.trim().to_owned();
        if client_id.is_empty()
            || client_id.len() > 256
            || client_id.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(Error::Invalid(format!(
                "A {} app's client id is one word, as the CRM's developer settings show it.",
                form.crm.label()
            )));
        }
        let auth_url = match form.auth_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => {
                let url = url.trim_end_matches('/');
                oauth::authorize_url(form.crm, url, &client_id, "http://127.0.0.1/", "s", "c")
                    .map_err(Error::Invalid)?;
                Some(url.to_owned())
            }
            None => None,
        };
        let app = App {
            crm: form.crm.as_str().to_owned(),
            client_id,
            auth_url,
            redirect_port: i64::from(form.redirect_port.unwrap_or(DEFAULT_PORT)),
        };
        let vault = Vault::new(&self.workspace_id);
        if let Some(secret) = secret {
            let secret = Sensitive::new(secret.expose().trim().to_owned());
            if secret.expose().is_empty() {
                return Err(Error::Invalid("The client secret given is empty.".into()));
            }
            vault.set(SECRET_PURPOSE, form.crm.as_str(), secret).await?;
        }
        let mut tx = self.store.write().await?;
        apps::set(&mut tx, &app).await?;
        let object = format!("crm-app:{} client id {}", app.crm, app.client_id);
        self.settle(tx, "crm.app", &object, Ok(())).await?;
        let has_secret = vault.get(SECRET_PURPOSE, form.crm.as_str()).await?.is_some();
        Ok(shown_app(form.crm, app, has_secret))
    }

    /// Forgets the agency's app at a CRM and its secret. Connections made through it keep
    /// renewing their tokens as the app they were made with (each keeps its own copy of the
    /// secret), until they are disconnected.
    pub async fn remove_crm_app(&self, crm: Crm) -> Result<(), Error> {
        Vault::new(&self.workspace_id).delete(SECRET_PURPOSE, crm.as_str()).await?;
        let mut tx = self.store.write().await?;
        if !apps::delete(&mut tx, crm).await? {
            return Err(Error::Invalid(format!("No {} app is set.", crm.label())));
        }
        self.settle(tx, "crm.app.remove", &format!("crm-app:{}", crm.as_str()), Ok(())).await
    }

    /// Connects a client's CRM by signing in through the system browser: the CRM sends the browser
    /// back to a loopback address with a code, which is exchanged (with PKCE's verifier) for an
    /// access token and a refresh token. `open` is given the address to open in the browser once
    /// the loopback address listens; `cancel` stops the wait.
    pub async fn connect_crm_in_browser(
        &self,
        crm: Crm,
        client: &str,
        base_url: Option<&str>,
        open: &(dyn Fn(&SignIn) + Send + Sync),
        cancel: Arc<AtomicBool>,
    ) -> Result<CrmConnection, Error> {
        let client = self.client(client).await?;
        let Some(app) = apps::one(self.store.pool(), crm).await? else {
            return Err(Error::Invalid(format!(
                "Signing in to {} through the browser needs the agency's {} app: set its client id first.",
                crm.label(),
                crm.label()
            )));
        };
        let base_url = base_url.map(|u| u.trim().trim_end_matches('/').to_owned()).filter(|u| !u.is_empty());
        // A Salesforce org given by its address (a My Domain, a sandbox) is signed in to there.
        let auth_url = match (crm, &base_url) {
            (Crm::Salesforce, Some(instance)) => instance.clone(),
            _ => app.auth_url.clone().unwrap_or_else(|| oauth::default_auth_url(crm).to_owned()),
        };
        let api_url = base_url.clone().or_else(|| CrmClient::default_base(crm).map(str::to_owned)).unwrap_or_default();
        let port = u16::try_from(app.redirect_port).unwrap_or(DEFAULT_PORT);
        let loopback = Loopback::bind(port).await.map_err(Error::Invalid)?;
        let redirect_uri = loopback.redirect_uri();
        let (state, pkce) = (oauth::new_state(), Pkce::new());
        let address = oauth::authorize_url(crm, &auth_url, &app.client_id, &redirect_uri, &state, &pkce.challenge)
            .map_err(Error::Invalid)?;
        open(&SignIn { crm, address: address.to_string() });
        let code = match loopback.wait(&state, crm.label(), &cancel, PATIENCE).await {
            Ok(code) => code,
            Err(Ended::Cancelled) => {
                return Err(Error::Cancelled(format!(
                    "The {} sign-in was cancelled; nothing was connected.",
                    crm.label()
                )))
            }
            Err(Ended::TimedOut) => {
                return Err(Error::Invalid(format!(
                    "No answer came back from {} within {} minutes; start the sign-in again.",
                    crm.label(),
                    PATIENCE.as_secs() / 60
                )))
            }
            Err(Ended::Refused(reason)) => {
                return Err(Error::Cancelled(format!("{} did not connect: {reason}.", crm.label())))
            }
        };
        drop(loopback);
        let secret = Vault::new(&self.workspace_id).get(SECRET_PURPOSE, crm.as_str()).await?;
        let token_url = oauth::token_url(crm, &auth_url, &api_url);
        let http = oauth::token_client(self.crm_pacing().timeout)
            .map_err(|_| Error::Invalid(format!("'{token_url}' is not a usable address")))?;
        let credentials = AppCredentials { client_id: &app.client_id, secret: secret.as_ref() };
        let grant = Grant::Code { code: &code, verifier: &pkce.verifier, redirect_uri: &redirect_uri };
        let tokens = oauth::exchange(&http, crm, &token_url, &credentials, grant).await?;
        // Salesforce's token answer names the org's instance; Pipedrive's the company's API.
        let base = match crm {
            Crm::Salesforce => tokens.api_url.clone().or(base_url),
            Crm::Pipedrive => base_url.or(tokens.api_url.clone()).or_else(|| Some(api_url.clone())),
            Crm::HubSpot => Some(api_url.clone()),
        };
        let Some(base) = base.map(|b| b.trim_end_matches('/').to_owned()) else {
            return Err(Error::Invalid(
                "Salesforce's answer did not say where the org's API is (instance_url).".into(),
            ));
        };
        let oauth = connections::OAuth { token_url: &token_url, client_id: &app.client_id };
        let signed_in = SignedIn { oauth, refresh: tokens.refresh, app_secret: secret };
        self.keep_crm_connection(crm, &client.id, &base, tokens.access, Some(signed_in)).await
    }
}

fn shown_app(crm: Crm, app: App, has_secret: bool) -> CrmApp {
    let port = u16::try_from(app.redirect_port).unwrap_or(DEFAULT_PORT);
    CrmApp {
        crm,
        auth_url: app.auth_url.unwrap_or_else(|| oauth::default_auth_url(crm).to_owned()),
        client_id: app.client_id,
        has_secret,
        redirect_port: port,
        redirect_uri: if port == 0 {
            App::redirect_uri(0).replace(":0/", ":<any port>/")
        } else {
            App::redirect_uri(port)
        },
    }
}
