//! The request and assignment lifecycle as pure functions: which state follows which, when an
//! assignment starts and ends, and what people see. Services store what these decide.
use time::{Date, Duration, OffsetDateTime, Time};

use super::policy::Expiration;
use super::{Invalid, check_characters};

/// A stored value that is none of an enum's: the database was changed behind Gatehouse's
/// back. An error, never quietly read as some state.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} stored: {value:?}")]
pub struct UnknownStoredValue {
    pub what: &'static str,
    pub value: String,
}

fn unknown(what: &'static str, value: &str) -> UnknownStoredValue {
    UnknownStoredValue {
        what,
        value: value.to_owned(),
    }
}

/// Graph's `accessPackageAssignmentRequest.requestType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestType {
    UserAdd,
    UserRemove,
    AdminAdd,
    AdminRemove,
    SystemRemove,
}

impl RequestType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UserAdd => "userAdd",
            Self::UserRemove => "userRemove",
            Self::AdminAdd => "adminAdd",
            Self::AdminRemove => "adminRemove",
            Self::SystemRemove => "systemRemove",
        }
    }

    pub const ALL: [RequestType; 5] = [
        Self::UserAdd,
        Self::UserRemove,
        Self::AdminAdd,
        Self::AdminRemove,
        Self::SystemRemove,
    ];

    pub fn from_stored(value: &str) -> Result<Self, UnknownStoredValue> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == value)
            .ok_or_else(|| unknown("request type", value))
    }

    pub fn is_add(self) -> bool {
        matches!(self, Self::UserAdd | Self::AdminAdd)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::UserAdd => "Request access",
            Self::UserRemove => "Remove access (by the user)",
            Self::AdminAdd => "Direct assignment",
            Self::AdminRemove => "Remove access (by an administrator)",
            Self::SystemRemove => "Removed by the system",
        }
    }
}

/// Graph's `accessPackageAssignmentRequest.state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestState {
    Submitted,
    PendingApproval,
    Scheduled,
    Delivering,
    Delivered,
    Denied,
    Canceled,
    DeliveryFailed,
}

impl RequestState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::PendingApproval => "pendingApproval",
            Self::Scheduled => "scheduled",
            Self::Delivering => "delivering",
            Self::Delivered => "delivered",
            Self::Denied => "denied",
            Self::Canceled => "canceled",
            Self::DeliveryFailed => "deliveryFailed",
        }
    }

    pub const ALL: [RequestState; 8] = [
        Self::Submitted,
        Self::PendingApproval,
        Self::Scheduled,
        Self::Delivering,
        Self::Delivered,
        Self::Denied,
        Self::Canceled,
        Self::DeliveryFailed,
    ];

    pub fn from_stored(value: &str) -> Result<Self, UnknownStoredValue> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| unknown("request state", value))
    }

    /// Still waiting for something: a decision or a start date.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Submitted | Self::PendingApproval | Self::Scheduled | Self::Delivering
        )
    }
}

/// Graph's `accessPackageAssignment.state`, plus `removed` for access taken away early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignmentState {
    Delivering,
    Delivered,
    Expired,
    Removed,
}

impl AssignmentState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivering => "delivering",
            Self::Delivered => "delivered",
            Self::Expired => "expired",
            Self::Removed => "removed",
        }
    }

    pub const ALL: [AssignmentState; 4] = [
        Self::Delivering,
        Self::Delivered,
        Self::Expired,
        Self::Removed,
    ];

    pub fn from_stored(value: &str) -> Result<Self, UnknownStoredValue> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| unknown("assignment state", value))
    }

    /// Counts as held: granted now, or scheduled to be.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Delivering | Self::Delivered)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Delivering => "Scheduled",
            Self::Delivered => "Delivered",
            Self::Expired => "Expired",
            Self::Removed => "Removed",
        }
    }
}

/// The words shown for a request, as in the My Access portal.
pub mod status {
    pub const PENDING_APPROVAL: &str = "Pending approval";
    pub const SCHEDULED: &str = "Scheduled";
    pub const FULFILLED: &str = "Fulfilled";
    pub const DELIVERED: &str = "Delivered";
    pub const DENIED: &str = "Denied";
    pub const EXPIRED: &str = "Expired";
    pub const CANCELED: &str = "Canceled";
}

/// An approver's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Deny,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "Approve",
            Self::Deny => "Deny",
        }
    }

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        match input.trim() {
            "Approve" | "approve" => Ok(Self::Approve),
            "Deny" | "deny" => Ok(Self::Deny),
            _ => Err(Invalid::new("Choose Approve or Deny.")),
        }
    }
}

/// A transition that the current state does not allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a {from:?} request cannot be {action}")]
pub struct NotAllowed {
    pub from: RequestState,
    pub action: &'static str,
}

/// Where an approved (or approval-free) add request goes: delivered now, or scheduled.
pub fn after_approval(start: OffsetDateTime, now: OffsetDateTime) -> RequestState {
    if start > now {
        RequestState::Scheduled
    } else {
        RequestState::Delivered
    }
}

/// The state a new add request starts in.
pub fn on_submit(
    approval_required: bool,
    start: OffsetDateTime,
    now: OffsetDateTime,
) -> RequestState {
    if approval_required {
        RequestState::PendingApproval
    } else {
        after_approval(start, now)
    }
}

/// An approver decides a pending request. The first decision wins: anything but a pending
/// request refuses.
pub fn decide(
    state: RequestState,
    decision: Decision,
    start: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<RequestState, NotAllowed> {
    if state != RequestState::PendingApproval {
        return Err(NotAllowed {
            from: state,
            action: "decided",
        });
    }
    Ok(match decision {
        Decision::Approve => after_approval(start, now),
        Decision::Deny => RequestState::Denied,
    })
}

/// The requestor withdraws a request nobody has decided yet.
pub fn cancel(state: RequestState) -> Result<RequestState, NotAllowed> {
    match state {
        RequestState::Submitted | RequestState::PendingApproval => Ok(RequestState::Canceled),
        from => Err(NotAllowed {
            from,
            action: "canceled",
        }),
    }
}

/// Nobody decided in time: the request is denied, shown as `Expired`.
pub fn time_out(state: RequestState) -> Result<RequestState, NotAllowed> {
    match state {
        RequestState::PendingApproval => Ok(RequestState::Denied),
        from => Err(NotAllowed {
            from,
            action: "timed out",
        }),
    }
}

/// The status people see for a request in `state`.
pub fn status_for(request_type: RequestType, state: RequestState) -> &'static str {
    match state {
        RequestState::Submitted | RequestState::PendingApproval => status::PENDING_APPROVAL,
        RequestState::Scheduled => status::SCHEDULED,
        RequestState::Delivering => "Delivering",
        RequestState::Delivered if request_type.is_add() => status::FULFILLED,
        RequestState::Delivered => status::DELIVERED,
        RequestState::Denied => status::DENIED,
        RequestState::Canceled => status::CANCELED,
        RequestState::DeliveryFailed => "Delivery failed",
    }
}

/// How a request's outcome reads at a glance (the colour of its badge).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Good,
    Waiting,
    Bad,
    Neutral,
}

/// The tone of a request in `state`, shown as `status`: a request that timed out is denied
/// but reads as `Expired`, which is no one's fault.
pub fn tone(state: RequestState, status: &str) -> Tone {
    match state {
        RequestState::Delivered | RequestState::Denied if status == status::EXPIRED => {
            Tone::Neutral
        }
        RequestState::Delivered => Tone::Good,
        RequestState::Submitted
        | RequestState::PendingApproval
        | RequestState::Scheduled
        | RequestState::Delivering => Tone::Waiting,
        RequestState::Denied | RequestState::DeliveryFailed => Tone::Bad,
        RequestState::Canceled => Tone::Neutral,
    }
}

/// The last moment of a day, UTC: an `End date` includes the whole day.
pub fn end_of_day(date: Date) -> OffsetDateTime {
    date.with_time(Time::from_hms_micro(23, 59, 59, 999_999).unwrap_or(Time::MIDNIGHT))
        .assume_utc()
}

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
    fn a_request_needing_approval_waits_for_it() {
        assert_eq!(on_submit(true, NOW, NOW), RequestState::PendingApproval);
        assert_eq!(on_submit(false, NOW, NOW), RequestState::Delivered);
        assert_eq!(
            on_submit(false, NOW + Duration::days(1), NOW),
            RequestState::Scheduled
        );
    }

    #[test]
    fn the_first_decision_wins() {
        assert_eq!(
            decide(RequestState::PendingApproval, Decision::Approve, NOW, NOW),
            Ok(RequestState::Delivered)
        );
        assert_eq!(
            decide(RequestState::PendingApproval, Decision::Deny, NOW, NOW),
            Ok(RequestState::Denied)
        );
        for decided in [
            RequestState::Delivered,
            RequestState::Denied,
            RequestState::Canceled,
            RequestState::Scheduled,
        ] {
            assert!(
                decide(decided, Decision::Approve, NOW, NOW).is_err(),
                "{decided:?}"
            );
        }
    }

    #[test]
    fn an_approved_request_with_a_future_start_is_scheduled() {
        assert_eq!(
            decide(
                RequestState::PendingApproval,
                Decision::Approve,
                NOW + Duration::days(2),
                NOW
            ),
            Ok(RequestState::Scheduled)
        );
    }

    #[test]
    fn only_undecided_requests_can_be_canceled_or_time_out() {
        assert_eq!(
            cancel(RequestState::PendingApproval),
            Ok(RequestState::Canceled)
        );
        assert!(cancel(RequestState::Delivered).is_err());
        assert_eq!(
            time_out(RequestState::PendingApproval),
            Ok(RequestState::Denied)
        );
        assert!(time_out(RequestState::Canceled).is_err());
    }

    #[test]
    fn a_delivered_add_request_reads_fulfilled() {
        assert_eq!(
            status_for(RequestType::UserAdd, RequestState::Delivered),
            "Fulfilled"
        );
        assert_eq!(
            status_for(RequestType::AdminRemove, RequestState::Delivered),
            "Delivered"
        );
        assert_eq!(
            status_for(RequestType::UserAdd, RequestState::PendingApproval),
            "Pending approval"
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
