//! Access packages: creating one (with its resource roles and first policy), changing its
//! properties and resource roles, deleting it.
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter,
};
use serde_json::json;

use super::audit::{self, Event};
use super::catalogs::{self, CatalogError};
use super::is_unique_violation;
use super::policies;
use crate::auth::extract::EntitlementManager;
use crate::clock::Clock;
use crate::domain::access_package::{AccessPackage, PackageName};
use crate::domain::audit as action;
use crate::domain::catalog::CatalogAccess;
use crate::domain::group::{Description, MemberRole};
use crate::domain::policy::PolicySpec;
use crate::entities::{access_package, resource_role};
use crate::ids::{AccessPackageId, CatalogId, DraftId, GroupId, ResourceRoleId};
use crate::store;

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("An access package with this name already exists in the catalog.")]
    NameTaken,
    #[error("access package not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    /// A refusal with what to do first, in words for the page.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for PackageError {
    fn from(err: sea_orm::DbErr) -> Self {
        if is_unique_violation(&err) {
            Self::NameTaken
        } else {
            Self::Unexpected(anyhow::Error::new(err).context("access packages"))
        }
    }
}

impl From<CatalogError> for PackageError {
    fn from(err: CatalogError) -> Self {
        match err {
            CatalogError::NotFound => Self::NotFound,
            CatalogError::Forbidden => Self::Forbidden,
            CatalogError::Refused(reason) => Self::Refused(reason),
            CatalogError::NameTaken => Self::Refused(err.to_string()),
            CatalogError::Unexpected(err) => Self::Unexpected(err),
        }
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

/// The package, if the manager may see it and do what `allowed` asks in its catalog.
pub(crate) async fn package_for(
    db: &impl ConnectionTrait,
    manager: &EntitlementManager,
    id: AccessPackageId,
    allowed: fn(&CatalogAccess) -> bool,
) -> Result<AccessPackage, PackageError> {
    let package = store::packages::find(db, id)
        .await?
        .ok_or(PackageError::NotFound)?;
    let access = manager.access(package.catalog_id);
    if !access.read {
        return Err(PackageError::NotFound);
    }
    if !allowed(&access) {
        return Err(PackageError::Forbidden);
    }
    Ok(package)
}

/// Adds the group to the package with `role`; a group from outside the catalog joins the
/// catalog too, which needs the right to manage the catalog's resources.
async fn insert_resource_role(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    manager: &EntitlementManager,
    package: &AccessPackage,
    group_id: GroupId,
    role: MemberRole,
) -> Result<(), PackageError> {
    let group = store::groups::find_by_id(db, group_id)
        .await?
        .ok_or_else(|| PackageError::Refused("That group no longer exists.".to_owned()))?;
    if !store::catalogs::has_resource(db, package.catalog_id, group_id).await? {
        if !manager.access(package.catalog_id).manage_resources {
            return Err(PackageError::Refused(format!(
                "{} is not in this catalog, and only catalog owners can add resources to it.",
                group.display_name
            )));
        }
        let catalog = store::catalogs::find(db, package.catalog_id)
            .await?
            .ok_or(PackageError::NotFound)?;
        catalogs::insert_resource(db, clock, &manager.actor(), &catalog, group_id).await?;
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
            PackageError::Refused(format!(
                "{} is already a resource role of this package as {}.",
                group.display_name,
                role.label()
            ))
        } else {
            err.into()
        });
    }
    let detail = json!({ "resource": group.display_name, "role": role.label() });
    audit::record(
        db,
        clock.now(),
        &manager.actor(),
        package_event(action::ADD_RESOURCE_ROLE, package, detail),
    )
    .await?;
    Ok(())
}

/// Access package managers, catalog owners and directory administrators of the catalog.
pub async fn create(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    manager: &EntitlementManager,
    new: NewPackage,
) -> Result<AccessPackage, PackageError> {
    let access = manager.access(new.catalog_id);
    if !access.manage_packages {
        return Err(PackageError::Forbidden);
    }
    let txn = crate::db::write_txn(db).await?;
    store::catalogs::find(&txn, new.catalog_id)
        .await?
        .ok_or(PackageError::NotFound)?;
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
    let package = AccessPackage::from(row.insert(&txn).await?);
    let detail =
        json!({ "description": package.description, "catalogId": package.catalog_id.to_string() });
    audit::record(
        &txn,
        now,
        &manager.actor(),
        package_event(action::ADD_PACKAGE, &package, detail),
    )
    .await?;
    for (group_id, role) in new.resources {
        insert_resource_role(&txn, clock, manager, &package, group_id, role).await?;
    }
    if let Some(policy) = new.policy {
        policies::insert(&txn, clock, &manager.actor(), &package, &policy).await?;
    }
    if let Some(draft) = new.draft {
        store::drafts::delete(&txn, manager.user().id, draft).await?;
    }
    txn.commit().await?;
    Ok(package)
}

/// `Properties`: name, description, hidden.
pub async fn update(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    manager: &EntitlementManager,
    id: AccessPackageId,
    name: PackageName,
    description: Description,
    is_hidden: bool,
) -> Result<AccessPackage, PackageError> {
    let txn = crate::db::write_txn(db).await?;
    let before = package_for(&txn, manager, id, |a| a.manage_packages).await?;
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
    let updated = AccessPackage::from(row.update(&txn).await?);
    let detail = json!({
        "before": { "displayName": before.display_name, "description": before.description, "hidden": before.is_hidden },
        "after": { "displayName": updated.display_name, "description": updated.description, "hidden": updated.is_hidden },
    });
    audit::record(
        &txn,
        now,
        &manager.actor(),
        package_event(action::UPDATE_PACKAGE, &updated, detail),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes the package with its resource roles and policies.
pub async fn delete(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    manager: &EntitlementManager,
    id: AccessPackageId,
) -> Result<AccessPackage, PackageError> {
    let txn = crate::db::write_txn(db).await?;
    let gone = package_for(&txn, manager, id, |a| a.manage_packages).await?;
    let (assignments, requests) = store::requests::dependents(&txn, id, None).await?;
    if assignments + requests > 0 {
        return Err(PackageError::Refused(dependents_message(
            &gone.display_name,
            assignments,
            requests,
        )));
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
        &manager.actor(),
        package_event(action::DELETE_PACKAGE, &gone, detail),
    )
    .await?;
    txn.commit().await?;
    Ok(gone)
}

/// `Add resource role` on a package's `Resource roles` page.
pub async fn add_resource_role(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    manager: &EntitlementManager,
    id: AccessPackageId,
    group_id: GroupId,
    role: MemberRole,
) -> Result<AccessPackage, PackageError> {
    let txn = crate::db::write_txn(db).await?;
    let package = package_for(&txn, manager, id, |a| a.manage_packages).await?;
    insert_resource_role(&txn, clock, manager, &package, group_id, role).await?;
    txn.commit().await?;
    Ok(package)
}

/// `Remove resource role`.
pub async fn remove_resource_role(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    manager: &EntitlementManager,
    id: AccessPackageId,
    role_id: ResourceRoleId,
) -> Result<String, PackageError> {
    let txn = crate::db::write_txn(db).await?;
    let package = package_for(&txn, manager, id, |a| a.manage_packages).await?;
    let roles = store::packages::resource_roles(&txn, id).await?;
    let role = roles
        .into_iter()
        .find(|r| r.id == role_id)
        .ok_or(PackageError::NotFound)?;
    let (assignments, _) = store::requests::dependents(&txn, id, None).await?;
    if assignments > 0 {
        return Err(PackageError::Refused(format!(
            "{} has {assignments} active {}: removing a resource role now would leave them with access the package no longer grants. Remove access on the Assignments page first.",
            package.display_name,
            if assignments == 1 {
                "assignment"
            } else {
                "assignments"
            }
        )));
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
        &manager.actor(),
        package_event(action::REMOVE_RESOURCE_ROLE, &package, detail),
    )
    .await?;
    txn.commit().await?;
    Ok(role.group_name)
}
