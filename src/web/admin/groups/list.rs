//! `GET /admin/groups`: every group with its member count, searchable and paged.
use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::auth::extract::DirectoryAdmin;
use crate::domain::group::Group;
use crate::domain::page::{Page, PageRequest};
use crate::error::AppResult;
use crate::state::AppState;
use crate::store;
use crate::web::{encode_query_value, layout::Chrome, search_text};

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    page: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/groups/list.html")]
pub struct GroupsPage {
    chrome: Chrome,
    q: String,
    query: String,
    groups: Page<(Group, u64)>,
}

/// Directory administrators.
pub async fn list(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    query: web::Query<ListQuery>,
) -> AppResult<GroupsPage> {
    let q = search_text(&query.q);
    let groups = store::groups::list(
        &state.db,
        &q,
        PageRequest::from_query(query.page.as_deref()),
    )
    .await?;
    let query = if q.is_empty() {
        String::new()
    } else {
        format!("q={}&", encode_query_value(&q))
    };
    Ok(GroupsPage {
        chrome: Chrome::admin(admin.current(), "groups")?,
        q,
        query,
        groups,
    })
}
