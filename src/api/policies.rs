//! `identityGovernance/entitlementManagement/assignmentPolicies`: an access package's policies
//! in Graph's shape, listed, read, created, replaced and deleted.
mod body;
mod duration;
mod form;
pub mod wire;

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde_json::Value;

use super::auth::Caller;
use super::error::GraphError;
use super::list::{collection, created, item, item_query, list_query, parse_id};
use super::wire::Collection;
use crate::domain::graph::policies::{ACCESS_PACKAGE, POLICIES};
use crate::domain::odata::Query;
use crate::domain::policy::{PolicyInput, PolicySpec};
use crate::ids::{AccessPackageId, PolicyId};
use crate::services::error::ServiceError;
use crate::services::lists::policies as read;
use crate::services::policies as policy_service;
use crate::state::AppState;
use crate::store::graph::policies::GraphPolicy;
use body::PolicyBody;
use wire::{AccessPackageAssignmentPolicy, PolicyAccessPackage};

type Answer = Result<HttpResponse, GraphError>;

const ENTITY_SET: &str = "identityGovernance/entitlementManagement/assignmentPolicies";

/// The query with the expanded package kept by `$select`, which names properties only:
/// `$select=displayName&$expand=accessPackage` shows both, as Graph does.
fn keeping_expanded(mut query: Query) -> Query {
    if query.expand.iter().any(|e| e.name == ACCESS_PACKAGE)
        && let Some(names) = &mut query.select
        && !names.contains(&ACCESS_PACKAGE)
    {
        names.push(ACCESS_PACKAGE);
    }
    query
}

/// A policy's JSON, with its package when `$expand`ed (its own `$select` applied).
fn shape(query: &Query) -> impl Fn(GraphPolicy) -> Value + '_ {
    move |policy| {
        let mut wire = AccessPackageAssignmentPolicy::from(&policy);
        let Some(expand) = query.expand.iter().find(|e| e.name == ACCESS_PACKAGE) else {
            return serde_json::to_value(wire).unwrap_or(Value::Null);
        };
        wire.access_package = Some(PolicyAccessPackage::from(&policy));
        let mut value = serde_json::to_value(wire).unwrap_or(Value::Null);
        if let (Some(names), Some(Value::Object(package))) =
            (&expand.select, value.get_mut(ACCESS_PACKAGE))
        {
            package.retain(|k, _| k == "id" || names.iter().any(|n| n.eq_ignore_ascii_case(k)));
        }
        value
    }
}

/// Lists the assignment policies of every catalog the caller may read.
#[utoipa::path(
    tag = "Entitlement management",
    params(crate::api::ListParams),
    responses(
        (status = 200, description = "A page of assignment policies", body = Collection<AccessPackageAssignmentPolicy>),
        crate::api::Errors,
    )
)]
#[get("/identityGovernance/entitlementManagement/assignmentPolicies")]
pub async fn list_policies(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> Answer {
    let query = keeping_expanded(list_query(&req, &POLICIES)?);
    let page = read::policies(&state.db, &caller.principal, &query).await?;
    Ok(collection(&req, ENTITY_SET, &query, page, shape(&query)))
}

/// Lists one access package's assignment policies.
#[utoipa::path(
    tag = "Entitlement management",
    params(("id" = String, Path, description = "The access package's id"), crate::api::ListParams),
    responses(
        (status = 200, description = "A page of the package's assignment policies", body = Collection<AccessPackageAssignmentPolicy>),
        crate::api::Errors,
    )
)]
#[get("/identityGovernance/entitlementManagement/accessPackages/{id}/assignmentPolicies")]
pub async fn list_package_policies(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    let query = keeping_expanded(list_query(&req, &POLICIES)?);
    let package: AccessPackageId = parse_id(&id)?;
    let page = read::policies_of(&state.db, &caller.principal, package, &query).await?;
    Ok(collection(&req, ENTITY_SET, &query, page, shape(&query)))
}

/// Gets an assignment policy by id.
#[utoipa::path(
    tag = "Entitlement management",
    params(("id" = String, Path, description = "The policy's id"), crate::api::ItemParams),
    responses(
        (status = 200, description = "The assignment policy", body = AccessPackageAssignmentPolicy),
        crate::api::Errors,
    )
)]
#[get("/identityGovernance/entitlementManagement/assignmentPolicies/{id}")]
pub async fn get_policy(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    let query = keeping_expanded(item_query(&req, &POLICIES)?);
    let id: PolicyId = parse_id(&id)?;
    let found = read::policy(&state.db, &caller.principal, id).await?;
    Ok(item(&req, ENTITY_SET, &query, shape(&query)(found)))
}

/// The body checked by the portal's rules into a policy, what it leaves out taken from `base`.
fn spec_of(
    state: &AppState,
    body: &PolicyBody,
    base: PolicyInput,
) -> Result<PolicySpec, GraphError> {
    let input = body.to_input(base)?;
    Ok(form::check(&input, state.clock.now().date())?)
}

/// Creates an assignment policy in the access package named by `accessPackage.id`. Needs
/// `EntitlementManagement.ReadWrite.All` and a role that manages the package's catalog.
#[utoipa::path(
    tag = "Entitlement management",
    request_body = PolicyBody,
    responses(
        (status = 201, description = "The policy, created", body = AccessPackageAssignmentPolicy),
        crate::api::Errors,
    )
)]
#[post("/identityGovernance/entitlementManagement/assignmentPolicies")]
pub async fn create_policy(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<PolicyBody>,
) -> Answer {
    let package = body.package()?.ok_or_else(|| {
        ServiceError::field(
            "accessPackage.id",
            "required",
            "Name the policy's access package in accessPackage.id.",
        )
    })?;
    let spec = spec_of(&state, &body, PolicyInput::default())?;
    let principal = &caller.principal;
    let id =
        policy_service::create(&state.db, state.clock.as_ref(), principal, package, &spec).await?;
    let policy = read::policy(&state.db, principal, id).await?;
    Ok(created(&req, ENTITY_SET, shape(&Query::default())(policy)))
}

/// Replaces all of a policy's settings; what the body leaves out takes Gatehouse's
/// defaults, except whether the policy is enabled and mails, which Graph cannot say.
#[utoipa::path(
    tag = "Entitlement management",
    params(("id" = String, Path, description = "The policy's id")),
    request_body = PolicyBody,
    responses(
        (status = 200, description = "The policy, replaced", body = AccessPackageAssignmentPolicy),
        crate::api::Errors,
    )
)]
#[put("/identityGovernance/entitlementManagement/assignmentPolicies/{id}")]
pub async fn replace_policy(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<PolicyBody>,
) -> Answer {
    let id: PolicyId = parse_id(&id)?;
    let principal = &caller.principal;
    let existing = read::policy(&state.db, principal, id).await?;
    let package = existing.package.id;
    if body.package()?.is_some_and(|named| named != package) {
        return Err(ServiceError::field(
            "accessPackage.id",
            "invalid",
            "A policy stays in its access package: leave accessPackage.id out or name its own.",
        )
        .into());
    }
    let spec = spec_of(&state, &body, kept_settings(&existing.record.spec))?;
    policy_service::update(
        &state.db,
        state.clock.as_ref(),
        principal,
        package,
        id,
        &spec,
    )
    .await?;
    let policy = read::policy(&state.db, principal, id).await?;
    Ok(item(
        &req,
        ENTITY_SET,
        &Query::default(),
        shape(&Query::default())(policy),
    ))
}

/// The defaults of a replaced policy: Gatehouse's, but for the settings Graph cannot name.
fn kept_settings(spec: &PolicySpec) -> PolicyInput {
    let existing = PolicyInput::from_spec(spec);
    PolicyInput {
        enabled: existing.enabled,
        send_email: existing.send_email,
        reminder_days: existing.reminder_days,
        ..PolicyInput::default()
    }
}

/// Deletes an assignment policy nobody has requests or assignments under.
#[utoipa::path(
    tag = "Entitlement management",
    params(("id" = String, Path, description = "The policy's id")),
    responses(
        (status = 204, description = "Deleted"),
        crate::api::Errors,
    )
)]
#[delete("/identityGovernance/entitlementManagement/assignmentPolicies/{id}")]
pub async fn delete_policy(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    let id: PolicyId = parse_id(&id)?;
    let principal = &caller.principal;
    let existing = read::policy(&state.db, principal, id).await?;
    policy_service::delete(
        &state.db,
        state.clock.as_ref(),
        principal,
        existing.package.id,
        id,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_policies,
    list_package_policies,
    get_policy,
    create_policy,
    replace_policy,
    delete_policy
))]
pub struct Doc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_policies)
        .service(list_package_policies)
        .service(get_policy)
        .service(create_policy)
        .service(replace_policy)
        .service(delete_policy);
}
