//! What the outbox carries to connected systems, and when a failed try is tried again.
use serde::{Deserialize, Serialize};
use time::Duration;

use crate::ids::{GroupId, UserId};

/// A change for a connected system, as stored in an outbox row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Change {
    /// Make `user`'s membership of `group` in the system what Gatehouse holds now: present
    /// while any source grants it, absent otherwise. Applying it twice does no harm, and
    /// rows applied out of order still end with Gatehouse's state.
    Membership { group: GroupId, user: UserId },
    /// A webhook message, fixed when its event happened: the same `message_id` on every
    /// try and resend, so that receivers can drop what they already have.
    #[serde(rename_all = "camelCase")]
    Webhook {
        message_id: String,
        event_type: String,
        body: String,
    },
}

impl Change {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Membership { .. } => "membership",
            Self::Webhook { .. } => "webhook",
        }
    }
}

/// The webhook event an audited activity is, in Microsoft Graph's names for the objects
/// (`accessPackageAssignmentRequest`, `accessPackageAssignment`); `None` for activities
/// webhooks do not carry.
pub fn webhook_event(activity: &str) -> Option<&'static str> {
    use super::audit as a;
    Some(match activity {
        a::REQUEST_ACCESS | a::ADMIN_ASSIGN | a::REQUEST_EXTENSION => {
            "accessPackageAssignmentRequest.submitted"
        }
        a::APPROVE_REQUEST => "accessPackageAssignmentRequest.approved",
        a::DENY_REQUEST => "accessPackageAssignmentRequest.denied",
        a::CANCEL_REQUEST => "accessPackageAssignmentRequest.canceled",
        a::REQUEST_TIMED_OUT => "accessPackageAssignmentRequest.timedOut",
        a::DELIVER_ASSIGNMENT => "accessPackageAssignment.delivered",
        a::EXPIRE_ASSIGNMENT => "accessPackageAssignment.expired",
        a::EXTEND_ASSIGNMENT => "accessPackageAssignment.extended",
        a::REMOVE_ASSIGNMENT => "accessPackageAssignment.removed",
        a::DELIVERY_FAILED => "accessPackageAssignment.deliveryFailed",
        _ => return None,
    })
}

/// An outbox row's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxState {
    Pending,
    Done,
    Failed,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }
}

/// Tries before a change is given up as failed: 8, over about an hour.
pub const MAX_ATTEMPTS: i32 = 8;

/// How long to wait after failed try number `attempt` (1-based): 30 s doubling each time
/// (30 s, 1, 2, 4, 8, 16, 32 min), moved by up to a fifth either way by `jitter` (0 to 1),
/// so that many changes that failed together do not all come back at once. `None` once
/// the last try has failed.
pub fn retry_after(attempt: i32, jitter: f64) -> Option<Duration> {
    if !(1..MAX_ATTEMPTS).contains(&attempt) {
        return None;
    }
    let base = 30.0 * f64::from(1u32 << (attempt - 1).min(20));
    let spread = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    Some(Duration::milliseconds((base * spread * 1000.0) as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_with_jitter_and_stop_after_eight_tries() {
        assert_eq!(retry_after(1, 0.5), Some(Duration::seconds(30)));
        assert_eq!(retry_after(2, 0.5), Some(Duration::minutes(1)));
        assert_eq!(retry_after(7, 0.5), Some(Duration::minutes(32)));
        assert_eq!(retry_after(1, 0.0), Some(Duration::seconds(24)));
        assert_eq!(retry_after(1, 1.0), Some(Duration::seconds(36)));
        assert_eq!(retry_after(MAX_ATTEMPTS, 0.5), None);
        let total: Duration = (1..MAX_ATTEMPTS).filter_map(|a| retry_after(a, 0.5)).sum();
        assert_eq!(total, Duration::seconds(30 * 127), "about an hour in all");
    }

    #[test]
    fn a_change_keeps_its_shape_in_json() {
        let change = Change::Membership {
            group: GroupId(uuid::Uuid::nil()),
            user: UserId(uuid::Uuid::nil()),
        };
        let json = serde_json::to_string(&change).unwrap_or_default();
        assert!(
            json.starts_with(r#"{"type":"membership","group":"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Change>(&json).ok(), Some(change));
    }
}
