//! The `access_package_drafts` table: a `New access package` wizard kept between its tabs.
use sea_orm::entity::prelude::*;

use crate::ids::{DraftId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_package_drafts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: DraftId,
    pub owner_id: UserId,
    /// The wizard's fields as JSON.
    pub data: String,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
