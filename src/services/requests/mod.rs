//! The request lifecycle: requesting, deciding, canceling, removing and assigning access.
//! Each step is one transaction with its timeline entry and audit event; which state follows
//! which comes from `domain::lifecycle`, and each change is one conditional update
//! (`move_request`), so that of two people acting at once only one goes on.
mod assign;
mod cancel;
mod decide;
mod read;
pub(crate) mod removal;
mod submit;

pub use assign::assign_directly;
pub use cancel::cancel;
pub use decide::decide;
pub use read::{own_assignment, own_request, request_for_approver};
pub use removal::{deny_waiting_requests, remove_all_of_user, remove_assignment};
pub use submit::{NewRequest, submit};

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use time::OffsetDateTime;

use super::audit::Event;
use crate::domain::audit as action;
use crate::domain::lifecycle::{RequestState, RequestType, Transition, UnknownStoredValue};
use crate::entities::{assignment_request, request_event};
use crate::ids::{AccessPackageId, PolicyId, RequestEventId, RequestId};
use crate::store::{self, packages::PolicyRecord};

/// Adds a line to a request's timeline.
pub(crate) async fn timeline(
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

/// The audit event of a change to a request.
pub(crate) fn request_audit<'a>(
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

pub(crate) async fn package_name(
    db: &impl ConnectionTrait,
    id: AccessPackageId,
) -> Result<String, sea_orm::DbErr> {
    Ok(store::packages::find(db, id)
        .await?
        .map(|p| p.display_name)
        .unwrap_or_default())
}

/// The policy a request names, if it still exists.
pub(crate) async fn policy_of(
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

/// The one way a request changes state: from `from`, the state it was read in, by
/// `transition` (from `domain::lifecycle`), as a conditional update. False when the request
/// was no longer in `from` (someone else acted first), and nothing was changed.
pub(crate) async fn move_request(
    db: &impl ConnectionTrait,
    id: RequestId,
    from: RequestState,
    transition: Transition,
    now: OffsetDateTime,
) -> Result<bool, sea_orm::DbErr> {
    let completed = (!transition.to.is_open()).then_some(now);
    let changed = assignment_request::Entity::update_many()
        .col_expr(
            assignment_request::Column::State,
            Expr::value(transition.to.as_str()),
        )
        .col_expr(
            assignment_request::Column::Status,
            Expr::value(transition.status),
        )
        .col_expr(
            assignment_request::Column::CompletedAt,
            Expr::value(completed),
        )
        .filter(assignment_request::Column::Id.eq(id))
        .filter(assignment_request::Column::State.eq(from.as_str()))
        .exec(db)
        .await?;
    Ok(changed.rows_affected == 1)
}

/// A stored request's state and type.
pub(crate) fn state_of(
    request: &assignment_request::Model,
) -> Result<(RequestState, RequestType), UnknownStoredValue> {
    Ok((
        RequestState::from_stored(&request.state)?,
        RequestType::from_stored(&request.request_type)?,
    ))
}
