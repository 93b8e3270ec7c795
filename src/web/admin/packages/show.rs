//! A package's pages share a left menu: `Overview`, `Resource roles`, `Policies`,
//! `Assignments`, `Requests`, `Properties`, `Delete`. This file has the Overview and the
//! loading they share.
use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use crate::auth::extract::EntitlementManager;
use crate::auth::session::FlashKind;
use crate::domain::access_package::AccessPackage;
use crate::domain::catalog::{Catalog, CatalogAccess};
use crate::error::{AppError, AppResult};
use crate::ids::AccessPackageId;
use crate::services::packages::PackageError;
use crate::state::AppState;
use crate::store;
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
    let package = store::packages::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let access = manager.access(package.catalog_id);
    if !access.read {
        return Err(AppError::NotFound);
    }
    let catalog = store::catalogs::find(&state.db, package.catalog_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Loaded {
        package,
        catalog,
        access,
    })
}

pub fn package_error(err: PackageError) -> AppError {
    match err {
        PackageError::NotFound => AppError::NotFound,
        PackageError::Forbidden => AppError::Forbidden,
        PackageError::NameTaken | PackageError::Refused(_) => AppError::BadRequest(err.to_string()),
        PackageError::Unexpected(err) => AppError::Unexpected(err),
    }
}

/// Shows a service's answer as the next page's message; refusals are messages too.
pub fn flash_result(
    manager: &EntitlementManager,
    result: Result<String, PackageError>,
) -> AppResult<()> {
    let session = &manager.current().session;
    match result {
        Ok(message) => session.flash(FlashKind::Success, message),
        Err(PackageError::Refused(reason)) => session.flash(FlashKind::Error, reason),
        Err(err) => return Err(package_error(err)),
    }
    Ok(())
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
