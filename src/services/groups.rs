//! Creating and deleting groups, and adding and removing their direct members.
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::audit::{self, Event};
use super::error::{ServiceError, ServiceResult};
use super::is_unique_violation;
use crate::clock::Clock;
use crate::domain::audit as action;
use crate::domain::authz::{Action, authorize};
use crate::domain::group::{
    Description, Group, GroupName, MemberRole, MembershipSource, MembershipType,
};
use crate::domain::principal::Principal;
use crate::domain::user::User;
use crate::entities::{group, group_member};
use crate::ids::{GroupId, MembershipId, UserId};
use crate::services::audit::Actor;
use crate::store;

/// A checked `New group` form.
#[derive(Debug)]
pub struct NewGroup {
    pub name: GroupName,
    pub description: Description,
    pub membership_type: MembershipType,
}

fn name_taken_or(err: sea_orm::DbErr) -> ServiceError {
    if is_unique_violation(&err) {
        ServiceError::field(
            "display_name",
            "taken",
            "A group with this name already exists.",
        )
    } else {
        err.into()
    }
}

pub(crate) async fn insert(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    actor: &Actor,
    new: NewGroup,
) -> ServiceResult<Group> {
    let now = clock.now();
    let row = group::ActiveModel {
        id: Set(GroupId::new()),
        display_name: Set(new.name.as_str().to_owned()),
        name_key: Set(new.name.key()),
        description: Set(new.description.into_inner()),
        membership_type: Set(new.membership_type.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        source_system_id: Set(None),
        external_id: Set(None),
    };
    let created = Group::from(row.insert(db).await.map_err(name_taken_or)?);
    let event = Event {
        action: action::ADD_GROUP,
        target_type: action::TARGET_GROUP,
        target_id: Some(created.id.to_string()),
        target_name: &created.display_name,
        detail: json!({ "description": created.description, "membershipType": created.membership_type.label() }),
    };
    audit::record_as(db, now, actor, event).await?;
    Ok(created)
}

/// `New group`, and `gatehouse demo`.
#[tracing::instrument(skip_all, fields(principal = %principal.name, group = %new.name.as_str()))]
pub async fn create(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    new: NewGroup,
) -> ServiceResult<Group> {
    authorize(principal, Action::ManageGroups)?;
    let txn = crate::db::write_txn(db).await?;
    let created = insert(&txn, clock, &Actor::from(principal), new).await?;
    txn.commit().await?;
    Ok(created)
}

/// The group `id`, if the principal may see the directory.
pub async fn get(
    db: &DatabaseConnection,
    principal: &Principal,
    id: GroupId,
) -> ServiceResult<Group> {
    authorize(principal, Action::ReadDirectory)?;
    store::groups::find_by_id(db, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Deletes the group and every membership in it.
#[tracing::instrument(skip_all, fields(principal = %principal.name, group = %id))]
pub async fn delete(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: GroupId,
) -> ServiceResult<Group> {
    authorize(principal, Action::ManageGroups)?;
    let txn = crate::db::write_txn(db).await?;
    let gone = store::groups::find_by_id(&txn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let catalogs = store::catalogs::catalogs_with_resource(&txn, id).await?;
    if !catalogs.is_empty() {
        return Err(ServiceError::conflict(
            "group_in_catalog",
            format!(
                "{} is a resource of {}. Remove it from the catalog first.",
                gone.display_name,
                catalogs.join(", ")
            ),
        ));
    }
    let members = store::groups::members(&txn, id).await?;
    group_member::Entity::delete_many()
        .filter(group_member::Column::GroupId.eq(id))
        .exec(&txn)
        .await?;
    group::Entity::delete_by_id(id).exec(&txn).await?;
    let event = Event {
        action: action::DELETE_GROUP,
        target_type: action::TARGET_GROUP,
        target_id: Some(gone.id.to_string()),
        target_name: &gone.display_name,
        detail: json!({ "members": members.iter().map(|m| m.user_principal_name.as_str()).collect::<Vec<_>>() }),
    };
    audit::record(&txn, clock.now(), principal, event).await?;
    txn.commit().await?;
    Ok(gone)
}

async fn group_and_user(
    db: &impl ConnectionTrait,
    group_id: GroupId,
    user_id: UserId,
) -> ServiceResult<(Group, User)> {
    let found_group = store::groups::find_by_id(db, group_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let found_user = store::users::find_by_id(db, user_id)
        .await?
        .ok_or_else(|| ServiceError::field("user", "not_found", "That user no longer exists."))?;
    Ok((found_group, found_user))
}

/// Adds `user_id` as a direct member or owner (on top of any membership an assignment
/// grants).
#[tracing::instrument(skip_all, fields(principal = %principal.name, group = %group_id, user = %user_id))]
pub async fn add_member(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    group_id: GroupId,
    user_id: UserId,
    role: MemberRole,
) -> ServiceResult<User> {
    authorize(principal, Action::ManageGroups)?;
    let txn = crate::db::write_txn(db).await?;
    let (target, person) = group_and_user(&txn, group_id, user_id).await?;
    let now = clock.now();
    let row = group_member::ActiveModel {
        id: Set(MembershipId::new()),
        group_id: Set(group_id),
        user_id: Set(user_id),
        role: Set(role.as_str().to_owned()),
        source_kind: Set(MembershipSource::Direct.as_str().to_owned()),
        source_id: Set(Uuid::nil()),
        created_at: Set(now),
    };
    if let Err(err) = group_member::Entity::insert(row)
        .exec_without_returning(&txn)
        .await
    {
        return Err(if is_unique_violation(&err) {
            ServiceError::conflict(
                "already_member",
                format!(
                    "{} is already a direct {} of this group.",
                    person.display_name,
                    role.label().to_lowercase()
                ),
            )
        } else {
            err.into()
        });
    }
    let event = Event {
        action: action::ADD_MEMBER,
        target_type: action::TARGET_GROUP,
        target_id: Some(target.id.to_string()),
        target_name: &target.display_name,
        detail: json!({ "member": person.user_principal_name, "source": "direct", "role": role.label() }),
    };
    audit::record(&txn, now, principal, event).await?;
    deliver_direct(&txn, now, group_id, user_id, role).await?;
    txn.commit().await?;
    Ok(person)
}

/// Removes the direct membership only: access an assignment grants stays until the
/// assignment ends.
#[tracing::instrument(skip_all, fields(principal = %principal.name, group = %group_id, user = %user_id))]
pub async fn remove_member(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    group_id: GroupId,
    user_id: UserId,
    role: MemberRole,
) -> ServiceResult<User> {
    authorize(principal, Action::ManageGroups)?;
    let txn = crate::db::write_txn(db).await?;
    let (target, person) = group_and_user(&txn, group_id, user_id).await?;
    let removed = group_member::Entity::delete_many()
        .filter(group_member::Column::GroupId.eq(group_id))
        .filter(group_member::Column::UserId.eq(user_id))
        .filter(group_member::Column::Role.eq(role.as_str()))
        .filter(group_member::Column::SourceKind.eq(MembershipSource::Direct.as_str()))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(ServiceError::conflict(
            "not_direct_member",
            format!(
                "{} is not a direct {} of this group.",
                person.display_name,
                role.label().to_lowercase()
            ),
        ));
    }
    let event = Event {
        action: action::REMOVE_MEMBER,
        target_type: action::TARGET_GROUP,
        target_id: Some(target.id.to_string()),
        target_name: &target.display_name,
        detail: json!({ "member": person.user_principal_name, "source": "direct", "role": role.label() }),
    };
    audit::record(&txn, clock.now(), principal, event).await?;
    deliver_direct(&txn, clock.now(), group_id, user_id, role).await?;
    txn.commit().await?;
    Ok(person)
}

/// A direct membership changed: when the group is governed in a connected system, the
/// change goes to its outbox (owners stay in Gatehouse).
async fn deliver_direct(
    db: &impl ConnectionTrait,
    now: time::OffsetDateTime,
    group: GroupId,
    user: UserId,
    role: MemberRole,
) -> Result<(), sea_orm::DbErr> {
    if role != MemberRole::Member {
        return Ok(());
    }
    let governed = store::outbox::governed_among(db, &[(group, user, None)]).await?;
    store::outbox::enqueue(db, now, &governed).await
}
