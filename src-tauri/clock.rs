//! Where time comes from. Nothing below the edges reads the wall clock: the Console is given a
//! clock, and every decision that depends on the date (deadlines, retention, purges, signed
//! requests' age) and every time it records takes `now` from it. Tests give it a fixed one, so the
//! suite reads the same on any day.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// A source of the current time, in UTC.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

/// A clock the Console and everything it starts can share.
pub type SharedClock = Arc<dyn Clock>;

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until it is set or moved: for tests, which state their days.
#[derive(Debug)]
pub struct FixedClock(Mutex<OffsetDateTime>);

impl FixedClock {
    pub fn at(at: OffsetDateTime) -> Arc<Self> {
        Arc::new(Self(Mutex::new(at.to_offset(time::UtcOffset::UTC))))
    }

    pub fn set(&self, at: OffsetDateTime) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at.to_offset(time::UtcOffset::UTC);
    }

    pub fn advance(&self, by: Duration) {
        let mut at = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *at += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A clock that read `start` when the process began and runs on in real time from there.
#[derive(Debug)]
struct StartedAt {
    start: OffsetDateTime,
    since: Instant,
}

impl Clock for StartedAt {
    fn now(&self) -> OffsetDateTime {
        self.start + self.since.elapsed()
    }
}

/// The variable that starts the clock at another moment, for tests and demonstrations.
pub const CLOCK_VARIABLE: &str = "CUSTODIAN_CLOCK";

/// The system clock, or, in a debug build (tests, demonstrations), when `CUSTODIAN_CLOCK` holds an
/// RFC 3339 time, a clock that starts there and runs on in real time. A value that is not a time is
/// refused rather than ignored: a run on the wrong date would purge or date records wrongly. A
/// release build always runs on the system clock: a variable must not move deadlines, holds'
/// last days or the audit trail's times.
pub fn from_env() -> Result<SharedClock, String> {
    if !cfg!(debug_assertions) {
        return Ok(Arc::new(SystemClock));
    }
    match std::env::var(CLOCK_VARIABLE) {
        Ok(value) if !value.trim().is_empty() => {
            let start = OffsetDateTime::parse(value.trim(), &Rfc3339).map_err(|_| {
                format!("{CLOCK_VARIABLE} is '{value}', which is not a time: give it as RFC 3339 (2026-07-01T09:00:00Z) or unset it.")
            })?;
            Ok(Arc::new(StartedAt { start: start.to_offset(time::UtcOffset::UTC), since: Instant::now() }))
        }
        _ => Ok(Arc::new(SystemClock)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_fixed_clock_stands_still_until_it_is_moved() {
        let clock = FixedClock::at(datetime!(2026-07-01 09:00 +02:00));
        assert_eq!(clock.now(), datetime!(2026-07-01 07:00 UTC));
        assert_eq!(clock.now(), clock.now());
        clock.advance(Duration::days(3));
        assert_eq!(clock.now(), datetime!(2026-07-04 07:00 UTC));
        clock.set(datetime!(2030-01-01 0:00 UTC));
        assert_eq!(clock.now(), datetime!(2030-01-01 0:00 UTC));
    }

    #[test]
    fn a_started_clock_runs_on_from_its_start() {
        let clock = StartedAt { start: datetime!(2026-07-01 09:00 UTC), since: Instant::now() };
        let now = clock.now();
        assert!(now >= datetime!(2026-07-01 09:00 UTC) && now < datetime!(2026-07-01 09:01 UTC));
    }
}
