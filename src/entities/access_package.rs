//! The `access_packages` table.
use sea_orm::entity::prelude::*;

use crate::ids::{AccessPackageId, CatalogId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_packages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AccessPackageId,
    pub catalog_id: CatalogId,
    pub display_name: String,
    /// The lower-cased name, unique within the catalog.
    pub name_key: String,
    pub description: String,
    pub is_hidden: bool,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
