//! An approver's `Approve` or `Deny` with its reason.
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use serde_json::json;

use super::{move_request, package_name, policy_of, request_audit, state_of, timeline};
use crate::clock::Clock;
use crate::db::write_txn;
use crate::domain::audit as action;
use crate::domain::authz::{Action, authorize};
use crate::domain::lifecycle::{self, Decision, Effect, RequestState};
use crate::domain::principal::Principal;
use crate::entities::{assignment_request, request_decision};
use crate::ids::{DecisionId, RequestId};
use crate::services::audit;
use crate::services::delivery::open_assignment;
use crate::services::error::{ServiceError, ServiceResult};
use crate::store;

pub(crate) fn already_decided() -> ServiceError {
    ServiceError::conflict("already_decided", "This request has already been decided")
}

/// The first decision wins, also when two approvers post at the same moment: the state
/// change is a conditional update, and only the one that changed the row goes on.
#[tracing::instrument(skip_all, fields(principal = %principal.name, request = %id, ?decision))]
pub async fn decide(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: RequestId,
    decision: Decision,
    reason: &str,
) -> ServiceResult<RequestState> {
    let request = assignment_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let policy = policy_of(db, request.access_package_id, request.policy_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    authorize(
        principal,
        Action::DecideRequest {
            approvers: &policy.spec.approvers,
            target: request.target_id,
        },
    )?;
    let me = principal.user_id.ok_or(ServiceError::NotFound)?;

    let now = clock.now();
    let start = request.schedule_start.unwrap_or(now);
    let (state, request_type) = state_of(&request)?;
    let transition = lifecycle::decide(state, request_type, decision, start, now)
        .map_err(|_| already_decided())?;
    let reason = lifecycle::check_reason(reason, policy.spec.approver_justification_required)
        .map_err(|e| ServiceError::invalid("reason", e))?;
    if decision == Decision::Approve
        && request_type == crate::domain::lifecycle::RequestType::UserExtend
        && !policy.spec.extend
    {
        return Err(ServiceError::field(
            "decision",
            "extension_not_allowed",
            "The policy no longer lets users extend access: deny the request instead.",
        ));
    }
    if decision == Decision::Approve {
        if request.schedule_end.is_some_and(|end| end <= now) {
            return Err(ServiceError::field(
                "decision",
                "period_ended",
                "The requested period has already ended: deny the request instead.",
            ));
        }
        // Access is never delivered to an account that cannot be used.
        let target = store::users::find_by_id(db, request.target_id).await?;
        if let Some(person) = target.filter(|u| !u.enabled) {
            return Err(ServiceError::field(
                "decision",
                "requestor_disabled",
                format!(
                    "{}'s account is disabled, so access cannot be delivered: deny the request instead.",
                    person.display_name
                ),
            ));
        }
    }

    let txn = write_txn(db).await?;
    let moved = move_request(&txn, id, state, transition, now).await?;
    if !moved {
        return Err(already_decided());
    }
    let row = request_decision::ActiveModel {
        id: Set(DecisionId::new()),
        request_id: Set(id),
        approver_id: Set(Some(me)),
        approver_name: Set(principal.display_name.clone()),
        decision: Set(decision.as_str().to_owned()),
        reason: Set(reason.clone()),
        decided_at: Set(now),
    };
    request_decision::Entity::insert(row)
        .exec_without_returning(&txn)
        .await?;
    let (verb, kind, audit_action) = match decision {
        Decision::Approve => ("Approved", "approved", action::APPROVE_REQUEST),
        Decision::Deny => ("Denied", "denied", action::DENY_REQUEST),
    };
    let text = if reason.is_empty() {
        format!("{verb} by {}", principal.display_name)
    } else {
        format!("{verb} by {}: “{reason}”", principal.display_name)
    };
    timeline(&txn, id, now, kind, text).await?;
    let name = package_name(&txn, request.access_package_id).await?;
    audit::record(
        &txn,
        now,
        principal,
        request_audit(audit_action, &request, &name, json!({ "reason": reason })),
    )
    .await?;
    match transition.effect {
        Effect::OpenAssignment => {
            open_assignment(&txn, now, principal, &request, policy.spec.expiration).await?;
        }
        Effect::Extend => super::extend::apply_extension(&txn, now, principal, &request).await?,
        Effect::None | Effect::Grant => {}
    }
    txn.commit().await?;
    Ok(transition.to)
}
