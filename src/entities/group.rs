//! The `groups` table.
use sea_orm::entity::prelude::*;

use crate::ids::{ConnectedSystemId, GroupId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "groups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: GroupId,
    pub display_name: String,
    /// The lower-cased name that uniqueness is enforced on.
    #[sea_orm(unique)]
    pub name_key: String,
    pub description: String,
    pub membership_type: String,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    /// The connected system the group was imported from, and its entry there (a DN).
    pub source_system_id: Option<ConnectedSystemId>,
    pub external_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::group_member::Entity")]
    GroupMember,
    #[sea_orm(has_many = "super::catalog_resource::Entity")]
    CatalogResource,
}

impl Related<super::catalog_resource::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CatalogResource.def()
    }
}

impl Related<super::group_member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::GroupMember.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
