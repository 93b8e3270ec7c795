//! The `api_tokens` table: bearer tokens for the Graph-compatible API under `/v1.0`.
use sea_orm::entity::prelude::*;

use crate::ids::{ApiTokenId, AppRegistrationId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ApiTokenId,
    /// What the person called it (`Onboarding script`), or the app's name.
    pub name: String,
    /// SHA-256 of the token, hex; the token itself is shown once and never stored.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// The token's last characters, so that tokens can be told apart.
    pub hint: String,
    /// A personal token acts as this person.
    pub owner_id: Option<UserId>,
    /// A token from the token endpoint acts as this app.
    pub app_id: Option<AppRegistrationId>,
    /// Space-separated permission names (`EntitlementManagement.Read.All …`).
    pub scopes: String,
    pub created_at: TimeDateTimeWithTimeZone,
    pub expires_at: TimeDateTimeWithTimeZone,
    pub last_used_at: Option<TimeDateTimeWithTimeZone>,
    pub revoked_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
