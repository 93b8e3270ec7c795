//! A catalog's `Access packages`.
use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use crate::auth::extract::EntitlementManager;
use crate::domain::catalog::{Catalog, CatalogAccess};
use crate::domain::page::Page;
use crate::state::AppState;
use crate::store::{self, packages::PackageSummary};
use crate::web::error::AppResult;
use crate::web::{SearchQuery, filters, layout::Chrome, pager_query};

#[derive(Template, WebTemplate)]
#[template(path = "admin/catalogs/packages.html")]
pub struct CatalogPackagesPage {
    chrome: Chrome,
    catalog: Catalog,
    access: CatalogAccess,
    tab: &'static str,
    query: String,
    packages: Page<PackageSummary>,
}

/// Anyone who may see the catalog.
pub async fn list(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    query: web::Query<SearchQuery>,
) -> AppResult<CatalogPackagesPage> {
    let (catalog, access) = super::load(&state, &manager, &id).await?;
    let q = query.text();
    let mut packages =
        store::packages::list(&state.db, None, Some(catalog.id), &q, query.page()).await?;
    for row in &mut packages.items {
        row.can_manage = manager.access(row.package.catalog_id).manage_packages;
    }
    Ok(CatalogPackagesPage {
        chrome: Chrome::admin(manager.current(), "catalogs")?,
        catalog,
        access,
        tab: "packages",
        query: pager_query(&q),
        packages,
    })
}
