//! Assignment policies through the API: listed and read, scoped to what the principal may see.
use sea_orm::DatabaseConnection;

use crate::domain::authz::{Action, authorize};
use crate::domain::odata::Query;
use crate::domain::principal::Principal;
use crate::ids::{AccessPackageId, PolicyId};
use crate::services::error::{ServiceError, ServiceResult};
use crate::store::graph::policies::{self as store, GraphPolicy};
use crate::store::odata::ListPage;

/// Reads need the token's scope; someone without a catalog role sees nothing.
fn may_list(principal: &Principal) -> ServiceResult<()> {
    super::entitlement_reader(principal)
}

/// Every policy in the catalogs the principal may read.
pub async fn policies(
    db: &DatabaseConnection,
    principal: &Principal,
    query: &Query,
) -> ServiceResult<ListPage<GraphPolicy>> {
    may_list(principal)?;
    let visible = principal.visible_catalogs();
    Ok(store::policies(db, visible.as_deref(), None, query).await?)
}

/// The policies of one package, which must be in a catalog the principal may read.
pub async fn policies_of(
    db: &DatabaseConnection,
    principal: &Principal,
    package: AccessPackageId,
    query: &Query,
) -> ServiceResult<ListPage<GraphPolicy>> {
    may_list(principal)?;
    let visible = principal.visible_catalogs();
    let found = store::package(db, visible.as_deref(), package)
        .await?
        .ok_or(ServiceError::NotFound)?;
    authorize(principal, Action::ReadCatalog(found.catalog_id))?;
    Ok(store::policies(db, visible.as_deref(), Some(package), query).await?)
}

/// One policy, in a catalog the principal may read.
pub async fn policy(
    db: &DatabaseConnection,
    principal: &Principal,
    id: PolicyId,
) -> ServiceResult<GraphPolicy> {
    may_list(principal)?;
    let visible = principal.visible_catalogs();
    let found = store::policy(db, visible.as_deref(), id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    authorize(principal, Action::ReadCatalog(found.package.catalog_id))?;
    Ok(found)
}
