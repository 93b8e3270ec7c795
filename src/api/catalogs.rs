//! `identityGovernance/entitlementManagement/catalogs` with their resources and access
//! packages, and `resourceRequests` that add a group to a catalog.
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::GraphError;
use super::list::{collection, created, item, item_query, list_query, parse_id};
use super::wire::{self, Collection};
use crate::domain::catalog::CatalogName;
use crate::domain::graph;
use crate::domain::group::Description;
use crate::ids::{CatalogId, GroupId};
use crate::services::catalogs::{self as service, CatalogFields};
use crate::services::error::ServiceError;
use crate::services::lists;
use crate::state::AppState;

type Answer = Result<HttpResponse, GraphError>;

const EM: &str = "identityGovernance/entitlementManagement";

/// Lists the catalogs the caller may see.
#[utoipa::path(
    tag = "Catalogs",
    params(crate::api::ListParams),
    responses(
        (status = 200, description = "A page of catalogs", body = Collection<wire::Catalog>),
        crate::api::Errors,
    )
)]
#[get("/identityGovernance/entitlementManagement/catalogs")]
pub async fn list_catalogs(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> Answer {
    let query = list_query(&req, &graph::CATALOGS)?;
    let page = lists::catalogs(&state.db, &caller.principal, &query).await?;
    Ok(collection(
        &req,
        &format!("{EM}/catalogs"),
        &query,
        page,
        wire::Catalog::from,
    ))
}

/// Gets a catalog.
#[utoipa::path(
    tag = "Catalogs",
    params(("id" = uuid::Uuid, Path, description = "The catalog's id"), crate::api::ItemParams),
    responses(
        (status = 200, description = "The catalog", body = wire::Catalog),
        crate::api::Errors,
    )
)]
#[get("/identityGovernance/entitlementManagement/catalogs/{id}")]
pub async fn get_catalog(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    let query = item_query(&req, &graph::CATALOGS)?;
    let id: CatalogId = parse_id(&id)?;
    let found = lists::catalog(&state.db, &caller.principal, id).await?;
    Ok(item(
        &req,
        &format!("{EM}/catalogs"),
        &query,
        wire::Catalog::from(found),
    ))
}

/// A catalog's properties as sent; on PATCH, what is absent stays as it is.
#[derive(Deserialize, serde::Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct CatalogBody {
    display_name: Option<String>,
    description: Option<String>,
    is_externally_visible: Option<bool>,
    /// `published` or `unpublished`.
    state: Option<String>,
}

impl CatalogBody {
    /// The fields, over `before` (or the defaults of a new catalog).
    fn fields(
        self,
        before: Option<&crate::entities::catalog::Model>,
    ) -> Result<CatalogFields, ServiceError> {
        let name = self
            .display_name
            .or_else(|| before.map(|b| b.display_name.clone()))
            .unwrap_or_default();
        let description = self
            .description
            .or_else(|| before.map(|b| b.description.clone()))
            .unwrap_or_default();
        let is_enabled = match self.state.as_deref() {
            None => before.is_none_or(|b| b.is_enabled),
            Some(s) if s.eq_ignore_ascii_case("published") => true,
            Some(s) if s.eq_ignore_ascii_case("unpublished") => false,
            Some(_) => {
                return Err(ServiceError::field(
                    "state",
                    "invalid",
                    "state must be published or unpublished.",
                ));
            }
        };
        Ok(CatalogFields {
            name: CatalogName::parse(&name).map_err(|e| ServiceError::invalid("displayName", e))?,
            description: Description::parse(&description)
                .map_err(|e| ServiceError::invalid("description", e))?,
            is_enabled,
            is_externally_visible: self
                .is_externally_visible
                .or_else(|| before.map(|b| b.is_externally_visible))
                .unwrap_or(false),
        })
    }
}

/// Creates a catalog (directory administrators).
#[utoipa::path(
    tag = "Catalogs",
    request_body = CatalogBody,
    responses(
        (status = 201, description = "The new catalog", body = wire::Catalog),
        crate::api::Errors,
    )
)]
#[post("/identityGovernance/entitlementManagement/catalogs")]
pub async fn create_catalog(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CatalogBody>,
) -> Answer {
    let fields = body.into_inner().fields(None)?;
    let made = service::create(&state.db, state.clock.as_ref(), &caller.principal, fields).await?;
    let row = lists::catalog(&state.db, &caller.principal, made.id).await?;
    Ok(created(
        &req,
        &format!("{EM}/catalogs"),
        wire::Catalog::from(row),
    ))
}

/// Changes a catalog's properties (catalog owners and administrators).
#[utoipa::path(
    tag = "Catalogs",
    params(("id" = uuid::Uuid, Path, description = "The catalog's id")),
    request_body = CatalogBody,
    responses(
        (status = 204, description = "Changed"),
        crate::api::Errors,
    )
)]
#[patch("/identityGovernance/entitlementManagement/catalogs/{id}")]
pub async fn update_catalog(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<CatalogBody>,
) -> Answer {
    let id: CatalogId = parse_id(&id)?;
    let before = lists::catalog(&state.db, &caller.principal, id).await?;
    let fields = body.into_inner().fields(Some(&before))?;
    service::update(
        &state.db,
        state.clock.as_ref(),
        &caller.principal,
        id,
        fields,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deletes a catalog with nothing in it.
#[utoipa::path(
    tag = "Catalogs",
    params(("id" = uuid::Uuid, Path, description = "The catalog's id")),
    responses(
        (status = 204, description = "Deleted"),
        crate::api::Errors,
    )
)]
#[delete("/identityGovernance/entitlementManagement/catalogs/{id}")]
pub async fn delete_catalog(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    let id: CatalogId = parse_id(&id)?;
    service::delete(&state.db, state.clock.as_ref(), &caller.principal, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Lists a catalog's resources (groups).
#[utoipa::path(
    tag = "Catalogs",
    params(("id" = uuid::Uuid, Path, description = "The catalog's id"), crate::api::ListParams),
    responses(
        (status = 200, description = "A page of resources", body = Collection<wire::PackageResource>),
        crate::api::Errors,
    )
)]
#[get("/identityGovernance/entitlementManagement/catalogs/{id}/resources")]
pub async fn list_resources(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    let query = list_query(&req, &graph::CATALOG_RESOURCES)?;
    let id: CatalogId = parse_id(&id)?;
    let page = lists::catalog_resources(&state.db, &caller.principal, id, &query).await?;
    Ok(collection(
        &req,
        &format!("{EM}/catalogs('{id}')/resources"),
        &query,
        page,
        |(row, group)| wire::PackageResource::of(&row, &group),
    ))
}

/// Lists a catalog's access packages.
#[utoipa::path(
    tag = "Catalogs",
    params(("id" = uuid::Uuid, Path, description = "The catalog's id"), crate::api::ListParams),
    responses(
        (status = 200, description = "A page of access packages", body = Collection<wire::AccessPackage>),
        crate::api::Errors,
    )
)]
#[get("/identityGovernance/entitlementManagement/catalogs/{id}/accessPackages")]
pub async fn list_catalog_packages(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    let query = list_query(&req, &graph::ACCESS_PACKAGES)?;
    let id: CatalogId = parse_id(&id)?;
    let page = lists::packages(&state.db, &caller.principal, Some(id), &query).await?;
    let page = super::packages::expanded(&state.db, &query, page).await?;
    Ok(collection(
        &req,
        &format!("{EM}/accessPackages"),
        &query,
        page,
        |p| p,
    ))
}

/// `{"id": …}` or `{"originId": …, "originSystem": "AadGroup"}`
#[derive(Deserialize, serde::Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceRef {
    id: Option<String>,
    /// The group's id.
    origin_id: Option<String>,
    /// `AadGroup`
    origin_system: Option<String>,
}

#[derive(Deserialize, serde::Serialize, ToSchema, Default)]
#[serde(default)]
pub struct IdRef {
    id: Option<String>,
}

/// Adds a group to a catalog (`adminAdd`) or takes it out (`adminRemove`).
#[derive(Deserialize, serde::Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceRequestBody {
    /// `adminAdd` or `adminRemove`.
    request_type: String,
    resource: Option<ResourceRef>,
    catalog: Option<IdRef>,
    /// Also accepted instead of `catalog`.
    catalog_id: Option<String>,
}

/// The group a resource reference names: by `originId`, or by the resource's own id in the
/// catalog.
async fn referenced_group(
    state: &AppState,
    caller: &Caller,
    catalog: CatalogId,
    resource: &ResourceRef,
) -> Result<GroupId, GraphError> {
    if let Some(system) = &resource.origin_system
        && !system.eq_ignore_ascii_case("AadGroup")
    {
        return Err(GraphError::bad_request(
            "Gatehouse's resources are groups: originSystem must be AadGroup.",
        ));
    }
    if let Some(origin) = &resource.origin_id {
        return parse_id(origin);
    }
    let Some(id) = &resource.id else {
        return Err(GraphError::bad_request(
            "resource needs originId (the group's id) or id.",
        ));
    };
    let id: crate::ids::CatalogResourceId = parse_id(id)?;
    lists::catalog_resource(&state.db, &caller.principal, catalog, id)
        .await
        .map(|row| row.group_id)
        .map_err(GraphError::from)
}

/// Adds a group to a catalog, or removes it, at once.
#[utoipa::path(
    tag = "Catalogs",
    request_body = ResourceRequestBody,
    responses(
        (status = 201, description = "Done", body = wire::ResourceRequest),
        crate::api::Errors,
    )
)]
#[post("/identityGovernance/entitlementManagement/resourceRequests")]
pub async fn create_resource_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<ResourceRequestBody>,
) -> Answer {
    let body = body.into_inner();
    let raw_catalog = body
        .catalog
        .and_then(|c| c.id)
        .or(body.catalog_id)
        .ok_or_else(|| GraphError::bad_request("catalog.id is required."))?;
    let catalog: CatalogId = parse_id(&raw_catalog)?;
    let resource = body
        .resource
        .ok_or_else(|| GraphError::bad_request("resource is required."))?;
    let group = referenced_group(&state, &caller, catalog, &resource).await?;
    let request_type = body.request_type.to_ascii_lowercase();
    let removed = match request_type.as_str() {
        "adminadd" => {
            service::add_resource(
                &state.db,
                state.clock.as_ref(),
                &caller.principal,
                catalog,
                group,
            )
            .await?;
            None
        }
        "adminremove" => {
            let row = lists::catalog_group(&state.db, &caller.principal, catalog, group).await?;
            service::remove_resource(
                &state.db,
                state.clock.as_ref(),
                &caller.principal,
                catalog,
                group,
            )
            .await?;
            Some(row)
        }
        _ => {
            return Err(GraphError::bad_request(
                "requestType must be adminAdd or adminRemove.",
            ));
        }
    };
    let (row, group_row) = match removed {
        Some(pair) => pair,
        None => lists::catalog_group(&state.db, &caller.principal, catalog, group).await?,
    };
    let answer = wire::ResourceRequest {
        id: uuid::Uuid::new_v4().to_string(),
        request_type: if request_type == "adminadd" {
            "adminAdd".to_owned()
        } else {
            "adminRemove".to_owned()
        },
        state: "delivered",
        created_date_time: wire::iso(state.clock.now()),
        catalog: Some(wire::CatalogRef {
            id: catalog.to_string(),
        }),
        resource: Some(wire::PackageResource::of(&row, &group_row)),
    };
    Ok(created(&req, &format!("{EM}/resourceRequests"), answer))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_catalogs,
    get_catalog,
    create_catalog,
    update_catalog,
    delete_catalog,
    list_resources,
    list_catalog_packages,
    create_resource_request
))]
pub struct Doc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_catalogs)
        .service(create_catalog)
        .service(get_catalog)
        .service(update_catalog)
        .service(delete_catalog)
        .service(list_resources)
        .service(list_catalog_packages)
        .service(create_resource_request);
}
