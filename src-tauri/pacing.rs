//! How patiently a client of a remote API (Meta's Graph API, a CRM's) retries and waits. The
//! defaults suit the services; tests shorten them.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Pacing {
    /// Retries after a transient failure (a 5xx, a timeout, a malformed answer, the service's own
    /// "try again" codes).
    pub transient_retries: u32,
    /// The first backoff; each retry doubles it.
    pub first_backoff: Duration,
    /// Rate-limit waits longer than this, in all, are not waited out: the caller is told when to
    /// resume.
    pub longest_wait: Duration,
    /// How long one call may take.
    pub timeout: Duration,
}

impl Default for Pacing {
    fn default() -> Self {
        Self {
            transient_retries: 4,
            first_backoff: Duration::from_secs(1),
            longest_wait: Duration::from_secs(120),
            timeout: Duration::from_secs(60),
        }
    }
}
