//! The scheduler's work, one pass: deliver what is due, expire what has ended, time out
//! requests left pending. Each step claims its rows (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL; SQLite has one writer) and changes them with conditional updates, so a pass
//! is idempotent and several instances never do the same work twice.
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;
use time::OffsetDateTime;

use super::audit;
use super::delivery::grant;
use super::requests::removal::removal_request;
use super::requests::{move_request, package_name, policy_of, request_audit, state_of, timeline};
use crate::clock::Clock;
use crate::db::write_txn;
use crate::domain::audit as action;
use crate::domain::group::MembershipSource;
use crate::domain::lifecycle::{self, AssignmentState, RequestState, RequestType, status};
use crate::domain::policy::Expiration;
use crate::domain::principal::Principal;
use crate::entities::{
    access_package, assignment, assignment_request, group_member, request_event,
};
use crate::ids::{AccessPackageId, AssignmentId, RequestEventId, RequestId};

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

/// Claims up to `limit` rows in `state` whose `due` time has come, earliest first, skipping
/// rows another instance holds (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one
/// writer), inside the caller's transaction. The state is written into the SQL so that the
/// due list's partial index (`WHERE state = '…'`) serves the claim.
async fn claim_due<E: EntityTrait>(
    txn: &impl ConnectionTrait,
    (state, value): (E::Column, &'static str),
    due: E::Column,
    now: OffsetDateTime,
    limit: u64,
) -> Result<Vec<E::Model>, sea_orm::DbErr> {
    E::find()
        .filter(crate::store::literally(state, value))
        .filter(due.lte(now))
        .order_by_asc(due)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(txn)
        .await
}

async fn deliver_due(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    system: &Principal,
) -> Result<usize, sea_orm::DbErr> {
    let now = clock.now();
    let txn = write_txn(db).await?;
    let due = claim_due::<assignment::Entity>(
        &txn,
        (
            assignment::Column::State,
            AssignmentState::Delivering.as_str(),
        ),
        assignment::Column::StartAt,
        now,
        BATCH,
    )
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

/// Expires what has ended, a batch at a time, each batch one short transaction of a few
/// set-based statements: the claimed assignments are marked expired, the memberships they
/// granted go, and the removal requests, timeline lines and audit rows are written in bulk.
async fn expire_due(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    system: &Principal,
) -> Result<usize, sea_orm::DbErr> {
    let now = clock.now();
    let mut total = 0;
    loop {
        let done = expire_batch(db, now, system).await?;
        total += done;
        if done < EXPIRY_BATCH as usize {
            return Ok(total);
        }
    }
}

const EXPIRY_BATCH: u64 = 500;

async fn expire_batch(
    db: &DatabaseConnection,
    now: OffsetDateTime,
    system: &Principal,
) -> Result<usize, sea_orm::DbErr> {
    let txn = write_txn(db).await?;
    let due = claim_due::<assignment::Entity>(
        &txn,
        (
            assignment::Column::State,
            AssignmentState::Delivered.as_str(),
        ),
        assignment::Column::EndAt,
        now,
        EXPIRY_BATCH,
    )
    .await?;
    if due.is_empty() {
        txn.commit().await?;
        return Ok(0);
    }
    let ids: Vec<AssignmentId> = due.iter().map(|a| a.id).collect();
    // The rows are claimed (locked on PostgreSQL, the one writer on SQLite): each changes.
    assignment::Entity::update_many()
        .col_expr(
            assignment::Column::State,
            Expr::value(AssignmentState::Expired.as_str()),
        )
        .col_expr(assignment::Column::UpdatedAt, Expr::value(now))
        // By primary key only: a state filter here lets SQLite pick the state index and walk
        // every delivered assignment.
        .filter(assignment::Column::Id.is_in(ids.iter().copied()))
        .exec(&txn)
        .await?;
    let granted = Condition::all()
        .add(group_member::Column::SourceKind.eq(MembershipSource::Assignment.as_str()))
        .add(group_member::Column::SourceId.is_in(ids.iter().map(|a| a.0)));
    let governed = crate::store::outbox::governed_pairs(&txn, granted.clone()).await?;
    group_member::Entity::delete_many()
        .filter(granted)
        .exec(&txn)
        .await?;
    crate::store::outbox::enqueue(&txn, now, &governed).await?;
    let origins: Vec<(RequestId, Option<AssignmentId>)> = assignment_request::Entity::find()
        .select_only()
        .column(assignment_request::Column::Id)
        .column(assignment_request::Column::AssignmentId)
        .filter(assignment_request::Column::AssignmentId.is_in(ids.iter().copied()))
        .filter(assignment_request::Column::RequestType.is_in([
            RequestType::UserAdd.as_str(),
            RequestType::AdminAdd.as_str(),
        ]))
        .into_tuple()
        .all(&txn)
        .await?;
    let mut package_ids: Vec<AccessPackageId> = due.iter().map(|a| a.access_package_id).collect();
    package_ids.sort();
    package_ids.dedup();
    let names: Vec<(AccessPackageId, String)> = access_package::Entity::find()
        .select_only()
        .column(access_package::Column::Id)
        .column(access_package::Column::DisplayName)
        .filter(access_package::Column::Id.is_in(package_ids))
        .into_tuple()
        .all(&txn)
        .await?;
    let mut removals = Vec::with_capacity(due.len());
    let mut lines = Vec::with_capacity(due.len() * 2);
    for row in &due {
        let removal = removal_request(row, RequestType::SystemRemove, status::EXPIRED, None, now);
        let origin = origins
            .iter()
            .find(|(_, a)| *a == Some(row.id))
            .map(|(r, _)| *r);
        for request in std::iter::once(removal.id).chain(origin) {
            lines.push(request_event::ActiveModel::from(request_event::Model {
                id: RequestEventId::new(),
                request_id: request,
                occurred_at: now,
                kind: "expired".to_owned(),
                description: "Access expired".to_owned(),
            }));
        }
        removals.push(removal);
    }
    for chunk in removals.chunks(500) {
        let rows: Vec<assignment_request::ActiveModel> =
            chunk.iter().cloned().map(Into::into).collect();
        assignment_request::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
    }
    for chunk in lines.chunks(500) {
        request_event::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    let events = removals
        .iter()
        .map(|removal| {
            let name = names
                .iter()
                .find(|(id, _)| *id == removal.access_package_id)
                .map_or("", |(_, n)| n.as_str());
            let assignment = removal.assignment_id.map(|a| a.to_string());
            request_audit(
                action::EXPIRE_ASSIGNMENT,
                removal,
                name,
                json!({ "assignmentId": assignment }),
            )
        })
        .collect();
    audit::record_many(&txn, now, system, events).await?;
    txn.commit().await?;
    Ok(due.len())
}

async fn time_out_due(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    system: &Principal,
) -> Result<usize, sea_orm::DbErr> {
    let now = clock.now();
    let txn = write_txn(db).await?;
    let due = claim_due::<assignment_request::Entity>(
        &txn,
        (
            assignment_request::Column::State,
            RequestState::PendingApproval.as_str(),
        ),
        assignment_request::Column::DecideBy,
        now,
        BATCH,
    )
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
