//! `My access`: the user's current and scheduled assignments, with `Remove access`.
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use askama_web::WebTemplate;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::CurrentUser;
use crate::auth::session::FlashKind;
use crate::domain::dates;
use crate::domain::group::Group;
use crate::domain::lifecycle::{self, AssignmentState};
use crate::ids::AssignmentId;
use crate::services::error::ServiceError;
use crate::services::requests::{self, Extension, ExtensionPane};
use crate::state::AppState;
use crate::store::{self, requests::AssignmentView};
use crate::web::error::AppResult;
use crate::web::form::FormErrors;
use crate::web::{filters, html, layout::Chrome, parse_id, see_other};

/// A line of My access: the assignment, how soon it ends, and whether it can be extended.
pub struct AccessRow {
    assignment: AssignmentView,
    /// `Ends in 3 days`, within 14 days of the end.
    ends_in: Option<String>,
    /// Shows `Extend`.
    extend: bool,
    /// An extension waits for approval.
    extension_waiting: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "myaccess/access.html")]
pub struct AccessPage {
    chrome: Chrome,
    rows: Vec<AccessRow>,
    groups: Vec<Group>,
}

/// Anyone signed in: their own assignments and group memberships.
pub async fn list(state: web::Data<AppState>, current: CurrentUser) -> AppResult<AccessPage> {
    let assignments = store::requests::assignments_of(&state.db, current.user.id).await?;
    let groups = store::groups::of_user(&state.db, current.user.id).await?;
    let (extendable, waiting) =
        requests::extend_options(&state.db, state.clock.as_ref(), current.principal()).await?;
    let now = state.clock.now();
    let rows = assignments
        .into_iter()
        .map(|assignment| AccessRow {
            ends_in: assignment
                .end_at
                .filter(|_| assignment.state == AssignmentState::Delivered)
                .and_then(|end| lifecycle::ends_in(end, now)),
            extend: extendable.contains(&assignment.id),
            extension_waiting: waiting.contains(&assignment.id),
            assignment,
        })
        .collect();
    Ok(AccessPage {
        chrome: Chrome::my_access(&current, "access")?,
        rows,
        groups,
    })
}

/// The `Extend` pane's fields, as typed.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ExtendForm {
    justification: String,
    end_date: String,
}

#[derive(Template)]
#[template(path = "myaccess/extend.html")]
struct ExtendPage {
    chrome: Chrome,
    pane: ExtensionPane,
    form: ExtendForm,
    errors: FormErrors,
}

async fn extend_page(
    state: &AppState,
    current: &CurrentUser,
    raw: &str,
    form: Option<ExtendForm>,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let id: AssignmentId = parse_id(raw)?;
    let pane =
        match requests::extension_pane(&state.db, state.clock.as_ref(), current.principal(), id)
            .await
        {
            Ok(pane) => pane,
            Err(ServiceError::Conflict { message, .. }) => {
                current.session.flash(FlashKind::Error, message);
                return Ok(see_other("/myaccess/access"));
            }
            Err(err) => return Err(err.into()),
        };
    // The end date starts as the latest the policy gives.
    let form = form.unwrap_or_else(|| ExtendForm {
        end_date: pane.limit.map(|l| l.date().to_string()).unwrap_or_default(),
        ..ExtendForm::default()
    });
    html(
        status,
        &ExtendPage {
            chrome: Chrome::my_access(current, "access")?,
            pane,
            form,
            errors,
        },
    )
}

/// `Extend` on one's own assignment that ends soon.
pub async fn extend_pane(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    extend_page(
        &state,
        &current,
        &id,
        None,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `Submit` on the `Extend` pane: a `userExtend` request, or the new end at once.
pub async fn extend(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<String>,
    form: CsrfForm<ExtendForm>,
) -> AppResult<HttpResponse> {
    let CsrfForm(form) = form;
    let assignment: AssignmentId = parse_id(&id)?;
    let mut errors = FormErrors::default();
    let end = errors
        .check("end_date", dates::parse_date(&form.end_date))
        .flatten();
    if errors.is_empty() {
        let new = Extension {
            assignment,
            justification: form.justification.clone(),
            end,
        };
        match requests::request_extension(&state.db, state.clock.as_ref(), current.principal(), new)
            .await
        {
            Ok(request) => {
                current.session.flash(
                    FlashKind::Success,
                    "Extension requested. You can follow it here.",
                );
                return Ok(see_other(&format!("/myaccess/request-history/{request}")));
            }
            Err(err) => errors.place(err, "justification")?,
        }
    }
    extend_page(
        &state,
        &current,
        &id,
        Some(form),
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn own(state: &AppState, current: &CurrentUser, raw: &str) -> AppResult<AssignmentView> {
    let id: AssignmentId = parse_id(raw)?;
    Ok(requests::own_assignment(&state.db, current.principal(), id).await?)
}

#[derive(Template)]
#[template(path = "myaccess/remove_access.html")]
struct RemovePage {
    chrome: Chrome,
    assignment: AssignmentView,
}

pub async fn confirm_remove(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let assignment = own(&state, &current, &id).await?;
    html(
        StatusCode::OK,
        &RemovePage {
            chrome: Chrome::my_access(&current, "access")?,
            assignment,
        },
    )
}

/// `Remove access` on one's own assignment (`userRemove`).
pub async fn remove(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let assignment = own(&state, &current, &id).await?;
    let result = requests::remove_assignment(
        &state.db,
        state.clock.as_ref(),
        current.principal(),
        assignment.id,
    )
    .await;
    crate::web::flash_outcome(
        &current.session,
        result.map(|()| format!("Access removed: {}", assignment.package_name)),
    )?;
    Ok(see_other("/myaccess/access"))
}
