//! `Request access` in My Access, by the signed-in user for themselves.
use sea_orm::DatabaseConnection;
use serde_json::json;
use time::Date;

use super::{request_audit, timeline};
use crate::clock::Clock;
use crate::db::write_txn;
use crate::domain::audit as action;
use crate::domain::authz::{Action, RequestFacts, authorize};
use crate::domain::lifecycle::{self, Effect, RequestState, RequestType, ScheduleProblem};
use crate::domain::principal::Principal;
use crate::entities::assignment_request;
use crate::ids::{AccessPackageId, PolicyId, RequestId};
use crate::services::audit;
use crate::services::delivery::{already_assigned, open_assignment};
use crate::services::error::{ServiceError, ServiceResult};
use crate::store;

/// The `Request access` pane, as typed.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub package: AccessPackageId,
    pub policy: Option<PolicyId>,
    pub justification: String,
    pub specific_period: bool,
    pub start: Option<Date>,
    pub end: Option<Date>,
}

pub(crate) fn already_pending() -> ServiceError {
    ServiceError::conflict(
        "already_pending",
        "You already have a request for this access package waiting for approval. Cancel it in Request history to make a new one.",
    )
}

#[tracing::instrument(skip_all, fields(principal = %principal.name, package = %new.package))]
pub async fn submit(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    new: NewRequest,
) -> ServiceResult<RequestId> {
    let me = principal.user_id.ok_or(ServiceError::NotFound)?;
    // Only what the principal may request is offered; anything else does not exist for them.
    let offers = store::requests::requestable(db, me, new.package).await?;
    let (package, policies) = offers.into_iter().next().ok_or(ServiceError::NotFound)?;
    let policy = match (new.policy, policies.len()) {
        (Some(id), _) => policies.into_iter().find(|p| p.id == id).ok_or_else(|| {
            ServiceError::field(
                "policy",
                "policy_not_allowed",
                "Choose a policy you are allowed to request under.",
            )
        })?,
        (None, 1) => policies.into_iter().next().ok_or(ServiceError::NotFound)?,
        (None, _) => {
            return Err(ServiceError::field(
                "policy",
                "policy_required",
                "Choose the policy to request under.",
            ));
        }
    };
    // `requestable` chose only what the rules allow; authorization says so in one place.
    authorize(
        principal,
        Action::RequestUnderPolicy(RequestFacts {
            policy_lets_request: true,
            policy_enabled: policy.spec.enabled,
            catalog_enabled: true,
        }),
    )?;
    let justification = lifecycle::check_justification(
        &new.justification,
        policy.spec.requestor_justification_required,
    )
    .map_err(|e| ServiceError::invalid("justification", e))?;
    let now = clock.now();
    let (start, end) = if new.specific_period {
        if !policy.spec.custom_schedule {
            return Err(ServiceError::field(
                "specific_period",
                "schedule_not_allowed",
                "This policy does not let you choose a period.",
            ));
        }
        if new.start.is_none() && new.end.is_none() {
            return Err(ServiceError::field(
                "start_date",
                "schedule_required",
                "Enter a start date, an end date, or both.",
            ));
        }
        match lifecycle::check_schedule(now, new.start, new.end, policy.spec.expiration) {
            Ok(schedule) => (Some(schedule.start), schedule.end),
            Err(ScheduleProblem::Start(invalid)) => {
                return Err(ServiceError::invalid("start_date", invalid));
            }
            Err(ScheduleProblem::End(invalid)) => {
                return Err(ServiceError::invalid("end_date", invalid));
            }
        }
    } else {
        (None, None)
    };

    let txn = write_txn(db).await?;
    super::hold_policy_and_check_pending(&txn, policy.id, me, package.id).await?;
    if store::requests::active_assignment(&txn, me, package.id)
        .await?
        .is_some()
    {
        return Err(already_assigned());
    }
    let transition = lifecycle::on_submit(
        RequestType::UserAdd,
        policy.spec.approval_required,
        start.unwrap_or(now),
        now,
    );
    let state = transition.to;
    // Undecided requests time out after the policy's days, or when their period ends.
    let decide_by = policy.spec.approval_required.then(|| {
        let limit = now + time::Duration::days(i64::from(policy.spec.approval_days));
        end.map_or(limit, |end| end.min(limit))
    });
    // Approvers are reminded once, if the request still waits then.
    let remind_at = super::remind_at(&policy.spec, now, decide_by);
    let request = assignment_request::Model {
        id: RequestId::new(),
        request_type: RequestType::UserAdd.as_str().to_owned(),
        state: state.as_str().to_owned(),
        status: transition.status.to_owned(),
        requestor_id: Some(me),
        target_id: me,
        access_package_id: package.id,
        policy_id: Some(policy.id),
        assignment_id: None,
        justification: justification.clone(),
        schedule_start: start,
        schedule_end: end,
        decide_by,
        remind_at,
        created_at: now,
        completed_at: (state == RequestState::Delivered).then_some(now),
    };
    super::insert_request(&txn, &request).await?;
    let mut text = format!("Request submitted by {}", principal.display_name);
    if !justification.is_empty() {
        text.push_str(&format!(": “{justification}”"));
    }
    timeline(&txn, request.id, now, "submitted", text).await?;
    let detail = json!({ "policy": policy.spec.display_name, "justification": justification, "start": start.map(|s| s.to_string()), "end": end.map(|e| e.to_string()) });
    audit::record(
        &txn,
        now,
        principal,
        request_audit(
            action::REQUEST_ACCESS,
            &request,
            &package.display_name,
            detail,
        ),
    )
    .await?;
    if transition.effect == Effect::OpenAssignment {
        open_assignment(&txn, now, principal, &request, policy.spec.expiration).await?;
    }
    txn.commit().await?;
    Ok(request.id)
}
