//! Requests, assignments and approvals as Graph lists: their properties as columns,
//! scoped to catalogs, to the caller as target, or to the caller as approver.
use sea_orm::sea_query::{Expr, ExprTrait, Query as SqlQuery, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Value};

use super::super::odata::{Column, ListError, ListPage, Listing, col, list};
use crate::domain::graph;
use crate::domain::lifecycle::RequestState;
use crate::domain::odata::Query;
use crate::entities::{access_package, assignment, assignment_request, policy_approver};
use crate::ids::{CatalogId, UserId};

/// Graph's request type → Gatehouse's stored one.
fn stored_request_type(graph: &str) -> Option<Value> {
    Some(match graph {
        "userUpdate" => "userExtend".into(),
        other => other.to_owned().into(),
    })
}

fn request_columns(property: &'static str) -> Option<Column> {
    use assignment_request::Column as C;
    Some(match property {
        "id" => Column::Exact(col(C::Id)),
        "requestType" => Column::Mapped(col(C::RequestType), stored_request_type),
        "state" => Column::Exact(col(C::State)),
        "status" => Column::Text(col(C::Status)),
        "createdDateTime" => Column::Exact(col(C::CreatedAt)),
        "completedDateTime" => Column::Exact(col(C::CompletedAt)),
        _ => return None,
    })
}

fn request_key(row: &assignment_request::Model, _: &'static str) -> (uuid::Uuid, Value) {
    (row.id.0, row.created_at.into())
}

const REQUESTS: Listing<assignment_request::Entity> = Listing {
    resource: &graph::ASSIGNMENT_REQUESTS,
    columns: request_columns,
    id: assignment_request::Column::Id,
    key: request_key,
};

/// The ids of the packages in `catalogs`.
fn packages_in(catalogs: &[CatalogId]) -> SelectStatement {
    SqlQuery::select()
        .column(access_package::Column::Id)
        .from(access_package::Entity)
        .and_where(Expr::col(access_package::Column::CatalogId).is_in(catalogs.iter().copied()))
        .to_owned()
}

/// Whose requests: everyone's in `visible` catalogs (all when None), or one person's.
#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    Catalogs(Option<&'a [CatalogId]>),
    Target(UserId),
}

pub async fn requests(
    db: &impl ConnectionTrait,
    scope: Scope<'_>,
    query: &Query,
) -> Result<ListPage<assignment_request::Model>, ListError> {
    let mut select = assignment_request::Entity::find();
    match scope {
        Scope::Catalogs(Some(catalogs)) => {
            select = select.filter(
                assignment_request::Column::AccessPackageId.in_subquery(packages_in(catalogs)),
            );
        }
        Scope::Catalogs(None) => {}
        Scope::Target(user) => {
            select = select.filter(assignment_request::Column::TargetId.eq(user));
        }
    }
    list(db, select, query, &REQUESTS).await
}

/// Requests waiting for `approver`'s decision (never their own).
pub async fn approvals(
    db: &impl ConnectionTrait,
    approver: UserId,
    query: &Query,
) -> Result<ListPage<assignment_request::Model>, ListError> {
    let policies = SqlQuery::select()
        .column(policy_approver::Column::PolicyId)
        .from(policy_approver::Entity)
        .and_where(Expr::col(policy_approver::Column::UserId).eq(approver))
        .to_owned();
    let select = assignment_request::Entity::find()
        .filter(assignment_request::Column::State.eq(RequestState::PendingApproval.as_str()))
        .filter(assignment_request::Column::PolicyId.in_subquery(policies))
        .filter(assignment_request::Column::TargetId.ne(approver));
    list(db, select, query, &APPROVALS).await
}

fn approval_columns(property: &'static str) -> Option<Column> {
    use assignment_request::Column as C;
    Some(match property {
        "id" => Column::Exact(col(C::Id)),
        "createdDateTime" => Column::Exact(col(C::CreatedAt)),
        _ => return None,
    })
}

const APPROVALS: Listing<assignment_request::Entity> = Listing {
    resource: &graph::APPROVALS,
    columns: approval_columns,
    id: assignment_request::Column::Id,
    key: request_key,
};

/// `removed` reads as Graph's `expired`.
fn assignment_state() -> sea_orm::sea_query::SimpleExpr {
    Expr::cust(
        "(CASE WHEN assignments.state = 'removed' THEN 'expired' ELSE assignments.state END)",
    )
}

fn assignment_columns(property: &'static str) -> Option<Column> {
    use assignment::Column as C;
    Some(match property {
        "id" => Column::Exact(col(C::Id)),
        "state" => Column::Exact(assignment_state()),
        "expiredDateTime" => Column::Exact(col(C::EndAt)),
        "createdDateTime" => Column::Exact(col(C::CreatedAt)),
        _ => return None,
    })
}

fn assignment_key(row: &assignment::Model, _: &'static str) -> (uuid::Uuid, Value) {
    (row.id.0, row.created_at.into())
}

const ASSIGNMENTS: Listing<assignment::Entity> = Listing {
    resource: &graph::ASSIGNMENTS,
    columns: assignment_columns,
    id: assignment::Column::Id,
    key: assignment_key,
};

pub async fn assignments(
    db: &impl ConnectionTrait,
    scope: Scope<'_>,
    query: &Query,
) -> Result<ListPage<assignment::Model>, ListError> {
    let mut select = assignment::Entity::find();
    match scope {
        Scope::Catalogs(Some(catalogs)) => {
            select = select
                .filter(assignment::Column::AccessPackageId.in_subquery(packages_in(catalogs)));
        }
        Scope::Catalogs(None) => {}
        Scope::Target(user) => {
            select = select.filter(assignment::Column::TargetId.eq(user));
        }
    }
    list(db, select, query, &ASSIGNMENTS).await
}
