//! `/v1.0`: a Microsoft Graph–compatible API for scripts and Graph SDKs. Thin: who is
//! calling (a bearer token), which OData options, call a service, answer in Graph's JSON.
//! Outside the portal's route table: no session, no CSRF, Graph error bodies.
pub mod approvals;
pub mod auth;
pub mod catalogs;
pub mod directory;
pub mod error;
pub mod list;
pub mod packages;
pub mod policies;
pub mod reference;
pub mod requests;
pub mod token;
pub mod wire;

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, IntoResponses, Modify, OpenApi};

use error::{ErrorBody, GraphError};

/// Where the API lives.
pub const BASE_PATH: &str = "/v1.0";
/// A request body larger than this is refused.
const MAX_BODY: usize = 256 * 1024;

/// The OData options of a list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    /// e.g. `startswith(displayName,'Mar') and createdDateTime ge 2026-01-01T00:00:00Z`
    #[serde(rename = "$filter")]
    filter: Option<String>,
    /// Page size, 1 to 999 (default 100).
    #[serde(rename = "$top")]
    #[param(minimum = 1, maximum = 999)]
    top: Option<u32>,
    #[serde(rename = "$skip")]
    #[param(minimum = 0, maximum = 1000000)]
    skip: Option<u32>,
    /// From `@odata.nextLink`.
    #[serde(rename = "$skiptoken")]
    skiptoken: Option<String>,
    /// Comma-separated property names.
    #[serde(rename = "$select")]
    select: Option<String>,
    /// Comma-separated navigation properties, where the resource has them.
    #[serde(rename = "$expand")]
    expand: Option<String>,
    /// One property, optionally followed by `asc` or `desc`.
    #[serde(rename = "$orderby")]
    orderby: Option<String>,
    /// `true` adds `@odata.count`.
    #[serde(rename = "$count")]
    count: Option<bool>,
}

/// The OData options of a single item.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ItemParams {
    /// Comma-separated property names.
    #[serde(rename = "$select")]
    select: Option<String>,
    /// Comma-separated navigation properties, where the resource has them.
    #[serde(rename = "$expand")]
    expand: Option<String>,
}

/// The refusals every endpoint may give, in Graph's error body.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Errors {
    /// Bad input: a body, an id or a query option Gatehouse cannot use.
    #[response(status = 400)]
    BadRequest(#[to_schema] ErrorBody),
    /// No token, or one that is unknown, expired or revoked.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// The token's permissions, or its owner's role, do not allow this.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such object, or one the caller may not see.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// The object's state does not allow this now.
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// Too many calls with this token; see `Retry-After`.
    #[response(status = 429)]
    TooMany(ErrorBody),
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token from My Access → API tokens, or an app's token from /{tenant}/oauth2/v2.0/token.",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Gatehouse Graph-compatible API",
        description = "Microsoft Graph v1.0 resource shapes for users, groups and entitlement management, served by Gatehouse. Point a Graph SDK's base URL at `{server}/v1.0`."
    ),
    paths(token::issue),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

/// The whole document: the token endpoint and every resource module's paths, named whole
/// (handlers name their paths inside the `/v1.0` scope).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut resources = directory::Doc::openapi();
    resources.merge(catalogs::Doc::openapi());
    resources.merge(packages::Doc::openapi());
    resources.merge(policies::Doc::openapi());
    resources.merge(requests::Doc::openapi());
    resources.merge(approvals::Doc::openapi());
    let mut doc = ApiDoc::openapi();
    for (path, item) in resources.paths.paths {
        doc.paths.paths.insert(format!("{BASE_PATH}{path}"), item);
    }
    if let Some(components) = resources.components {
        let mine = doc.components.get_or_insert_with(Default::default);
        mine.schemas.extend(components.schemas);
        mine.responses.extend(components.responses);
    }
    doc
}

/// The OpenAPI document as JSON, made once.
pub fn document() -> &'static str {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOC.get_or_init(|| openapi().to_json().unwrap_or_default())
}

async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document())
}

/// Anything else under `/v1.0`.
async fn unknown() -> Result<HttpResponse, GraphError> {
    Err(GraphError::new(
        actix_web::http::StatusCode::NOT_FOUND,
        "UnknownResource",
        "Gatehouse serves no resource at this address. See /openapi.json for what it serves.",
    ))
}

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_BODY)
        .error_handler(|err, _| {
            let message = match &err {
                actix_web::error::JsonPayloadError::ContentType => {
                    "Send the body as JSON, with Content-Type: application/json.".to_owned()
                }
                actix_web::error::JsonPayloadError::Overflow { .. }
                | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
                    format!("The body is larger than {} KB.", MAX_BODY / 1024)
                }
                other => format!("The body is not valid: {other}"),
            };
            GraphError::bad_request(message).into()
        })
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(openapi_json))
        .route("/api", web::get().to(reference::page))
        .route("/{tenant}/oauth2/v2.0/token", web::post().to(token::issue))
        .service(
            web::scope(BASE_PATH)
                .app_data(json_config())
                .app_data(web::PathConfig::default().error_handler(|_, _| {
                    GraphError::bad_request("The address is not valid.").into()
                }))
                .configure(directory::configure)
                .configure(catalogs::configure)
                .configure(packages::configure)
                .configure(policies::configure)
                .configure(requests::configure)
                .configure(approvals::configure)
                .default_service(web::to(unknown)),
        );
}
