//! `Disable account` / `Enable account`.
use actix_web::{HttpResponse, web};

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::DirectoryAdmin;
use crate::auth::session::FlashKind;
use crate::error::{AppError, AppResult};
use crate::services::users::{self, UserError};
use crate::state::AppState;
use crate::web::see_other;

async fn set(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
    enabled: bool,
) -> AppResult<HttpResponse> {
    let user = super::edit::manageable_user(&state, &admin, &id).await?;
    let back = format!("/admin/users/{}", user.id);
    let session = &admin.current().session;
    match users::set_enabled(&state.db, state.clock.as_ref(), &admin, user.id, enabled).await {
        Ok(user) => {
            let word = if enabled { "enabled" } else { "disabled" };
            session.flash(
                FlashKind::Success,
                format!("Account {word}: {}", user.display_name),
            );
        }
        Err(UserError::NotForYourself(message)) => session.flash(FlashKind::Error, message),
        Err(UserError::NotAllowed) => return Err(AppError::Forbidden),
        Err(UserError::NotFound) => return Err(AppError::NotFound),
        Err(other) => return Err(AppError::Unexpected(other.into())),
    }
    Ok(see_other(&back))
}

/// Directory administrators who may manage this user, never for their own account.
pub async fn disable(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    set(state, admin, id, false).await
}

pub async fn enable(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    set(state, admin, id, true).await
}
