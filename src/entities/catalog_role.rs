//! The `catalog_roles` table: who owns, reads or manages a catalog.
use sea_orm::entity::prelude::*;

use crate::ids::{CatalogId, CatalogRoleId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "catalog_roles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: CatalogRoleId,
    pub catalog_id: CatalogId,
    pub user_id: UserId,
    pub role: String,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id"
    )]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
