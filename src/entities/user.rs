//! The `users` table.
use sea_orm::entity::prelude::*;

use crate::ids::{ConnectedSystemId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: UserId,
    #[sea_orm(unique)]
    pub user_principal_name: String,
    pub display_name: String,
    pub email: Option<String>,
    pub directory_role: String,
    pub account_enabled: bool,
    pub password_hash: String,
    /// Changes when the password is reset or the account is disabled, which ends every
    /// session that was signed in before.
    pub security_stamp: String,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    /// Set when the user was deleted: the row stays so that history keeps their name.
    pub deleted_at: Option<TimeDateTimeWithTimeZone>,
    /// The principal name a deleted user had (theirs is freed for a new account).
    pub former_user_principal_name: Option<String>,
    /// The connected system the user was imported from, and their entry there (a DN).
    pub source_system_id: Option<ConnectedSystemId>,
    pub external_id: Option<String>,
    /// Disabled because the directory said so: a later sync that finds them enabled there
    /// enables them again (an admin's disable it never undoes).
    pub disabled_by_source: bool,
    /// The `name` and `emails` an identity provider sent over SCIM, as JSON, echoed back.
    pub scim_profile: Option<String>,
    /// Who this user is at the OpenID provider: SHA-256 of its issuer and their subject.
    pub sso_subject: Option<String>,
    /// Whether the person wants the optional emails (warnings before access ends,
    /// reminders).
    pub optional_email: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::group_member::Entity")]
    GroupMember,
}

impl Related<super::group_member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::GroupMember.def()
    }
}

impl Related<super::catalog_role::Entity> for Entity {
    fn to() -> RelationDef {
        super::catalog_role::Relation::User.def().rev()
    }
}

impl ActiveModelBehavior for ActiveModel {}
