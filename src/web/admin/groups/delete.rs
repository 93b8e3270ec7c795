//! `Delete` a group, after a confirmation page.
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::DirectoryAdmin;
use crate::auth::session::FlashKind;
use crate::domain::group::Group;
use crate::services::error::ServiceError;
use crate::services::groups;
use crate::state::AppState;
use crate::store;
use crate::web::error::AppResult;
use crate::web::{html, layout::Chrome, see_other};

#[derive(Template)]
#[template(path = "admin/groups/delete.html")]
struct DeleteGroupPage {
    chrome: Chrome,
    group: Group,
    member_count: usize,
    error: Option<String>,
}

/// Directory administrators.
pub async fn confirm(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let group = super::find(&state, &admin, &id).await?;
    let member_count = store::groups::members(&state.db, group.id).await?.len();
    html(
        StatusCode::OK,
        &DeleteGroupPage {
            chrome: Chrome::admin(admin.current(), "groups")?,
            group,
            member_count,
            error: None,
        },
    )
}

pub async fn delete(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let group = super::find(&state, &admin, &id).await?;
    match groups::delete(&state.db, state.clock.as_ref(), admin.principal(), group.id).await {
        Ok(gone) => {
            admin.current().session.flash(
                FlashKind::Success,
                format!("Group deleted: {}", gone.display_name),
            );
            Ok(see_other("/admin/groups"))
        }
        Err(ServiceError::Conflict {
            message: reason, ..
        }) => {
            let member_count = store::groups::members(&state.db, group.id).await?.len();
            let page = DeleteGroupPage {
                chrome: Chrome::admin(admin.current(), "groups")?,
                group,
                member_count,
                error: Some(reason),
            };
            html(StatusCode::CONFLICT, &page)
        }
        Err(other) => Err(other.into()),
    }
}
