//! The `outbox` table: changes to apply to connected systems.
use sea_orm::entity::prelude::*;

use crate::ids::{AssignmentId, ConnectedSystemId, OutboxId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: OutboxId,
    pub connected_system_id: ConnectedSystemId,
    /// `membership`.
    pub kind: String,
    /// [`crate::domain::outbox::Change`] as JSON.
    pub payload: String,
    /// `pending`, `done` or `failed`.
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: TimeDateTimeWithTimeZone,
    /// While a worker holds the row; after this another may take it.
    pub claimed_until: Option<TimeDateTimeWithTimeZone>,
    pub last_error: Option<String>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub completed_at: Option<TimeDateTimeWithTimeZone>,
    /// The assignment this change delivers, when it is part of granting one.
    pub assignment_id: Option<AssignmentId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
