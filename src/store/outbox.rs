//! The outbox's rows: written with the membership changes of governed groups, claimed and
//! finished by the worker.
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait,
};
use time::OffsetDateTime;

use crate::domain::group::MemberRole;
use crate::domain::outbox::{Change, OutboxState};
use crate::entities::{governed_group, group_member, outbox};
use crate::ids::{AssignmentId, ConnectedSystemId, GroupId, OutboxId, UserId};

/// A membership whose change goes to a connected system: the group (governed there), the
/// person, the system, and the assignment the change delivers, when it delivers one (that
/// assignment shows `Delivering` until the change is done).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Governed {
    pub group: GroupId,
    pub user: UserId,
    pub system: ConnectedSystemId,
    pub assignment: Option<AssignmentId>,
}

/// The memberships `filter` selects whose group is governed in a connected system: what
/// changes there when those rows go.
pub async fn governed_pairs(
    db: &impl ConnectionTrait,
    filter: Condition,
) -> Result<Vec<Governed>, sea_orm::DbErr> {
    let found: Vec<(GroupId, UserId, ConnectedSystemId)> = group_member::Entity::find()
        .select_only()
        .column(group_member::Column::GroupId)
        .column(group_member::Column::UserId)
        .column(governed_group::Column::ConnectedSystemId)
        .join(JoinType::InnerJoin, group_member::Relation::Governed.def())
        .filter(filter)
        .filter(group_member::Column::Role.eq(MemberRole::Member.as_str()))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    Ok(found
        .into_iter()
        .map(|(group, user, system)| Governed {
            group,
            user,
            system,
            assignment: None,
        })
        .collect())
}

/// Of these memberships (group, user, the assignment granting it), those whose group is
/// governed, with its system.
pub async fn governed_among(
    db: &impl ConnectionTrait,
    memberships: &[(GroupId, UserId, Option<AssignmentId>)],
) -> Result<Vec<Governed>, sea_orm::DbErr> {
    if memberships.is_empty() {
        return Ok(Vec::new());
    }
    let mut groups: Vec<GroupId> = memberships.iter().map(|(g, _, _)| *g).collect();
    groups.sort();
    groups.dedup();
    let governed: std::collections::HashMap<GroupId, ConnectedSystemId> =
        governed_group::Entity::find()
            .select_only()
            .column(governed_group::Column::GroupId)
            .column(governed_group::Column::ConnectedSystemId)
            .filter(governed_group::Column::GroupId.is_in(groups))
            .into_tuple()
            .all(db)
            .await?
            .into_iter()
            .collect();
    Ok(memberships
        .iter()
        .filter_map(|&(group, user, assignment)| {
            governed.get(&group).map(|&system| Governed {
                group,
                user,
                system,
                assignment,
            })
        })
        .collect())
}

/// Writes a `Membership` change for each, due now.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    changes: &[Governed],
) -> Result<(), sea_orm::DbErr> {
    for chunk in changes.chunks(500) {
        let rows: Vec<outbox::ActiveModel> = chunk
            .iter()
            .map(|g| {
                let change = Change::Membership {
                    group: g.group,
                    user: g.user,
                };
                pending_row(now, g.system, &change, g.assignment)
            })
            .collect();
        outbox::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Claims up to `limit` due rows until `until`: rows another worker holds (locked on
/// PostgreSQL, or claimed with a lease not yet run out) are skipped. The caller commits the
/// claim before it talks to any system.
pub async fn claim(
    txn: &impl ConnectionTrait,
    now: OffsetDateTime,
    until: OffsetDateTime,
    limit: u64,
) -> Result<Vec<outbox::Model>, sea_orm::DbErr> {
    let due = outbox::Entity::find()
        .filter(super::literally(
            outbox::Column::State,
            OutboxState::Pending.as_str(),
        ))
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(outbox::Column::ClaimedUntil.is_null())
                .add(outbox::Column::ClaimedUntil.lt(now)),
        )
        .order_by_asc(outbox::Column::NextAttemptAt)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(txn)
        .await?;
    if due.is_empty() {
        return Ok(due);
    }
    outbox::Entity::update_many()
        .col_expr(outbox::Column::ClaimedUntil, Expr::value(Some(until)))
        .filter(outbox::Column::Id.is_in(due.iter().map(|r| r.id)))
        .exec(txn)
        .await?;
    Ok(due
        .into_iter()
        .map(|r| outbox::Model {
            claimed_until: Some(until),
            ..r
        })
        .collect())
}

/// How a claimed row ended.
pub enum Finish {
    Done,
    /// Try again at this time.
    Retry(OffsetDateTime, String),
    Failed(String),
    /// Not tried (the system is disabled): look again at this time, no try counted.
    Postpone(OffsetDateTime, String),
}

/// Records how the row `id` (claimed until `claimed_until`) ended. Nothing changes when
/// the claim was lost (the lease ran out and another worker took the row).
pub async fn finish(
    db: &impl ConnectionTrait,
    row: &outbox::Model,
    now: OffsetDateTime,
    finish: Finish,
) -> Result<bool, sea_orm::DbErr> {
    let attempts = match finish {
        Finish::Postpone(..) => row.attempts,
        _ => row.attempts + 1,
    };
    let mut update = outbox::Entity::update_many()
        .col_expr(outbox::Column::Attempts, Expr::value(attempts))
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(Option::<OffsetDateTime>::None),
        );
    update = match finish {
        Finish::Done => update
            .col_expr(
                outbox::Column::State,
                Expr::value(OutboxState::Done.as_str()),
            )
            .col_expr(outbox::Column::CompletedAt, Expr::value(Some(now)))
            .col_expr(
                outbox::Column::LastError,
                Expr::value(Option::<String>::None),
            ),
        Finish::Retry(at, error) => update
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(at))
            .col_expr(outbox::Column::LastError, Expr::value(Some(error))),
        Finish::Postpone(at, why) => update
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(at))
            .col_expr(outbox::Column::LastError, Expr::value(Some(why))),
        Finish::Failed(error) => update
            .col_expr(
                outbox::Column::State,
                Expr::value(OutboxState::Failed.as_str()),
            )
            .col_expr(outbox::Column::CompletedAt, Expr::value(Some(now)))
            .col_expr(outbox::Column::LastError, Expr::value(Some(error))),
    };
    let done = update
        .filter(outbox::Column::Id.eq(row.id))
        .filter(outbox::Column::ClaimedUntil.eq(row.claimed_until))
        .filter(outbox::Column::State.eq(OutboxState::Pending.as_str()))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Whether any source still grants `user` membership of `group`.
pub async fn is_member(
    db: &impl ConnectionTrait,
    group: GroupId,
    user: UserId,
) -> Result<bool, sea_orm::DbErr> {
    Ok(group_member::Entity::find()
        .select_only()
        .column(group_member::Column::Id)
        .filter(group_member::Column::GroupId.eq(group))
        .filter(group_member::Column::UserId.eq(user))
        .filter(group_member::Column::Role.eq(MemberRole::Member.as_str()))
        .into_tuple::<crate::ids::MembershipId>()
        .one(db)
        .await?
        .is_some())
}

/// How far delivery to connected systems has come for an assignment that is not yet
/// confirmed everywhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Changes still to apply (or being retried, with the latest error).
    Waiting(Option<String>),
    /// A change was given up; the system's words.
    Failed(String),
}

/// The delivery of each of `assignments` that is not confirmed everywhere; the others are
/// not in the map.
pub async fn delivery_of(
    db: &impl ConnectionTrait,
    assignments: &[AssignmentId],
) -> Result<std::collections::HashMap<AssignmentId, Delivery>, sea_orm::DbErr> {
    let mut found = std::collections::HashMap::new();
    if assignments.is_empty() {
        return Ok(found);
    }
    let rows: Vec<(Option<AssignmentId>, String, Option<String>)> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::AssignmentId)
        .column(outbox::Column::State)
        .column(outbox::Column::LastError)
        .filter(outbox::Column::AssignmentId.is_in(assignments.iter().copied()))
        .filter(Expr::cust("state <> 'done'"))
        .into_tuple()
        .all(db)
        .await?;
    for (assignment, state, error) in rows {
        let Some(assignment) = assignment else {
            continue;
        };
        let this = if state == OutboxState::Failed.as_str() {
            Delivery::Failed(error.unwrap_or_default())
        } else {
            Delivery::Waiting(error)
        };
        // A failure outweighs a wait.
        match found.get(&assignment) {
            Some(Delivery::Failed(_)) => {}
            _ => {
                found.insert(assignment, this);
            }
        }
    }
    Ok(found)
}

/// Puts the failed changes of `assignments` back in line, due now, with their tries
/// counted from zero. How many.
pub async fn reprocess(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    assignments: &[AssignmentId],
) -> Result<u64, sea_orm::DbErr> {
    if assignments.is_empty() {
        return Ok(0);
    }
    requeue_failed(
        db,
        now,
        outbox::Column::AssignmentId.is_in(assignments.iter().copied()),
    )
    .await
}

/// The failed rows `filter` selects, back in line: due now, tries counted from zero.
async fn requeue_failed(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    filter: sea_orm::sea_query::SimpleExpr,
) -> Result<u64, sea_orm::DbErr> {
    let done = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::State,
            Expr::value(OutboxState::Pending.as_str()),
        )
        .col_expr(outbox::Column::Attempts, Expr::value(0))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(now))
        .col_expr(
            outbox::Column::CompletedAt,
            Expr::value(Option::<OffsetDateTime>::None),
        )
        .filter(filter)
        .filter(outbox::Column::State.eq(OutboxState::Failed.as_str()))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// The assignments of `package` (or just `only`) with a failed delivery.
pub async fn failed_assignments(
    db: &impl ConnectionTrait,
    package: crate::ids::AccessPackageId,
    only: Option<AssignmentId>,
) -> Result<Vec<AssignmentId>, sea_orm::DbErr> {
    use crate::entities::assignment;
    let mut of_package = sea_orm::sea_query::Query::select()
        .column(assignment::Column::Id)
        .from(assignment::Entity)
        .and_where(assignment::Column::AccessPackageId.eq(package))
        .to_owned();
    if let Some(only) = only {
        of_package.and_where(assignment::Column::Id.eq(only));
    }
    let mut ids: Vec<Option<AssignmentId>> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::AssignmentId)
        .filter(outbox::Column::State.eq(OutboxState::Failed.as_str()))
        .filter(outbox::Column::AssignmentId.in_subquery(of_package))
        .into_tuple()
        .all(db)
        .await?;
    ids.sort();
    ids.dedup();
    Ok(ids.into_iter().flatten().collect())
}

/// One try, for the delivery log.
pub struct Attempt {
    pub succeeded: bool,
    /// A webhook receiver's HTTP status code.
    pub status_code: Option<u16>,
    pub latency_ms: u64,
    pub error: Option<String>,
}

/// Keeps one try of `row` in its delivery log.
pub async fn record_attempt(
    db: &impl ConnectionTrait,
    row: &outbox::Model,
    at: OffsetDateTime,
    attempt: Attempt,
) -> Result<(), sea_orm::DbErr> {
    use crate::entities::outbox_attempt;
    outbox_attempt::Entity::insert(outbox_attempt::ActiveModel {
        id: Set(crate::ids::OutboxAttemptId::new()),
        outbox_id: Set(row.id),
        attempt: Set(row.attempts + 1),
        attempted_at: Set(at),
        succeeded: Set(attempt.succeeded),
        status_code: Set(attempt.status_code.map(i32::from)),
        latency_ms: Set(i32::try_from(attempt.latency_ms).unwrap_or(i32::MAX)),
        error: Set(attempt.error),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Writes each webhook message for every enabled webhook system, due now.
pub async fn enqueue_webhooks(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    messages: &[(&'static str, String)],
) -> Result<(), sea_orm::DbErr> {
    use crate::entities::connected_system;
    if messages.is_empty() {
        return Ok(());
    }
    let hooks: Vec<ConnectedSystemId> = connected_system::Entity::find()
        .select_only()
        .column(connected_system::Column::Id)
        .filter(connected_system::Column::Kind.eq("webhook"))
        .filter(connected_system::Column::IsEnabled.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    let rows: Vec<outbox::ActiveModel> = hooks
        .iter()
        .flat_map(|hook| {
            messages.iter().map(move |(event_type, body)| {
                let change = Change::Webhook {
                    message_id: format!("msg_{}", uuid::Uuid::now_v7().simple()),
                    event_type: (*event_type).to_owned(),
                    body: body.clone(),
                };
                pending_row(now, *hook, &change, None)
            })
        })
        .collect();
    for chunk in rows.chunks(500) {
        outbox::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// A row for `change` to `system`, due now.
fn pending_row(
    now: OffsetDateTime,
    system: ConnectedSystemId,
    change: &Change,
    assignment: Option<AssignmentId>,
) -> outbox::ActiveModel {
    outbox::ActiveModel {
        id: Set(OutboxId::new()),
        connected_system_id: Set(system),
        kind: Set(change.kind().to_owned()),
        payload: Set(serde_json::to_string(change).unwrap_or_default()),
        state: Set(OutboxState::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        completed_at: Set(None),
        assignment_id: Set(assignment),
    }
}

/// Sends `row` again: a copy of a webhook message, due now; or a failed change back in
/// line with its tries counted from zero.
pub async fn resend(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    row: &outbox::Model,
) -> Result<(), sea_orm::DbErr> {
    let change: Change = serde_json::from_str(&row.payload)
        .map_err(|e| sea_orm::DbErr::Custom(format!("unreadable outbox row {}: {e}", row.id)))?;
    if let Change::Webhook { .. } = change {
        outbox::Entity::insert(pending_row(now, row.connected_system_id, &change, None))
            .exec_without_returning(db)
            .await?;
        return Ok(());
    }
    requeue_failed(db, now, outbox::Column::Id.eq(row.id)).await?;
    Ok(())
}
