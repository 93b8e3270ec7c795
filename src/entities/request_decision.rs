//! The `request_decisions` table: who approved or denied a request, and why.
use sea_orm::entity::prelude::*;

use crate::ids::{DecisionId, RequestId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "request_decisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: DecisionId,
    pub request_id: RequestId,
    pub approver_id: Option<UserId>,
    pub approver_name: String,
    /// `Approve` or `Deny`.
    pub decision: String,
    pub reason: String,
    pub decided_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
