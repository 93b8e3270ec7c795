//! `New assignment`: someone who manages assignments assigns a user directly under a
//! policy (`adminAdd`, no approval).
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::json;
use time::Date;

use super::{request_audit, timeline};
use crate::clock::Clock;
use crate::db::write_txn;
use crate::domain::audit as action;
use crate::domain::lifecycle::{self, RequestType, ScheduleProblem};
use crate::domain::principal::Principal;
use crate::entities::assignment_request;
use crate::ids::{AccessPackageId, PolicyId, RequestId, UserId};
use crate::services::audit;
use crate::services::delivery::open_assignment;
use crate::services::error::{ServiceError, ServiceResult};
use crate::services::packages::{PackageAction, package_for};
use crate::store;

#[tracing::instrument(skip_all, fields(principal = %principal.name, package = %package, user = %target))]
pub async fn assign_directly(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    package: AccessPackageId,
    policy_id: PolicyId,
    target: UserId,
    end: Option<Date>,
) -> ServiceResult<RequestId> {
    let found = package_for(db, principal, package, PackageAction::ManageAssignments).await?;
    let policy = super::policy_of(db, package, Some(policy_id))
        .await?
        .ok_or_else(|| {
            ServiceError::field(
                "policy",
                "policy_not_found",
                "Choose a policy of this access package.",
            )
        })?;
    store::users::find_by_id(db, target)
        .await?
        .filter(|u| u.enabled)
        .ok_or_else(|| ServiceError::field("user", "user_disabled", "Choose an enabled user."))?;
    let now = clock.now();
    let schedule_end = match end {
        None => None,
        Some(date) => {
            match lifecycle::check_schedule(now, None, Some(date), policy.spec.expiration) {
                Ok(schedule) => schedule.end,
                Err(ScheduleProblem::Start(invalid) | ScheduleProblem::End(invalid)) => {
                    return Err(ServiceError::invalid("end_date", invalid));
                }
            }
        }
    };
    let txn = write_txn(db).await?;
    if store::requests::active_assignment(&txn, target, package)
        .await?
        .is_some()
    {
        return Err(ServiceError::field(
            "user",
            "already_assigned",
            "This user already has this access package.",
        ));
    }
    // A request of theirs that is still waiting is settled by this assignment.
    if let Some(open) = store::requests::open_request(&txn, target, package).await? {
        super::settle_open(
            &txn,
            &open,
            now,
            "Canceled: the user was assigned the package directly",
        )
        .await?;
    }
    let transition = lifecycle::after_approval(RequestType::AdminAdd, now, now);
    let state = transition.to;
    let request = assignment_request::Model {
        id: RequestId::new(),
        request_type: RequestType::AdminAdd.as_str().to_owned(),
        state: state.as_str().to_owned(),
        status: transition.status.to_owned(),
        requestor_id: principal.user_id,
        target_id: target,
        access_package_id: package,
        policy_id: Some(policy_id),
        assignment_id: None,
        justification: String::new(),
        schedule_start: None,
        schedule_end,
        decide_by: None,
        remind_at: None,
        created_at: now,
        completed_at: Some(now),
    };
    let active: assignment_request::ActiveModel = request.clone().into();
    assignment_request::Entity::insert(active)
        .exec_without_returning(&txn)
        .await?;
    timeline(
        &txn,
        request.id,
        now,
        "submitted",
        format!("Assigned directly by {}", principal.display_name),
    )
    .await?;
    audit::record(
        &txn,
        now,
        principal,
        request_audit(
            action::ADMIN_ASSIGN,
            &request,
            &found.display_name,
            json!({ "policy": policy.spec.display_name }),
        ),
    )
    .await?;
    open_assignment(&txn, now, principal, &request, policy.spec.expiration).await?;
    txn.commit().await?;
    Ok(request.id)
}
