//! `Members`: who is in the group and why; add and remove direct members.
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::DirectoryAdmin;
use crate::domain::group::{Group, Member, MemberRole};
use crate::domain::page::Page;
use crate::domain::user::User;
use crate::ids::UserId;
use crate::services::groups;
use crate::state::AppState;
use crate::store;
use crate::web::error::{AppError, AppResult};
use crate::web::{
    SearchQuery, filters, flash_outcome, layout::Chrome, pager_query, parse_id, see_other,
};

#[derive(Template, WebTemplate)]
#[template(path = "admin/groups/members.html")]
pub struct MembersPage {
    chrome: Chrome,
    group: Group,
    owners: Vec<Member>,
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
    let owners = store::groups::owners(&state.db, group.id).await?;
    Ok(MembersPage {
        chrome: Chrome::admin(admin.current(), "groups")?,
        group,
        owners,
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
    /// For each candidate on this page: already a direct member, already a direct owner.
    direct: Vec<(bool, bool)>,
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
    let ids: Vec<UserId> = candidates.items.iter().map(|u| u.id).collect();
    let roles = store::groups::direct_roles(&state.db, group.id, &ids).await?;
    let direct = ids
        .iter()
        .map(|id| {
            (
                roles.contains(&(*id, MemberRole::Member)),
                roles.contains(&(*id, MemberRole::Owner)),
            )
        })
        .collect();
    Ok(AddMembersPage {
        chrome: Chrome::admin(admin.current(), "groups")?,
        group,
        q,
        query,
        candidates,
        direct,
    })
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    user_id: String,
    /// `member` (the default) or `owner`.
    #[serde(default)]
    role: String,
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    role: String,
}

/// `member` unless the form says `owner`.
fn role_of(raw: &str) -> AppResult<MemberRole> {
    if raw.is_empty() {
        return Ok(MemberRole::Member);
    }
    MemberRole::parse(raw).map_err(|e| AppError::BadRequest(e.0))
}

fn done(role: MemberRole, verb: &str, user: &User) -> String {
    format!("{} {verb}: {}", role.label(), user.display_name)
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
    let role = role_of(&form.0.role)?;
    let result = groups::add_member(
        &state.db,
        state.clock.as_ref(),
        admin.principal(),
        group.id,
        user_id,
        role,
    )
    .await;
    flash_outcome(
        &admin.current().session,
        result.map(|user| done(role, "added", &user)),
    )?;
    Ok(see_other(&format!("/admin/groups/{}/members", group.id)))
}

pub async fn remove(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    path: web::Path<(String, String)>,
    form: CsrfForm<RemoveForm>,
) -> AppResult<HttpResponse> {
    let (id, user) = path.into_inner();
    let group = super::find(&state, &admin, &id).await?;
    let user_id: UserId = parse_id(&user)?;
    let role = role_of(&form.0.role)?;
    let result = groups::remove_member(
        &state.db,
        state.clock.as_ref(),
        admin.principal(),
        group.id,
        user_id,
        role,
    )
    .await;
    flash_outcome(
        &admin.current().session,
        result.map(|user| done(role, "removed", &user)),
    )?;
    Ok(see_other(&format!("/admin/groups/{}/members", group.id)))
}
