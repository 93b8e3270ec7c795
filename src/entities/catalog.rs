//! The `catalogs` table.
use sea_orm::entity::prelude::*;

use crate::ids::CatalogId;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "catalogs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: CatalogId,
    pub display_name: String,
    #[sea_orm(unique)]
    pub name_key: String,
    pub description: String,
    pub is_enabled: bool,
    pub is_externally_visible: bool,
    /// The `Default catalog`, which cannot be deleted.
    pub is_default: bool,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
