//! `GET /admin/users`: every user, searchable and paged.
use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::auth::extract::DirectoryAdmin;
use crate::domain::page::{Page, PageRequest};
use crate::domain::user::User;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store;
use crate::web::{encode_query_value, filters, layout::Chrome, search_text};

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    page: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users/list.html")]
pub struct UsersPage {
    chrome: Chrome,
    q: String,
    query: String,
    users: Page<User>,
}

/// Directory administrators.
pub async fn list(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    query: web::Query<ListQuery>,
) -> AppResult<UsersPage> {
    let q = search_text(&query.q);
    let users = store::users::list(
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
    Ok(UsersPage {
        chrome: Chrome::admin(admin.current(), "users")?,
        q,
        query,
        users,
    })
}
