//! `GET /admin/catalogs`: the catalogs this person may see.
use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use crate::auth::extract::EntitlementManager;
use crate::domain::page::Page;
use crate::state::AppState;
use crate::store::{self, catalogs::CatalogSummary};
use crate::web::error::AppResult;
use crate::web::{SearchQuery, layout::Chrome, pager_query};

#[derive(Template, WebTemplate)]
#[template(path = "admin/catalogs/list.html")]
pub struct CatalogsPage {
    chrome: Chrome,
    q: String,
    query: String,
    catalogs: Page<CatalogSummary>,
    can_create: bool,
}

/// Directory administrators see every catalog; catalog role holders their own.
pub async fn list(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    query: web::Query<SearchQuery>,
) -> AppResult<CatalogsPage> {
    let q = query.text();
    let only = manager.current().visible_catalogs();
    let catalogs = store::catalogs::list(&state.db, only.as_deref(), &q, query.page()).await?;
    Ok(CatalogsPage {
        chrome: Chrome::admin(manager.current(), "catalogs")?,
        query: pager_query(&q),
        q,
        catalogs,
        can_create: manager.can_create_catalogs(),
    })
}
