//! Delivery: turning an approved request into an assignment and group memberships, and
//! taking exactly those memberships away again. Callers own the transaction.
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde_json::json;
use time::OffsetDateTime;

use super::audit;
use super::error::{ServiceError, ServiceResult};
use super::requests::{package_name, request_audit, timeline};
use crate::domain::audit as action;
use crate::domain::group::{MemberRole, MembershipSource};
use crate::domain::lifecycle::{self, AssignmentState};
use crate::domain::policy::Expiration;
use crate::domain::principal::Principal;
use crate::entities::{assignment, assignment_request, group_member};
use crate::ids::{AccessPackageId, AssignmentId, GroupId, MembershipId, UserId};
use crate::store;

fn membership(
    group: GroupId,
    user: UserId,
    role: MemberRole,
    assignment: AssignmentId,
    now: OffsetDateTime,
) -> group_member::ActiveModel {
    group_member::ActiveModel {
        id: Set(MembershipId::new()),
        group_id: Set(group),
        user_id: Set(user),
        role: Set(role.as_str().to_owned()),
        source_kind: Set(MembershipSource::Assignment.as_str().to_owned()),
        source_id: Set(assignment.0),
        created_at: Set(now),
    }
}

/// Inserts memberships, leaving alone those already there (delivery is idempotent); those
/// of groups governed in a connected system go to its outbox too.
async fn insert_memberships(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    rows: Vec<group_member::ActiveModel>,
) -> Result<(), sea_orm::DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    // Each change delivers the assignment its membership comes from.
    let members: Vec<(GroupId, UserId, Option<AssignmentId>)> = rows
        .iter()
        .filter(|r| r.role.as_ref() == MemberRole::Member.as_str())
        .map(|r| {
            (
                *r.group_id.as_ref(),
                *r.user_id.as_ref(),
                Some(AssignmentId(*r.source_id.as_ref())),
            )
        })
        .collect();
    let governed = store::outbox::governed_among(db, &members).await?;
    group_member::Entity::insert_many(rows)
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
    store::outbox::enqueue(db, now, &governed).await
}

/// Grants the package's group roles to the assignment's user, with the assignment as their
/// source, and marks the assignment delivered from `now` to its end.
pub(crate) async fn grant(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    principal: &Principal,
    assignment_row: &assignment::Model,
    request: &assignment_request::Model,
    expiration: Expiration,
) -> Result<(), sea_orm::DbErr> {
    let roles = store::packages::resource_roles(db, assignment_row.access_package_id).await?;
    let rows = roles
        .iter()
        .map(|role| {
            membership(
                role.group_id,
                assignment_row.target_id,
                role.role,
                assignment_row.id,
                now,
            )
        })
        .collect();
    insert_memberships(db, now, rows).await?;
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
    timeline(db, request.id, now, "delivered", text).await?;
    let name = package_name(db, request.access_package_id).await?;
    let detail = json!({ "assignmentId": assignment_row.id.to_string(), "groups": groups, "endDateTime": end.map(|e| e.to_string()) });
    audit::record(
        db,
        now,
        principal,
        request_audit(action::DELIVER_ASSIGNMENT, request, &name, detail),
    )
    .await?;
    Ok(())
}

/// Creates the assignment of an approved (or approval-free) add request, whose state the
/// caller has already moved to `Delivered` or `Scheduled`: granted now, or left for the
/// scheduler at its start.
pub(crate) async fn open_assignment(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    principal: &Principal,
    request: &assignment_request::Model,
    expiration: Expiration,
) -> ServiceResult<AssignmentId> {
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
                already_assigned()
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
        grant(db, now, principal, &row, request, expiration).await?;
    } else {
        timeline(
            db,
            request.id,
            now,
            "scheduled",
            format!("Scheduled to start on {}", start.date()),
        )
        .await?;
    }
    Ok(row.id)
}

pub(crate) fn already_assigned() -> ServiceError {
    ServiceError::conflict(
        "already_assigned",
        "You already have this access package. You can see it, and when it ends, in My access.",
    )
}

/// Takes away what an assignment granted. Memberships from other sources stay (and so do
/// those in connected systems, which the outbox checks against what remains).
pub(crate) async fn take_away(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    assignment_id: AssignmentId,
) -> Result<(), sea_orm::DbErr> {
    let granted = Condition::all()
        .add(group_member::Column::SourceKind.eq(MembershipSource::Assignment.as_str()))
        .add(group_member::Column::SourceId.eq(assignment_id.0));
    let governed = store::outbox::governed_pairs(db, granted.clone()).await?;
    group_member::Entity::delete_many()
        .filter(granted)
        .exec(db)
        .await?;
    store::outbox::enqueue(db, now, &governed).await
}

/// A resource role added to a package reaches everyone who has the package now. Returns
/// how many assignments it was delivered to.
pub(crate) async fn grant_role_to_current_assignees(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    package: AccessPackageId,
    group: GroupId,
    role: MemberRole,
) -> Result<usize, sea_orm::DbErr> {
    let current = assignment::Entity::find()
        .filter(assignment::Column::AccessPackageId.eq(package))
        .filter(assignment::Column::State.eq(AssignmentState::Delivered.as_str()))
        .all(db)
        .await?;
    let count = current.len();
    let rows = current
        .into_iter()
        .map(|a| membership(group, a.target_id, role, a.id, now))
        .collect::<Vec<_>>();
    for chunk in rows.chunks(500) {
        insert_memberships(db, now, chunk.to_vec()).await?;
    }
    Ok(count)
}
