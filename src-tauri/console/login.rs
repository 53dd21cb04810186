//! The Console's Facebook Login: it begins a login (the dialog's address, with a `state` only this
//! Console knows) and finishes it from the redirect the app caught. With the app secret, the code is
//! exchanged and the token made long-lived; without it, the short-lived token from the redirect is
//! kept and its expiry shown. Either way the token is inspected and kept like a pasted one, and the
//! Pages it reaches are read with their tokens.

use serde::Serialize;
use ts_rs::TS;

use super::meta::MetaConnection;
use super::workspace::APP_SECRET;
use super::{Console, Error};
use crate::clock::Moment;
use crate::meta::login::{self, Answer, Redirect};
use crate::meta::{app, GraphError};
use crate::vault::{Sensitive, Vault};

/// How long a begun login waits for its redirect.
const LOGIN_MINUTES: i64 = 15;

/// A login begun and not yet finished.
pub(super) struct Pending {
    state: String,
    answer: Answer,
    began: Moment,
    client_id: Option<String>,
}

/// The login dialog to open.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LoginDialog {
    pub url: String,
    /// Whether the token will be long-lived: only with the app secret set.
    pub long_lived: bool,
}

/// What a finished login connected.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LoggedIn {
    pub connection: MetaConnection,
    /// Whether the token is the long-lived one; if not, it expires within hours and the connection
    /// says when.
    pub long_lived: bool,
    /// How many Pages the connection reaches, each with its token in the keychain.
    #[ts(type = "number")]
    pub pages: u32,
    /// What could not be read of the Pages (the connection is made regardless).
    pub problems: Vec<String>,
}

impl Console {
    /// Begins a Facebook Login for the app: the dialog's address to open in a window of its own,
    /// whose redirect goes to `finish_meta_login`.
    pub async fn begin_meta_login(&self, client: Option<&str>) -> Result<LoginDialog, Error> {
        let settings = app::get(self.store.pool()).await?;
        let app_id = Self::app_id_of(&settings)?;
        let client_id = self.client_if(client).await?.map(|c| c.id);
        let long_lived = Vault::new(&self.workspace_id).get(APP_SECRET.0, APP_SECRET.1).await?.is_some();
        let answer = if long_lived { Answer::Code } else { Answer::Token };
        let state = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let url = login::dialog_url(&login::facebook_url(), &settings.graph_version, &app_id, &state, answer)
            .map_err(Error::Invalid)?;
        let now = self.now();
        let mut logins = self.logins.lock().unwrap_or_else(|e| e.into_inner());
        logins.retain(|p| now - p.began < chrono::Duration::minutes(LOGIN_MINUTES));
        logins.push(Pending { state, answer, began: now, client_id });
        Ok(LoginDialog { url: url.to_string(), long_lived })
    }

    /// Forgets a login whose window was closed before it came back.
    pub fn abandon_meta_login(&self, dialog_url: &str) {
        let state = reqwest::Url::parse(dialog_url)
            .ok()
            .and_then(|u| u.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned()));
        self.logins.lock().unwrap_or_else(|e| e.into_inner()).retain(|p| Some(&p.state) != state.as_ref());
    }

    /// Finishes a login from the redirect to `login_success.html`. A redirect whose `state` is not
    /// that of a login begun here in the last 15 minutes is refused: it may be forged.
    pub async fn finish_meta_login(&self, redirect: &str) -> Result<LoggedIn, Error> {
        let Some(redirect) = login::read_redirect(redirect) else {
            return Err(Error::Invalid("That is not Facebook Login's answer; log in again.".into()));
        };
        let now = self.now();
        let pending = {
            let mut logins = self.logins.lock().unwrap_or_else(|e| e.into_inner());
            let found = logins.iter().position(|p| Some(p.state.as_str()) == redirect.state());
            found.map(|i| logins.remove(i))
        };
        let Some(pending) = pending.filter(|p| now - p.began < chrono::Duration::minutes(LOGIN_MINUTES)) else {
            let tx = self.store.write().await?;
            let e = Error::Invalid(
                "Facebook Login's answer does not match a login begun here (its state differs or it took over 15 \
                 minutes), so it was not used; log in again."
                    .into(),
            );
            return self.settle(tx, "meta.login", "Facebook Login answer refused: state mismatch", Err(e)).await;
        };
        let settings = app::get(self.store.pool()).await?;
        let app_id = Self::app_id_of(&settings)?;
        let (token, long_lived) = match (redirect, pending.answer) {
            (Redirect::Refused { reason, .. }, _) => {
                let tx = self.store.write().await?;
                let e = Error::Cancelled(format!("Facebook Login did not connect: {reason}."));
                return self.settle(tx, "meta.login", "Facebook Login declined", Err(e)).await;
            }
            (Redirect::Code { code, .. }, Answer::Code) => (self.exchange(&settings, &app_id, code).await?, true),
            (Redirect::Token { token, .. }, Answer::Token) => (token, false),
            _ => {
                return Err(Error::Invalid(
                    "Facebook Login answered in a way this login did not ask for; log in again.".into(),
                ))
            }
        };
        let connection =
            self.keep_token(&settings, &app_id, token, pending.client_id.as_deref(), "Facebook Login").await?;
        let refreshed = self.refresh_meta_pages().await?;
        let pages = refreshed.items.iter().filter(|p| p.connection_id == connection.id).count() as u32;
        Ok(LoggedIn { connection, long_lived, pages, problems: refreshed.problems })
    }

    /// The code for a user token, with the app secret, then that token for a long-lived one.
    async fn exchange(
        &self,
        settings: &app::AppSettings,
        app_id: &str,
        code: Sensitive<String>,
    ) -> Result<Sensitive<String>, Error> {
        let Some(secret) = Vault::new(&self.workspace_id).get(APP_SECRET.0, APP_SECRET.1).await? else {
            return Err(Error::SecretMissing(
                "The Meta app secret left the keychain during the login; set it again and log in again.".into(),
            ));
        };
        let graph = self.graph(settings).await?;
        let query = [("client_id", app_id), ("redirect_uri", login::REDIRECT_URI)];
        let short = graph.oauth(&query, &[("client_secret", &secret), ("code", &code)]).await.map_err(|e| match e {
            // Meta's codes for a secret that is not the app's (1) and a code it will not take (100).
            GraphError::Refused { code: 1 | 100, .. } => Error::Invalid(format!(
                "Meta did not take the login ({e}); check that the app secret set here is app {app_id}'s, then log in \
                 again."
            )),
            e => Error::Remote(e),
        })?;
        let short = token_in(&short)?;
        let query = [("grant_type", "fb_exchange_token"), ("client_id", app_id)];
        let long = graph.oauth(&query, &[("client_secret", &secret), ("fb_exchange_token", &short)]).await?;
        token_in(&long)
    }
}

fn token_in(answer: &serde_json::Value) -> Result<Sensitive<String>, Error> {
    answer.get("access_token").and_then(serde_json::Value::as_str).map(|t| Sensitive::new(t.to_owned())).ok_or_else(
        || {
            Error::Remote(crate::meta::GraphError::Unavailable {
                attempts: 1,
                last: "a token exchange answer without a token".into(),
            })
        },
    )
}
