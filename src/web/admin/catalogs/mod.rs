//! Catalogs in the admin portal: list, `New catalog`, overview, `Resources`,
//! `Access packages`, `Roles`, edit and delete.
mod delete;
mod edit;
mod list;
mod packages;
mod resources;
mod roles;
mod show;

use actix_web::web;

use crate::auth::extract::EntitlementManager;
use crate::domain::catalog::{Catalog, CatalogAccess};
use crate::ids::CatalogId;
use crate::services::catalogs;
use crate::services::error::ServiceError;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::parse_id;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/catalogs", web::get().to(list::list))
        .route("/catalogs/new", web::get().to(edit::new_form))
        .route("/catalogs/new", web::post().to(edit::create))
        .route("/catalogs/{id}", web::get().to(show::show))
        .route("/catalogs/{id}/edit", web::get().to(edit::edit_form))
        .route("/catalogs/{id}/edit", web::post().to(edit::save))
        .route("/catalogs/{id}/resources", web::get().to(resources::list))
        .route(
            "/catalogs/{id}/resources/add",
            web::get().to(resources::picker),
        )
        .route(
            "/catalogs/{id}/resources/add",
            web::post().to(resources::add),
        )
        .route(
            "/catalogs/{id}/resources/{group}/remove",
            web::post().to(resources::remove),
        )
        .route(
            "/catalogs/{id}/access-packages",
            web::get().to(packages::list),
        )
        .route("/catalogs/{id}/roles", web::get().to(roles::list))
        .route("/catalogs/{id}/roles/add", web::post().to(roles::add))
        .route(
            "/catalogs/{id}/roles/{user}/{role}/remove",
            web::post().to(roles::remove),
        )
        .route("/catalogs/{id}/delete", web::get().to(delete::confirm))
        .route("/catalogs/{id}/delete", web::post().to(delete::delete));
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
