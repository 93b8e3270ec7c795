//! The `drift_findings` table: a governed group's members that its connected system has
//! and Gatehouse does not expect (`added`), or lacks and Gatehouse expects (`removed`).
use sea_orm::entity::prelude::*;

use crate::ids::{ConnectedSystemId, DriftFindingId, GroupId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "drift_findings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: DriftFindingId,
    pub connected_system_id: ConnectedSystemId,
    pub group_id: GroupId,
    /// The Gatehouse user, when the member is one.
    pub user_id: Option<UserId>,
    /// The member as the system lists it (a DN, a user name, a SCIM id).
    pub member_value: String,
    /// `added` (outside Gatehouse) or `removed` (outside Gatehouse).
    pub direction: String,
    pub first_seen_at: TimeDateTimeWithTimeZone,
    pub last_seen_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
