//! The `catalog_resources` table: groups added to a catalog.
use sea_orm::entity::prelude::*;

use crate::ids::{CatalogId, CatalogResourceId, GroupId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "catalog_resources")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: CatalogResourceId,
    pub catalog_id: CatalogId,
    pub group_id: GroupId,
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
