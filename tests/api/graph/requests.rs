//! Requests, approvals and assignments through the API: the tutorial's steps 4 to 7, by
//! User1's and Admin1's own tokens.
use gatehouse::domain::catalog::CatalogRole;
use gatehouse::domain::principal::Scope;
use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Script, assert_graph_error, token};
use crate::builders::{PolicyOptions, policy};
use crate::helpers::{TestApp, spawn_app};

const EM: &str = "/identityGovernance/entitlementManagement";

struct Tutorial {
    app: TestApp,
    admin: Script,
    user: Script,
    user1: gatehouse::ids::UserId,
    group: gatehouse::ids::GroupId,
    package: gatehouse::ids::AccessPackageId,
    policy: gatehouse::ids::PolicyId,
}

async fn tutorial() -> Tutorial {
    let app = spawn_app().await;
    let super::People {
        admin1,
        user1,
        group,
    } = super::people(&app).await;
    let catalog = app.default_catalog().await;
    let package = app
        .create_package(catalog, "Web project access package", &[group])
        .await;
    let policy = app
        .create_policy(package, policy("Internal user policy", &[user1], &[admin1]))
        .await;
    let admin = Script::new(
        &app,
        token(
            &app,
            admin1,
            &[Scope::EntitlementManagementReadWrite, Scope::GroupRead],
        )
        .await,
    );
    let user = Script::new(
        &app,
        token(&app, user1, &[Scope::EntitlementManagementReadWrite]).await,
    );
    Tutorial {
        app,
        admin,
        user,
        user1,
        group,
        package,
        policy,
    }
}

async fn created(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

#[tokio::test]
async fn user1_requests_admin1_approves_and_access_is_delivered_then_removed() {
    let t = tutorial().await;
    // Step 4: User1 asks, as msgraph-sdk sends it.
    let request = created(
        t.user
            .post(
                &format!("{EM}/assignmentRequests"),
                json!({"assignment":{"accessPackageId":t.package.to_string(),"assignmentPolicyId":t.policy.to_string()},"justification":"Working on the web project","requestType":"userAdd"}),
            )
            .await,
    )
    .await;
    assert_eq!(request["state"], "pendingApproval");
    assert_eq!(request["requestType"], "userAdd");
    let request_id = request["id"].as_str().unwrap().to_owned();
    let mine = t
        .user
        .get_ok(&format!(
            "{EM}/assignmentRequests/filterByCurrentUser(on='target')?$expand=accessPackage"
        ))
        .await;
    assert_eq!(mine["value"][0]["id"], request_id);
    assert_eq!(
        mine["value"][0]["accessPackage"]["displayName"],
        "Web project access package"
    );
    // The same with the quotes percent-encoded.
    let encoded = t
        .user
        .get_ok(&format!(
            "{EM}/assignmentRequests/filterByCurrentUser(on=%27target%27)"
        ))
        .await;
    assert_eq!(encoded["value"][0]["id"], request_id);
    // User1 may not see everyone's requests, nor approve their own.
    assert!(
        t.user.get_ok(&format!("{EM}/assignmentRequests")).await["value"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let own = t
        .user
        .send(
            reqwest::Method::PATCH,
            &format!("{EM}/accessPackageAssignmentApprovals/{request_id}/stages/{request_id}"),
            Some(json!({"reviewResult":"Approve"})),
        )
        .await;
    assert_eq!(own.status(), StatusCode::NOT_FOUND);

    // Step 5: Admin1 finds it and approves.
    let pending = t
        .admin
        .get_ok(&format!(
            "{EM}/accessPackageAssignmentApprovals/filterByCurrentUser(on='approver')"
        ))
        .await;
    assert_eq!(pending["value"][0]["id"], request_id);
    let approval = t
        .admin
        .get_ok(&format!(
            "{EM}/accessPackageAssignmentApprovals/{request_id}"
        ))
        .await;
    let stage = &approval["stages"][0];
    assert_eq!(stage["reviewResult"], "NotReviewed");
    let stage_id = stage["id"].as_str().unwrap();
    let bad = t
        .admin
        .send(
            reqwest::Method::PATCH,
            &format!("{EM}/accessPackageAssignmentApprovals/{request_id}/stages/{stage_id}"),
            Some(json!({"reviewResult":"Maybe"})),
        )
        .await;
    assert_graph_error(bad, StatusCode::BAD_REQUEST, "BadRequest").await;
    let approved = t
        .admin
        .send(
            reqwest::Method::PATCH,
            &format!("{EM}/accessPackageAssignmentApprovals/{request_id}/stages/{stage_id}"),
            Some(json!({"reviewResult":"Approve","justification":"OK for the web project"})),
        )
        .await;
    assert_eq!(approved.status(), StatusCode::NO_CONTENT);
    let again = t
        .admin
        .send(
            reqwest::Method::PATCH,
            &format!("{EM}/assignmentApprovals/{request_id}/stages/{stage_id}"),
            Some(json!({"reviewResult":"Deny"})),
        )
        .await;
    assert_graph_error(again, StatusCode::CONFLICT, "AlreadyDecided").await;
    let decided = t
        .admin
        .get_ok(&format!(
            "{EM}/accessPackageAssignmentApprovals/{request_id}"
        ))
        .await;
    assert_eq!(decided["stages"][0]["reviewResult"], "Approve");
    assert_eq!(decided["stages"][0]["reviewedBy"]["displayName"], "Admin1");
    assert_eq!(
        decided["stages"][0]["justification"],
        "OK for the web project"
    );

    // Step 6: the assignment is delivered, and User1 is in the group.
    let assignments = t
        .admin
        .get_ok(&format!(
            "{EM}/assignments?$expand=target,accessPackage&$filter=state eq 'delivered'"
        ))
        .await;
    let assignment = &assignments["value"][0];
    assert_eq!(assignment["target"]["objectId"], t.user1.to_string());
    assert_eq!(assignment["accessPackage"]["id"], t.package.to_string());
    assert!(assignment["schedule"]["expiration"]["endDateTime"].is_string());
    let assignment_id = assignment["id"].as_str().unwrap().to_owned();
    let own = t
        .user
        .get_ok(&format!(
            "{EM}/assignments/filterByCurrentUser(on='target')"
        ))
        .await;
    assert_eq!(own["value"][0]["id"], assignment_id);
    let members = t
        .admin
        .get_ok(&format!("/groups/{}/members", t.group))
        .await;
    assert_eq!(members["value"][0]["id"], t.user1.to_string());
    let request = t
        .user
        .get_ok(&format!("{EM}/assignmentRequests/{request_id}"))
        .await;
    assert_eq!(request["state"], "delivered");
    assert_eq!(request["assignment"]["id"], assignment_id);

    // Step 7: Admin1 removes it.
    let removal = created(
        t.admin
            .post(
                &format!("{EM}/assignmentRequests"),
                json!({"assignment":{"id":assignment_id},"requestType":"adminRemove"}),
            )
            .await,
    )
    .await;
    assert_eq!(removal["requestType"], "adminRemove");
    let ended = t
        .admin
        .get_ok(&format!("{EM}/assignments/{assignment_id}"))
        .await;
    assert_eq!(ended["state"], "expired");
    assert_eq!(ended["status"], "Removed");
    let members = t
        .admin
        .get_ok(&format!("/groups/{}/members", t.group))
        .await;
    assert!(members["value"].as_array().unwrap().is_empty());
    let expired = t
        .admin
        .get_ok(&format!(
            "{EM}/assignments?$filter=state eq 'expired'&$count=true"
        ))
        .await;
    assert_eq!(expired["@odata.count"], 1);
}

#[tokio::test]
async fn an_administrator_assigns_directly_and_a_user_cancels_and_removes_their_own() {
    let t = tutorial().await;
    let direct = t
        .app
        .create_policy(
            t.package,
            policy("Direct", &[], &[]).direct_assignments_only(),
        )
        .await;
    let second = t
        .app
        .create_user("user2@woodgrove.test", "User2", DirectoryRole::User)
        .await;
    let assigned = created(
        t.admin
            .post(
                &format!("{EM}/assignmentRequests"),
                json!({"requestType":"adminAdd","assignment":{"targetId":second.to_string(),"accessPackageId":t.package.to_string(),"assignmentPolicyId":direct.to_string()},"schedule":{"expiration":{"endDateTime":"2026-12-20T00:00:00Z","type":"afterDateTime"}}}),
            )
            .await,
    )
    .await;
    assert_eq!(assigned["requestType"], "adminAdd");
    assert_eq!(assigned["state"], "delivered");

    // User1 asks and thinks better of it.
    let request = created(
        t.user
            .post(
                &format!("{EM}/assignmentRequests"),
                json!({"requestType":"userAdd","assignment":{"accessPackageId":t.package.to_string()},"justification":"Maybe"}),
            )
            .await,
    )
    .await;
    let id = request["id"].as_str().unwrap();
    let canceled = t
        .user
        .post(&format!("{EM}/assignmentRequests/{id}/cancel"), json!({}))
        .await;
    assert_eq!(canceled.status(), StatusCode::OK);
    let read = t
        .user
        .get_ok(&format!("{EM}/assignmentRequests/{id}"))
        .await;
    assert_eq!(read["state"], "canceled");
    // Someone else's request is not there for User1.
    let others = t
        .user
        .get(&format!(
            "{EM}/assignmentRequests/{}",
            assigned["id"].as_str().unwrap()
        ))
        .await;
    assert_graph_error(others, StatusCode::NOT_FOUND, "ResourceNotFound").await;

    for (body, status) in [
        (json!({"requestType":"userAdd"}), StatusCode::BAD_REQUEST),
        (json!({"requestType":"everything"}), StatusCode::BAD_REQUEST),
        (
            json!({"requestType":"userAdd","assignment":{"accessPackageId":"nope"}}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"requestType":"userAdd","assignment":{"accessPackageId":t.package.to_string()},"schedule":{"startDateTime":"tomorrow"}}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"requestType":"adminAdd","assignment":{"targetId":second.to_string(),"accessPackageId":t.package.to_string(),"assignmentPolicyId":direct.to_string()}}),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let response = t
            .user
            .post(&format!("{EM}/assignmentRequests"), body.clone())
            .await;
        assert_eq!(response.status(), status, "{body}");
        let error: Value = response.json().await.unwrap();
        assert!(error["error"]["code"].is_string(), "{error}");
    }

    // User2 gives their access back.
    let user2 = Script::new(
        &t.app,
        token(&t.app, second, &[Scope::EntitlementManagementReadWrite]).await,
    );
    let theirs = user2
        .get_ok(&format!(
            "{EM}/assignments/filterByCurrentUser(on='target')"
        ))
        .await;
    let assignment = theirs["value"][0]["id"].as_str().unwrap().to_owned();
    let removal = created(
        user2
            .post(
                &format!("{EM}/assignmentRequests"),
                json!({"requestType":"userRemove","assignment":{"id":assignment}}),
            )
            .await,
    )
    .await;
    assert_eq!(removal["requestType"], "userRemove");
    let ended = user2
        .get_ok(&format!("{EM}/assignments/{assignment}"))
        .await;
    assert_eq!(ended["state"], "expired");
}

#[tokio::test]
async fn catalog_managers_see_the_requests_and_assignments_of_their_catalogs_only() {
    let t = tutorial().await;
    t.app.submit_request(t.user1, t.package).await;
    let manager = t
        .app
        .create_user("manager@woodgrove.test", "Manager", DirectoryRole::User)
        .await;
    let elsewhere = t.app.create_catalog("Elsewhere").await;
    t.app
        .grant_catalog_role(elsewhere, manager, CatalogRole::Owner)
        .await;
    let script = Script::new(
        &t.app,
        token(&t.app, manager, &[Scope::EntitlementManagementRead]).await,
    );
    let requests = script.get_ok(&format!("{EM}/assignmentRequests")).await;
    assert!(requests["value"].as_array().unwrap().is_empty());
    let all = t
        .admin
        .get_ok(&format!(
            "{EM}/assignmentRequests?$filter=requestType eq 'userAdd'&$orderby=createdDateTime desc"
        ))
        .await;
    assert_eq!(all["value"].as_array().unwrap().len(), 1);
    let other_catalog = t.app.default_catalog().await;
    t.app
        .grant_catalog_role(other_catalog, manager, CatalogRole::Reader)
        .await;
    let requests = script.get_ok(&format!("{EM}/assignmentRequests")).await;
    assert_eq!(requests["value"].as_array().unwrap().len(), 1);
}
