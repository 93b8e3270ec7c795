//! Catalogs in the admin portal: list, `New catalog`, overview, `Resources`,
//! `Access packages`, `Roles`, edit and delete.
mod delete;
mod edit;
mod list;
mod packages;
mod resources;
mod roles;
mod show;

use crate::auth::extract::EntitlementManager;
use crate::domain::catalog::{Catalog, CatalogAccess};
use crate::ids::CatalogId;
use crate::services::catalogs;
use crate::services::error::ServiceError;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::{RouteDef, get, parse_id, post};

// One route a line, as a table reads.
#[rustfmt::skip]
pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/admin/catalogs", list::list),
        get("/admin/catalogs/new", edit::new_form),
        post("/admin/catalogs/new", edit::create),
        get("/admin/catalogs/{id}", show::show),
        get("/admin/catalogs/{id}/edit", edit::edit_form),
        post("/admin/catalogs/{id}/edit", edit::save),
        get("/admin/catalogs/{id}/resources", resources::list),
        get("/admin/catalogs/{id}/resources/add", resources::picker),
        post("/admin/catalogs/{id}/resources/add", resources::add),
        post("/admin/catalogs/{id}/resources/{group}/remove", resources::remove),
        get("/admin/catalogs/{id}/access-packages", packages::list),
        get("/admin/catalogs/{id}/roles", roles::list),
        post("/admin/catalogs/{id}/roles/add", roles::add),
        post("/admin/catalogs/{id}/roles/{user}/{role}/remove", roles::remove),
        get("/admin/catalogs/{id}/delete", delete::confirm),
        post("/admin/catalogs/{id}/delete", delete::delete),
    ]
}

/// The catalog in the URL and what the manager may do in it (for the buttons): 404 when
/// they may not see it.
async fn load(
    state: &AppState,
    manager: &EntitlementManager,
    raw_id: &str,
) -> AppResult<(Catalog, CatalogAccess)> {
    let id: CatalogId = parse_id(raw_id)?;
    let catalog = catalogs::get(&state.db, manager.principal(), id).await?;
    Ok((catalog, manager.access(id)))
}

/// Shows a service's answer as the next page's message; refusals are messages too.
fn flash_result(
    manager: &EntitlementManager,
    result: Result<String, ServiceError>,
) -> AppResult<()> {
    crate::web::flash_outcome(&manager.current().session, result)
}
