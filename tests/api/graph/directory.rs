//! Users, groups and members through the API, with OData options.
use gatehouse::domain::principal::Scope;
use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;
use serde_json::json;

use super::{Script, assert_graph_error, names, token};
use crate::helpers::spawn_app;

#[tokio::test]
async fn users_are_filtered_ordered_selected_and_paged_as_graph_does() {
    let app = spawn_app().await;
    let admin = app
        .create_user(
            "admin1@woodgrove.test",
            "Admin1",
            DirectoryRole::GlobalAdministrator,
        )
        .await;
    for n in 1..=5 {
        app.create_user(
            &format!("user{n}@woodgrove.test"),
            &format!("User{n}"),
            DirectoryRole::User,
        )
        .await;
    }
    let script = Script::new(&app, token(&app, admin, &[Scope::UserRead]).await);

    let body = script
        .get_ok(
            "/users?$filter=startswith(displayName,'user')&$top=2&$count=true&$select=displayName",
        )
        .await;
    assert_eq!(names(&body), ["User1", "User2"]);
    assert_eq!(body["@odata.count"], 5);
    assert!(
        body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/v1.0/$metadata#users")
    );
    let first = &body["value"][0];
    assert!(first["id"].is_string());
    assert!(
        first.get("userPrincipalName").is_none(),
        "$select keeps only what it names"
    );

    // The next pages follow @odata.nextLink, whose $skiptoken carries on after User2.
    let next = body["@odata.nextLink"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let path = next.split("/v1.0").nth(1).unwrap();
    let body = script.get_ok(path).await;
    assert_eq!(names(&body), ["User3", "User4"]);
    let path = body["@odata.nextLink"]
        .as_str()
        .unwrap()
        .split("/v1.0")
        .nth(1)
        .unwrap()
        .to_owned();
    let body = script.get_ok(&path).await;
    assert_eq!(names(&body), ["User5"]);
    assert!(body.get("@odata.nextLink").is_none());

    let body = script
        .get_ok("/users?$filter=userPrincipalName eq 'USER3@woodgrove.test' or displayName eq 'Admin1'&$orderby=displayName desc")
        .await;
    assert_eq!(
        names(&body),
        ["User3", "Admin1"],
        "eq ignores case, as Graph's does"
    );

    let one = script
        .get_ok(&format!("/users/{admin}?$select=userPrincipalName"))
        .await;
    assert_eq!(one["userPrincipalName"], "admin1@woodgrove.test");
    assert!(one.get("displayName").is_none());
}

#[tokio::test]
async fn bad_query_options_get_graph_error_bodies_never_a_500() {
    let app = spawn_app().await;
    let admin = app
        .create_user(
            "admin1@woodgrove.test",
            "Admin1",
            DirectoryRole::GlobalAdministrator,
        )
        .await;
    let script = Script::new(&app, token(&app, admin, &[Scope::UserRead]).await);
    for (path, code) in [
        ("/users?$foo=1", "BadRequest"),
        ("/users?$top=0", "BadRequest"),
        ("/users?$top=abc", "BadRequest"),
        ("/users?$filter=displayName eq", "BadRequest"),
        ("/users?$filter=nope eq 'x'", "BadRequest"),
        (
            "/users?$filter=endswith(displayName,'x')",
            "Request_UnsupportedQuery",
        ),
        ("/users?$orderby=mail", "Request_UnsupportedQuery"),
        ("/users?$select=password", "BadRequest"),
        ("/users?$skiptoken=garbage", "BadRequest"),
        ("/users/not-a-guid", "BadRequest"),
        ("/users?$expand=manager", "BadRequest"),
    ] {
        let response = script.get(path).await;
        assert_graph_error(response, StatusCode::BAD_REQUEST, code).await;
    }
    let missing = script
        .get(&format!("/users/{}", uuid::Uuid::new_v4()))
        .await;
    assert_graph_error(missing, StatusCode::NOT_FOUND, "ResourceNotFound").await;
    let nowhere = script.get("/nothing/here").await;
    assert_graph_error(nowhere, StatusCode::NOT_FOUND, "UnknownResource").await;
}

#[tokio::test]
async fn group_members_are_listed_added_and_removed_with_refs() {
    let app = spawn_app().await;
    let admin = app
        .create_user(
            "admin1@woodgrove.test",
            "Admin1",
            DirectoryRole::GlobalAdministrator,
        )
        .await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let group = app.create_group("Marketing resources").await;
    let script = Script::new(
        &app,
        token(&app, admin, &[Scope::GroupReadWrite, Scope::UserRead]).await,
    );
    let groups = script
        .get_ok("/groups?$filter=displayName eq 'marketing resources'")
        .await;
    assert_eq!(names(&groups), ["Marketing resources"]);
    assert_eq!(groups["value"][0]["securityEnabled"], true);

    let added = script
        .post(
            &format!("/groups/{group}/members/$ref"),
            json!({ "@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{user1}") }),
        )
        .await;
    assert_eq!(added.status(), StatusCode::NO_CONTENT);
    let members = script.get_ok(&format!("/groups/{group}/members")).await;
    assert_eq!(names(&members), ["User1"]);
    assert_eq!(members["value"][0]["@odata.type"], "#microsoft.graph.user");

    let again = script
        .post(
            &format!("/groups/{group}/members/$ref"),
            json!({ "@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{user1}") }),
        )
        .await;
    assert_graph_error(again, StatusCode::CONFLICT, "AlreadyMember").await;
    let bad = script
        .post(
            &format!("/groups/{group}/members/$ref"),
            json!({ "nope": 1 }),
        )
        .await;
    assert_graph_error(bad, StatusCode::BAD_REQUEST, "BadRequest").await;

    let removed = script
        .delete(&format!("/groups/{group}/members/{user1}/$ref"))
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let members = script.get_ok(&format!("/groups/{group}/members")).await;
    assert!(names(&members).is_empty());

    // The audit log says it was done through the API, with the token's name.
    use gatehouse::entities::audit_event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let rows = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq(gatehouse::domain::audit::ADD_MEMBER))
        .all(&app.db)
        .await
        .expect("audit");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].actor_id, Some(admin));
    assert_eq!(
        rows[0].actor_name,
        "admin1@woodgrove.test (API token “Test script”)"
    );
}
