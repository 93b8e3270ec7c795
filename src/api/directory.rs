//! `/v1.0/users` and `/v1.0/groups`: the directory, read, and group members added and
//! removed with `$ref`.
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::GraphError;
use super::list::{collection, item, item_query, list_query, parse_id};
use super::wire::{self, Collection};
use crate::domain::graph;
use crate::domain::group::MemberRole;
use crate::ids::{GroupId, UserId};
use crate::services::{groups as group_service, lists};
use crate::state::AppState;

type Answer = Result<HttpResponse, GraphError>;

/// Lists users. Needs `User.Read.All`, and a directory administrator.
#[utoipa::path(
    tag = "Users",
    params(crate::api::ListParams),
    responses(
        (status = 200, description = "A page of users", body = Collection<wire::User>),
        crate::api::Errors,
    )
)]
#[get("/users")]
pub async fn list_users(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> Answer {
    let query = list_query(&req, &graph::USERS)?;
    let page = lists::users(&state.db, &caller.principal, &query).await?;
    Ok(collection(&req, "users", &query, page, wire::User::from))
}

/// Gets a user by id.
#[utoipa::path(
    tag = "Users",
    params(("id" = uuid::Uuid, Path, description = "The user's id"), crate::api::ItemParams),
    responses(
        (status = 200, description = "The user", body = wire::User),
        crate::api::Errors,
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    let query = item_query(&req, &graph::USERS)?;
    let id: UserId = parse_id(&id)?;
    let found = lists::user(&state.db, &caller.principal, id).await?;
    Ok(item(&req, "users", &query, wire::User::from(found)))
}

/// Lists groups. Needs `Group.Read.All` (or `Group.ReadWrite.All`), and a directory
/// administrator.
#[utoipa::path(
    tag = "Groups",
    params(crate::api::ListParams),
    responses(
        (status = 200, description = "A page of groups", body = Collection<wire::Group>),
        crate::api::Errors,
    )
)]
#[get("/groups")]
pub async fn list_groups(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> Answer {
    let query = list_query(&req, &graph::GROUPS)?;
    let page = lists::groups(&state.db, &caller.principal, &query).await?;
    Ok(collection(&req, "groups", &query, page, wire::Group::from))
}

/// Gets a group by id.
#[utoipa::path(
    tag = "Groups",
    params(("id" = uuid::Uuid, Path, description = "The group's id"), crate::api::ItemParams),
    responses(
        (status = 200, description = "The group", body = wire::Group),
        crate::api::Errors,
    )
)]
#[get("/groups/{id}")]
pub async fn get_group(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    let query = item_query(&req, &graph::GROUPS)?;
    let id: GroupId = parse_id(&id)?;
    let found = lists::group(&state.db, &caller.principal, id).await?;
    Ok(item(&req, "groups", &query, wire::Group::from(found)))
}

/// Lists a group's members (users).
#[utoipa::path(
    tag = "Groups",
    params(("id" = uuid::Uuid, Path, description = "The group's id"), crate::api::ListParams),
    responses(
        (status = 200, description = "A page of members", body = Collection<wire::User>),
        crate::api::Errors,
    )
)]
#[get("/groups/{id}/members")]
pub async fn list_members(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Answer {
    let query = list_query(&req, &graph::MEMBERS)?;
    let id: GroupId = parse_id(&id)?;
    let page = lists::members(&state.db, &caller.principal, id, &query).await?;
    Ok(collection(
        &req,
        "directoryObjects",
        &query,
        page,
        wire::User::from,
    ))
}

/// `{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}`
#[derive(Deserialize, ToSchema)]
pub struct Reference {
    #[serde(rename = "@odata.id")]
    odata_id: String,
}

/// The object id at the end of an `@odata.id` address (any host: Graph SDKs write
/// graph.microsoft.com's).
fn referenced_user(reference: &Reference) -> Result<UserId, GraphError> {
    let last = reference
        .odata_id
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let last = last
        .strip_prefix("directoryObjects(")
        .or_else(|| last.strip_prefix("users("))
        .map(|s| s.trim_end_matches(')').trim_matches('\''))
        .unwrap_or(last);
    last.parse().map_err(|_| {
        GraphError::bad_request(
            "@odata.id must name a user, like https://graph.microsoft.com/v1.0/directoryObjects/{id}.",
        )
    })
}

/// Adds a user to a group as a direct member. Needs `Group.ReadWrite.All`.
#[utoipa::path(
    tag = "Groups",
    params(("id" = uuid::Uuid, Path, description = "The group's id")),
    request_body = Reference,
    responses(
        (status = 204, description = "Added"),
        crate::api::Errors,
    )
)]
#[post("/groups/{id}/members/$ref")]
pub async fn add_member(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<Reference>,
) -> Answer {
    let group: GroupId = parse_id(&id)?;
    let user = referenced_user(&body)?;
    group_service::add_member(
        &state.db,
        state.clock.as_ref(),
        &caller.principal,
        group,
        user,
        MemberRole::Member,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes a direct member from a group. Needs `Group.ReadWrite.All`.
#[utoipa::path(
    tag = "Groups",
    params(
        ("id" = uuid::Uuid, Path, description = "The group's id"),
        ("member" = uuid::Uuid, Path, description = "The member's user id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        crate::api::Errors,
    )
)]
#[delete("/groups/{id}/members/{member}/$ref")]
pub async fn remove_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Answer {
    let group: GroupId = parse_id(&path.0)?;
    let user: UserId = parse_id(&path.1)?;
    group_service::remove_member(
        &state.db,
        state.clock.as_ref(),
        &caller.principal,
        group,
        user,
        MemberRole::Member,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_users,
    get_user,
    list_groups,
    get_group,
    list_members,
    add_member,
    remove_member
))]
pub struct Doc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_users)
        .service(get_user)
        .service(list_groups)
        .service(get_group)
        .service(list_members)
        .service(add_member)
        .service(remove_member);
}
