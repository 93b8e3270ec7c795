//! Assignment policies of an access package: add, edit, delete.
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;

use super::audit::{self, Event};
use super::error::{ServiceError, ServiceResult};
use super::packages::{PackageAction, package_for};
use crate::clock::Clock;
use crate::domain::access_package::AccessPackage;
use crate::domain::audit as action;
use crate::domain::policy::{PolicySpec, Subject};
use crate::domain::principal::Principal;
use crate::entities::{assignment_policy, policy_approver, policy_requestor};
use crate::ids::{AccessPackageId, PolicyApproverId, PolicyId, PolicyRequestorId};
use crate::store;

fn policy_event<'a>(
    action_name: &'a str,
    id: PolicyId,
    spec: &'a PolicySpec,
    package: &AccessPackage,
) -> Event<'a> {
    Event {
        action: action_name,
        target_type: action::TARGET_POLICY,
        target_id: Some(id.to_string()),
        target_name: &spec.display_name,
        detail: json!({
            "accessPackage": package.display_name,
            "allowedTargetScope": spec.scope.as_str(),
            "requestors": spec.requestors.len(),
            "isApprovalRequired": spec.approval_required,
            "approvers": spec.approvers.len(),
            "expiration": spec.expiration.label(),
            "enabled": spec.enabled,
        }),
    }
}

/// Checks that the people and groups a policy names still exist, and that its approvers
/// can sign in to decide.
async fn check_subjects(db: &impl ConnectionTrait, spec: &PolicySpec) -> ServiceResult<()> {
    let approvers = store::users::by_ids(db, &spec.approvers).await?;
    if let Some(disabled) = approvers.iter().find(|u| !u.enabled) {
        return Err(ServiceError::field(
            "approver",
            "approver_disabled",
            format!(
                "{} is disabled and could not decide requests. Choose another approver.",
                disabled.display_name
            ),
        ));
    }
    let users: Vec<_> = spec
        .requestors
        .iter()
        .filter_map(|s| {
            if let Subject::User(id) = s {
                Some(*id)
            } else {
                None
            }
        })
        .chain(spec.approvers.iter().copied())
        .collect();
    let groups: Vec<_> = spec
        .requestors
        .iter()
        .filter_map(|s| {
            if let Subject::Group(id) = s {
                Some(*id)
            } else {
                None
            }
        })
        .collect();
    let mut unique_users = users.clone();
    unique_users.sort();
    unique_users.dedup();
    if store::users::by_ids(db, &unique_users).await?.len() != unique_users.len()
        || store::groups::by_ids(db, &groups).await?.len() != groups.len()
    {
        return Err(ServiceError::conflict(
            "subject_gone",
            "Someone picked for this policy no longer exists. Check the requestors and approvers.",
        ));
    }
    Ok(())
}

async fn write_subjects(
    db: &impl ConnectionTrait,
    id: PolicyId,
    spec: &PolicySpec,
) -> Result<(), sea_orm::DbErr> {
    policy_requestor::Entity::delete_many()
        .filter(policy_requestor::Column::PolicyId.eq(id))
        .exec(db)
        .await?;
    policy_approver::Entity::delete_many()
        .filter(policy_approver::Column::PolicyId.eq(id))
        .exec(db)
        .await?;
    for subject in &spec.requestors {
        let (kind, user_id, group_id) = match subject {
            Subject::User(user) => ("user", Some(*user), None),
            Subject::Group(group) => ("group", None, Some(*group)),
        };
        let row = policy_requestor::ActiveModel {
            id: Set(PolicyRequestorId::new()),
            policy_id: Set(id),
            subject_kind: Set(kind.to_owned()),
            user_id: Set(user_id),
            group_id: Set(group_id),
        };
        policy_requestor::Entity::insert(row)
            .exec_without_returning(db)
            .await?;
    }
    for approver in &spec.approvers {
        let row = policy_approver::ActiveModel {
            id: Set(PolicyApproverId::new()),
            policy_id: Set(id),
            user_id: Set(*approver),
        };
        policy_approver::Entity::insert(row)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

fn columns(row: &mut assignment_policy::ActiveModel, spec: &PolicySpec) {
    row.display_name = Set(spec.display_name.clone());
    row.description = Set(spec.description.clone());
    row.allowed_target_scope = Set(spec.scope.as_str().to_owned());
    row.is_approval_required = Set(spec.approval_required);
    row.is_requestor_justification_required = Set(spec.requestor_justification_required);
    row.is_approver_justification_required = Set(spec.approver_justification_required);
    row.approval_duration_days = Set(i32::try_from(spec.approval_days).unwrap_or(14));
    row.expiration_type = Set(spec.expiration.graph_type().to_owned());
    row.expiration_duration = Set(spec.expiration.iso_duration());
    row.expiration_end_date_time = Set(spec.expiration.end_date_time());
    row.can_requestor_specify_schedule = Set(spec.custom_schedule);
    row.is_enabled = Set(spec.enabled);
    row.approval_reminder_days = Set(spec.reminder_days.and_then(|d| i32::try_from(d).ok()));
    row.is_email_enabled = Set(spec.email);
    row.can_extend = Set(spec.extend);
}

/// Writes a new policy and its audit event; the caller owns the transaction and the checks.
pub(crate) async fn insert(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    principal: &Principal,
    package: &AccessPackage,
    spec: &PolicySpec,
) -> ServiceResult<PolicyId> {
    check_subjects(db, spec).await?;
    let now = clock.now();
    let id = PolicyId::new();
    let mut row = assignment_policy::ActiveModel {
        id: Set(id),
        access_package_id: Set(package.id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    columns(&mut row, spec);
    assignment_policy::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    write_subjects(db, id, spec).await?;
    audit::record(
        db,
        now,
        principal,
        policy_event(action::ADD_POLICY, id, spec, package),
    )
    .await?;
    Ok(id)
}

/// `Add policy`.
#[tracing::instrument(skip_all, fields(principal = %principal.name, package = %package))]
pub async fn create(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    package: AccessPackageId,
    spec: &PolicySpec,
) -> ServiceResult<PolicyId> {
    let txn = crate::db::write_txn(db).await?;
    let package = package_for(&txn, principal, package, PackageAction::Manage).await?;
    let id = insert(&txn, clock, principal, &package, spec).await?;
    txn.commit().await?;
    Ok(id)
}

/// Editing a policy replaces all its settings.
#[tracing::instrument(skip_all, fields(principal = %principal.name, id = %id, package = %package))]
pub async fn update(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    package: AccessPackageId,
    id: PolicyId,
    spec: &PolicySpec,
) -> ServiceResult<()> {
    let txn = crate::db::write_txn(db).await?;
    let package = package_for(&txn, principal, package, PackageAction::Manage).await?;
    let existing = assignment_policy::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|p| p.access_package_id == package.id)
        .ok_or(ServiceError::NotFound)?;
    check_subjects(&txn, spec).await?;
    let now = clock.now();
    let mut row: assignment_policy::ActiveModel = existing.into();
    columns(&mut row, spec);
    row.updated_at = Set(now);
    assignment_policy::Entity::update(row).exec(&txn).await?;
    write_subjects(&txn, id, spec).await?;
    audit::record(
        &txn,
        now,
        principal,
        policy_event(action::UPDATE_POLICY, id, spec, &package),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Deletes the policy with its requestors and approvers.
#[tracing::instrument(skip_all, fields(principal = %principal.name, id = %id, package = %package))]
pub async fn delete(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    package: AccessPackageId,
    id: PolicyId,
) -> ServiceResult<String> {
    let txn = crate::db::write_txn(db).await?;
    let package = package_for(&txn, principal, package, PackageAction::Manage).await?;
    // Waits for requests being written under this policy, so the count below sees them.
    assignment_policy::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?;
    let policies = store::packages::policies(&txn, package.id).await?;
    let gone = policies
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(ServiceError::NotFound)?;
    let (assignments, requests) = store::requests::dependents(&txn, package.id, Some(id)).await?;
    if assignments + requests > 0 {
        return Err(ServiceError::conflict(
            "in_use",
            super::packages::dependents_message(&gone.spec.display_name, assignments, requests),
        ));
    }
    assignment_policy::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        clock.now(),
        principal,
        policy_event(action::DELETE_POLICY, id, &gone.spec, &package),
    )
    .await?;
    txn.commit().await?;
    Ok(gone.spec.display_name)
}
