//! Catalogs: creating and deleting them, their resources and their roles.
use sea_orm::sea_query::{ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::json;

use super::audit::{self, Event};
use super::error::{ServiceError, ServiceResult};
use super::is_unique_violation;
use crate::clock::Clock;
use crate::domain::audit as action;
use crate::domain::authz::{Action, GroupFacts, authorize};
use crate::domain::catalog::{Catalog, CatalogName, CatalogRole, DEFAULT_CATALOG_NAME};
use crate::domain::group::{Description, Group};
use crate::domain::page::{Page, PageRequest};
use crate::domain::principal::Principal;
use crate::entities::{access_package, catalog, catalog_resource, catalog_role, resource_role};
use crate::ids::{CatalogId, CatalogResourceId, CatalogRoleId, GroupId, UserId};
use crate::store;

/// A checked `New catalog` or edit form.
#[derive(Debug)]
pub struct CatalogFields {
    pub name: CatalogName,
    pub description: Description,
    pub is_enabled: bool,
    pub is_externally_visible: bool,
}

/// Creates the `Default catalog` on first start. Several instances starting at once agree:
/// the name is unique, so only one insert wins.
pub async fn ensure_default(
    db: &DatabaseConnection,
    clock: &dyn Clock,
) -> Result<(), sea_orm::DbErr> {
    if store::catalogs::default_catalog(db).await?.is_some() {
        return Ok(());
    }
    let now = clock.now();
    let row = catalog::ActiveModel {
        id: Set(CatalogId::new()),
        display_name: Set(DEFAULT_CATALOG_NAME.to_owned()),
        name_key: Set(DEFAULT_CATALOG_NAME.to_lowercase()),
        description: Set("Built-in catalog.".to_owned()),
        is_enabled: Set(true),
        is_externally_visible: Set(true),
        is_default: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match catalog::Entity::insert(row)
        .exec_without_returning(db)
        .await
    {
        Err(err) if !is_unique_violation(&err) => Err(err),
        _ => Ok(()),
    }
}

/// The catalog, if the principal may do `action` (which names it).
pub(crate) async fn catalog_for(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: CatalogId,
    action: Action<'_>,
) -> ServiceResult<Catalog> {
    authorize(principal, Action::ReadCatalog(id))?;
    let found = store::catalogs::find(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    authorize(principal, action)?;
    Ok(found)
}

/// The catalog `id`, if the principal may see it.
#[tracing::instrument(skip_all, fields(principal = %principal.name, id = %id))]
pub async fn get(
    db: &DatabaseConnection,
    principal: &Principal,
    id: CatalogId,
) -> ServiceResult<Catalog> {
    catalog_for(db, principal, id, Action::ReadCatalog(id)).await
}

fn catalog_event<'a>(
    action_name: &'a str,
    catalog: &'a Catalog,
    detail: serde_json::Value,
) -> Event<'a> {
    Event {
        action: action_name,
        target_type: action::TARGET_CATALOG,
        target_id: Some(catalog.id.to_string()),
        target_name: &catalog.display_name,
        detail,
    }
}

/// Directory administrators.
#[tracing::instrument(skip_all, fields(principal = %principal.name))]
pub async fn create(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    fields: CatalogFields,
) -> ServiceResult<Catalog> {
    authorize(principal, Action::CreateCatalog)?;
    let now = clock.now();
    let txn = crate::db::write_txn(db).await?;
    let row = catalog::ActiveModel {
        id: Set(CatalogId::new()),
        display_name: Set(fields.name.as_str().to_owned()),
        name_key: Set(fields.name.key()),
        description: Set(fields.description.into_inner()),
        is_enabled: Set(fields.is_enabled),
        is_externally_visible: Set(fields.is_externally_visible),
        is_default: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let created = Catalog::from(row.insert(&txn).await.map_err(name_taken_or)?);
    let detail = json!({ "description": created.description, "enabled": created.is_enabled, "enabledForExternalUsers": created.is_externally_visible });
    audit::record(
        &txn,
        now,
        principal,
        catalog_event(action::ADD_CATALOG, &created, detail),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

fn name_taken_or(err: sea_orm::DbErr) -> ServiceError {
    if is_unique_violation(&err) {
        ServiceError::field(
            "display_name",
            "taken",
            "A catalog with this name already exists.",
        )
    } else {
        err.into()
    }
}

/// Catalog owners and directory administrators.
#[tracing::instrument(skip_all, fields(principal = %principal.name, id = %id))]
pub async fn update(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: CatalogId,
    fields: CatalogFields,
) -> ServiceResult<Catalog> {
    let txn = crate::db::write_txn(db).await?;
    let before = catalog_for(&txn, principal, id, Action::ManageCatalog(id)).await?;
    let now = clock.now();
    let row = catalog::ActiveModel {
        id: Set(id),
        display_name: Set(fields.name.as_str().to_owned()),
        name_key: Set(fields.name.key()),
        description: Set(fields.description.into_inner()),
        is_enabled: Set(fields.is_enabled),
        is_externally_visible: Set(fields.is_externally_visible),
        updated_at: Set(now),
        ..Default::default()
    };
    let updated = Catalog::from(row.update(&txn).await.map_err(name_taken_or)?);
    let detail = json!({
        "before": { "displayName": before.display_name, "description": before.description, "enabled": before.is_enabled },
        "after": { "displayName": updated.display_name, "description": updated.description, "enabled": updated.is_enabled },
    });
    audit::record(
        &txn,
        now,
        principal,
        catalog_event(action::UPDATE_CATALOG, &updated, detail),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Catalog owners and directory administrators; never the Default catalog, never one that
/// still has access packages.
#[tracing::instrument(skip_all, fields(principal = %principal.name, id = %id))]
pub async fn delete(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: CatalogId,
) -> ServiceResult<Catalog> {
    let txn = crate::db::write_txn(db).await?;
    let gone = catalog_for(&txn, principal, id, Action::ManageCatalog(id)).await?;
    if gone.is_default {
        return Err(ServiceError::conflict(
            "refused",
            "The Default catalog cannot be deleted.",
        ));
    }
    let packages = access_package::Entity::find()
        .filter(access_package::Column::CatalogId.eq(id))
        .count(&txn)
        .await?;
    if packages > 0 {
        return Err(ServiceError::conflict(
            "refused",
            format!(
                "{} still has {packages} access {}. Delete {} first.",
                gone.display_name,
                if packages == 1 { "package" } else { "packages" },
                if packages == 1 { "it" } else { "them" }
            ),
        ));
    }
    catalog::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        clock.now(),
        principal,
        catalog_event(action::DELETE_CATALOG, &gone, json!({})),
    )
    .await?;
    txn.commit().await?;
    Ok(gone)
}

/// Adds a group to the catalog; the caller owns the transaction and the permission check.
pub(crate) async fn insert_resource(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    principal: &Principal,
    catalog: &Catalog,
    group_id: GroupId,
) -> ServiceResult<()> {
    let group = store::groups::find_by_id(db, group_id)
        .await?
        .ok_or_else(|| ServiceError::conflict("refused", "That group no longer exists."))?;
    let facts = GroupFacts {
        owned_by_principal: match principal.user_id {
            Some(me) => store::catalogs::is_group_owner(db, group_id, me).await?,
            None => false,
        },
        in_other_catalog: store::catalogs::in_other_catalog(db, group_id, catalog.id).await?,
    };
    authorize(
        principal,
        Action::AddGroupToCatalog {
            catalog: catalog.id,
            group: facts,
        },
    )?;
    let now = clock.now();
    let row = catalog_resource::ActiveModel {
        id: Set(CatalogResourceId::new()),
        catalog_id: Set(catalog.id),
        group_id: Set(group_id),
        created_at: Set(now),
    };
    // Two people adding the same group at once: the second insert does nothing, which
    // keeps the transaction usable on PostgreSQL (a failed insert would abort it).
    let inserted = catalog_resource::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                catalog_resource::Column::CatalogId,
                catalog_resource::Column::GroupId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    if inserted == 0 {
        return Ok(());
    }
    let detail = json!({ "resource": group.display_name, "resourceType": "Group" });
    audit::record(
        db,
        now,
        principal,
        catalog_event(action::ADD_CATALOG_RESOURCE, catalog, detail),
    )
    .await?;
    Ok(())
}

/// Groups the principal may add to the catalog (the "not yet in the catalog" pickers):
/// administrators see every group outside it; catalog owners only the groups they own that
/// no catalog governs yet.
#[tracing::instrument(skip_all, fields(principal = %principal.name, id = %id))]
pub async fn addable_groups(
    db: &DatabaseConnection,
    principal: &Principal,
    id: CatalogId,
    search: &str,
    page: PageRequest,
) -> ServiceResult<Page<Group>> {
    authorize(principal, Action::ManageResources(id))?;
    let owned_by = if principal.is_directory_admin() {
        None
    } else {
        Some(principal.user_id.ok_or(ServiceError::NotFound)?)
    };
    Ok(store::catalogs::groups_outside(db, id, owned_by, search, page).await?)
}

/// Catalog owners and directory administrators.
#[tracing::instrument(skip_all, fields(principal = %principal.name, id = %id, group_id = %group_id))]
pub async fn add_resource(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: CatalogId,
    group_id: GroupId,
) -> ServiceResult<String> {
    let txn = crate::db::write_txn(db).await?;
    let found = catalog_for(&txn, principal, id, Action::ManageResources(id)).await?;
    if store::catalogs::has_resource(&txn, id, group_id).await? {
        return Err(ServiceError::conflict(
            "refused",
            "That group is already in this catalog.",
        ));
    }
    insert_resource(&txn, clock, principal, &found, group_id).await?;
    let name = store::groups::find_by_id(&txn, group_id)
        .await?
        .map(|g| g.display_name)
        .unwrap_or_default();
    txn.commit().await?;
    Ok(name)
}

/// Catalog owners and directory administrators; refused while a package uses the group.
#[tracing::instrument(skip_all, fields(principal = %principal.name, id = %id, group_id = %group_id))]
pub async fn remove_resource(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: CatalogId,
    group_id: GroupId,
) -> ServiceResult<String> {
    let txn = crate::db::write_txn(db).await?;
    let found = catalog_for(&txn, principal, id, Action::ManageResources(id)).await?;
    let group = store::groups::find_by_id(&txn, group_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let users: Vec<String> = access_package::Entity::find()
        .filter(access_package::Column::CatalogId.eq(id))
        .filter(
            access_package::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(resource_role::Column::AccessPackageId)
                    .from(resource_role::Entity)
                    .and_where(
                        sea_orm::sea_query::Expr::col(resource_role::Column::GroupId).eq(group_id),
                    )
                    .to_owned(),
            ),
        )
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| p.display_name)
        .collect();
    if !users.is_empty() {
        return Err(ServiceError::conflict(
            "refused",
            format!(
                "{} is a resource role of {}. Remove the resource role from the access package first.",
                group.display_name,
                users.join(", ")
            ),
        ));
    }
    let removed = catalog_resource::Entity::delete_many()
        .filter(catalog_resource::Column::CatalogId.eq(id))
        .filter(catalog_resource::Column::GroupId.eq(group_id))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(ServiceError::conflict(
            "refused",
            format!("{} is not in this catalog.", group.display_name),
        ));
    }
    let detail = json!({ "resource": group.display_name, "resourceType": "Group" });
    audit::record(
        &txn,
        clock.now(),
        principal,
        catalog_event(action::REMOVE_CATALOG_RESOURCE, &found, detail),
    )
    .await?;
    txn.commit().await?;
    Ok(group.display_name)
}

/// Catalog owners and directory administrators.
#[tracing::instrument(skip_all, fields(principal = %principal.name, id = %id, user_id = %user_id))]
pub async fn add_role(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: CatalogId,
    user_id: UserId,
    role: CatalogRole,
) -> ServiceResult<String> {
    let txn = crate::db::write_txn(db).await?;
    let found = catalog_for(&txn, principal, id, Action::ManageCatalog(id)).await?;
    let person = store::users::find_by_id(&txn, user_id)
        .await?
        .ok_or_else(|| ServiceError::conflict("refused", "That user no longer exists."))?;
    let now = clock.now();
    let row = catalog_role::ActiveModel {
        id: Set(CatalogRoleId::new()),
        catalog_id: Set(id),
        user_id: Set(user_id),
        role: Set(role.as_str().to_owned()),
        created_at: Set(now),
    };
    if let Err(err) = catalog_role::Entity::insert(row)
        .exec_without_returning(&txn)
        .await
    {
        return Err(if is_unique_violation(&err) {
            ServiceError::conflict(
                "refused",
                format!(
                    "{} is already a {} of this catalog.",
                    person.display_name,
                    role.label()
                ),
            )
        } else {
            err.into()
        });
    }
    let detail = json!({ "user": person.user_principal_name, "role": role.label() });
    audit::record(
        &txn,
        now,
        principal,
        catalog_event(action::ADD_CATALOG_ROLE, &found, detail),
    )
    .await?;
    txn.commit().await?;
    Ok(person.display_name)
}

/// Catalog owners and directory administrators.
#[tracing::instrument(skip_all, fields(principal = %principal.name, id = %id, user_id = %user_id))]
pub async fn remove_role(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: CatalogId,
    user_id: UserId,
    role: CatalogRole,
) -> ServiceResult<String> {
    let txn = crate::db::write_txn(db).await?;
    let found = catalog_for(&txn, principal, id, Action::ManageCatalog(id)).await?;
    let person = store::users::find_by_id(&txn, user_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let removed = catalog_role::Entity::delete_many()
        .filter(catalog_role::Column::CatalogId.eq(id))
        .filter(catalog_role::Column::UserId.eq(user_id))
        .filter(catalog_role::Column::Role.eq(role.as_str()))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(ServiceError::conflict(
            "refused",
            format!(
                "{} is not a {} of this catalog.",
                person.display_name,
                role.label()
            ),
        ));
    }
    let detail = json!({ "user": person.user_principal_name, "role": role.label() });
    audit::record(
        &txn,
        clock.now(),
        principal,
        catalog_event(action::REMOVE_CATALOG_ROLE, &found, detail),
    )
    .await?;
    txn.commit().await?;
    Ok(person.display_name)
}
