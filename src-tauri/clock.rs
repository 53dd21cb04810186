//! Where time comes from. Nothing below the edges reads the wall clock: the Console is given a
//! clock, and every decision that depends on the date (deadlines, retention, purges, signed
//! requests' age) and every time it records takes `now` from it. Tests give it a fixed one, so the
//! suite reads the same on any day.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};

/// A moment, always in UTC.
pub type Moment = DateTime<Utc>;

/// A moment as Custodian writes it: RFC 3339 in UTC, `Z`, with a fraction only when it has one and
/// without its trailing zeros (`.25Z`), as every time already stored was written.
pub fn rfc3339(t: Moment) -> String {
    let full = t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    let digits = full.trim_end_matches('Z');
    match digits.split_once('.') {
        Some((whole, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            if fraction.is_empty() {
                format!("{whole}Z")
            } else {
                format!("{whole}.{fraction}Z")
            }
        }
        None => full,
    }
}

/// An RFC 3339 time, in any offset, as a moment in UTC.
pub fn parse_rfc3339(s: &str) -> Option<Moment> {
    DateTime::parse_from_rfc3339(s.trim()).ok().map(|t| t.with_timezone(&Utc))
}

/// A span of minutes in words: `45 min`, `2 h`, `5 h 30 min`, and from two days on `3 days 2 h`.
pub fn span_text(minutes: u64) -> String {
    match (minutes / 60, minutes % 60) {
        (hours, _) if hours >= 48 => format!("{} days {} h", hours / 24, hours % 24),
        (0, minutes) => format!("{minutes} min"),
        (hours, 0) => format!("{hours} h"),
        (hours, minutes) => format!("{hours} h {minutes} min"),
    }
}

/// The moment `seconds` after 1970 began.
pub fn from_unix(seconds: i64) -> Option<Moment> {
    DateTime::from_timestamp(seconds, 0)
}

/// A source of the current time, in UTC.
pub trait Clock: Send + Sync {
    fn now(&self) -> Moment;
}

/// A clock the Console and everything it starts can share.
pub type SharedClock = Arc<dyn Clock>;

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Moment {
        Utc::now()
    }
}

/// A clock that stands still until it is set or moved: for tests, which state their days.
#[derive(Debug)]
pub struct FixedClock(Mutex<Moment>);

impl FixedClock {
    pub fn at(at: Moment) -> Arc<Self> {
        Arc::new(Self(Mutex::new(at)))
    }

    pub fn set(&self, at: Moment) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }

    pub fn advance(&self, by: Duration) {
        let mut at = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *at += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Moment {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A clock that read `start` when the process began and runs on in real time from there.
#[derive(Debug)]
struct StartedAt {
    start: Moment,
    since: Instant,
}

impl Clock for StartedAt {
    fn now(&self) -> Moment {
        self.start + Duration::from_std(self.since.elapsed()).unwrap_or(Duration::MAX)
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
            let start = parse_rfc3339(&value).ok_or_else(|| {
                format!("{CLOCK_VARIABLE} is '{value}', which is not a time: give it as RFC 3339 (2026-07-01T09:00:00Z) or unset it.")
            })?;
            Ok(Arc::new(StartedAt { start, since: Instant::now() }))
        }
        _ => Ok(Arc::new(SystemClock)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_is_written_in_minutes_hours_and_from_two_days_on_days() {
        let written: Vec<String> = [45, 60, 330, 28 * 60, 47 * 60 + 10, 48 * 60, 74 * 60 + 5].map(span_text).into();
        assert_eq!(written, ["45 min", "1 h", "5 h 30 min", "28 h", "47 h 10 min", "2 days 0 h", "3 days 2 h"]);
    }

    fn at(s: &str) -> Moment {
        parse_rfc3339(s).expect("a time")
    }

    #[test]
    fn a_fixed_clock_stands_still_until_it_is_moved() {
        let clock = FixedClock::at(at("2026-07-01T09:00:00+02:00"));
        assert_eq!(clock.now(), at("2026-07-01T07:00:00Z"));
        assert_eq!(clock.now(), clock.now());
        clock.advance(Duration::days(3));
        assert_eq!(clock.now(), at("2026-07-04T07:00:00Z"));
        clock.set(at("2030-01-01T00:00:00Z"));
        assert_eq!(clock.now(), at("2030-01-01T00:00:00Z"));
    }

    #[test]
    fn a_started_clock_runs_on_from_its_start() {
        let clock = StartedAt { start: at("2026-07-01T09:00:00Z"), since: Instant::now() };
        let now = clock.now();
        assert!(now >= at("2026-07-01T09:00:00Z") && now < at("2026-07-01T09:01:00Z"));
    }

    #[test]
    fn moments_are_written_in_utc_with_a_fraction_only_when_they_have_one() {
        assert_eq!(rfc3339(at("2026-07-01T09:00:00+02:00")), "2026-07-01T07:00:00Z");
        assert_eq!(rfc3339(at("2026-07-01T09:00:00.250Z")), "2026-07-01T09:00:00.25Z");
        assert_eq!(rfc3339(at("2026-07-01T09:00:00.123456789Z")), "2026-07-01T09:00:00.123456789Z");
        assert_eq!(from_unix(0).map(rfc3339).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(parse_rfc3339("01/07/2026"), None);
    }
}
