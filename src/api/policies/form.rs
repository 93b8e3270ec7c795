//! A policy body read into the portal's policy form, so that both fronts apply the same
//! rules. What Gatehouse cannot do is refused by name, never dropped.
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use super::body::{
    ApprovalSettingsBody, ExpirationBody, PolicyBody, RequestorSettingsBody, SubjectBody,
};
use super::duration::{Span, duration};
use crate::domain::Invalid;
use crate::domain::policy::{Expiration, PolicyInput, PolicySpec};
use crate::services::error::{FieldError, ServiceError};

const APPROVERS: &str = "requestApprovalSettings.stages.primaryApprovers";
const DENIAL: &str = "requestApprovalSettings.stages.durationBeforeAutomaticDenial";
const DURATION: &str = "expiration.duration";

/// The problems found in a body, each under its Graph property.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn invalid(&mut self, target: &'static str, message: impl Into<String>) {
        self.push(target, "invalid", message);
    }

    fn unsupported(&mut self, target: &'static str, message: impl Into<String>) {
        self.push(target, "not_supported", message);
    }

    fn push(&mut self, field: &'static str, code: &'static str, message: impl Into<String>) {
        self.0.push(FieldError {
            field,
            code,
            message: message.into(),
        });
    }

    fn into_result<T>(self, value: T) -> Result<T, ServiceError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(ServiceError::Invalid(self.0))
        }
    }
}

/// Client text cut short enough to repeat in a message.
fn shown(text: &str) -> String {
    text.chars().take(64).collect()
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

/// A subject's kind from `@odata.type`, with or without the `#`; a bare `userId` or
/// `groupId` says it too.
fn kind(subject: &SubjectBody) -> Option<&str> {
    match subject.odata_type.as_deref() {
        Some(t) => Some(t.trim().trim_start_matches('#')),
        None if subject.user_id.is_some() => Some("microsoft.graph.singleUser"),
        None if subject.group_id.is_some() => Some("microsoft.graph.groupMembers"),
        None => None,
    }
}

fn is(kind: Option<&str>, name: &str) -> bool {
    kind.is_some_and(|k| k.eq_ignore_ascii_case(name))
}

/// `user:<id>` or `group:<id>`, as the form's requestor picker sends them.
fn target(subject: &SubjectBody, problems: &mut Problems) -> Option<String> {
    const FIELD: &str = "specificAllowedTargets";
    let kind = kind(subject);
    let (prefix, id, what) = if is(kind, "microsoft.graph.singleUser") {
        ("user", subject.user_id.as_deref(), "userId")
    } else if is(kind, "microsoft.graph.groupMembers") {
        ("group", subject.group_id.as_deref(), "groupId")
    } else {
        problems.unsupported(
            FIELD,
            format!(
                "Gatehouse policies name users (#microsoft.graph.singleUser) and groups \
                 (#microsoft.graph.groupMembers), not '{}'.",
                shown(kind.unwrap_or_default())
            ),
        );
        return None;
    };
    match id.map(|id| id.trim().parse::<uuid::Uuid>()) {
        Some(Ok(id)) => Some(format!("{prefix}:{id}")),
        _ => {
            problems.invalid(FIELD, format!("Each {prefix} needs its {what}, a GUID."));
            None
        }
    }
}

fn approver(subject: &SubjectBody, problems: &mut Problems) -> Option<String> {
    if !is(kind(subject), "microsoft.graph.singleUser") {
        problems.unsupported(
            APPROVERS,
            "Gatehouse's approvers are users: name each as #microsoft.graph.singleUser with its userId.",
        );
        return None;
    }
    match subject
        .user_id
        .as_deref()
        .map(|id| id.trim().parse::<uuid::Uuid>())
    {
        Some(Ok(id)) => Some(id.to_string()),
        _ => {
            problems.invalid(APPROVERS, "Each approver needs its userId, a GUID.");
            None
        }
    }
}

fn not_empty<T>(list: &Option<Vec<T>>) -> bool {
    list.as_ref().is_some_and(|l| !l.is_empty())
}

impl PolicyBody {
    /// The body as the portal's form would have it, starting from `base` for what the body
    /// leaves out.
    pub fn to_input(&self, base: PolicyInput) -> Result<PolicyInput, ServiceError> {
        let mut input = base;
        let mut problems = Problems::default();
        if let Some(name) = &self.display_name {
            input.display_name = name.clone();
        }
        if let Some(description) = &self.description {
            input.description = description.clone();
        }
        self.scope(&mut input, &mut problems);
        if let Some(targets) = &self.specific_allowed_targets {
            input.requestor = targets
                .iter()
                .filter_map(|t| target(t, &mut problems))
                .collect();
        }
        if let Some(expiration) = &self.expiration {
            expire(expiration, &mut input, &mut problems);
        }
        if let Some(settings) = &self.requestor_settings {
            requestors(settings, &mut input, &mut problems);
        }
        if let Some(settings) = &self.request_approval_settings {
            approval(settings, &mut input, &mut problems);
        }
        if not_empty(&self.questions) {
            problems.unsupported("questions", "Gatehouse asks requestors no questions.");
        }
        if self
            .review_settings
            .as_ref()
            .is_some_and(|r| r.is_enabled == Some(true))
        {
            problems.unsupported("reviewSettings", "Gatehouse has no access reviews.");
        }
        keep_reminder_if_it_fits(&mut input);
        problems.into_result(input)
    }

    fn scope(&self, input: &mut PolicyInput, problems: &mut Problems) {
        let Some(scope) = self.allowed_target_scope.as_deref() else {
            return;
        };
        let (who, which) = match scope.trim() {
            s if s.eq_ignore_ascii_case("notSpecified") => ("none", "specific"),
            s if s.eq_ignore_ascii_case("specificDirectoryUsers") => ("directory", "specific"),
            s if s.eq_ignore_ascii_case("allMemberUsers") => ("directory", "all"),
            other => {
                problems.unsupported(
                    "allowedTargetScope",
                    format!(
                        "Gatehouse supports allowedTargetScope notSpecified, \
                         specificDirectoryUsers or allMemberUsers, not '{}'.",
                        shown(other)
                    ),
                );
                return;
            }
        };
        input.who_can_request = who.to_owned();
        input.directory_scope = which.to_owned();
    }
}

fn expire(body: &ExpirationBody, input: &mut PolicyInput, problems: &mut Problems) {
    let kind = match (&body.kind, &body.duration, &body.end_date_time) {
        (Some(kind), _, _) => kind.trim().to_owned(),
        (None, Some(_), _) => "afterDuration".to_owned(),
        (None, None, Some(_)) => "afterDateTime".to_owned(),
        (None, None, None) => return,
    };
    if kind.eq_ignore_ascii_case("noExpiration") {
        input.expiration = "never".to_owned();
    } else if kind.eq_ignore_ascii_case("afterDuration") {
        match body.duration.as_deref().map(|d| (d, duration(d))) {
            Some((_, Some(Span::Days(days)))) => {
                input.expiration = "days".to_owned();
                input.expiration_days = days.to_string();
            }
            Some((_, Some(Span::Hours(hours)))) => {
                input.expiration = "hours".to_owned();
                input.expiration_hours = hours.to_string();
            }
            Some((text, None)) => problems.invalid(
                DURATION,
                format!(
                    "expiration.duration takes days or hours, like P30D or PT8H, not '{}'.",
                    shown(text)
                ),
            ),
            None => problems.invalid(DURATION, "afterDuration needs expiration.duration."),
        }
    } else if kind.eq_ignore_ascii_case("afterDateTime") {
        match body.end_date_time.as_deref().map(|t| (t, end_date(t))) {
            Some((_, Some(date))) => {
                input.expiration = "date".to_owned();
                input.expiration_date = date.to_string();
            }
            Some((text, None)) => problems.invalid(
                "expiration.endDateTime",
                format!(
                    "expiration.endDateTime takes a time like 2027-01-31T23:59:59Z, not '{}'.",
                    shown(text)
                ),
            ),
            None => problems.invalid(
                "expiration.endDateTime",
                "afterDateTime needs expiration.endDateTime.",
            ),
        }
    } else {
        problems.invalid(
            "expiration.type",
            format!(
                "expiration.type is afterDuration, afterDateTime or noExpiration, not '{}'.",
                shown(&kind)
            ),
        );
    }
}

/// The UTC day of an `endDateTime` (assignments end at that day's end), or a bare date.
fn end_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if let Ok(time) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(time.to_offset(time::UtcOffset::UTC).date());
    }
    crate::domain::dates::parse_date(text).ok().flatten()
}

fn requestors(body: &RequestorSettingsBody, input: &mut PolicyInput, problems: &mut Problems) {
    if let Some(custom) = body.allow_custom_assignment_schedule {
        input.custom_schedule = yes_no(custom);
    }
    if let Some(extend) = body.enable_targets_to_self_update_access {
        input.allow_extend = yes_no(extend);
    }
    if body.enable_targets_to_self_add_access == Some(false) && input.who_can_request != "none" {
        problems.unsupported(
            "requestorSettings.enableTargetsToSelfAddAccess",
            "Gatehouse's policies let their targets request access themselves. For direct \
             assignments only, set allowedTargetScope to notSpecified.",
        );
    }
    let on_behalf = [
        body.enable_on_behalf_requestors_to_add_access,
        body.enable_on_behalf_requestors_to_update_access,
        body.enable_on_behalf_requestors_to_remove_access,
    ];
    if on_behalf.contains(&Some(true)) || not_empty(&body.on_behalf_requestors) {
        problems.unsupported(
            "requestorSettings.onBehalfRequestors",
            "Gatehouse does not take requests on behalf of others.",
        );
    }
}

fn approval(body: &ApprovalSettingsBody, input: &mut PolicyInput, problems: &mut Problems) {
    if let Some(required) = body.is_approval_required_for_add {
        input.require_approval = yes_no(required);
    }
    if let Some(required) = body.is_requestor_justification_required {
        input.require_requestor_justification = yes_no(required);
    }
    let Some(stages) = &body.stages else {
        return;
    };
    let stage = match stages.as_slice() {
        [] => {
            input.approver = Vec::new();
            return;
        }
        [stage] => stage,
        _ => {
            problems.unsupported(
                "requestApprovalSettings.stages",
                "Gatehouse supports one approval stage.",
            );
            return;
        }
    };
    if let Some(text) = &stage.duration_before_automatic_denial {
        match duration(text) {
            Some(Span::Days(days)) => input.approval_days = days.to_string(),
            Some(Span::Hours(hours)) if hours % 24 == 0 => {
                input.approval_days = (hours / 24).to_string();
            }
            _ => problems.invalid(
                DENIAL,
                format!(
                    "durationBeforeAutomaticDenial takes whole days, like P14D, not '{}'.",
                    shown(text)
                ),
            ),
        }
    }
    if let Some(required) = stage.is_approver_justification_required {
        input.require_approver_justification = yes_no(required);
    }
    if stage.is_escalation_enabled == Some(true)
        || not_empty(&stage.escalation_approvers)
        || not_empty(&stage.fallback_escalation_approvers)
    {
        problems.unsupported(
            "requestApprovalSettings.stages.isEscalationEnabled",
            "Gatehouse does not escalate approvals.",
        );
    }
    if not_empty(&stage.fallback_primary_approvers) {
        problems.unsupported(
            "requestApprovalSettings.stages.fallbackPrimaryApprovers",
            "Gatehouse has no fallback approvers.",
        );
    }
    if let Some(approvers) = &stage.primary_approvers {
        input.approver = approvers
            .iter()
            .filter_map(|a| approver(a, problems))
            .collect();
    }
}

/// A kept reminder (replacing a policy keeps it, as Graph cannot name it) is dropped when
/// the new decision time leaves no room for it, rather than refusing a setting the body
/// never mentioned.
fn keep_reminder_if_it_fits(input: &mut PolicyInput) {
    let days: Option<u32> = input.approval_days.trim().parse().ok();
    let reminder: Option<u32> = input.reminder_days.trim().parse().ok();
    if let (Some(days), Some(reminder)) = (days, reminder)
        && (days <= 1 || reminder >= days)
    {
        input.reminder_days = String::new();
    }
}

/// The form as a policy, by the portal's rules, with each problem under its Graph property.
pub fn check(input: &PolicyInput, today: Date) -> Result<PolicySpec, ServiceError> {
    input.parse(today).map_err(|problems| {
        ServiceError::Invalid(
            problems
                .into_iter()
                .map(|(field, invalid)| graph_field(field, invalid))
                .collect(),
        )
    })
}

/// A form field's problem, named and worded for a script.
fn graph_field(field: &'static str, Invalid(message): Invalid) -> FieldError {
    let (target, message) = match field {
        "display_name" => ("displayName", message),
        "who_can_request" => ("allowedTargetScope", message),
        "requestor" => (
            "specificAllowedTargets",
            "Name at least one user or group in specificAllowedTargets, or choose another \
             allowedTargetScope."
                .to_owned(),
        ),
        "approver" => (
            APPROVERS,
            "Name at least one approver in requestApprovalSettings.stages[0].primaryApprovers, \
             or set isApprovalRequiredForAdd to false."
                .to_owned(),
        ),
        "approval_days" => (
            DENIAL,
            "durationBeforeAutomaticDenial must be from P1D to P14D.".to_owned(),
        ),
        "expiration_days" => (
            DURATION,
            format!(
                "expiration.duration must be from P1D to P{}D.",
                Expiration::MAX_DAYS
            ),
        ),
        "expiration_hours" => (
            DURATION,
            format!(
                "expiration.duration must be from PT1H to PT{}H.",
                Expiration::MAX_HOURS
            ),
        ),
        "expiration_date" => ("expiration.endDateTime", message),
        "expiration" => ("expiration.type", message),
        other => (other, message),
    };
    FieldError {
        field: target,
        code: "invalid",
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphs_scope_names_become_the_forms_choices() {
        let body = PolicyBody {
            allowed_target_scope: Some("allMemberUsers".into()),
            ..PolicyBody::default()
        };
        let input = body.to_input(PolicyInput::default()).ok();
        assert_eq!(
            input.map(|i| (i.who_can_request, i.directory_scope)),
            Some(("directory".into(), "all".into()))
        );
        let external = PolicyBody {
            allowed_target_scope: Some("allExternalUsers".into()),
            ..PolicyBody::default()
        };
        assert!(external.to_input(PolicyInput::default()).is_err());
    }
}
