//! The `policy_requestors` table: the specific users and groups a policy lets request.
use sea_orm::entity::prelude::*;

use crate::ids::{GroupId, PolicyId, PolicyRequestorId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "policy_requestors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: PolicyRequestorId,
    pub policy_id: PolicyId,
    /// `user` or `group`.
    pub subject_kind: String,
    pub user_id: Option<UserId>,
    pub group_id: Option<GroupId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
