//! Connecting a CRM through OAuth 2.0's authorization-code flow with PKCE (RFC 7636), for a native
//! app with a loopback redirect (RFC 8252): the authorization address the system browser opens,
//! and the token endpoint's exchange of the code and refresh of an access token
//! (../shared/reference/crm-apis.md). This module knows nothing of browsers or keychains.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use reqwest::Url;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::client::CrmError;
use super::Crm;
use crate::vault::Sensitive;

/// The scopes asked for: reading and writing contacts and reading their properties (HubSpot); the
/// REST API and a refresh token (Salesforce). Pipedrive's scopes are set on the app itself.
fn scopes(crm: Crm) -> Option<&'static str> {
    match crm {
        Crm::HubSpot => Some("oauth crm.objects.contacts.read crm.objects.contacts.write crm.schemas.contacts.read"),
        Crm::Salesforce => Some("api refresh_token"),
        Crm::Pipedrive => None,
    }
}

/// Where each CRM's authorization server is unless the app names another.
pub fn default_auth_url(crm: Crm) -> &'static str {
    match crm {
        Crm::HubSpot => "https://app.hubspot.com",
        Crm::Salesforce => "https://login.salesforce.com",
        Crm::Pipedrive => "https://oauth.pipedrive.com",
    }
}

/// The token endpoint: HubSpot's is on its API's address, the others' on their authorization server.
pub fn token_url(crm: Crm, auth_url: &str, api_url: &str) -> String {
    match crm {
        Crm::HubSpot => format!("{}/oauth/v1/token", api_url.trim_end_matches('/')),
        Crm::Salesforce => format!("{}/services/oauth2/token", auth_url.trim_end_matches('/')),
        Crm::Pipedrive => format!("{}/oauth/token", auth_url.trim_end_matches('/')),
    }
}

/// PKCE's proof: a random verifier, kept until the code is exchanged, and its S256 challenge, sent
/// in the authorization address.
pub struct Pkce {
    pub verifier: Sensitive<String>,
    pub challenge: String,
}

impl Pkce {
    pub fn new() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let verifier = URL_SAFE_NO_PAD.encode(bytes);
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Self { verifier: Sensitive::new(verifier), challenge }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

/// A fresh `state`: 256 random bits, which the redirect must carry back.
pub fn new_state() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The address the system browser opens to ask the person to let the app in.
pub fn authorize_url(
    crm: Crm,
    auth_url: &str,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    challenge: &str,
) -> Result<Url, String> {
    let path = match crm {
        Crm::HubSpot | Crm::Pipedrive => "/oauth/authorize",
        Crm::Salesforce => "/services/oauth2/authorize",
    };
    let base = auth_url.trim().trim_end_matches('/');
    let mut url = Url::parse(&format!("{base}{path}"))
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http"))
        .ok_or_else(|| format!("'{base}' is not a usable address for {}'s authorization server", crm.label()))?;
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("response_type", "code").append_pair("client_id", client_id);
        query.append_pair("redirect_uri", redirect_uri).append_pair("state", state);
        if let Some(scopes) = scopes(crm) {
            query.append_pair("scope", scopes);
        }
        query.append_pair("code_challenge", challenge).append_pair("code_challenge_method", "S256");
    }
    Ok(url)
}

/// The HTTP client for a token endpoint. It follows no redirect: a redirect would send the form,
/// the app's secret with it, to another address.
pub fn token_client(timeout: std::time::Duration) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder().timeout(timeout).redirect(reqwest::redirect::Policy::none()).build()
}

/// What the token endpoint hands back.
pub struct Tokens {
    pub access: Sensitive<String>,
    /// Absent when the CRM keeps the one it gave before (Salesforce on a refresh).
    pub refresh: Option<Sensitive<String>>,
    /// Salesforce's `instance_url` or Pipedrive's `api_domain`: where the account's API is.
    pub api_url: Option<String>,
}

/// What is exchanged for tokens.
pub enum Grant<'a> {
    Code { code: &'a Sensitive<String>, verifier: &'a Sensitive<String>, redirect_uri: &'a str },
    Refresh(&'a Sensitive<String>),
}

/// The app a token endpoint is asked as.
pub struct AppCredentials<'a> {
    pub client_id: &'a str,
    pub secret: Option<&'a Sensitive<String>>,
}

/// Exchanges a code or a refresh token for tokens. A refused refresh is `Unauthorized`: the person
/// must connect again. Nothing sent (code, verifier, tokens, secret) can appear in an error.
pub async fn exchange(
    http: &reqwest::Client,
    crm: Crm,
    token_url: &str,
    app: &AppCredentials<'_>,
    grant: Grant<'_>,
) -> Result<Tokens, CrmError> {
    let label = crm.label();
    let mut form: Vec<(&str, &str)> = Vec::new();
    let secrets: Vec<&str> = match &grant {
        Grant::Code { code, verifier, redirect_uri } => {
            form.extend([
                ("grant_type", "authorization_code"),
                ("code", code.expose().as_str()),
                ("redirect_uri", redirect_uri),
                ("code_verifier", verifier.expose().as_str()),
            ]);
            vec![code.expose(), verifier.expose()]
        }
        Grant::Refresh(refresh) => {
            form.extend([("grant_type", "refresh_token"), ("refresh_token", refresh.expose().as_str())]);
            vec![refresh.expose()]
        }
    };
    let mut request = http.post(token_url);
    // Pipedrive takes the app's credentials as HTTP Basic; HubSpot and Salesforce in the form.
    match crm {
        Crm::Pipedrive => {
            request = request.basic_auth(app.client_id, app.secret.map(|s| s.expose().as_str()));
        }
        Crm::HubSpot | Crm::Salesforce => {
            form.push(("client_id", app.client_id));
            if let Some(secret) = app.secret {
                form.push(("client_secret", secret.expose().as_str()));
            }
        }
    }
    super::client::count_request();
    let response = match request.form(&form).send().await {
        Ok(response) => response,
        Err(e) => {
            let last = if e.is_timeout() { "timed out" } else { "could not reach it" };
            return Err(CrmError::Unavailable { crm: label, attempts: 1, last: last.into() });
        }
    };
    let status = response.status().as_u16();
    let body: Option<Value> = response.bytes().await.ok().and_then(|b| serde_json::from_slice(&b).ok());
    if (200..300).contains(&status) {
        let body = body.unwrap_or(Value::Null);
        let text = |k: &str| body.get(k).and_then(Value::as_str).filter(|v| !v.is_empty()).map(str::to_owned);
        let Some(access) = text("access_token") else {
            return Err(CrmError::Unexpected { crm: label, what: "a token answer without an access token".into() });
        };
        let api_url = text("instance_url").or_else(|| text("api_domain")).filter(|u| Url::parse(u).is_ok());
        return Ok(Tokens {
            access: Sensitive::new(access),
            refresh: text("refresh_token").map(Sensitive::new),
            api_url,
        });
    }
    let mut message = body
        .as_ref()
        .and_then(|b| {
            ["error_description", "message", "error", "status"]
                .iter()
                .find_map(|k| b.get(*k).and_then(Value::as_str).filter(|v| !v.is_empty()))
        })
        .unwrap_or("no message")
        .to_owned();
    for secret in secrets.into_iter().chain(app.secret.map(|s| s.expose().as_str())) {
        if secret.len() >= 8 {
            message = message.replace(secret, "<secret>");
        }
    }
    match (status, grant) {
        (500..=599, _) => Err(CrmError::Unavailable { crm: label, attempts: 1, last: format!("HTTP {status}") }),
        (_, Grant::Refresh(_)) => {
            Err(CrmError::Unauthorized { crm: label, reason: format!("its refresh token was refused: {message}") })
        }
        (_, Grant::Code { .. }) => Err(CrmError::Refused { crm: label, status, message }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_the_verifiers_sha256_in_base64url() {
        let pkce = Pkce::new();
        assert_eq!(pkce.verifier.expose().len(), 43);
        let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(pkce.verifier.expose().as_bytes()));
        assert_eq!(pkce.challenge, expected);
        assert!(pkce.challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(Pkce::new().verifier.expose(), pkce.verifier.expose());
    }

    #[test]
    fn each_crms_authorization_address_carries_the_challenge_and_state() {
        let redirect = "http://127.0.0.1:47817/callback";
        let hubspot = authorize_url(Crm::HubSpot, "https://app.hubspot.com/", "app-1", redirect, "st", "ch").unwrap();
        assert_eq!(hubspot.path(), "/oauth/authorize");
        let pairs: Vec<(String, String)> = hubspot.query_pairs().into_owned().collect();
        for (k, v) in [("client_id", "app-1"), ("redirect_uri", redirect), ("state", "st"), ("code_challenge", "ch")] {
            assert!(pairs.contains(&(k.into(), v.into())), "{k} missing from {hubspot}");
        }
        assert!(pairs.contains(&("code_challenge_method".into(), "S256".into())));
        let salesforce =
            authorize_url(Crm::Salesforce, "https://acme.my.salesforce.com", "app", redirect, "s", "c").unwrap();
        assert_eq!(salesforce.path(), "/services/oauth2/authorize");
        assert!(salesforce.query().unwrap().contains("scope=api+refresh_token"));
        assert_eq!(
            token_url(Crm::Salesforce, "https://acme.my.salesforce.com/", "x"),
            "https://acme.my.salesforce.com/services/oauth2/token"
        );
        assert_eq!(
            token_url(Crm::HubSpot, "https://app.hubspot.com", "https://api.hubapi.com"),
            "https://api.hubapi.com/oauth/v1/token"
        );
        assert!(authorize_url(Crm::Pipedrive, "ftp://x", "a", redirect, "s", "c").is_err());
    }
}
