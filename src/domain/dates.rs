//! Dates as people type them (`2026-11-24`), and the one rule for where a day ends.
use time::{Date, OffsetDateTime, Time};

use super::Invalid;

/// A date typed into a form: empty means none.
pub fn parse_date(input: &str) -> Result<Option<Date>, Invalid> {
    let raw = input.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(raw, format)
        .map(Some)
        .map_err(|_| Invalid::new("Enter a date like 2026-11-24."))
}

/// The last moment of a day, UTC: an `End date` or an expiration `On date` includes the
/// whole day.
pub fn end_of_day(date: Date) -> OffsetDateTime {
    date.with_time(Time::from_hms_micro(23, 59, 59, 999_999).unwrap_or(Time::MIDNIGHT))
        .assume_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn a_typed_date_is_read_and_an_empty_one_is_none() {
        assert_eq!(parse_date(" 2026-11-24 "), Ok(Some(date!(2026 - 11 - 24))));
        assert_eq!(parse_date(""), Ok(None));
        assert!(parse_date("24/11/2026").is_err());
        assert!(parse_date("2026-02-30").is_err());
    }

    #[test]
    fn a_day_ends_just_before_the_next_one_begins() {
        let end = end_of_day(date!(2026 - 11 - 24));
        assert!(end < datetime!(2026-11-25 00:00 UTC));
        assert!(end > datetime!(2026-11-24 23:59:59 UTC));
    }
}
