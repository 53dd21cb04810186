//! When a data-subject request must be answered, under the regime it falls under.
//!
//! GDPR Art. 12(3): one month from receipt, extendable once by two more months, with reasons,
//! if the person is told within the first month. CCPA/CPRA: 45 calendar days, extendable once by
//! 45 more with notice; receipt confirmed within 10 business days. A custom regime is a number of
//! days set by the agency (a contract or another law) and has no extension. Dates are calendar
//! dates in the agency's own reckoning; public holidays are not known here and are not skipped.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Duration, Months, NaiveDate, Weekday};

/// The rules a request is answered under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regime {
    Gdpr,
    Ccpa,
    /// A fixed number of calendar days, without extension.
    Days(u16),
}

/// The longest custom period accepted: a year covers every deadline in force.
pub const MAX_CUSTOM_DAYS: u16 = 366;

impl FromStr for Regime {
    type Err = String;

    /// `gdpr`, `ccpa` or `days:N`, as the CLI takes them.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "gdpr" => return Ok(Self::Gdpr),
            "ccpa" | "cpra" => return Ok(Self::Ccpa),
            _ => {}
        }
        let days = s
            .strip_prefix("days:")
            .ok_or_else(|| format!("unknown regime \"{s}\": use gdpr, ccpa, or days:N for a custom number of days"))?;
        match days.parse::<u16>() {
            Ok(n) if (1..=MAX_CUSTOM_DAYS).contains(&n) => Ok(Self::Days(n)),
            _ => Err(format!("\"{days}\" is not a number of days from 1 to {MAX_CUSTOM_DAYS}")),
        }
    }
}

impl fmt::Display for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Gdpr => f.write_str("gdpr"),
            Self::Ccpa => f.write_str("ccpa"),
            Self::Days(n) => write!(f, "days:{n}"),
        }
    }
}

/// Why a deadline cannot be extended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtensionRefused {
    /// The regime has no extension.
    NotAllowed(Regime),
    AlreadyExtended,
    /// The person must be told before the first deadline passes.
    TooLate {
        due: NaiveDate,
    },
    /// The law asks for the reasons to be given.
    NoReason,
}

impl fmt::Display for ExtensionRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAllowed(r) => write!(f, "A {r} deadline cannot be extended."),
            Self::AlreadyExtended => f.write_str("The deadline has already been extended once; it cannot be again."),
            Self::TooLate { due } => write!(
                f,
                "The deadline ({due}) has passed: an extension must be given, and the person told, before it."
            ),
            Self::NoReason => f.write_str("An extension needs its reason, which the person is told."),
        }
    }
}

/// A request's deadline: when it was received, under which regime, and whether it was extended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub regime: Regime,
    pub received: NaiveDate,
    pub extended: bool,
}

/// How close a deadline is, for the colour it is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// More than `AMBER_DAYS` left.
    OnTrack,
    /// Due within `AMBER_DAYS`, today included.
    DueSoon,
    Overdue,
}

/// Days before the deadline from which a request shows as due soon.
pub const AMBER_DAYS: i64 = 7;

impl Deadline {
    pub fn new(regime: Regime, received: NaiveDate) -> Self {
        Self { regime, received, extended: false }
    }

    /// The last day on which the answer is on time.
    pub fn due(&self) -> NaiveDate {
        match (self.regime, self.extended) {
            (Regime::Gdpr, false) => add_months(self.received, 1),
            (Regime::Gdpr, true) => add_months(self.received, 3),
            (Regime::Ccpa, false) => self.received + Duration::days(45),
            (Regime::Ccpa, true) => self.received + Duration::days(90),
            (Regime::Days(n), _) => self.received + Duration::days(i64::from(n)),
        }
    }

    /// Extends the deadline once, if the regime allows it and it is asked for in time.
    pub fn extend(&mut self, today: NaiveDate, reason: &str) -> Result<NaiveDate, ExtensionRefused> {
        if let Regime::Days(_) = self.regime {
            return Err(ExtensionRefused::NotAllowed(self.regime));
        }
        if self.extended {
            return Err(ExtensionRefused::AlreadyExtended);
        }
        if today > self.due() {
            return Err(ExtensionRefused::TooLate { due: self.due() });
        }
        if reason.trim().is_empty() {
            return Err(ExtensionRefused::NoReason);
        }
        self.extended = true;
        Ok(self.due())
    }

    /// Days left until the deadline: 0 on the day itself, negative once it has passed.
    pub fn days_left(&self, today: NaiveDate) -> i64 {
        (self.due() - today).num_days()
    }

    pub fn urgency(&self, today: NaiveDate) -> Urgency {
        match self.days_left(today) {
            d if d < 0 => Urgency::Overdue,
            d if d < AMBER_DAYS => Urgency::DueSoon,
            _ => Urgency::OnTrack,
        }
    }

    /// Under CCPA, the day by which receipt must be confirmed: 10 business days (Monday to Friday).
    pub fn confirm_receipt_by(&self) -> Option<NaiveDate> {
        (self.regime == Regime::Ccpa).then(|| add_business_days(self.received, 10))
    }
}

/// The same day `months` later, or the last day of that month when it is shorter (31 January plus
/// one month is 28 or 29 February), as the EU reckons a period of months.
fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).expect("dates far from the end of time")
}

fn add_business_days(date: NaiveDate, days: u32) -> NaiveDate {
    let mut d = date;
    let mut left = days;
    while left > 0 {
        d = d.succ_opt().expect("dates far from the end of time");
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("a day that exists")
    }

    #[test]
    fn a_gdpr_request_is_due_the_same_day_next_month_or_the_last_day_of_a_shorter_month() {
        assert_eq!(Deadline::new(Regime::Gdpr, date(2026, 3, 15)).due(), date(2026, 4, 15));
        assert_eq!(Deadline::new(Regime::Gdpr, date(2026, 1, 31)).due(), date(2026, 2, 28));
        assert_eq!(Deadline::new(Regime::Gdpr, date(2028, 1, 31)).due(), date(2028, 2, 29));
        assert_eq!(Deadline::new(Regime::Gdpr, date(2026, 12, 10)).due(), date(2027, 1, 10));
        assert_eq!(Deadline::new(Regime::Gdpr, date(2026, 8, 31)).due(), date(2026, 9, 30));
    }

    #[test]
    fn a_gdpr_extension_gives_two_more_months_once_with_a_reason_before_the_first_deadline() {
        let mut d = Deadline::new(Regime::Gdpr, date(2026, 11, 30));
        assert_eq!(d.extend(date(2026, 12, 1), "  "), Err(ExtensionRefused::NoReason));
        assert_eq!(d.extend(date(2026, 12, 30), "numerous requests"), Ok(date(2027, 2, 28)));
        assert_eq!(d.extend(date(2027, 1, 2), "again"), Err(ExtensionRefused::AlreadyExtended));

        let mut late = Deadline::new(Regime::Gdpr, date(2026, 11, 1));
        assert_eq!(
            late.extend(date(2026, 12, 2), "complex"),
            Err(ExtensionRefused::TooLate { due: date(2026, 12, 1) })
        );
        assert!(!late.extended);
    }

    #[test]
    fn a_ccpa_request_is_due_in_45_days_extendable_to_90_and_confirmed_within_10_business_days() {
        let mut d = Deadline::new(Regime::Ccpa, date(2026, 11, 20));
        assert_eq!(d.due(), date(2027, 1, 4));
        // Friday 20 November: ten weekdays later is Friday 4 December.
        assert_eq!(d.confirm_receipt_by(), Some(date(2026, 12, 4)));
        assert_eq!(d.extend(date(2026, 12, 1), "volume"), Ok(date(2027, 2, 18)));
        assert_eq!(Deadline::new(Regime::Gdpr, date(2026, 11, 20)).confirm_receipt_by(), None);
    }

    #[test]
    fn a_custom_period_counts_calendar_days_and_cannot_be_extended() {
        let mut d = Deadline::new(Regime::Days(30), date(2026, 2, 1));
        assert_eq!(d.due(), date(2026, 3, 3));
        assert_eq!(d.extend(date(2026, 2, 2), "reason"), Err(ExtensionRefused::NotAllowed(Regime::Days(30))));
    }

    #[test]
    fn urgency_turns_amber_in_the_last_seven_days_and_red_after_the_due_day() {
        let d = Deadline::new(Regime::Days(30), date(2026, 11, 1));
        assert_eq!(d.due(), date(2026, 12, 1));
        assert_eq!(d.urgency(date(2026, 11, 24)), Urgency::OnTrack);
        assert_eq!(d.days_left(date(2026, 11, 25)), 6);
        assert_eq!(d.urgency(date(2026, 11, 25)), Urgency::DueSoon);
        assert_eq!(d.urgency(date(2026, 12, 1)), Urgency::DueSoon);
        assert_eq!(d.urgency(date(2026, 12, 2)), Urgency::Overdue);
        assert_eq!(d.days_left(date(2026, 12, 3)), -2);
    }

    #[test]
    fn regimes_are_read_as_the_cli_spells_them_and_bad_ones_say_what_is_accepted() {
        assert_eq!("GDPR".parse::<Regime>(), Ok(Regime::Gdpr));
        assert_eq!("ccpa".parse::<Regime>(), Ok(Regime::Ccpa));
        assert_eq!("days:21".parse::<Regime>(), Ok(Regime::Days(21)));
        assert_eq!(Regime::Days(21).to_string(), "days:21");
        assert!("hipaa".parse::<Regime>().unwrap_err().contains("use gdpr, ccpa, or days:N"));
        assert!("days:0".parse::<Regime>().unwrap_err().contains("from 1 to 366"));
        assert!("days:x".parse::<Regime>().is_err());
        assert!("days:400".parse::<Regime>().is_err());
    }
}
