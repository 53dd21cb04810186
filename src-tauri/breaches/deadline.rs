//! The 72 hours of GDPR Art. 33(1): from the moment the agency became aware of a breach to the
//! latest the supervisory authority should be told. They are elapsed hours, so a change of
//! daylight-saving time in between neither adds an hour nor takes one.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use serde::Serialize;
use ts_rs::TS;

use crate::clock::Moment;

/// The hours the authority is to be told within.
pub const HOURS: i64 = 72;
/// Under this many hours left, the deadline is near.
pub const NEAR_HOURS: i64 = 24;

/// Where a breach stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// More than a day left to tell the authority.
    Running,
    /// Under a day left.
    Near,
    /// The 72 hours have passed and the authority has not been told.
    Passed,
    /// The authority was told within the 72 hours.
    Notified,
    /// The authority was told after them, with the reason for the delay.
    NotifiedLate,
    /// Closed without telling the authority (a breach unlikely to result in a risk).
    Closed,
}

/// The latest the authority is to be told of a breach the agency became aware of at `aware`.
pub fn deadline(aware: Moment) -> Moment {
    aware + Duration::hours(HOURS)
}

/// When someone was told of a breach, as given: a moment, or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Told {
    At(Moment),
    /// A day, in the calendar of the offset awareness was given in.
    On(NaiveDate),
}

/// How a notification stands against the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    InTime,
    Late,
    /// A day that is the deadline's own: in time or not depends on the hour.
    DeadlineDay,
}

impl Told {
    /// `2026-03-30`, or a time with its offset (`2026-03-30T14:05+02:00`, seconds optional).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() == 10 {
            return crate::requests::parse_date(text).ok().map(Self::On);
        }
        super::parse_moment(text).map(|at| Self::At(at.to_utc()))
    }

    /// How it stands against the deadline of a breach the agency became aware of at `aware`.
    pub fn timing(self, aware: DateTime<FixedOffset>) -> Timing {
        let due = deadline(aware.to_utc());
        match self {
            Self::At(at) if at > due => Timing::Late,
            Self::At(_) => Timing::InTime,
            Self::On(day) => match day.cmp(&due.with_timezone(aware.offset()).date_naive()) {
                std::cmp::Ordering::Less => Timing::InTime,
                std::cmp::Ordering::Equal => Timing::DeadlineDay,
                std::cmp::Ordering::Greater => Timing::Late,
            },
        }
    }

    /// Whether it is after `now`, or before `aware`: nobody was told in the future, or of a breach
    /// before the agency knew of it.
    pub fn outside(self, aware: DateTime<FixedOffset>, now: Moment) -> bool {
        match self {
            Self::At(at) => at > now || at < aware.to_utc(),
            Self::On(day) => day > now.with_timezone(aware.offset()).date_naive() || day < aware.date_naive(),
        }
    }

    /// As the register keeps it: RFC 3339 in UTC, or the day.
    pub fn stored(self) -> String {
        match self {
            Self::At(at) => crate::clock::rfc3339(at),
            Self::On(day) => day.to_string(),
        }
    }
}

/// Where a breach stands at `now`.
pub fn standing(aware: Moment, told: Option<bool>, closed: bool, now: Moment) -> Standing {
    match told {
        Some(false) => return Standing::Notified,
        Some(true) => return Standing::NotifiedLate,
        None => {}
    }
    if closed {
        return Standing::Closed;
    }
    let left = deadline(aware) - now;
    // At the deadline itself the authority can still be told in time.
    if left < Duration::zero() {
        Standing::Passed
    } else if left < Duration::hours(NEAR_HOURS) {
        Standing::Near
    } else {
        Standing::Running
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    #[test]
    fn the_deadline_is_seventy_two_elapsed_hours_across_a_change_of_daylight_saving_time() {
        // Berlin goes from +01:00 to +02:00 on 29 March 2026: 72 hours after Saturday 10:00 is
        // Tuesday 11:00 by the clock on the wall, 09:00 UTC.
        let aware = at("2026-03-28T10:00:00+01:00");
        assert_eq!(crate::clock::rfc3339(deadline(aware.to_utc())), "2026-03-31T09:00:00Z");
        // And back on 25 October: 72 hours after Saturday 10:00 (+02:00) is Tuesday 09:00 (+01:00).
        let autumn = at("2026-10-24T10:00:00+02:00");
        assert_eq!(crate::clock::rfc3339(deadline(autumn.to_utc())), "2026-10-27T08:00:00Z");
        // The same moment given in another zone has the same deadline.
        assert_eq!(deadline(at("2026-03-28T04:00:00-05:00").to_utc()), deadline(aware.to_utc()));
    }

    #[test]
    fn a_notification_is_late_after_the_deadline_and_a_day_that_is_the_deadlines_own_needs_its_hour() {
        let aware = at("2026-03-28T22:30:00+01:00");
        // The deadline is 2026-03-31T21:30Z: still the 31st at the offset awareness was given in.
        let timing = |text: &str| Told::parse(text).unwrap().timing(aware);
        assert_eq!(timing("2026-03-31T21:30:00Z"), Timing::InTime);
        assert_eq!(timing("2026-03-31T23:30+02:00"), Timing::InTime, "the same moment, no seconds");
        assert_eq!(timing("2026-03-31T21:30:01Z"), Timing::Late);
        assert_eq!(timing("2026-03-30"), Timing::InTime);
        assert_eq!(timing("2026-03-31"), Timing::DeadlineDay);
        assert_eq!(timing("2026-04-01"), Timing::Late);
        // Given in a zone ahead of UTC, the deadline's day is the one in that zone.
        let tokyo = at("2026-03-29T07:30:00+09:00");
        assert_eq!(Told::parse("2026-04-01").unwrap().timing(tokyo), Timing::DeadlineDay);
        assert_eq!(Told::parse("2026-03-31").unwrap().timing(tokyo), Timing::InTime);
        for typo in ["31/03/2026", "226-03-31", "2026-3-31", "2026-03-31 21:30"] {
            assert_eq!(Told::parse(typo), None, "{typo}");
        }
    }

    #[test]
    fn nobody_is_told_before_the_agency_knew_or_after_now() {
        let aware = at("2026-11-20T10:30:00+01:00");
        let now = at("2026-11-23T09:00:00Z").to_utc();
        let outside = |text: &str| Told::parse(text).unwrap().outside(aware, now);
        assert!(outside("2026-11-19") && outside("2026-11-20T09:00Z") && outside("2026-11-24"));
        assert!(!outside("2026-11-20") && !outside("2026-11-23") && !outside("2026-11-23T08:59Z"));
    }

    #[test]
    fn a_breach_stands_running_near_passed_or_told() {
        let aware = at("2026-11-20T09:00:00Z").to_utc();
        let now = |t: &str| at(t).to_utc();
        assert_eq!(standing(aware, None, false, now("2026-11-21T08:59:59Z")), Standing::Running);
        assert_eq!(standing(aware, None, false, now("2026-11-22T09:00:01Z")), Standing::Near);
        assert_eq!(
            standing(aware, None, false, now("2026-11-23T09:00:00Z")),
            Standing::Near,
            "the last moment in time"
        );
        assert_eq!(standing(aware, None, false, now("2026-11-23T09:00:01Z")), Standing::Passed);
        assert_eq!(standing(aware, Some(false), false, now("2026-11-30T09:00:00Z")), Standing::Notified);
        assert_eq!(standing(aware, Some(true), true, now("2026-11-30T09:00:00Z")), Standing::NotifiedLate);
        assert_eq!(standing(aware, None, true, now("2026-11-30T09:00:00Z")), Standing::Closed);
    }
}
