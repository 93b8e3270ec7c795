//! `assignmentRequests` (ask for, assign, extend and remove access; cancel) and
//! `assignments`, each listed in full for catalog managers or as the caller's own with
//! `filterByCurrentUser(on='target')`.
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::GraphError;
use super::list::{collection, created, item, item_query, list_query, parse_id};
use super::wire::{self, Collection};
use crate::domain::graph;
use crate::domain::odata::Query;
use crate::entities::{assignment, assignment_request};
use crate::ids::{AccessPackageId, AssignmentId, PolicyId, RequestId, UserId};
use crate::services::error::{ServiceError, ServiceResult};
use crate::services::lists::{self, requests as reads};
use crate::services::requests::{self as service, Extension, NewRequest};
use crate::state::AppState;
use crate::store::odata::ListPage;

type Answer = Result<HttpResponse, GraphError>;

const EM: &str = "identityGovernance/entitlementManagement";

/// `filterByCurrentUser(on='…')` as a path segment (quotes possibly percent-encoded).
pub(super) fn filter_on(segment: &str) -> Option<String> {
    let decoded = segment
        .replace("%27", "'")
        .replace("%28", "(")
        .replace("%29", ")");
    let inner = decoded
        .strip_prefix("filterByCurrentUser(")?
        .strip_suffix(')')?
        .trim();
    let value = inner.strip_prefix("on=")?.trim().trim_matches('\'');
    Some(value.to_owned())
}

pub(super) fn only_on(segment: &str, allowed: &str) -> Result<bool, GraphError> {
    match filter_on(segment) {
        None => Ok(false),
        Some(on) if on.eq_ignore_ascii_case(allowed) => Ok(true),
        Some(on) => Err(GraphError::bad_request(format!(
            "filterByCurrentUser(on='{on}') is not supported here; use on='{allowed}'."
        ))),
    }
}

/// Requests in Graph's shape, with what `$expand` asked for.
async fn expand_requests(
    state: &AppState,
    query: &Query,
    page: ListPage<assignment_request::Model>,
) -> ServiceResult<ListPage<wire::AssignmentRequest>> {
    let wants = |name: &str| query.expand.iter().any(|e| e.name == name);
    let mut people_ids: Vec<UserId> = Vec::new();
    if wants("target") {
        people_ids.extend(page.items.iter().map(|r| r.target_id));
    }
    if wants("requestor") {
        people_ids.extend(page.items.iter().filter_map(|r| r.requestor_id));
    }
    let people = reads::people(&state.db, people_ids).await?;
    let packages = if wants("accessPackage") {
        reads::packages_by_id(
            &state.db,
            page.items.iter().map(|r| r.access_package_id).collect(),
        )
        .await?
    } else {
        Vec::new()
    };
    let person = |id: Option<UserId>| {
        id.and_then(|id| people.iter().find(|p| p.id == id))
            .map(wire::Subject::from)
    };
    Ok(page.map(|row| {
        let mut wire = wire::AssignmentRequest::from(&row);
        if wants("target") {
            wire.target = person(Some(row.target_id));
        }
        if wants("requestor") {
            wire.requestor = person(row.requestor_id);
        }
        if wants("accessPackage") {
            wire.access_package = packages
                .iter()
                .find(|p| p.id == row.access_package_id)
                .cloned()
                .map(wire::AccessPackage::from);
        }
        wire
    }))
}

/// Assignments in Graph's shape, with what `$expand` asked for.
async fn expand_assignments(
    state: &AppState,
    principal: &crate::domain::principal::Principal,
    query: &Query,
    page: ListPage<assignment::Model>,
) -> ServiceResult<ListPage<wire::Assignment>> {
    let wants = |name: &str| query.expand.iter().any(|e| e.name == name);
    let people = if wants("target") {
        reads::people(&state.db, page.items.iter().map(|a| a.target_id).collect()).await?
    } else {
        Vec::new()
    };
    let packages = if wants("accessPackage") {
        reads::packages_by_id(
            &state.db,
            page.items.iter().map(|a| a.access_package_id).collect(),
        )
        .await?
    } else {
        Vec::new()
    };
    let mut policies: Vec<(PolicyId, serde_json::Value)> = Vec::new();
    if wants("assignmentPolicy") {
        for id in page.items.iter().filter_map(|a| a.policy_id) {
            if policies.iter().any(|(p, _)| *p == id) {
                continue;
            }
            let found = lists::policies::policy(&state.db, principal, id).await;
            if let Ok(found) = found {
                let shaped = super::policies::wire::AccessPackageAssignmentPolicy::from(&found);
                policies.push((id, serde_json::to_value(shaped).unwrap_or_default()));
            }
        }
    }
    Ok(page.map(|row| {
        let mut wire = wire::Assignment::from(&row);
        if wants("assignmentPolicy") {
            wire.assignment_policy = row
                .policy_id
                .and_then(|id| policies.iter().find(|(p, _)| *p == id))
                .map(|(_, v)| v.clone());
        }
        if wants("target") {
            wire.target = people
                .iter()
                .find(|p| p.id == row.target_id)
                .map(wire::Subject::from);
        }
        if wants("accessPackage") {
            wire.access_package = packages
                .iter()
                .find(|p| p.id == row.access_package_id)
                .cloned()
                .map(wire::AccessPackage::from);
        }
        wire
    }))
}

fn one<T>(row: T) -> ListPage<T> {
    ListPage {
        items: vec![row],
        count: None,
        next: None,
    }
}

/// Lists requests in the catalogs the caller manages.
#[utoipa::path(
    tag = "Assignment requests",
    params(crate::api::ListParams),
    responses(
        (status = 200, description = "A page of requests", body = Collection<wire::AssignmentRequest>),
        crate::api::Errors,
    )
)]
#[get("/identityGovernance/entitlementManagement/assignmentRequests")]
pub async fn list_requests(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> Answer {
    let query = list_query(&req, &graph::ASSIGNMENT_REQUESTS)?;
    let page = reads::requests(&state.db, &caller.principal, &query).await?;
    let page = expand_requests(&state, &query, page).await?;
    Ok(collection(
        &req,
        &format!("{EM}/assignmentRequests"),
        &query,
        page,
        |r| r,
    ))
}

async fn my_requests(req: &HttpRequest, state: &AppState, caller: &Caller) -> Answer {
    let query = list_query(req, &graph::ASSIGNMENT_REQUESTS)?;
    let page = reads::my_requests(&state.db, &caller.principal, &query).await?;
    let page = expand_requests(state, &query, page).await?;
    Ok(collection(
        req,
        &format!("{EM}/assignmentRequests"),
        &query,
        page,
        |r| r,
    ))
}

/// Lists the caller's own requests.
#[utoipa::path(
    tag = "Assignment requests",
    params(crate::api::ListParams),
    responses(
        (status = 200, description = "A page of the caller's requests", body = Collection<wire::AssignmentRequest>),
        crate::api::Errors,
    )
)]
#[get(
    "/identityGovernance/entitlementManagement/assignmentRequests/filterByCurrentUser(on='target')"
)]
pub async fn list_my_requests(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Answer {
    my_requests(&req, &state, &caller).await
}

/// Gets a request: the caller's own, or one in a catalog they read.
#[utoipa::path(
    tag = "Assignment requests",
    params(("id" = uuid::Uuid, Path, description = "The request's id"), crate::api::ItemParams),
    responses(
        (status = 200, description = "The request", body = wire::AssignmentRequest),
        crate::api::Errors,
    )
)]
#[get("/identityGovernance/entitlementManagement/assignmentRequests/{id}")]
pub async fn get_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    if only_on(&id, "target")? {
        return my_requests(&req, &state, &caller).await;
    }
    let query = item_query(&req, &graph::ASSIGNMENT_REQUESTS)?;
    let id: RequestId = parse_id(&id)?;
    let row = reads::request(&state.db, &caller.principal, id).await?;
    let mut page = expand_requests(&state, &query, one(row)).await?;
    let found = page.items.pop().ok_or(ServiceError::NotFound)?;
    Ok(item(
        &req,
        &format!("{EM}/assignmentRequests"),
        &query,
        found,
    ))
}

/// `{"endDateTime": …}` and friends.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ExpirationBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    end_date_time: Option<String>,
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ScheduleBody {
    start_date_time: Option<String>,
    expiration: Option<ExpirationBody>,
}

/// Which assignment: a new one (`accessPackageId`, `assignmentPolicyId`, and `targetId`
/// for `adminAdd`), or an existing one by `id`.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct AssignmentBody {
    id: Option<String>,
    access_package_id: Option<String>,
    assignment_policy_id: Option<String>,
    target_id: Option<String>,
}

/// A request: `userAdd`, `adminAdd`, `userUpdate`/`adminUpdate` (a new end), `userRemove`
/// or `adminRemove`.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct RequestBody {
    request_type: String,
    justification: Option<String>,
    assignment: Option<AssignmentBody>,
    schedule: Option<ScheduleBody>,
}

fn date_field(
    raw: Option<&str>,
    field: &'static str,
) -> Result<Option<OffsetDateTime>, GraphError> {
    raw.map(|s| {
        OffsetDateTime::parse(s.trim(), &Rfc3339).map_err(|_| {
            GraphError::from(ServiceError::field(
                field,
                "invalid",
                format!("{field} must be a date and time like 2026-12-31T00:00:00Z."),
            ))
        })
    })
    .transpose()
}

fn required<T: std::str::FromStr>(raw: &Option<String>, name: &str) -> Result<T, GraphError> {
    let raw = raw
        .as_deref()
        .ok_or_else(|| GraphError::bad_request(format!("assignment.{name} is required.")))?;
    parse_id(raw)
}

/// Asks for access, assigns it, extends it or removes it.
#[utoipa::path(
    tag = "Assignment requests",
    request_body = RequestBody,
    responses(
        (status = 201, description = "The request", body = wire::AssignmentRequest),
        crate::api::Errors,
    )
)]
#[post("/identityGovernance/entitlementManagement/assignmentRequests")]
pub async fn create_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<RequestBody>,
) -> Answer {
    let body = body.into_inner();
    let target = body.assignment.unwrap_or_default();
    let schedule = body.schedule.unwrap_or_default();
    let start = date_field(schedule.start_date_time.as_deref(), "startDateTime")?;
    let end = date_field(
        schedule
            .expiration
            .as_ref()
            .and_then(|e| e.end_date_time.as_deref()),
        "endDateTime",
    )?;
    let justification = body.justification.unwrap_or_default();
    let (db, clock, principal) = (&state.db, state.clock.as_ref(), &caller.principal);
    let id = match body.request_type.to_ascii_lowercase().as_str() {
        "useradd" => {
            let new = NewRequest {
                package: required(&target.access_package_id, "accessPackageId")?,
                policy: target
                    .assignment_policy_id
                    .as_deref()
                    .map(parse_id::<PolicyId>)
                    .transpose()?,
                justification,
                specific_period: start.is_some() || end.is_some(),
                start: start.map(|s| s.date()),
                end: end.map(|e| e.date()),
            };
            service::submit(db, clock, principal, new).await?
        }
        "adminadd" => {
            let package: AccessPackageId = required(&target.access_package_id, "accessPackageId")?;
            let policy: PolicyId = required(&target.assignment_policy_id, "assignmentPolicyId")?;
            let user: UserId = required(&target.target_id, "targetId")?;
            service::assign_directly(
                db,
                clock,
                principal,
                package,
                policy,
                user,
                end.map(|e| e.date()),
            )
            .await?
        }
        "userupdate" => {
            let assignment: AssignmentId = required(&target.id, "id")?;
            let new = Extension {
                assignment,
                justification,
                end: end.map(|e| e.date()),
            };
            service::request_extension(db, clock, principal, new).await?
        }
        "adminupdate" => {
            let assignment: AssignmentId = required(&target.id, "id")?;
            service::extend_assignment(db, clock, principal, assignment, end.map(|e| e.date()))
                .await?
        }
        "userremove" | "adminremove" => {
            let assignment: AssignmentId = required(&target.id, "id")?;
            service::remove_assignment(db, clock, principal, assignment).await?;
            lists::requests::removal_of(db, principal, assignment).await?
        }
        _ => {
            return Err(GraphError::bad_request(
                "requestType must be userAdd, adminAdd, userUpdate, adminUpdate, userRemove or adminRemove.",
            ));
        }
    };
    let row = reads::request(db, principal, id).await?;
    Ok(created(
        &req,
        &format!("{EM}/assignmentRequests"),
        wire::AssignmentRequest::from(&row),
    ))
}

/// Withdraws a request nobody has decided yet (the requestor's own).
#[utoipa::path(
    tag = "Assignment requests",
    params(("id" = uuid::Uuid, Path, description = "The request's id")),
    responses(
        (status = 200, description = "Canceled"),
        crate::api::Errors,
    )
)]
#[post("/identityGovernance/entitlementManagement/assignmentRequests/{id}/cancel")]
pub async fn cancel_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    let id: RequestId = parse_id(&id)?;
    service::cancel(&state.db, state.clock.as_ref(), &caller.principal, id).await?;
    Ok(HttpResponse::Ok().finish())
}

/// Lists assignments in the catalogs the caller manages.
#[utoipa::path(
    tag = "Assignments",
    params(crate::api::ListParams),
    responses(
        (status = 200, description = "A page of assignments", body = Collection<wire::Assignment>),
        crate::api::Errors,
    )
)]
#[get("/identityGovernance/entitlementManagement/assignments")]
pub async fn list_assignments(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Answer {
    let query = list_query(&req, &graph::ASSIGNMENTS)?;
    let page = reads::assignments(&state.db, &caller.principal, &query).await?;
    let page = expand_assignments(&state, &caller.principal, &query, page).await?;
    Ok(collection(
        &req,
        &format!("{EM}/assignments"),
        &query,
        page,
        |a| a,
    ))
}

async fn my_assignments(req: &HttpRequest, state: &AppState, caller: &Caller) -> Answer {
    let query = list_query(req, &graph::ASSIGNMENTS)?;
    let page = reads::my_assignments(&state.db, &caller.principal, &query).await?;
    let page = expand_assignments(state, &caller.principal, &query, page).await?;
    Ok(collection(
        req,
        &format!("{EM}/assignments"),
        &query,
        page,
        |a| a,
    ))
}

/// Lists the caller's own assignments.
#[utoipa::path(
    tag = "Assignments",
    params(crate::api::ListParams),
    responses(
        (status = 200, description = "A page of the caller's assignments", body = Collection<wire::Assignment>),
        crate::api::Errors,
    )
)]
#[get("/identityGovernance/entitlementManagement/assignments/filterByCurrentUser(on='target')")]
pub async fn list_my_assignments(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Answer {
    my_assignments(&req, &state, &caller).await
}

/// Gets an assignment: the caller's own, or one in a catalog they read.
#[utoipa::path(
    tag = "Assignments",
    params(("id" = uuid::Uuid, Path, description = "The assignment's id"), crate::api::ItemParams),
    responses(
        (status = 200, description = "The assignment", body = wire::Assignment),
        crate::api::Errors,
    )
)]
#[get("/identityGovernance/entitlementManagement/assignments/{id}")]
pub async fn get_assignment(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    if only_on(&id, "target")? {
        return my_assignments(&req, &state, &caller).await;
    }
    let query = item_query(&req, &graph::ASSIGNMENTS)?;
    let id: AssignmentId = parse_id(&id)?;
    let row = reads::assignment(&state.db, &caller.principal, id).await?;
    let mut page = expand_assignments(&state, &caller.principal, &query, one(row)).await?;
    let found = page.items.pop().ok_or(ServiceError::NotFound)?;
    Ok(item(&req, &format!("{EM}/assignments"), &query, found))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_requests,
    list_my_requests,
    get_request,
    create_request,
    cancel_request,
    list_assignments,
    list_my_assignments,
    get_assignment
))]
pub struct Doc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_requests)
        .service(list_my_requests)
        .service(create_request)
        .service(get_request)
        .service(cancel_request)
        .service(list_assignments)
        .service(list_my_assignments)
        .service(get_assignment);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_by_current_user_is_read_with_or_without_encoded_quotes() {
        assert_eq!(
            filter_on("filterByCurrentUser(on='target')").as_deref(),
            Some("target")
        );
        assert_eq!(
            filter_on("filterByCurrentUser(on=%27approver%27)").as_deref(),
            Some("approver")
        );
        assert_eq!(filter_on("5f0c…"), None);
    }
}
