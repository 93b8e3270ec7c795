//! Assignment policies: who may request, who approves, how long access lasts. Stored with
//! Microsoft Graph's own values so that a JSON API can map them one to one. The form as
//! typed, and its checks, are in `input`.
mod input;

pub use input::PolicyInput;
use time::{Date, OffsetDateTime};

use crate::ids::{GroupId, UserId};

/// `allowedTargetScope`: who can request access under the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetScope {
    /// "Specific users and groups" in your directory.
    SpecificDirectoryUsers,
    /// "All members (excluding guests)".
    AllMemberUsers,
    /// "None (administrator direct assignments only)".
    NotSpecified,
}

impl TargetScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SpecificDirectoryUsers => "specificDirectoryUsers",
            Self::AllMemberUsers => "allMemberUsers",
            Self::NotSpecified => "notSpecified",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::SpecificDirectoryUsers => "Specific users and groups in your directory",
            Self::AllMemberUsers => "All members (excluding guests)",
            Self::NotSpecified => "None (administrator direct assignments only)",
        }
    }

    pub fn from_stored(value: &str) -> Self {
        match value {
            "specificDirectoryUsers" => Self::SpecificDirectoryUsers,
            "allMemberUsers" => Self::AllMemberUsers,
            _ => Self::NotSpecified,
        }
    }
}

/// When assignments under the policy end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiration {
    /// `afterDuration` with `P{n}D`.
    Days(u32),
    /// `afterDuration` with `PT{n}H`.
    Hours(u32),
    /// `afterDateTime`: the end of the given day, UTC.
    OnDate(Date),
    /// `noExpiration`.
    Never,
}

impl Expiration {
    pub const MAX_DAYS: u32 = 3660;
    pub const MAX_HOURS: u32 = 8760;

    /// Graph's `expiration.type`.
    pub fn graph_type(self) -> &'static str {
        match self {
            Self::Days(_) | Self::Hours(_) => "afterDuration",
            Self::OnDate(_) => "afterDateTime",
            Self::Never => "noExpiration",
        }
    }

    /// Graph's `expiration.duration`, an ISO-8601 duration.
    pub fn iso_duration(self) -> Option<String> {
        match self {
            Self::Days(n) => Some(format!("P{n}D")),
            Self::Hours(n) => Some(format!("PT{n}H")),
            _ => None,
        }
    }

    /// Graph's `expiration.endDateTime`: the last moment of the chosen day.
    pub fn end_date_time(self) -> Option<OffsetDateTime> {
        match self {
            Self::OnDate(date) => Some(crate::domain::dates::end_of_day(date)),
            _ => None,
        }
    }

    /// Reads back what [`graph_type`](Self::graph_type) and friends stored.
    pub fn from_stored(
        graph_type: &str,
        duration: Option<&str>,
        end: Option<OffsetDateTime>,
    ) -> Self {
        match (graph_type, duration, end) {
            ("afterDuration", Some(d), _) => {
                if let Some(hours) = d
                    .strip_prefix("PT")
                    .and_then(|h| h.strip_suffix('H'))
                    .and_then(|h| h.parse().ok())
                {
                    Self::Hours(hours)
                } else if let Some(days) = d
                    .strip_prefix('P')
                    .and_then(|x| x.strip_suffix('D'))
                    .and_then(|x| x.parse().ok())
                {
                    Self::Days(days)
                } else {
                    Self::Never
                }
            }
            ("afterDateTime", _, Some(end)) => Self::OnDate(end.date()),
            _ => Self::Never,
        }
    }

    pub fn label(self) -> String {
        match self {
            Self::Days(1) => "After 1 day".to_owned(),
            Self::Days(n) => format!("After {n} days"),
            Self::Hours(1) => "After 1 hour".to_owned(),
            Self::Hours(n) => format!("After {n} hours"),
            Self::OnDate(date) => format!("On {date}"),
            Self::Never => "Never".to_owned(),
        }
    }
}

/// A user or a group named in a policy's scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    User(UserId),
    Group(GroupId),
}

impl Subject {
    /// `user:<id>` or `group:<id>`, as the policy form sends it.
    pub fn parse(input: &str) -> Option<Self> {
        let (kind, id) = input.trim().split_once(':')?;
        match kind {
            "user" => id.parse().ok().map(Self::User),
            "group" => id.parse().ok().map(Self::Group),
            _ => None,
        }
    }

    pub fn to_form_value(self) -> String {
        match self {
            Self::User(id) => format!("user:{id}"),
            Self::Group(id) => format!("group:{id}"),
        }
    }
}

/// A checked policy, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicySpec {
    pub display_name: String,
    pub description: String,
    pub scope: TargetScope,
    pub requestors: Vec<Subject>,
    pub approval_required: bool,
    pub requestor_justification_required: bool,
    pub approvers: Vec<UserId>,
    pub approval_days: u32,
    pub approver_justification_required: bool,
    pub expiration: Expiration,
    pub custom_schedule: bool,
    pub enabled: bool,
    /// After how many days undecided approvers are reminded; `None`: half the decision time.
    pub reminder_days: Option<u32>,
    /// Its requests and assignments are mailed about.
    pub email: bool,
    /// "Allow users to extend access": `Extend` in My access before the assignment ends.
    pub extend: bool,
}

impl PolicySpec {
    /// How long after a request is submitted its approvers are reminded.
    pub fn reminder_after(&self) -> time::Duration {
        match self.reminder_days {
            Some(days) => time::Duration::days(i64::from(days)),
            None => time::Duration::hours(i64::from(self.approval_days) * 12),
        }
    }

    /// Whether the policy names `user` (directly, through one of `groups`, or as one of all
    /// members). Says nothing of whether the policy is enabled.
    pub fn lets_request(&self, user: UserId, groups: &[GroupId]) -> bool {
        match self.scope {
            TargetScope::AllMemberUsers => true,
            TargetScope::NotSpecified => false,
            TargetScope::SpecificDirectoryUsers => self.requestors.iter().any(|s| match s {
                Subject::User(id) => *id == user,
                Subject::Group(id) => groups.contains(id),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn expirations_round_trip_through_graphs_values() {
        for expiration in [
            Expiration::Days(30),
            Expiration::Hours(12),
            Expiration::OnDate(date!(2027 - 01 - 31)),
            Expiration::Never,
        ] {
            let back = Expiration::from_stored(
                expiration.graph_type(),
                expiration.iso_duration().as_deref(),
                expiration.end_date_time(),
            );
            assert_eq!(back, expiration);
        }
        assert_eq!(Expiration::Days(30).iso_duration().as_deref(), Some("P30D"));
    }

    #[test]
    fn subjects_read_their_form_values() {
        let user = UserId::new();
        assert_eq!(
            Subject::parse(&format!("user:{user}")),
            Some(Subject::User(user))
        );
        assert_eq!(Subject::parse("role:x"), None);
        assert_eq!(Subject::User(user).to_form_value(), format!("user:{user}"));
    }

    #[test]
    fn a_policy_names_its_requestors_directly_through_groups_or_all_members() {
        let (user, group) = (UserId::new(), GroupId::new());
        let mut spec = PolicySpec {
            display_name: "P".into(),
            description: String::new(),
            scope: TargetScope::SpecificDirectoryUsers,
            requestors: vec![Subject::Group(group)],
            approval_required: false,
            requestor_justification_required: false,
            approvers: Vec::new(),
            approval_days: 14,
            approver_justification_required: false,
            expiration: Expiration::Never,
            custom_schedule: true,
            enabled: true,
            reminder_days: None,
            email: true,
            extend: false,
        };
        assert!(spec.lets_request(user, &[group]));
        assert!(!spec.lets_request(user, &[]));
        spec.requestors = vec![Subject::User(user)];
        assert!(spec.lets_request(user, &[]));
        spec.scope = TargetScope::AllMemberUsers;
        assert!(spec.lets_request(UserId::new(), &[]));
        spec.scope = TargetScope::NotSpecified;
        assert!(!spec.lets_request(user, &[]));
    }

    #[test]
    fn approvers_are_reminded_after_half_the_decision_time_unless_set() {
        let mut spec = PolicySpec {
            display_name: "P".into(),
            description: String::new(),
            scope: TargetScope::AllMemberUsers,
            requestors: Vec::new(),
            approval_required: true,
            requestor_justification_required: false,
            approvers: vec![UserId::new()],
            approval_days: 7,
            approver_justification_required: false,
            expiration: Expiration::Never,
            custom_schedule: false,
            enabled: true,
            reminder_days: None,
            email: true,
            extend: false,
        };
        assert_eq!(spec.reminder_after(), time::Duration::hours(84));
        spec.approval_days = 1;
        assert_eq!(spec.reminder_after(), time::Duration::hours(12));
        spec.reminder_days = Some(2);
        assert_eq!(spec.reminder_after(), time::Duration::days(2));
    }
}
