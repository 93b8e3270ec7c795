//! `Delete` a user, after a confirmation page.
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::DirectoryAdmin;
use crate::auth::session::FlashKind;
use crate::domain::user::User;
use crate::services::error::ServiceError;
use crate::services::users;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::{html, layout::Chrome, see_other};

#[derive(Template)]
#[template(path = "admin/users/delete.html")]
struct DeleteUserPage {
    chrome: Chrome,
    user: User,
    error: Option<String>,
}

/// Directory administrators who may manage this user.
pub async fn confirm(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let user = super::edit::manageable_user(&state, &admin, &id).await?;
    let error =
        (user.id == admin.user().id).then(|| "You cannot delete your own account.".to_owned());
    html(
        StatusCode::OK,
        &DeleteUserPage {
            chrome: Chrome::admin(admin.current(), "users")?,
            user,
            error,
        },
    )
}

pub async fn delete(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let user = super::edit::manageable_user(&state, &admin, &id).await?;
    match users::delete(&state.db, state.clock.as_ref(), admin.principal(), user.id).await {
        Ok(gone) => {
            admin.current().session.flash(
                FlashKind::Success,
                format!("User deleted: {}", gone.display_name),
            );
            Ok(see_other("/admin/users"))
        }
        Err(ServiceError::Forbidden {
            code: "not_for_yourself",
            message,
        }) => html(
            StatusCode::CONFLICT,
            &DeleteUserPage {
                chrome: Chrome::admin(admin.current(), "users")?,
                user,
                error: Some(message),
            },
        ),
        Err(other) => Err(other.into()),
    }
}
