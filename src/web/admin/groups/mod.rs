//! Groups in the admin portal: list, `New group`, overview, `Members`, delete.
mod delete;
mod list;
mod members;
mod new;
mod show;

use actix_web::web;

use crate::auth::extract::DirectoryAdmin;
use crate::domain::group::Group;
use crate::ids::GroupId;
use crate::services::groups;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::parse_id;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/groups", web::get().to(list::list))
        .route("/groups/new", web::get().to(new::form))
        .route("/groups/new", web::post().to(new::create))
        .route("/groups/{id}", web::get().to(show::show))
        .route("/groups/{id}/members", web::get().to(members::list))
        .route("/groups/{id}/members/add", web::get().to(members::picker))
        .route("/groups/{id}/members/add", web::post().to(members::add))
        .route(
            "/groups/{id}/members/{user}/remove",
            web::post().to(members::remove),
        )
        .route("/groups/{id}/delete", web::get().to(delete::confirm))
        .route("/groups/{id}/delete", web::post().to(delete::delete));
}

/// The group named in the URL, or 404.
async fn find(state: &AppState, admin: &DirectoryAdmin, raw_id: &str) -> AppResult<Group> {
    let id: GroupId = parse_id(raw_id)?;
    Ok(groups::get(&state.db, admin.principal(), id).await?)
}
