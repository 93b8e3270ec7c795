//! The `assignment_requests` table, with Microsoft Graph's request types and states.
use sea_orm::entity::prelude::*;

use crate::ids::{AccessPackageId, AssignmentId, PolicyId, RequestId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assignment_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: RequestId,
    /// `userAdd`, `userRemove`, `userExtend`, `adminAdd`, `adminUpdate`, `adminRemove` or
    /// `systemRemove`.
    pub request_type: String,
    /// Graph's `state`: `submitted`, `pendingApproval`, `scheduled`, `delivered`, `denied`, …
    pub state: String,
    /// Graph's `status`, the words people see: `Pending approval`, `Fulfilled`, `Expired`, …
    pub status: String,
    pub requestor_id: Option<UserId>,
    pub target_id: UserId,
    pub access_package_id: AccessPackageId,
    pub policy_id: Option<PolicyId>,
    pub assignment_id: Option<AssignmentId>,
    pub justification: String,
    pub schedule_start: Option<TimeDateTimeWithTimeZone>,
    pub schedule_end: Option<TimeDateTimeWithTimeZone>,
    /// When a pending request is denied if nobody decided.
    pub decide_by: Option<TimeDateTimeWithTimeZone>,
    /// When its approvers are reminded, if still undecided.
    pub remind_at: Option<TimeDateTimeWithTimeZone>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub completed_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
