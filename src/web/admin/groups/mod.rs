//! Groups in the admin portal: list, `New group`, overview, `Members`, delete.
mod delete;
mod list;
mod members;
mod new;
mod show;

use crate::auth::extract::DirectoryAdmin;
use crate::domain::group::Group;
use crate::ids::GroupId;
use crate::services::groups;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::{RouteDef, get, parse_id, post};

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/admin/groups", list::list),
        get("/admin/groups/new", new::form),
        post("/admin/groups/new", new::create),
        get("/admin/groups/{id}", show::show),
        get("/admin/groups/{id}/members", members::list),
        get("/admin/groups/{id}/members/add", members::picker),
        post("/admin/groups/{id}/members/add", members::add),
        post("/admin/groups/{id}/members/{user}/remove", members::remove),
        post("/admin/groups/{id}/connected-system", show::link),
        post("/admin/groups/{id}/connected-system/remove", show::unlink),
        get("/admin/groups/{id}/delete", delete::confirm),
        post("/admin/groups/{id}/delete", delete::delete),
    ]
}

/// The group named in the URL, or 404.
async fn find(state: &AppState, admin: &DirectoryAdmin, raw_id: &str) -> AppResult<Group> {
    let id: GroupId = parse_id(raw_id)?;
    Ok(groups::get(&state.db, admin.principal(), id).await?)
}
