//! A catalog's `Resources`: the groups its access packages may hand out.
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::EntitlementManager;
use crate::domain::catalog::{Catalog, CatalogAccess};
use crate::domain::group::Group;
use crate::domain::page::Page;
use crate::ids::GroupId;
use crate::services::catalogs;
use crate::state::AppState;
use crate::store;
use crate::web::error::{AppError, AppResult};
use crate::web::{SearchQuery, layout::Chrome, pager_query, parse_id, see_other};

#[derive(Template, WebTemplate)]
#[template(path = "admin/catalogs/resources.html")]
pub struct ResourcesPage {
    chrome: Chrome,
    catalog: Catalog,
    access: CatalogAccess,
    tab: &'static str,
    groups: Vec<Group>,
}

/// Anyone who may see the catalog.
pub async fn list(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
) -> AppResult<ResourcesPage> {
    let (catalog, access) = super::load(&state, &manager, &id).await?;
    let groups = store::catalogs::resources(&state.db, catalog.id).await?;
    Ok(ResourcesPage {
        chrome: Chrome::admin(manager.current(), "catalogs")?,
        catalog,
        access,
        tab: "resources",
        groups,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/catalogs/add_resources.html")]
pub struct AddResourcesPage {
    chrome: Chrome,
    catalog: Catalog,
    q: String,
    query: String,
    candidates: Page<Group>,
}

/// Catalog owners and directory administrators: groups not yet in the catalog.
pub async fn picker(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    query: web::Query<SearchQuery>,
) -> AppResult<AddResourcesPage> {
    let (catalog, _) = super::load(&state, &manager, &id).await?;
    let q = query.text();
    let candidates =
        catalogs::addable_groups(&state.db, manager.principal(), catalog.id, &q, query.page())
            .await?;
    Ok(AddResourcesPage {
        chrome: Chrome::admin(manager.current(), "catalogs")?,
        catalog,
        query: pager_query(&q),
        q,
        candidates,
    })
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    group_id: String,
}

pub async fn add(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    form: CsrfForm<AddForm>,
) -> AppResult<HttpResponse> {
    let (catalog, _) = super::load(&state, &manager, &id).await?;
    let group_id: GroupId = form
        .0
        .group_id
        .parse()
        .map_err(|_| AppError::BadRequest("Choose a group to add.".to_owned()))?;
    let result = catalogs::add_resource(
        &state.db,
        state.clock.as_ref(),
        manager.principal(),
        catalog.id,
        group_id,
    )
    .await;
    super::flash_result(
        &manager,
        result.map(|name| format!("Resource added: {name}")),
    )?;
    Ok(see_other(&format!(
        "/admin/catalogs/{}/resources",
        catalog.id
    )))
}

pub async fn remove(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String)>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let (id, group) = path.into_inner();
    let (catalog, _) = super::load(&state, &manager, &id).await?;
    let group_id: GroupId = parse_id(&group)?;
    let result = catalogs::remove_resource(
        &state.db,
        state.clock.as_ref(),
        manager.principal(),
        catalog.id,
        group_id,
    )
    .await;
    super::flash_result(
        &manager,
        result.map(|name| format!("Resource removed: {name}")),
    )?;
    Ok(see_other(&format!(
        "/admin/catalogs/{}/resources",
        catalog.id
    )))
}
