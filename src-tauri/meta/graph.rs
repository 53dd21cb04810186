//! The one way Custodian speaks to Meta's Graph API: every call goes through `Graph`, which reads
//! Meta's error object, waits out throttling, retries what is transient a bounded number of times,
//! slows down as the usage headers near their limit, and never lets a token into an error, a log or
//! a URL it reports.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

pub use crate::pacing::Pacing;
use crate::vault::Sensitive;

/// The Graph API version used unless the settings name another (see ../shared/reference).
pub const DEFAULT_VERSION: &str = "v25.0";

/// Where the Graph API is unless the settings or `CUSTODIAN_GRAPH_URL` say otherwise.
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";

/// Requests this process has sent to the Graph API, retries included (what `bench sync` counts).
static SENT: AtomicU64 = AtomicU64::new(0);

pub fn requests_sent() -> u64 {
    SENT.load(Ordering::Relaxed)
}

/// Why a call failed, after the retries and waits it was worth.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// Code 190: the token is invalid or expired; nothing retries it.
    #[error("Meta no longer accepts this token ({reason}); log in again or add a new token.")]
    InvalidToken { subcode: Option<i64>, reason: String },
    /// Codes 10 and 200–299: a permission is missing.
    #[error("Meta refused for lack of a permission (code {code}): {message}. Grant it to the app and connect again.")]
    Permission { code: i64, message: String },
    /// Throttled for longer than is worth waiting in one call.
    #[error("Meta is limiting calls (code {code}); try again in {} minutes.", .resume_after.as_secs().div_ceil(60))]
    Throttled { code: i64, resume_after: Duration },
    /// Transient failures that went on past every retry.
    #[error("Meta's API kept failing ({last}) after {attempts} attempts; nothing was lost, try again later.")]
    Unavailable { attempts: u32, last: String },
    /// Any other error Meta answered with.
    #[error("Meta refused the call (code {code}{}): {message}", .subcode.map(|s| format!(", subcode {s}")).unwrap_or_default())]
    Refused { code: i64, subcode: Option<i64>, message: String, fbtrace_id: Option<String> },
    #[error("The Graph API address '{0}' is not usable: give an http or https URL.")]
    BadBaseUrl(String),
}

/// Whether Meta's answers of codes 1 and 2 are asked again (most calls) or final (a call that
/// cannot be repeated, such as using a login's one-time code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answers {
    Retried,
    Final,
}

/// Where a call's parameters go.
#[derive(Debug, Clone, Copy)]
enum Body<'a> {
    /// In the URL's query.
    None,
    /// In a form body.
    Form,
    /// In the URL's query, with this JSON object as the body.
    Json(&'a str),
}

/// How an answer is to be treated.
enum Outcome {
    Done(Value),
    Retry(String),
    Wait { code: i64, for_: Duration },
    Fail(GraphError),
}

/// Meta's Graph API at one address and version.
pub struct Graph {
    http: reqwest::Client,
    base: String,
    version: String,
    app_secret: Option<Sensitive<String>>,
    pacing: Pacing,
    /// The highest usage percentage the last answer reported, to slow down before the wall.
    usage: Mutex<u32>,
}

impl Graph {
    pub fn new(base: &str, version: &str, pacing: Pacing) -> Result<Self, GraphError> {
        let base = base.trim().trim_end_matches('/');
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(GraphError::BadBaseUrl(base.to_owned()));
        }
        let http = reqwest::Client::builder()
            .timeout(pacing.timeout)
            .user_agent(concat!("Custodian/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| GraphError::BadBaseUrl(base.to_owned()))?;
        Ok(Self {
            http,
            base: base.to_owned(),
            version: version.trim().to_owned(),
            app_secret: None,
            pacing,
            usage: Mutex::new(0),
        })
    }

    /// Signs every call with `appsecret_proof`, which apps that enforce it require.
    pub fn with_app_secret(mut self, secret: Sensitive<String>) -> Self {
        self.app_secret = Some(secret);
        self
    }

    /// `GET /{version}/{path}` with `query`, as `token`.
    pub async fn get(
        &self,
        path: &str,
        query: &[(&str, &str)],
        token: &Sensitive<String>,
    ) -> Result<Value, GraphError> {
        self.call(reqwest::Method::GET, path, query, &[], token, Body::None).await
    }

    /// `POST /{version}/{path}` with `form` in the body, as `token`.
    pub async fn post(
        &self,
        path: &str,
        form: &[(&str, &str)],
        token: &Sensitive<String>,
    ) -> Result<Value, GraphError> {
        self.call(reqwest::Method::POST, path, form, &[], token, Body::Form).await
    }

    /// `POST /{version}/{path}` with `json`, a JSON object, as the body, as `token`: for a body
    /// already written as JSON, which a form would have to encode again, larger.
    pub async fn post_json(&self, path: &str, json: &str, token: &Sensitive<String>) -> Result<Value, GraphError> {
        self.call(reqwest::Method::POST, path, &[], &[], token, Body::Json(json)).await
    }

    /// `DELETE /{version}/{path}` with `query`, as `token`.
    pub async fn delete_with(
        &self,
        path: &str,
        query: &[(&str, &str)],
        token: &Sensitive<String>,
    ) -> Result<Value, GraphError> {
        self.call(reqwest::Method::DELETE, path, query, &[], token, Body::None).await
    }

    /// `DELETE /{version}/{path}`, as `token`.
    pub async fn delete(&self, path: &str, token: &Sensitive<String>) -> Result<Value, GraphError> {
        self.call(reqwest::Method::DELETE, path, &[], &[], token, Body::None).await
    }

    /// One page of a paged edge, from `after` (the first page without it): its items, and the cursor
    /// of the next page while there is one.
    pub async fn page(
        &self,
        path: &str,
        query: &[(&str, &str)],
        after: Option<&str>,
        token: &Sensitive<String>,
    ) -> Result<(Vec<Value>, Option<String>), GraphError> {
        let mut q: Vec<(&str, &str)> = query.to_vec();
        if let Some(cursor) = after {
            q.push(("after", cursor));
        }
        let page = self.get(path, &q, token).await?;
        let items = match page.get("data") {
            Some(Value::Array(items)) => items.clone(),
            _ => Vec::new(),
        };
        if page.pointer("/paging/next").is_none() {
            return Ok((items, None));
        }
        // A next page without a new cursor cannot be read: calling it the last would lose what
        // follows, so the caller hears of it and keeps what it relies on where it was.
        match page.pointer("/paging/cursors/after").and_then(Value::as_str) {
            Some(next) if Some(next) != after => Ok((items, Some(next.to_owned()))),
            _ => Err(GraphError::Unavailable { attempts: 1, last: "Meta's paging repeated its cursor".into() }),
        }
    }

    /// Every item of a paged edge: follows `paging.cursors.after` while `paging.next` is present,
    /// handing each page's `data` to `each` as it arrives.
    pub async fn each_page(
        &self,
        path: &str,
        query: &[(&str, &str)],
        token: &Sensitive<String>,
        mut each: impl FnMut(Vec<Value>) -> bool,
    ) -> Result<u32, GraphError> {
        let mut after: Option<String> = None;
        let mut pages = 0;
        loop {
            let (items, next) = self.page(path, query, after.as_deref(), token).await?;
            pages += 1;
            match (each(items), next) {
                (true, Some(cursor)) => after = Some(cursor),
                _ => return Ok(pages),
            }
        }
    }

    /// `GET /{version}/oauth/access_token`: the app's own call, which carries its secret and a code
    /// or token (`secret`) rather than an access token. Nothing in `secret` reaches an error.
    pub async fn oauth(
        &self,
        query: &[(&str, &str)],
        secret: &[(&str, &Sensitive<String>)],
    ) -> Result<Value, GraphError> {
        let (params, secrets) = params_of(query, secret);
        // Meta answers a wrong secret or a used code with codes that are transient elsewhere;
        // asking again would only send the secret and the code again.
        self.send(reqwest::Method::GET, "oauth/access_token", &params, &secrets, Answers::Final, Body::None).await
    }

    /// `GET /{version}/debug_token` about `input`, asked as `asking`: neither reaches an error.
    pub async fn debug_token(
        &self,
        input: &Sensitive<String>,
        asking: &Sensitive<String>,
    ) -> Result<Value, GraphError> {
        self.call(reqwest::Method::GET, "debug_token", &[], &[("input_token", input)], asking, Body::None).await
    }

    /// A call as `token`, with `query` and the `sensitive` parameters that no error may quote.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, &str)],
        sensitive: &[(&str, &Sensitive<String>)],
        token: &Sensitive<String>,
        body: Body<'_>,
    ) -> Result<Value, GraphError> {
        let (mut params, mut secrets) = params_of(query, sensitive);
        params.push(("access_token", token.expose().clone()));
        if let Some(secret) = &self.app_secret {
            params.push(("appsecret_proof", appsecret_proof(secret, token)));
        }
        secrets.push(token);
        self.send(method, path, &params, &secrets, Answers::Retried, body).await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        params: &[(&str, String)],
        secrets: &[&Sensitive<String>],
        answers: Answers,
        body: Body<'_>,
    ) -> Result<Value, GraphError> {
        let url = format!("{}/{}/{}", self.base, self.version, path.trim_start_matches('/'));
        let mut attempts = 0;
        let mut backoff = self.pacing.first_backoff;
        let mut waited = Duration::ZERO;
        loop {
            attempts += 1;
            self.slow_down_near_the_limit().await;
            SENT.fetch_add(1, Ordering::Relaxed);
            let request = self.http.request(method.clone(), &url);
            let request = match body {
                Body::None => request.query(params),
                Body::Form => request.form(params),
                Body::Json(json) => request
                    .query(params)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(json.to_owned()),
            };
            let sent = request.send().await;
            let outcome = match sent {
                // The error's text would carry the URL, and with it the token: only its kind is kept.
                Err(e) if e.is_timeout() => Outcome::Retry("timed out".into()),
                Err(_) => Outcome::Retry("could not reach it".into()),
                Ok(response) => self.read(response, secrets, answers).await,
            };
            match outcome {
                Outcome::Done(value) => return Ok(value),
                Outcome::Fail(e) => return Err(e),
                // Waits add up: past the longest worth spending in one call, the caller resumes later.
                Outcome::Wait { code, for_ } if waited + for_ > self.pacing.longest_wait => {
                    return Err(GraphError::Throttled { code, resume_after: for_ });
                }
                Outcome::Wait { for_, .. } => {
                    waited += for_;
                    tokio::time::sleep(for_).await;
                }
                Outcome::Retry(last) if attempts > self.pacing.transient_retries => {
                    return Err(GraphError::Unavailable { attempts, last });
                }
                Outcome::Retry(_) => {
                    tokio::time::sleep(jittered(backoff)).await;
                    backoff = backoff.saturating_mul(2);
                }
            }
        }
    }

    async fn read(&self, response: reqwest::Response, secrets: &[&Sensitive<String>], answers: Answers) -> Outcome {
        let status = response.status();
        let usage = usage_of(response.headers());
        *self.usage.lock().unwrap_or_else(|e| e.into_inner()) = usage.percent;
        let Ok(body) = response.bytes().await else { return Outcome::Retry("the answer broke off".into()) };
        let Ok(value) = serde_json::from_slice::<Value>(&body) else {
            return Outcome::Retry(format!("an answer that is not JSON (HTTP {})", status.as_u16()));
        };
        let Some(error) = value.get("error") else {
            if status.is_success() {
                return Outcome::Done(value);
            }
            return Outcome::Retry(format!("HTTP {}", status.as_u16()));
        };
        let code = error.get("code").and_then(Value::as_i64).unwrap_or(0);
        let subcode = error.get("error_subcode").and_then(Value::as_i64);
        let mut message = without_tokens(error.get("message").and_then(Value::as_str).unwrap_or("no message"));
        // Whatever Meta quotes of the token or the secret, however it is punctuated, goes too.
        for secret in secrets.iter().copied().chain(self.app_secret.as_ref()) {
            for part in secret.expose().split('|').filter(|p| p.len() >= 8) {
                message = message.replace(part, "<token>");
            }
        }
        match code {
            190 => Outcome::Fail(GraphError::InvalidToken { subcode, reason: token_reason(subcode, &message) }),
            10 | 200..=299 => Outcome::Fail(GraphError::Permission { code, message }),
            4 | 17 | 32 | 341 | 368 | 613 | 80_000..=80_014 => {
                // Meta says when access returns (in minutes) only for business-use-case limits.
                let wait = usage.regain.unwrap_or(self.pacing.first_backoff.saturating_mul(30));
                Outcome::Wait { code, for_: wait }
            }
            1 | 2 if answers == Answers::Retried => Outcome::Retry(format!("code {code}")),
            _ if status.is_server_error() => Outcome::Retry(format!("HTTP {}", status.as_u16())),
            _ => Outcome::Fail(GraphError::Refused {
                code,
                subcode,
                message,
                fbtrace_id: error.get("fbtrace_id").and_then(Value::as_str).map(str::to_owned),
            }),
        }
    }

    /// Above 90% of any limit Meta reports, calls are spaced out, more the closer it gets.
    async fn slow_down_near_the_limit(&self) {
        let percent = *self.usage.lock().unwrap_or_else(|e| e.into_inner());
        if percent >= 90 {
            let steps = percent.min(100) - 89;
            tokio::time::sleep(self.pacing.first_backoff.saturating_mul(steps)).await;
        }
    }
}

/// A call's parameters, the plain ones then the sensitive ones, and the values no error may quote.
fn params_of<'a>(
    query: &[(&'a str, &str)],
    sensitive: &[(&'a str, &'a Sensitive<String>)],
) -> (Vec<(&'a str, String)>, Vec<&'a Sensitive<String>>) {
    let mut params: Vec<(&str, String)> = query.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    params.extend(sensitive.iter().map(|(k, v)| (*k, v.expose().clone())));
    (params, sensitive.iter().map(|(_, v)| *v).collect())
}

/// `appsecret_proof`: the token's HMAC-SHA256 keyed by the app secret, in hex.
pub fn appsecret_proof(secret: &Sensitive<String>, token: &Sensitive<String>) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()).expect("HMAC takes any key length");
    mac.update(token.expose().as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// In words, why Meta no longer accepts a token, by its 190 subcode.
fn token_reason(subcode: Option<i64>, message: &str) -> String {
    match subcode {
        Some(458) => "the app was removed from the account".into(),
        Some(459) => "the account is checkpointed".into(),
        Some(460) => "the password was changed".into(),
        Some(463) => "the token expired".into(),
        Some(464) => "the account is unconfirmed".into(),
        Some(467) => "the person logged out".into(),
        Some(492) => "the person no longer has a role on the Page".into(),
        _ => without_tokens(message),
    }
}

/// Meta's message with anything that looks like a token taken out: messages sometimes quote one.
fn without_tokens(message: &str) -> String {
    message
        .split_whitespace()
        .map(|w| if w.len() >= 32 && w.chars().all(|c| c.is_ascii_alphanumeric()) { "<token>" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the usage headers say: the highest percentage of any limit, and when a business-use-case
/// limit lifts.
struct Usage {
    percent: u32,
    regain: Option<Duration>,
}

fn usage_of(headers: &reqwest::header::HeaderMap) -> Usage {
    let mut usage = Usage { percent: 0, regain: None };
    let mut note = |v: &Value| {
        for key in ["call_count", "total_cputime", "total_time", "acc_id_util_pct"] {
            if let Some(p) = v.get(key).and_then(Value::as_f64) {
                usage.percent = usage.percent.max(p.clamp(0.0, 1000.0) as u32);
            }
        }
        if let Some(minutes) = v.get("estimated_time_to_regain_access").and_then(Value::as_u64) {
            let wait = Duration::from_secs(minutes.saturating_mul(60));
            usage.regain = Some(usage.regain.map_or(wait, |w| w.max(wait)));
        }
    };
    for name in ["x-app-usage", "x-page-usage", "x-ad-account-usage"] {
        if let Some(v) = headers.get(name).and_then(|h| h.to_str().ok()).and_then(|s| serde_json::from_str(s).ok()) {
            note(&v);
        }
    }
    if let Some(Value::Object(businesses)) = headers
        .get("x-business-use-case-usage")
        .and_then(|h| h.to_str().ok())
        .and_then(|s| serde_json::from_str(s).ok())
    {
        for entries in businesses.values() {
            for entry in entries.as_array().into_iter().flatten() {
                note(entry);
            }
        }
    }
    usage
}

/// `d` give or take a quarter, so that clients retrying together spread out.
fn jittered(d: Duration) -> Duration {
    use rand::Rng;
    let quarter = d.as_millis() as u64 / 4;
    if quarter == 0 {
        return d;
    }
    let offset = rand::thread_rng().gen_range(0..=2 * quarter);
    Duration::from_millis(d.as_millis() as u64 - quarter + offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proof_is_the_tokens_hmac_under_the_app_secret() {
        let proof = appsecret_proof(&Sensitive::new("secret".into()), &Sensitive::new("token".into()));
        // HMAC-SHA256("secret", "token"), as Meta computes it.
        assert_eq!(proof.len(), 64);
        assert_eq!(proof, appsecret_proof(&Sensitive::new("secret".into()), &Sensitive::new("token".into())));
        assert_ne!(proof, appsecret_proof(&Sensitive::new("other".into()), &Sensitive::new("token".into())));
    }

    #[test]
    fn a_token_quoted_in_a_message_is_taken_out() {
        let said = "Invalid OAuth access token - Cannot parse access token EAAGm0PX4ZCpsBAKZCZAQZDZD1234567890abcdef";
        assert!(!without_tokens(said).contains("EAAGm0PX4"));
        assert!(without_tokens(said).starts_with("Invalid OAuth access token"));
    }

    #[test]
    fn the_usage_headers_give_the_highest_percentage_and_when_access_returns() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-app-usage", r#"{"call_count":28,"total_time":25,"total_cputime":25}"#.parse().unwrap());
        headers.insert(
            "x-business-use-case-usage",
            r#"{"112":[{"type":"leadgen","call_count":95,"total_cputime":20,"total_time":20,"estimated_time_to_regain_access":3}]}"#
                .parse()
                .unwrap(),
        );
        let usage = usage_of(&headers);
        assert_eq!(usage.percent, 95);
        assert_eq!(usage.regain, Some(Duration::from_secs(180)));
    }
}
