//! Email: which messages Gatehouse sends, and what state each is in.

/// A kind of message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// `Send test email` on the Notifications page.
    Test,
    /// To an approver: a request waits for their decision.
    ApprovalWaiting,
    /// To an approver: a request still waits, after the policy's reminder time.
    ApprovalReminder,
    /// To the requestor, about their request.
    RequestSubmitted,
    RequestApproved,
    RequestDenied,
    RequestTimedOut,
    RequestCanceled,
    /// To the person whose access it is.
    AccessDelivered,
    /// A connected system could not grant it.
    DeliveryFailed,
    AccessExtended,
    AccessRemoved,
    AccessEnded,
    /// To the person whose access ends within 14 days, then within a day.
    AccessEnding,
}

impl MessageKind {
    const ALL: [(Self, &'static str, &'static str); 14] = [
        (Self::Test, "test", "Test email"),
        (
            Self::ApprovalWaiting,
            "approvalWaiting",
            "Request waits for approval",
        ),
        (
            Self::ApprovalReminder,
            "approvalReminder",
            "Reminder to approve",
        ),
        (
            Self::RequestSubmitted,
            "requestSubmitted",
            "Request submitted",
        ),
        (Self::RequestApproved, "requestApproved", "Request approved"),
        (Self::RequestDenied, "requestDenied", "Request denied"),
        (
            Self::RequestTimedOut,
            "requestTimedOut",
            "Request timed out",
        ),
        (Self::RequestCanceled, "requestCanceled", "Request canceled"),
        (Self::AccessDelivered, "accessDelivered", "Access delivered"),
        (Self::DeliveryFailed, "deliveryFailed", "Delivery failed"),
        (Self::AccessExtended, "accessExtended", "Access extended"),
        (Self::AccessRemoved, "accessRemoved", "Access removed"),
        (Self::AccessEnded, "accessEnded", "Access ended"),
        (Self::AccessEnding, "accessEnding", "Access ending soon"),
    ];

    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(k, _, _)| *k == self)
            .map_or("", |(_, stored, _)| stored)
    }

    /// The words the Notifications page uses for a stored kind.
    pub fn label(stored: &str) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, s, _)| *s == stored)
            .map_or("Notification", |(_, _, label)| label)
    }
}

/// Where a message is: waiting (or retrying), sent, or given up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailState {
    Pending,
    Sent,
    Failed,
}

impl MailState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    /// The words the Sent email page uses.
    pub fn label(stored: &str) -> &'static str {
        match stored {
            "sent" => "Sent",
            "failed" => "Failed",
            _ => "Waiting",
        }
    }
}
