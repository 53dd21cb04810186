//! Phone numbers to E.164 (`+` and up to 15 digits), without a full numbering-plan database:
//! international forms (`+`, `00`) are kept as given; national forms get the client's default
//! country code after the national trunk prefix is dropped. Good enough to match the same person's
//! number written two ways, which is all the identity index needs.

/// Countries' calling codes and whether a leading `0` is a trunk prefix dropped in international
/// form. Ordered by ISO 3166 alpha-2.
const COUNTRIES: &[(&str, &str, bool)] = &[
    ("AE", "971", true),
    ("AR", "54", true),
    ("AT", "43", true),
    ("AU", "61", true),
    ("BE", "32", true),
    ("BG", "359", true),
    ("BR", "55", true),
    ("CA", "1", false),
    ("CH", "41", true),
    ("CL", "56", false),
    ("CN", "86", true),
    ("CO", "57", false),
    ("CY", "357", false),
    ("CZ", "420", false),
    ("DE", "49", true),
    ("DK", "45", false),
    ("EE", "372", false),
    ("EG", "20", true),
    ("ES", "34", false),
    ("FI", "358", true),
    ("FR", "33", true),
    ("GB", "44", true),
    ("GR", "30", false),
    ("HK", "852", false),
    ("HR", "385", true),
    ("HU", "36", false),
    ("ID", "62", true),
    ("IE", "353", true),
    ("IL", "972", true),
    ("IN", "91", true),
    ("IS", "354", false),
    ("IT", "39", false),
    ("JP", "81", true),
    ("KE", "254", true),
    ("KR", "82", true),
    ("LT", "370", false),
    ("LU", "352", false),
    ("LV", "371", false),
    ("MA", "212", true),
    ("MT", "356", false),
    ("MX", "52", false),
    ("MY", "60", true),
    ("NG", "234", true),
    ("NL", "31", true),
    ("NO", "47", false),
    ("NZ", "64", true),
    ("PE", "51", false),
    ("PH", "63", true),
    ("PK", "92", true),
    ("PL", "48", false),
    ("PT", "351", false),
    ("RO", "40", true),
    ("RS", "381", true),
    ("SA", "966", true),
    ("SE", "46", true),
    ("SG", "65", false),
    ("SI", "386", true),
    ("SK", "421", true),
    ("TH", "66", true),
    ("TR", "90", true),
    ("TW", "886", true),
    ("UA", "380", true),
    ("US", "1", false),
    ("VN", "84", true),
    ("ZA", "27", true),
];

/// The calling code of an ISO 3166 alpha-2 country, if Custodian knows it.
pub fn calling_code(country: &str) -> Option<&'static str> {
    let country = country.trim().to_ascii_uppercase();
    COUNTRIES.iter().find(|(iso, _, _)| *iso == country).map(|(_, code, _)| *code)
}

/// `+<digits>` for a number in international form, or in national form with a known `country`.
pub fn normalise_phone(raw: &str, country: Option<&str>) -> Option<String> {
    let raw = raw.trim();
    let raw = raw.strip_prefix("p:").unwrap_or(raw).trim();
    let international = raw.starts_with('+');
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let e164 = if international {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_owned()
    } else {
        let (iso, code, trunk) = COUNTRIES
            .iter()
            .find(|(iso, _, _)| Some(*iso) == country.map(str::trim).map(str::to_ascii_uppercase).as_deref())?;
        let national = if *trunk { digits.strip_prefix('0').unwrap_or(&digits) } else { &digits };
        // North American numbers are often written with their `1` in national form too.
        let national = if *iso == "US" || *iso == "CA" {
            if national.len() == 11 {
                national.strip_prefix('1').unwrap_or(national)
            } else {
                national
            }
        } else {
            national
        };
        format!("{code}{national}")
    };
    (8..=15).contains(&e164.len()).then(|| format!("+{e164}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn international_numbers_keep_their_country() {
        assert_eq!(normalise_phone("+1 (555) 123-4567", None).as_deref(), Some("+15551234567"));
        assert_eq!(normalise_phone("p:+918119944494", None).as_deref(), Some("+918119944494"));
        assert_eq!(normalise_phone("0044 7911 123456", Some("DE")).as_deref(), Some("+447911123456"));
    }

    #[test]
    fn national_numbers_take_the_default_country_and_lose_the_trunk_zero() {
        assert_eq!(normalise_phone("07911 123456", Some("gb")).as_deref(), Some("+447911123456"));
        assert_eq!(normalise_phone("06 1234 5678", Some("IT")).as_deref(), Some("+390612345678"));
        assert_eq!(normalise_phone("(555) 123-4567", Some("US")).as_deref(), Some("+15551234567"));
        assert_eq!(normalise_phone("1-555-123-4567", Some("US")).as_deref(), Some("+15551234567"));
    }

    #[test]
    fn numbers_that_cannot_be_placed_are_not_indexed() {
        assert_eq!(normalise_phone("07911 123456", None), None);
        assert_eq!(normalise_phone("12", Some("GB")), None);
        assert_eq!(normalise_phone("", Some("GB")), None);
        assert_eq!(normalise_phone("+1234567890123456", None), None);
    }
}
