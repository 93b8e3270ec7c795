//! Requests and assignments as the pages show them: with the names of the people, packages
//! and policies they concern, and whether anyone can still decide them.
use std::collections::BTreeMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use time::OffsetDateTime;

use crate::domain::lifecycle::{self, AssignmentState, RequestState, RequestType, Tone};
use crate::entities::{
    access_package, assignment, assignment_policy, assignment_request, policy_approver, user,
};
use crate::ids::{AccessPackageId, AssignmentId, PolicyId, RequestId, UserId};
use crate::store::outbox::Delivery;

/// A request with the names the pages show.
#[derive(Clone, Debug)]
pub struct RequestView {
    pub id: RequestId,
    pub request_type: RequestType,
    pub state: RequestState,
    pub status: String,
    pub requestor_id: Option<UserId>,
    pub requestor_name: String,
    pub target_id: UserId,
    pub target_name: String,
    pub target_upn: String,
    pub package_id: AccessPackageId,
    pub package_name: String,
    pub policy_id: Option<PolicyId>,
    pub policy_name: String,
    pub justification: String,
    pub schedule_start: Option<OffsetDateTime>,
    pub schedule_end: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub completed_at: Option<OffsetDateTime>,
    /// Waiting for a decision that nobody can make: every approver of its policy has been
    /// disabled or deleted.
    pub no_approver: bool,
}

impl RequestView {
    /// A badge colour for the status.
    pub fn badge(&self) -> &'static str {
        match lifecycle::tone(self.state, &self.status) {
            Tone::Good => "badge-success",
            Tone::Waiting => "badge-warning",
            Tone::Bad => "badge-danger",
            Tone::Neutral => "badge-neutral",
        }
    }

    /// The requestor may still withdraw it (Request history's `Cancel`).
    pub fn can_cancel(&self) -> bool {
        (self.request_type.is_add() || self.request_type.is_extend())
            && lifecycle::cancel(self.state, self.request_type).is_ok()
    }
}

/// An assignment with the names the pages show.
#[derive(Clone, Debug)]
pub struct AssignmentView {
    pub id: AssignmentId,
    pub state: AssignmentState,
    pub target_id: UserId,
    pub target_name: String,
    pub target_upn: String,
    pub package_id: AccessPackageId,
    pub package_name: String,
    pub policy_name: String,
    pub start_at: OffsetDateTime,
    pub end_at: Option<OffsetDateTime>,
    /// When it was made: the order of a package's Assignments page.
    pub created_at: OffsetDateTime,
    /// While it is active and a connected system has not confirmed it yet (or gave up).
    pub delivery: Option<Delivery>,
}

impl AssignmentView {
    pub fn badge(&self) -> &'static str {
        match (&self.delivery, self.state) {
            (Some(Delivery::Failed(_)), _) => "badge-danger",
            (Some(Delivery::Waiting(_)), _) => "badge-warning",
            (None, AssignmentState::Delivered) => "badge-success",
            (None, AssignmentState::Delivering) => "badge-warning",
            (None, AssignmentState::Expired | AssignmentState::Removed) => "badge-neutral",
        }
    }

    /// The state in the portal's words: `Delivering` until every connected system has
    /// confirmed, `Delivery failed` when one gave up.
    pub fn status_label(&self) -> &'static str {
        match &self.delivery {
            Some(Delivery::Failed(_)) => "Delivery failed",
            Some(Delivery::Waiting(_)) => "Delivering",
            None => self.state.label(),
        }
    }

    /// What the connected system said, when delivery is retrying or failed.
    pub fn delivery_error(&self) -> Option<&str> {
        match &self.delivery {
            Some(Delivery::Failed(e)) => Some(e),
            Some(Delivery::Waiting(e)) => e.as_deref(),
            None => None,
        }
    }

    pub fn delivery_failed(&self) -> bool {
        matches!(self.delivery, Some(Delivery::Failed(_)))
    }
}

struct Names {
    users: BTreeMap<UserId, (String, String)>,
    packages: BTreeMap<AccessPackageId, String>,
    policies: BTreeMap<PolicyId, String>,
}

/// The name and principal name a page shows for a person: history keeps the name a deleted
/// person had.
pub(super) fn person_label(
    display_name: String,
    user_principal_name: String,
    deleted_at: Option<OffsetDateTime>,
    former_user_principal_name: Option<String>,
) -> (String, String) {
    match deleted_at {
        Some(_) => (
            format!("{display_name} (deleted user)"),
            former_user_principal_name.unwrap_or_default(),
        ),
        None => (display_name, user_principal_name),
    }
}

async fn names(
    db: &impl ConnectionTrait,
    users: Vec<UserId>,
    packages: Vec<AccessPackageId>,
    policies: Vec<PolicyId>,
) -> Result<Names, sea_orm::DbErr> {
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(users))
        .all(db)
        .await?
        .into_iter()
        .map(|u| {
            let label = person_label(
                u.display_name,
                u.user_principal_name,
                u.deleted_at,
                u.former_user_principal_name,
            );
            (u.id, label)
        })
        .collect();
    let packages = access_package::Entity::find()
        .filter(access_package::Column::Id.is_in(packages))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.display_name))
        .collect();
    let policies = assignment_policy::Entity::find()
        .filter(assignment_policy::Column::Id.is_in(policies))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.display_name))
        .collect();
    Ok(Names {
        users,
        packages,
        policies,
    })
}

/// Which of `policies` have at least one approver who can still sign in.
pub async fn policies_with_active_approver(
    db: &impl ConnectionTrait,
    policies: &[PolicyId],
) -> Result<Vec<PolicyId>, sea_orm::DbErr> {
    if policies.is_empty() {
        return Ok(Vec::new());
    }
    // Two small reads (the policies' approvers, then which of them can sign in) rather than
    // a subquery over every user.
    let pairs: Vec<(PolicyId, UserId)> = policy_approver::Entity::find()
        .select_only()
        .column(policy_approver::Column::PolicyId)
        .column(policy_approver::Column::UserId)
        .filter(policy_approver::Column::PolicyId.is_in(policies.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    let mut people: Vec<UserId> = pairs.iter().map(|(_, u)| *u).collect();
    people.sort();
    people.dedup();
    let able: Vec<UserId> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Id.is_in(people))
        .filter(user::Column::AccountEnabled.eq(true))
        .filter(user::Column::DeletedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    let mut ids: Vec<PolicyId> = pairs
        .into_iter()
        .filter(|(_, u)| able.contains(u))
        .map(|(p, _)| p)
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

pub(super) async fn request_views(
    db: &impl ConnectionTrait,
    rows: Vec<assignment_request::Model>,
) -> Result<Vec<RequestView>, sea_orm::DbErr> {
    let users = rows
        .iter()
        .flat_map(|r| [Some(r.target_id), r.requestor_id])
        .flatten()
        .collect();
    let packages = rows.iter().map(|r| r.access_package_id).collect();
    let policies = rows.iter().filter_map(|r| r.policy_id).collect();
    let waiting: Vec<PolicyId> = rows
        .iter()
        .filter(|r| r.state == RequestState::PendingApproval.as_str())
        .filter_map(|r| r.policy_id)
        .collect();
    let decidable = policies_with_active_approver(db, &waiting).await?;
    let names = names(db, users, packages, policies).await?;
    rows.into_iter()
        .map(|r| {
            let (target_name, target_upn) =
                names.users.get(&r.target_id).cloned().unwrap_or_default();
            let state = RequestState::from_stored(&r.state)?;
            let no_approver = state == RequestState::PendingApproval
                && r.policy_id.is_some_and(|p| !decidable.contains(&p));
            Ok(RequestView {
                no_approver,
                id: r.id,
                request_type: RequestType::from_stored(&r.request_type)?,
                state,
                status: r.status,
                requestor_id: r.requestor_id,
                requestor_name: r
                    .requestor_id
                    .and_then(|id| names.users.get(&id).map(|n| n.0.clone()))
                    .unwrap_or_else(|| "Gatehouse".to_owned()),
                target_id: r.target_id,
                target_name,
                target_upn,
                package_id: r.access_package_id,
                package_name: names
                    .packages
                    .get(&r.access_package_id)
                    .cloned()
                    .unwrap_or_default(),
                policy_id: r.policy_id,
                policy_name: r
                    .policy_id
                    .and_then(|id| names.policies.get(&id).cloned())
                    .unwrap_or_else(|| "(deleted policy)".to_owned()),
                justification: r.justification,
                schedule_start: r.schedule_start,
                schedule_end: r.schedule_end,
                created_at: r.created_at,
                completed_at: r.completed_at,
            })
        })
        .collect()
}

#[derive(sea_orm::FromQueryResult)]
struct AssignmentRow {
    id: AssignmentId,
    state: String,
    target_id: UserId,
    access_package_id: AccessPackageId,
    start_at: OffsetDateTime,
    end_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
    target_display_name: String,
    target_upn_now: String,
    target_deleted_at: Option<OffsetDateTime>,
    target_former_upn: Option<String>,
    package_name: String,
    policy_name: Option<String>,
}

/// The assignments `query` selects (its filter, order and limit), with the names the pages
/// show joined in by key: one statement.
pub(super) async fn assignment_views(
    db: &impl ConnectionTrait,
    query: sea_orm::Select<assignment::Entity>,
) -> Result<Vec<AssignmentView>, sea_orm::DbErr> {
    use sea_orm::JoinType;
    use sea_orm::sea_query::Expr;
    let to_user = assignment::Entity::belongs_to(user::Entity)
        .from(assignment::Column::TargetId)
        .to(user::Column::Id)
        .into();
    let to_package = assignment::Entity::belongs_to(access_package::Entity)
        .from(assignment::Column::AccessPackageId)
        .to(access_package::Column::Id)
        .into();
    let to_policy = assignment::Entity::belongs_to(assignment_policy::Entity)
        .from(assignment::Column::PolicyId)
        .to(assignment_policy::Column::Id)
        .into();
    let rows = query
        .select_only()
        .columns([
            assignment::Column::Id,
            assignment::Column::State,
            assignment::Column::TargetId,
            assignment::Column::AccessPackageId,
            assignment::Column::StartAt,
            assignment::Column::EndAt,
            assignment::Column::CreatedAt,
        ])
        .column_as(
            Expr::col((user::Entity, user::Column::DisplayName)),
            "target_display_name",
        )
        .column_as(
            Expr::col((user::Entity, user::Column::UserPrincipalName)),
            "target_upn_now",
        )
        .column_as(
            Expr::col((user::Entity, user::Column::DeletedAt)),
            "target_deleted_at",
        )
        .column_as(
            Expr::col((user::Entity, user::Column::FormerUserPrincipalName)),
            "target_former_upn",
        )
        .column_as(
            Expr::col((access_package::Entity, access_package::Column::DisplayName)),
            "package_name",
        )
        .column_as(
            Expr::col((
                assignment_policy::Entity,
                assignment_policy::Column::DisplayName,
            )),
            "policy_name",
        )
        .join(JoinType::InnerJoin, to_user)
        .join(JoinType::InnerJoin, to_package)
        .join(JoinType::LeftJoin, to_policy)
        .into_model::<AssignmentRow>()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|a| {
            let (target_name, target_upn) = person_label(
                a.target_display_name,
                a.target_upn_now,
                a.target_deleted_at,
                a.target_former_upn,
            );
            Ok(AssignmentView {
                id: a.id,
                state: AssignmentState::from_stored(&a.state)?,
                target_id: a.target_id,
                target_name,
                target_upn,
                package_id: a.access_package_id,
                package_name: a.package_name,
                policy_name: a
                    .policy_name
                    .unwrap_or_else(|| "(deleted policy)".to_owned()),
                start_at: a.start_at,
                end_at: a.end_at,
                created_at: a.created_at,
                delivery: None,
            })
        })
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()
        .map(|views| with_delivery(db, views))?
        .await
}

/// Fills in how far delivery to connected systems has come, for the active ones.
async fn with_delivery(
    db: &impl ConnectionTrait,
    mut views: Vec<AssignmentView>,
) -> Result<Vec<AssignmentView>, sea_orm::DbErr> {
    let active: Vec<AssignmentId> = views
        .iter()
        .filter(|v| v.state.is_active())
        .map(|v| v.id)
        .collect();
    let mut found = crate::store::outbox::delivery_of(db, &active).await?;
    for view in &mut views {
        if view.state.is_active() {
            view.delivery = found.remove(&view.id);
        }
    }
    Ok(views)
}
