//! A catalog's `Roles`: owners, readers and managers.
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::EntitlementManager;
use crate::domain::catalog::{Catalog, CatalogAccess, CatalogRole};
use crate::domain::page::Page;
use crate::domain::user::User;
use crate::ids::UserId;
use crate::services::catalogs;
use crate::state::AppState;
use crate::store;
use crate::web::error::{AppError, AppResult};
use crate::web::{encode_query_value, layout::Chrome, parse_id, search_text, see_other};

#[derive(Deserialize)]
pub struct RolesQuery {
    #[serde(default)]
    role: String,
    #[serde(default)]
    q: String,
    page: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/catalogs/roles.html")]
pub struct RolesPage {
    chrome: Chrome,
    catalog: Catalog,
    access: CatalogAccess,
    tab: &'static str,
    holders: Vec<(CatalogRole, User)>,
    roles: [CatalogRole; 4],
    role: CatalogRole,
    q: String,
    query: String,
    candidates: Option<Page<User>>,
}

/// Anyone who may see the catalog; owners and directory admins also get the picker.
pub async fn list(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    query: web::Query<RolesQuery>,
) -> AppResult<RolesPage> {
    let (catalog, access) = super::load(&state, &manager, &id).await?;
    let holders = store::catalogs::role_holders(&state.db, catalog.id).await?;
    let role = CatalogRole::parse(&query.role).unwrap_or(CatalogRole::Owner);
    let q = search_text(&query.q);
    let candidates = if access.manage_catalog && !q.is_empty() {
        let page = crate::domain::page::PageRequest::from_query(query.page.as_deref());
        Some(store::users::search(&state.db, &q, page).await?)
    } else {
        None
    };
    let query = format!("role={}&q={}&", role.as_str(), encode_query_value(&q));
    Ok(RolesPage {
        chrome: Chrome::admin(manager.current(), "catalogs")?,
        catalog,
        access,
        tab: "roles",
        holders,
        roles: CatalogRole::ALL,
        role,
        q,
        query,
        candidates,
    })
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    role: String,
}

/// Catalog owners and directory administrators.
pub async fn add(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    form: CsrfForm<AddForm>,
) -> AppResult<HttpResponse> {
    let (catalog, _) = super::load(&state, &manager, &id).await?;
    let CsrfForm(form) = form;
    let user_id: UserId = form
        .user_id
        .parse()
        .map_err(|_| AppError::BadRequest("Choose a user.".to_owned()))?;
    let role = CatalogRole::parse(&form.role).map_err(|e| AppError::BadRequest(e.0))?;
    let result = catalogs::add_role(
        &state.db,
        state.clock.as_ref(),
        manager.principal(),
        catalog.id,
        user_id,
        role,
    )
    .await;
    super::flash_result(
        &manager,
        result.map(|name| format!("{} added: {name}", role.label())),
    )?;
    Ok(see_other(&format!("/admin/catalogs/{}/roles", catalog.id)))
}

pub async fn remove(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String, String)>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let (id, user, role) = path.into_inner();
    let (catalog, _) = super::load(&state, &manager, &id).await?;
    let user_id: UserId = parse_id(&user)?;
    let role = CatalogRole::parse(&role).map_err(|_| AppError::NotFound)?;
    let result = catalogs::remove_role(
        &state.db,
        state.clock.as_ref(),
        manager.principal(),
        catalog.id,
        user_id,
        role,
    )
    .await;
    super::flash_result(
        &manager,
        result.map(|name| format!("{} removed: {name}", role.label())),
    )?;
    Ok(see_other(&format!("/admin/catalogs/{}/roles", catalog.id)))
}
