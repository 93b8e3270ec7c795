//! The request and assignment lifecycle as pure functions: which state follows which
//! (`transitions`), when an assignment starts and ends (`schedule`), and what people see.
//! Services store what these decide.
mod schedule;
mod transitions;

use super::Invalid;
pub use schedule::*;
pub use transitions::*;

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
    /// The user asks to keep their access longer (`Extend` in My access).
    UserExtend,
    AdminAdd,
    /// An administrator extends an assignment (Graph's `adminUpdate`).
    AdminUpdate,
    AdminRemove,
    SystemRemove,
}

impl RequestType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UserAdd => "userAdd",
            Self::UserRemove => "userRemove",
            Self::UserExtend => "userExtend",
            Self::AdminAdd => "adminAdd",
            Self::AdminUpdate => "adminUpdate",
            Self::AdminRemove => "adminRemove",
            Self::SystemRemove => "systemRemove",
        }
    }

    pub const ALL: [RequestType; 7] = [
        Self::UserAdd,
        Self::UserRemove,
        Self::UserExtend,
        Self::AdminAdd,
        Self::AdminUpdate,
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

    /// Moves the end of an assignment that is already there.
    pub fn is_extend(self) -> bool {
        matches!(self, Self::UserExtend | Self::AdminUpdate)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::UserAdd => "Request access",
            Self::UserRemove => "Remove access (by the user)",
            Self::UserExtend => "Extend access",
            Self::AdminAdd => "Direct assignment",
            Self::AdminUpdate => "Extend access (by an administrator)",
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

/// The status people see for a request in `state`.
pub fn status_for(request_type: RequestType, state: RequestState) -> &'static str {
    match state {
        RequestState::Submitted | RequestState::PendingApproval => status::PENDING_APPROVAL,
        RequestState::Scheduled => status::SCHEDULED,
        RequestState::Delivering => "Delivering",
        RequestState::Delivered if request_type.is_add() || request_type.is_extend() => {
            status::FULFILLED
        }
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
