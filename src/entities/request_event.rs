//! The `request_events` table: a request's timeline.
use sea_orm::entity::prelude::*;

use crate::ids::{RequestEventId, RequestId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "request_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: RequestEventId,
    pub request_id: RequestId,
    pub occurred_at: TimeDateTimeWithTimeZone,
    /// `submitted`, `approved`, `denied`, `canceled`, `scheduled`, `delivered`, `expired`,
    /// `removed`, `timedOut`.
    pub kind: String,
    pub description: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
