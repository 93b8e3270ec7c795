//! `/`: the sign-in page, and signing out.
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::{html, safe_next, search_text, see_other};
use crate::auth::csrf::CsrfForm;
use crate::auth::extract::{CurrentUser, client_ip};
use crate::auth::session::TypedSession;
use crate::domain::user::User;
use crate::services::setup;
use crate::services::sign_in::{self, SignInError};
use crate::state::AppState;
use crate::web::error::AppResult;

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    csrf_token: String,
    username: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
    setup_pending: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Where someone lands after signing in when no page asked for it.
pub fn landing(user: &User) -> &'static str {
    if user.role.is_directory_admin() {
        "/admin/users"
    } else {
        "/myaccess/access-packages"
    }
}

/// Anyone. Signed-in people go straight on to their portal.
pub async fn page(
    state: web::Data<AppState>,
    current: Option<CurrentUser>,
    session: TypedSession,
    query: web::Query<NextQuery>,
) -> AppResult<HttpResponse> {
    let next = safe_next(query.next.as_deref())
        .unwrap_or_default()
        .to_owned();
    if let Some(current) = current {
        let target = if next.is_empty() {
            landing(&current.user)
        } else {
            next.as_str()
        };
        return Ok(see_other(target));
    }
    let page = SignInPage {
        csrf_token: session.csrf_token()?,
        username: String::new(),
        next,
        error: None,
        notice: session.take_flash().map(|(_, message)| message),
        setup_pending: setup::is_open(&state.db).await?,
    };
    html(StatusCode::OK, &page)
}

/// Anyone, with the session's CSRF token.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    form: CsrfForm<SignInForm>,
) -> AppResult<HttpResponse> {
    let CsrfForm(form) = form;
    let next = safe_next(Some(&form.next)).map(str::to_owned);
    let outcome = sign_in::sign_in(
        &state.db,
        state.clock.as_ref(),
        &state.sign_in_gate,
        &form.username,
        &form.password,
        client_ip(&req),
    )
    .await;
    let (status, message) = match outcome {
        Ok(user) => {
            session.sign_in(user.id, &user.security_stamp, state.clock.now())?;
            return Ok(see_other(next.as_deref().unwrap_or(landing(&user))));
        }
        Err(SignInError::InvalidCredentials) => (
            StatusCode::UNAUTHORIZED,
            "The username or password is incorrect.".to_owned(),
        ),
        Err(SignInError::Throttled { retry_after_secs }) => (
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many failed sign-in attempts. Wait {retry_after_secs} seconds, then try again."
            ),
        ),
        Err(SignInError::Unexpected(err)) => return Err(err.into()),
    };
    let page = SignInPage {
        csrf_token: session.csrf_token()?,
        username: search_text(&form.username),
        next: next.unwrap_or_default(),
        error: Some(message),
        notice: None,
        setup_pending: false,
    };
    html(status, &page)
}

/// Anyone signed in; the CSRF token stops other sites from signing people out. Ends every
/// session the user has, so a copied cookie stops working too.
pub async fn sign_out(
    state: web::Data<AppState>,
    current: CurrentUser,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    sign_in::sign_out(
        &state.db,
        state.clock.as_ref(),
        &current.user,
        &crate::services::audit::Actor::from(current.principal()),
    )
    .await?;
    current.session.end_with_message("You have signed out.");
    Ok(see_other("/"))
}
