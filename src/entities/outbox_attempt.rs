//! The `outbox_attempts` table: each try of an outbox row.
use sea_orm::entity::prelude::*;

use crate::ids::{OutboxAttemptId, OutboxId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: OutboxAttemptId,
    pub outbox_id: OutboxId,
    /// 1 for the first try.
    pub attempt: i32,
    pub attempted_at: TimeDateTimeWithTimeZone,
    pub succeeded: bool,
    /// A webhook receiver's HTTP status code.
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
