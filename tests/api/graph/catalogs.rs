//! Catalogs, their resources and access packages through the API: the tutorial's step 2.
use gatehouse::domain::catalog::CatalogRole;
use gatehouse::domain::principal::Scope;
use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Script, assert_graph_error, names, token};
use crate::helpers::spawn_app;

const EM: &str = "/identityGovernance/entitlementManagement";

#[tokio::test]
async fn the_tutorials_access_package_is_built_through_the_api() {
    let app = spawn_app().await;
    let admin = app
        .create_user(
            "admin1@woodgrove.test",
            "Admin1",
            DirectoryRole::GlobalAdministrator,
        )
        .await;
    let group = app.create_group("Marketing resources").await;
    let script = Script::new(
        &app,
        token(&app, admin, &[Scope::EntitlementManagementReadWrite]).await,
    );

    let catalogs = script
        .get_ok(&format!("{EM}/catalogs?$filter=state eq 'published'"))
        .await;
    let general = catalogs["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["catalogType"] == "serviceDefault")
        .expect("the default catalog");
    let catalog = general["id"].as_str().unwrap().to_owned();

    // Adding the group to the catalog, as msgraph-sdk sends it.
    let added = script
        .post(
            &format!("{EM}/resourceRequests"),
            json!({"catalog":{"id":catalog},"requestType":"adminAdd","resource":{"originId":group.to_string(),"originSystem":"AadGroup"}}),
        )
        .await;
    assert_eq!(added.status(), StatusCode::CREATED);
    let added: Value = added.json().await.unwrap();
    assert_eq!(added["state"], "delivered");
    assert_eq!(added["resource"]["displayName"], "Marketing resources");
    let resources = script
        .get_ok(&format!("{EM}/catalogs/{catalog}/resources"))
        .await;
    assert_eq!(names(&resources), ["Marketing resources"]);
    assert_eq!(resources["value"][0]["originId"], group.to_string());
    let resource_id = resources["value"][0]["id"].as_str().unwrap().to_owned();

    let made = script
        .post(
            &format!("{EM}/accessPackages"),
            json!({"catalog":{"id":catalog},"description":"Access package for the Engineering web project","displayName":"Web project access package"}),
        )
        .await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let package: Value = made.json().await.unwrap();
    let package_id = package["id"].as_str().unwrap().to_owned();

    let scope = script
        .post(
            &format!("{EM}/accessPackages/{package_id}/resourceRoleScopes"),
            json!({"role":{"originId":format!("Member_{group}"),"originSystem":"AadGroup","resource":{"id":resource_id,"originId":group.to_string(),"originSystem":"AadGroup"}},"scope":{"originId":group.to_string(),"originSystem":"AadGroup"}}),
        )
        .await;
    assert_eq!(scope.status(), StatusCode::CREATED);
    let again = script
        .post(
            &format!("{EM}/accessPackages/{package_id}/resourceRoleScopes"),
            json!({"role":{"originId":format!("Member_{group}"),"originSystem":"AadGroup"},"scope":{"originId":group.to_string(),"originSystem":"AadGroup"}}),
        )
        .await;
    assert_graph_error(again, StatusCode::CONFLICT, "AlreadyResourceRole").await;

    let read = script
        .get_ok(&format!(
            "{EM}/accessPackages/{package_id}?$expand=resourceRoleScopes($expand=role,scope),catalog"
        ))
        .await;
    assert_eq!(read["displayName"], "Web project access package");
    assert_eq!(read["catalog"]["id"], catalog);
    let scopes = read["resourceRoleScopes"].as_array().unwrap();
    assert_eq!(scopes.len(), 1);
    assert_eq!(scopes[0]["role"]["originId"], format!("Member_{group}"));
    assert_eq!(scopes[0]["scope"]["originId"], group.to_string());
    let without = script
        .get_ok(&format!("{EM}/accessPackages/{package_id}"))
        .await;
    assert!(
        without.get("resourceRoleScopes").is_none(),
        "only with $expand"
    );

    let listed = script
        .get_ok(&format!("{EM}/catalogs/{catalog}/accessPackages?$filter=startswith(displayName,'web')&$count=true"))
        .await;
    assert_eq!(names(&listed), ["Web project access package"]);
    assert_eq!(listed["@odata.count"], 1);

    let changed = script
        .send(
            reqwest::Method::PATCH,
            &format!("{EM}/accessPackages/{package_id}"),
            Some(json!({"description": "Changed", "isHidden": true})),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    let read = script
        .get_ok(&format!(
            "{EM}/accessPackages/{package_id}?$select=description,isHidden"
        ))
        .await;
    assert_eq!(read["description"], "Changed");
    assert_eq!(read["isHidden"], true);
    assert!(read.get("displayName").is_none());

    // The group stays in the catalog while the package grants it.
    let refused = script
        .post(
            &format!("{EM}/resourceRequests"),
            json!({"catalog":{"id":catalog},"requestType":"adminRemove","resource":{"originId":group.to_string()}}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let scope_id = scopes[0]["id"].as_str().unwrap();
    let removed = script
        .delete(&format!(
            "{EM}/accessPackages/{package_id}/resourceRoleScopes/{scope_id}"
        ))
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let gone = script
        .delete(&format!("{EM}/accessPackages/{package_id}"))
        .await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    assert_graph_error(
        script
            .get(&format!("{EM}/accessPackages/{package_id}"))
            .await,
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
    )
    .await;
}

#[tokio::test]
async fn catalogs_are_created_changed_and_deleted_and_bad_bodies_get_400() {
    let app = spawn_app().await;
    let admin = app
        .create_user(
            "admin1@woodgrove.test",
            "Admin1",
            DirectoryRole::GlobalAdministrator,
        )
        .await;
    let script = Script::new(
        &app,
        token(&app, admin, &[Scope::EntitlementManagementReadWrite]).await,
    );
    let made = script
        .post(
            &format!("{EM}/catalogs"),
            json!({"displayName":"Marketing","description":"For marketing","state":"unpublished"}),
        )
        .await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let made: Value = made.json().await.unwrap();
    assert_eq!(made["state"], "unpublished");
    assert_eq!(made["catalogType"], "userManaged");
    let id = made["id"].as_str().unwrap();
    let changed = script
        .send(
            reqwest::Method::PATCH,
            &format!("{EM}/catalogs/{id}"),
            Some(json!({"state":"published"})),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    let read = script.get_ok(&format!("{EM}/catalogs/{id}")).await;
    assert_eq!(read["state"], "published");
    assert_eq!(
        read["description"], "For marketing",
        "PATCH keeps what it does not name"
    );

    for body in [
        json!({"description":"no name"}),
        json!({"displayName": 5}),
        json!({"displayName":"X","state":"archived"}),
        json!({"displayName":"Marketing"}),
    ] {
        let response = script.post(&format!("{EM}/catalogs"), body.clone()).await;
        assert!(
            response.status() == StatusCode::BAD_REQUEST
                || response.status() == StatusCode::CONFLICT,
            "{body}: {}",
            response.status()
        );
        let error: Value = response.json().await.unwrap();
        assert!(error["error"]["code"].is_string(), "{error}");
    }
    let not_json = reqwest::Client::new()
        .post(format!("{}{EM}/catalogs", script.base))
        .bearer_auth(&script.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_graph_error(not_json, StatusCode::BAD_REQUEST, "BadRequest").await;

    let deleted = script.delete(&format!("{EM}/catalogs/{id}")).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let catalogs = script.get_ok(&format!("{EM}/catalogs")).await;
    assert!(!names(&catalogs).contains(&"Marketing".to_owned()));
}

#[tokio::test]
async fn people_see_only_the_catalogs_they_hold_a_role_in() {
    let app = spawn_app().await;
    let owner = app
        .create_user("owner@woodgrove.test", "Owner", DirectoryRole::User)
        .await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let mine = app.create_catalog("Mine").await;
    let theirs = app.create_catalog("Theirs").await;
    app.grant_catalog_role(mine, owner, CatalogRole::Owner)
        .await;
    let package = app.create_package(theirs, "Hidden package", &[]).await;

    let as_owner = Script::new(
        &app,
        token(&app, owner, &[Scope::EntitlementManagementReadWrite]).await,
    );
    assert_eq!(
        names(&as_owner.get_ok(&format!("{EM}/catalogs")).await),
        ["Mine"]
    );
    assert_graph_error(
        as_owner.get(&format!("{EM}/catalogs/{theirs}")).await,
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
    )
    .await;
    assert_graph_error(
        as_owner
            .get(&format!("{EM}/accessPackages/{package}"))
            .await,
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
    )
    .await;
    assert!(names(&as_owner.get_ok(&format!("{EM}/accessPackages")).await).is_empty());
    let made = as_owner
        .post(
            &format!("{EM}/accessPackages"),
            json!({"catalog":{"id":theirs.to_string()},"displayName":"Sneaky"}),
        )
        .await;
    assert_graph_error(made, StatusCode::NOT_FOUND, "ResourceNotFound").await;

    let as_user = Script::new(
        &app,
        token(&app, user1, &[Scope::EntitlementManagementRead]).await,
    );
    assert!(names(&as_user.get_ok(&format!("{EM}/catalogs")).await).is_empty());
    let write = as_user
        .post(&format!("{EM}/catalogs"), json!({"displayName":"Mine too"}))
        .await;
    assert_graph_error(write, StatusCode::FORBIDDEN, "Authorization_RequestDenied").await;
}
