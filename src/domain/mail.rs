//! Email: which messages Gatehouse sends, and what state each is in.

/// A kind of message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// `Send test email` on the Notifications page.
    Test,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Test => "test",
        }
    }

    pub fn label(stored: &str) -> &'static str {
        match stored {
            "test" => "Test email",
            _ => "Notification",
        }
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
