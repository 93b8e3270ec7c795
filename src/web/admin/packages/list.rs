//! `GET /admin/access-packages`: packages across the catalogs this person may see.
use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use crate::auth::extract::EntitlementManager;
use crate::domain::page::Page;
use crate::state::AppState;
use crate::store::{self, packages::PackageSummary};
use crate::web::error::AppResult;
use crate::web::{SearchQuery, filters, layout::Chrome, pager_query};

#[derive(Template, WebTemplate)]
#[template(path = "admin/packages/list.html")]
pub struct PackagesPage {
    chrome: Chrome,
    q: String,
    query: String,
    packages: Page<PackageSummary>,
    can_create: bool,
}

/// Directory administrators see every package; catalog role holders those of their catalogs.
pub async fn list(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    query: web::Query<SearchQuery>,
) -> AppResult<PackagesPage> {
    let q = query.text();
    let only = manager.current().visible_catalogs();
    let mut packages =
        store::packages::list(&state.db, only.as_deref(), None, &q, query.page()).await?;
    for row in &mut packages.items {
        row.can_manage = manager.access(row.package.catalog_id).manage_packages;
    }
    let can_create = manager.user().role.is_directory_admin()
        || manager
            .principal()
            .catalog_roles
            .iter()
            .any(|(catalog, _)| manager.access(*catalog).manage_packages);
    Ok(PackagesPage {
        chrome: Chrome::admin(manager.current(), "packages")?,
        query: pager_query(&q),
        q,
        packages,
        can_create,
    })
}
