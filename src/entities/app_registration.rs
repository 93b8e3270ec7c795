//! The `app_registrations` table: daemons that get API tokens with a client id and secret.
use sea_orm::entity::prelude::*;

use crate::ids::AppRegistrationId;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AppRegistrationId,
    /// What the daemon presents as `client_id` (Graph's `appId`).
    #[sea_orm(unique)]
    pub client_id: Uuid,
    pub display_name: String,
    /// SHA-256 of the client secret, hex.
    pub secret_hash: String,
    pub secret_hint: String,
    pub secret_expires_at: TimeDateTimeWithTimeZone,
    /// Space-separated application permissions.
    pub permissions: String,
    pub created_by: String,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
