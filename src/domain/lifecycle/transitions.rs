//! Which state follows which: each function takes the request as it is and answers with the
//! transition to apply (next state, the status people see, what else happens), or a refusal.
use time::OffsetDateTime;

use super::{Decision, RequestState, RequestType, status, status_for};

/// A transition that the current state does not allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a {from:?} request cannot be {action}")]
pub struct NotAllowed {
    pub from: RequestState,
    pub action: &'static str,
}

/// What happens besides the request's change of state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    None,
    /// The assignment is created: granted now, or left for the scheduler at its start.
    OpenAssignment,
    /// A scheduled assignment starts: its memberships are granted.
    Grant,
    /// The assignment an extend request names gets its new end, in place.
    Extend,
}

/// A request's next state, the status shown for it, and its effect. Services apply it with
/// one conditional update from the state the request was read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    pub to: RequestState,
    pub status: &'static str,
    pub effect: Effect,
}

impl Transition {
    fn plain(request_type: RequestType, to: RequestState) -> Self {
        Self {
            to,
            status: status_for(request_type, to),
            effect: Effect::None,
        }
    }
}

fn refuse(from: RequestState, action: &'static str) -> NotAllowed {
    NotAllowed { from, action }
}

/// Where an approved (or approval-free) add request goes: delivered now, or scheduled. An
/// extend request is fulfilled at once: the assignment is already there.
pub fn after_approval(
    request_type: RequestType,
    start: OffsetDateTime,
    now: OffsetDateTime,
) -> Transition {
    if request_type.is_extend() {
        return Transition {
            to: RequestState::Delivered,
            status: status::FULFILLED,
            effect: Effect::Extend,
        };
    }
    let to = if start > now {
        RequestState::Scheduled
    } else {
        RequestState::Delivered
    };
    Transition {
        to,
        status: status_for(request_type, to),
        effect: Effect::OpenAssignment,
    }
}

/// Where a new add request starts.
pub fn on_submit(
    request_type: RequestType,
    approval_required: bool,
    start: OffsetDateTime,
    now: OffsetDateTime,
) -> Transition {
    if approval_required {
        Transition::plain(request_type, RequestState::PendingApproval)
    } else {
        after_approval(request_type, start, now)
    }
}

/// An approver decides a pending request. The first decision wins: anything but a pending
/// request refuses.
pub fn decide(
    state: RequestState,
    request_type: RequestType,
    decision: Decision,
    start: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Transition, NotAllowed> {
    if state != RequestState::PendingApproval {
        return Err(refuse(state, "decided"));
    }
    Ok(match decision {
        Decision::Approve => after_approval(request_type, start, now),
        Decision::Deny => Transition::plain(request_type, RequestState::Denied),
    })
}

/// The requestor withdraws a request nobody has decided yet (or a direct assignment
/// settles it).
pub fn cancel(state: RequestState, request_type: RequestType) -> Result<Transition, NotAllowed> {
    match state {
        RequestState::Submitted | RequestState::PendingApproval => {
            Ok(Transition::plain(request_type, RequestState::Canceled))
        }
        from => Err(refuse(from, "canceled")),
    }
}

/// Nobody decided in time: the request is denied, shown as `Expired`.
pub fn time_out(state: RequestState) -> Result<Transition, NotAllowed> {
    match state {
        RequestState::PendingApproval => Ok(Transition {
            to: RequestState::Denied,
            status: status::EXPIRED,
            effect: Effect::None,
        }),
        from => Err(refuse(from, "timed out")),
    }
}

/// The system denies what still waits for a person who can no longer have access (their
/// account was disabled or deleted).
pub fn deny_by_system(
    state: RequestState,
    request_type: RequestType,
) -> Result<Transition, NotAllowed> {
    match state {
        RequestState::Submitted | RequestState::PendingApproval => {
            Ok(Transition::plain(request_type, RequestState::Denied))
        }
        from => Err(refuse(from, "denied")),
    }
}

/// A scheduled request reaches its start.
pub fn start(state: RequestState, request_type: RequestType) -> Result<Transition, NotAllowed> {
    match state {
        RequestState::Scheduled => Ok(Transition {
            to: RequestState::Delivered,
            status: status_for(request_type, RequestState::Delivered),
            effect: Effect::Grant,
        }),
        from => Err(refuse(from, "started")),
    }
}

/// The assignment of a scheduled request ended before it started: it never will.
pub fn drop_scheduled(
    state: RequestState,
    request_type: RequestType,
) -> Result<Transition, NotAllowed> {
    match state {
        RequestState::Scheduled => Ok(Transition::plain(request_type, RequestState::Canceled)),
        from => Err(refuse(from, "dropped")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-24 10:00 UTC);
    const ADD: RequestType = RequestType::UserAdd;

    #[test]
    fn a_request_needing_approval_waits_for_it() {
        let waiting = on_submit(ADD, true, NOW, NOW);
        assert_eq!(
            (waiting.to, waiting.status, waiting.effect),
            (
                RequestState::PendingApproval,
                "Pending approval",
                Effect::None
            )
        );
        let now = on_submit(ADD, false, NOW, NOW);
        assert_eq!(
            (now.to, now.status, now.effect),
            (RequestState::Delivered, "Fulfilled", Effect::OpenAssignment)
        );
        let later = on_submit(ADD, false, NOW + Duration::days(1), NOW);
        assert_eq!(
            (later.to, later.status, later.effect),
            (RequestState::Scheduled, "Scheduled", Effect::OpenAssignment)
        );
    }

    #[test]
    fn the_first_decision_wins() {
        let approved = decide(
            RequestState::PendingApproval,
            ADD,
            Decision::Approve,
            NOW,
            NOW,
        );
        assert_eq!(
            approved.map(|t| (t.to, t.effect)),
            Ok((RequestState::Delivered, Effect::OpenAssignment))
        );
        let denied = decide(RequestState::PendingApproval, ADD, Decision::Deny, NOW, NOW);
        assert_eq!(
            denied.map(|t| (t.to, t.status, t.effect)),
            Ok((RequestState::Denied, "Denied", Effect::None))
        );
        for decided in [
            RequestState::Delivered,
            RequestState::Denied,
            RequestState::Canceled,
            RequestState::Scheduled,
        ] {
            assert!(
                decide(decided, ADD, Decision::Approve, NOW, NOW).is_err(),
                "{decided:?}"
            );
        }
    }

    #[test]
    fn an_extension_is_fulfilled_in_place_at_once_or_once_approved() {
        let extend = RequestType::UserExtend;
        let waiting = on_submit(extend, true, NOW, NOW);
        assert_eq!(waiting.to, RequestState::PendingApproval);
        let at_once = on_submit(extend, false, NOW, NOW);
        assert_eq!(
            (at_once.to, at_once.status, at_once.effect),
            (RequestState::Delivered, "Fulfilled", Effect::Extend)
        );
        let approved = decide(
            RequestState::PendingApproval,
            extend,
            Decision::Approve,
            NOW + Duration::days(3),
            NOW,
        );
        assert_eq!(
            approved.map(|t| (t.to, t.effect)),
            Ok((RequestState::Delivered, Effect::Extend))
        );
        assert_eq!(
            after_approval(RequestType::AdminUpdate, NOW, NOW).effect,
            Effect::Extend
        );
    }

    #[test]
    fn an_approved_request_with_a_future_start_is_scheduled() {
        let later = decide(
            RequestState::PendingApproval,
            ADD,
            Decision::Approve,
            NOW + Duration::days(2),
            NOW,
        );
        assert_eq!(later.map(|t| t.to), Ok(RequestState::Scheduled));
    }

    #[test]
    fn only_undecided_requests_can_be_canceled_time_out_or_be_denied_by_the_system() {
        assert_eq!(
            cancel(RequestState::PendingApproval, ADD).map(|t| t.to),
            Ok(RequestState::Canceled)
        );
        assert!(cancel(RequestState::Delivered, ADD).is_err());
        let expired = time_out(RequestState::PendingApproval);
        assert_eq!(
            expired.map(|t| (t.to, t.status)),
            Ok((RequestState::Denied, "Expired"))
        );
        assert!(time_out(RequestState::Canceled).is_err());
        assert_eq!(
            deny_by_system(RequestState::Submitted, ADD).map(|t| t.to),
            Ok(RequestState::Denied)
        );
        assert!(deny_by_system(RequestState::Scheduled, ADD).is_err());
    }

    #[test]
    fn only_a_scheduled_request_starts_or_is_dropped() {
        let started = start(RequestState::Scheduled, ADD);
        assert_eq!(
            started.map(|t| (t.to, t.effect)),
            Ok((RequestState::Delivered, Effect::Grant))
        );
        assert!(start(RequestState::Delivered, ADD).is_err());
        assert_eq!(
            drop_scheduled(RequestState::Scheduled, ADD).map(|t| t.to),
            Ok(RequestState::Canceled)
        );
        assert!(drop_scheduled(RequestState::PendingApproval, ADD).is_err());
    }
}
