//! The request lifecycle: requesting, deciding, canceling, delivering, removing and
//! expiring access. Each step is one transaction with its timeline entry and audit event;
//! the states come from `domain::lifecycle`.
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;
use time::{Date, OffsetDateTime};

use super::audit::{self, Actor, Event};
use crate::auth::extract::CurrentUser;
use crate::clock::Clock;
use crate::db::write_txn;
use crate::domain::audit as action;
use crate::domain::group::MembershipSource;
use crate::domain::lifecycle::{
    self, AssignmentState, Decision, RequestState, RequestType, ScheduleProblem, status, status_for,
};
use crate::domain::policy::Expiration;
use crate::entities::{
    assignment, assignment_policy, assignment_request, group_member, request_decision,
    request_event,
};
use crate::ids::{
    AccessPackageId, AssignmentId, DecisionId, MembershipId, PolicyId, RequestEventId, RequestId,
    UserId,
};
use crate::store::{self, packages::PolicyRecord};

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// A form field's problem, for the message next to it.
    #[error("{1}")]
    Field(&'static str, String),
    #[error(
        "You already have a request for this access package waiting for approval. Cancel it in Request history to make a new one."
    )]
    AlreadyPending,
    #[error(
        "You already have this access package. You can see it, and when it ends, in My access."
    )]
    AlreadyAssigned,
    #[error("This request has already been decided")]
    AlreadyDecided,
    #[error("You cannot approve your own request")]
    OwnRequest,
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    /// A refusal with what to do, in words for the page.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for RequestError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Unexpected(anyhow::Error::new(err).context("requests"))
    }
}

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

async fn event(
    db: &impl ConnectionTrait,
    request: RequestId,
    at: OffsetDateTime,
    kind: &str,
    description: String,
) -> Result<(), sea_orm::DbErr> {
    let row = request_event::ActiveModel {
        id: Set(RequestEventId::new()),
        request_id: Set(request),
        occurred_at: Set(at),
        kind: Set(kind.to_owned()),
        description: Set(description),
    };
    request_event::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

fn request_audit<'a>(
    action_name: &'a str,
    request: &assignment_request::Model,
    package_name: &'a str,
    detail: serde_json::Value,
) -> Event<'a> {
    let mut detail = detail;
    detail["requestId"] = json!(request.id.to_string());
    detail["requestType"] = json!(request.request_type);
    detail["targetId"] = json!(request.target_id.to_string());
    Event {
        action: action_name,
        target_type: action::TARGET_PACKAGE,
        target_id: Some(request.access_package_id.to_string()),
        target_name: package_name,
        detail,
    }
}

async fn package_name(
    db: &impl ConnectionTrait,
    id: AccessPackageId,
) -> Result<String, sea_orm::DbErr> {
    Ok(store::packages::find(db, id)
        .await?
        .map(|p| p.display_name)
        .unwrap_or_default())
}

async fn user_name(db: &impl ConnectionTrait, id: UserId) -> Result<String, sea_orm::DbErr> {
    Ok(store::users::find_by_id(db, id)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default())
}

/// Grants the package's group roles to the assignment's user, with the assignment as their
/// source, and marks assignment and request delivered. Idempotent: memberships already
/// there are left alone.
async fn deliver(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    actor: &Actor,
    assignment_row: &assignment::Model,
    request: &assignment_request::Model,
    expiration: Expiration,
) -> Result<(), sea_orm::DbErr> {
    let roles = store::packages::resource_roles(db, assignment_row.access_package_id).await?;
    for role in &roles {
        let row = group_member::ActiveModel {
            id: Set(MembershipId::new()),
            group_id: Set(role.group_id),
            user_id: Set(assignment_row.target_id),
            role: Set(role.role.as_str().to_owned()),
            source_kind: Set(MembershipSource::Assignment.as_str().to_owned()),
            source_id: Set(assignment_row.id.0),
            created_at: Set(now),
        };
        group_member::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    group_member::Column::GroupId,
                    group_member::Column::UserId,
                    group_member::Column::Role,
                    group_member::Column::SourceKind,
                    group_member::Column::SourceId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    let end = lifecycle::assignment_end(request.schedule_end, expiration, now);
    assignment::Entity::update_many()
        .col_expr(
            assignment::Column::State,
            Expr::value(AssignmentState::Delivered.as_str()),
        )
        .col_expr(assignment::Column::StartAt, Expr::value(now))
        .col_expr(assignment::Column::EndAt, Expr::value(end))
        .col_expr(assignment::Column::UpdatedAt, Expr::value(now))
        .filter(assignment::Column::Id.eq(assignment_row.id))
        .exec(db)
        .await?;
    let request_type = RequestType::from_stored(&request.request_type);
    assignment_request::Entity::update_many()
        .col_expr(
            assignment_request::Column::State,
            Expr::value(RequestState::Delivered.as_str()),
        )
        .col_expr(
            assignment_request::Column::Status,
            Expr::value(status_for(request_type, RequestState::Delivered)),
        )
        .col_expr(assignment_request::Column::CompletedAt, Expr::value(now))
        .filter(assignment_request::Column::Id.eq(request.id))
        .exec(db)
        .await?;
    let groups: Vec<String> = roles
        .iter()
        .map(|r| format!("{} of {}", r.role.label().to_lowercase(), r.group_name))
        .collect();
    let until = end.map_or("with no end date".to_owned(), |e| {
        format!("until {}", e.date())
    });
    let text = if groups.is_empty() {
        format!("Access delivered {until}")
    } else {
        format!("Access delivered: {} {until}", groups.join(", "))
    };
    event(db, request.id, now, "delivered", text).await?;
    let name = package_name(db, request.access_package_id).await?;
    let detail = json!({ "assignmentId": assignment_row.id.to_string(), "groups": groups, "endDateTime": end.map(|e| e.to_string()) });
    audit::record(
        db,
        now,
        actor,
        request_audit(action::DELIVER_ASSIGNMENT, request, &name, detail),
    )
    .await?;
    Ok(())
}

/// Creates the assignment for an approved (or approval-free) add request, delivering it now
/// or leaving it scheduled for its start.
async fn create_assignment(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    actor: &Actor,
    request: &assignment_request::Model,
    expiration: Expiration,
) -> Result<(), RequestError> {
    let start = request.schedule_start.unwrap_or(now);
    let row = assignment::Model {
        id: AssignmentId::new(),
        access_package_id: request.access_package_id,
        policy_id: request.policy_id,
        target_id: request.target_id,
        state: AssignmentState::Delivering.as_str().to_owned(),
        start_at: start,
        end_at: request.schedule_end,
        created_at: now,
        updated_at: now,
    };
    let active: assignment::ActiveModel = row.clone().into();
    assignment::Entity::insert(active)
        .exec_without_returning(db)
        .await
        .map_err(|err| {
            if super::is_unique_violation(&err) {
                RequestError::AlreadyAssigned
            } else {
                err.into()
            }
        })?;
    assignment_request::Entity::update_many()
        .col_expr(
            assignment_request::Column::AssignmentId,
            Expr::value(row.id),
        )
        .filter(assignment_request::Column::Id.eq(request.id))
        .exec(db)
        .await?;
    if start <= now {
        deliver(db, now, actor, &row, request, expiration).await?;
    } else {
        assignment_request::Entity::update_many()
            .col_expr(
                assignment_request::Column::State,
                Expr::value(RequestState::Scheduled.as_str()),
            )
            .col_expr(
                assignment_request::Column::Status,
                Expr::value(status::SCHEDULED),
            )
            .filter(assignment_request::Column::Id.eq(request.id))
            .exec(db)
            .await?;
        event(
            db,
            request.id,
            now,
            "scheduled",
            format!("Scheduled to start on {}", start.date()),
        )
        .await?;
    }
    Ok(())
}

/// The policy a request names, if it still exists.
async fn policy_of(
    db: &impl ConnectionTrait,
    package: AccessPackageId,
    policy: Option<PolicyId>,
) -> Result<Option<PolicyRecord>, sea_orm::DbErr> {
    let Some(policy) = policy else {
        return Ok(None);
    };
    Ok(store::packages::policies(db, package)
        .await?
        .into_iter()
        .find(|p| p.id == policy))
}

/// `Request access` in My Access, by the signed-in user for themselves.
pub async fn submit(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    requester: &CurrentUser,
    new: NewRequest,
) -> Result<RequestId, RequestError> {
    let me = requester.user.id;
    let offers = store::requests::requestable(db, me, Some(new.package)).await?;
    let (package, policies) = offers.into_iter().next().ok_or(RequestError::NotFound)?;
    let policy = match (new.policy, policies.len()) {
        (Some(id), _) => policies
            .into_iter()
            .find(|p| p.id == id)
            .ok_or(RequestError::Field(
                "policy",
                "Choose a policy you are allowed to request under.".to_owned(),
            ))?,
        (None, 1) => policies.into_iter().next().ok_or(RequestError::NotFound)?,
        (None, _) => {
            return Err(RequestError::Field(
                "policy",
                "Choose the policy to request under.".to_owned(),
            ));
        }
    };
    let justification = lifecycle::check_justification(
        &new.justification,
        policy.spec.requestor_justification_required,
    )
    .map_err(|e| RequestError::Field("justification", e.0))?;
    let now = clock.now();
    let (start, end) = if new.specific_period {
        if !policy.spec.custom_schedule {
            return Err(RequestError::Field(
                "specific_period",
                "This policy does not let you choose a period.".to_owned(),
            ));
        }
        if new.start.is_none() && new.end.is_none() {
            return Err(RequestError::Field(
                "start_date",
                "Enter a start date, an end date, or both.".to_owned(),
            ));
        }
        match lifecycle::check_schedule(now, new.start, new.end, policy.spec.expiration) {
            Ok(schedule) => (Some(schedule.start), schedule.end),
            Err(ScheduleProblem::Start(invalid)) => {
                return Err(RequestError::Field("start_date", invalid.0));
            }
            Err(ScheduleProblem::End(invalid)) => {
                return Err(RequestError::Field("end_date", invalid.0));
            }
        }
    } else {
        (None, None)
    };

    let txn = write_txn(db).await?;
    // Holds the policy while the request is written: deleting it waits, then sees the request.
    assignment_policy::Entity::find_by_id(policy.id)
        .lock_shared()
        .one(&txn)
        .await?
        .ok_or(RequestError::NotFound)?;
    if store::requests::open_request(&txn, me, package.id)
        .await?
        .is_some()
    {
        return Err(RequestError::AlreadyPending);
    }
    if store::requests::active_assignment(&txn, me, package.id)
        .await?
        .is_some()
    {
        return Err(RequestError::AlreadyAssigned);
    }
    let state = lifecycle::on_submit(policy.spec.approval_required, start.unwrap_or(now), now);
    // Undecided requests time out after the policy's days, or when their period ends.
    let decide_by = policy.spec.approval_required.then(|| {
        let limit = now + time::Duration::days(i64::from(policy.spec.approval_days));
        end.map_or(limit, |end| end.min(limit))
    });
    let request = assignment_request::Model {
        id: RequestId::new(),
        request_type: RequestType::UserAdd.as_str().to_owned(),
        state: if state == RequestState::PendingApproval {
            state.as_str()
        } else {
            RequestState::Submitted.as_str()
        }
        .to_owned(),
        status: status::PENDING_APPROVAL.to_owned(),
        requestor_id: Some(me),
        target_id: me,
        access_package_id: package.id,
        policy_id: Some(policy.id),
        assignment_id: None,
        justification: justification.clone(),
        schedule_start: start,
        schedule_end: end,
        decide_by,
        created_at: now,
        completed_at: None,
    };
    let active: assignment_request::ActiveModel = request.clone().into();
    assignment_request::Entity::insert(active)
        .exec_without_returning(&txn)
        .await
        .map_err(|err| {
            if super::is_unique_violation(&err) {
                RequestError::AlreadyPending
            } else {
                err.into()
            }
        })?;
    let mut text = format!("Request submitted by {}", requester.user.display_name);
    if !justification.is_empty() {
        text.push_str(&format!(": “{justification}”"));
    }
    event(&txn, request.id, now, "submitted", text).await?;
    let detail = json!({ "policy": policy.spec.display_name, "justification": justification, "start": start.map(|s| s.to_string()), "end": end.map(|e| e.to_string()) });
    audit::record(
        &txn,
        now,
        &requester.actor(),
        request_audit(
            action::REQUEST_ACCESS,
            &request,
            &package.display_name,
            detail,
        ),
    )
    .await?;
    if state != RequestState::PendingApproval {
        create_assignment(
            &txn,
            now,
            &requester.actor(),
            &request,
            policy.spec.expiration,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(request.id)
}

/// An approver's `Approve` or `Deny` with its reason. The first decision wins, also when two
/// approvers post at the same moment: the state change is a conditional update, and only
/// the one that changed the row goes on.
pub async fn decide(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    approver: &CurrentUser,
    id: RequestId,
    decision: Decision,
    reason: &str,
) -> Result<RequestState, RequestError> {
    let me = approver.user.id;
    let request = assignment_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(RequestError::NotFound)?;
    let policy_id = request.policy_id.ok_or(RequestError::NotFound)?;
    if !store::requests::is_approver(db, policy_id, me).await? {
        return Err(RequestError::NotFound);
    }
    if request.target_id == me {
        return Err(RequestError::OwnRequest);
    }
    let policy = policy_of(db, request.access_package_id, Some(policy_id))
        .await?
        .ok_or(RequestError::NotFound)?;

    let now = clock.now();
    let start = request.schedule_start.unwrap_or(now);
    let next = lifecycle::decide(
        RequestState::from_stored(&request.state),
        decision,
        start,
        now,
    )
    .map_err(|_| RequestError::AlreadyDecided)?;
    let reason = lifecycle::check_reason(reason, policy.spec.approver_justification_required)
        .map_err(|e| RequestError::Field("reason", e.0))?;
    if decision == Decision::Approve && request.schedule_end.is_some_and(|end| end <= now) {
        return Err(RequestError::Field(
            "decision",
            "The requested period has already ended: deny the request instead.".to_owned(),
        ));
    }

    let txn = write_txn(db).await?;
    let (state_now, status_now) = match decision {
        Decision::Approve => (RequestState::Submitted.as_str(), status::PENDING_APPROVAL),
        Decision::Deny => (RequestState::Denied.as_str(), status::DENIED),
    };
    let claimed = assignment_request::Entity::update_many()
        .col_expr(assignment_request::Column::State, Expr::value(state_now))
        .col_expr(assignment_request::Column::Status, Expr::value(status_now))
        .col_expr(
            assignment_request::Column::CompletedAt,
            Expr::value(if decision == Decision::Deny {
                Some(now)
            } else {
                None
            }),
        )
        .filter(assignment_request::Column::Id.eq(id))
        .filter(assignment_request::Column::State.eq(RequestState::PendingApproval.as_str()))
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        return Err(RequestError::AlreadyDecided);
    }
    let row = request_decision::ActiveModel {
        id: Set(DecisionId::new()),
        request_id: Set(id),
        approver_id: Set(Some(me)),
        approver_name: Set(approver.user.display_name.clone()),
        decision: Set(decision.as_str().to_owned()),
        reason: Set(reason.clone()),
        decided_at: Set(now),
    };
    request_decision::Entity::insert(row)
        .exec_without_returning(&txn)
        .await?;
    let verb = if decision == Decision::Approve {
        "Approved"
    } else {
        "Denied"
    };
    let text = if reason.is_empty() {
        format!("{verb} by {}", approver.user.display_name)
    } else {
        format!("{verb} by {}: “{reason}”", approver.user.display_name)
    };
    event(
        &txn,
        id,
        now,
        if decision == Decision::Approve {
            "approved"
        } else {
            "denied"
        },
        text,
    )
    .await?;
    let name = package_name(&txn, request.access_package_id).await?;
    let audit_action = if decision == Decision::Approve {
        action::APPROVE_REQUEST
    } else {
        action::DENY_REQUEST
    };
    audit::record(
        &txn,
        now,
        &approver.actor(),
        request_audit(audit_action, &request, &name, json!({ "reason": reason })),
    )
    .await?;
    if decision == Decision::Approve {
        create_assignment(
            &txn,
            now,
            &approver.actor(),
            &request,
            policy.spec.expiration,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(next)
}

/// The requestor withdraws a request nobody has decided yet.
pub async fn cancel(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    requester: &CurrentUser,
    id: RequestId,
) -> Result<(), RequestError> {
    let request = assignment_request::Entity::find_by_id(id)
        .filter(assignment_request::Column::TargetId.eq(requester.user.id))
        .one(db)
        .await?
        .ok_or(RequestError::NotFound)?;
    lifecycle::cancel(RequestState::from_stored(&request.state))
        .map_err(|_| RequestError::AlreadyDecided)?;
    let now = clock.now();
    let txn = write_txn(db).await?;
    let claimed = assignment_request::Entity::update_many()
        .col_expr(
            assignment_request::Column::State,
            Expr::value(RequestState::Canceled.as_str()),
        )
        .col_expr(
            assignment_request::Column::Status,
            Expr::value(status::CANCELED),
        )
        .col_expr(assignment_request::Column::CompletedAt, Expr::value(now))
        .filter(assignment_request::Column::Id.eq(id))
        .filter(assignment_request::Column::State.is_in([
            RequestState::Submitted.as_str(),
            RequestState::PendingApproval.as_str(),
        ]))
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        return Err(RequestError::AlreadyDecided);
    }
    event(
        &txn,
        id,
        now,
        "canceled",
        format!("Canceled by {}", requester.user.display_name),
    )
    .await?;
    let name = package_name(&txn, request.access_package_id).await?;
    audit::record(
        &txn,
        now,
        &requester.actor(),
        request_audit(action::CANCEL_REQUEST, &request, &name, json!({})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Takes away what an assignment granted. Memberships from other sources stay.
async fn take_away(
    db: &impl ConnectionTrait,
    assignment_id: AssignmentId,
) -> Result<(), sea_orm::DbErr> {
    group_member::Entity::delete_many()
        .filter(group_member::Column::SourceKind.eq(MembershipSource::Assignment.as_str()))
        .filter(group_member::Column::SourceId.eq(assignment_id.0))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends an assignment early (`Remove access`): records a remove request of `kind`, takes the
/// memberships away, and marks the assignment removed. Refused when it has already ended.
pub async fn remove_assignment(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    actor: &Actor,
    kind: RequestType,
    assignment_id: AssignmentId,
) -> Result<(), RequestError> {
    let now = clock.now();
    let txn = write_txn(db).await?;
    let claimed = assignment::Entity::update_many()
        .col_expr(
            assignment::Column::State,
            Expr::value(AssignmentState::Removed.as_str()),
        )
        .col_expr(assignment::Column::EndAt, Expr::value(Some(now)))
        .col_expr(assignment::Column::UpdatedAt, Expr::value(now))
        .filter(assignment::Column::Id.eq(assignment_id))
        .filter(assignment::Column::State.is_in([
            AssignmentState::Delivering.as_str(),
            AssignmentState::Delivered.as_str(),
        ]))
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        return Err(RequestError::Refused(
            "This assignment has already ended.".to_owned(),
        ));
    }
    let row = assignment::Entity::find_by_id(assignment_id)
        .one(&txn)
        .await?
        .ok_or(RequestError::NotFound)?;
    take_away(&txn, assignment_id).await?;
    // A scheduled request whose assignment is removed before it starts will never start.
    assignment_request::Entity::update_many()
        .col_expr(
            assignment_request::Column::State,
            Expr::value(RequestState::Canceled.as_str()),
        )
        .col_expr(
            assignment_request::Column::Status,
            Expr::value(status::CANCELED),
        )
        .col_expr(
            assignment_request::Column::CompletedAt,
            Expr::value(Some(now)),
        )
        .filter(assignment_request::Column::AssignmentId.eq(assignment_id))
        .filter(assignment_request::Column::State.eq(RequestState::Scheduled.as_str()))
        .exec(&txn)
        .await?;
    let request = removal_request(
        kind,
        status_for(kind, RequestState::Delivered),
        actor.id,
        &row,
        now,
    );
    let active: assignment_request::ActiveModel = request.clone().into();
    assignment_request::Entity::insert(active)
        .exec_without_returning(&txn)
        .await?;
    let who = match actor.id {
        Some(id) => user_name(&txn, id).await?,
        None => actor.name.clone(),
    };
    let text = format!("Access removed by {who}");
    event(&txn, request.id, now, "removed", text.clone()).await?;
    mark_origin(&txn, assignment_id, now, "removed", text).await?;
    let name = package_name(&txn, row.access_package_id).await?;
    audit::record(
        &txn,
        now,
        actor,
        request_audit(
            action::REMOVE_ASSIGNMENT,
            &request,
            &name,
            json!({ "assignmentId": assignment_id.to_string() }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The request that records an assignment's end (`userRemove`, `adminRemove` or
/// `systemRemove`): delivered at once.
fn removal_request(
    kind: RequestType,
    status_text: &str,
    requestor: Option<UserId>,
    row: &assignment::Model,
    now: OffsetDateTime,
) -> assignment_request::Model {
    assignment_request::Model {
        id: RequestId::new(),
        request_type: kind.as_str().to_owned(),
        state: RequestState::Delivered.as_str().to_owned(),
        status: status_text.to_owned(),
        requestor_id: requestor,
        target_id: row.target_id,
        access_package_id: row.access_package_id,
        policy_id: row.policy_id,
        assignment_id: Some(row.id),
        justification: String::new(),
        schedule_start: None,
        schedule_end: None,
        decide_by: None,
        created_at: now,
        completed_at: Some(now),
    }
}

/// Adds a line to the timeline of the request that created the assignment.
async fn mark_origin(
    db: &impl ConnectionTrait,
    assignment_id: AssignmentId,
    now: OffsetDateTime,
    kind: &str,
    text: String,
) -> Result<(), sea_orm::DbErr> {
    let origin = assignment_request::Entity::find()
        .filter(assignment_request::Column::AssignmentId.eq(assignment_id))
        .filter(assignment_request::Column::RequestType.is_in([
            RequestType::UserAdd.as_str(),
            RequestType::AdminAdd.as_str(),
        ]))
        .one(db)
        .await?;
    if let Some(origin) = origin {
        event(db, origin.id, now, kind, text).await?;
    }
    Ok(())
}

/// `New assignment`: an administrator or assignment manager assigns a user directly under a
/// policy (`adminAdd`, no approval).
pub async fn assign_directly(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    actor: &Actor,
    package: AccessPackageId,
    policy_id: PolicyId,
    target: UserId,
    end: Option<Date>,
) -> Result<RequestId, RequestError> {
    let policy = policy_of(db, package, Some(policy_id))
        .await?
        .ok_or(RequestError::Field(
            "policy",
            "Choose a policy of this access package.".to_owned(),
        ))?;
    store::users::find_by_id(db, target)
        .await?
        .filter(|u| u.enabled)
        .ok_or(RequestError::Field(
            "user",
            "Choose an enabled user.".to_owned(),
        ))?;
    let now = clock.now();
    let schedule_end = match end {
        None => None,
        Some(date) => {
            match lifecycle::check_schedule(now, None, Some(date), policy.spec.expiration) {
                Ok(schedule) => schedule.end,
                Err(ScheduleProblem::Start(invalid) | ScheduleProblem::End(invalid)) => {
                    return Err(RequestError::Field("end_date", invalid.0));
                }
            }
        }
    };
    let txn = write_txn(db).await?;
    if store::requests::active_assignment(&txn, target, package)
        .await?
        .is_some()
    {
        return Err(RequestError::Field(
            "user",
            "This user already has this access package.".to_owned(),
        ));
    }
    // A request of theirs that is still waiting is settled by this assignment.
    if let Some(open) = store::requests::open_request(&txn, target, package).await? {
        assignment_request::Entity::update_many()
            .col_expr(
                assignment_request::Column::State,
                Expr::value(RequestState::Canceled.as_str()),
            )
            .col_expr(
                assignment_request::Column::Status,
                Expr::value(status::CANCELED),
            )
            .col_expr(
                assignment_request::Column::CompletedAt,
                Expr::value(Some(now)),
            )
            .filter(assignment_request::Column::Id.eq(open.id))
            .exec(&txn)
            .await?;
        event(
            &txn,
            open.id,
            now,
            "canceled",
            "Canceled: the user was assigned the package directly".to_owned(),
        )
        .await?;
    }
    let request = assignment_request::Model {
        id: RequestId::new(),
        request_type: RequestType::AdminAdd.as_str().to_owned(),
        state: RequestState::Submitted.as_str().to_owned(),
        status: status::PENDING_APPROVAL.to_owned(),
        requestor_id: actor.id,
        target_id: target,
        access_package_id: package,
        policy_id: Some(policy_id),
        assignment_id: None,
        justification: String::new(),
        schedule_start: None,
        schedule_end,
        decide_by: None,
        created_at: now,
        completed_at: None,
    };
    let active: assignment_request::ActiveModel = request.clone().into();
    assignment_request::Entity::insert(active)
        .exec_without_returning(&txn)
        .await?;
    let who = match actor.id {
        Some(id) => user_name(&txn, id).await?,
        None => actor.name.clone(),
    };
    event(
        &txn,
        request.id,
        now,
        "submitted",
        format!("Assigned directly by {who}"),
    )
    .await?;
    let name = package_name(&txn, package).await?;
    audit::record(
        &txn,
        now,
        actor,
        request_audit(
            action::ADMIN_ASSIGN,
            &request,
            &name,
            json!({ "policy": policy.spec.display_name }),
        ),
    )
    .await?;
    create_assignment(&txn, now, actor, &request, policy.spec.expiration).await?;
    txn.commit().await?;
    Ok(request.id)
}

/// The scheduler's work, one pass: deliver what is due, expire what has ended, time out
/// requests left pending. Each step claims its rows (`FOR UPDATE SKIP LOCKED` on
/// PostgreSQL; SQLite has one writer) and changes them with conditional updates, so a pass
/// is idempotent and several instances never do the same work twice.
pub mod jobs {
    use sea_orm::sea_query::{LockBehavior, LockType};
    use sea_orm::{QueryOrder, QuerySelect};

    use super::*;

    const BATCH: u64 = 200;

    /// What one pass did.
    #[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
    pub struct PassReport {
        pub delivered: usize,
        pub expired: usize,
        pub timed_out: usize,
    }

    pub async fn run_pass(
        db: &DatabaseConnection,
        clock: &dyn Clock,
    ) -> Result<PassReport, sea_orm::DbErr> {
        Ok(PassReport {
            delivered: deliver_due(db, clock).await?,
            expired: expire_due(db, clock).await?,
            timed_out: time_out_due(db, clock).await?,
        })
    }

    fn system() -> Actor {
        Actor {
            id: None,
            name: "Gatehouse (scheduler)".to_owned(),
            client_ip: None,
        }
    }

    async fn deliver_due(
        db: &DatabaseConnection,
        clock: &dyn Clock,
    ) -> Result<usize, sea_orm::DbErr> {
        let now = clock.now();
        let txn = write_txn(db).await?;
        let due = assignment::Entity::find()
            .filter(assignment::Column::State.eq(AssignmentState::Delivering.as_str()))
            .filter(assignment::Column::StartAt.lte(now))
            .order_by_asc(assignment::Column::StartAt)
            .limit(BATCH)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(&txn)
            .await?;
        let mut done = 0;
        for row in due {
            let request = assignment_request::Entity::find()
                .filter(assignment_request::Column::AssignmentId.eq(row.id))
                .filter(assignment_request::Column::State.eq(RequestState::Scheduled.as_str()))
                .one(&txn)
                .await?;
            let Some(request) = request else { continue };
            let expiration = policy_of(&txn, row.access_package_id, row.policy_id)
                .await?
                .map_or(Expiration::Never, |p| p.spec.expiration);
            deliver(&txn, now, &system(), &row, &request, expiration).await?;
            done += 1;
        }
        txn.commit().await?;
        Ok(done)
    }

    async fn expire_due(
        db: &DatabaseConnection,
        clock: &dyn Clock,
    ) -> Result<usize, sea_orm::DbErr> {
        let now = clock.now();
        let txn = write_txn(db).await?;
        let due = assignment::Entity::find()
            .filter(assignment::Column::State.eq(AssignmentState::Delivered.as_str()))
            .filter(assignment::Column::EndAt.lte(now))
            .order_by_asc(assignment::Column::EndAt)
            .limit(BATCH)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(&txn)
            .await?;
        let mut done = 0;
        for row in due {
            let claimed = assignment::Entity::update_many()
                .col_expr(
                    assignment::Column::State,
                    Expr::value(AssignmentState::Expired.as_str()),
                )
                .col_expr(assignment::Column::UpdatedAt, Expr::value(now))
                .filter(assignment::Column::Id.eq(row.id))
                .filter(assignment::Column::State.eq(AssignmentState::Delivered.as_str()))
                .exec(&txn)
                .await?;
            if claimed.rows_affected == 0 {
                continue;
            }
            take_away(&txn, row.id).await?;
            let request =
                removal_request(RequestType::SystemRemove, status::EXPIRED, None, &row, now);
            let active: assignment_request::ActiveModel = request.clone().into();
            assignment_request::Entity::insert(active)
                .exec_without_returning(&txn)
                .await?;
            event(
                &txn,
                request.id,
                now,
                "expired",
                "Access expired".to_owned(),
            )
            .await?;
            mark_origin(&txn, row.id, now, "expired", "Access expired".to_owned()).await?;
            let name = package_name(&txn, row.access_package_id).await?;
            audit::record(
                &txn,
                now,
                &system(),
                request_audit(
                    action::EXPIRE_ASSIGNMENT,
                    &request,
                    &name,
                    json!({ "assignmentId": row.id.to_string() }),
                ),
            )
            .await?;
            done += 1;
        }
        txn.commit().await?;
        Ok(done)
    }

    async fn time_out_due(
        db: &DatabaseConnection,
        clock: &dyn Clock,
    ) -> Result<usize, sea_orm::DbErr> {
        let now = clock.now();
        let txn = write_txn(db).await?;
        let due = assignment_request::Entity::find()
            .filter(assignment_request::Column::State.eq(RequestState::PendingApproval.as_str()))
            .filter(assignment_request::Column::DecideBy.lte(now))
            .order_by_asc(assignment_request::Column::DecideBy)
            .limit(BATCH)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(&txn)
            .await?;
        let mut done = 0;
        for request in due {
            let next = lifecycle::time_out(RequestState::from_stored(&request.state));
            let Ok(next) = next else { continue };
            let claimed = assignment_request::Entity::update_many()
                .col_expr(
                    assignment_request::Column::State,
                    Expr::value(next.as_str()),
                )
                .col_expr(
                    assignment_request::Column::Status,
                    Expr::value(status::EXPIRED),
                )
                .col_expr(assignment_request::Column::CompletedAt, Expr::value(now))
                .filter(assignment_request::Column::Id.eq(request.id))
                .filter(
                    assignment_request::Column::State.eq(RequestState::PendingApproval.as_str()),
                )
                .exec(&txn)
                .await?;
            if claimed.rows_affected == 0 {
                continue;
            }
            event(
                &txn,
                request.id,
                now,
                "timedOut",
                "Expired: no approver decided in time".to_owned(),
            )
            .await?;
            let name = package_name(&txn, request.access_package_id).await?;
            audit::record(
                &txn,
                now,
                &system(),
                request_audit(
                    action::REQUEST_TIMED_OUT,
                    &request,
                    &name,
                    json!({ "decideBy": request.decide_by.map(|d| d.to_string()) }),
                ),
            )
            .await?;
            done += 1;
        }
        txn.commit().await?;
        Ok(done)
    }
}
