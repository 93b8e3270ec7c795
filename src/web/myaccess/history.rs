//! `Request history`: the user's requests, each with its timeline; pending ones can be
//! canceled.
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::CurrentUser;
use crate::auth::session::FlashKind;
use crate::entities::{request_decision, request_event};
use crate::ids::RequestId;
use crate::services::error::ServiceError;
use crate::services::requests;
use crate::state::AppState;
use crate::store::{self, requests::RequestView};
use crate::web::error::AppResult;
use crate::web::{filters, layout::Chrome, parse_id, see_other};

#[derive(Template, WebTemplate)]
#[template(path = "myaccess/history.html")]
pub struct HistoryPage {
    chrome: Chrome,
    requests: Vec<RequestView>,
}

/// Anyone signed in: their own requests only.
pub async fn list(state: web::Data<AppState>, current: CurrentUser) -> AppResult<HistoryPage> {
    let requests = store::requests::for_target(&state.db, current.user.id).await?;
    Ok(HistoryPage {
        chrome: Chrome::my_access(&current, "history")?,
        requests,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "myaccess/request_detail.html")]
pub struct DetailPage {
    chrome: Chrome,
    request: RequestView,
    events: Vec<request_event::Model>,
    decisions: Vec<request_decision::Model>,
    back: &'static str,
    back_label: &'static str,
}

/// One of the user's own requests; anyone else's is not found.
pub async fn detail(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<String>,
) -> AppResult<DetailPage> {
    let id: RequestId = parse_id(&id)?;
    let request = requests::own_request(&state.db, current.principal(), id).await?;
    let events = store::requests::events(&state.db, id).await?;
    let decisions = store::requests::decisions(&state.db, id).await?;
    Ok(DetailPage {
        chrome: Chrome::my_access(&current, "history")?,
        request,
        events,
        decisions,
        back: "/myaccess/request-history",
        back_label: "Request history",
    })
}

/// The requestor withdraws a pending request.
pub async fn cancel(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let id: RequestId = parse_id(&id)?;
    match requests::cancel(&state.db, state.clock.as_ref(), current.principal(), id).await {
        Ok(()) => current
            .session
            .flash(FlashKind::Success, "Request canceled"),
        Err(ServiceError::Conflict {
            code: "already_decided",
            ..
        }) => current.session.flash(
            FlashKind::Error,
            "This request has already been decided, so it cannot be canceled.",
        ),
        Err(err) => return Err(err.into()),
    }
    Ok(see_other("/myaccess/request-history"))
}
