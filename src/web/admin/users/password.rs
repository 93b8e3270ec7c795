//! `Reset password`.
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::DirectoryAdmin;
use crate::auth::session::FlashKind;
use crate::domain::user::{Password, User};
use crate::services::users;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::form::FormErrors;
use crate::web::{html, layout::Chrome, see_other};

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm_password: String,
}

#[derive(Template)]
#[template(path = "admin/users/reset_password.html")]
struct ResetPasswordPage {
    chrome: Chrome,
    user: User,
    errors: FormErrors,
}

/// Directory administrators who may manage this user.
pub async fn form(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let user = super::edit::manageable_user(&state, &admin, &id).await?;
    html(
        StatusCode::OK,
        &ResetPasswordPage {
            chrome: Chrome::admin(admin.current(), "users")?,
            user,
            errors: FormErrors::default(),
        },
    )
}

pub async fn reset(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
    form: CsrfForm<PasswordForm>,
) -> AppResult<HttpResponse> {
    let user = super::edit::manageable_user(&state, &admin, &id).await?;
    let CsrfForm(form) = form;
    let mut errors = FormErrors::default();
    let password = errors.check("password", Password::parse(&form.password));
    if password.is_some() && form.password != form.confirm_password {
        errors.add("confirm_password", "The passwords do not match.");
    }
    let (Some(password), true) = (password, errors.is_empty()) else {
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ResetPasswordPage {
                chrome: Chrome::admin(admin.current(), "users")?,
                user,
                errors,
            },
        );
    };
    let reset = users::reset_password(
        &state.db,
        state.clock.as_ref(),
        admin.principal(),
        user.id,
        &password,
    )
    .await;
    let updated = reset?;
    let session = &admin.current().session;
    if updated.id == admin.user().id {
        // The new security stamp ends other sessions; keep this one.
        session.sign_in(updated.id, &updated.security_stamp, state.clock.now())?;
    }
    session.flash(
        FlashKind::Success,
        format!(
            "Password reset for {}. Their other sessions were signed out.",
            updated.display_name
        ),
    );
    Ok(see_other(&format!("/admin/users/{}", updated.id)))
}
