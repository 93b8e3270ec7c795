//! `GET /admin/users`: every user, searchable and paged.
use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use crate::auth::extract::DirectoryAdmin;
use crate::domain::page::KeysetPage;
use crate::domain::user::User;
use crate::state::AppState;
use crate::store;
use crate::web::error::AppResult;
use crate::web::{CursorQuery, PER_PAGE, SearchQuery, filters, layout::Chrome, pager_query};

#[derive(Template, WebTemplate)]
#[template(path = "admin/users/list.html")]
pub struct UsersPage {
    chrome: Chrome,
    q: String,
    query: String,
    users: KeysetPage<User>,
}

/// Directory administrators.
pub async fn list(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    query: web::Query<SearchQuery>,
    cursor: web::Query<CursorQuery>,
) -> AppResult<UsersPage> {
    let q = query.text();
    let users = store::users::list(&state.db, &q, cursor.cursor(), PER_PAGE).await?;
    let query = pager_query(&q);
    Ok(UsersPage {
        chrome: Chrome::admin(admin.current(), "users")?,
        q,
        query,
        users,
    })
}
