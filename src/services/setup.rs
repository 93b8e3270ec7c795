//! The first administrator: created once, through the link printed at the first start.
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait};

use super::error::ServiceError;
use super::is_unique_violation;
use super::users::{self, NewUser};
use crate::clock::Clock;
use crate::domain::audit as action;
use crate::domain::user::{DirectoryRole, User};
use crate::entities::system_state;
use crate::services::audit::Actor;
use crate::store;

const SETUP_DONE: &str = "setup_completed";

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("setup has already been completed")]
    AlreadyDone,
    #[error(transparent)]
    User(#[from] ServiceError),
    #[error(transparent)]
    Unexpected(#[from] sea_orm::DbErr),
}

/// Setup is open while nobody has completed it and the directory has no users.
pub async fn is_open(db: &impl ConnectionTrait) -> Result<bool, sea_orm::DbErr> {
    let done = system_state::Entity::find_by_id(SETUP_DONE.to_owned())
        .one(db)
        .await?
        .is_some();
    Ok(!done && !store::users::any(db).await?)
}

/// Creates the first Global administrator. Two people racing each other get one admin:
/// the "setup done" row has a primary key, so the second insert fails.
pub async fn create_first_admin(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    mut new: NewUser,
    client_ip: Option<String>,
) -> Result<User, SetupError> {
    new.role = DirectoryRole::GlobalAdministrator;
    let txn = crate::db::write_txn(db).await?;
    if !is_open(&txn).await? {
        return Err(SetupError::AlreadyDone);
    }
    let now = clock.now();
    let marker = system_state::ActiveModel {
        key: Set(SETUP_DONE.to_owned()),
        value: Set(now.to_string()),
        updated_at: Set(now),
    };
    if let Err(err) = system_state::Entity::insert(marker)
        .exec_without_returning(&txn)
        .await
    {
        return Err(if is_unique_violation(&err) {
            SetupError::AlreadyDone
        } else {
            err.into()
        });
    }
    let actor = Actor {
        id: None,
        name: new.user_principal_name.to_string(),
        client_ip,
    };
    let admin = users::insert(&txn, clock, &actor, new, action::SETUP_FIRST_ADMIN).await?;
    txn.commit().await?;
    Ok(admin)
}

/// Marks setup as done when users are created another way (`gatehouse user add`, `demo`).
pub async fn close(db: &impl ConnectionTrait, clock: &dyn Clock) -> Result<(), sea_orm::DbErr> {
    let now = clock.now();
    let marker = system_state::ActiveModel {
        key: Set(SETUP_DONE.to_owned()),
        value: Set(now.to_string()),
        updated_at: Set(now),
    };
    match system_state::Entity::insert(marker)
        .exec_without_returning(db)
        .await
    {
        Err(err) if !is_unique_violation(&err) => Err(err),
        _ => Ok(()),
    }
}
