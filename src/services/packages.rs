//! Access packages: creating one (with its resource roles and first policy), changing its
//! properties and resource roles, deleting it.
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter,
};
use serde_json::json;

use super::audit::{self, Event};
use super::catalogs;
use super::error::{ServiceError, ServiceResult};
use super::is_unique_violation;
use super::policies;
use crate::clock::Clock;
use crate::domain::access_package::{AccessPackage, PackageName};
use crate::domain::audit as action;
use crate::domain::authz::{Action, authorize};
use crate::domain::catalog::Catalog;
use crate::domain::group::{Description, Group, MemberRole};
use crate::domain::page::PageRequest;
use crate::domain::policy::PolicySpec;
use crate::domain::principal::Principal;
use crate::entities::{access_package, resource_role};
use crate::ids::{AccessPackageId, CatalogId, DraftId, GroupId, ResourceRoleId};
use crate::store;

fn name_taken_or(err: sea_orm::DbErr) -> ServiceError {
    if is_unique_violation(&err) {
        ServiceError::field(
            "display_name",
            "taken",
            "An access package with this name already exists in the catalog.",
        )
    } else {
        err.into()
    }
}

/// Why something cannot be deleted yet, and what to do first.
pub fn dependents_message(what: &str, assignments: u64, requests: u64) -> String {
    let mut parts = Vec::new();
    if assignments > 0 {
        parts.push(format!(
            "{assignments} active {}",
            if assignments == 1 {
                "assignment"
            } else {
                "assignments"
            }
        ));
    }
    if requests > 0 {
        parts.push(format!(
            "{requests} pending {}",
            if requests == 1 { "request" } else { "requests" }
        ));
    }
    format!(
        "{what} has {}. Remove access on the Assignments page{} first.",
        parts.join(" and "),
        if requests > 0 {
            " and let the pending requests be decided or canceled"
        } else {
            ""
        }
    )
}

/// Everything `Review + create` creates at once.
#[derive(Debug)]
pub struct NewPackage {
    pub name: PackageName,
    pub description: Description,
    pub catalog_id: CatalogId,
    pub resources: Vec<(GroupId, MemberRole)>,
    /// None: "Will create later".
    pub policy: Option<PolicySpec>,
    /// The wizard draft this came from, dropped in the same transaction.
    pub draft: Option<DraftId>,
}

pub(crate) fn package_event<'a>(
    action_name: &'a str,
    package: &'a AccessPackage,
    detail: serde_json::Value,
) -> Event<'a> {
    Event {
        action: action_name,
        target_type: action::TARGET_PACKAGE,
        target_id: Some(package.id.to_string()),
        target_name: &package.display_name,
        detail,
    }
}

/// What a principal may want to do with a package in its catalog.
#[derive(Clone, Copy, Debug)]
pub enum PackageAction {
    Read,
    Manage,
    ManageAssignments,
}

impl PackageAction {
    fn in_catalog(self, catalog: CatalogId) -> Action<'static> {
        match self {
            Self::Read => Action::ReadCatalog(catalog),
            Self::Manage => Action::ManagePackages(catalog),
            Self::ManageAssignments => Action::ManageAssignments(catalog),
        }
    }
}

/// The package, if the principal may see its catalog and do `what` there.
pub(crate) async fn package_for(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: AccessPackageId,
    what: PackageAction,
) -> ServiceResult<AccessPackage> {
    // Nobody without a catalog role or directory role may learn which packages exist.
    authorize(principal, Action::UseAdminPortal).map_err(|_| ServiceError::NotFound)?;
    let package = store::packages::find(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    authorize(principal, Action::ReadCatalog(package.catalog_id))?;
    authorize(principal, what.in_catalog(package.catalog_id))?;
    Ok(package)
}

/// A package with its catalog, for the admin portal's package pages.
#[tracing::instrument(skip_all, fields(principal = %principal.name, id = %id))]
pub async fn get(
    db: &DatabaseConnection,
    principal: &Principal,
    id: AccessPackageId,
) -> ServiceResult<(AccessPackage, Catalog)> {
    let package = package_for(db, principal, id, PackageAction::Read).await?;
    let catalog = store::catalogs::find(db, package.catalog_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok((package, catalog))
}

/// The one group picker of `Resource roles` (in the wizard and on a package): the
/// catalog's groups matching `search`, and with `outside`, the groups the principal may
/// bring into the catalog too. Also says whether `outside` is open to the principal.
#[tracing::instrument(skip_all, fields(principal = %principal.name))]
pub async fn pickable_groups(
    db: &DatabaseConnection,
    principal: &Principal,
    catalog: CatalogId,
    search: &str,
    outside: bool,
) -> ServiceResult<(Vec<Group>, bool)> {
    authorize(principal, Action::ManagePackages(catalog))?;
    let can_add_outside = authorize(principal, Action::ManageResources(catalog)).is_ok();
    let needle = search.to_lowercase();
    let mut groups = store::catalogs::resources(db, catalog).await?;
    groups.retain(|g| g.display_name.to_lowercase().contains(&needle));
    if outside && can_add_outside {
        let first = PageRequest {
            page: 1,
            per_page: 100,
        };
        let more = catalogs::addable_groups(db, principal, catalog, search, first).await?;
        groups.extend(more.items);
        groups.sort_by_key(|g| g.display_name.to_lowercase());
    }
    Ok((groups, can_add_outside))
}

/// Adds the group to the package with `role`; a group from outside the catalog joins the
/// catalog too, which needs the right to manage the catalog's resources.
async fn insert_resource_role(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    principal: &Principal,
    package: &AccessPackage,
    group_id: GroupId,
    role: MemberRole,
) -> ServiceResult<()> {
    let group = store::groups::find_by_id(db, group_id)
        .await?
        .ok_or_else(|| ServiceError::conflict("group_gone", "That group no longer exists."))?;
    if !store::catalogs::has_resource(db, package.catalog_id, group_id).await? {
        if authorize(principal, Action::ManageResources(package.catalog_id)).is_err() {
            return Err(ServiceError::conflict(
                "not_in_catalog",
                format!(
                    "{} is not in this catalog, and only catalog owners can add resources to it.",
                    group.display_name
                ),
            ));
        }
        let catalog = store::catalogs::find(db, package.catalog_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        catalogs::insert_resource(db, clock, principal, &catalog, group_id).await?;
    }
    let row = resource_role::ActiveModel {
        id: Set(ResourceRoleId::new()),
        access_package_id: Set(package.id),
        group_id: Set(group_id),
        role: Set(role.as_str().to_owned()),
        created_at: Set(clock.now()),
    };
    if let Err(err) = resource_role::Entity::insert(row)
        .exec_without_returning(db)
        .await
    {
        return Err(if is_unique_violation(&err) {
            ServiceError::conflict(
                "already_resource_role",
                format!(
                    "{} is already a resource role of this package as {}.",
                    group.display_name,
                    role.label()
                ),
            )
        } else {
            err.into()
        });
    }
    // As in Entra, people who already have the package get the new role at once.
    let granted = super::delivery::grant_role_to_current_assignees(
        db,
        clock.now(),
        package.id,
        group_id,
        role,
    )
    .await?;
    let detail = json!({ "resource": group.display_name, "role": role.label(), "deliveredToCurrentAssignees": granted });
    audit::record(
        db,
        clock.now(),
        principal,
        package_event(action::ADD_RESOURCE_ROLE, package, detail),
    )
    .await?;
    Ok(())
}

/// Access package managers, catalog owners and directory administrators of the catalog.
#[tracing::instrument(skip_all, fields(principal = %principal.name))]
pub async fn create(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    new: NewPackage,
) -> ServiceResult<AccessPackage> {
    let txn = crate::db::write_txn(db).await?;
    catalogs::catalog_for(
        &txn,
        principal,
        new.catalog_id,
        Action::ManagePackages(new.catalog_id),
    )
    .await?;
    let now = clock.now();
    let row = access_package::ActiveModel {
        id: Set(AccessPackageId::new()),
        catalog_id: Set(new.catalog_id),
        display_name: Set(new.name.as_str().to_owned()),
        name_key: Set(new.name.key()),
        description: Set(new.description.into_inner()),
        is_hidden: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let package = AccessPackage::from(row.insert(&txn).await.map_err(name_taken_or)?);
    let detail =
        json!({ "description": package.description, "catalogId": package.catalog_id.to_string() });
    audit::record(
        &txn,
        now,
        principal,
        package_event(action::ADD_PACKAGE, &package, detail),
    )
    .await?;
    for (group_id, role) in new.resources {
        insert_resource_role(&txn, clock, principal, &package, group_id, role).await?;
    }
    if let Some(policy) = new.policy {
        policies::insert(&txn, clock, principal, &package, &policy).await?;
    }
    if let (Some(draft), Some(owner)) = (new.draft, principal.user_id) {
        store::drafts::delete(&txn, owner, draft).await?;
    }
    txn.commit().await?;
    Ok(package)
}

/// `Properties`: name, description, hidden.
#[tracing::instrument(skip_all, fields(principal = %principal.name, id = %id))]
pub async fn update(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: AccessPackageId,
    name: PackageName,
    description: Description,
    is_hidden: bool,
) -> ServiceResult<AccessPackage> {
    let txn = crate::db::write_txn(db).await?;
    let before = package_for(&txn, principal, id, PackageAction::Manage).await?;
    let now = clock.now();
    let row = access_package::ActiveModel {
        id: Set(id),
        display_name: Set(name.as_str().to_owned()),
        name_key: Set(name.key()),
        description: Set(description.into_inner()),
        is_hidden: Set(is_hidden),
        updated_at: Set(now),
        ..Default::default()
    };
    let updated = AccessPackage::from(row.update(&txn).await.map_err(name_taken_or)?);
    let detail = json!({
        "before": { "displayName": before.display_name, "description": before.description, "hidden": before.is_hidden },
        "after": { "displayName": updated.display_name, "description": updated.description, "hidden": updated.is_hidden },
    });
    audit::record(
        &txn,
        now,
        principal,
        package_event(action::UPDATE_PACKAGE, &updated, detail),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes the package with its resource roles and policies.
#[tracing::instrument(skip_all, fields(principal = %principal.name, id = %id))]
pub async fn delete(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: AccessPackageId,
) -> ServiceResult<AccessPackage> {
    let txn = crate::db::write_txn(db).await?;
    let gone = package_for(&txn, principal, id, PackageAction::Manage).await?;
    let (assignments, requests) = store::requests::dependents(&txn, id, None).await?;
    if assignments + requests > 0 {
        return Err(ServiceError::conflict(
            "in_use",
            dependents_message(&gone.display_name, assignments, requests),
        ));
    }
    let policies = store::packages::policies(&txn, id).await?;
    let roles = store::packages::resource_roles(&txn, id).await?;
    access_package::Entity::delete_by_id(id).exec(&txn).await?;
    let detail = json!({
        "policies": policies.iter().map(|p| p.spec.display_name.as_str()).collect::<Vec<_>>(),
        "resourceRoles": roles.iter().map(|r| format!("{} ({})", r.group_name, r.role.label())).collect::<Vec<_>>(),
    });
    audit::record(
        &txn,
        clock.now(),
        principal,
        package_event(action::DELETE_PACKAGE, &gone, detail),
    )
    .await?;
    txn.commit().await?;
    Ok(gone)
}

/// `Add resource role` on a package's `Resource roles` page.
#[tracing::instrument(skip_all, fields(principal = %principal.name, id = %id, group_id = %group_id))]
pub async fn add_resource_role(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: AccessPackageId,
    group_id: GroupId,
    role: MemberRole,
) -> ServiceResult<AccessPackage> {
    let txn = crate::db::write_txn(db).await?;
    let package = package_for(&txn, principal, id, PackageAction::Manage).await?;
    insert_resource_role(&txn, clock, principal, &package, group_id, role).await?;
    txn.commit().await?;
    Ok(package)
}

/// `Remove resource role`.
#[tracing::instrument(skip_all, fields(principal = %principal.name, id = %id, role_id = %role_id))]
pub async fn remove_resource_role(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: AccessPackageId,
    role_id: ResourceRoleId,
) -> ServiceResult<String> {
    let txn = crate::db::write_txn(db).await?;
    let package = package_for(&txn, principal, id, PackageAction::Manage).await?;
    let roles = store::packages::resource_roles(&txn, id).await?;
    let role = roles
        .into_iter()
        .find(|r| r.id == role_id)
        .ok_or(ServiceError::NotFound)?;
    let (assignments, _) = store::requests::dependents(&txn, id, None).await?;
    if assignments > 0 {
        return Err(ServiceError::conflict(
            "in_use",
            format!(
                "{} has {assignments} active {}: removing a resource role now would leave them with access the package no longer grants. Remove access on the Assignments page first.",
                package.display_name,
                if assignments == 1 {
                    "assignment"
                } else {
                    "assignments"
                }
            ),
        ));
    }
    resource_role::Entity::delete_many()
        .filter(resource_role::Column::Id.eq(role_id))
        .filter(resource_role::Column::AccessPackageId.eq(id))
        .exec(&txn)
        .await?;
    let detail = json!({ "resource": role.group_name, "role": role.role.label() });
    audit::record(
        &txn,
        clock.now(),
        principal,
        package_event(action::REMOVE_RESOURCE_ROLE, &package, detail),
    )
    .await?;
    txn.commit().await?;
    Ok(role.group_name)
}
