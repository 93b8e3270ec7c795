//! The Graph API's lists and single reads of the directory and catalogs, each scoped to
//! what the principal may see and paged by the request's OData options.
pub mod policies;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::error::{FieldError, ServiceError, ServiceResult};
use crate::domain::authz::{Action, authorize};
use crate::domain::odata::Query;
use crate::domain::principal::Principal;
use crate::entities::{catalog, group, user};
use crate::ids::{CatalogId, GroupId, UserId};
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
    let visible = principal.visible_catalogs();
    if let Some(first) = visible.as_ref().and_then(|v| v.first()) {
        authorize(principal, Action::ReadCatalog(*first))?;
    } else {
        authorize(principal, Action::UseAdminPortal).or_else(|denied| {
            // Someone without a catalog role sees an empty list, not a refusal, unless
            // the token lacks the scope.
            match denied {
                crate::domain::authz::Denied::Forbidden {
                    code: "insufficient_scope",
                    ..
                } => Err(denied),
                _ => Ok(()),
            }
        })?;
    }
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
