//! The `access_package_resource_roles` table: the group memberships a package grants.
use sea_orm::entity::prelude::*;

use crate::ids::{AccessPackageId, GroupId, ResourceRoleId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_package_resource_roles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ResourceRoleId,
    pub access_package_id: AccessPackageId,
    pub group_id: GroupId,
    /// `member` or `owner`.
    pub role: String,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::group::Entity",
        from = "Column::GroupId",
        to = "super::group::Column::Id"
    )]
    Group,
}

impl Related<super::group::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Group.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
