//! Reading requests, their decisions and timelines, and assignments; and which policies let
//! a user request what.
use std::collections::BTreeMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use time::OffsetDateTime;

use super::packages::PolicyRecord;
use crate::domain::access_package::AccessPackage;
use crate::domain::lifecycle::{self, AssignmentState, RequestState, RequestType, Tone};
use crate::entities::{
    access_package, assignment, assignment_policy, assignment_request, catalog, policy_approver,
    request_decision, request_event, user,
};
use crate::ids::{AccessPackageId, AssignmentId, PolicyId, RequestId, UserId};
use crate::store;

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
        self.request_type.is_add() && lifecycle::cancel(self.state, self.request_type).is_ok()
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
}

impl AssignmentView {
    pub fn badge(&self) -> &'static str {
        match self.state {
            AssignmentState::Delivered => "badge-success",
            AssignmentState::Delivering => "badge-warning",
            AssignmentState::Expired | AssignmentState::Removed => "badge-neutral",
        }
    }
}

struct Names {
    users: BTreeMap<UserId, (String, String)>,
    packages: BTreeMap<AccessPackageId, String>,
    policies: BTreeMap<PolicyId, String>,
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
        .map(|u| match u.deleted_at {
            // History keeps the name a deleted person had.
            Some(_) => (
                u.id,
                (
                    format!("{} (deleted user)", u.display_name),
                    u.former_user_principal_name.unwrap_or_default(),
                ),
            ),
            None => (u.id, (u.display_name, u.user_principal_name)),
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
    let mut ids: Vec<PolicyId> = policy_approver::Entity::find()
        .select_only()
        .column(policy_approver::Column::PolicyId)
        .filter(policy_approver::Column::PolicyId.is_in(policies.iter().copied()))
        .filter(
            policy_approver::Column::UserId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(user::Column::Id)
                    .from(user::Entity)
                    .and_where(user::Column::AccountEnabled.eq(true))
                    .and_where(user::Column::DeletedAt.is_null())
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(db)
        .await?;
    ids.sort();
    ids.dedup();
    Ok(ids)
}

async fn request_views(
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

async fn assignment_views(
    db: &impl ConnectionTrait,
    rows: Vec<assignment::Model>,
) -> Result<Vec<AssignmentView>, sea_orm::DbErr> {
    let users = rows.iter().map(|a| a.target_id).collect();
    let packages = rows.iter().map(|a| a.access_package_id).collect();
    let policies = rows.iter().filter_map(|a| a.policy_id).collect();
    let names = names(db, users, packages, policies).await?;
    rows.into_iter()
        .map(|a| {
            let (target_name, target_upn) =
                names.users.get(&a.target_id).cloned().unwrap_or_default();
            Ok(AssignmentView {
                id: a.id,
                state: AssignmentState::from_stored(&a.state)?,
                target_id: a.target_id,
                target_name,
                target_upn,
                package_id: a.access_package_id,
                package_name: names
                    .packages
                    .get(&a.access_package_id)
                    .cloned()
                    .unwrap_or_default(),
                policy_name: a
                    .policy_id
                    .and_then(|id| names.policies.get(&id).cloned())
                    .unwrap_or_else(|| "(deleted policy)".to_owned()),
                start_at: a.start_at,
                end_at: a.end_at,
            })
        })
        .collect()
}

pub async fn find(
    db: &impl ConnectionTrait,
    id: RequestId,
) -> Result<Option<RequestView>, sea_orm::DbErr> {
    let rows = assignment_request::Entity::find_by_id(id).all(db).await?;
    Ok(request_views(db, rows).await?.into_iter().next())
}

/// Every request for `user`, newest first (Request history).
pub async fn for_target(
    db: &impl ConnectionTrait,
    target: UserId,
) -> Result<Vec<RequestView>, sea_orm::DbErr> {
    let rows = assignment_request::Entity::find()
        .filter(assignment_request::Column::TargetId.eq(target))
        .order_by_desc(assignment_request::Column::CreatedAt)
        .limit(200)
        .all(db)
        .await?;
    request_views(db, rows).await
}

/// Every request for a package, newest first (the package's Requests page).
pub async fn for_package(
    db: &impl ConnectionTrait,
    package: AccessPackageId,
) -> Result<Vec<RequestView>, sea_orm::DbErr> {
    let rows = assignment_request::Entity::find()
        .filter(assignment_request::Column::AccessPackageId.eq(package))
        .order_by_desc(assignment_request::Column::CreatedAt)
        .limit(500)
        .all(db)
        .await?;
    request_views(db, rows).await
}

/// Whether `user` approves requests under the policy.
pub async fn is_approver(
    db: &impl ConnectionTrait,
    policy: PolicyId,
    approver: UserId,
) -> Result<bool, sea_orm::DbErr> {
    let policies = crate::entities::policy_approver::Entity::find()
        .filter(crate::entities::policy_approver::Column::PolicyId.eq(policy))
        .filter(crate::entities::policy_approver::Column::UserId.eq(approver))
        .count(db)
        .await?;
    Ok(policies > 0)
}

/// Pending requests `approver` may decide: under a policy naming them, not their own.
pub async fn pending_for_approver(
    db: &impl ConnectionTrait,
    approver: UserId,
) -> Result<Vec<RequestView>, sea_orm::DbErr> {
    let policies: Vec<PolicyId> = crate::entities::policy_approver::Entity::find()
        .select_only()
        .column(crate::entities::policy_approver::Column::PolicyId)
        .filter(crate::entities::policy_approver::Column::UserId.eq(approver))
        .into_tuple()
        .all(db)
        .await?;
    let rows = assignment_request::Entity::find()
        .filter(assignment_request::Column::State.eq(RequestState::PendingApproval.as_str()))
        .filter(assignment_request::Column::PolicyId.is_in(policies))
        .filter(assignment_request::Column::TargetId.ne(approver))
        .order_by_asc(assignment_request::Column::CreatedAt)
        .all(db)
        .await?;
    request_views(db, rows).await
}

/// Requests `approver` decided, newest first, with their decision.
pub async fn decided_by(
    db: &impl ConnectionTrait,
    approver: UserId,
) -> Result<Vec<(RequestView, request_decision::Model)>, sea_orm::DbErr> {
    let decisions = request_decision::Entity::find()
        .filter(request_decision::Column::ApproverId.eq(approver))
        .order_by_desc(request_decision::Column::DecidedAt)
        .limit(200)
        .all(db)
        .await?;
    let ids: Vec<RequestId> = decisions.iter().map(|d| d.request_id).collect();
    let rows = assignment_request::Entity::find()
        .filter(assignment_request::Column::Id.is_in(ids))
        .all(db)
        .await?;
    let views = request_views(db, rows).await?;
    Ok(decisions
        .into_iter()
        .filter_map(|d| Some((views.iter().find(|v| v.id == d.request_id)?.clone(), d)))
        .collect())
}

pub async fn decisions(
    db: &impl ConnectionTrait,
    request: RequestId,
) -> Result<Vec<request_decision::Model>, sea_orm::DbErr> {
    request_decision::Entity::find()
        .filter(request_decision::Column::RequestId.eq(request))
        .order_by_asc(request_decision::Column::DecidedAt)
        .all(db)
        .await
}

/// A request's timeline, oldest first.
pub async fn events(
    db: &impl ConnectionTrait,
    request: RequestId,
) -> Result<Vec<request_event::Model>, sea_orm::DbErr> {
    request_event::Entity::find()
        .filter(request_event::Column::RequestId.eq(request))
        .order_by_asc(request_event::Column::OccurredAt)
        .order_by_asc(request_event::Column::Id)
        .all(db)
        .await
}

/// An open (undecided or scheduled) add request of `user` for the package, if any.
pub async fn open_request(
    db: &impl ConnectionTrait,
    target: UserId,
    package: AccessPackageId,
) -> Result<Option<assignment_request::Model>, sea_orm::DbErr> {
    assignment_request::Entity::find()
        .filter(assignment_request::Column::TargetId.eq(target))
        .filter(assignment_request::Column::AccessPackageId.eq(package))
        .filter(assignment_request::Column::State.is_in([
            RequestState::Submitted.as_str(),
            RequestState::PendingApproval.as_str(),
        ]))
        .one(db)
        .await
}

/// The packages `user` has an open (undecided) add request for.
pub async fn open_requests_of(
    db: &impl ConnectionTrait,
    target: UserId,
) -> Result<Vec<AccessPackageId>, sea_orm::DbErr> {
    assignment_request::Entity::find()
        .select_only()
        .column(assignment_request::Column::AccessPackageId)
        .filter(assignment_request::Column::TargetId.eq(target))
        .filter(assignment_request::Column::State.is_in([
            RequestState::Submitted.as_str(),
            RequestState::PendingApproval.as_str(),
        ]))
        .into_tuple()
        .all(db)
        .await
}

fn active_states() -> [&'static str; 2] {
    [
        AssignmentState::Delivering.as_str(),
        AssignmentState::Delivered.as_str(),
    ]
}

/// The user's current (or scheduled) assignment of the package, if any.
pub async fn active_assignment(
    db: &impl ConnectionTrait,
    target: UserId,
    package: AccessPackageId,
) -> Result<Option<assignment::Model>, sea_orm::DbErr> {
    assignment::Entity::find()
        .filter(assignment::Column::TargetId.eq(target))
        .filter(assignment::Column::AccessPackageId.eq(package))
        .filter(assignment::Column::State.is_in(active_states()))
        .one(db)
        .await
}

pub async fn find_assignment(
    db: &impl ConnectionTrait,
    id: AssignmentId,
) -> Result<Option<AssignmentView>, sea_orm::DbErr> {
    let rows = assignment::Entity::find_by_id(id).all(db).await?;
    Ok(assignment_views(db, rows).await?.into_iter().next())
}

/// The user's current and scheduled assignments (My access).
pub async fn assignments_of(
    db: &impl ConnectionTrait,
    target: UserId,
) -> Result<Vec<AssignmentView>, sea_orm::DbErr> {
    let rows = assignment::Entity::find()
        .filter(assignment::Column::TargetId.eq(target))
        .filter(assignment::Column::State.is_in(active_states()))
        .order_by_asc(assignment::Column::StartAt)
        .all(db)
        .await?;
    assignment_views(db, rows).await
}

/// A package's assignments: current and scheduled first, then recent past ones.
pub async fn assignments_for_package(
    db: &impl ConnectionTrait,
    package: AccessPackageId,
) -> Result<Vec<AssignmentView>, sea_orm::DbErr> {
    let rows = assignment::Entity::find()
        .filter(assignment::Column::AccessPackageId.eq(package))
        .order_by_desc(assignment::Column::UpdatedAt)
        .limit(500)
        .all(db)
        .await?;
    let mut views = assignment_views(db, rows).await?;
    views.sort_by_key(|a| !a.state.is_active());
    Ok(views)
}

/// How many current or scheduled assignments and open requests depend on a package (or
/// one of its policies): what deleting it would orphan.
pub async fn dependents(
    db: &impl ConnectionTrait,
    package: AccessPackageId,
    policy: Option<PolicyId>,
) -> Result<(u64, u64), sea_orm::DbErr> {
    let mut assignments = assignment::Entity::find()
        .filter(assignment::Column::AccessPackageId.eq(package))
        .filter(assignment::Column::State.is_in(active_states()));
    let mut requests = assignment_request::Entity::find()
        .filter(assignment_request::Column::AccessPackageId.eq(package))
        .filter(assignment_request::Column::State.is_in([
            RequestState::Submitted.as_str(),
            RequestState::PendingApproval.as_str(),
        ]));
    if let Some(policy) = policy {
        assignments = assignments.filter(assignment::Column::PolicyId.eq(policy));
        requests = requests.filter(assignment_request::Column::PolicyId.eq(policy));
    }
    Ok((assignments.count(db).await?, requests.count(db).await?))
}

/// Packages `user` may request now, each with the enabled policies that let them. Hidden
/// packages only when asked for by id (the My Access portal link).
pub async fn requestable(
    db: &impl ConnectionTrait,
    requester: UserId,
    only: Option<AccessPackageId>,
) -> Result<Vec<(AccessPackage, Vec<PolicyRecord>)>, sea_orm::DbErr> {
    let mut query = access_package::Entity::find()
        // A disabled catalog's packages cannot be seen or requested.
        .filter(
            access_package::Column::CatalogId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(catalog::Column::Id)
                    .from(catalog::Entity)
                    .and_where(catalog::Column::IsEnabled.eq(true))
                    .to_owned(),
            ),
        );
    query = match only {
        Some(id) => query.filter(access_package::Column::Id.eq(id)),
        None => query.filter(access_package::Column::IsHidden.eq(false)),
    };
    let packages = query
        .order_by_asc(access_package::Column::NameKey)
        .all(db)
        .await?;
    let my_groups: Vec<_> = store::groups::of_user(db, requester)
        .await?
        .into_iter()
        .map(|g| g.id)
        .collect();
    let ids: Vec<AccessPackageId> = packages.iter().map(|p| p.id).collect();
    let mut policies = store::packages::policies_of(db, &ids).await?;
    policies.retain(|p| p.spec.enabled && p.spec.lets_request(requester, &my_groups));
    let mut offers = Vec::new();
    for package in packages {
        let own: Vec<PolicyRecord> = policies
            .iter()
            .filter(|p| p.access_package_id == package.id)
            .cloned()
            .collect();
        if !own.is_empty() {
            offers.push((AccessPackage::from(package), own));
        }
    }
    Ok(offers)
}
