//! The request lifecycle: requesting, deciding, canceling, removing and assigning access.
//! Each step is one transaction with its timeline entry and audit event; which state follows
//! which comes from `domain::lifecycle`, and each change is one conditional update
//! (`move_request`), so that of two people acting at once only one goes on.
mod assign;
mod cancel;
mod decide;
mod extend;
mod read;
pub(crate) mod removal;
mod submit;

pub use assign::assign_directly;
pub use cancel::cancel;
pub use decide::decide;
pub use extend::{
    Extension, ExtensionPane, ends_soon, extend_assignment, extend_options, extension_pane,
    request_extension,
};
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

/// Locks `policy` (shared) while a request under it is written, so that deleting it waits and
/// then sees the request; and refuses when `target` already has a request for `package`
/// waiting.
pub(crate) async fn hold_policy_and_check_pending(
    db: &impl ConnectionTrait,
    policy: PolicyId,
    target: crate::ids::UserId,
    package: AccessPackageId,
) -> crate::services::error::ServiceResult<()> {
    use sea_orm::QuerySelect;
    crate::entities::assignment_policy::Entity::find_by_id(policy)
        .lock_shared()
        .one(db)
        .await?
        .ok_or(crate::services::error::ServiceError::NotFound)?;
    if store::requests::open_request(db, target, package)
        .await?
        .is_some()
    {
        return Err(submit::already_pending());
    }
    Ok(())
}

/// Writes a new request; another waiting request of the same person for the same package
/// (written by a racing transaction) is `already_pending`.
pub(crate) async fn insert_request(
    db: &impl ConnectionTrait,
    request: &assignment_request::Model,
) -> crate::services::error::ServiceResult<()> {
    let active: assignment_request::ActiveModel = request.clone().into();
    assignment_request::Entity::insert(active)
        .exec_without_returning(db)
        .await
        .map_err(|err| {
            if crate::services::is_unique_violation(&err) {
                submit::already_pending()
            } else {
                err.into()
            }
        })?;
    Ok(())
}

/// When the approvers of a request due at `decide_by` are reminded: after the policy's
/// reminder time, if that comes first.
pub(crate) fn remind_at(
    spec: &crate::domain::policy::PolicySpec,
    now: OffsetDateTime,
    decide_by: Option<OffsetDateTime>,
) -> Option<OffsetDateTime> {
    let at = now + spec.reminder_after();
    decide_by.filter(|by| at < *by).map(|_| at)
}

/// The timeline's words when an extension waiting is settled by its access being removed.
pub(crate) const CANCELED_BY_REMOVAL: &str = "Canceled: the access was removed";
/// … or by an administrator extending the access.
pub(crate) const CANCELED_BY_ADMIN_EXTENSION: &str =
    "Canceled: an administrator extended the access";

/// Cancels a request still waiting because something else settled it (`why`, on its
/// timeline); nothing when it was decided meanwhile.
pub(crate) async fn settle_open(
    db: &impl ConnectionTrait,
    open: &assignment_request::Model,
    now: OffsetDateTime,
    why: &str,
) -> Result<(), sea_orm::DbErr> {
    let (from, request_type) = state_of(open)?;
    if let Ok(transition) = crate::domain::lifecycle::cancel(from, request_type)
        && move_request(db, open.id, from, transition, now).await?
    {
        timeline(db, open.id, now, "canceled", why.to_owned()).await?;
    }
    Ok(())
}
