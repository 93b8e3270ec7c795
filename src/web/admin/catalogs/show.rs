//! `GET /admin/catalogs/{id}`: the catalog's overview.
use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use crate::auth::extract::EntitlementManager;
use crate::domain::catalog::{Catalog, CatalogAccess};
use crate::state::AppState;
use crate::store;
use crate::web::error::AppResult;
use crate::web::{filters, layout::Chrome};

#[derive(Template, WebTemplate)]
#[template(path = "admin/catalogs/show.html")]
pub struct CatalogPage {
    chrome: Chrome,
    catalog: Catalog,
    access: CatalogAccess,
    tab: &'static str,
    resources: usize,
}

/// Anyone with a role in the catalog, and directory administrators.
pub async fn show(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
) -> AppResult<CatalogPage> {
    let (catalog, access) = super::load(&state, &manager, &id).await?;
    let resources = store::catalogs::resources(&state.db, catalog.id)
        .await?
        .len();
    Ok(CatalogPage {
        chrome: Chrome::admin(manager.current(), "catalogs")?,
        catalog,
        access,
        tab: "overview",
        resources,
    })
}
