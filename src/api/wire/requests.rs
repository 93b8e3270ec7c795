//! Graph's shapes of requests, assignments and approvals.
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{AccessPackage, iso};
use crate::entities::{assignment, assignment_request, request_decision, user};

/// `accessPackageSubject`: the person a request or assignment is for.
#[derive(Serialize, ToSchema, Default, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct Subject {
    #[schema(format = Uuid)]
    pub id: String,
    /// The user's id.
    #[schema(format = Uuid)]
    pub object_id: String,
    pub display_name: String,
    pub principal_name: String,
    pub email: Option<String>,
    /// Always `user`.
    pub subject_type: &'static str,
}

impl From<&user::Model> for Subject {
    fn from(u: &user::Model) -> Self {
        Self {
            id: u.id.to_string(),
            object_id: u.id.to_string(),
            display_name: u.display_name.clone(),
            principal_name: u
                .former_user_principal_name
                .clone()
                .filter(|_| u.deleted_at.is_some())
                .unwrap_or_else(|| u.user_principal_name.clone()),
            email: u.email.clone(),
            subject_type: "user",
        }
    }
}

/// `expirationPattern`
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Expiration {
    /// `afterDateTime` or `noExpiration`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[schema(format = DateTime)]
    pub end_date_time: Option<String>,
}

/// `entitlementManagementSchedule`
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Schedule {
    #[schema(format = DateTime)]
    pub start_date_time: Option<String>,
    pub expiration: Option<Expiration>,
}

impl Schedule {
    pub fn of(start: Option<OffsetDateTime>, end: Option<OffsetDateTime>) -> Self {
        Self {
            start_date_time: start.map(iso),
            expiration: Some(Expiration {
                kind: if end.is_some() {
                    "afterDateTime"
                } else {
                    "noExpiration"
                },
                end_date_time: end.map(iso),
            }),
        }
    }
}

/// `{"id": …}` of the assignment a request made or ended.
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct AssignmentRef {
    #[schema(format = Uuid)]
    pub id: String,
}

/// `accessPackageAssignmentRequest`
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct AssignmentRequest {
    #[schema(format = Uuid)]
    pub id: String,
    /// `userAdd`, `userUpdate`, `userRemove`, `adminAdd`, `adminUpdate`, `adminRemove` or
    /// `systemRemove`.
    pub request_type: String,
    /// `submitted`, `pendingApproval`, `scheduled`, `delivering`, `delivered`, `denied`,
    /// `canceled` or `deliveryFailed`.
    pub state: String,
    /// In words, as My Access shows it (`Pending approval`, `Delivered`, …).
    pub status: String,
    pub justification: Option<String>,
    #[schema(format = DateTime)]
    pub created_date_time: String,
    #[schema(format = DateTime)]
    pub completed_date_time: Option<String>,
    pub schedule: Option<Schedule>,
    pub assignment: Option<AssignmentRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_package: Option<AccessPackage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requestor: Option<Subject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Subject>,
}

/// Gatehouse's `userExtend` is Graph's `userUpdate`.
pub fn graph_request_type(stored: &str) -> String {
    match stored {
        "userExtend" => "userUpdate".to_owned(),
        other => other.to_owned(),
    }
}

impl From<&assignment_request::Model> for AssignmentRequest {
    fn from(m: &assignment_request::Model) -> Self {
        Self {
            id: m.id.to_string(),
            request_type: graph_request_type(&m.request_type),
            state: m.state.clone(),
            status: m.status.clone(),
            justification: Some(m.justification.clone()).filter(|j| !j.is_empty()),
            created_date_time: iso(m.created_at),
            completed_date_time: m.completed_at.map(iso),
            schedule: Some(Schedule::of(m.schedule_start, m.schedule_end)),
            assignment: m.assignment_id.map(|a| AssignmentRef { id: a.to_string() }),
            access_package: None,
            requestor: None,
            target: None,
        }
    }
}

/// `accessPackageAssignment`
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Assignment {
    #[schema(format = Uuid)]
    pub id: String,
    /// `delivering` (scheduled), `delivered` or `expired` (ended or removed).
    pub state: &'static str,
    /// `Delivering`, `Delivered`, `Expired` or `Removed`.
    pub status: &'static str,
    #[schema(format = DateTime)]
    pub expired_date_time: Option<String>,
    pub schedule: Option<Schedule>,
    #[schema(format = Uuid)]
    pub access_package_id: String,
    #[schema(format = Uuid)]
    pub assignment_policy_id: Option<String>,
    #[schema(format = Uuid)]
    pub target_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Subject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_package: Option<AccessPackage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub assignment_policy: Option<serde_json::Value>,
}

impl From<&assignment::Model> for Assignment {
    fn from(m: &assignment::Model) -> Self {
        let (state, status) = match m.state.as_str() {
            "delivering" => ("delivering", "Delivering"),
            "delivered" => ("delivered", "Delivered"),
            "removed" => ("expired", "Removed"),
            _ => ("expired", "Expired"),
        };
        let ended = matches!(m.state.as_str(), "expired" | "removed");
        Self {
            id: m.id.to_string(),
            state,
            status,
            expired_date_time: if ended {
                Some(iso(m.end_at.unwrap_or(m.updated_at)))
            } else {
                None
            },
            schedule: Some(Schedule::of(Some(m.start_at), m.end_at)),
            access_package_id: m.access_package_id.to_string(),
            assignment_policy_id: m.policy_id.map(|p| p.to_string()),
            target_id: m.target_id.to_string(),
            target: None,
            access_package: None,
            assignment_policy: None,
        }
    }
}

/// `identity`: who decided.
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Identity {
    #[schema(format = Uuid)]
    pub id: Option<String>,
    pub display_name: String,
}

/// `approvalStage`: Gatehouse's policies have one.
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ApprovalStage {
    #[schema(format = Uuid)]
    pub id: String,
    pub display_name: Option<String>,
    /// `NotReviewed`, `Approve` or `Deny`.
    pub review_result: &'static str,
    /// `InProgress` or `Completed`.
    pub status: &'static str,
    pub assigned_to_me: bool,
    pub justification: Option<String>,
    pub reviewed_by: Option<Identity>,
    #[schema(format = DateTime)]
    pub reviewed_date_time: Option<String>,
}

/// `approval`: the decision on a request, by its id.
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Approval {
    #[schema(format = Uuid)]
    pub id: String,
    pub stages: Vec<ApprovalStage>,
}

impl Approval {
    pub fn of(request: &assignment_request::Model, decisions: &[request_decision::Model]) -> Self {
        let decided = decisions.last();
        let stage = ApprovalStage {
            id: request.id.to_string(),
            display_name: None,
            review_result: match decided.map(|d| d.decision.to_ascii_lowercase()) {
                Some(d) if d == "approve" => "Approve",
                Some(d) if d == "deny" => "Deny",
                _ => "NotReviewed",
            },
            status: if request.state == "pendingApproval" {
                "InProgress"
            } else {
                "Completed"
            },
            assigned_to_me: request.state == "pendingApproval",
            justification: decided.map(|d| d.reason.clone()).filter(|r| !r.is_empty()),
            reviewed_by: decided.map(|d| Identity {
                id: d.approver_id.map(|a| a.to_string()),
                display_name: d.approver_name.clone(),
            }),
            reviewed_date_time: decided.map(|d| iso(d.decided_at)),
        };
        Self {
            id: request.id.to_string(),
            stages: vec![stage],
        }
    }
}
