//! `accessPackageAssignmentApprovals`: the requests waiting for the caller's decision
//! (`filterByCurrentUser(on='approver')`), and deciding one by PATCHing its stage with
//! `reviewResult` `Approve` or `Deny`. Also answered as `assignmentApprovals`.
use actix_web::{HttpRequest, HttpResponse, get, patch, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::GraphError;
use super::list::{collection, item, item_query, list_query, parse_id};
use super::wire::{self, Collection};
use crate::domain::graph;
use crate::domain::lifecycle::Decision;
use crate::ids::RequestId;
use crate::services::error::ServiceError;
use crate::services::lists::requests as reads;
use crate::services::requests as service;
use crate::state::AppState;

type Answer = Result<HttpResponse, GraphError>;

const SET: &str = "identityGovernance/entitlementManagement/accessPackageAssignmentApprovals";

async fn pending(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> Answer {
    let query = list_query(&req, &graph::APPROVALS)?;
    let page = reads::approvals(&state.db, &caller.principal, &query).await?;
    Ok(collection(&req, SET, &query, page, |row| {
        wire::Approval::of(&row, &[])
    }))
}

async fn one(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    if super::requests::only_on(&id, "approver")? {
        return pending(req, state, caller).await;
    }
    let query = item_query(&req, &graph::APPROVALS)?;
    let id: RequestId = parse_id(&id)?;
    let (row, decisions) = reads::approval(&state.db, &caller.principal, id).await?;
    Ok(item(
        &req,
        SET,
        &query,
        wire::Approval::of(&row, &decisions),
    ))
}

/// An approver's decision.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct StageBody {
    /// `Approve` or `Deny`.
    review_result: String,
    /// Why; required when the policy asks approvers for a justification.
    justification: Option<String>,
}

async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Json<StageBody>,
) -> Answer {
    let id: RequestId = parse_id(&path.0)?;
    let stage: RequestId = parse_id(&path.1)?;
    if stage != id {
        // Gatehouse's requests have one stage, whose id is the request's.
        return Err(ServiceError::NotFound.into());
    }
    let decision = Decision::parse(&body.review_result)
        .map_err(|e| GraphError::from(ServiceError::invalid("reviewResult", e)))?;
    service::decide(
        &state.db,
        state.clock.as_ref(),
        &caller.principal,
        id,
        decision,
        body.justification.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Lists the requests waiting for the caller's decision.
#[utoipa::path(
    tag = "Approvals",
    params(crate::api::ListParams),
    responses(
        (status = 200, description = "A page of approvals", body = Collection<wire::Approval>),
        crate::api::Errors,
    )
)]
#[get(
    "/identityGovernance/entitlementManagement/accessPackageAssignmentApprovals/filterByCurrentUser(on='approver')"
)]
pub async fn list_pending(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> Answer {
    pending(req, state, caller).await
}

/// Gets the approval of a request the caller approves (its id is the request's).
#[utoipa::path(
    tag = "Approvals",
    params(("id" = uuid::Uuid, Path, description = "The request's id"), crate::api::ItemParams),
    responses(
        (status = 200, description = "The approval and its stage", body = wire::Approval),
        crate::api::Errors,
    )
)]
#[get("/identityGovernance/entitlementManagement/accessPackageAssignmentApprovals/{id}")]
pub async fn get_approval(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    one(req, state, caller, id).await
}

/// Approves or denies: `{"reviewResult": "Approve", "justification": "…"}`.
#[utoipa::path(
    tag = "Approvals",
    params(
        ("id" = uuid::Uuid, Path, description = "The request's id"),
        ("stage" = uuid::Uuid, Path, description = "The stage's id (the request's, too)"),
    ),
    request_body = StageBody,
    responses(
        (status = 204, description = "Decided"),
        crate::api::Errors,
    )
)]
#[patch(
    "/identityGovernance/entitlementManagement/accessPackageAssignmentApprovals/{id}/stages/{stage}"
)]
pub async fn decide_stage(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Json<StageBody>,
) -> Answer {
    decide(state, caller, path, body).await
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list_pending, get_approval, decide_stage))]
pub struct Doc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    const ALIAS: &str = "/identityGovernance/entitlementManagement/assignmentApprovals";
    cfg.service(list_pending)
        .service(get_approval)
        .service(decide_stage)
        .route(&format!("{ALIAS}/{{id}}"), web::get().to(one))
        .route(
            &format!("{ALIAS}/{{id}}/stages/{{stage}}"),
            web::patch().to(decide),
        );
}
