//! `identityGovernance/entitlementManagement/accessPackages` and their
//! `resourceRoleScopes`: the groups and roles a package grants.
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::GraphError;
use super::list::{collection, created, item, item_query, list_query, parse_id};
use super::wire::{self, Collection};
use crate::domain::access_package::PackageName;
use crate::domain::graph;
use crate::domain::group::{Description, MemberRole};
use crate::domain::odata::Query;
use crate::entities::access_package;
use crate::ids::{AccessPackageId, CatalogId, GroupId, ResourceRoleId};
use crate::services::error::{ServiceError, ServiceResult};
use crate::services::lists;
use crate::services::packages::{self as service, NewPackage};
use crate::state::AppState;
use crate::store::odata::ListPage;

type Answer = Result<HttpResponse, GraphError>;

const EM: &str = "identityGovernance/entitlementManagement";

/// Packages in Graph's shape, with what `$expand` asked for.
pub async fn expanded(
    db: &DatabaseConnection,
    query: &Query,
    page: ListPage<access_package::Model>,
) -> ServiceResult<ListPage<wire::AccessPackage>> {
    let wants = |name: &str| query.expand.iter().any(|e| e.name == name);
    // The page's packages were read through the principal's scope; what they expand to is
    // read for the whole page at once.
    let catalogs = if wants("catalog") {
        lists::catalogs_by_id(db, page.items.iter().map(|p| p.catalog_id).collect()).await?
    } else {
        Vec::new()
    };
    let roles = if wants("resourceRoleScopes") {
        let ids: Vec<AccessPackageId> = page.items.iter().map(|p| p.id).collect();
        lists::role_scopes_of(db, &ids).await?
    } else {
        Vec::new()
    };
    let mut out = Vec::with_capacity(page.items.len());
    for row in page.items {
        let catalog = catalogs
            .iter()
            .find(|c| c.id == row.catalog_id)
            .cloned()
            .map(wire::Catalog::from);
        let scopes = wants("resourceRoleScopes").then(|| {
            roles
                .iter()
                .filter(|(package, _)| *package == row.id)
                .map(|(_, role)| wire::RoleScope::from(role))
                .collect()
        });
        let mut wire = wire::AccessPackage::from(row);
        wire.catalog = catalog;
        wire.resource_role_scopes = scopes;
        out.push(wire);
    }
    Ok(ListPage {
        items: out,
        count: page.count,
        next: page.next,
    })
}

/// Lists the access packages the caller may see.
#[utoipa::path(
    tag = "Access packages",
    params(crate::api::ListParams),
    responses(
        (status = 200, description = "A page of access packages", body = Collection<wire::AccessPackage>),
        crate::api::Errors,
    )
)]
#[get("/identityGovernance/entitlementManagement/accessPackages")]
pub async fn list_packages(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> Answer {
    let query = list_query(&req, &graph::ACCESS_PACKAGES)?;
    let page = lists::packages(&state.db, &caller.principal, None, &query).await?;
    let page = expanded(&state.db, &query, page).await?;
    Ok(collection(
        &req,
        &format!("{EM}/accessPackages"),
        &query,
        page,
        |p| p,
    ))
}

async fn one(
    state: &AppState,
    caller: &Caller,
    id: AccessPackageId,
    query: &Query,
) -> ServiceResult<wire::AccessPackage> {
    let row = lists::package(&state.db, &caller.principal, id).await?;
    let page = ListPage {
        items: vec![row],
        count: None,
        next: None,
    };
    let mut page = expanded(&state.db, query, page).await?;
    page.items.pop().ok_or(ServiceError::NotFound)
}

/// Gets an access package; `$expand=resourceRoleScopes($expand=role,scope)` adds what it
/// grants.
#[utoipa::path(
    tag = "Access packages",
    params(("id" = uuid::Uuid, Path, description = "The access package's id"), crate::api::ItemParams),
    responses(
        (status = 200, description = "The access package", body = wire::AccessPackage),
        crate::api::Errors,
    )
)]
#[get("/identityGovernance/entitlementManagement/accessPackages/{id}")]
pub async fn get_package(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    let query = item_query(&req, &graph::ACCESS_PACKAGES)?;
    let id: AccessPackageId = parse_id(&id)?;
    let found = one(&state, &caller, id, &query).await?;
    Ok(item(&req, &format!("{EM}/accessPackages"), &query, found))
}

#[derive(Deserialize, serde::Serialize, ToSchema, Default)]
#[serde(default)]
pub struct IdRef {
    id: Option<String>,
}

/// An access package's properties as sent; on PATCH, what is absent stays as it is.
#[derive(Deserialize, serde::Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct PackageBody {
    display_name: Option<String>,
    description: Option<String>,
    is_hidden: Option<bool>,
    /// The catalog, on create: `{"id": …}`.
    catalog: Option<IdRef>,
    /// Also accepted instead of `catalog`.
    catalog_id: Option<String>,
}

fn name_and_description(
    name: Option<String>,
    description: Option<String>,
) -> Result<(PackageName, Description), ServiceError> {
    let name = PackageName::parse(&name.unwrap_or_default())
        .map_err(|e| ServiceError::invalid("displayName", e))?;
    let description = Description::parse(&description.unwrap_or_default())
        .map_err(|e| ServiceError::invalid("description", e))?;
    Ok((name, description))
}

/// Creates an access package in a catalog, granting nothing yet.
#[utoipa::path(
    tag = "Access packages",
    request_body = PackageBody,
    responses(
        (status = 201, description = "The new access package", body = wire::AccessPackage),
        crate::api::Errors,
    )
)]
#[post("/identityGovernance/entitlementManagement/accessPackages")]
pub async fn create_package(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<PackageBody>,
) -> Answer {
    let body = body.into_inner();
    let catalog: CatalogId = parse_id(
        &body
            .catalog
            .and_then(|c| c.id)
            .or(body.catalog_id)
            .ok_or_else(|| GraphError::bad_request("catalog.id is required."))?,
    )?;
    let (name, description) = name_and_description(body.display_name, body.description)?;
    let new = NewPackage {
        name,
        description,
        catalog_id: catalog,
        resources: Vec::new(),
        policy: None,
        draft: None,
    };
    let made = service::create(&state.db, state.clock.as_ref(), &caller.principal, new).await?;
    if body.is_hidden == Some(true) {
        let (name, description) = name_and_description(
            Some(made.display_name.clone()),
            Some(made.description.clone()),
        )?;
        service::update(
            &state.db,
            state.clock.as_ref(),
            &caller.principal,
            made.id,
            name,
            description,
            true,
        )
        .await?;
    }
    let found = one(&state, &caller, made.id, &Query::default()).await?;
    Ok(created(&req, &format!("{EM}/accessPackages"), found))
}

/// Changes an access package's name, description or visibility.
#[utoipa::path(
    tag = "Access packages",
    params(("id" = uuid::Uuid, Path, description = "The access package's id")),
    request_body = PackageBody,
    responses(
        (status = 204, description = "Changed"),
        crate::api::Errors,
    )
)]
#[patch("/identityGovernance/entitlementManagement/accessPackages/{id}")]
pub async fn update_package(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<PackageBody>,
) -> Answer {
    let id: AccessPackageId = parse_id(&id)?;
    let before = lists::package(&state.db, &caller.principal, id).await?;
    let body = body.into_inner();
    if body.catalog.is_some() || body.catalog_id.is_some() {
        return Err(GraphError::bad_request(
            "An access package cannot move to another catalog.",
        ));
    }
    let (name, description) = name_and_description(
        body.display_name.or(Some(before.display_name)),
        body.description.or(Some(before.description)),
    )?;
    let hidden = body.is_hidden.unwrap_or(before.is_hidden);
    service::update(
        &state.db,
        state.clock.as_ref(),
        &caller.principal,
        id,
        name,
        description,
        hidden,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deletes an access package nobody holds or asks for.
#[utoipa::path(
    tag = "Access packages",
    params(("id" = uuid::Uuid, Path, description = "The access package's id")),
    responses(
        (status = 204, description = "Deleted"),
        crate::api::Errors,
    )
)]
#[delete("/identityGovernance/entitlementManagement/accessPackages/{id}")]
pub async fn delete_package(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    let id: AccessPackageId = parse_id(&id)?;
    service::delete(&state.db, state.clock.as_ref(), &caller.principal, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Lists what a package grants: each group and role (a package has few; one page).
#[utoipa::path(
    tag = "Access packages",
    params(("id" = uuid::Uuid, Path, description = "The access package's id"), crate::api::ListParams),
    responses(
        (status = 200, description = "The resource role scopes", body = Collection<wire::RoleScope>),
        crate::api::Errors,
    )
)]
#[get("/identityGovernance/entitlementManagement/accessPackages/{id}/resourceRoleScopes")]
pub async fn list_role_scopes(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    let query = list_query(&req, &graph::ROLE_SCOPES)?;
    if query.filter.is_some() || query.skiptoken.is_some() || query.order.is_some() {
        return Err(GraphError::new(
            actix_web::http::StatusCode::BAD_REQUEST,
            crate::domain::odata::UNSUPPORTED_QUERY,
            "A package's resource role scopes come in one page: no $filter, $orderby or $skiptoken.",
        ));
    }
    let id: AccessPackageId = parse_id(&id)?;
    let roles = lists::role_scopes(&state.db, &caller.principal, id).await?;
    let count = Some(roles.len() as u64).filter(|_| query.count);
    let page = ListPage {
        items: roles.iter().map(wire::RoleScope::from).collect(),
        count,
        next: None,
    };
    Ok(collection(
        &req,
        &format!("{EM}/accessPackages('{id}')/resourceRoleScopes"),
        &query,
        page,
        |r| r,
    ))
}

#[derive(Deserialize, serde::Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct OriginRef {
    id: Option<String>,
    display_name: Option<String>,
    /// A role: `Member_{groupId}` or `Owner_{groupId}`; a scope or resource: the group's id.
    origin_id: Option<String>,
    /// `AadGroup`
    origin_system: Option<String>,
    resource: Option<ResourceOrigin>,
}

/// A role's resource: the group.
#[derive(Deserialize, serde::Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceOrigin {
    id: Option<String>,
    /// The group's id.
    origin_id: Option<String>,
    origin_system: Option<String>,
}

/// What a package should grant: `role` (Member or Owner) in `scope` (a group).
#[derive(Deserialize, serde::Serialize, ToSchema, Default)]
#[serde(default)]
pub struct RoleScopeBody {
    role: Option<OriginRef>,
    scope: Option<OriginRef>,
}

/// The group and role a role scope body names.
fn role_and_group(body: &RoleScopeBody) -> Result<(GroupId, MemberRole), GraphError> {
    let role = body
        .role
        .as_ref()
        .ok_or_else(|| GraphError::bad_request("role is required."))?;
    for system in [
        &role.origin_system,
        &body.scope.as_ref().and_then(|s| s.origin_system.clone()),
    ]
    .into_iter()
    .flatten()
    {
        if !system.eq_ignore_ascii_case("AadGroup") {
            return Err(GraphError::bad_request(
                "Gatehouse's resources are groups: originSystem must be AadGroup.",
            ));
        }
    }
    let (role_name, group_in_role) = match role.origin_id.as_deref().and_then(|o| o.split_once('_'))
    {
        Some((name, group)) => (name.to_owned(), Some(group.to_owned())),
        None => (role.display_name.clone().unwrap_or_default(), None),
    };
    let member_role = if role_name.eq_ignore_ascii_case("member") {
        MemberRole::Member
    } else if role_name.eq_ignore_ascii_case("owner") {
        MemberRole::Owner
    } else {
        return Err(GraphError::bad_request(
            "role.originId must be Member_{groupId} or Owner_{groupId}.",
        ));
    };
    let group = body
        .scope
        .as_ref()
        .and_then(|s| s.origin_id.clone())
        .or(group_in_role)
        .or_else(|| role.resource.as_ref().and_then(|r| r.origin_id.clone()))
        .ok_or_else(|| GraphError::bad_request("scope.originId (the group's id) is required."))?;
    Ok((parse_id(&group)?, member_role))
}

/// Makes the package grant a role in a group (adding the group to the catalog if the
/// caller may).
#[utoipa::path(
    tag = "Access packages",
    params(("id" = uuid::Uuid, Path, description = "The access package's id")),
    request_body = RoleScopeBody,
    responses(
        (status = 201, description = "The new resource role scope", body = wire::RoleScope),
        crate::api::Errors,
    )
)]
#[post("/identityGovernance/entitlementManagement/accessPackages/{id}/resourceRoleScopes")]
pub async fn add_role_scope(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<RoleScopeBody>,
) -> Answer {
    let id: AccessPackageId = parse_id(&id)?;
    let (group, role) = role_and_group(&body)?;
    service::add_resource_role(
        &state.db,
        state.clock.as_ref(),
        &caller.principal,
        id,
        group,
        role,
    )
    .await?;
    let roles = lists::role_scopes(&state.db, &caller.principal, id).await?;
    let made = roles
        .iter()
        .find(|r| r.group_id == group && r.role == role)
        .ok_or(ServiceError::NotFound)?;
    Ok(created(
        &req,
        &format!("{EM}/accessPackages('{id}')/resourceRoleScopes"),
        wire::RoleScope::from(made),
    ))
}

/// Stops the package granting a role; assignments already delivered keep it until they end.
#[utoipa::path(
    tag = "Access packages",
    params(
        ("id" = uuid::Uuid, Path, description = "The access package's id"),
        ("scope" = uuid::Uuid, Path, description = "The resource role scope's id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        crate::api::Errors,
    )
)]
#[delete(
    "/identityGovernance/entitlementManagement/accessPackages/{id}/resourceRoleScopes/{scope}"
)]
pub async fn remove_role_scope(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Answer {
    let id: AccessPackageId = parse_id(&path.0)?;
    let scope: ResourceRoleId = parse_id(&path.1)?;
    service::remove_resource_role(
        &state.db,
        state.clock.as_ref(),
        &caller.principal,
        id,
        scope,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_packages,
    get_package,
    create_package,
    update_package,
    delete_package,
    list_role_scopes,
    add_role_scope,
    remove_role_scope
))]
pub struct Doc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_packages)
        .service(create_package)
        .service(get_package)
        .service(update_package)
        .service(delete_package)
        .service(list_role_scopes)
        .service(add_role_scope)
        .service(remove_role_scope);
}
