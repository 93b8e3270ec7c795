//! Ending access: `Remove access` by the user or an assignment manager, expiry by the
//! scheduler, and the system's removals when an account is disabled or deleted. Each end
//! records a remove request (`userRemove`, `adminRemove`, `systemRemove`), takes away
//! exactly the memberships the assignment granted, and notes it on the original request.
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use time::OffsetDateTime;

use super::{move_request, package_name, request_audit, state_of, timeline};
use crate::clock::Clock;
use crate::db::write_txn;
use crate::domain::audit as action;
use crate::domain::authz::{Action, authorize};
use crate::domain::lifecycle::{self, AssignmentState, RequestState, RequestType, status_for};
use crate::domain::principal::Principal;
use crate::entities::{assignment, assignment_request};
use crate::ids::{AssignmentId, RequestId, UserId};
use crate::services::audit;
use crate::services::delivery::take_away;
use crate::services::error::{ServiceError, ServiceResult};
use crate::store;

/// How an assignment ends.
pub(crate) struct Ending {
    pub kind: RequestType,
    pub state: AssignmentState,
    pub status: &'static str,
    /// The timeline's words, on the remove request and the original one.
    pub text: String,
    pub audit_action: &'static str,
}

/// The request that records an assignment's end (`userRemove`, `adminRemove` or
/// `systemRemove`): delivered at once.
pub(crate) fn removal_request(
    row: &assignment::Model,
    kind: RequestType,
    status: &str,
    requestor: Option<UserId>,
    now: OffsetDateTime,
) -> assignment_request::Model {
    assignment_request::Model {
        id: RequestId::new(),
        request_type: kind.as_str().to_owned(),
        state: RequestState::Delivered.as_str().to_owned(),
        status: status.to_owned(),
        requestor_id: requestor,
        target_id: row.target_id,
        access_package_id: row.access_package_id,
        policy_id: row.policy_id,
        assignment_id: Some(row.id),
        justification: String::new(),
        schedule_start: None,
        schedule_end: None,
        decide_by: None,
        remind_at: None,
        created_at: now,
        completed_at: Some(now),
    }
}

/// Ends one active assignment, if it is still active (a conditional update): false when
/// someone else ended it first.
pub(crate) async fn end_assignment(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    principal: &Principal,
    row: &assignment::Model,
    ending: &Ending,
) -> Result<bool, sea_orm::DbErr> {
    let mut update = assignment::Entity::update_many()
        .col_expr(
            assignment::Column::State,
            Expr::value(ending.state.as_str()),
        )
        .col_expr(assignment::Column::UpdatedAt, Expr::value(now));
    if ending.state == AssignmentState::Removed {
        update = update.col_expr(assignment::Column::EndAt, Expr::value(Some(now)));
    }
    let claimed = update
        .filter(assignment::Column::Id.eq(row.id))
        .filter(assignment::Column::State.is_in([
            AssignmentState::Delivering.as_str(),
            AssignmentState::Delivered.as_str(),
        ]))
        .exec(db)
        .await?;
    if claimed.rows_affected == 0 {
        return Ok(false);
    }
    take_away(db, now, row.id).await?;
    // A scheduled request whose assignment ends before it starts will never start.
    let scheduled = assignment_request::Entity::find()
        .filter(assignment_request::Column::AssignmentId.eq(row.id))
        .filter(assignment_request::Column::State.eq(RequestState::Scheduled.as_str()))
        .all(db)
        .await?;
    for request in scheduled {
        let (from, request_type) = state_of(&request)?;
        if let Ok(transition) = lifecycle::drop_scheduled(from, request_type) {
            move_request(db, request.id, from, transition, now).await?;
        }
    }
    let request = removal_request(row, ending.kind, ending.status, principal.user_id, now);
    let active: assignment_request::ActiveModel = request.clone().into();
    assignment_request::Entity::insert(active)
        .exec_without_returning(db)
        .await?;
    let kind = if ending.state == AssignmentState::Expired {
        "expired"
    } else {
        "removed"
    };
    timeline(db, request.id, now, kind, ending.text.clone()).await?;
    let origin = assignment_request::Entity::find()
        .filter(assignment_request::Column::AssignmentId.eq(row.id))
        .filter(assignment_request::Column::RequestType.is_in([
            RequestType::UserAdd.as_str(),
            RequestType::AdminAdd.as_str(),
        ]))
        .one(db)
        .await?;
    if let Some(origin) = origin {
        timeline(db, origin.id, now, kind, ending.text.clone()).await?;
    }
    let name = package_name(db, row.access_package_id).await?;
    audit::record(
        db,
        now,
        principal,
        request_audit(
            ending.audit_action,
            &request,
            &name,
            json!({ "assignmentId": row.id.to_string() }),
        ),
    )
    .await?;
    Ok(true)
}

/// `Remove access`: by the assignment's own user (`userRemove`) or by someone who manages
/// assignments in the package's catalog (`adminRemove`).
#[tracing::instrument(skip_all, fields(principal = %principal.name, assignment = %assignment_id))]
pub async fn remove_assignment(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    assignment_id: AssignmentId,
) -> ServiceResult<()> {
    let row = assignment::Entity::find_by_id(assignment_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let package = store::packages::find(db, row.access_package_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    authorize(
        principal,
        Action::RemoveAssignment {
            catalog: package.catalog_id,
            target: row.target_id,
        },
    )?;
    let kind = if principal.is(row.target_id) {
        RequestType::UserRemove
    } else if principal.is_system() {
        RequestType::SystemRemove
    } else {
        RequestType::AdminRemove
    };
    let ending = Ending {
        kind,
        state: AssignmentState::Removed,
        status: status_for(kind, RequestState::Delivered),
        text: format!("Access removed by {}", principal.display_name),
        audit_action: action::REMOVE_ASSIGNMENT,
    };
    let now = clock.now();
    let txn = write_txn(db).await?;
    if !end_assignment(&txn, now, principal, &row, &ending).await? {
        return Err(ServiceError::conflict(
            "already_ended",
            "This assignment has already ended.",
        ));
    }
    // An extension still waiting has nothing left to extend.
    if let Some(open) = store::requests::open_request(&txn, row.target_id, row.access_package_id)
        .await?
        .filter(|r| r.assignment_id == Some(row.id))
    {
        super::settle_open(&txn, &open, now, super::CANCELED_BY_REMOVAL).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Ends every active assignment of `user` as a system removal, with `reason` on the
/// timeline. The caller owns the transaction (deleting a user does this first).
pub async fn remove_all_of_user(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    principal: &Principal,
    user: UserId,
    reason: &str,
) -> Result<usize, sea_orm::DbErr> {
    let rows = assignment::Entity::find()
        .filter(assignment::Column::TargetId.eq(user))
        .filter(assignment::Column::State.is_in([
            AssignmentState::Delivering.as_str(),
            AssignmentState::Delivered.as_str(),
        ]))
        .order_by_asc(assignment::Column::StartAt)
        .all(db)
        .await?;
    let ending = Ending {
        kind: RequestType::SystemRemove,
        state: AssignmentState::Removed,
        status: status_for(RequestType::SystemRemove, RequestState::Delivered),
        text: format!("Access removed by the system: {reason}"),
        audit_action: action::REMOVE_ASSIGNMENT,
    };
    let mut ended = 0;
    for row in rows {
        if end_assignment(db, now, principal, &row, &ending).await? {
            ended += 1;
        }
    }
    Ok(ended)
}

/// Denies, for the system, every request of `user` that still waits for a decision, with
/// `reason` on its timeline. The caller owns the transaction.
pub async fn deny_waiting_requests(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    principal: &Principal,
    user: UserId,
    reason: &str,
) -> Result<usize, sea_orm::DbErr> {
    let pending = assignment_request::Entity::find()
        .filter(assignment_request::Column::TargetId.eq(user))
        .filter(assignment_request::Column::State.is_in([
            RequestState::Submitted.as_str(),
            RequestState::PendingApproval.as_str(),
        ]))
        .all(db)
        .await?;
    let mut denied = 0;
    for request in pending {
        let (from, request_type) = state_of(&request)?;
        let Ok(transition) = lifecycle::deny_by_system(from, request_type) else {
            continue;
        };
        if !move_request(db, request.id, from, transition, now).await? {
            continue;
        }
        timeline(
            db,
            request.id,
            now,
            "denied",
            format!("Denied by the system: {reason}"),
        )
        .await?;
        let name = package_name(db, request.access_package_id).await?;
        audit::record(
            db,
            now,
            principal,
            request_audit(
                action::DENY_REQUEST,
                &request,
                &name,
                json!({ "reason": reason }),
            ),
        )
        .await?;
        denied += 1;
    }
    Ok(denied)
}
