//! Requests, assignments and approvals through the API: everything in the catalogs the
//! principal manages, their own (`filterByCurrentUser(on='target')`), or waiting for their
//! decision (`on='approver'`).
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::entitlement_reader;
use crate::domain::authz::{Action, authorize};
use crate::domain::odata::Query;
use crate::domain::principal::Principal;
use crate::entities::{access_package, assignment, assignment_request, request_decision, user};
use crate::ids::{AccessPackageId, AssignmentId, RequestId, UserId};
use crate::services::error::{ServiceError, ServiceResult};
use crate::store::graph::requests::{self as store, Scope};
use crate::store::odata::ListPage;

/// The person acting: `filterByCurrentUser` means nothing for an app.
fn me(principal: &Principal) -> ServiceResult<UserId> {
    let me = principal.user_id.ok_or_else(|| {
        ServiceError::field(
            "query",
            "BadRequest",
            "filterByCurrentUser needs a person's token; an app has no requests of its own.",
        )
    })?;
    authorize(principal, Action::ReadOwn { target: me })?;
    Ok(me)
}

pub async fn requests(
    db: &DatabaseConnection,
    principal: &Principal,
    query: &Query,
) -> ServiceResult<ListPage<assignment_request::Model>> {
    entitlement_reader(principal)?;
    let visible = principal.visible_catalogs();
    Ok(store::requests(db, Scope::Catalogs(visible.as_deref()), query).await?)
}

pub async fn my_requests(
    db: &DatabaseConnection,
    principal: &Principal,
    query: &Query,
) -> ServiceResult<ListPage<assignment_request::Model>> {
    let me = me(principal)?;
    Ok(store::requests(db, Scope::Target(me), query).await?)
}

/// Whether the principal may read something of `package` for `target`: their own, or in a
/// catalog they read.
async fn may_read(
    db: &DatabaseConnection,
    principal: &Principal,
    package: AccessPackageId,
    target: UserId,
) -> ServiceResult<()> {
    if authorize(principal, Action::ReadOwn { target }).is_ok() {
        return Ok(());
    }
    let package = access_package::Entity::find_by_id(package)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(authorize(
        principal,
        Action::ReadCatalog(package.catalog_id),
    )?)
}

pub async fn request(
    db: &DatabaseConnection,
    principal: &Principal,
    id: RequestId,
) -> ServiceResult<assignment_request::Model> {
    let found = assignment_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    may_read(db, principal, found.access_package_id, found.target_id).await?;
    Ok(found)
}

pub async fn assignments(
    db: &DatabaseConnection,
    principal: &Principal,
    query: &Query,
) -> ServiceResult<ListPage<assignment::Model>> {
    entitlement_reader(principal)?;
    let visible = principal.visible_catalogs();
    Ok(store::assignments(db, Scope::Catalogs(visible.as_deref()), query).await?)
}

pub async fn my_assignments(
    db: &DatabaseConnection,
    principal: &Principal,
    query: &Query,
) -> ServiceResult<ListPage<assignment::Model>> {
    let me = me(principal)?;
    Ok(store::assignments(db, Scope::Target(me), query).await?)
}

pub async fn assignment(
    db: &DatabaseConnection,
    principal: &Principal,
    id: AssignmentId,
) -> ServiceResult<assignment::Model> {
    let found = assignment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    may_read(db, principal, found.access_package_id, found.target_id).await?;
    Ok(found)
}

/// Requests waiting for the principal's decision.
pub async fn approvals(
    db: &DatabaseConnection,
    principal: &Principal,
    query: &Query,
) -> ServiceResult<ListPage<assignment_request::Model>> {
    let me = me(principal)?;
    Ok(store::approvals(db, me, query).await?)
}

/// A request the principal approves, with the decisions made on it.
pub async fn approval(
    db: &DatabaseConnection,
    principal: &Principal,
    id: RequestId,
) -> ServiceResult<(assignment_request::Model, Vec<request_decision::Model>)> {
    crate::services::requests::request_for_approver(db, principal, id).await?;
    let row = assignment_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let decisions = crate::store::requests::decisions(db, id).await?;
    Ok((row, decisions))
}

/// People by id, deleted ones too (history names them).
pub async fn people(db: &DatabaseConnection, ids: Vec<UserId>) -> ServiceResult<Vec<user::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?)
}

/// Packages by id, for expanding a page (the page's rows were already scoped).
pub async fn packages_by_id(
    db: &DatabaseConnection,
    ids: Vec<AccessPackageId>,
) -> ServiceResult<Vec<access_package::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(access_package::Entity::find()
        .filter(access_package::Column::Id.is_in(ids))
        .all(db)
        .await?)
}

/// The request that ended `assignment` (for the answer to a removal).
pub async fn removal_of(
    db: &DatabaseConnection,
    principal: &Principal,
    assignment: AssignmentId,
) -> ServiceResult<RequestId> {
    use sea_orm::QueryOrder;
    let found = assignment_request::Entity::find()
        .filter(assignment_request::Column::AssignmentId.eq(assignment))
        .filter(assignment_request::Column::RequestType.is_in(["adminRemove", "userRemove"]))
        .order_by_desc(assignment_request::Column::CreatedAt)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    may_read(db, principal, found.access_package_id, found.target_id).await?;
    Ok(found.id)
}
