//! A policy body as Graph SDKs send it: every property optional, unknown ones ignored.
use serde::Deserialize;
use utoipa::ToSchema;

use crate::ids::AccessPackageId;
use crate::services::error::ServiceError;

const PACKAGE: &str = "accessPackage.id";

// Every property is an `Option`, so none is required; no `serde(default)`, which would make
// utoipa serialize the defaults into the schema.

/// `subjectSet` in a body: `singleUser` with `userId`, or `groupMembers` with `groupId`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct SubjectBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub user_id: Option<String>,
    pub group_id: Option<String>,
    /// Ignored: Gatehouse shows the user's or group's name.
    #[allow(dead_code)]
    pub description: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct ExpirationBody {
    /// `afterDuration`, `afterDateTime` or `noExpiration`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `P{n}D` or `PT{n}H`.
    pub duration: Option<String>,
    #[schema(format = DateTime)]
    pub end_date_time: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct RequestorSettingsBody {
    pub enable_targets_to_self_add_access: Option<bool>,
    pub enable_targets_to_self_update_access: Option<bool>,
    /// Ignored: anyone may give up their own access.
    #[allow(dead_code)]
    pub enable_targets_to_self_remove_access: Option<bool>,
    pub allow_custom_assignment_schedule: Option<bool>,
    pub enable_on_behalf_requestors_to_add_access: Option<bool>,
    pub enable_on_behalf_requestors_to_update_access: Option<bool>,
    pub enable_on_behalf_requestors_to_remove_access: Option<bool>,
    pub on_behalf_requestors: Option<Vec<SubjectBody>>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalStageBody {
    /// `P{n}D`, 1 to 14 days.
    pub duration_before_automatic_denial: Option<String>,
    pub is_approver_justification_required: Option<bool>,
    pub is_escalation_enabled: Option<bool>,
    /// Ignored: Gatehouse does not escalate.
    #[allow(dead_code)]
    pub duration_before_escalation: Option<String>,
    pub primary_approvers: Option<Vec<SubjectBody>>,
    pub fallback_primary_approvers: Option<Vec<SubjectBody>>,
    pub escalation_approvers: Option<Vec<SubjectBody>>,
    pub fallback_escalation_approvers: Option<Vec<SubjectBody>>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalSettingsBody {
    pub is_approval_required_for_add: Option<bool>,
    /// Ignored: extensions are approved as new requests are.
    #[allow(dead_code)]
    pub is_approval_required_for_update: Option<bool>,
    pub is_requestor_justification_required: Option<bool>,
    /// At most one stage.
    pub stages: Option<Vec<ApprovalStageBody>>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct PackageRefBody {
    #[schema(format = Uuid)]
    pub id: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct ReviewSettingsBody {
    pub is_enabled: Option<bool>,
}

/// An `accessPackageAssignmentPolicy` to create or to replace. What is left out takes
/// Gatehouse's defaults: approval required within 14 days, requestor justification
/// required, a year of access. Unknown properties are ignored.
#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct PolicyBody {
    pub display_name: Option<String>,
    pub description: Option<String>,
    /// `notSpecified`, `specificDirectoryUsers` or `allMemberUsers`.
    pub allowed_target_scope: Option<String>,
    pub specific_allowed_targets: Option<Vec<SubjectBody>>,
    pub expiration: Option<ExpirationBody>,
    pub requestor_settings: Option<RequestorSettingsBody>,
    pub request_approval_settings: Option<ApprovalSettingsBody>,
    /// The policy's package (required to create).
    pub access_package: Option<PackageRefBody>,
    /// The same, as Graph's beta has it.
    #[schema(format = Uuid)]
    pub access_package_id: Option<String>,
    /// The same, as an address ending in `accessPackages/{id}`.
    #[serde(rename = "accessPackage@odata.bind")]
    pub access_package_bind: Option<String>,
    /// Must be empty: Gatehouse asks requestors no questions.
    pub questions: Option<Vec<serde_json::Value>>,
    /// Must not be enabled: Gatehouse has no access reviews.
    pub review_settings: Option<ReviewSettingsBody>,
}

impl PolicyBody {
    /// The access package named by `accessPackage.id`, `accessPackageId` or
    /// `accessPackage@odata.bind`, if any.
    pub fn package(&self) -> Result<Option<AccessPackageId>, ServiceError> {
        let raw = self
            .access_package
            .as_ref()
            .and_then(|p| p.id.as_deref())
            .or(self.access_package_id.as_deref())
            .or(self.access_package_bind.as_deref().map(|bind| {
                let last = bind.trim().trim_end_matches('/').rsplit('/').next();
                let last = last.unwrap_or_default();
                last.strip_prefix("accessPackages(")
                    .map(|s| s.trim_end_matches(')').trim_matches('\''))
                    .unwrap_or(last)
            }));
        match raw.map(|id| id.trim().parse::<AccessPackageId>()) {
            None => Ok(None),
            Some(Ok(id)) => Ok(Some(id)),
            Some(Err(_)) => Err(ServiceError::field(
                PACKAGE,
                "invalid",
                "accessPackage.id must be an access package's id, a GUID.",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_package_is_named_by_id_or_by_address() {
        let id = AccessPackageId::new();
        let bind = PolicyBody {
            access_package_bind: Some(format!(
                "https://graph.microsoft.com/v1.0/identityGovernance/entitlementManagement/accessPackages/{id}"
            )),
            ..PolicyBody::default()
        };
        assert_eq!(bind.package().ok(), Some(Some(id)));
        let bad = PolicyBody {
            access_package_id: Some("nope".into()),
            ..PolicyBody::default()
        };
        assert!(bad.package().is_err());
    }
}
