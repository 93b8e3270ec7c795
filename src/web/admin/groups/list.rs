//! `GET /admin/groups`: every group with its member count, searchable and paged.
use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use crate::auth::extract::DirectoryAdmin;
use crate::domain::group::Group;
use crate::domain::page::KeysetPage;
use crate::state::AppState;
use crate::store;
use crate::web::error::AppResult;
use crate::web::{CursorQuery, PER_PAGE, SearchQuery, layout::Chrome, pager_query};

#[derive(Template, WebTemplate)]
#[template(path = "admin/groups/list.html")]
pub struct GroupsPage {
    chrome: Chrome,
    q: String,
    query: String,
    groups: KeysetPage<(Group, store::groups::MemberCount)>,
}

/// Directory administrators.
pub async fn list(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    query: web::Query<SearchQuery>,
    cursor: web::Query<CursorQuery>,
) -> AppResult<GroupsPage> {
    let q = query.text();
    let groups = store::groups::list(&state.db, &q, cursor.cursor(), PER_PAGE).await?;
    let query = pager_query(&q);
    Ok(GroupsPage {
        chrome: Chrome::admin(admin.current(), "groups")?,
        q,
        query,
        groups,
    })
}
