//! Creating, changing and deleting users.
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait,
};
use serde_json::json;

use super::audit::{self, Actor, Event};
use super::is_unique_violation;
use crate::auth::extract::DirectoryAdmin;
use crate::auth::password;
use crate::auth::session::new_token;
use crate::clock::Clock;
use crate::domain::audit as action;
use crate::domain::user::{DirectoryRole, DisplayName, Email, Password, User, UserPrincipalName};
use crate::entities::user;
use crate::ids::UserId;
use crate::store;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("A user with this user principal name already exists.")]
    UpnTaken,
    #[error("A User administrator cannot create, change or delete a Global administrator.")]
    NotAllowed,
    #[error("{0}")]
    NotForYourself(&'static str),
    #[error("user not found")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for UserError {
    fn from(err: sea_orm::DbErr) -> Self {
        if is_unique_violation(&err) {
            Self::UpnTaken
        } else {
            Self::Unexpected(anyhow::Error::new(err).context("users"))
        }
    }
}

/// A checked `New user` form.
#[derive(Debug)]
pub struct NewUser {
    pub display_name: DisplayName,
    pub user_principal_name: UserPrincipalName,
    pub email: Email,
    pub role: DirectoryRole,
    pub password: Password,
}

/// A checked edit form.
#[derive(Debug)]
pub struct UserChanges {
    pub display_name: DisplayName,
    pub user_principal_name: UserPrincipalName,
    pub email: Email,
    pub role: DirectoryRole,
}

/// Writes the user and its audit event; the caller owns the transaction and the checks.
pub(crate) async fn insert(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    actor: &Actor,
    new: NewUser,
    action_name: &str,
) -> Result<User, UserError> {
    let hash = password::hash(&new.password).await?;
    let now = clock.now();
    let row = user::ActiveModel {
        id: Set(UserId::new()),
        user_principal_name: Set(new.user_principal_name.as_str().to_owned()),
        display_name: Set(new.display_name.as_str().to_owned()),
        email: Set(new.email.into_inner()),
        directory_role: Set(new.role.as_str().to_owned()),
        account_enabled: Set(true),
        password_hash: Set(hash),
        security_stamp: Set(new_token()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let created = User::from(row.insert(db).await?);
    let event = Event {
        action: action_name,
        target_type: action::TARGET_USER,
        target_id: Some(created.id.to_string()),
        target_name: &created.user_principal_name,
        detail: json!({
            "displayName": created.display_name,
            "userPrincipalName": created.user_principal_name,
            "directoryRole": created.role.label(),
        }),
    };
    audit::record(db, now, actor, event).await?;
    Ok(created)
}

/// `New user` in the admin portal.
pub async fn create(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    admin: &DirectoryAdmin,
    new: NewUser,
) -> Result<User, UserError> {
    if !admin.user().role.can_manage(new.role) {
        return Err(UserError::NotAllowed);
    }
    let txn = crate::db::write_txn(db).await?;
    let created = insert(&txn, clock, &admin.actor(), new, action::ADD_USER).await?;
    txn.commit().await?;
    Ok(created)
}

/// `gatehouse user add` and `gatehouse demo`: trusted, from the machine's console.
pub async fn create_from_console(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    new: NewUser,
) -> Result<User, UserError> {
    let txn = crate::db::write_txn(db).await?;
    let created = insert(&txn, clock, &Actor::command_line(), new, action::ADD_USER).await?;
    txn.commit().await?;
    Ok(created)
}

/// The user `id`, if the admin may manage them.
async fn manageable(
    db: &impl ConnectionTrait,
    admin: &DirectoryAdmin,
    id: UserId,
) -> Result<user::Model, UserError> {
    let found = user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(UserError::NotFound)?;
    if !admin
        .user()
        .role
        .can_manage(DirectoryRole::from_stored(&found.directory_role))
    {
        return Err(UserError::NotAllowed);
    }
    Ok(found)
}

pub async fn update(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    admin: &DirectoryAdmin,
    id: UserId,
    changes: UserChanges,
) -> Result<User, UserError> {
    let txn = crate::db::write_txn(db).await?;
    let before = manageable(&txn, admin, id).await?;
    let old_role = DirectoryRole::from_stored(&before.directory_role);
    if !admin.user().role.can_manage(changes.role) {
        return Err(UserError::NotAllowed);
    }
    if id == admin.user().id && changes.role != old_role {
        return Err(UserError::NotForYourself(
            "You cannot change your own directory role.",
        ));
    }
    let now = clock.now();
    let detail = json!({
        "before": { "displayName": before.display_name, "userPrincipalName": before.user_principal_name, "email": before.email, "directoryRole": old_role.label() },
        "after": { "displayName": changes.display_name.as_str(), "userPrincipalName": changes.user_principal_name.as_str(), "directoryRole": changes.role.label() },
    });
    let mut row: user::ActiveModel = before.into();
    row.display_name = Set(changes.display_name.as_str().to_owned());
    row.user_principal_name = Set(changes.user_principal_name.as_str().to_owned());
    row.email = Set(changes.email.into_inner());
    row.directory_role = Set(changes.role.as_str().to_owned());
    row.updated_at = Set(now);
    let updated = User::from(row.update(&txn).await?);
    let event = Event {
        action: action::UPDATE_USER,
        target_type: action::TARGET_USER,
        target_id: Some(updated.id.to_string()),
        target_name: &updated.user_principal_name,
        detail,
    };
    audit::record(&txn, now, &admin.actor(), event).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Disabling also ends every session the user has.
pub async fn set_enabled(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    admin: &DirectoryAdmin,
    id: UserId,
    enabled: bool,
) -> Result<User, UserError> {
    if id == admin.user().id {
        return Err(UserError::NotForYourself(
            "You cannot disable or enable your own account.",
        ));
    }
    let txn = crate::db::write_txn(db).await?;
    let before = manageable(&txn, admin, id).await?;
    let now = clock.now();
    let mut row: user::ActiveModel = before.into();
    row.account_enabled = Set(enabled);
    if !enabled {
        row.security_stamp = Set(new_token());
    }
    row.updated_at = Set(now);
    let updated = User::from(row.update(&txn).await?);
    let event = Event {
        action: if enabled {
            action::ENABLE_USER
        } else {
            action::DISABLE_USER
        },
        target_type: action::TARGET_USER,
        target_id: Some(updated.id.to_string()),
        target_name: &updated.user_principal_name,
        detail: json!({ "accountEnabled": enabled }),
    };
    audit::record(&txn, now, &admin.actor(), event).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Sets a new password and ends the user's other sessions.
pub async fn reset_password(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    admin: &DirectoryAdmin,
    id: UserId,
    new_password: &Password,
) -> Result<User, UserError> {
    let hash = password::hash(new_password).await?;
    let txn = crate::db::write_txn(db).await?;
    let before = manageable(&txn, admin, id).await?;
    let now = clock.now();
    let mut row: user::ActiveModel = before.into();
    row.password_hash = Set(hash);
    row.security_stamp = Set(new_token());
    row.updated_at = Set(now);
    let updated = User::from(row.update(&txn).await?);
    let event = Event {
        action: action::RESET_PASSWORD,
        target_type: action::TARGET_USER,
        target_id: Some(updated.id.to_string()),
        target_name: &updated.user_principal_name,
        detail: json!({}),
    };
    audit::record(&txn, now, &admin.actor(), event).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes the user and their group memberships; the audit log keeps their name.
pub async fn delete(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    admin: &DirectoryAdmin,
    id: UserId,
) -> Result<User, UserError> {
    if id == admin.user().id {
        return Err(UserError::NotForYourself(
            "You cannot delete your own account.",
        ));
    }
    let txn = crate::db::write_txn(db).await?;
    let before = manageable(&txn, admin, id).await?;
    let gone = User::from(before.clone());
    let groups = store::groups::of_user(&txn, id).await?;
    user::Entity::delete_by_id(id).exec(&txn).await?;
    let event = Event {
        action: action::DELETE_USER,
        target_type: action::TARGET_USER,
        target_id: Some(gone.id.to_string()),
        target_name: &gone.user_principal_name,
        detail: json!({
            "displayName": gone.display_name,
            "directoryRole": gone.role.label(),
            "removedFromGroups": groups.iter().map(|g| g.display_name.as_str()).collect::<Vec<_>>(),
        }),
    };
    audit::record(&txn, clock.now(), &admin.actor(), event).await?;
    txn.commit().await?;
    Ok(gone)
}
