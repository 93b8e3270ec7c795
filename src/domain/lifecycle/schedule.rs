//! When access starts and ends: requested periods, policy expiration, the end-of-day rule,
//! and the words people type with a request (justification, reason).
use time::{Date, Duration, OffsetDateTime, Time};

use crate::domain::dates::end_of_day;
use crate::domain::policy::Expiration;
use crate::domain::{Invalid, check_characters};

/// When access under `expiration` ends if it starts at `start`.
pub fn expiration_end(expiration: Expiration, start: OffsetDateTime) -> Option<OffsetDateTime> {
    match expiration {
        Expiration::Days(days) => Some(start + Duration::days(i64::from(days))),
        Expiration::Hours(hours) => Some(start + Duration::hours(i64::from(hours))),
        Expiration::OnDate(date) => Some(end_of_day(date)),
        Expiration::Never => None,
    }
}

/// The assignment's end: the earlier of the requested end and the policy's expiration,
/// counted from delivery.
pub fn assignment_end(
    requested_end: Option<OffsetDateTime>,
    expiration: Expiration,
    delivered_at: OffsetDateTime,
) -> Option<OffsetDateTime> {
    match (requested_end, expiration_end(expiration, delivered_at)) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// How far ahead a requested period may start.
pub const MAX_START_DAYS: i64 = 366;

/// A requested period, checked: start (now when none or today) and optional end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub start: OffsetDateTime,
    pub end: Option<OffsetDateTime>,
}

/// Which field a schedule problem belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScheduleProblem {
    Start(Invalid),
    End(Invalid),
}

/// Checks `Start date` and `End date` against today and the policy's expiration. No start, or
/// today, means now.
pub fn check_schedule(
    now: OffsetDateTime,
    start: Option<Date>,
    end: Option<Date>,
    expiration: Expiration,
) -> Result<Schedule, ScheduleProblem> {
    let today = now.date();
    let start_at = match start {
        Some(date) if date < today => {
            return Err(ScheduleProblem::Start(Invalid::new(
                "The start date cannot be in the past.",
            )));
        }
        Some(date) if date > today + Duration::days(MAX_START_DAYS) => {
            return Err(ScheduleProblem::Start(Invalid::new(
                "The start date can be at most a year from today.",
            )));
        }
        Some(date) if date > today => date.with_time(Time::MIDNIGHT).assume_utc(),
        _ => now,
    };
    if let Expiration::OnDate(last) = expiration
        && start_at.date() > last
    {
        return Err(ScheduleProblem::Start(Invalid::new(format!(
            "The policy's access ends on {last}, before this start date."
        ))));
    }
    let end_at = match end {
        None => None,
        Some(date) => {
            if start.is_some_and(|s| date <= s) || (start.is_none() && date < today) {
                return Err(ScheduleProblem::End(Invalid::new(
                    "The end date must be after the start date.",
                )));
            }
            Some(end_of_day(date))
        }
    };
    if let (Some(end_at), Some(limit)) = (end_at, expiration_end(expiration, start_at)) {
        // A period that ends on the last allowed day is fine: compare whole days.
        if end_at.date() > limit.date() {
            return Err(ScheduleProblem::End(Invalid::new(format!(
                "The policy allows access until {} at the latest ({}).",
                limit.date(),
                expiration.label().to_lowercase()
            ))));
        }
    }
    Ok(Schedule {
        start: start_at,
        end: end_at,
    })
}

/// How close to its end an assignment shows `Extend` (and is warned about).
pub const EXTEND_WITHIN_DAYS: i64 = 14;

/// How soon access that ends at `end` ends, in words, when within
/// [`EXTEND_WITHIN_DAYS`]: `Ends in 3 days`, `Ends in 5 hours`, `Ends within an hour`.
pub fn ends_in(end: OffsetDateTime, now: OffsetDateTime) -> Option<String> {
    let left = end - now;
    if left <= Duration::ZERO || left > Duration::days(EXTEND_WITHIN_DAYS) {
        return None;
    }
    Some(match (left.whole_days(), left.whole_hours()) {
        (0, 0) => "Ends within an hour".to_owned(),
        (0, 1) => "Ends in 1 hour".to_owned(),
        (0, hours) => format!("Ends in {hours} hours"),
        (1, _) => "Ends in 1 day".to_owned(),
        (days, _) => format!("Ends in {days} days"),
    })
}

/// The new end of an assignment that ends at `current`, extended on `now` under a policy
/// expiring as `expiration`: the chosen day's end, or (none chosen) as long as the policy
/// gives access from now. Later than the current end, and no later than the policy allows
/// from now, as a new request would get.
pub fn check_extension(
    now: OffsetDateTime,
    current: OffsetDateTime,
    chosen: Option<Date>,
    expiration: Expiration,
) -> Result<OffsetDateTime, Invalid> {
    let limit = expiration_end(expiration, now);
    let end = match (chosen, limit) {
        (Some(date), _) => end_of_day(date),
        (None, Some(limit)) => limit,
        (None, None) => {
            return Err(Invalid::new("Enter the date your access should end."));
        }
    };
    if let Some(limit) = limit
        && end.date() > limit.date()
    {
        return Err(Invalid::new(format!(
            "The policy allows access until {} at the latest ({}).",
            limit.date(),
            expiration.label().to_lowercase()
        )));
    }
    // A chosen day ends at midnight; the policy's limit may come earlier that day.
    let end = limit.map_or(end, |limit| end.min(limit));
    if end <= current {
        return Err(Invalid::new(format!(
            "Choose a date after {}, when your access ends now.",
            current.date()
        )));
    }
    Ok(end)
}

/// A business justification: required when the policy says so, at most 1,000 characters.
pub fn check_justification(input: &str, required: bool) -> Result<String, Invalid> {
    let text = input.trim();
    if required && text.is_empty() {
        return Err(Invalid::new("Enter a business justification."));
    }
    if text.chars().count() > 1000 {
        return Err(Invalid::new(
            "The business justification can be at most 1,000 characters.",
        ));
    }
    check_characters(text, "business justification")?;
    Ok(text.to_owned())
}

/// An approver's reason: required when the policy requires approver justification.
pub fn check_reason(input: &str, required: bool) -> Result<String, Invalid> {
    let text = input.trim();
    if required && text.is_empty() {
        return Err(Invalid::new("Enter a reason: this policy requires one."));
    }
    if text.chars().count() > 1000 {
        return Err(Invalid::new("The reason can be at most 1,000 characters."));
    }
    check_characters(text, "reason")?;
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    const NOW: OffsetDateTime = datetime!(2026-11-24 10:00 UTC);

    #[test]
    fn access_ending_soon_says_how_soon() {
        let says = |d: Duration| ends_in(NOW + d, NOW);
        assert_eq!(
            says(Duration::days(3) + Duration::hours(5)).as_deref(),
            Some("Ends in 3 days")
        );
        assert_eq!(says(Duration::days(14)).as_deref(), Some("Ends in 14 days"));
        assert_eq!(says(Duration::days(15)), None);
        assert_eq!(says(Duration::hours(30)).as_deref(), Some("Ends in 1 day"));
        assert_eq!(says(Duration::hours(5)).as_deref(), Some("Ends in 5 hours"));
        assert_eq!(
            says(Duration::minutes(20)).as_deref(),
            Some("Ends within an hour")
        );
        assert_eq!(says(Duration::minutes(-1)), None);
    }

    #[test]
    fn an_extension_ends_later_than_now_and_within_the_policy() {
        let current = datetime!(2026-12-01 10:00 UTC);
        let policy = Expiration::Days(30);
        assert_eq!(
            check_extension(NOW, current, None, policy),
            Ok(NOW + Duration::days(30))
        );
        assert_eq!(
            check_extension(NOW, current, Some(date!(2026 - 12 - 20)), policy),
            Ok(end_of_day(date!(2026 - 12 - 20)))
        );
        // The last allowed day gives access until the policy's limit, not that midnight.
        assert_eq!(
            check_extension(NOW, current, Some(date!(2026 - 12 - 24)), policy),
            Ok(NOW + Duration::days(30))
        );
        let hours = check_extension(
            NOW,
            NOW + Duration::hours(1),
            Some(NOW.date()),
            Expiration::Hours(4),
        );
        assert_eq!(hours, Ok(NOW + Duration::hours(4)));
        let too_late = check_extension(
            NOW,
            current,
            Some(date!(2026 - 12 - 25)),
            Expiration::Days(7),
        );
        assert!(too_late.is_err_and(|e| e.to_string().contains("2026-12-01")));
        let earlier = check_extension(NOW, current, Some(date!(2026 - 11 - 30)), policy);
        assert!(earlier.is_err_and(|e| e.to_string().contains("after 2026-12-01")));
        // A policy whose last day has come gives nothing more.
        let ended = check_extension(
            NOW,
            current,
            None,
            Expiration::OnDate(date!(2026 - 11 - 30)),
        );
        assert!(ended.is_err());
        assert!(check_extension(NOW, current, None, Expiration::Never).is_err());
        assert!(
            check_extension(NOW, current, Some(date!(2027 - 06 - 01)), Expiration::Never).is_ok()
        );
    }

    #[test]
    fn today_until_tomorrow_is_accepted_and_ends_tomorrow_night() {
        let schedule = check_schedule(
            NOW,
            Some(date!(2026 - 11 - 24)),
            Some(date!(2026 - 11 - 25)),
            Expiration::Days(30),
        );
        assert_eq!(
            schedule,
            Ok(Schedule {
                start: NOW,
                end: Some(datetime!(2026-11-25 23:59:59.999999 UTC))
            })
        );
    }

    #[test]
    fn a_start_in_the_past_or_an_end_before_the_start_is_refused() {
        assert!(matches!(
            check_schedule(NOW, Some(date!(2026 - 11 - 23)), None, Expiration::Never),
            Err(ScheduleProblem::Start(_))
        ));
        assert!(matches!(
            check_schedule(
                NOW,
                Some(date!(2026 - 11 - 26)),
                Some(date!(2026 - 11 - 25)),
                Expiration::Never
            ),
            Err(ScheduleProblem::End(_))
        ));
        assert!(matches!(
            check_schedule(
                NOW,
                Some(date!(2026 - 11 - 26)),
                Some(date!(2026 - 11 - 26)),
                Expiration::Never
            ),
            Err(ScheduleProblem::End(_))
        ));
    }

    #[test]
    fn the_end_must_fit_the_policys_expiration() {
        assert!(
            check_schedule(NOW, None, Some(date!(2026 - 12 - 24)), Expiration::Days(30)).is_ok()
        );
        assert!(matches!(
            check_schedule(NOW, None, Some(date!(2026 - 12 - 25)), Expiration::Days(30)),
            Err(ScheduleProblem::End(_))
        ));
        assert!(check_schedule(NOW, None, Some(date!(2030 - 01 - 01)), Expiration::Never).is_ok());
    }

    #[test]
    fn a_start_far_ahead_or_after_the_policy_ends_is_refused() {
        assert!(matches!(
            check_schedule(NOW, Some(date!(9999 - 12 - 31)), None, Expiration::Days(30)),
            Err(ScheduleProblem::Start(_))
        ));
        assert!(matches!(
            check_schedule(
                NOW,
                Some(date!(2027 - 01 - 02)),
                None,
                Expiration::OnDate(date!(2027 - 01 - 01))
            ),
            Err(ScheduleProblem::Start(_))
        ));
        assert!(
            check_schedule(
                NOW,
                Some(date!(2027 - 01 - 01)),
                None,
                Expiration::OnDate(date!(2027 - 01 - 01))
            )
            .is_ok()
        );
    }

    #[test]
    fn a_future_start_begins_at_midnight() {
        let schedule = check_schedule(NOW, Some(date!(2026 - 12 - 01)), None, Expiration::Never);
        assert_eq!(
            schedule.map(|s| s.start),
            Ok(datetime!(2026-12-01 00:00 UTC))
        );
    }

    #[test]
    fn an_assignment_ends_at_the_earlier_of_request_and_policy() {
        let delivered = NOW;
        assert_eq!(
            assignment_end(None, Expiration::Days(30), delivered),
            Some(NOW + Duration::days(30))
        );
        assert_eq!(
            assignment_end(
                Some(NOW + Duration::days(1)),
                Expiration::Days(30),
                delivered
            ),
            Some(NOW + Duration::days(1))
        );
        assert_eq!(assignment_end(None, Expiration::Never, delivered), None);
        assert_eq!(
            assignment_end(None, Expiration::Hours(8), delivered),
            Some(NOW + Duration::hours(8))
        );
    }

    #[test]
    fn justifications_are_limited_and_required_when_the_policy_says_so() {
        assert!(check_justification("", true).is_err());
        assert_eq!(
            check_justification("  Working on web project ", true),
            Ok("Working on web project".to_owned())
        );
        assert!(check_justification(&"x".repeat(1001), false).is_err());
        assert_eq!(check_justification("", false), Ok(String::new()));
    }

    #[test]
    fn justifications_and_reasons_refuse_invisible_and_control_characters() {
        assert!(check_justification("Working on \u{202e}tcejorp bew", false).is_err());
        assert!(check_justification("Working\u{200b} on it", false).is_err());
        assert!(check_reason("Fine\u{2066} by me", false).is_err());
        assert!(check_reason("Fine\u{7}", false).is_err());
        assert_eq!(
            check_reason("Fine,\nby me", false),
            Ok("Fine,\nby me".to_owned())
        );
    }
}
