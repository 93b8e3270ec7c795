//! `assignmentPolicies`: which properties a policy has for `$filter`, `$orderby` and `$select`.
use super::prop;
use crate::domain::odata::Kind::{DateTime, Enum, Guid, String as Text};
use crate::domain::odata::Resource;

/// The `allowedTargetScope` values Gatehouse has; Graph's others are refused on input.
pub const TARGET_SCOPES: &[&str] = &["notSpecified", "specificDirectoryUsers", "allMemberUsers"];

/// The navigation property that embeds the policy's access package.
pub const ACCESS_PACKAGE: &str = "accessPackage";

/// The settings objects are `$select`able as wholes but not filtered: the OData parser knows
/// plain properties only, not paths like `accessPackage/id`.
pub const POLICIES: Resource = Resource {
    properties: &[
        prop("id", Guid, true, false),
        prop("displayName", Text, true, true),
        prop("description", Text, true, false),
        prop("allowedTargetScope", Enum(TARGET_SCOPES), true, false),
        prop("specificAllowedTargets", Text, false, false),
        prop("expiration", Text, false, false),
        prop("requestorSettings", Text, false, false),
        prop("requestApprovalSettings", Text, false, false),
        prop("createdDateTime", DateTime, true, true),
        prop("modifiedDateTime", DateTime, true, true),
    ],
    expand: &[ACCESS_PACKAGE],
    nested: &[],
    default_order: "displayName",
};
