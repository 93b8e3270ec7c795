//! The `assignments` table: who holds which access package, from when until when.
use sea_orm::entity::prelude::*;

use crate::ids::{AccessPackageId, AssignmentId, PolicyId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assignments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AssignmentId,
    pub access_package_id: AccessPackageId,
    pub policy_id: Option<PolicyId>,
    pub target_id: UserId,
    /// `delivering`, `delivered`, `expired` or `removed`.
    pub state: String,
    pub start_at: TimeDateTimeWithTimeZone,
    pub end_at: Option<TimeDateTimeWithTimeZone>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
