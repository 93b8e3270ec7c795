//! The `group_members` table: one row per user, group, role and source.
use sea_orm::entity::prelude::*;
use uuid::Uuid;

use crate::ids::{GroupId, MembershipId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "group_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: MembershipId,
    pub group_id: GroupId,
    pub user_id: UserId,
    pub role: String,
    pub source_kind: String,
    /// The nil UUID for a direct membership, the granting assignment's id otherwise.
    pub source_id: Uuid,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::group::Entity",
        from = "Column::GroupId",
        to = "super::group::Column::Id",
        on_delete = "Cascade"
    )]
    Group,
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
    /// The group's link to a connected system, when it is governed there.
    #[sea_orm(
        belongs_to = "super::governed_group::Entity",
        from = "Column::GroupId",
        to = "super::governed_group::Column::GroupId"
    )]
    Governed,
}

impl Related<super::group::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Group.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
