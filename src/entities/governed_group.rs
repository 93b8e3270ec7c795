//! The `governed_groups` table: a group whose members live in a connected system.
use sea_orm::entity::prelude::*;

use crate::ids::{ConnectedSystemId, GroupId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "governed_groups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub group_id: GroupId,
    pub connected_system_id: ConnectedSystemId,
    /// The group in the system: its DN in a directory, its id in a SCIM service provider.
    pub external_id: String,
    pub created_at: TimeDateTimeWithTimeZone,
    /// What a drift check does with members changed outside Gatehouse: `report` or `revert`.
    pub drift_mode: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
