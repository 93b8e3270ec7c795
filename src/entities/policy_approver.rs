//! The `policy_approvers` table.
use sea_orm::entity::prelude::*;

use crate::ids::{PolicyApproverId, PolicyId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "policy_approvers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: PolicyApproverId,
    pub policy_id: PolicyId,
    pub user_id: UserId,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
