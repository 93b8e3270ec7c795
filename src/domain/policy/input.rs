//! The policy form as typed (radio buttons and text, kept so nothing is lost), and its
//! checks into a `PolicySpec`.
use time::{Date, Duration};

use super::{Expiration, PolicySpec, Subject, TargetScope};
use crate::domain::{Invalid, bounded_text};
use crate::ids::UserId;

/// The policy form as typed. Choices are the values of the form's radio buttons.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PolicyInput {
    pub display_name: String,
    pub description: String,
    /// `directory` ("For users in your directory") or `none`.
    pub who_can_request: String,
    /// `specific` or `all`, under "For users in your directory".
    pub directory_scope: String,
    /// `user:<id>` and `group:<id>` values.
    pub requestor: Vec<String>,
    pub require_approval: String,
    pub require_requestor_justification: String,
    /// User ids.
    pub approver: Vec<String>,
    pub approval_days: String,
    pub require_approver_justification: String,
    /// `days`, `hours`, `date` or `never`.
    pub expiration: String,
    pub expiration_days: String,
    pub expiration_hours: String,
    pub expiration_date: String,
    pub custom_schedule: String,
    pub enabled: String,
    /// Days before approvers are reminded; empty: half the decision time.
    pub reminder_days: String,
    /// `yes` or `no`: email about this policy's requests.
    pub send_email: String,
    /// `yes` or `no`: "Allow users to extend access".
    pub allow_extend: String,
}

impl Default for PolicyInput {
    /// What `Add policy` and the wizard's `Policy` tab start with, as in Entra: directory
    /// users, approval required, 14 days to decide, a year of access, enabled. Users may ask
    /// for a specific timeline, because the tutorial's step 4 does so although its step 3
    /// never names the setting.
    fn default() -> Self {
        Self {
            display_name: String::new(),
            description: String::new(),
            who_can_request: "directory".into(),
            directory_scope: "specific".into(),
            requestor: Vec::new(),
            require_approval: "yes".into(),
            require_requestor_justification: "yes".into(),
            approver: Vec::new(),
            approval_days: "14".into(),
            require_approver_justification: "no".into(),
            expiration: "days".into(),
            expiration_days: "365".into(),
            expiration_hours: "8".into(),
            expiration_date: String::new(),
            custom_schedule: "yes".into(),
            enabled: "yes".into(),
            reminder_days: String::new(),
            send_email: "yes".into(),
            allow_extend: "no".into(),
        }
    }
}

/// The fields that did not parse, with why.
#[derive(Default)]
struct Problems(Vec<(&'static str, Invalid)>);

impl Problems {
    fn check<T>(&mut self, field: &'static str, result: Result<T, Invalid>) -> Option<T> {
        result.map_err(|e| self.0.push((field, e))).ok()
    }

    fn add(&mut self, field: &'static str, message: &str) {
        self.0.push((field, Invalid::new(message)));
    }
}

fn yes(value: &str) -> bool {
    value.trim() == "yes"
}

fn number_in(
    value: &str,
    min: u32,
    max: u32,
    message: impl FnOnce() -> String,
) -> Result<u32, Invalid> {
    value
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| Invalid::new(message()))
}

impl PolicyInput {
    /// The form for an existing policy.
    pub fn from_spec(spec: &PolicySpec) -> Self {
        let mut input = Self {
            display_name: spec.display_name.clone(),
            description: spec.description.clone(),
            who_can_request: if spec.scope == TargetScope::NotSpecified {
                "none"
            } else {
                "directory"
            }
            .into(),
            directory_scope: if spec.scope == TargetScope::AllMemberUsers {
                "all"
            } else {
                "specific"
            }
            .into(),
            requestor: spec.requestors.iter().map(|s| s.to_form_value()).collect(),
            require_approval: if spec.approval_required { "yes" } else { "no" }.into(),
            require_requestor_justification: if spec.requestor_justification_required {
                "yes"
            } else {
                "no"
            }
            .into(),
            approver: spec.approvers.iter().map(|a| a.to_string()).collect(),
            approval_days: spec.approval_days.to_string(),
            require_approver_justification: if spec.approver_justification_required {
                "yes"
            } else {
                "no"
            }
            .into(),
            custom_schedule: if spec.custom_schedule { "yes" } else { "no" }.into(),
            enabled: if spec.enabled { "yes" } else { "no" }.into(),
            reminder_days: spec
                .reminder_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            send_email: if spec.email { "yes" } else { "no" }.into(),
            allow_extend: if spec.extend { "yes" } else { "no" }.into(),
            ..Self::default()
        };
        match spec.expiration {
            Expiration::Days(n) => {
                input.expiration = "days".into();
                input.expiration_days = n.to_string();
            }
            Expiration::Hours(n) => {
                input.expiration = "hours".into();
                input.expiration_hours = n.to_string();
            }
            Expiration::OnDate(date) => {
                input.expiration = "date".into();
                input.expiration_date = date.to_string();
            }
            Expiration::Never => input.expiration = "never".into(),
        }
        input
    }

    /// The requestors picked so far, in order, without repeats or junk.
    pub fn requestors(&self) -> Vec<Subject> {
        let mut subjects: Vec<Subject> = Vec::new();
        for subject in self.requestor.iter().filter_map(|r| Subject::parse(r)) {
            if !subjects.contains(&subject) {
                subjects.push(subject);
            }
        }
        subjects
    }

    /// The approvers picked so far, in order, without repeats or junk.
    pub fn approvers(&self) -> Vec<UserId> {
        let mut approvers: Vec<UserId> = Vec::new();
        for id in self.approver.iter().filter_map(|a| a.trim().parse().ok()) {
            if !approvers.contains(&id) {
                approvers.push(id);
            }
        }
        approvers
    }

    /// Checks every field; `today` is the UTC date, for `On date`.
    pub fn parse(&self, today: Date) -> Result<PolicySpec, Vec<(&'static str, Invalid)>> {
        let mut problems = Problems::default();

        let display_name = problems.check(
            "display_name",
            bounded_text(&self.display_name, "policy name", 1, 256),
        );
        let description = problems.check(
            "description",
            bounded_text(&self.description, "description", 0, 1024),
        );
        let scope = match (self.who_can_request.trim(), self.directory_scope.trim()) {
            ("none", _) => Some(TargetScope::NotSpecified),
            ("directory", "all") => Some(TargetScope::AllMemberUsers),
            ("directory", "specific") => Some(TargetScope::SpecificDirectoryUsers),
            _ => problems.check(
                "who_can_request",
                Err(Invalid::new("Choose who can request access.")),
            ),
        };
        let requestors = if scope == Some(TargetScope::SpecificDirectoryUsers) {
            self.requestors()
        } else {
            Vec::new()
        };
        if scope == Some(TargetScope::SpecificDirectoryUsers) && requestors.is_empty() {
            problems.add(
                "requestor",
                "Add at least one user or group who can request access.",
            );
        }
        let requests_allowed = scope != Some(TargetScope::NotSpecified);
        let approval_required = requests_allowed && yes(&self.require_approval);
        let approvers = if approval_required {
            self.approvers()
        } else {
            Vec::new()
        };
        if approval_required && approvers.is_empty() {
            problems.add(
                "approver",
                "Add at least one approver, or set Require approval to No.",
            );
        }
        let approval_days = if approval_required {
            problems.check(
                "approval_days",
                number_in(&self.approval_days, 1, 14, || {
                    "Enter a number of days from 1 to 14.".to_owned()
                }),
            )
        } else {
            Some(14)
        };
        let reminder_days = match (approval_required, approval_days, self.reminder_days.trim()) {
            (false, _, _) | (_, _, "") => None,
            (true, Some(1), _) => {
                problems.add(
                    "reminder_days",
                    "With 1 day to decide, approvers are reminded after 12 hours: leave this empty.",
                );
                None
            }
            (true, days, typed) => {
                let last = days.unwrap_or(14).saturating_sub(1).max(1);
                problems.check(
                    "reminder_days",
                    number_in(typed, 1, last, || {
                        format!(
                            "Enter a number of days from 1 to {last}, or leave it empty to remind approvers after half the time they have."
                        )
                    }),
                )
            }
        };
        let expiration = match self.expiration.trim() {
            "days" => problems
                .check(
                    "expiration_days",
                    number_in(&self.expiration_days, 1, Expiration::MAX_DAYS, || {
                        format!("Enter a number of days from 1 to {}.", Expiration::MAX_DAYS)
                    }),
                )
                .map(Expiration::Days),
            "hours" => problems
                .check(
                    "expiration_hours",
                    number_in(&self.expiration_hours, 1, Expiration::MAX_HOURS, || {
                        format!(
                            "Enter a number of hours from 1 to {}.",
                            Expiration::MAX_HOURS
                        )
                    }),
                )
                .map(Expiration::Hours),
            "date" => match crate::domain::dates::parse_date(&self.expiration_date) {
                Ok(Some(date))
                    if date > today + Duration::days(i64::from(Expiration::MAX_DAYS)) =>
                {
                    problems.check(
                        "expiration_date",
                        Err(Invalid::new(format!(
                            "Choose a date within {} days from today.",
                            Expiration::MAX_DAYS
                        ))),
                    )
                }
                Ok(Some(date)) if date > today => Some(Expiration::OnDate(date)),
                Ok(Some(_)) => problems.check(
                    "expiration_date",
                    Err(Invalid::new("Choose a date in the future.")),
                ),
                Ok(None) | Err(_) => problems.check(
                    "expiration_date",
                    Err(Invalid::new("Enter a date like 2027-01-31.")),
                ),
            },
            "never" => Some(Expiration::Never),
            _ => problems.check(
                "expiration",
                Err(Invalid::new("Choose when assignments expire.")),
            ),
        };

        match (display_name, description, scope, approval_days, expiration) {
            (
                Some(display_name),
                Some(description),
                Some(scope),
                Some(approval_days),
                Some(expiration),
            ) if problems.0.is_empty() => Ok(PolicySpec {
                display_name,
                description,
                scope,
                requestors,
                approval_required,
                requestor_justification_required: requests_allowed
                    && yes(&self.require_requestor_justification),
                approvers,
                approval_days,
                approver_justification_required: approval_required
                    && yes(&self.require_approver_justification),
                expiration,
                custom_schedule: requests_allowed && yes(&self.custom_schedule),
                enabled: yes(&self.enabled),
                reminder_days,
                email: yes(&self.send_email),
                extend: requests_allowed
                    && expiration != Expiration::Never
                    && yes(&self.allow_extend),
            }),
            _ => Err(problems.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 24);

    fn tutorial_policy() -> PolicyInput {
        PolicyInput {
            display_name: "Internal user policy".into(),
            description:
                "Allows users in this directory to request access to web project resources".into(),
            requestor: vec![format!("user:{}", UserId::new())],
            approver: vec![UserId::new().to_string()],
            expiration_days: "30".into(),
            ..PolicyInput::default()
        }
    }

    fn fields(result: Result<PolicySpec, Vec<(&'static str, Invalid)>>) -> Vec<&'static str> {
        result
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|(f, _)| f)
            .collect()
    }

    #[test]
    fn the_tutorials_policy_parses() {
        let spec = tutorial_policy().parse(TODAY);
        let spec = spec.as_ref().map(|s| {
            (
                s.scope,
                s.approval_required,
                s.expiration,
                s.enabled,
                s.requestors.len(),
                s.approvers.len(),
            )
        });
        assert_eq!(
            spec,
            Ok((
                TargetScope::SpecificDirectoryUsers,
                true,
                Expiration::Days(30),
                true,
                1,
                1
            ))
        );
    }

    #[test]
    fn specific_users_need_at_least_one_requestor() {
        let input = PolicyInput {
            requestor: vec![],
            ..tutorial_policy()
        };
        assert_eq!(fields(input.parse(TODAY)), vec!["requestor"]);
        let junk = PolicyInput {
            requestor: vec!["user:not-an-id".into()],
            ..tutorial_policy()
        };
        assert_eq!(fields(junk.parse(TODAY)), vec!["requestor"]);
    }

    #[test]
    fn approval_needs_an_approver() {
        let input = PolicyInput {
            approver: vec![],
            ..tutorial_policy()
        };
        assert_eq!(fields(input.parse(TODAY)), vec!["approver"]);
        let no_approval = PolicyInput {
            approver: vec![],
            require_approval: "no".into(),
            ..tutorial_policy()
        };
        assert!(no_approval.parse(TODAY).is_ok());
    }

    #[test]
    fn days_and_hours_have_ranges() {
        for (days, ok) in [
            ("0", false),
            ("1", true),
            ("3660", true),
            ("3661", false),
            ("x", false),
        ] {
            let input = PolicyInput {
                expiration_days: days.into(),
                ..tutorial_policy()
            };
            assert_eq!(input.parse(TODAY).is_ok(), ok, "{days} days");
        }
        let hours = PolicyInput {
            expiration: "hours".into(),
            expiration_hours: "12".into(),
            ..tutorial_policy()
        };
        assert_eq!(
            hours.parse(TODAY).map(|s| s.expiration.iso_duration()),
            Ok(Some("PT12H".into()))
        );
        let approval_days = PolicyInput {
            approval_days: "15".into(),
            ..tutorial_policy()
        };
        assert_eq!(fields(approval_days.parse(TODAY)), vec!["approval_days"]);
    }

    #[test]
    fn an_expiry_date_must_be_in_the_future() {
        for (date, ok) in [
            ("2026-11-24", false),
            ("2026-11-25", true),
            ("24/11/2027", false),
            ("9999-12-31", false),
        ] {
            let input = PolicyInput {
                expiration: "date".into(),
                expiration_date: date.into(),
                ..tutorial_policy()
            };
            assert_eq!(input.parse(TODAY).is_ok(), ok, "{date}");
        }
    }

    #[test]
    fn no_requestors_means_no_approval_settings() {
        let input = PolicyInput {
            who_can_request: "none".into(),
            requestor: vec![],
            approver: vec![],
            ..tutorial_policy()
        };
        let spec = input.parse(TODAY);
        assert_eq!(
            spec.as_ref().map(|s| (
                s.scope,
                s.approval_required,
                s.requestor_justification_required
            )),
            Ok((TargetScope::NotSpecified, false, false))
        );
    }

    #[test]
    fn reminders_come_before_the_decision_is_due() {
        for (typed, days, ok) in [
            ("", "14", true),
            ("13", "14", true),
            ("14", "14", false),
            ("0", "14", false),
            ("x", "7", false),
            ("", "1", true),
            ("1", "1", false),
        ] {
            let input = PolicyInput {
                reminder_days: typed.into(),
                approval_days: days.into(),
                ..tutorial_policy()
            };
            assert_eq!(input.parse(TODAY).is_ok(), ok, "{typed} of {days}");
        }
        let set = PolicyInput {
            reminder_days: "3".into(),
            ..tutorial_policy()
        };
        assert_eq!(set.parse(TODAY).map(|s| s.reminder_days), Ok(Some(3)));
    }

    #[test]
    fn extending_needs_requests_and_an_end() {
        let extend = PolicyInput {
            allow_extend: "yes".into(),
            ..tutorial_policy()
        };
        assert_eq!(extend.parse(TODAY).map(|s| s.extend), Ok(true));
        let never = PolicyInput {
            expiration: "never".into(),
            ..extend.clone()
        };
        assert_eq!(never.parse(TODAY).map(|s| s.extend), Ok(false));
        assert_eq!(
            tutorial_policy().parse(TODAY).map(|s| (s.extend, s.email)),
            Ok((false, true))
        );
    }

    #[test]
    fn a_spec_round_trips_through_the_form() {
        let spec = tutorial_policy().parse(TODAY);
        let again = spec
            .as_ref()
            .ok()
            .map(|s| PolicyInput::from_spec(s).parse(TODAY));
        assert_eq!(again, spec.ok().map(Ok));
    }

    #[test]
    fn a_new_policy_lets_users_request_a_specific_timeline() {
        let spec = tutorial_policy().parse(TODAY);
        assert_eq!(spec.map(|s| s.custom_schedule), Ok(true));
    }

    #[test]
    fn an_existing_policy_keeps_its_timeline_setting() {
        let fixed = PolicyInput {
            custom_schedule: "no".into(),
            ..tutorial_policy()
        }
        .parse(TODAY);
        let again = fixed
            .as_ref()
            .ok()
            .map(|s| PolicyInput::from_spec(s).parse(TODAY));
        assert_eq!(
            again.and_then(Result::ok).map(|s| s.custom_schedule),
            Some(false)
        );
    }
}
