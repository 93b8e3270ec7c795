//! The `assignment_policies` table, with Microsoft Graph's values for its enums.
use sea_orm::entity::prelude::*;

use crate::ids::{AccessPackageId, PolicyId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assignment_policies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: PolicyId,
    pub access_package_id: AccessPackageId,
    pub display_name: String,
    pub description: String,
    /// `specificDirectoryUsers`, `allMemberUsers` or `notSpecified`.
    pub allowed_target_scope: String,
    pub is_approval_required: bool,
    pub is_requestor_justification_required: bool,
    pub is_approver_justification_required: bool,
    pub approval_duration_days: i32,
    /// `afterDuration`, `afterDateTime` or `noExpiration`.
    pub expiration_type: String,
    /// An ISO-8601 duration such as `P30D` or `PT12H`, for `afterDuration`.
    pub expiration_duration: Option<String>,
    pub expiration_end_date_time: Option<TimeDateTimeWithTimeZone>,
    pub can_requestor_specify_schedule: bool,
    pub is_enabled: bool,
    /// After how many days undecided approvers are reminded; none: half of
    /// `approval_duration_days`.
    pub approval_reminder_days: Option<i32>,
    /// Whether its requests and assignments are mailed about.
    pub is_email_enabled: bool,
    /// "Allow users to extend access".
    pub can_extend: bool,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
