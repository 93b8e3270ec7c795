//! `Disable account` / `Enable account`.
use actix_web::{HttpResponse, web};

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::DirectoryAdmin;
use crate::auth::session::FlashKind;
use crate::services::error::ServiceError;
use crate::services::users;
use crate::state::AppState;
use crate::web::error::AppResult;
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
    match users::set_enabled(
        &state.db,
        state.clock.as_ref(),
        admin.principal(),
        user.id,
        enabled,
    )
    .await
    {
        Ok(user) => {
            let word = if enabled { "enabled" } else { "disabled" };
            session.flash(
                FlashKind::Success,
                format!("Account {word}: {}", user.display_name),
            );
        }
        Err(ServiceError::Forbidden {
            code: "not_for_yourself",
            message,
        }) => session.flash(FlashKind::Error, message),
        Err(other) => return Err(other.into()),
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
