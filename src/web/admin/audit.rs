//! `Audit log`: every change and sign-in, newest first, filterable by actor and target.
use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::auth::extract::DirectoryAdmin;
use crate::domain::page::{Cursor, KeysetPage};
use crate::entities::audit_event;
use crate::state::AppState;
use crate::store::{self, audit::AuditFilter};
use crate::web::error::AppResult;
use crate::web::{encode_query_value, filters, layout::Chrome, search_text};

#[derive(Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    target: String,
    after: Option<String>,
    before: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    chrome: Chrome,
    filter: AuditFilter,
    query: String,
    events: KeysetPage<audit_event::Model>,
}

/// Directory administrators.
pub async fn list(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    query: web::Query<AuditQuery>,
) -> AppResult<AuditPage> {
    let filter = AuditFilter {
        actor: search_text(&query.actor),
        target: search_text(&query.target),
    };
    let cursor = Cursor::from_query(query.after.as_deref(), query.before.as_deref());
    let events = store::audit::list(&state.db, &filter, cursor, crate::web::PER_PAGE).await?;
    let query = format!(
        "actor={}&target={}&",
        encode_query_value(&filter.actor),
        encode_query_value(&filter.target)
    );
    Ok(AuditPage {
        chrome: Chrome::admin(admin.current(), "audit")?,
        filter,
        query,
        events,
    })
}
