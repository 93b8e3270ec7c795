//! `GET /admin/groups/{id}`: the group's overview.
use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use crate::auth::extract::DirectoryAdmin;
use crate::domain::group::Group;
use crate::state::AppState;
use crate::store;
use crate::web::error::AppResult;
use crate::web::{filters, layout::Chrome};

#[derive(Template, WebTemplate)]
#[template(path = "admin/groups/show.html")]
pub struct GroupPage {
    chrome: Chrome,
    group: Group,
    member_count: usize,
}

/// Directory administrators.
pub async fn show(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
) -> AppResult<GroupPage> {
    let group = super::find(&state, &admin, &id).await?;
    let member_count = store::groups::members(&state.db, group.id).await?.len();
    Ok(GroupPage {
        chrome: Chrome::admin(admin.current(), "groups")?,
        group,
        member_count,
    })
}
