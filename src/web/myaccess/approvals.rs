//! `Approvals`: the `Pending` tab with what this user may decide, the `History` tab with what
//! they decided, and the request pane with `Approve` / `Deny`, `Reason` and `Submit`.
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::CurrentUser;
use crate::auth::session::FlashKind;
use crate::domain::authz::{Action, authorize};
use crate::domain::lifecycle::{Decision, RequestState};
use crate::domain::page::KeysetPage;
use crate::entities::{request_decision, request_event};
use crate::ids::RequestId;
use crate::services::error::ServiceError;
use crate::services::requests;
use crate::state::AppState;
use crate::store::{self, requests::RequestView};
use crate::web::error::{AppError, AppResult};
use crate::web::form::FormErrors;
use crate::web::{filters, html, layout::Chrome, parse_id, see_other};

#[derive(Template, WebTemplate)]
#[template(path = "myaccess/approvals.html")]
pub struct ApprovalsPage {
    chrome: Chrome,
    tab: &'static str,
    pending: KeysetPage<store::requests::PendingLine>,
    decided: Vec<(RequestView, request_decision::Model)>,
}

/// Anyone signed in: requests under policies that name them as approver, never their own,
/// oldest first, a page at a time.
pub async fn pending(
    state: web::Data<AppState>,
    current: CurrentUser,
    query: web::Query<crate::web::CursorQuery>,
) -> AppResult<ApprovalsPage> {
    let cursor = query.cursor();
    let pending = store::requests::pending_for_approver(
        &state.db,
        current.user.id,
        cursor,
        crate::web::PER_PAGE,
    )
    .await?;
    Ok(ApprovalsPage {
        chrome: Chrome::my_access(&current, "approvals")?,
        tab: "pending",
        pending,
        decided: Vec::new(),
    })
}

pub async fn history(state: web::Data<AppState>, current: CurrentUser) -> AppResult<ApprovalsPage> {
    let decided = store::requests::decided_by(&state.db, current.user.id).await?;
    Ok(ApprovalsPage {
        chrome: Chrome::my_access(&current, "approvals")?,
        tab: "history",
        pending: KeysetPage {
            items: Vec::new(),
            next: None,
            previous: None,
        },
        decided,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "myaccess/approval.html")]
struct ApprovalPage {
    chrome: Chrome,
    request: RequestView,
    events: Vec<request_event::Model>,
    decisions: Vec<request_decision::Model>,
    form: DecisionForm,
    errors: FormErrors,
    /// Why there is nothing to decide, when there is not.
    closed: Option<String>,
    reason_hint: &'static str,
}

/// The request, if the user approves under its policy; their own requests too, to say why
/// they cannot decide them.
async fn approvable(state: &AppState, current: &CurrentUser, raw: &str) -> AppResult<RequestView> {
    let id: RequestId = parse_id(raw)?;
    Ok(requests::request_for_approver(&state.db, current.principal(), id).await?)
}

async fn page(
    state: &AppState,
    current: &CurrentUser,
    request: RequestView,
    form: DecisionForm,
    errors: FormErrors,
    closed: Option<String>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let events = store::requests::events(&state.db, request.id).await?;
    let decisions = store::requests::decisions(&state.db, request.id).await?;
    // The principal is one of the approvers (request_for_approver let them in): whether they
    // may decide this one is the authorization module's answer.
    let me = [current.user.id];
    let may_decide = authorize(
        current.principal(),
        Action::DecideRequest {
            approvers: &me,
            target: request.target_id,
        },
    );
    let closed = closed.or_else(|| {
        if may_decide.is_err() {
            Some(
                "You cannot approve your own request, even as an approver of its policy."
                    .to_owned(),
            )
        } else if request.state != RequestState::PendingApproval {
            Some("This request has already been decided".to_owned())
        } else {
            None
        }
    });
    let reason_required = match request.policy_id {
        Some(_) => store::packages::policies(&state.db, request.package_id)
            .await?
            .iter()
            .any(|p| Some(p.id) == request.policy_id && p.spec.approver_justification_required),
        None => false,
    };
    let reason_hint = if reason_required {
        "Required by this policy. The requestor sees it."
    } else {
        "Optional. The requestor sees it."
    };
    let page = ApprovalPage {
        chrome: Chrome::my_access(current, "approvals")?,
        request,
        events,
        decisions,
        form,
        errors,
        closed,
        reason_hint,
    };
    html(status, &page)
}

/// `View`: the access request pane.
pub async fn view(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let request = approvable(&state, &current, &id).await?;
    page(
        &state,
        &current,
        request,
        DecisionForm::default(),
        FormErrors::default(),
        None,
        StatusCode::OK,
    )
    .await
}

/// `Submit` of `Approve` or `Deny` with its `Reason`.
pub async fn decide(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<String>,
    form: CsrfForm<DecisionForm>,
) -> AppResult<HttpResponse> {
    let request = approvable(&state, &current, &id).await?;
    let CsrfForm(form) = form;
    let mut errors = FormErrors::default();
    let decision = errors.check("decision", Decision::parse(&form.decision));
    let mut closed = None;
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(decision) = decision {
        match requests::decide(
            &state.db,
            state.clock.as_ref(),
            current.principal(),
            request.id,
            decision,
            &form.reason,
        )
        .await
        {
            Ok(_) => {
                let done = if decision == Decision::Approve {
                    "approved"
                } else {
                    "denied"
                };
                current.session.flash(
                    FlashKind::Success,
                    format!(
                        "Request {done}: {} for {}",
                        request.package_name, request.target_name
                    ),
                );
                return Ok(see_other("/myaccess/approvals"));
            }
            Err(ServiceError::Invalid(fields)) => {
                for field in fields {
                    errors.add(field.field, field.message);
                }
            }
            Err(
                ServiceError::Conflict { message, .. }
                | ServiceError::Forbidden {
                    code: "own_request",
                    message,
                },
            ) => {
                closed = Some(message);
                status = StatusCode::CONFLICT;
            }
            Err(err) => return Err(err.into()),
        }
    }
    // Show the request as it is now, not as it was when the page was opened.
    let fresh = store::requests::find(&state.db, request.id)
        .await?
        .ok_or(AppError::NotFound)?;
    page(&state, &current, fresh, form, errors, closed, status).await
}
