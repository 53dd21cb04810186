//! The loopback redirect of a browser sign-in (RFC 8252 §7.3): a listener on 127.0.0.1 that waits
//! for the CRM to send the browser back with a code and the `state` it was given. An answer with
//! another state (any local page can reach a loopback port) is turned away and waiting goes on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::Url;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::apps::REDIRECT_PATH;
use crate::vault::Sensitive;

/// How the wait ended without a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// The person declined, or the CRM refused: its reason.
    Refused(String),
    Cancelled,
    TimedOut,
}

pub struct Loopback {
    listener: TcpListener,
    port: u16,
}

impl Loopback {
    /// Listens on `127.0.0.1:port` (0 takes any free port).
    pub async fn bind(port: u16) -> Result<Self, String> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
            format!("Custodian could not listen on 127.0.0.1:{port} for the browser's answer ({e}); close what uses that port, or register another port with the app")
        })?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        Ok(Self { listener, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn redirect_uri(&self) -> String {
        super::apps::App::redirect_uri(self.port)
    }

    /// Waits for the redirect carrying `state`, until `cancel` is set or `patience` runs out. Each
    /// connection is read on its own task, so that one left open (a browser's preconnect) holds
    /// up nothing.
    pub async fn wait(
        &self,
        state: &str,
        crm: &str,
        cancel: &AtomicBool,
        patience: Duration,
    ) -> Result<Sensitive<String>, Ended> {
        let until = Instant::now() + patience;
        let mut reading = tokio::task::JoinSet::new();
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Err(Ended::Cancelled);
            }
            if Instant::now() >= until {
                return Err(Ended::TimedOut);
            }
            tokio::select! {
                accepted = self.listener.accept() => {
                    if let Ok((stream, _)) = accepted {
                        let (state, crm) = (state.to_owned(), crm.to_owned());
                        reading.spawn(async move { answer(stream, &state, &crm).await });
                    }
                }
                Some(Ok(Some(answer))) = reading.join_next(), if !reading.is_empty() => return answer,
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
        }
    }
}

/// Reads one request and answers the browser. `None` when it was not the redirect for this sign-in.
async fn answer(mut stream: TcpStream, state: &str, crm: &str) -> Option<Result<Sensitive<String>, Ended>> {
    let mut request = Vec::with_capacity(1024);
    let mut buffer = [0u8; 1024];
    let read = tokio::time::timeout(Duration::from_secs(5), async {
        while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => request.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    let target = read.ok().and_then(|_| {
        let line = request.split(|b| *b == b'\r').next()?;
        let line = std::str::from_utf8(line).ok()?;
        let mut parts = line.split(' ');
        (parts.next()? == "GET").then_some(())?;
        Url::parse(&format!("http://127.0.0.1{}", parts.next()?)).ok()
    });
    let Some(target) = target.filter(|t| t.path() == REDIRECT_PATH) else {
        reply(&mut stream, 404, "Not found", "This address only takes a CRM's answer to a sign-in.").await;
        return None;
    };
    let param = |name: &str| target.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    if param("state").as_deref() != Some(state) {
        reply(&mut stream, 400, "Not this sign-in", "This answer is not for the sign-in Custodian is waiting for.")
            .await;
        return None;
    }
    if let Some(code) = param("code").filter(|c| !c.is_empty()) {
        let body = format!("Custodian is connected to {crm}. You can close this tab and go back to Custodian.");
        reply(&mut stream, 200, "Connected", &body).await;
        return Some(Ok(Sensitive::new(code)));
    }
    let reason = param("error_description").or_else(|| param("error")).unwrap_or_else(|| "no code came back".into());
    let body = format!("{crm} did not let Custodian in ({reason}). You can close this tab.");
    reply(&mut stream, 200, "Not connected", &body).await;
    Some(Err(Ended::Refused(reason)))
}

async fn reply(stream: &mut TcpStream, status: u16, title: &str, text: &str) {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let html = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>{}</title>\
         <body style=\"font-family:system-ui,sans-serif;margin:3rem\"><h1>{}</h1><p>{}</p></body></html>",
        escape(title),
        escape(title),
        escape(text)
    );
    let head = format!(
        "HTTP/1.1 {status} {title}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        html.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(html.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(port: u16, target: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        stream.write_all(format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    }

    #[tokio::test]
    async fn only_the_redirect_with_its_state_ends_the_wait() {
        let loopback = Loopback::bind(0).await.unwrap();
        let port = loopback.port();
        let browser = tokio::spawn(async move {
            let forged = get(port, "/callback?code=evil&state=other").await;
            let elsewhere = get(port, "/favicon.ico").await;
            let right = get(port, "/callback?code=c0de&state=s1").await;
            (forged, elsewhere, right)
        });
        let code = loopback.wait("s1", "HubSpot", &AtomicBool::new(false), Duration::from_secs(10)).await.unwrap();
        assert_eq!(code.expose(), "c0de");
        let (forged, elsewhere, right) = browser.await.unwrap();
        assert!(forged.starts_with("HTTP/1.1 400"), "{forged}");
        assert!(elsewhere.starts_with("HTTP/1.1 404"), "{elsewhere}");
        assert!(right.starts_with("HTTP/1.1 200") && right.contains("connected to HubSpot"), "{right}");
    }

    #[tokio::test]
    async fn a_declined_sign_in_and_a_cancel_end_the_wait_with_their_reason() {
        let loopback = Loopback::bind(0).await.unwrap();
        let port = loopback.port();
        assert_eq!(loopback.redirect_uri(), format!("http://127.0.0.1:{port}/callback"));
        tokio::spawn(async move { get(port, "/callback?error=access_denied&state=s2").await });
        let ended = loopback.wait("s2", "Salesforce", &AtomicBool::new(false), Duration::from_secs(10)).await;
        assert_eq!(ended.unwrap_err(), Ended::Refused("access_denied".into()));
        let cancelled = loopback.wait("s3", "Salesforce", &AtomicBool::new(true), Duration::from_secs(10)).await;
        assert_eq!(cancelled.unwrap_err(), Ended::Cancelled);
    }
}
