//! The `provisioning_tokens` table: bearer tokens for Gatehouse's SCIM endpoint.
use sea_orm::entity::prelude::*;

use crate::ids::ProvisioningTokenId;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "provisioning_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ProvisioningTokenId,
    /// What the admin called it, usually the identity provider (`Contoso Entra ID`).
    pub name: String,
    /// SHA-256 of the token, hex; the token itself is shown once and never stored.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// The token's last characters, so that an admin can tell tokens apart.
    pub hint: String,
    pub created_by: String,
    pub created_at: TimeDateTimeWithTimeZone,
    pub expires_at: Option<TimeDateTimeWithTimeZone>,
    pub last_used_at: Option<TimeDateTimeWithTimeZone>,
    pub revoked_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
