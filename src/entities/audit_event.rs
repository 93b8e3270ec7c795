//! The `audit_events` table. Append-only: the database refuses updates and deletes.
use sea_orm::entity::prelude::*;

use crate::ids::{AuditEventId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AuditEventId,
    pub occurred_at: TimeDateTimeWithTimeZone,
    /// No foreign key: the history outlives the people in it.
    pub actor_id: Option<UserId>,
    pub actor_name: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub target_name: String,
    /// JSON with the change's details (before and after values).
    pub detail: String,
    pub client_ip: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
