//! Facebook Login's manual flow for desktop apps (../shared/reference/meta-graph-api.md): the login
//! dialog's address, and reading the redirect to `login_success.html` that the app catches before
//! it loads. The dialog runs in a window of its own; this module knows nothing of windows.

use reqwest::Url;

use super::inspect::LEAD_ADS_SCOPES;
use crate::vault::Sensitive;

/// Where Meta sends a desktop app's login back to; the app never loads it.
pub const REDIRECT_URI: &str = "https://www.facebook.com/connect/login_success.html";

/// Where the login dialog is unless `CUSTODIAN_FACEBOOK_URL` says otherwise.
pub const DEFAULT_FACEBOOK_URL: &str = "https://www.facebook.com";

/// The variable that points the login dialog elsewhere (staging, the tests' simulator).
pub const FACEBOOK_URL_VARIABLE: &str = "CUSTODIAN_FACEBOOK_URL";

/// What the dialog asks for: what Lead Ads needs, and what reaches forms on ad accounts and Pages
/// shared through a Business Manager.
pub const SCOPES: [&str; 7] = [
    LEAD_ADS_SCOPES[0],
    LEAD_ADS_SCOPES[1],
    LEAD_ADS_SCOPES[2],
    LEAD_ADS_SCOPES[3],
    "pages_manage_ads",
    "ads_management",
    "business_management",
];

/// The login dialog's host: `CUSTODIAN_FACEBOOK_URL` when set, else Facebook's.
pub fn facebook_url() -> String {
    match std::env::var(FACEBOOK_URL_VARIABLE) {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_owned(),
        _ => DEFAULT_FACEBOOK_URL.to_owned(),
    }
}

/// How the dialog hands the login back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// `?code=…`, exchanged with the app secret for a token that is then made long-lived.
    Code,
    /// `#access_token=…`, short-lived: what an app without its secret can have.
    Token,
}

/// The login dialog's address for the app, Graph API version and `state`.
pub fn dialog_url(facebook: &str, version: &str, app_id: &str, state: &str, answer: Answer) -> Result<Url, String> {
    let mut url = Url::parse(&format!("{}/{}/dialog/oauth", facebook.trim_end_matches('/'), version))
        .map_err(|_| format!("'{facebook}' is not a usable address for Facebook's login dialog"))?;
    url.query_pairs_mut()
        .append_pair("client_id", app_id)
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("state", state)
        .append_pair("scope", &SCOPES.join(","))
        .append_pair(
            "response_type",
            match answer {
                Answer::Code => "code",
                Answer::Token => "token",
            },
        );
    Ok(url)
}

/// Whether the login window may go to `url`: Facebook's own pages (the dialog, its log-in and
/// two-factor steps) and the dialog's host when `CUSTODIAN_FACEBOOK_URL` names another. Anything
/// else could read the `state` and hand back a login of its own.
pub fn may_visit(url: &str, facebook: &str) -> bool {
    let (Ok(to), Ok(dialog)) = (Url::parse(url), Url::parse(facebook)) else { return false };
    let facebook_host =
        to.scheme() == "https" && to.host_str().is_some_and(|h| h == "facebook.com" || h.ends_with(".facebook.com"));
    facebook_host || to.origin() == dialog.origin()
}

/// Whether a navigation is the login coming back, to be caught before it loads.
pub fn is_redirect(url: &str) -> bool {
    Url::parse(url).is_ok_and(|u| {
        u.scheme() == "https" && u.host_str() == Some("www.facebook.com") && u.path() == "/connect/login_success.html"
    })
}

/// What the redirect carries; the code and the token only as `Sensitive`, so that no log line or
/// failed assertion prints them.
#[derive(Debug, Clone)]
pub enum Redirect {
    Code {
        state: Option<String>,
        code: Sensitive<String>,
    },
    Token {
        state: Option<String>,
        token: Sensitive<String>,
        expires_in: Option<i64>,
    },
    /// The person declined or Meta refused: its reason in words.
    Refused {
        state: Option<String>,
        reason: String,
    },
}

impl Redirect {
    pub fn state(&self) -> Option<&str> {
        match self {
            Redirect::Code { state, .. } | Redirect::Token { state, .. } | Redirect::Refused { state, .. } => {
                state.as_deref()
            }
        }
    }
}

/// Reads the redirect: the query for a code or an error, the fragment for a token. `None` when it
/// is not the redirect or carries none of them.
pub fn read_redirect(url: &str) -> Option<Redirect> {
    if !is_redirect(url) {
        return None;
    }
    let url = Url::parse(url).ok()?;
    let mut pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    // The fragment is encoded as a query is.
    if let Some(fragment) = url.fragment().and_then(|f| Url::parse(&format!("{REDIRECT_URI}?{f}")).ok()) {
        pairs.extend(fragment.query_pairs().into_owned());
    }
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
    let state = get("state");
    if let Some(token) = get("access_token") {
        let expires_in = get("expires_in").and_then(|e| e.parse().ok());
        return Some(Redirect::Token { state, token: Sensitive::new(token), expires_in });
    }
    if let Some(code) = get("code") {
        return Some(Redirect::Code { state, code: Sensitive::new(code) });
    }
    let reason = get("error_description").or_else(|| get("error_reason")).or_else(|| get("error"))?;
    Some(Redirect::Refused { state, reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dialog_asks_for_lead_ads_and_comes_back_to_login_success() {
        let url = dialog_url("https://www.facebook.com", "v25.0", "1234", "s1", Answer::Code).unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(url.path(), "/v25.0/dialog/oauth");
        assert!(pairs.contains(&("redirect_uri".into(), REDIRECT_URI.into())));
        assert!(pairs.contains(&("response_type".into(), "code".into())));
        assert!(pairs.iter().any(|(k, v)| k == "scope" && v.contains("leads_retrieval")));
    }

    #[test]
    fn the_redirect_carries_a_code_a_token_or_a_refusal_and_nothing_else_is_caught() {
        let Some(Redirect::Code { state, code }) = read_redirect(&format!("{REDIRECT_URI}?code=AQB&state=s1#_=_"))
        else {
            panic!("a code")
        };
        assert_eq!((state.as_deref(), code.expose().as_str()), (Some("s1"), "AQB"));
        let Some(Redirect::Token { state, token, expires_in }) =
            read_redirect(&format!("{REDIRECT_URI}#access_token=EAAG&expires_in=5400&state=s2"))
        else {
            panic!("a token")
        };
        assert_eq!((state.as_deref(), token.expose().as_str(), expires_in), (Some("s2"), "EAAG", Some(5400)));
        assert!(!format!("{:?}", read_redirect(&format!("{REDIRECT_URI}#access_token=EAAGsecret&state=s")))
            .contains("EAAGsecret"));
        let refused = read_redirect(&format!(
            "{REDIRECT_URI}?error=access_denied&error_reason=user_denied&error_description=Permissions+error&state=s3"
        ));
        let Some(Redirect::Refused { state, reason }) = refused else { panic!("a refusal") };
        assert_eq!((state.as_deref(), reason.as_str()), (Some("s3"), "Permissions error"));
        assert!(!is_redirect("https://www.facebook.com/v25.0/dialog/oauth?client_id=1"));
        assert!(!is_redirect("https://evil.example/connect/login_success.html?code=x"));
        assert!(!is_redirect("http://www.facebook.com/connect/login_success.html?code=x"));
    }

    #[test]
    fn the_login_window_stays_on_facebook_or_the_dialogs_own_host() {
        let facebook = DEFAULT_FACEBOOK_URL;
        assert!(may_visit("https://www.facebook.com/v25.0/dialog/oauth?x=1", facebook));
        assert!(may_visit("https://m.facebook.com/login/checkpoint/", facebook));
        assert!(!may_visit("http://www.facebook.com/login", facebook), "not in the clear");
        assert!(!may_visit("https://facebook.com.evil.example/", facebook));
        assert!(!may_visit("https://evil.example/?next=facebook.com", facebook));
        assert!(may_visit("http://127.0.0.1:4000/v25.0/dialog/oauth", "http://127.0.0.1:4000"));
        assert!(!may_visit("http://127.0.0.1:4001/", "http://127.0.0.1:4000"));
    }
}
