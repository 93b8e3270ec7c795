//! `Extend`: a user asks to keep access that ends soon (`userExtend`, approved under the
//! policy like a new request), or an administrator extends it (`adminUpdate`). Either way
//! the assignment keeps its id, its memberships and its history: only its end moves.
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use serde_json::json;
use time::{Date, OffsetDateTime};

use super::{package_name, policy_of, request_audit, timeline};
use crate::clock::Clock;
use crate::db::write_txn;
use crate::domain::audit as action;
use crate::domain::authz::{Action, RequestFacts, authorize};
use crate::domain::lifecycle::{
    self, AssignmentState, EXTEND_WITHIN_DAYS, Effect, RequestState, RequestType,
};
use crate::domain::policy::Expiration;
use crate::domain::principal::Principal;
use crate::entities::{assignment, assignment_request};
use crate::ids::{AssignmentId, RequestId};
use crate::services::audit;
use crate::services::error::{ServiceError, ServiceResult};
use crate::services::packages::{PackageAction, package_for};
use crate::store;

/// The `Extend` pane, as typed.
#[derive(Debug, Clone)]
pub struct Extension {
    pub assignment: AssignmentId,
    pub justification: String,
    /// The day access should end; none: as long as the policy gives from now.
    pub end: Option<Date>,
}

fn not_extendable(message: &'static str) -> ServiceError {
    ServiceError::conflict("cannot_extend", message)
}

/// Whether `row` may be extended by its user on `now`: active, ending within 14 days.
pub fn ends_soon(row: &assignment::Model, now: OffsetDateTime) -> bool {
    row.state == AssignmentState::Delivered.as_str()
        && row
            .end_at
            .is_some_and(|end| end > now && end - now <= time::Duration::days(EXTEND_WITHIN_DAYS))
}

/// The principal's own assignment `id` (anyone else's does not exist for them), with its
/// policy when that still lets them request the package.
async fn own_with_policy(
    db: &DatabaseConnection,
    principal: &Principal,
    id: AssignmentId,
) -> ServiceResult<(assignment::Model, Option<store::packages::PolicyRecord>)> {
    let me = principal.user_id.ok_or(ServiceError::NotFound)?;
    let row = assignment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    authorize(
        principal,
        Action::ReadOwn {
            target: row.target_id,
        },
    )
    .map_err(|_| ServiceError::NotFound)?;
    let policy = store::requests::requestable(db, me, row.access_package_id)
        .await?
        .into_iter()
        .flat_map(|(_, policies)| policies)
        .find(|p| Some(p.id) == row.policy_id);
    Ok((row, policy))
}

/// The signed-in user asks to extend their own assignment.
#[tracing::instrument(skip_all, fields(principal = %principal.name, assignment = %new.assignment))]
pub async fn request_extension(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    new: Extension,
) -> ServiceResult<RequestId> {
    let me = principal.user_id.ok_or(ServiceError::NotFound)?;
    // The policy must still let them request the package, and allow extending.
    let (row, policy) = own_with_policy(db, principal, new.assignment).await?;
    let policy = policy.ok_or_else(|| {
            not_extendable(
                "This access can no longer be extended: its policy no longer lets you request it. Request the access package again instead.",
            )
        })?;
    authorize(
        principal,
        Action::RequestUnderPolicy(RequestFacts {
            policy_lets_request: true,
            policy_enabled: policy.spec.enabled,
            catalog_enabled: true,
        }),
    )?;
    if !policy.spec.extend {
        return Err(not_extendable(
            "The policy of this access package does not let users extend access.",
        ));
    }
    let now = clock.now();
    let Some(current) = row.end_at.filter(|_| ends_soon(&row, now)) else {
        return Err(not_extendable(
            "You can extend access in the 14 days before it ends.",
        ));
    };
    let justification = lifecycle::check_justification(
        &new.justification,
        policy.spec.requestor_justification_required,
    )
    .map_err(|e| ServiceError::invalid("justification", e))?;
    let chosen = if policy.spec.custom_schedule {
        new.end
    } else {
        None
    };
    let end = lifecycle::check_extension(now, current, chosen, policy.spec.expiration)
        .map_err(|e| ServiceError::invalid("end_date", e))?;

    let txn = write_txn(db).await?;
    super::hold_policy_and_check_pending(&txn, policy.id, me, row.access_package_id).await?;
    // The assignment as it is now, held until this commits: removed, expired or extended by
    // someone else since it was read, it is not extended again from a stale end.
    let locked = assignment::Entity::find_by_id(row.id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|a| a.end_at == Some(current) && ends_soon(a, now));
    if locked.is_none() {
        return Err(not_extendable(
            "This access changed meanwhile (it was extended, removed or has ended). Look at My access again.",
        ));
    }
    let transition = lifecycle::on_submit(
        RequestType::UserExtend,
        policy.spec.approval_required,
        now,
        now,
    );
    // Undecided, it times out when the access ends at the latest: there is nothing left to
    // extend then.
    let decide_by = policy.spec.approval_required.then(|| {
        let limit = now + time::Duration::days(i64::from(policy.spec.approval_days));
        limit.min(current)
    });
    // Approvers of an extension have until the access ends at most: they are reminded
    // halfway there if the policy's reminder would come later.
    let remind_at = decide_by.and_then(|by| {
        let at = now + policy.spec.reminder_after().min((by - now) / 2);
        (at < by).then_some(at)
    });
    let request = assignment_request::Model {
        id: RequestId::new(),
        request_type: RequestType::UserExtend.as_str().to_owned(),
        state: transition.to.as_str().to_owned(),
        status: transition.status.to_owned(),
        requestor_id: Some(me),
        target_id: me,
        access_package_id: row.access_package_id,
        policy_id: Some(policy.id),
        assignment_id: Some(row.id),
        justification: justification.clone(),
        schedule_start: None,
        schedule_end: Some(end),
        decide_by,
        remind_at,
        created_at: now,
        completed_at: (transition.to == RequestState::Delivered).then_some(now),
    };
    super::insert_request(&txn, &request).await?;
    let mut text = format!(
        "Extension until {} requested by {}",
        end.date(),
        principal.display_name
    );
    if !justification.is_empty() {
        text.push_str(&format!(": “{justification}”"));
    }
    timeline(&txn, request.id, now, "submitted", text).await?;
    let name = package_name(&txn, row.access_package_id).await?;
    audit::record(
        &txn,
        now,
        principal,
        request_audit(
            action::REQUEST_EXTENSION,
            &request,
            &name,
            json!({ "assignmentId": row.id.to_string(), "policy": policy.spec.display_name, "justification": justification, "end": end.to_string() }),
        ),
    )
    .await?;
    if transition.effect == Effect::Extend {
        apply_extension(&txn, now, principal, &request).await?;
    }
    txn.commit().await?;
    Ok(request.id)
}

/// Someone who manages the package's assignments extends one to the end of `end`.
#[tracing::instrument(skip_all, fields(principal = %principal.name, assignment = %id))]
pub async fn extend_assignment(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: AssignmentId,
    end: Option<Date>,
) -> ServiceResult<RequestId> {
    let row = assignment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let package = package_for(
        db,
        principal,
        row.access_package_id,
        PackageAction::ManageAssignments,
    )
    .await?;
    let now = clock.now();
    let current = match (row.state.as_str(), row.end_at) {
        ("delivered" | "delivering", Some(end)) if end > now => end,
        ("delivered" | "delivering", _) => {
            return Err(not_extendable(
                "This assignment has no end date, so there is nothing to extend.",
            ));
        }
        _ => {
            return Err(not_extendable(
                "This assignment has already ended: assign the access package again instead.",
            ));
        }
    };
    let Some(end) = end else {
        return Err(ServiceError::field(
            "end_date",
            "end_required",
            "Enter the date the assignment should end.",
        ));
    };
    // The policy's limit, counted from today; a policy deleted since sets none.
    let expiration = policy_of(db, row.access_package_id, row.policy_id)
        .await?
        .map_or(Expiration::Never, |p| p.spec.expiration);
    let end = lifecycle::check_extension(now, current, Some(end), expiration)
        .map_err(|e| ServiceError::invalid("end_date", e))?;

    let txn = write_txn(db).await?;
    // A request of theirs to extend it, still waiting, is settled by this.
    if let Some(open) = store::requests::open_request(&txn, row.target_id, row.access_package_id)
        .await?
        .filter(|r| r.request_type == RequestType::UserExtend.as_str())
    {
        super::settle_open(&txn, &open, now, super::CANCELED_BY_ADMIN_EXTENSION).await?;
    }
    let transition = lifecycle::after_approval(RequestType::AdminUpdate, now, now);
    let request = assignment_request::Model {
        id: RequestId::new(),
        request_type: RequestType::AdminUpdate.as_str().to_owned(),
        state: transition.to.as_str().to_owned(),
        status: transition.status.to_owned(),
        requestor_id: principal.user_id,
        target_id: row.target_id,
        access_package_id: row.access_package_id,
        policy_id: row.policy_id,
        assignment_id: Some(row.id),
        justification: String::new(),
        schedule_start: None,
        schedule_end: Some(end),
        decide_by: None,
        remind_at: None,
        created_at: now,
        completed_at: Some(now),
    };
    let active: assignment_request::ActiveModel = request.clone().into();
    assignment_request::Entity::insert(active)
        .exec_without_returning(&txn)
        .await?;
    audit::record(
        &txn,
        now,
        principal,
        request_audit(
            action::REQUEST_EXTENSION,
            &request,
            &package.display_name,
            json!({ "assignmentId": row.id.to_string(), "end": end.to_string() }),
        ),
    )
    .await?;
    apply_extension(&txn, now, principal, &request).await?;
    txn.commit().await?;
    Ok(request.id)
}

/// Moves the end of the assignment an extend request names to the request's end: one
/// conditional update, so access that ended (or was removed) meanwhile is not revived.
pub(crate) async fn apply_extension(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    principal: &Principal,
    request: &assignment_request::Model,
) -> ServiceResult<()> {
    let (Some(id), Some(end)) = (request.assignment_id, request.schedule_end) else {
        return Err(ServiceError::NotFound);
    };
    // Only later, and only while the access lasts: an extension never shortens access
    // someone else extended meanwhile, nor revives access that ended.
    let moved = assignment::Entity::update_many()
        .col_expr(assignment::Column::EndAt, Expr::value(Some(end)))
        .col_expr(assignment::Column::UpdatedAt, Expr::value(now))
        .filter(assignment::Column::Id.eq(id))
        .filter(assignment::Column::State.is_in([
            AssignmentState::Delivering.as_str(),
            AssignmentState::Delivered.as_str(),
        ]))
        .filter(assignment::Column::EndAt.gt(now))
        .filter(assignment::Column::EndAt.lt(end))
        .exec(db)
        .await?;
    if moved.rows_affected != 1 {
        let still = assignment::Entity::find_by_id(id).one(db).await?;
        let later = still.as_ref().and_then(|a| {
            (a.state == AssignmentState::Delivered.as_str()
                || a.state == AssignmentState::Delivering.as_str())
            .then_some(a.end_at)
            .flatten()
            .filter(|e| *e > now)
        });
        return Err(match later {
            Some(already) => ServiceError::field(
                "decision",
                "already_extended",
                format!(
                    "This access already lasts until {}, longer than this request asks: deny it instead.",
                    already.date()
                ),
            ),
            None => ServiceError::field(
                "decision",
                "access_ended",
                "This access has already ended, so it cannot be extended: deny the request instead.",
            ),
        });
    }
    let by = if request.request_type == RequestType::AdminUpdate.as_str() {
        format!(" by {}", principal.display_name)
    } else {
        String::new()
    };
    timeline(
        db,
        request.id,
        now,
        "extended",
        format!("Access extended{by} until {}", end.date()),
    )
    .await?;
    let name = package_name(db, request.access_package_id).await?;
    audit::record(
        db,
        now,
        principal,
        request_audit(
            action::EXTEND_ASSIGNMENT,
            request,
            &name,
            json!({ "assignmentId": id.to_string(), "endDateTime": end.to_string() }),
        ),
    )
    .await?;
    Ok(())
}

/// What the `Extend` pane shows and asks.
#[derive(Clone, Debug)]
pub struct ExtensionPane {
    pub assignment: store::requests::AssignmentView,
    pub current_end: OffsetDateTime,
    /// The latest end the policy gives from now (none: no limit).
    pub limit: Option<OffsetDateTime>,
    pub justification_required: bool,
    /// The user chooses the end date; otherwise it is the policy's.
    pub choose_end: bool,
    pub approval_required: bool,
}

impl ExtensionPane {
    pub fn justification_hint(&self) -> &'static str {
        if self.justification_required {
            "Required. Up to 1,000 characters."
        } else {
            "Optional. Up to 1,000 characters."
        }
    }
}

/// The `Extend` pane of the user's own assignment, when they may extend it now.
pub async fn extension_pane(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: AssignmentId,
) -> ServiceResult<ExtensionPane> {
    let now = clock.now();
    let (row, policy) = own_with_policy(db, principal, id).await?;
    let policy = policy.filter(|p| p.spec.extend);
    let (Some(policy), Some(current_end)) = (policy, row.end_at.filter(|_| ends_soon(&row, now)))
    else {
        return Err(not_extendable(
            "This access can't be extended now: its policy must allow it, and it must end within 14 days.",
        ));
    };
    let assignment = store::requests::find_assignment(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(ExtensionPane {
        assignment,
        current_end,
        limit: lifecycle::expiration_end(policy.spec.expiration, now),
        justification_required: policy.spec.requestor_justification_required,
        choose_end: policy.spec.custom_schedule,
        approval_required: policy.spec.approval_required,
    })
}

/// Of the user's assignments, those that show `Extend` now, and those whose extension
/// waits for approval.
pub async fn extend_options(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
) -> ServiceResult<(Vec<AssignmentId>, Vec<AssignmentId>)> {
    let me = principal.user_id.ok_or(ServiceError::NotFound)?;
    authorize(principal, Action::ReadOwn { target: me })?;
    let now = clock.now();
    let ending: Vec<assignment::Model> = assignment::Entity::find()
        .filter(assignment::Column::TargetId.eq(me))
        .filter(assignment::Column::State.eq(AssignmentState::Delivered.as_str()))
        .filter(assignment::Column::EndAt.gt(now))
        .filter(assignment::Column::EndAt.lte(now + time::Duration::days(EXTEND_WITHIN_DAYS)))
        .all(db)
        .await?;
    let (mut extendable, mut waiting) = (Vec::new(), Vec::new());
    for row in ending {
        let asked = assignment_request::Entity::find()
            .filter(assignment_request::Column::AssignmentId.eq(row.id))
            .filter(assignment_request::Column::State.eq(RequestState::PendingApproval.as_str()))
            .one(db)
            .await?;
        if asked.is_some() {
            waiting.push(row.id);
            continue;
        }
        let allowed = store::requests::requestable(db, me, row.access_package_id)
            .await?
            .into_iter()
            .flat_map(|(_, policies)| policies)
            .any(|p| Some(p.id) == row.policy_id && p.spec.extend);
        if allowed {
            extendable.push(row.id);
        }
    }
    Ok((extendable, waiting))
}
