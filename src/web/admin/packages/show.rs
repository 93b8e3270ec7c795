//! A package's pages share a left menu: `Overview`, `Resource roles`, `Policies`,
//! `Assignments`, `Requests`, `Properties`, `Delete`. This file has the Overview and the
//! loading they share.
use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use crate::auth::extract::EntitlementManager;
use crate::domain::access_package::AccessPackage;
use crate::domain::catalog::{Catalog, CatalogAccess};
use crate::ids::AccessPackageId;
use crate::services::error::ServiceError;
use crate::services::packages;
use crate::state::AppState;
use crate::store;
use crate::web::error::AppResult;
use crate::web::{filters, layout::Chrome, parse_id};

/// The package in the URL, its catalog, and what the manager may do there: 404 when they
/// may not see it.
pub struct Loaded {
    pub package: AccessPackage,
    pub catalog: Catalog,
    pub access: CatalogAccess,
}

pub async fn load(
    state: &AppState,
    manager: &EntitlementManager,
    raw_id: &str,
) -> AppResult<Loaded> {
    let id: AccessPackageId = parse_id(raw_id)?;
    let (package, catalog) = packages::get(&state.db, manager.principal(), id).await?;
    let access = manager.access(package.catalog_id);
    Ok(Loaded {
        package,
        catalog,
        access,
    })
}

/// Shows a service's answer as the next page's message; refusals are messages too.
pub fn flash_result(
    manager: &EntitlementManager,
    result: Result<String, ServiceError>,
) -> AppResult<()> {
    crate::web::flash_outcome(&manager.current().session, result)
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/packages/overview.html")]
pub struct OverviewPage {
    chrome: Chrome,
    package: AccessPackage,
    catalog: Catalog,
    access: CatalogAccess,
    section: &'static str,
    resource_roles: usize,
    policies: usize,
    enabled_policies: usize,
    assignments: u64,
    my_access_link: String,
}

/// Anyone who may see the package's catalog.
pub async fn overview(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
) -> AppResult<OverviewPage> {
    let Loaded {
        package,
        catalog,
        access,
    } = load(&state, &manager, &id).await?;
    let resource_roles = store::packages::resource_roles(&state.db, package.id)
        .await?
        .len();
    let policies = store::packages::policies(&state.db, package.id).await?;
    let (assignments, _) = store::requests::dependents(&state.db, package.id, None).await?;
    let my_access_link = format!(
        "{}/myaccess/access-packages/{}",
        state.config.public_url, package.id
    );
    Ok(OverviewPage {
        chrome: Chrome::admin(manager.current(), "packages")?,
        resource_roles,
        policies: policies.len(),
        enabled_policies: policies.iter().filter(|p| p.spec.enabled).count(),
        package,
        catalog,
        access,
        section: "overview",
        assignments,
        my_access_link,
    })
}
