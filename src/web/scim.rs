//! `/scim/v2`: Gatehouse as a SCIM 2.0 service provider for identity providers (Entra,
//! Okta, Keycloak, Authentik…). Thin: who is asking (a provisioning token), what did they
//! send (SCIM JSON), call [`crate::services::provisioning`], answer in SCIM JSON with SCIM
//! error bodies. Outside the portal's route table: no session, no CSRF, its own 404s.
use std::collections::HashSet;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

use crate::auth::extract::client_ip;
use crate::domain::principal::Principal;
use crate::domain::scim::{
    self, GroupInput, GroupView, Selection, UserInput, UserView, discovery, filter, patch,
};
use crate::entities::{group, user};
use crate::ids::UserId;
use crate::services::error::ServiceError;
use crate::services::provisioning::{self as service, Members};
use crate::state::AppState;

/// Where the endpoint lives.
pub const BASE_PATH: &str = "/scim/v2";
/// A group of 10,000 members is about 1 MB of JSON.
const MAX_SCIM_BODY: usize = 4 * 1024 * 1024;
const CONTENT_TYPE: &str = "application/scim+json";

type Answer = Result<HttpResponse, ScimError>;

/// An answer in RFC 7644's error format.
#[derive(Debug)]
pub struct ScimError {
    status: StatusCode,
    scim_type: Option<&'static str>,
    detail: String,
}

impl ScimError {
    fn new(status: StatusCode, scim_type: Option<&'static str>, detail: impl Into<String>) -> Self {
        Self {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, None, "Resource not found.")
    }
}

impl std::fmt::Display for ScimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.detail)
    }
}

impl actix_web::ResponseError for ScimError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let body = scim::error_body(self.status.as_u16(), self.scim_type, &self.detail);
        let mut answer = HttpResponse::build(self.status);
        answer.content_type(CONTENT_TYPE);
        if self.status == StatusCode::UNAUTHORIZED {
            answer.insert_header((
                header::WWW_AUTHENTICATE,
                "Bearer realm=\"Gatehouse SCIM\", error=\"invalid_token\"",
            ));
        }
        answer.body(body.to_string())
    }
}

impl From<scim::Refused> for ScimError {
    fn from(refused: scim::Refused) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            Some(refused.scim_type),
            refused.message,
        )
    }
}

impl From<ServiceError> for ScimError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::NotFound => Self::not_found(),
            ServiceError::Forbidden { message, .. } => {
                Self::new(StatusCode::FORBIDDEN, None, message)
            }
            ServiceError::Conflict {
                code: "precondition_failed",
                message,
            } => Self::new(StatusCode::PRECONDITION_FAILED, None, message),
            ServiceError::Conflict { message, .. } => {
                Self::new(StatusCode::CONFLICT, None, message)
            }
            ServiceError::Invalid(fields) => {
                let message = fields
                    .iter()
                    .map(|f| f.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                if fields.iter().any(|f| f.code == "taken") {
                    Self::new(StatusCode::CONFLICT, Some("uniqueness"), message)
                } else if fields.iter().any(|f| f.code == "invalid_filter") {
                    Self::new(StatusCode::BAD_REQUEST, Some("invalidFilter"), message)
                } else {
                    Self::new(StatusCode::BAD_REQUEST, Some("invalidValue"), message)
                }
            }
            ServiceError::Unexpected(err) => {
                tracing::error!(error = ?err, "SCIM request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    None,
                    "Gatehouse could not do this just now. Try again.",
                )
            }
        }
    }
}

impl From<sea_orm::DbErr> for ScimError {
    fn from(err: sea_orm::DbErr) -> Self {
        ServiceError::from(err).into()
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope(BASE_PATH)
            .app_data(web::PayloadConfig::new(MAX_SCIM_BODY))
            .route(
                "/ServiceProviderConfig",
                web::get().to(service_provider_config),
            )
            .route("/ResourceTypes", web::get().to(resource_types))
            .route("/ResourceTypes/{id}", web::get().to(resource_type))
            .route("/Schemas", web::get().to(schemas))
            .route("/Schemas/{id}", web::get().to(schema))
            .route("/Users", web::get().to(list_users))
            .route("/Users", web::post().to(create_user))
            .route("/Users/.search", web::post().to(search_users))
            .route("/Users/{id}", web::get().to(get_user))
            .route("/Users/{id}", web::put().to(replace_user))
            .route("/Users/{id}", web::patch().to(patch_user))
            .route("/Users/{id}", web::delete().to(delete_user))
            .route("/Groups", web::get().to(list_groups))
            .route("/Groups", web::post().to(create_group))
            .route("/Groups/.search", web::post().to(search_groups))
            .route("/Groups/{id}", web::get().to(get_group))
            .route("/Groups/{id}", web::put().to(replace_group))
            .route("/Groups/{id}", web::patch().to(patch_group))
            .route("/Groups/{id}", web::delete().to(delete_group))
            .default_service(web::to(unknown)),
    );
}

/// A path under the base with no such resource, or a method a resource does not take.
async fn unknown(req: HttpRequest, state: web::Data<AppState>) -> Answer {
    signed_in(&req, &state).await?;
    let path = req.path().trim_start_matches(BASE_PATH);
    let known = [
        "/ServiceProviderConfig",
        "/ResourceTypes",
        "/Schemas",
        "/Users",
        "/Groups",
    ];
    if known
        .iter()
        .any(|k| path == *k || path.starts_with(&format!("{k}/")))
    {
        return Err(ScimError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            None,
            format!("{} is not allowed on {}.", req.method(), req.path()),
        ));
    }
    if path == "/.search" || path == "/Bulk" {
        return Err(ScimError::new(
            StatusCode::NOT_IMPLEMENTED,
            None,
            "Gatehouse does not support searching across resource types or bulk operations; use /Users or /Groups.",
        ));
    }
    Err(ScimError::not_found())
}

/// The provisioning token's principal, or 401.
async fn signed_in(req: &HttpRequest, state: &AppState) -> Result<Principal, ScimError> {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split_once(' ')
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, token)| token.trim().to_owned())
        });
    let refused = || {
        ScimError::new(
            StatusCode::UNAUTHORIZED,
            None,
            "A valid provisioning token is required (Authorization: Bearer …). Tokens are made under Connected systems → SCIM provisioning.",
        )
    };
    let Some(presented) = presented else {
        return Err(refused());
    };
    service::authenticate(&state.db, state.clock.as_ref(), &presented, client_ip(req))
        .await?
        .ok_or_else(refused)
}

fn base(state: &AppState) -> String {
    format!(
        "{}{BASE_PATH}",
        state.config.public_url.trim_end_matches('/')
    )
}

fn json(status: StatusCode, body: &Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(CONTENT_TYPE)
        .body(body.to_string())
}

/// One resource, with its ETag (and `Location` when just created).
fn resource(status: StatusCode, body: Value, selection: &Selection) -> HttpResponse {
    let version = body["meta"]["version"].as_str().map(str::to_owned);
    let location = body["meta"]["location"].as_str().map(str::to_owned);
    let mut answer = HttpResponse::build(status);
    answer.content_type(CONTENT_TYPE);
    if let Some(version) = version {
        answer.insert_header((header::ETAG, version));
    }
    if status == StatusCode::CREATED
        && let Some(location) = location
    {
        answer.insert_header((header::LOCATION, location));
    }
    answer.body(selection.apply(body).to_string())
}

fn if_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// A GET whose `If-None-Match` names the current version: 304.
fn not_modified(req: &HttpRequest, body: &Value) -> Option<HttpResponse> {
    let current = body["meta"]["version"].as_str()?;
    let asked = req.headers().get(header::IF_NONE_MATCH)?.to_str().ok()?;
    asked
        .split(',')
        .any(|t| t.trim() == current || t.trim() == "*")
        .then(|| {
            HttpResponse::NotModified()
                .insert_header((header::ETAG, current.to_owned()))
                .finish()
        })
}

fn body_json(body: &[u8]) -> Result<Value, ScimError> {
    serde_json::from_slice(body).map_err(|e| {
        ScimError::new(
            StatusCode::BAD_REQUEST,
            Some("invalidSyntax"),
            format!("The body is not valid JSON: {e}."),
        )
    })
}

/// The query of a list or a search.
struct ListQuery {
    filter: Option<filter::Filter>,
    start_index: u64,
    count: u64,
    selection: Selection,
}

fn number(value: Option<&str>, name: &str) -> Result<Option<i64>, ScimError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
            ScimError::new(
                StatusCode::BAD_REQUEST,
                Some("invalidValue"),
                format!("{name} must be a whole number."),
            )
        }),
    }
}

impl ListQuery {
    fn new(
        filter: Option<&str>,
        start_index: Option<i64>,
        count: Option<i64>,
        attributes: Option<&str>,
        excluded: Option<&str>,
    ) -> Result<Self, ScimError> {
        let filter = match filter.map(str::trim).filter(|f| !f.is_empty()) {
            None => None,
            Some(text) => Some(filter::parse(text).map_err(|e| {
                ScimError::new(StatusCode::BAD_REQUEST, Some("invalidFilter"), e.0)
            })?),
        };
        // RFC 7644 §3.4.2.4: below 1 means 1; a negative count means 0.
        let start_index = u64::try_from(start_index.unwrap_or(1).max(1)).unwrap_or(1);
        let count = u64::try_from(count.unwrap_or(100).max(0))
            .unwrap_or(0)
            .min(scim::MAX_PAGE);
        Ok(Self {
            filter,
            start_index,
            count,
            selection: Selection::new(attributes, excluded),
        })
    }

    fn from_url(req: &HttpRequest) -> Result<Self, ScimError> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(req.query_string()).map_err(|_| {
                ScimError::new(
                    StatusCode::BAD_REQUEST,
                    Some("invalidSyntax"),
                    "The query string could not be read.",
                )
            })?;
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        Self::new(
            get("filter"),
            number(get("startIndex"), "startIndex")?,
            number(get("count"), "count")?,
            get("attributes"),
            get("excludedAttributes"),
        )
    }

    /// A `POST …/.search` body (RFC 7644 §3.4.3).
    fn from_search(body: &[u8]) -> Result<Self, ScimError> {
        let body = body_json(body)?;
        let text = |name: &str| -> Option<String> {
            match body.get(name)? {
                Value::String(s) => Some(s.clone()),
                Value::Array(items) => Some(
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(","),
                ),
                _ => None,
            }
        };
        let int = |name: &str| body.get(name).and_then(Value::as_i64);
        Self::new(
            text("filter").as_deref(),
            int("startIndex"),
            int("count"),
            text("attributes").as_deref(),
            text("excludedAttributes").as_deref(),
        )
    }
}

/// Attribute selection of a single-resource request.
fn selection(req: &HttpRequest) -> Result<Selection, ScimError> {
    Ok(ListQuery::from_url(req)?.selection)
}

// ---------------------------------------------------------------------------------------
// Discovery

async fn service_provider_config(req: HttpRequest, state: web::Data<AppState>) -> Answer {
    signed_in(&req, &state).await?;
    Ok(json(
        StatusCode::OK,
        &discovery::service_provider_config(&base(&state)),
    ))
}

async fn resource_types(req: HttpRequest, state: web::Data<AppState>) -> Answer {
    signed_in(&req, &state).await?;
    let all = discovery::resource_types(&base(&state));
    Ok(json(
        StatusCode::OK,
        &scim::list_response(all.len() as u64, 1, all),
    ))
}

async fn resource_type(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Answer {
    signed_in(&req, &state).await?;
    discovery::resource_types(&base(&state))
        .into_iter()
        .find(|t| t["id"].as_str() == Some(id.as_str()))
        .map(|t| json(StatusCode::OK, &t))
        .ok_or_else(ScimError::not_found)
}

async fn schemas(req: HttpRequest, state: web::Data<AppState>) -> Answer {
    signed_in(&req, &state).await?;
    let all = discovery::schemas(&base(&state));
    Ok(json(
        StatusCode::OK,
        &scim::list_response(all.len() as u64, 1, all),
    ))
}

async fn schema(req: HttpRequest, state: web::Data<AppState>, id: web::Path<String>) -> Answer {
    signed_in(&req, &state).await?;
    discovery::schemas(&base(&state))
        .into_iter()
        .find(|s| s["id"].as_str() == Some(id.as_str()))
        .map(|s| json(StatusCode::OK, &s))
        .ok_or_else(ScimError::not_found)
}

// ---------------------------------------------------------------------------------------
// Users

fn user_json(row: &user::Model, domain: Option<&str>, base: &str) -> Value {
    UserView {
        id: row.id.to_string(),
        user_name: service::user_name_of(row, domain),
        external_id: row.external_id.as_deref().filter(|_| {
            row.source_system_id == Some(crate::ids::ConnectedSystemId::SCIM_PROVISIONING)
        }),
        display_name: &row.display_name,
        active: row.account_enabled,
        email: row.email.as_deref(),
        profile: row
            .scim_profile
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok()),
        created: row.created_at,
        modified: row.updated_at,
    }
    .to_json(base)
}

async fn user_page(state: &AppState, principal: &Principal, query: ListQuery) -> Answer {
    let (total, rows, domain) = service::list_users(
        &state.db,
        principal,
        query.filter.as_ref(),
        query.start_index,
        query.count,
    )
    .await?;
    let base = base(state);
    let resources = rows
        .iter()
        .map(|row| {
            query
                .selection
                .apply(user_json(row, domain.as_deref(), &base))
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &scim::list_response(total, query.start_index, resources),
    ))
}

async fn list_users(req: HttpRequest, state: web::Data<AppState>) -> Answer {
    let principal = signed_in(&req, &state).await?;
    user_page(&state, &principal, ListQuery::from_url(&req)?).await
}

async fn search_users(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> Answer {
    let principal = signed_in(&req, &state).await?;
    user_page(&state, &principal, ListQuery::from_search(&body)?).await
}

async fn get_user(req: HttpRequest, state: web::Data<AppState>, id: web::Path<String>) -> Answer {
    let principal = signed_in(&req, &state).await?;
    let selection = selection(&req)?;
    let (row, domain) = service::get_user(&state.db, &principal, &id).await?;
    let body = user_json(&row, domain.as_deref(), &base(&state));
    if let Some(answer) = not_modified(&req, &body) {
        return Ok(answer);
    }
    Ok(resource(StatusCode::OK, body, &selection))
}

async fn create_user(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> Answer {
    let principal = signed_in(&req, &state).await?;
    let selection = selection(&req)?;
    let input = UserInput::parse(&body_json(&body)?)?;
    let row = service::create_user(&state.db, state.clock.as_ref(), &principal, input).await?;
    let domain = service::upn_domain(&state.db).await?;
    let body = user_json(&row, domain.as_deref(), &base(&state));
    Ok(resource(StatusCode::CREATED, body, &selection))
}

async fn replace_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Answer {
    let principal = signed_in(&req, &state).await?;
    let selection = selection(&req)?;
    let input = UserInput::parse(&body_json(&body)?)?;
    let row = service::replace_user(
        &state.db,
        state.clock.as_ref(),
        &principal,
        &id,
        input,
        if_match(&req).as_deref(),
    )
    .await?;
    let domain = service::upn_domain(&state.db).await?;
    let body = user_json(&row, domain.as_deref(), &base(&state));
    Ok(resource(StatusCode::OK, body, &selection))
}

async fn patch_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Answer {
    let principal = signed_in(&req, &state).await?;
    let selection = selection(&req)?;
    let operations = scim::known_operations(
        &body_json(&body)?,
        scim::USER_SCHEMA,
        &scim::USER_ATTRIBUTES,
    );
    let (row, domain) = service::get_user(&state.db, &principal, &id).await?;
    let base = base(&state);
    let mut current = user_json(&row, domain.as_deref(), &base);
    let Some(operations) = operations else {
        // Only attributes Gatehouse does not keep: nothing changes.
        return Ok(resource(StatusCode::OK, current, &selection));
    };
    // A PATCH names its precondition against what was read, or the caller's If-Match.
    let tag = if_match(&req).unwrap_or_else(|| scim::version(row.updated_at));
    patch::apply(
        &mut current,
        &operations,
        &[scim::USER_SCHEMA, scim::ENTERPRISE_USER_SCHEMA],
    )
    .map_err(|e| ScimError::new(StatusCode::BAD_REQUEST, Some(e.scim_type), e.message))?;
    let input = UserInput::parse(&current)?;
    let row = service::replace_user(
        &state.db,
        state.clock.as_ref(),
        &principal,
        &id,
        input,
        Some(&tag),
    )
    .await?;
    let body = user_json(&row, domain.as_deref(), &base);
    Ok(resource(StatusCode::OK, body, &selection))
}

async fn delete_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Answer {
    let principal = signed_in(&req, &state).await?;
    service::delete_user(
        &state.db,
        state.clock.as_ref(),
        &principal,
        &id,
        if_match(&req).as_deref(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

// ---------------------------------------------------------------------------------------
// Groups

fn group_json(row: &group::Model, members: Option<&[UserId]>, base: &str) -> Value {
    GroupView {
        id: row.id.to_string(),
        display_name: &row.display_name,
        external_id: row.external_id.as_deref().filter(|_| {
            row.source_system_id == Some(crate::ids::ConnectedSystemId::SCIM_PROVISIONING)
        }),
        members: members.map(|m| m.iter().map(ToString::to_string).collect()),
        created: row.created_at,
        modified: row.updated_at,
    }
    .to_json(base)
}

async fn group_page(state: &AppState, principal: &Principal, query: ListQuery) -> Answer {
    let (total, rows) = service::list_groups(
        &state.db,
        principal,
        query.filter.as_ref(),
        query.start_index,
        query.count,
        query.selection.wants("members"),
    )
    .await?;
    let base = base(state);
    let resources = rows
        .iter()
        .map(|(row, members)| {
            query
                .selection
                .apply(group_json(row, members.as_deref(), &base))
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &scim::list_response(total, query.start_index, resources),
    ))
}

async fn list_groups(req: HttpRequest, state: web::Data<AppState>) -> Answer {
    let principal = signed_in(&req, &state).await?;
    group_page(&state, &principal, ListQuery::from_url(&req)?).await
}

async fn search_groups(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> Answer {
    let principal = signed_in(&req, &state).await?;
    group_page(&state, &principal, ListQuery::from_search(&body)?).await
}

async fn get_group(req: HttpRequest, state: web::Data<AppState>, id: web::Path<String>) -> Answer {
    let principal = signed_in(&req, &state).await?;
    let selection = selection(&req)?;
    let (row, members) =
        service::get_group(&state.db, &principal, &id, selection.wants("members")).await?;
    let body = group_json(&row, members.as_deref(), &base(&state));
    if let Some(answer) = not_modified(&req, &body) {
        return Ok(answer);
    }
    Ok(resource(StatusCode::OK, body, &selection))
}

async fn create_group(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> Answer {
    let principal = signed_in(&req, &state).await?;
    let selection = selection(&req)?;
    let input = GroupInput::parse(&body_json(&body)?)?;
    let (row, members) =
        service::create_group(&state.db, state.clock.as_ref(), &principal, input).await?;
    let body = group_json(&row, members.as_deref(), &base(&state));
    Ok(resource(StatusCode::CREATED, body, &selection))
}

async fn replace_group(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Answer {
    let principal = signed_in(&req, &state).await?;
    let selection = selection(&req)?;
    let input = GroupInput::parse(&body_json(&body)?)?;
    let members = Members::Replace(input.members.clone());
    let (row, members) = service::replace_group(
        &state.db,
        state.clock.as_ref(),
        &principal,
        &id,
        input,
        members,
        if_match(&req).as_deref(),
        None,
    )
    .await?;
    let body = group_json(&row, members.as_deref(), &base(&state));
    Ok(resource(StatusCode::OK, body, &selection))
}

async fn patch_group(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Answer {
    let principal = signed_in(&req, &state).await?;
    let selection = selection(&req)?;
    let operations = scim::known_operations(
        &body_json(&body)?,
        scim::GROUP_SCHEMA,
        &scim::GROUP_ATTRIBUTES,
    );
    let (row, members) = service::get_group(&state.db, &principal, &id, true).await?;
    let base = base(&state);
    let mut current = group_json(&row, members.as_deref(), &base);
    let Some(operations) = operations else {
        return Ok(resource(StatusCode::OK, current, &selection));
    };
    let before = GroupInput::parse(&current)?;
    patch::apply(&mut current, &operations, &[scim::GROUP_SCHEMA])
        .map_err(|e| ScimError::new(StatusCode::BAD_REQUEST, Some(e.scim_type), e.message))?;
    let after = GroupInput::parse(&current)?;
    // Members as a change, not a list: PATCHes that arrive together all count. Renames and
    // external ids are checked against what was read only when the caller says so.
    let (had, has): (HashSet<&String>, HashSet<&String>) = (
        before.members.iter().collect(),
        after.members.iter().collect(),
    );
    let change = Members::Change {
        add: has.difference(&had).map(|m| (*m).clone()).collect(),
        remove: had.difference(&has).map(|m| (*m).clone()).collect(),
    };
    let (row, members) = service::replace_group(
        &state.db,
        state.clock.as_ref(),
        &principal,
        &id,
        after,
        change,
        if_match(&req).as_deref(),
        Some(&before),
    )
    .await?;
    // A large group is not sent back whole for each PATCH (RFC 7644 §3.5.2 allows 204).
    if selection == Selection::default() && members.as_ref().is_some_and(|m| m.len() > 1000) {
        return Ok(HttpResponse::NoContent().finish());
    }
    let body = group_json(&row, members.as_deref(), &base);
    Ok(resource(StatusCode::OK, body, &selection))
}

async fn delete_group(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Answer {
    let principal = signed_in(&req, &state).await?;
    service::delete_group(
        &state.db,
        state.clock.as_ref(),
        &principal,
        &id,
        if_match(&req).as_deref(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
