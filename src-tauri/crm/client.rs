//! The one way Custodian speaks to a CRM's API (../shared/reference/crm-apis.md): HubSpot and
//! Salesforce with a bearer token, Pipedrive with its API token in a header. It waits out rate
//! limits (HTTP 429 with `Retry-After`, Salesforce's `REQUEST_LIMIT_EXCEEDED`) up to a budget,
//! retries server failures a bounded number of times, says when a token is no longer accepted, and
//! never lets a token into an error.

use std::time::Duration;

use serde_json::Value;

use super::schema::Schema;
use super::Crm;
pub use crate::pacing::Pacing;
use crate::vault::Sensitive;

/// Requests this process has sent to CRMs, retries included (what `bench push` counts).
static SENT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

pub fn requests_sent() -> u64 {
    SENT.load(std::sync::atomic::Ordering::Relaxed)
}

pub(super) fn count_request() {
    SENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// How a connection made through OAuth gets a new access token when the CRM stops taking the one it
/// has (HubSpot's last 30 minutes; Salesforce answers INVALID_SESSION_ID): a refresh, whose new
/// tokens are kept before they are used.
#[async_trait::async_trait]
pub trait Renewal: Send + Sync {
    /// A token to use instead of `refused`: one renewed meanwhile by another call, or a new one.
    async fn renew(&self, refused: &Sensitive<String>) -> Result<Sensitive<String>, CrmError>;
}

/// The Salesforce REST API version used unless a setting names another.
pub const SALESFORCE_VERSION: &str = "v62.0";

/// Why a call failed, after the retries and waits it was worth.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrmError {
    #[error("{crm} no longer accepts this token ({reason}); connect it again with a new one.")]
    Unauthorized { crm: &'static str, reason: String },
    #[error("{crm} is limiting calls; try again in {} seconds.", .retry_after.as_secs().max(1))]
    Throttled { crm: &'static str, retry_after: Duration },
    #[error("{crm} kept failing ({last}) after {attempts} attempts; nothing was lost, try again later.")]
    Unavailable { crm: &'static str, attempts: u32, last: String },
    #[error("{crm} refused the call (HTTP {status}): {message}")]
    Refused { crm: &'static str, status: u16, message: String },
    #[error("{crm} answered in a shape Custodian does not know: {what}")]
    Unexpected { crm: &'static str, what: String },
    #[error("The address '{0}' is not usable: give an http or https URL.")]
    BadUrl(String),
}

impl CrmError {
    /// The failure in Custodian's own words, without the CRM's message: a CRM's message may quote
    /// what it holds (an email in a refused query), and these words are kept on receipts and logs.
    pub fn plain(&self) -> String {
        match self {
            CrmError::Unauthorized { crm, .. } => {
                format!("{crm} no longer accepts the connection's token; connect it again")
            }
            CrmError::Throttled { crm, retry_after } => {
                format!("{crm} is limiting calls; retry in {} seconds", retry_after.as_secs().max(1))
            }
            CrmError::Unavailable { crm, .. } => format!("{crm} could not be reached; retry later"),
            CrmError::Refused { crm, status, .. } => format!("{crm} refused it (HTTP {status})"),
            CrmError::Unexpected { crm, .. } => format!("{crm} answered in a way Custodian does not know"),
            CrmError::BadUrl(_) => "the CRM's address is not usable".into(),
        }
    }
}

/// One CRM account: its API's address and the token it is called with.
pub struct CrmClient {
    http: reqwest::Client,
    crm: Crm,
    /// HubSpot's and Pipedrive's API address, or a Salesforce org's instance URL.
    base: String,
    token: std::sync::RwLock<Sensitive<String>>,
    /// Set for a connection made through OAuth: its access token is renewed when refused.
    renewal: Option<Box<dyn Renewal>>,
    /// An OAuth access token goes as a bearer token, also to Pipedrive, whose API tokens go in a
    /// header of their own.
    bearer: bool,
    /// Held while the token is renewed, so that calls refused together renew it once.
    renewing: tokio::sync::Mutex<()>,
    pacing: Pacing,
}

impl CrmClient {
    pub fn new(crm: Crm, base: &str, token: Sensitive<String>, pacing: Pacing) -> Result<Self, CrmError> {
        let base = base.trim().trim_end_matches('/');
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(CrmError::BadUrl(base.to_owned()));
        }
        let http = reqwest::Client::builder()
            .timeout(pacing.timeout)
            .user_agent(concat!("Custodian/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| CrmError::BadUrl(base.to_owned()))?;
        Ok(Self {
            http,
            crm,
            base: base.to_owned(),
            token: std::sync::RwLock::new(token),
            renewal: None,
            bearer: crm != Crm::Pipedrive,
            renewing: tokio::sync::Mutex::new(()),
            pacing,
        })
    }

    /// The client of a connection made through OAuth.
    pub fn with_renewal(mut self, renewal: Box<dyn Renewal>) -> Self {
        self.renewal = Some(renewal);
        self.oauth()
    }

    /// Sends its token as an OAuth access token (a bearer token), whatever the CRM.
    pub fn oauth(mut self) -> Self {
        self.bearer = true;
        self
    }

    /// Renews the access token after `refused` was refused, unless a call refused with it at the
    /// same time already did.
    async fn renew(&self, renewal: &dyn Renewal, refused: &Sensitive<String>) -> Result<(), CrmError> {
        let _one_at_a_time = self.renewing.lock().await;
        if self.token.read().unwrap_or_else(|e| e.into_inner()).expose() != refused.expose() {
            return Ok(());
        }
        let fresh = renewal.renew(refused).await?;
        *self.token.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(())
    }

    /// The CRM's own default address (Salesforce has none: each org has its instance URL).
    pub fn default_base(crm: Crm) -> Option<&'static str> {
        match crm {
            Crm::HubSpot => Some("https://api.hubapi.com"),
            Crm::Pipedrive => Some("https://api.pipedrive.com"),
            Crm::Salesforce => None,
        }
    }

    /// The fields a record of the kind Custodian writes has: HubSpot contact properties, the
    /// Salesforce Lead describe, Pipedrive person fields.
    pub async fn schema(&self) -> Result<Schema, CrmError> {
        let path = match self.crm {
            Crm::HubSpot => "/crm/v3/properties/contacts".to_owned(),
            Crm::Salesforce => format!("/services/data/{SALESFORCE_VERSION}/sobjects/Lead/describe"),
            Crm::Pipedrive => "/api/v1/personFields".to_owned(),
        };
        let answer = self.get(&path).await?;
        Schema::read(self.crm, &answer)
            .ok_or_else(|| CrmError::Unexpected { crm: self.crm.label(), what: "a schema without its fields".into() })
    }

    /// `GET {base}{path}`, authenticated as the CRM wants.
    pub async fn get(&self, path: &str) -> Result<Value, CrmError> {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// A call with a JSON body, or none. A success without a body (HubSpot's GDPR delete,
    /// Salesforce's 204) answers `Value::Null`.
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Result<Value, CrmError> {
        let answer = self.send(method, path, body, self.pacing.transient_retries).await?;
        self.read(answer)
    }

    /// As `call`, for a call that must not be made twice (a create): a failure that may have
    /// reached the CRM is not repeated. A rate limit is still waited out, as the CRM refused the
    /// call before acting on it.
    pub async fn call_once(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, CrmError> {
        let answer = self.send(method, path, body, 0).await?;
        self.read(answer)
    }

    /// As `call`, with a body serialised straight from `body` and the answer read into `T`: for
    /// the batches of a push, where building and walking JSON trees would cost more than the rest.
    pub async fn call_typed<B: serde::Serialize + ?Sized, T: serde::de::DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &B,
    ) -> Result<T, CrmError> {
        let answer = self.send(method, path, Some(body), self.pacing.transient_retries).await?;
        serde_json::from_slice(&answer)
            .map_err(|_| CrmError::Unexpected { crm: self.crm.label(), what: "an answer of another shape".into() })
    }

    fn read(&self, answer: Vec<u8>) -> Result<Value, CrmError> {
        if answer.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&answer)
            .map_err(|_| CrmError::Unexpected { crm: self.crm.label(), what: "an answer that is not JSON".into() })
    }

    /// Sends the call until it is answered, waiting out rate limits and retrying failures up to
    /// `retries` times; the successful answer's body.
    async fn send<B: serde::Serialize + ?Sized>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&B>,
        retries: u32,
    ) -> Result<Vec<u8>, CrmError> {
        let crm = self.crm.label();
        let url = format!("{}{}", self.base, path);
        let mut attempts = 0;
        let mut backoff = self.pacing.first_backoff;
        let mut waited = Duration::ZERO;
        let mut renewed = false;
        loop {
            attempts += 1;
            let token = self.token.read().unwrap_or_else(|e| e.into_inner()).clone();
            let request = self.http.request(method.clone(), &url);
            let request = match self.crm {
                _ if self.bearer => request.bearer_auth(token.expose()),
                _ => request.header("x-api-token", token.expose().as_str()),
            };
            let request = match body {
                Some(body) => request.json(body),
                None => request,
            };
            count_request();
            let last = match request.send().await {
                // The error's text would carry the URL: only its kind is kept.
                Err(e) if e.is_timeout() => "timed out".to_owned(),
                Err(_) => "could not reach it".to_owned(),
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    let body = response.bytes().await.unwrap_or_default();
                    if (200..300).contains(&status) {
                        return Ok(body.to_vec());
                    }
                    let value: Option<Value> = serde_json::from_slice(&body).ok();
                    let message = scrubbed(&token, message_of(value.as_ref()));
                    let limited = status == 429 || message.contains("REQUEST_LIMIT_EXCEEDED");
                    match status {
                        // A refused token was refused before the call was acted on: renewed, the
                        // call is sent again, once.
                        401 if !renewed && self.renewal.is_some() => {
                            renewed = true;
                            if let Some(renewal) = &self.renewal {
                                self.renew(renewal.as_ref(), &token).await?;
                            }
                            attempts -= 1;
                            continue;
                        }
                        401 => return Err(CrmError::Unauthorized { crm, reason: message }),
                        _ if limited => {
                            let wait = retry_after.unwrap_or(self.pacing.first_backoff.saturating_mul(10));
                            if waited + wait > self.pacing.longest_wait {
                                return Err(CrmError::Throttled { crm, retry_after: wait });
                            }
                            waited += wait;
                            tokio::time::sleep(wait).await;
                            attempts -= 1;
                            continue;
                        }
                        500..=599 => format!("HTTP {status}"),
                        _ => return Err(CrmError::Refused { crm, status, message }),
                    }
                }
            };
            if attempts > retries {
                return Err(CrmError::Unavailable { crm, attempts, last });
            }
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2);
        }
    }

    pub fn crm(&self) -> Crm {
        self.crm
    }
}

/// A CRM's message with the token that was sent taken out, should it quote it.
fn scrubbed(token: &Sensitive<String>, message: String) -> String {
    let token = token.expose();
    if token.len() >= 8 {
        message.replace(token.as_str(), "<token>")
    } else {
        message
    }
}

/// The message in a CRM's error body: HubSpot's `message`, Pipedrive's `error`, Salesforce's
/// `[{"message","errorCode"}]`.
fn message_of(value: Option<&Value>) -> String {
    let Some(value) = value else { return "no message".into() };
    if let Some(first) = value.as_array().and_then(|a| a.first()) {
        let code = first.get("errorCode").and_then(Value::as_str).unwrap_or("");
        let message = first.get("message").and_then(Value::as_str).unwrap_or("");
        return format!("{code}: {message}").trim_matches([':', ' ']).to_owned();
    }
    ["message", "error"].iter().find_map(|k| value.get(*k).and_then(Value::as_str)).unwrap_or("no message").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_crms_error_body_gives_its_message() {
        let salesforce = json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]);
        assert_eq!(message_of(Some(&salesforce)), "INVALID_SESSION_ID: Session expired or invalid");
        assert_eq!(
            message_of(Some(&json!({"status": "error", "message": "Contact already exists"}))),
            "Contact already exists"
        );
        assert_eq!(message_of(Some(&json!({"success": false, "error": "unauthorized access"}))), "unauthorized access");
        assert_eq!(message_of(None), "no message");
    }
}
