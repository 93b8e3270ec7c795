//! `Members`: who is in the group and why; add and remove direct members.
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::DirectoryAdmin;
use crate::auth::session::FlashKind;
use crate::domain::group::{Group, Member};
use crate::domain::page::Page;
use crate::domain::user::User;
use crate::ids::UserId;
use crate::services::error::ServiceError;
use crate::services::groups;
use crate::state::AppState;
use crate::store;
use crate::web::error::{AppError, AppResult};
use crate::web::{SearchQuery, filters, layout::Chrome, pager_query, parse_id, see_other};

#[derive(Template, WebTemplate)]
#[template(path = "admin/groups/members.html")]
pub struct MembersPage {
    chrome: Chrome,
    group: Group,
    members: Vec<Member>,
}

/// Directory administrators.
pub async fn list(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
) -> AppResult<MembersPage> {
    let group = super::find(&state, &admin, &id).await?;
    let members = store::groups::members(&state.db, group.id).await?;
    Ok(MembersPage {
        chrome: Chrome::admin(admin.current(), "groups")?,
        group,
        members,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/groups/add_members.html")]
pub struct AddMembersPage {
    chrome: Chrome,
    group: Group,
    q: String,
    query: String,
    candidates: Page<User>,
}

/// Directory administrators: users who are not yet direct members, searchable.
pub async fn picker(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
    query: web::Query<SearchQuery>,
) -> AppResult<AddMembersPage> {
    let group = super::find(&state, &admin, &id).await?;
    let q = query.text();
    let candidates =
        store::users::list_not_direct_members(&state.db, group.id, &q, query.page()).await?;
    let query = pager_query(&q);
    Ok(AddMembersPage {
        chrome: Chrome::admin(admin.current(), "groups")?,
        group,
        q,
        query,
        candidates,
    })
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    user_id: String,
}

fn flash_or_fail(admin: &DirectoryAdmin, result: Result<String, ServiceError>) -> AppResult<()> {
    let session = &admin.current().session;
    match result {
        Ok(message) => session.flash(FlashKind::Success, message),
        Err(ServiceError::Conflict { message, .. }) => session.flash(FlashKind::Error, message),
        Err(ServiceError::Invalid(fields)) => {
            for field in fields {
                session.flash(FlashKind::Error, field.message);
            }
        }
        Err(other) => return Err(other.into()),
    }
    Ok(())
}

pub async fn add(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
    form: CsrfForm<AddForm>,
) -> AppResult<HttpResponse> {
    let group = super::find(&state, &admin, &id).await?;
    let user_id: UserId = form
        .0
        .user_id
        .parse()
        .map_err(|_| AppError::BadRequest("Choose a user to add.".to_owned()))?;
    let result = groups::add_member(
        &state.db,
        state.clock.as_ref(),
        admin.principal(),
        group.id,
        user_id,
    )
    .await;
    flash_or_fail(
        &admin,
        result.map(|user| format!("Member added: {}", user.display_name)),
    )?;
    Ok(see_other(&format!("/admin/groups/{}/members", group.id)))
}

pub async fn remove(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    path: web::Path<(String, String)>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let (id, user) = path.into_inner();
    let group = super::find(&state, &admin, &id).await?;
    let user_id: UserId = parse_id(&user)?;
    let result = groups::remove_member(
        &state.db,
        state.clock.as_ref(),
        admin.principal(),
        group.id,
        user_id,
    )
    .await;
    flash_or_fail(
        &admin,
        result.map(|user| format!("Member removed: {}", user.display_name)),
    )?;
    Ok(see_other(&format!("/admin/groups/{}/members", group.id)))
}
