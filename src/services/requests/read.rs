//! Reading one request or assignment, for the people who may see it: its requestor, its
//! policy's approvers.
use sea_orm::DatabaseConnection;

use super::policy_of;
use crate::domain::authz::{Action, authorize};
use crate::domain::principal::Principal;
use crate::ids::{AssignmentId, RequestId};
use crate::services::error::{ServiceError, ServiceResult};
use crate::store;
use crate::store::requests::{AssignmentView, RequestView};

/// A request of the principal's own (Request history).
pub async fn own_request(
    db: &DatabaseConnection,
    principal: &Principal,
    id: RequestId,
) -> ServiceResult<RequestView> {
    let request = store::requests::find(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    authorize(
        principal,
        Action::ReadOwn {
            target: request.target_id,
        },
    )?;
    Ok(request)
}

/// An assignment of the principal's own (My access).
pub async fn own_assignment(
    db: &DatabaseConnection,
    principal: &Principal,
    id: AssignmentId,
) -> ServiceResult<AssignmentView> {
    let assignment = store::requests::find_assignment(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    authorize(
        principal,
        Action::ReadOwn {
            target: assignment.target_id,
        },
    )?;
    Ok(assignment)
}

/// A request the principal approves under its policy (Approvals).
pub async fn request_for_approver(
    db: &DatabaseConnection,
    principal: &Principal,
    id: RequestId,
) -> ServiceResult<RequestView> {
    let request = store::requests::find(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let policy = policy_of(db, request.package_id, request.policy_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    authorize(
        principal,
        Action::ReadRequestAsApprover {
            approvers: &policy.spec.approvers,
        },
    )?;
    Ok(request)
}
