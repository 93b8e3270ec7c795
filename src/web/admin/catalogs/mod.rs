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
use crate::auth::session::FlashKind;
use crate::domain::catalog::{Catalog, CatalogAccess};
use crate::error::{AppError, AppResult};
use crate::ids::CatalogId;
use crate::services::catalogs::CatalogError;
use crate::state::AppState;
use crate::store;
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

/// The catalog in the URL and what the manager may do in it: 404 when they may not see it.
async fn load(
    state: &AppState,
    manager: &EntitlementManager,
    raw_id: &str,
) -> AppResult<(Catalog, CatalogAccess)> {
    let id: CatalogId = parse_id(raw_id)?;
    let access = manager.access(id);
    if !access.read {
        return Err(AppError::NotFound);
    }
    let catalog = store::catalogs::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((catalog, access))
}

/// Shows a service's answer as the next page's message; refusals are messages too.
fn flash_result(
    manager: &EntitlementManager,
    result: Result<String, CatalogError>,
) -> AppResult<()> {
    let session = &manager.current().session;
    match result {
        Ok(message) => session.flash(FlashKind::Success, message),
        Err(CatalogError::Refused(reason)) => session.flash(FlashKind::Error, reason),
        Err(err) => return Err(catalog_error(err)),
    }
    Ok(())
}

pub(crate) fn catalog_error(err: CatalogError) -> AppError {
    match err {
        CatalogError::NotFound => AppError::NotFound,
        CatalogError::Forbidden => AppError::Forbidden,
        CatalogError::Refused(reason) => AppError::BadRequest(reason),
        CatalogError::NameTaken => AppError::BadRequest(CatalogError::NameTaken.to_string()),
        CatalogError::Unexpected(err) => AppError::Unexpected(err),
    }
}
