//! A policy's JSON as Graph shapes it: `accessPackageAssignmentPolicy` with its requestor,
//! approval and expiration settings.
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::wire::iso;
use crate::domain::policy::{Subject, TargetScope};
use crate::ids::UserId;
use crate::store::graph::policies::GraphPolicy;

pub const SINGLE_USER: &str = "#microsoft.graph.singleUser";
pub const GROUP_MEMBERS: &str = "#microsoft.graph.groupMembers";

/// `subjectSet`: one user (`singleUser`) or the members of a group (`groupMembers`).
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct PolicySubject {
    /// `#microsoft.graph.singleUser` or `#microsoft.graph.groupMembers`.
    #[serde(rename = "@odata.type")]
    pub odata_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Uuid)]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Uuid)]
    pub group_id: Option<String>,
    /// The user's or group's display name.
    pub description: Option<String>,
}

/// `expirationPattern`: when assignments under the policy end.
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct PolicyExpiration {
    /// `afterDuration`, `afterDateTime` or `noExpiration`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// With `afterDuration`: `P{n}D` or `PT{n}H`.
    pub duration: Option<String>,
    /// With `afterDateTime`: the last moment of the chosen day, UTC.
    #[schema(format = DateTime)]
    pub end_date_time: Option<String>,
}

/// `accessPackageAssignmentRequestorSettings`. Requests on behalf of others are not
/// supported, so those settings are always off.
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct PolicyRequestorSettings {
    pub enable_targets_to_self_add_access: bool,
    /// "Allow users to extend access".
    pub enable_targets_to_self_update_access: bool,
    pub enable_targets_to_self_remove_access: bool,
    /// "Allow users to request a specific timeline".
    pub allow_custom_assignment_schedule: bool,
    pub enable_on_behalf_requestors_to_add_access: bool,
    pub enable_on_behalf_requestors_to_update_access: bool,
    pub enable_on_behalf_requestors_to_remove_access: bool,
    pub on_behalf_requestors: Vec<PolicySubject>,
}

/// `accessPackageApprovalStage`: Gatehouse has one, without escalation.
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct PolicyApprovalStage {
    /// `P{n}D`, 1 to 14 days.
    pub duration_before_automatic_denial: String,
    pub is_approver_justification_required: bool,
    pub is_escalation_enabled: bool,
    pub duration_before_escalation: String,
    pub primary_approvers: Vec<PolicySubject>,
    pub fallback_primary_approvers: Vec<PolicySubject>,
    pub escalation_approvers: Vec<PolicySubject>,
    pub fallback_escalation_approvers: Vec<PolicySubject>,
}

/// `accessPackageAssignmentApprovalSettings`.
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct PolicyApprovalSettings {
    pub is_approval_required_for_add: bool,
    /// Extensions are approved as new requests are.
    pub is_approval_required_for_update: bool,
    pub is_requestor_justification_required: bool,
    /// One stage when approval is required, else none.
    pub stages: Vec<PolicyApprovalStage>,
}

/// The policy's access package, with `$expand=accessPackage`.
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct PolicyAccessPackage {
    #[schema(format = Uuid)]
    pub id: String,
    pub display_name: String,
    pub description: String,
}

/// `accessPackageAssignmentPolicy`
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct AccessPackageAssignmentPolicy {
    #[schema(format = Uuid)]
    pub id: String,
    pub display_name: String,
    pub description: String,
    /// `notSpecified`, `specificDirectoryUsers` or `allMemberUsers`.
    pub allowed_target_scope: &'static str,
    /// With `specificDirectoryUsers`: who may request.
    pub specific_allowed_targets: Vec<PolicySubject>,
    pub expiration: PolicyExpiration,
    pub requestor_settings: PolicyRequestorSettings,
    pub request_approval_settings: PolicyApprovalSettings,
    #[schema(format = DateTime)]
    pub created_date_time: String,
    #[schema(format = DateTime)]
    pub modified_date_time: String,
    /// Only with `$expand=accessPackage`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_package: Option<PolicyAccessPackage>,
}

fn subject(policy: &GraphPolicy, subject: Subject) -> PolicySubject {
    let (odata_type, user_id, group_id, id) = match subject {
        Subject::User(id) => (SINGLE_USER, Some(id.to_string()), None, id.0),
        Subject::Group(id) => (GROUP_MEMBERS, None, Some(id.to_string()), id.0),
    };
    PolicySubject {
        odata_type,
        user_id,
        group_id,
        description: policy.names.get(&id).cloned(),
    }
}

fn approver(policy: &GraphPolicy, id: UserId) -> PolicySubject {
    subject(policy, Subject::User(id))
}

impl From<&GraphPolicy> for AccessPackageAssignmentPolicy {
    fn from(policy: &GraphPolicy) -> Self {
        let spec = &policy.record.spec;
        let requests_allowed = spec.scope != TargetScope::NotSpecified;
        let stages = if spec.approval_required {
            vec![PolicyApprovalStage {
                duration_before_automatic_denial: format!("P{}D", spec.approval_days),
                is_approver_justification_required: spec.approver_justification_required,
                is_escalation_enabled: false,
                duration_before_escalation: "PT0S".to_owned(),
                primary_approvers: spec
                    .approvers
                    .iter()
                    .map(|a| approver(policy, *a))
                    .collect(),
                ..PolicyApprovalStage::default()
            }]
        } else {
            Vec::new()
        };
        Self {
            id: policy.record.id.to_string(),
            display_name: spec.display_name.clone(),
            description: spec.description.clone(),
            allowed_target_scope: spec.scope.as_str(),
            specific_allowed_targets: spec
                .requestors
                .iter()
                .map(|s| subject(policy, *s))
                .collect(),
            expiration: PolicyExpiration {
                kind: spec.expiration.graph_type(),
                duration: spec.expiration.iso_duration(),
                end_date_time: spec.expiration.end_date_time().map(iso),
            },
            requestor_settings: PolicyRequestorSettings {
                enable_targets_to_self_add_access: requests_allowed,
                enable_targets_to_self_update_access: spec.extend,
                // Anyone may give up their own access in My Access.
                enable_targets_to_self_remove_access: true,
                allow_custom_assignment_schedule: spec.custom_schedule,
                ..PolicyRequestorSettings::default()
            },
            request_approval_settings: PolicyApprovalSettings {
                is_approval_required_for_add: spec.approval_required,
                is_approval_required_for_update: spec.approval_required,
                is_requestor_justification_required: spec.requestor_justification_required,
                stages,
            },
            created_date_time: iso(policy.record.created_at),
            modified_date_time: iso(policy.modified_at),
            access_package: None,
        }
    }
}

impl From<&GraphPolicy> for PolicyAccessPackage {
    fn from(policy: &GraphPolicy) -> Self {
        Self {
            id: policy.package.id.to_string(),
            display_name: policy.package.display_name.clone(),
            description: policy.package.description.clone(),
        }
    }
}
