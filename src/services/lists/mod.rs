//! The Graph API's lists and single reads of the directory and catalogs, each scoped to
//! what the principal may see and paged by the request's OData options.
pub mod policies;
pub mod requests;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::error::{FieldError, ServiceError, ServiceResult};
use crate::domain::access_package::ResourceRole;
use crate::domain::authz::{Action, authorize};
use crate::domain::odata::Query;
use crate::domain::principal::Principal;
use crate::entities::{access_package, catalog, catalog_resource, group, user};
use crate::ids::{AccessPackageId, CatalogId, CatalogResourceId, GroupId, UserId};
use crate::store::graph;
use crate::store::odata::{ListError, ListPage};

impl From<ListError> for ServiceError {
    fn from(err: ListError) -> Self {
        match err {
            ListError::Db(err) => err.into(),
            ListError::Query(err) => ServiceError::Invalid(vec![FieldError {
                field: QUERY_FIELD,
                code: err.code,
                message: err.message,
            }]),
        }
    }
}

/// The field name a refused query option is reported under.
pub const QUERY_FIELD: &str = "query";

pub async fn users(
    db: &DatabaseConnection,
    principal: &Principal,
    query: &Query,
) -> ServiceResult<ListPage<user::Model>> {
    authorize(principal, Action::ReadDirectory)?;
    Ok(graph::users(db, query).await?)
}

pub async fn user(
    db: &DatabaseConnection,
    principal: &Principal,
    id: UserId,
) -> ServiceResult<user::Model> {
    authorize(principal, Action::ReadDirectory)?;
    user::Entity::find_by_id(id)
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub async fn groups(
    db: &DatabaseConnection,
    principal: &Principal,
    query: &Query,
) -> ServiceResult<ListPage<group::Model>> {
    authorize(principal, Action::ReadGroups)?;
    Ok(graph::groups(db, query).await?)
}

pub async fn group(
    db: &DatabaseConnection,
    principal: &Principal,
    id: GroupId,
) -> ServiceResult<group::Model> {
    authorize(principal, Action::ReadGroups)?;
    group::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub async fn members(
    db: &DatabaseConnection,
    principal: &Principal,
    id: GroupId,
    query: &Query,
) -> ServiceResult<ListPage<user::Model>> {
    self::group(db, principal, id).await?;
    Ok(graph::members(db, id, query).await?)
}

pub async fn catalogs(
    db: &DatabaseConnection,
    principal: &Principal,
    query: &Query,
) -> ServiceResult<ListPage<catalog::Model>> {
    entitlement_reader(principal)?;
    let visible = principal.visible_catalogs();
    Ok(graph::catalogs(db, visible.as_deref(), query).await?)
}

pub async fn catalog(
    db: &DatabaseConnection,
    principal: &Principal,
    id: CatalogId,
) -> ServiceResult<catalog::Model> {
    authorize(principal, Action::ReadCatalog(id))?;
    catalog::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// A catalog's resources (its groups), with each group's row in the catalog.
pub async fn catalog_resources(
    db: &DatabaseConnection,
    principal: &Principal,
    id: CatalogId,
    query: &Query,
) -> ServiceResult<ListPage<(catalog_resource::Model, group::Model)>> {
    self::catalog(db, principal, id).await?;
    Ok(graph::catalog_resources(db, id, query).await?)
}

/// Access packages the principal may see, all or of one catalog.
pub async fn packages(
    db: &DatabaseConnection,
    principal: &Principal,
    catalog: Option<CatalogId>,
    query: &Query,
) -> ServiceResult<ListPage<access_package::Model>> {
    if let Some(id) = catalog {
        self::catalog(db, principal, id).await?;
    } else {
        entitlement_reader(principal)?;
    }
    let visible = principal.visible_catalogs();
    Ok(graph::packages(db, visible.as_deref(), catalog, query).await?)
}

/// One access package, if the principal may read its catalog.
pub async fn package(
    db: &DatabaseConnection,
    principal: &Principal,
    id: AccessPackageId,
) -> ServiceResult<access_package::Model> {
    entitlement_reader(principal)?;
    let found = access_package::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    authorize(principal, Action::ReadCatalog(found.catalog_id))?;
    Ok(found)
}

/// The groups and roles a package grants.
pub async fn role_scopes(
    db: &DatabaseConnection,
    principal: &Principal,
    id: AccessPackageId,
) -> ServiceResult<Vec<ResourceRole>> {
    self::package(db, principal, id).await?;
    Ok(crate::store::packages::resource_roles(db, id).await?)
}

/// The catalogs of packages the principal already read (for `$expand=catalog`).
pub async fn catalogs_by_id(
    db: &DatabaseConnection,
    ids: Vec<CatalogId>,
) -> ServiceResult<Vec<catalog::Model>> {
    Ok(catalog::Entity::find()
        .filter(catalog::Column::Id.is_in(ids))
        .all(db)
        .await?)
}

/// The role scopes of packages the principal already read, in one query.
pub async fn role_scopes_of(
    db: &DatabaseConnection,
    packages: &[AccessPackageId],
) -> ServiceResult<Vec<(AccessPackageId, ResourceRole)>> {
    Ok(crate::store::packages::resource_roles_of(db, packages).await?)
}

/// Lists of catalog objects are for entitlement managers; anyone else with the scope sees
/// an empty list (they hold no catalog role), a token without it is refused.
pub(crate) fn entitlement_reader(principal: &Principal) -> ServiceResult<()> {
    match authorize(principal, Action::UseAdminPortal) {
        Err(
            denied @ crate::domain::authz::Denied::Forbidden {
                code: "insufficient_scope",
                ..
            },
        ) => Err(denied.into()),
        _ => Ok(()),
    }
}

/// One resource of a catalog, by its id in the catalog.
pub async fn catalog_resource(
    db: &DatabaseConnection,
    principal: &Principal,
    catalog: CatalogId,
    id: CatalogResourceId,
) -> ServiceResult<catalog_resource::Model> {
    self::catalog(db, principal, catalog).await?;
    catalog_resource::Entity::find_by_id(id)
        .filter(catalog_resource::Column::CatalogId.eq(catalog))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// A group in a catalog, with its row there.
pub async fn catalog_group(
    db: &DatabaseConnection,
    principal: &Principal,
    catalog: CatalogId,
    group: GroupId,
) -> ServiceResult<(catalog_resource::Model, group::Model)> {
    self::catalog(db, principal, catalog).await?;
    catalog_resource::Entity::find()
        .filter(catalog_resource::Column::CatalogId.eq(catalog))
        .filter(catalog_resource::Column::GroupId.eq(group))
        .find_also_related(group::Entity)
        .one(db)
        .await?
        .and_then(|(row, group)| Some((row, group?)))
        .ok_or_else(|| {
            ServiceError::field(
                "resource",
                "not_in_catalog",
                "That group is not in this catalog.",
            )
        })
}
