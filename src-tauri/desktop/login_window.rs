//! Facebook Login in a window of its own: the dialog loads there, and its redirect to
//! `login_success.html` is caught before the window loads it. The window has no access to the app's
//! commands (only the main window has a capability), and it is closed once the login comes back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tauri::{AppHandle, WebviewUrl, WebviewWindowBuilder, WindowEvent};
use tokio::sync::oneshot;

use crate::console::{ApiError, Code};
use crate::meta::login;

/// Login windows are `facebook-login-N`: a window being destroyed keeps its label for a moment, so
/// each login has its own.
const LABEL: &str = "facebook-login";

static LOGINS: AtomicU64 = AtomicU64::new(0);

/// Opens the login dialog at `url` and waits for its redirect: the redirect's address, or `None`
/// when the window was closed first.
pub async fn catch_redirect(app: &AppHandle, url: &str) -> Result<Option<String>, ApiError> {
    let unusable = |what: String| ApiError { code: Code::Internal, message: what };
    let url = url.parse().map_err(|_| unusable(format!("The login dialog's address '{url}' is not usable.")))?;
    // A window left from an earlier login that never came back goes first.
    for (label, old) in tauri::Manager::webview_windows(app) {
        if label.starts_with(LABEL) {
            let _ = old.destroy();
        }
    }
    let label = format!("{LABEL}-{}", LOGINS.fetch_add(1, Ordering::Relaxed));
    let facebook = login::facebook_url();
    let (sender, receiver) = oneshot::channel::<Option<String>>();
    let sender = Arc::new(Mutex::new(Some(sender)));
    let answer = {
        let sender = Arc::clone(&sender);
        move |value: Option<String>| {
            if let Some(s) = sender.lock().ok().and_then(|mut s| s.take()) {
                let _ = s.send(value);
            }
        }
    };
    let on_redirect = answer.clone();
    let window = WebviewWindowBuilder::new(app, &label, WebviewUrl::External(url))
        .title("Log in with Facebook")
        .inner_size(620.0, 720.0)
        .center()
        // Facebook's session cookies stay out of the app's storage: each login starts logged out,
        // so one person's session never connects another's Pages.
        .incognito(true)
        .on_navigation(move |to| {
            // Never the query or the fragment: they carry the code or the token.
            tracing::debug!(host = to.host_str().unwrap_or(""), path = to.path(), "login window navigates");
            if login::is_redirect(to.as_str()) {
                on_redirect(Some(to.to_string()));
                return false;
            }
            login::may_visit(to.as_str(), &facebook)
        })
        .build()
        .map_err(|e| unusable(format!("The login window could not be opened: {e}")))?;
    let on_close = answer;
    window.on_window_event(move |event| {
        if matches!(event, WindowEvent::CloseRequested { .. } | WindowEvent::Destroyed) {
            on_close(None);
        }
    });
    let redirect = receiver.await.unwrap_or(None);
    let _ = window.destroy();
    Ok(redirect)
}
