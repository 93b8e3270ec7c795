//! `GET /admin/users/{id}`: a user's properties, groups and actions.
use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use crate::auth::extract::DirectoryAdmin;
use crate::domain::group::Group;
use crate::domain::user::User;
use crate::error::{AppError, AppResult};
use crate::ids::UserId;
use crate::state::AppState;
use crate::store;
use crate::web::{filters, layout::Chrome, parse_id};

#[derive(Template, WebTemplate)]
#[template(path = "admin/users/show.html")]
pub struct UserPage {
    chrome: Chrome,
    user: User,
    groups: Vec<Group>,
    can_manage: bool,
    is_self: bool,
}

/// Directory administrators. A User administrator sees a Global administrator read-only.
pub async fn show(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
) -> AppResult<UserPage> {
    let id: UserId = parse_id(&id)?;
    let user = store::users::find_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let groups = store::groups::of_user(&state.db, id).await?;
    Ok(UserPage {
        chrome: Chrome::admin(admin.current(), "users")?,
        can_manage: admin.user().role.can_manage(user.role),
        is_self: admin.user().id == user.id,
        user,
        groups,
    })
}
