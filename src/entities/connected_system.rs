//! The `connected_systems` table.
use sea_orm::entity::prelude::*;

use crate::ids::ConnectedSystemId;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "connected_systems")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ConnectedSystemId,
    /// `ldap`, `scim` or `webhook`.
    pub kind: String,
    pub display_name: String,
    #[sea_orm(unique)]
    pub name_key: String,
    /// [`crate::domain::connected::Settings`] as JSON.
    pub settings: String,
    /// The secret sealed by [`crate::secrets::SecretBox`]; never plain text.
    pub secret: Option<String>,
    pub is_enabled: bool,
    pub last_test_at: Option<TimeDateTimeWithTimeZone>,
    pub last_test_ok: Option<bool>,
    pub last_test_summary: Option<String>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
