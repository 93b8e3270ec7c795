//! `/`: the sign-in page, and signing out.
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::{html, safe_next, search_text, see_other};
use crate::auth::csrf::CsrfForm;
use crate::auth::extract::{CurrentUser, client_ip};
use crate::auth::oidc::OidcError;
use crate::auth::session::TypedSession;
use crate::config::LocalSignIn;
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
    /// `Sign in with …`, when single sign-on is set up.
    sso_button: Option<String>,
    /// Whether the password form shows, and for whom.
    local: LocalSignIn,
}

impl SignInPage {
    fn new(state: &AppState, csrf_token: String, next: String) -> Self {
        Self {
            csrf_token,
            username: String::new(),
            next,
            error: None,
            notice: None,
            setup_pending: false,
            sso_button: state.oidc.as_ref().map(|o| o.button()),
            local: state.config.local_sign_in,
        }
    }

    fn shows_form(&self) -> bool {
        self.local != LocalSignIn::Off
    }

    fn admins_only(&self) -> bool {
        self.local == LocalSignIn::AdminsOnly
    }
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
    let mut page = SignInPage::new(&state, session.csrf_token()?, next);
    page.notice = session.take_flash().map(|(_, message)| message);
    page.setup_pending = setup::is_open(&state.db).await?;
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
    if state.config.local_sign_in == LocalSignIn::Off {
        let mut page = SignInPage::new(&state, session.csrf_token()?, next.unwrap_or_default());
        page.error = Some("Password sign-in is turned off. Use the button above.".into());
        return html(StatusCode::FORBIDDEN, &page);
    }
    let outcome = sign_in::sign_in(
        &state.db,
        state.clock.as_ref(),
        &state.sign_in_gate,
        &form.username,
        &form.password,
        client_ip(&req),
        state.config.local_sign_in == LocalSignIn::AdminsOnly,
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
        Err(SignInError::PasswordsOff) => (
            StatusCode::FORBIDDEN,
            "Password sign-in is kept for Global administrators. Use the button above.".to_owned(),
        ),
        Err(SignInError::Unexpected(err)) => return Err(err.into()),
    };
    let mut page = SignInPage::new(&state, session.csrf_token()?, next.unwrap_or_default());
    page.username = search_text(&form.username);
    page.error = Some(message);
    html(status, &page)
}

/// `Sign in with …`: off to the identity provider, with the sign-in kept in the session.
pub async fn oidc_start(
    state: web::Data<AppState>,
    session: TypedSession,
    query: web::Query<NextQuery>,
) -> AppResult<HttpResponse> {
    let Some(oidc) = state.oidc.clone() else {
        return Err(crate::web::error::AppError::NotFound);
    };
    let next = safe_next(query.next.as_deref()).map(str::to_owned);
    match oidc.start(next.clone()).await {
        Ok((url, pending)) => {
            session.start_oidc(&pending)?;
            Ok(see_other(&url))
        }
        Err(err) => {
            tracing::warn!(error = %err, "single sign-on could not start");
            let mut page = SignInPage::new(&state, session.csrf_token()?, next.unwrap_or_default());
            page.error = Some(err.to_string());
            html(StatusCode::SERVICE_UNAVAILABLE, &page)
        }
    }
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Back from the identity provider: the answer is checked and used once, then the person
/// is signed in as the Gatehouse user the provider names (or told why not).
pub async fn oidc_callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    query: web::Query<CallbackQuery>,
) -> AppResult<HttpResponse> {
    let Some(oidc) = state.oidc.clone() else {
        return Err(crate::web::error::AppError::NotFound);
    };
    let pending = session.take_oidc();
    let refuse = |status: StatusCode, message: String| -> AppResult<HttpResponse> {
        let mut page = SignInPage::new(&state, session.csrf_token()?, String::new());
        page.error = Some(message);
        html(status, &page)
    };
    if let Some(error) = &query.error {
        let words = query.error_description.as_deref().unwrap_or(error);
        return refuse(
            StatusCode::UNAUTHORIZED,
            format!(
                "{} did not sign you in: {}",
                oidc.config.name,
                search_text(words)
            ),
        );
    }
    // The same state as the sign-in this browser started, once.
    let (Some(pending), Some(code), Some(returned)) = (pending, &query.code, &query.state) else {
        return refuse(StatusCode::BAD_REQUEST, OidcError::Stale.to_string());
    };
    if returned != &pending.state {
        return refuse(StatusCode::BAD_REQUEST, OidcError::Stale.to_string());
    }
    let next = pending.next.clone();
    let identity = match oidc.finish(pending, code).await {
        Ok(identity) => identity,
        Err(err) => {
            tracing::warn!(error = %err, "single sign-on refused");
            let status = match err {
                OidcError::Unreachable(_) => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::UNAUTHORIZED,
            };
            return refuse(status, err.to_string());
        }
    };
    let who = sign_in::Federated {
        provider: &oidc.config.name,
        issuer: &oidc.config.issuer,
        subject: &identity.subject,
        claim_name: oidc.config.claim.as_str(),
        claim: identity.claim.as_deref(),
        name: identity.name.as_deref(),
        email: identity.email.as_deref(),
    };
    let signed = sign_in::sign_in_federated(
        &state.db,
        state.clock.as_ref(),
        who,
        oidc.config.create_users,
        client_ip(&req),
    )
    .await;
    match signed {
        Ok(user) => {
            session.sign_in(user.id, &user.security_stamp, state.clock.now())?;
            Ok(see_other(next.as_deref().unwrap_or(landing(&user))))
        }
        Err(sign_in::FederatedError::Unexpected(err)) => Err(err.into()),
        Err(refused) => refuse(StatusCode::FORBIDDEN, refused.to_string()),
    }
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
