//! A package's `Resource roles`: add one, and `Remove resource role` after confirming.
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::show::{Loaded, flash_result, load};
use crate::auth::csrf::CsrfForm;
use crate::auth::extract::EntitlementManager;
use crate::domain::access_package::{AccessPackage, ResourceRole};
use crate::domain::authz::Action;
use crate::domain::catalog::{Catalog, CatalogAccess};
use crate::domain::group::{Group, MemberRole};
use crate::ids::{GroupId, ResourceRoleId};
use crate::services::packages;
use crate::state::AppState;
use crate::store;
use crate::web::error::{AppError, AppResult};
use crate::web::{html, layout::Chrome, parse_id, require, search_text, see_other};

#[derive(Template, WebTemplate)]
#[template(path = "admin/packages/resource_roles.html")]
pub struct ResourceRolesPage {
    chrome: Chrome,
    package: AccessPackage,
    catalog: Catalog,
    access: CatalogAccess,
    section: &'static str,
    roles: Vec<ResourceRole>,
}

/// Anyone who may see the package.
pub async fn list(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
) -> AppResult<ResourceRolesPage> {
    let Loaded {
        package,
        catalog,
        access,
    } = load(&state, &manager, &id).await?;
    let roles = store::packages::resource_roles(&state.db, package.id).await?;
    Ok(ResourceRolesPage {
        chrome: Chrome::admin(manager.current(), "packages")?,
        package,
        catalog,
        access,
        section: "resource-roles",
        roles,
    })
}

#[derive(Deserialize)]
pub struct PickerQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    outside: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/packages/add_resource_role.html")]
pub struct AddResourceRolePage {
    chrome: Chrome,
    package: AccessPackage,
    catalog: Catalog,
    access: CatalogAccess,
    section: &'static str,
    q: String,
    outside: bool,
    groups: Vec<Group>,
}

/// Access package managers, catalog owners and directory admins: the catalog's groups, and
/// for those who may add resources, every group.
pub async fn picker(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    query: web::Query<PickerQuery>,
) -> AppResult<AddResourceRolePage> {
    let Loaded {
        package,
        catalog,
        access,
    } = load(&state, &manager, &id).await?;
    let q = search_text(&query.q);
    let (groups, can_add_outside) = packages::pickable_groups(
        &state.db,
        manager.principal(),
        catalog.id,
        &q,
        query.outside == "yes",
    )
    .await?;
    let outside = query.outside == "yes" && can_add_outside;
    Ok(AddResourceRolePage {
        chrome: Chrome::admin(manager.current(), "packages")?,
        package,
        catalog,
        access,
        section: "resource-roles",
        q,
        outside,
        groups,
    })
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    group_id: String,
    #[serde(default)]
    role: String,
}

pub async fn add(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    form: CsrfForm<AddForm>,
) -> AppResult<HttpResponse> {
    let Loaded { package, .. } = load(&state, &manager, &id).await?;
    let CsrfForm(form) = form;
    let group_id: GroupId = form
        .group_id
        .parse()
        .map_err(|_| AppError::BadRequest("Choose a group.".to_owned()))?;
    let role = MemberRole::parse(&form.role).map_err(|e| AppError::BadRequest(e.0))?;
    let result = packages::add_resource_role(
        &state.db,
        state.clock.as_ref(),
        manager.principal(),
        package.id,
        group_id,
        role,
    )
    .await;
    flash_result(&manager, result.map(|_| "Resource role added".to_owned()))?;
    Ok(see_other(&format!(
        "/admin/access-packages/{}/resource-roles",
        package.id
    )))
}

#[derive(Template)]
#[template(path = "admin/packages/remove_resource_role.html")]
struct RemovePage {
    chrome: Chrome,
    package: AccessPackage,
    catalog: Catalog,
    access: CatalogAccess,
    section: &'static str,
    role: ResourceRole,
}

async fn find_role(state: &AppState, loaded: &Loaded, raw: &str) -> AppResult<ResourceRole> {
    let role_id: ResourceRoleId = parse_id(raw)?;
    let roles = store::packages::resource_roles(&state.db, loaded.package.id).await?;
    roles
        .into_iter()
        .find(|r| r.id == role_id)
        .ok_or(AppError::NotFound)
}

/// Access package managers, catalog owners and directory admins.
pub async fn confirm_remove(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, role_id) = path.into_inner();
    let loaded = load(&state, &manager, &id).await?;
    require(
        manager.principal(),
        Action::ManagePackages(loaded.package.catalog_id),
    )?;
    let role = find_role(&state, &loaded, &role_id).await?;
    let Loaded {
        package,
        catalog,
        access,
    } = loaded;
    html(
        StatusCode::OK,
        &RemovePage {
            chrome: Chrome::admin(manager.current(), "packages")?,
            package,
            catalog,
            access,
            section: "resource-roles",
            role,
        },
    )
}

pub async fn remove(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String)>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let (id, role_id) = path.into_inner();
    let loaded = load(&state, &manager, &id).await?;
    let role = find_role(&state, &loaded, &role_id).await?;
    let result = packages::remove_resource_role(
        &state.db,
        state.clock.as_ref(),
        manager.principal(),
        loaded.package.id,
        role.id,
    )
    .await;
    flash_result(
        &manager,
        result.map(|name| format!("Resource role removed: {name}")),
    )?;
    Ok(see_other(&format!(
        "/admin/access-packages/{}/resource-roles",
        loaded.package.id
    )))
}
