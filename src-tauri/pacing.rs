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

impl Pacing {
    /// For reading what a service holds about a person while answering their request: the answer
    /// does not wait out a long throttle, and what cannot be read is said.
    pub fn reading_for_a_person() -> Self {
        Self { transient_retries: 1, longest_wait: Duration::ZERO, timeout: Duration::from_secs(10), ..Self::default() }
    }

    /// For a request's remote step: it never waits out a long throttle; it says so and is retried
    /// later.
    pub fn remote_step() -> Self {
        Self { transient_retries: 1, longest_wait: Duration::ZERO, ..Self::default() }
    }
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
