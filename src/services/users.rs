//! Creating, changing and deleting users.
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter,
};
use serde_json::json;

use super::audit::{self, Actor, Event};
use super::error::{ServiceError, ServiceResult};
use super::is_unique_violation;
use crate::clock::Clock;
use crate::domain::audit as action;
use crate::domain::authz::{Action, authorize};
use crate::domain::principal::Principal;
use crate::domain::user::{DirectoryRole, DisplayName, Email, Password, User, UserPrincipalName};
use crate::entities::{
    access_package_draft, catalog_role, group_member, policy_approver, policy_requestor, user,
};
use crate::ids::UserId;
use crate::services::password::{self, new_token};
use crate::services::requests;
use crate::store;

fn upn_taken_or(err: sea_orm::DbErr) -> ServiceError {
    if is_unique_violation(&err) {
        ServiceError::field(
            "user_principal_name",
            "taken",
            "A user with this user principal name already exists.",
        )
    } else {
        err.into()
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

/// A new user's row: enabled, with no password (people who sign in elsewhere need none)
/// and no source; callers set what differs.
pub(crate) fn new_row(
    upn: &UserPrincipalName,
    display_name: &DisplayName,
    email: Option<String>,
    role: DirectoryRole,
    now: time::OffsetDateTime,
) -> user::ActiveModel {
    user::ActiveModel {
        id: Set(UserId::new()),
        user_principal_name: Set(upn.as_str().to_owned()),
        display_name: Set(display_name.as_str().to_owned()),
        email: Set(email),
        directory_role: Set(role.as_str().to_owned()),
        account_enabled: Set(true),
        password_hash: Set(String::new()),
        security_stamp: Set(new_token()),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        former_user_principal_name: Set(None),
        source_system_id: Set(None),
        external_id: Set(None),
        disabled_by_source: Set(false),
        scim_profile: Set(None),
        sso_subject: Set(None),
        optional_email: Set(true),
    }
}

/// Writes the user and its audit event; the caller owns the transaction and the checks.
pub(crate) async fn insert(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    actor: &Actor,
    new: NewUser,
    action_name: &str,
) -> ServiceResult<User> {
    let hash = password::hash(&new.password).await?;
    let now = clock.now();
    let mut row = new_row(
        &new.user_principal_name,
        &new.display_name,
        new.email.into_inner(),
        new.role,
        now,
    );
    row.password_hash = Set(hash);
    let created = User::from(row.insert(db).await.map_err(upn_taken_or)?);
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
    audit::record_as(db, now, actor, event).await?;
    Ok(created)
}

/// `New user` in the admin portal, `gatehouse user add` and `gatehouse demo`.
#[tracing::instrument(skip_all, fields(principal = %principal.name, upn = %new.user_principal_name))]
pub async fn create(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    new: NewUser,
) -> ServiceResult<User> {
    authorize(principal, Action::ManageUser { role: new.role })?;
    let txn = crate::db::write_txn(db).await?;
    let created = insert(&txn, clock, &Actor::from(principal), new, action::ADD_USER).await?;
    txn.commit().await?;
    Ok(created)
}

/// The user `id`, if the principal may see users.
pub async fn get(
    db: &DatabaseConnection,
    principal: &Principal,
    id: UserId,
) -> ServiceResult<User> {
    authorize(principal, Action::ReadDirectory)?;
    store::users::find_by_id(db, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The user `id`, if the principal may manage them; never the principal themselves when
/// `not_self` says so.
async fn manageable(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: UserId,
) -> ServiceResult<user::Model> {
    authorize(principal, Action::ReadDirectory)?;
    let found = user::Entity::find_by_id(id)
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    authorize(
        principal,
        Action::ManageUser {
            role: DirectoryRole::from_stored(&found.directory_role),
        },
    )?;
    Ok(found)
}

/// The user `id`, if the principal may change them (for edit forms).
pub async fn get_manageable(
    db: &DatabaseConnection,
    principal: &Principal,
    id: UserId,
) -> ServiceResult<User> {
    manageable(db, principal, id).await.map(User::from)
}

fn not_for_yourself(message: &str) -> ServiceError {
    ServiceError::Forbidden {
        code: "not_for_yourself",
        message: message.to_owned(),
    }
}

#[tracing::instrument(skip_all, fields(principal = %principal.name, user = %id))]
pub async fn update(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: UserId,
    changes: UserChanges,
) -> ServiceResult<User> {
    let txn = crate::db::write_txn(db).await?;
    let before = manageable(&txn, principal, id).await?;
    let old_role = DirectoryRole::from_stored(&before.directory_role);
    authorize(principal, Action::ManageUser { role: changes.role })?;
    if principal.is(id) && changes.role != old_role {
        return Err(not_for_yourself(
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
    let updated = User::from(row.update(&txn).await.map_err(upn_taken_or)?);
    let event = Event {
        action: action::UPDATE_USER,
        target_type: action::TARGET_USER,
        target_id: Some(updated.id.to_string()),
        target_name: &updated.user_principal_name,
        detail,
    };
    audit::record(&txn, now, principal, event).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Disabling also ends every session the user has.
#[tracing::instrument(skip_all, fields(principal = %principal.name, user = %id, enabled))]
pub async fn set_enabled(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: UserId,
    enabled: bool,
) -> ServiceResult<User> {
    let txn = crate::db::write_txn(db).await?;
    let before = manageable(&txn, principal, id).await?;
    if principal.is(id) {
        return Err(not_for_yourself(
            "You cannot disable or enable your own account.",
        ));
    }
    let updated = change_enabled(&txn, clock.now(), principal, before, enabled, None).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Enables or disables `before` in the caller's transaction, audited. Disabling ends the
/// user's sessions and takes their access away: every active assignment is removed (a
/// system removal) and every waiting request denied; their history stays. `source` names
/// the directory when it is the directory that said so (a later sync may then enable the
/// user again; an administrator's disable it never undoes).
pub(crate) async fn change_enabled(
    db: &impl ConnectionTrait,
    now: time::OffsetDateTime,
    principal: &Principal,
    before: user::Model,
    enabled: bool,
    source: Option<&str>,
) -> Result<User, sea_orm::DbErr> {
    let id = before.id;
    let mut row: user::ActiveModel = before.into();
    row.account_enabled = Set(enabled);
    row.disabled_by_source = Set(!enabled && source.is_some());
    if !enabled {
        row.security_stamp = Set(new_token());
    }
    row.updated_at = Set(now);
    let updated = User::from(row.update(db).await?);
    let mut removed = 0;
    if !enabled {
        let reason = match source {
            Some(source) => format!("{source} disabled the account"),
            None => "the account was disabled".to_owned(),
        };
        removed = requests::remove_all_of_user(db, now, principal, id, &reason).await?;
        // Nobody could deliver what they asked for: their waiting requests are denied.
        requests::deny_waiting_requests(db, now, principal, id, &reason).await?;
    }
    let event = Event {
        action: if enabled {
            action::ENABLE_USER
        } else {
            action::DISABLE_USER
        },
        target_type: action::TARGET_USER,
        target_id: Some(updated.id.to_string()),
        target_name: &updated.user_principal_name,
        detail: json!({ "accountEnabled": enabled, "assignmentsRemoved": removed }),
    };
    audit::record(db, now, principal, event).await?;
    Ok(updated)
}

/// Sets a new password and ends the user's other sessions.
#[tracing::instrument(skip_all, fields(principal = %principal.name, user = %id))]
pub async fn reset_password(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: UserId,
    new_password: &Password,
) -> ServiceResult<User> {
    manageable(db, principal, id).await?;
    let hash = password::hash(new_password).await?;
    let txn = crate::db::write_txn(db).await?;
    let before = manageable(&txn, principal, id).await?;
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
    audit::record(&txn, now, principal, event).await?;
    txn.commit().await?;
    Ok(updated)
}

/// What a deleted person held that is not history: memberships, catalog roles, places in
/// policies (approvers and requestors) and unfinished wizards.
async fn forget_roles(
    db: &impl ConnectionTrait,
    now: time::OffsetDateTime,
    id: UserId,
) -> Result<(), sea_orm::DbErr> {
    let held = sea_orm::Condition::all().add(group_member::Column::UserId.eq(id));
    let governed = crate::store::outbox::governed_pairs(db, held.clone()).await?;
    group_member::Entity::delete_many()
        .filter(held)
        .exec(db)
        .await?;
    crate::store::outbox::enqueue(db, now, &governed).await?;
    catalog_role::Entity::delete_many()
        .filter(catalog_role::Column::UserId.eq(id))
        .exec(db)
        .await?;
    policy_approver::Entity::delete_many()
        .filter(policy_approver::Column::UserId.eq(id))
        .exec(db)
        .await?;
    policy_requestor::Entity::delete_many()
        .filter(policy_requestor::Column::UserId.eq(id))
        .exec(db)
        .await?;
    access_package_draft::Entity::delete_many()
        .filter(access_package_draft::Column::OwnerId.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes the user: their access ends and their memberships and roles go, but the account
/// stays as a tombstone so that requests, assignments and decisions keep their name.
#[tracing::instrument(skip_all, fields(principal = %principal.name, user = %id))]
pub async fn delete(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: UserId,
) -> ServiceResult<User> {
    let txn = crate::db::write_txn(db).await?;
    let before = manageable(&txn, principal, id).await?;
    if principal.is(id) {
        return Err(not_for_yourself("You cannot delete your own account."));
    }
    let gone = User::from(before.clone());
    let now = clock.now();
    // Access ends first, as the system's removal, with the reason on each timeline; the
    // requests, assignments and decisions stay for audits and access reviews.
    let reason = "the account was deleted";
    let removed = requests::remove_all_of_user(&txn, now, principal, id, reason).await?;
    requests::deny_waiting_requests(&txn, now, principal, id, reason).await?;
    let groups = store::groups::of_user(&txn, id).await?;
    forget_roles(&txn, now, id).await?;
    let mut row: user::ActiveModel = before.into();
    row.former_user_principal_name = Set(Some(gone.user_principal_name.clone()));
    // The principal name is freed for a new account; the tombstone keeps its id unique.
    row.user_principal_name = Set(format!("deleted-{id}"));
    row.account_enabled = Set(false);
    row.password_hash = Set(String::new());
    row.security_stamp = Set(new_token());
    row.deleted_at = Set(Some(now));
    row.updated_at = Set(now);
    // A directory that still has the person imports them again as a new account.
    row.source_system_id = Set(None);
    row.external_id = Set(None);
    row.update(&txn).await?;
    let event = Event {
        action: action::DELETE_USER,
        target_type: action::TARGET_USER,
        target_id: Some(gone.id.to_string()),
        target_name: &gone.user_principal_name,
        detail: json!({
            "displayName": gone.display_name,
            "directoryRole": gone.role.label(),
            "removedFromGroups": groups.iter().map(|g| g.display_name.as_str()).collect::<Vec<_>>(),
            "assignmentsRemoved": removed,
        }),
    };
    audit::record(&txn, now, principal, event).await?;
    txn.commit().await?;
    Ok(gone)
}
