//! `GET /admin/users/{id}`: a user's properties, groups and actions.
use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use crate::auth::extract::DirectoryAdmin;
use crate::domain::authz::{Action, authorize};
use crate::domain::group::Group;
use crate::domain::user::User;
use crate::ids::UserId;
use crate::services::users;
use crate::state::AppState;
use crate::store;
use crate::web::error::AppResult;
use crate::web::{filters, layout::Chrome, parse_id};

#[derive(Template, WebTemplate)]
#[template(path = "admin/users/show.html")]
pub struct UserPage {
    chrome: Chrome,
    user: User,
    groups: Vec<Group>,
    can_manage: bool,
    is_self: bool,
    /// The directory the user was imported from.
    source: Option<String>,
}

/// Directory administrators. A User administrator sees a Global administrator read-only.
pub async fn show(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
) -> AppResult<UserPage> {
    let id: UserId = parse_id(&id)?;
    let user = users::get(&state.db, admin.principal(), id).await?;
    let groups = store::groups::of_user(&state.db, id).await?;
    let source =
        crate::services::connected::source_name(&state.db, admin.principal(), user.source_system)
            .await?;
    Ok(UserPage {
        source,
        chrome: Chrome::admin(admin.current(), "users")?,
        can_manage: authorize(admin.principal(), Action::ManageUser { role: user.role }).is_ok(),
        is_self: admin.user().id == user.id,
        user,
        groups,
    })
}
