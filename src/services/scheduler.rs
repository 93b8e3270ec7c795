//! The scheduler's work, one pass: deliver what is due, expire what has ended, time out
//! requests left pending. Each step claims its rows (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL; SQLite has one writer) and changes them with conditional updates, so a pass
//! is idempotent and several instances never do the same work twice.
use sea_orm::sea_query::{LockBehavior, LockType};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;

use super::audit;
use super::delivery::grant;
use super::requests::removal::{Ending, end_assignment};
use super::requests::{move_request, package_name, policy_of, request_audit, state_of, timeline};
use crate::clock::Clock;
use crate::db::write_txn;
use crate::domain::audit as action;
use crate::domain::lifecycle::{self, AssignmentState, RequestState, RequestType, status};
use crate::domain::policy::Expiration;
use crate::domain::principal::Principal;
use crate::entities::{assignment, assignment_request};

const BATCH: u64 = 200;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassReport {
    pub delivered: usize,
    pub expired: usize,
    pub timed_out: usize,
}

#[tracing::instrument(skip_all)]
pub async fn run_pass(
    db: &DatabaseConnection,
    clock: &dyn Clock,
) -> Result<PassReport, sea_orm::DbErr> {
    let system = Principal::scheduler();
    Ok(PassReport {
        delivered: deliver_due(db, clock, &system).await?,
        expired: expire_due(db, clock, &system).await?,
        timed_out: time_out_due(db, clock, &system).await?,
    })
}

async fn deliver_due(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    system: &Principal,
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
        let (from, request_type) = state_of(&request)?;
        let Ok(transition) = lifecycle::start(from, request_type) else {
            continue;
        };
        if !move_request(&txn, request.id, from, transition, now).await? {
            continue;
        }
        let expiration = policy_of(&txn, row.access_package_id, row.policy_id)
            .await?
            .map_or(Expiration::Never, |p| p.spec.expiration);
        grant(&txn, now, system, &row, &request, expiration).await?;
        done += 1;
    }
    txn.commit().await?;
    Ok(done)
}

async fn expire_due(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    system: &Principal,
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
    let ending = Ending {
        kind: RequestType::SystemRemove,
        state: AssignmentState::Expired,
        status: status::EXPIRED,
        text: "Access expired".to_owned(),
        audit_action: action::EXPIRE_ASSIGNMENT,
    };
    let mut done = 0;
    for row in due {
        if end_assignment(&txn, now, system, &row, &ending).await? {
            done += 1;
        }
    }
    txn.commit().await?;
    Ok(done)
}

async fn time_out_due(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    system: &Principal,
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
        let (from, _) = state_of(&request)?;
        let Ok(transition) = lifecycle::time_out(from) else {
            continue;
        };
        if !move_request(&txn, request.id, from, transition, now).await? {
            continue;
        }
        timeline(
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
            system,
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
