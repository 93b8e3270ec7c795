//! `/setup?token=…`: creates the first Global administrator, once; 404 ever after.
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::form::FormErrors;
use super::{html, see_other};
use crate::auth::csrf::{CsrfForm, tokens_match};
use crate::auth::extract::client_ip;
use crate::auth::session::{FlashKind, TypedSession};
use crate::domain::user::{DirectoryRole, DisplayName, Email, Password, UserPrincipalName};
use crate::services::setup::{self, SetupError};
use crate::services::users::NewUser;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};

#[derive(Deserialize, Default)]
pub struct SetupForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    user_principal_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm_password: String,
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    csrf_token: String,
    form: SetupForm,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// Answers 404 unless setup is still open and the token is the one printed at start.
async fn check_open(state: &AppState, token: &str) -> AppResult<()> {
    let expected = state.setup_token.as_deref().unwrap_or_default();
    if tokens_match(expected, token) && setup::is_open(&state.db).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Whoever holds the printed link, while the directory is empty.
pub async fn page(
    state: web::Data<AppState>,
    session: TypedSession,
    query: web::Query<TokenQuery>,
) -> AppResult<HttpResponse> {
    check_open(&state, &query.token).await?;
    let form = SetupForm {
        token: query.token.clone(),
        ..SetupForm::default()
    };
    html(
        StatusCode::OK,
        &SetupPage {
            csrf_token: session.csrf_token()?,
            form,
            errors: FormErrors::default(),
        },
    )
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    form: CsrfForm<SetupForm>,
) -> AppResult<HttpResponse> {
    let CsrfForm(mut form) = form;
    check_open(&state, &form.token).await?;
    let mut errors = FormErrors::default();
    let display_name = errors.check("display_name", DisplayName::parse(&form.display_name));
    let upn = errors.check(
        "user_principal_name",
        UserPrincipalName::parse(&form.user_principal_name),
    );
    let email = errors.check("email", Email::parse(&form.email));
    let password = errors.check("password", Password::parse(&form.password));
    if password.is_some() && form.password != form.confirm_password {
        errors.add("confirm_password", "The passwords do not match.");
    }
    let (Some(display_name), Some(user_principal_name), Some(email), Some(password), true) =
        (display_name, upn, email, password, errors.is_empty())
    else {
        form.password.clear();
        form.confirm_password.clear();
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SetupPage {
                csrf_token: session.csrf_token()?,
                form,
                errors,
            },
        );
    };
    let new = NewUser {
        display_name,
        user_principal_name,
        email,
        role: DirectoryRole::GlobalAdministrator,
        password,
    };
    match setup::create_first_admin(&state.db, state.clock.as_ref(), new, client_ip(&req)).await {
        Ok(admin) => {
            session.sign_in(admin.id, &admin.security_stamp, state.clock.now())?;
            session.flash(
                FlashKind::Success,
                format!(
                    "Welcome, {}. You are the first Global administrator.",
                    admin.display_name
                ),
            );
            Ok(see_other("/admin/users"))
        }
        Err(SetupError::AlreadyDone) => Err(AppError::NotFound),
        Err(SetupError::User(err)) => Err(err.into()),
        Err(SetupError::Unexpected(err)) => Err(err.into()),
    }
}
