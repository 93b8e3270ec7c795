//! Assignment policies through the API: the tutorial's step 3 as a Graph SDK sends it,
//! OData options, replacing and deleting, and who may see and change which policies.
use gatehouse::domain::audit;
use gatehouse::domain::catalog::CatalogRole;
use gatehouse::domain::policy::{Expiration, PolicySpec, Subject, TargetScope};
use gatehouse::domain::principal::Scope;
use gatehouse::domain::user::DirectoryRole;
use gatehouse::ids::{AccessPackageId, UserId};
use gatehouse::store;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Script, assert_graph_error, names, token};
use crate::builders::{PolicyOptions, policy};
use crate::helpers::{TestApp, audit_count, spawn_app};

const POLICIES: &str = "/identityGovernance/entitlementManagement/assignmentPolicies";

/// Woodgrove's directory from the tutorial: Admin1 (Global administrator), User1, and the
/// Marketing Campaign package in the General catalog.
struct Woodgrove {
    app: TestApp,
    admin: UserId,
    user1: UserId,
    package: AccessPackageId,
}

async fn woodgrove() -> Woodgrove {
    let app = spawn_app().await;
    let super::People {
        admin1: admin,
        user1,
        group,
    } = super::people(&app).await;
    let catalog = app.default_catalog().await;
    let package = app
        .create_package(catalog, "Marketing Campaign", &[group])
        .await;
    Woodgrove {
        app,
        admin,
        user1,
        package,
    }
}

/// What Microsoft's Python SDK sends for the tutorial's step 3.
fn tutorial_body(package: AccessPackageId, admin: UserId, user1: UserId) -> Value {
    json!({
        "accessPackage": {"id": package.to_string()},
        "allowedTargetScope": "specificDirectoryUsers",
        "description": "Allows users in this directory to request access to web project resources",
        "displayName": "Internal user policy",
        "expiration": {"duration": "P30D", "type": "afterDuration"},
        "requestApprovalSettings": {
            "isApprovalRequiredForAdd": true,
            "isApprovalRequiredForUpdate": false,
            "stages": [{
                "durationBeforeAutomaticDenial": "P14D",
                "isApproverJustificationRequired": false,
                "isEscalationEnabled": false,
                "primaryApprovers": [
                    {"@odata.type": "#microsoft.graph.singleUser", "userId": admin.to_string()}
                ]
            }]
        },
        "requestorSettings": {
            "allowCustomAssignmentSchedule": false,
            "enableOnBehalfRequestorsToAddAccess": false,
            "enableOnBehalfRequestorsToRemoveAccess": false,
            "enableOnBehalfRequestorsToUpdateAccess": false,
            "enableTargetsToSelfAddAccess": true,
            "enableTargetsToSelfRemoveAccess": false,
            "enableTargetsToSelfUpdateAccess": false,
            "onBehalfRequestors": []
        },
        "specificAllowedTargets": [
            {"@odata.type": "#microsoft.graph.singleUser", "description": "User1", "userId": user1.to_string()}
        ]
    })
}

impl Script {
    async fn put(&self, path: &str, body: Value) -> reqwest::Response {
        self.send(Method::PUT, path, Some(body)).await
    }
}

async fn policies_of(app: &TestApp, package: AccessPackageId) -> Vec<PolicySpec> {
    store::packages::policies(&app.db, package)
        .await
        .expect("database")
        .into_iter()
        .map(|p| p.spec)
        .collect()
}

#[tokio::test]
async fn the_tutorials_step_3_body_creates_the_policy_the_portal_shows() {
    let w = woodgrove().await;
    let script = Script::new(
        &w.app,
        token(&w.app, w.admin, &[Scope::EntitlementManagementReadWrite]).await,
    );

    let response = script
        .post(POLICIES, tutorial_body(w.package, w.admin, w.user1))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["displayName"], "Internal user policy");
    assert_eq!(body["allowedTargetScope"], "specificDirectoryUsers");
    assert_eq!(
        body["expiration"],
        json!({"type": "afterDuration", "duration": "P30D", "endDateTime": null})
    );
    assert_eq!(
        body["specificAllowedTargets"],
        json!([{"@odata.type": "#microsoft.graph.singleUser", "userId": w.user1.to_string(), "description": "User1"}])
    );
    let stage = &body["requestApprovalSettings"]["stages"][0];
    assert_eq!(stage["durationBeforeAutomaticDenial"], "P14D");
    assert_eq!(stage["primaryApprovers"][0]["userId"], w.admin.to_string());
    assert_eq!(stage["primaryApprovers"][0]["description"], "Admin1");
    assert_eq!(
        body["requestorSettings"]["enableTargetsToSelfAddAccess"],
        true
    );
    assert!(body["@odata.context"].as_str().unwrap().ends_with(
        "$metadata#identityGovernance/entitlementManagement/assignmentPolicies/$entity"
    ));

    // The portal reads the same policy: 30 days, Admin1 approves, User1 may ask.
    let stored = policies_of(&w.app, w.package).await;
    assert_eq!(stored.len(), 1);
    let spec = &stored[0];
    assert_eq!(spec.display_name, "Internal user policy");
    assert_eq!(spec.expiration, Expiration::Days(30));
    assert_eq!(spec.approvers, vec![w.admin]);
    assert_eq!(spec.requestors, vec![Subject::User(w.user1)]);
    assert!(spec.approval_required);
    assert!(!spec.custom_schedule);
    assert!(
        spec.requestor_justification_required,
        "left out, it takes Gatehouse's default"
    );
    assert_eq!(
        audit_count(&w.app, audit::ADD_POLICY, "Internal user policy").await,
        1
    );

    let id = body["id"].as_str().unwrap();
    let again = script.get_ok(&format!("{POLICIES}/{id}")).await;
    assert_eq!(again["displayName"], "Internal user policy");
}

#[tokio::test]
async fn policies_are_filtered_ordered_expanded_selected_and_paged() {
    let w = woodgrove().await;
    let catalog = w.app.default_catalog().await;
    let other = w.app.create_package(catalog, "Sales", &[]).await;
    w.app
        .create_policy(
            w.package,
            policy("Internal user policy", &[w.user1], &[w.admin]),
        )
        .await;
    w.app
        .create_policy(
            w.package,
            PolicySpec {
                scope: TargetScope::AllMemberUsers,
                requestors: Vec::new(),
                ..policy("Everyone", &[], &[])
            },
        )
        .await;
    w.app
        .create_policy(
            other,
            policy("Internal sales", &[w.user1], &[]).expires(Expiration::Hours(8)),
        )
        .await;
    let script = Script::new(
        &w.app,
        token(&w.app, w.admin, &[Scope::EntitlementManagementRead]).await,
    );

    let all = script.get_ok(POLICIES).await;
    assert_eq!(
        names(&all),
        ["Everyone", "Internal sales", "Internal user policy"]
    );
    let filtered = script
        .get_ok(&format!(
            "{POLICIES}?$filter=startswith(displayName,'internal')&$orderby=displayName desc&$count=true&$top=1"
        ))
        .await;
    assert_eq!(names(&filtered), ["Internal user policy"]);
    assert_eq!(filtered["@odata.count"], 2);
    let next = filtered["@odata.nextLink"].as_str().expect("a next page");
    let rest = script.get_ok(next.split("/v1.0").nth(1).unwrap()).await;
    assert_eq!(names(&rest), ["Internal sales"]);
    assert_eq!(rest["value"][0]["expiration"]["duration"], "PT8H");

    let everyone = script
        .get_ok(&format!(
            "{POLICIES}?$filter=allowedTargetScope eq 'allMemberUsers'"
        ))
        .await;
    assert_eq!(names(&everyone), ["Everyone"]);

    let expanded = script
        .get_ok(&format!(
            "{POLICIES}?$expand=accessPackage&$select=displayName&$orderby=createdDateTime"
        ))
        .await;
    let first = &expanded["value"][0];
    assert_eq!(first["displayName"], "Internal user policy");
    assert_eq!(first["accessPackage"]["id"], w.package.to_string());
    assert_eq!(first["accessPackage"]["displayName"], "Marketing Campaign");
    assert!(
        first.get("expiration").is_none(),
        "$select keeps only what it names"
    );

    let nested = script
        .get_ok(&format!(
            "{POLICIES}?$expand=accessPackage($select=displayName)"
        ))
        .await;
    assert!(
        nested["value"][0]["accessPackage"]
            .get("description")
            .is_none()
    );
    let plain = script.get_ok(POLICIES).await;
    assert!(plain["value"][0].get("accessPackage").is_none());

    let of_package = script
        .get_ok(&format!(
            "/identityGovernance/entitlementManagement/accessPackages/{}/assignmentPolicies",
            w.package
        ))
        .await;
    assert_eq!(names(&of_package), ["Everyone", "Internal user policy"]);

    for (path, code) in [
        (
            format!("{POLICIES}?$filter=expiration eq 'x'"),
            "Request_UnsupportedQuery",
        ),
        (
            format!("{POLICIES}?$filter=allowedTargetScope eq 'allExternalUsers'"),
            "BadRequest",
        ),
        (
            format!("{POLICIES}?$orderby=description"),
            "Request_UnsupportedQuery",
        ),
        (format!("{POLICIES}?$expand=catalog"), "BadRequest"),
        (format!("{POLICIES}/not-a-guid"), "BadRequest"),
    ] {
        assert_graph_error(script.get(&path).await, StatusCode::BAD_REQUEST, code).await;
    }
}

#[tokio::test]
async fn replacing_a_policy_changes_its_settings_and_is_audited() {
    let w = woodgrove().await;
    let disabled = PolicySpec {
        enabled: false,
        ..policy("Internal user policy", &[w.user1], &[w.admin])
    };
    let id = w.app.create_policy(w.package, disabled).await;
    let script = Script::new(
        &w.app,
        token(&w.app, w.admin, &[Scope::EntitlementManagementReadWrite]).await,
    );

    let mut body = tutorial_body(w.package, w.admin, w.user1);
    body["expiration"] = json!({"type": "afterDuration", "duration": "PT8H"});
    body["requestorSettings"]["enableTargetsToSelfUpdateAccess"] = json!(true);
    let response = script.put(&format!("{POLICIES}/{id}"), body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["expiration"]["duration"], "PT8H");
    assert_eq!(
        answer["requestorSettings"]["enableTargetsToSelfUpdateAccess"],
        true
    );

    let spec = &policies_of(&w.app, w.package).await[0];
    assert_eq!(spec.expiration, Expiration::Hours(8));
    assert!(spec.extend);
    assert!(
        !spec.enabled,
        "Graph cannot say whether a policy is enabled, so replacing it keeps that"
    );
    assert_eq!(
        audit_count(&w.app, audit::UPDATE_POLICY, "Internal user policy").await,
        1
    );

    let elsewhere = json!({"accessPackage": {"id": uuid::Uuid::new_v4().to_string()}});
    let moved = script.put(&format!("{POLICIES}/{id}"), elsewhere).await;
    assert_graph_error(moved, StatusCode::BAD_REQUEST, "BadRequest").await;
    let missing = script
        .put(
            &format!("{POLICIES}/{}", uuid::Uuid::new_v4()),
            tutorial_body(w.package, w.admin, w.user1),
        )
        .await;
    assert_graph_error(missing, StatusCode::NOT_FOUND, "ResourceNotFound").await;
}

#[tokio::test]
async fn a_deleted_policy_is_gone_and_its_deletion_audited() {
    let w = woodgrove().await;
    let id = w
        .app
        .create_policy(w.package, policy("Internal user policy", &[w.user1], &[]))
        .await;
    let script = Script::new(
        &w.app,
        token(&w.app, w.admin, &[Scope::EntitlementManagementReadWrite]).await,
    );

    let deleted = script.delete(&format!("{POLICIES}/{id}")).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let gone = script.get(&format!("{POLICIES}/{id}")).await;
    assert_graph_error(gone, StatusCode::NOT_FOUND, "ResourceNotFound").await;
    let again = script.delete(&format!("{POLICIES}/{id}")).await;
    assert_graph_error(again, StatusCode::NOT_FOUND, "ResourceNotFound").await;
    assert!(policies_of(&w.app, w.package).await.is_empty());
    assert_eq!(
        audit_count(&w.app, audit::DELETE_POLICY, "Internal user policy").await,
        1
    );
}

#[tokio::test]
async fn a_policy_with_requests_is_not_deleted() {
    let w = woodgrove().await;
    let id = w
        .app
        .create_policy(
            w.package,
            policy("Internal user policy", &[w.user1], &[w.admin]),
        )
        .await;
    w.app.submit_request(w.user1, w.package).await;
    let script = Script::new(
        &w.app,
        token(&w.app, w.admin, &[Scope::EntitlementManagementReadWrite]).await,
    );
    let refused = script.delete(&format!("{POLICIES}/{id}")).await;
    assert_graph_error(refused, StatusCode::CONFLICT, "InUse").await;
    assert_eq!(policies_of(&w.app, w.package).await.len(), 1);
}

#[tokio::test]
async fn nobody_sees_or_changes_policies_of_catalogs_they_cannot_read() {
    let w = woodgrove().await;
    let general = w
        .app
        .create_policy(
            w.package,
            policy("Internal user policy", &[w.user1], &[w.admin]),
        )
        .await;
    let sales = w.app.create_catalog("Sales").await;
    let owner = w
        .app
        .create_user("owner@woodgrove.test", "Sales owner", DirectoryRole::User)
        .await;
    w.app
        .grant_catalog_role(sales, owner, CatalogRole::Owner)
        .await;
    let sales_package = w.app.create_package(sales, "Leads", &[]).await;
    w.app
        .create_policy(sales_package, policy("Sales policy", &[owner], &[]))
        .await;
    let reader = w
        .app
        .create_user("reader@woodgrove.test", "Reader", DirectoryRole::User)
        .await;
    w.app
        .grant_catalog_role(w.app.default_catalog().await, reader, CatalogRole::Reader)
        .await;

    let write = [Scope::EntitlementManagementReadWrite];
    let mine = format!("{POLICIES}/{general}");
    let package_list = format!(
        "/identityGovernance/entitlementManagement/accessPackages/{}/assignmentPolicies",
        w.package
    );
    for person in [owner, w.user1] {
        let script = Script::new(&w.app, token(&w.app, person, &write).await);
        let listed = script.get_ok(POLICIES).await;
        assert!(
            !names(&listed).contains(&"Internal user policy".to_owned()),
            "{listed}"
        );
        for response in [
            script.get(&mine).await,
            script.get(&package_list).await,
            script
                .put(&mine, tutorial_body(w.package, w.admin, w.user1))
                .await,
            script.delete(&mine).await,
            script
                .post(POLICIES, tutorial_body(w.package, w.admin, w.user1))
                .await,
        ] {
            assert_graph_error(response, StatusCode::NOT_FOUND, "ResourceNotFound").await;
        }
    }
    let owners = Script::new(&w.app, token(&w.app, owner, &write).await);
    assert_eq!(names(&owners.get_ok(POLICIES).await), ["Sales policy"]);
    let plain = Script::new(&w.app, token(&w.app, w.user1, &write).await);
    assert!(names(&plain.get_ok(POLICIES).await).is_empty());

    // A catalog reader sees the policy but may not change it.
    let readers = Script::new(&w.app, token(&w.app, reader, &write).await);
    assert_eq!(
        readers.get_ok(&mine).await["displayName"],
        "Internal user policy"
    );
    let refused = readers.delete(&mine).await;
    assert_graph_error(
        refused,
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
    )
    .await;
    assert_eq!(policies_of(&w.app, w.package).await.len(), 1);
}

#[tokio::test]
async fn bad_bodies_get_graph_400s_and_write_nothing() {
    let w = woodgrove().await;
    let script = Script::new(
        &w.app,
        token(&w.app, w.admin, &[Scope::EntitlementManagementReadWrite]).await,
    );
    let good = tutorial_body(w.package, w.admin, w.user1);
    let with = |pointer: &str, value: Value| {
        let mut body = good.clone();
        *body.pointer_mut(pointer).expect("the body has it") = value;
        body
    };
    let stage = good["requestApprovalSettings"]["stages"][0].clone();
    for (body, target) in [
        (
            with("/allowedTargetScope", json!("allExternalUsers")),
            Some("allowedTargetScope"),
        ),
        (
            with("/requestApprovalSettings/stages", json!([stage, stage])),
            Some("requestApprovalSettings.stages"),
        ),
        (
            with("/requestApprovalSettings/stages", json!([])),
            Some("requestApprovalSettings.stages.primaryApprovers"),
        ),
        (
            with("/expiration/duration", json!("P1Y2M")),
            Some("expiration.duration"),
        ),
        (
            with("/expiration/duration", json!("P9999D")),
            Some("expiration.duration"),
        ),
        (with("/displayName", json!("")), Some("displayName")),
        (
            with(
                "/specificAllowedTargets",
                json!([{"@odata.type": "#microsoft.graph.requestorManager"}]),
            ),
            Some("specificAllowedTargets"),
        ),
        (
            with(
                "/requestorSettings/onBehalfRequestors",
                json!([{"userId": w.admin.to_string()}]),
            ),
            Some("requestorSettings.onBehalfRequestors"),
        ),
        (
            with("/accessPackage", json!(null)),
            Some("accessPackage.id"),
        ),
        (with("/displayName", json!(5)), None),
        (with("/requestApprovalSettings/stages", json!("one")), None),
        (json!([1, 2]), None),
    ] {
        let response = script.post(POLICIES, body).await;
        let error = assert_graph_error(response, StatusCode::BAD_REQUEST, "BadRequest").await;
        if let Some(target) = target {
            assert_eq!(error["error"]["details"][0]["target"], target, "{error}");
        }
    }
    assert!(policies_of(&w.app, w.package).await.is_empty());
    assert_eq!(
        audit_count(&w.app, audit::ADD_POLICY, "Internal user policy").await,
        0
    );

    let unknown_package = with(
        "/accessPackage",
        json!({"id": uuid::Uuid::new_v4().to_string()}),
    );
    let response = script.post(POLICIES, unknown_package).await;
    assert_graph_error(response, StatusCode::NOT_FOUND, "ResourceNotFound").await;
}

#[tokio::test]
async fn unknown_properties_are_ignored_and_the_beta_package_id_accepted() {
    let w = woodgrove().await;
    let script = Script::new(
        &w.app,
        token(&w.app, w.admin, &[Scope::EntitlementManagementReadWrite]).await,
    );
    let body = json!({
        "@odata.type": "#microsoft.graph.accessPackageAssignmentPolicy",
        "accessPackageId": w.package.to_string(),
        "displayName": "Everyone",
        "allowedTargetScope": "allMemberUsers",
        "notificationSettings": {"anything": true},
        "requestApprovalSettings": {"isApprovalRequiredForAdd": false, "stages": []},
        "expiration": {"type": "noExpiration"}
    });
    let response = script.post(POLICIES, body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let spec = &policies_of(&w.app, w.package).await[0];
    assert_eq!(spec.scope, TargetScope::AllMemberUsers);
    assert_eq!(spec.expiration, Expiration::Never);
    assert!(!spec.approval_required);
}

#[tokio::test]
async fn a_read_only_token_reads_policies_but_cannot_write_them() {
    let w = woodgrove().await;
    let id = w
        .app
        .create_policy(
            w.package,
            policy("Internal user policy", &[w.user1], &[w.admin]),
        )
        .await;
    let script = Script::new(
        &w.app,
        token(&w.app, w.admin, &[Scope::EntitlementManagementRead]).await,
    );
    assert_eq!(
        names(&script.get_ok(POLICIES).await),
        ["Internal user policy"]
    );
    let one = format!("{POLICIES}/{id}");
    for response in [
        script
            .post(POLICIES, tutorial_body(w.package, w.admin, w.user1))
            .await,
        script
            .put(&one, tutorial_body(w.package, w.admin, w.user1))
            .await,
        script.delete(&one).await,
    ] {
        assert_graph_error(
            response,
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
        )
        .await;
    }
    assert_eq!(policies_of(&w.app, w.package).await.len(), 1);

    let directory_only = Script::new(&w.app, token(&w.app, w.admin, &[Scope::UserRead]).await);
    let refused = directory_only.get(POLICIES).await;
    assert_graph_error(
        refused,
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
    )
    .await;
}

#[tokio::test]
async fn the_openapi_document_describes_the_policy_endpoints() {
    let app = spawn_app().await;
    let doc: Value = reqwest::get(format!("{}/openapi.json", app.address))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = &doc["paths"];
    let one = &paths[format!("/v1.0{POLICIES}/{{id}}")];
    for method in ["get", "put", "delete"] {
        assert!(one.get(method).is_some(), "{method}");
    }
    assert!(paths[format!("/v1.0{POLICIES}")].get("post").is_some());
    assert!(
        paths["/v1.0/identityGovernance/entitlementManagement/accessPackages/{id}/assignmentPolicies"]
            .get("get")
            .is_some()
    );
    assert!(doc["components"]["schemas"]["AccessPackageAssignmentPolicy"].is_object());
}
