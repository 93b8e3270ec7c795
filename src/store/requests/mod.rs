//! Reading requests, their decisions and timelines, and assignments; and which policies let
//! a user request what.
mod views;

pub use views::{AssignmentView, RequestView, policies_with_active_approver};
use views::{assignment_views, request_views};

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::packages::PolicyRecord;
use crate::domain::access_package::AccessPackage;
use crate::domain::lifecycle::{AssignmentState, RequestState};
use crate::domain::page::{Cursor, KeysetPage, NameKey, TimeKey};
use crate::domain::policy::TargetScope;
use crate::entities::{
    access_package, assignment, assignment_request, catalog, request_decision, request_event,
};
use crate::ids::{AccessPackageId, AssignmentId, PolicyId, RequestId, UserId};
use crate::store;

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

/// A package's requests, newest first, a page at a time (the package's Requests page).
pub async fn for_package(
    db: &impl ConnectionTrait,
    package: AccessPackageId,
    cursor: Cursor<TimeKey>,
    per_page: usize,
) -> Result<KeysetPage<RequestView>, sea_orm::DbErr> {
    let query = assignment_request::Entity::find()
        .filter(assignment_request::Column::AccessPackageId.eq(package));
    let rows = super::keyset_by_time(
        query,
        assignment_request::Column::CreatedAt,
        assignment_request::Column::Id,
        &cursor,
        true,
    )
    .limit(per_page as u64 + 1)
    .all(db)
    .await?;
    let views = request_views(db, rows).await?;
    Ok(KeysetPage::from_rows(views, cursor, per_page, |r| {
        TimeKey {
            at: r.created_at,
            id: r.id.0,
        }
    }))
}

/// A line of the Approvals `Pending` tab: who asked for what, and when.
#[derive(Clone, Debug)]
pub struct PendingLine {
    pub id: RequestId,
    pub created_at: time::OffsetDateTime,
    pub target_name: String,
    pub target_upn: String,
    pub package_name: String,
    /// An extension of access they have, rather than new access.
    pub extension: bool,
}

#[derive(sea_orm::FromQueryResult)]
struct PendingRow {
    id: RequestId,
    request_type: String,
    created_at: time::OffsetDateTime,
    display_name: String,
    user_principal_name: String,
    deleted_at: Option<time::OffsetDateTime>,
    former_user_principal_name: Option<String>,
    package_name: String,
}

impl From<PendingRow> for PendingLine {
    fn from(row: PendingRow) -> Self {
        let (target_name, target_upn) = views::person_label(
            row.display_name,
            row.user_principal_name,
            row.deleted_at,
            row.former_user_principal_name,
        );
        PendingLine {
            id: row.id,
            created_at: row.created_at,
            target_name,
            target_upn,
            package_name: row.package_name,
            extension: row.request_type
                == crate::domain::lifecycle::RequestType::UserExtend.as_str(),
        }
    }
}

/// `EXISTS` of this: the request's policy names `approver` (a correlated subquery on
/// `assignment_requests`).
fn approves(approver: UserId) -> sea_orm::sea_query::SelectStatement {
    use crate::entities::policy_approver;
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    Query::select()
        .expr(Expr::val(1))
        .from(policy_approver::Entity)
        .and_where(
            Expr::col((policy_approver::Entity, policy_approver::Column::PolicyId)).equals((
                assignment_request::Entity,
                assignment_request::Column::PolicyId,
            )),
        )
        .and_where(policy_approver::Column::UserId.eq(approver))
        .to_owned()
}

/// Pending requests `approver` may decide: under a policy naming them, not their own. One
/// statement: the page of requests first (26 rows of the pending index, each checked
/// against the approver's policies), then their requestor's and package's names by key.
pub async fn pending_for_approver(
    db: &impl ConnectionTrait,
    approver: UserId,
    cursor: Cursor<TimeKey>,
    per_page: usize,
) -> Result<KeysetPage<PendingLine>, sea_orm::DbErr> {
    use crate::entities::user;
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
    use sea_orm::{FromQueryResult, QueryTrait};
    // Read in (state, created_at, id) order and checked row by row (a correlated EXISTS), so
    // a page stops after 26 rows however many policies the approver approves.
    let approves = approves(approver);
    let query = assignment_request::Entity::find()
        .select_only()
        .column(assignment_request::Column::Id)
        .column(assignment_request::Column::RequestType)
        .column(assignment_request::Column::TargetId)
        .column(assignment_request::Column::AccessPackageId)
        .column(assignment_request::Column::CreatedAt)
        .filter(super::literally(
            assignment_request::Column::State,
            RequestState::PendingApproval.as_str(),
        ))
        .filter(Expr::exists(approves))
        .filter(assignment_request::Column::TargetId.ne(approver));
    let page = super::keyset_by_time(
        query,
        assignment_request::Column::CreatedAt,
        assignment_request::Column::Id,
        &cursor,
        false,
    )
    .limit(per_page as u64 + 1)
    .into_query();
    // The outer query keeps the page's order (oldest first, or the other way round when
    // reading back from a `Before` cursor; the page turns it).
    let order = if matches!(cursor, Cursor::Before(_)) {
        Order::Desc
    } else {
        Order::Asc
    };
    let r = Alias::new("r");
    let statement = Query::select()
        .column((r.clone(), Alias::new("id")))
        .column((r.clone(), Alias::new("request_type")))
        .column((r.clone(), Alias::new("created_at")))
        .column((user::Entity, user::Column::DisplayName))
        .column((user::Entity, user::Column::UserPrincipalName))
        .column((user::Entity, user::Column::DeletedAt))
        .column((user::Entity, user::Column::FormerUserPrincipalName))
        .expr_as(
            Expr::col((access_package::Entity, access_package::Column::DisplayName)),
            Alias::new("package_name"),
        )
        .from_subquery(page, r.clone())
        .inner_join(
            user::Entity,
            Expr::col((user::Entity, user::Column::Id))
                .equals((r.clone(), Alias::new("target_id"))),
        )
        .inner_join(
            access_package::Entity,
            Expr::col((access_package::Entity, access_package::Column::Id))
                .equals((r.clone(), Alias::new("access_package_id"))),
        )
        .order_by((r.clone(), Alias::new("created_at")), order.clone())
        .order_by((r, Alias::new("id")), order)
        .to_owned();
    let lines: Vec<PendingLine> =
        PendingRow::find_by_statement(db.get_database_backend().build(&statement))
            .all(db)
            .await?
            .into_iter()
            .map(PendingLine::from)
            .collect();
    Ok(KeysetPage::from_rows(lines, cursor, per_page, |r| {
        TimeKey {
            at: r.created_at,
            id: r.id.0,
        }
    }))
}

/// How many pending requests `approver` may decide, counted up to `cap` (the number next
/// to `Approvals`): read from the approver's policies through the pending-by-policy index.
pub async fn pending_count_for_approver(
    db: &impl ConnectionTrait,
    approver: UserId,
    cap: u64,
) -> Result<u64, sea_orm::DbErr> {
    use crate::entities::policy_approver;
    // Most people approve nothing: one read of their own approver rows answers for them.
    let policies: Vec<PolicyId> = policy_approver::Entity::find()
        .select_only()
        .column(policy_approver::Column::PolicyId)
        .filter(policy_approver::Column::UserId.eq(approver))
        .limit(FEW_POLICIES as u64 + 1)
        .into_tuple()
        .all(db)
        .await?;
    if policies.is_empty() {
        return Ok(0);
    }
    if policies.len() > FEW_POLICIES {
        // Someone who approves much: walk the pending requests (the pending index), each
        // checked against their policies, until the cap.
        use sea_orm::QueryTrait;
        use sea_orm::sea_query::{Expr, Query};
        let approves = approves(approver);
        let walk = assignment_request::Entity::find()
            .select_only()
            .expr(Expr::val(1))
            .filter(super::literally(
                assignment_request::Column::State,
                RequestState::PendingApproval.as_str(),
            ))
            .filter(Expr::exists(approves))
            .filter(assignment_request::Column::TargetId.ne(approver))
            .limit(cap)
            .into_query();
        // Counted in the database: one row back, not up to `cap`.
        let count = Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from_subquery(walk, sea_orm::sea_query::Alias::new("w"))
            .to_owned();
        let row = db
            .query_one_raw(db.get_database_backend().build(&count))
            .await?;
        let n: i64 = match row {
            Some(row) => row.try_get_by_index(0)?,
            None => 0,
        };
        return Ok(u64::try_from(n).unwrap_or(0));
    }
    let mut count = 0;
    // A few policies: each is one range of the pending-by-policy index.
    for policy in policies {
        let ids: Vec<RequestId> = assignment_request::Entity::find()
            .select_only()
            .column(assignment_request::Column::Id)
            .filter(super::literally(
                assignment_request::Column::State,
                RequestState::PendingApproval.as_str(),
            ))
            .filter(assignment_request::Column::PolicyId.eq(policy))
            .filter(assignment_request::Column::TargetId.ne(approver))
            .limit(cap - count)
            .into_tuple()
            .all(db)
            .await?;
        count += ids.len() as u64;
        if count >= cap {
            break;
        }
    }
    Ok(count)
}

/// Up to this many policies, an approver's count reads policy by policy.
const FEW_POLICIES: usize = 20;

/// A package's pending requests that have waited past their reminder time, longest first
/// (shown first on the package's Requests page).
pub async fn overdue_for_package(
    db: &impl ConnectionTrait,
    package: AccessPackageId,
    now: time::OffsetDateTime,
    limit: u64,
) -> Result<Vec<RequestView>, sea_orm::DbErr> {
    let rows = assignment_request::Entity::find()
        .filter(super::literally(
            assignment_request::Column::State,
            RequestState::PendingApproval.as_str(),
        ))
        .filter(assignment_request::Column::AccessPackageId.eq(package))
        .filter(assignment_request::Column::RemindAt.lte(now))
        .order_by_asc(assignment_request::Column::CreatedAt)
        .limit(limit)
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

/// Which of `packages` the user holds now (with the assignment's state) and which they have
/// an open request for: what the My Access list needs, read by the user's own indexes in one
/// statement.
pub async fn held_and_asked(
    db: &impl ConnectionTrait,
    target: UserId,
    packages: &[AccessPackageId],
) -> Result<
    (
        Vec<(AccessPackageId, AssignmentState)>,
        Vec<AccessPackageId>,
    ),
    sea_orm::DbErr,
> {
    if packages.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    use sea_orm::sea_query::{Expr, UnionType};
    use sea_orm::{FromQueryResult, QueryTrait};
    /// What the request side of the union says instead of an assignment state.
    const ASKED: &str = "asked";
    #[derive(FromQueryResult)]
    struct Standing {
        access_package_id: AccessPackageId,
        state: String,
    }
    let mut statement = assignment::Entity::find()
        .select_only()
        .column(assignment::Column::AccessPackageId)
        .column(assignment::Column::State)
        .filter(assignment::Column::TargetId.eq(target))
        .filter(assignment::Column::AccessPackageId.is_in(packages.iter().copied()))
        .filter(assignment::Column::State.is_in(active_states()))
        .into_query();
    statement.union(
        UnionType::All,
        assignment_request::Entity::find()
            .select_only()
            .column(assignment_request::Column::AccessPackageId)
            .column_as(Expr::Constant(ASKED.into()), "state")
            .filter(assignment_request::Column::TargetId.eq(target))
            .filter(assignment_request::Column::AccessPackageId.is_in(packages.iter().copied()))
            .filter(assignment_request::Column::State.is_in([
                RequestState::Submitted.as_str(),
                RequestState::PendingApproval.as_str(),
            ]))
            .into_query(),
    );
    let rows = Standing::find_by_statement(db.get_database_backend().build(&statement))
        .all(db)
        .await?;
    let (asked, held): (Vec<Standing>, Vec<Standing>) =
        rows.into_iter().partition(|r| r.state == ASKED);
    let held = held
        .into_iter()
        .map(|r| Ok((r.access_package_id, AssignmentState::from_stored(&r.state)?)))
        .collect::<Result<_, sea_orm::DbErr>>()?;
    Ok((
        held,
        asked.into_iter().map(|r| r.access_package_id).collect(),
    ))
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
    Ok(assignment_views(db, assignment::Entity::find_by_id(id))
        .await?
        .into_iter()
        .next())
}

/// The user's current and scheduled assignments (My access).
pub async fn assignments_of(
    db: &impl ConnectionTrait,
    target: UserId,
) -> Result<Vec<AssignmentView>, sea_orm::DbErr> {
    let query = assignment::Entity::find()
        .filter(assignment::Column::TargetId.eq(target))
        .filter(assignment::Column::State.is_in(active_states()))
        .order_by_asc(assignment::Column::StartAt);
    assignment_views(db, query).await
}

/// A package's assignments, newest first, a page at a time (by creation, which never changes,
/// so that ending an assignment does not move it in the index).
pub async fn assignments_for_package(
    db: &impl ConnectionTrait,
    package: AccessPackageId,
    cursor: Cursor<TimeKey>,
    per_page: usize,
) -> Result<KeysetPage<AssignmentView>, sea_orm::DbErr> {
    let query = assignment::Entity::find().filter(assignment::Column::AccessPackageId.eq(package));
    let page = super::keyset_by_time(
        query,
        assignment::Column::CreatedAt,
        assignment::Column::Id,
        &cursor,
        true,
    )
    .limit(per_page as u64 + 1);
    let views = assignment_views(db, page).await?;
    Ok(KeysetPage::from_rows(views, cursor, per_page, |a| {
        TimeKey {
            at: a.created_at,
            id: a.id.0,
        }
    }))
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
        .filter(super::literally_in(
            assignment_request::Column::State,
            &[
                RequestState::Submitted.as_str(),
                RequestState::PendingApproval.as_str(),
            ],
        ));
    if let Some(policy) = policy {
        assignments = assignments.filter(assignment::Column::PolicyId.eq(policy));
        requests = requests.filter(assignment_request::Column::PolicyId.eq(policy));
    }
    Ok((assignments.count(db).await?, requests.count(db).await?))
}

/// The packages `user` may request now, a page at a time by name: the database resolves the
/// policies' scope (all members, the user, or one of the user's groups) and the catalog's
/// state. Hidden packages are left out.
///
/// The walk goes along the packages' name index and checks each package with indexed
/// lookups (its catalog, a policy open to all members), so a page stops after 26 hits
/// however many packages there are; the few policies that name the user or their groups
/// are found once, from the requestor side (`policy_requestors` by user and by group).
/// Nothing else here may be indexable, or the planner would sort the whole set instead.
pub async fn requestable_page(
    db: &impl ConnectionTrait,
    requester: UserId,
    cursor: Cursor<NameKey>,
    per_page: usize,
) -> Result<KeysetPage<AccessPackage>, sea_orm::DbErr> {
    use crate::entities::{assignment_policy, group_member, policy_requestor};
    use sea_orm::sea_query::{Expr, ExprTrait, Query, UnionType};
    let my_groups = Query::select()
        .column(group_member::Column::GroupId)
        .from(group_member::Entity)
        .and_where(group_member::Column::UserId.eq(requester))
        .to_owned();
    let naming_me = Query::select()
        .column(policy_requestor::Column::PolicyId)
        .from(policy_requestor::Entity)
        .and_where(policy_requestor::Column::UserId.eq(requester))
        .union(
            UnionType::All,
            Query::select()
                .column(policy_requestor::Column::PolicyId)
                .from(policy_requestor::Entity)
                .and_where(policy_requestor::Column::GroupId.in_subquery(my_groups))
                .to_owned(),
        )
        .to_owned();
    let for_me = Query::select()
        .column(assignment_policy::Column::AccessPackageId)
        .from(assignment_policy::Entity)
        .and_where(assignment_policy::Column::Id.in_subquery(naming_me))
        .and_where(assignment_policy::Column::IsEnabled.eq(true))
        .and_where(
            assignment_policy::Column::AllowedTargetScope
                .eq(TargetScope::SpecificDirectoryUsers.as_str()),
        )
        .to_owned();
    let open_to_all = Query::select()
        .expr(Expr::val(1))
        .from(assignment_policy::Entity)
        .and_where(
            Expr::col((
                assignment_policy::Entity,
                assignment_policy::Column::AccessPackageId,
            ))
            .equals((access_package::Entity, access_package::Column::Id)),
        )
        .and_where(assignment_policy::Column::IsEnabled.eq(true))
        .and_where(
            assignment_policy::Column::AllowedTargetScope.eq(TargetScope::AllMemberUsers.as_str()),
        )
        .to_owned();
    let catalog_enabled = Query::select()
        .expr(Expr::val(1))
        .from(catalog::Entity)
        .and_where(
            Expr::col((catalog::Entity, catalog::Column::Id))
                .equals((access_package::Entity, access_package::Column::CatalogId)),
        )
        .and_where(catalog::Column::IsEnabled.eq(true))
        .to_owned();
    let query = access_package::Entity::find()
        .filter(access_package::Column::IsHidden.eq(false))
        .filter(Expr::exists(catalog_enabled))
        .filter(
            sea_orm::Condition::any()
                .add(Expr::exists(open_to_all))
                .add(access_package::Column::Id.in_subquery(for_me)),
        );
    let query = super::keyset_by_name(
        query,
        access_package::Column::NameKey,
        access_package::Column::Id,
        &cursor,
    );
    let rows = query.limit(per_page as u64 + 1).all(db).await?;
    let keys: Vec<(AccessPackage, String)> = rows
        .into_iter()
        .map(|row| {
            let key = row.name_key.clone();
            (AccessPackage::from(row), key)
        })
        .collect();
    let page = KeysetPage::from_rows(keys, cursor, per_page, |(p, key)| NameKey {
        name: key.clone(),
        id: p.id.0,
    });
    Ok(KeysetPage {
        items: page.items.into_iter().map(|(p, _)| p).collect(),
        next: page.next,
        previous: page.previous,
    })
}

/// The package `id`, if `user` may request it now, with the enabled policies that let them
/// (a hidden package too: the My Access portal link reaches it).
pub async fn requestable(
    db: &impl ConnectionTrait,
    requester: UserId,
    package: AccessPackageId,
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
    query = query.filter(access_package::Column::Id.eq(package));
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
