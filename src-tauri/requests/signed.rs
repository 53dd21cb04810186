//! Meta's data-deletion callback: a `signed_request` of `base64url(signature).base64url(payload)`,
//! valid when the signature is HMAC-SHA256 under the app secret of the payload segment as sent.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What a verified deletion callback asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionCallback {
    /// The app-scoped user id whose data is to be deleted.
    pub user_id: String,
    /// Seconds since the epoch.
    pub issued_at: Option<i64>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignedRequestError {
    #[error("That is not a signed_request: it should be two base64url parts joined by a dot, as Meta posts it.")]
    Malformed,
    #[error("The signed_request's signature does not match the Meta app secret in the keychain: it was forged, altered, or made for another app.")]
    BadSignature,
    #[error("The signed_request uses {0}; Meta signs deletion callbacks with HMAC-SHA256.")]
    Algorithm(String),
    #[error("The signed_request expired at {0} (seconds since 1970); ask Meta's callback to be sent again.")]
    Expired(i64),
    #[error("The signed_request names no user_id, so there is nobody to erase.")]
    NoUser,
}

/// Checks the signature first, then what the payload says, as of `now` (seconds since 1970).
pub fn verify(signed: &str, app_secret: &[u8], now: i64) -> Result<DeletionCallback, SignedRequestError> {
    let signed = signed.trim();
    let (signature, payload) = signed.split_once('.').ok_or(SignedRequestError::Malformed)?;
    let decode =
        |part: &str| URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).map_err(|_| SignedRequestError::Malformed);
    let signature = decode(signature)?;
    let json = decode(payload)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret).expect("HMAC takes any key length");
    mac.update(payload.as_bytes());
    mac.verify_slice(&signature).map_err(|_| SignedRequestError::BadSignature)?;

    let payload: serde_json::Value = serde_json::from_slice(&json).map_err(|_| SignedRequestError::Malformed)?;
    let algorithm = payload.get("algorithm").and_then(|a| a.as_str()).unwrap_or("no algorithm");
    if !algorithm.eq_ignore_ascii_case("HMAC-SHA256") {
        return Err(SignedRequestError::Algorithm(algorithm.to_owned()));
    }
    if let Some(expires) = payload.get("expires").and_then(serde_json::Value::as_i64).filter(|e| *e > 0) {
        if now > expires {
            return Err(SignedRequestError::Expired(expires));
        }
    }
    let user_id = match payload.get("user_id") {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => return Err(SignedRequestError::NoUser),
    };
    Ok(DeletionCallback { user_id, issued_at: payload.get("issued_at").and_then(serde_json::Value::as_i64) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &[u8], payload: &str) -> String {
        let payload = URL_SAFE_NO_PAD.encode(payload);
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(payload.as_bytes());
        format!("{}.{payload}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }

    const NOW: i64 = 1_790_000_000;

    #[test]
    fn a_callback_signed_with_the_app_secret_names_the_user() {
        let s = sign(b"secret", r#"{"user_id":"1234567890","algorithm":"HMAC-SHA256","issued_at":1789999990}"#);
        assert_eq!(
            verify(&s, b"secret", NOW),
            Ok(DeletionCallback { user_id: "1234567890".into(), issued_at: Some(1_789_999_990) })
        );
        let numeric = sign(b"secret", r#"{"user_id":42,"algorithm":"hmac-sha256","expires":1790000100}"#);
        assert_eq!(verify(&numeric, b"secret", NOW).unwrap().user_id, "42");
    }

    #[test]
    fn forged_altered_expired_and_malformed_callbacks_are_refused() {
        let good = sign(b"secret", r#"{"user_id":"1","algorithm":"HMAC-SHA256"}"#);
        assert_eq!(verify(&good, b"other app", NOW), Err(SignedRequestError::BadSignature));
        let (sig, _) = good.split_once('.').unwrap();
        let altered = format!("{sig}.{}", URL_SAFE_NO_PAD.encode(r#"{"user_id":"2","algorithm":"HMAC-SHA256"}"#));
        assert_eq!(verify(&altered, b"secret", NOW), Err(SignedRequestError::BadSignature));
        let expired = sign(b"secret", r#"{"user_id":"1","algorithm":"HMAC-SHA256","expires":1789000000}"#);
        assert_eq!(verify(&expired, b"secret", NOW), Err(SignedRequestError::Expired(1_789_000_000)));
        let md5 = sign(b"secret", r#"{"user_id":"1","algorithm":"MD5"}"#);
        assert_eq!(verify(&md5, b"secret", NOW), Err(SignedRequestError::Algorithm("MD5".into())));
        let nobody = sign(b"secret", r#"{"algorithm":"HMAC-SHA256"}"#);
        assert_eq!(verify(&nobody, b"secret", NOW), Err(SignedRequestError::NoUser));
        for junk in ["", "no-dot", "a.b.c", "!!!.???"] {
            assert_eq!(verify(junk, b"secret", NOW), Err(SignedRequestError::Malformed), "{junk}");
        }
    }
}
