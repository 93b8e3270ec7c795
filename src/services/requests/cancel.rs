//! The requestor withdraws a request nobody has decided yet.
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::json;

use super::decide::already_decided;
use super::{move_request, package_name, request_audit, state_of, timeline};
use crate::clock::Clock;
use crate::db::write_txn;
use crate::domain::audit as action;
use crate::domain::authz::{Action, authorize};
use crate::domain::lifecycle;
use crate::domain::principal::Principal;
use crate::entities::assignment_request;
use crate::ids::RequestId;
use crate::services::audit;
use crate::services::error::{ServiceError, ServiceResult};

#[tracing::instrument(skip_all, fields(principal = %principal.name, request = %id))]
pub async fn cancel(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: RequestId,
) -> ServiceResult<()> {
    let request = assignment_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    authorize(
        principal,
        Action::CancelRequest {
            target: request.target_id,
        },
    )?;
    let (from, request_type) = state_of(&request)?;
    let transition = lifecycle::cancel(from, request_type).map_err(|_| already_decided())?;
    let now = clock.now();
    let txn = write_txn(db).await?;
    let moved = move_request(&txn, id, from, transition, now).await?;
    if !moved {
        return Err(already_decided());
    }
    timeline(
        &txn,
        id,
        now,
        "canceled",
        format!("Canceled by {}", principal.display_name),
    )
    .await?;
    let name = package_name(&txn, request.access_package_id).await?;
    audit::record(
        &txn,
        now,
        principal,
        request_audit(action::CANCEL_REQUEST, &request, &name, json!({})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
