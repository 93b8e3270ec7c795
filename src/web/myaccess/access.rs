//! `My access`: the user's current and scheduled assignments, with `Remove access`.
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use askama_web::WebTemplate;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::CurrentUser;
use crate::domain::group::Group;
use crate::ids::AssignmentId;
use crate::services::requests;
use crate::state::AppState;
use crate::store::{self, requests::AssignmentView};
use crate::web::error::AppResult;
use crate::web::{filters, html, layout::Chrome, parse_id, see_other};

#[derive(Template, WebTemplate)]
#[template(path = "myaccess/access.html")]
pub struct AccessPage {
    chrome: Chrome,
    assignments: Vec<AssignmentView>,
    groups: Vec<Group>,
}

/// Anyone signed in: their own assignments and group memberships.
pub async fn list(state: web::Data<AppState>, current: CurrentUser) -> AppResult<AccessPage> {
    let assignments = store::requests::assignments_of(&state.db, current.user.id).await?;
    let groups = store::groups::of_user(&state.db, current.user.id).await?;
    Ok(AccessPage {
        chrome: Chrome::my_access(&current, "access")?,
        assignments,
        groups,
    })
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
