//! Microsoft's tutorial through the API alone, with `reqwest`: Admin1 builds the access
//! package and its policy, User1 asks, Admin1 approves, the assignment is seen and removed.
use gatehouse::domain::principal::Scope;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Script, names, token};
use crate::helpers::spawn_app;

const EM: &str = "/identityGovernance/entitlementManagement";

async fn created(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

#[tokio::test]
async fn the_tutorial_runs_through_the_api_alone() {
    let app = spawn_app().await;
    let people = super::people(&app).await;
    let (group, user1) = (people.group.to_string(), people.user1.to_string());
    let admin = Script::new(
        &app,
        token(
            &app,
            people.admin1,
            &[Scope::EntitlementManagementReadWrite, Scope::GroupRead],
        )
        .await,
    );
    let user = Script::new(
        &app,
        token(&app, people.user1, &[Scope::EntitlementManagementReadWrite]).await,
    );

    // Step 2: the group into the Default catalog, the package, the Member role.
    let catalogs = admin
        .get_ok(&format!(
            "{EM}/catalogs?$filter=displayName eq 'Default catalog'"
        ))
        .await;
    let catalog = catalogs["value"][0]["id"]
        .as_str()
        .expect("a catalog")
        .to_owned();
    created(
        admin
            .post(
                &format!("{EM}/resourceRequests"),
                json!({"requestType":"adminAdd","catalog":{"id":catalog},"resource":{"originId":group,"originSystem":"AadGroup"}}),
            )
            .await,
    )
    .await;
    let package = created(
        admin
            .post(
                &format!("{EM}/accessPackages"),
                json!({"displayName":"Web project access package","description":"Access package for the Engineering web project","catalog":{"id":catalog}}),
            )
            .await,
    )
    .await["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    created(
        admin
            .post(
                &format!("{EM}/accessPackages/{package}/resourceRoleScopes"),
                json!({"role":{"originId":format!("Member_{group}"),"originSystem":"AadGroup"},"scope":{"originId":group,"originSystem":"AadGroup"}}),
            )
            .await,
    )
    .await;

    // Step 3: the policy.
    let policy = created(
        admin
            .post(
                &format!("{EM}/assignmentPolicies"),
                json!({
                    "displayName": "Internal user policy",
                    "description": "Allows users in this directory to request access to web project resources",
                    "accessPackage": {"id": package},
                    "allowedTargetScope": "specificDirectoryUsers",
                    "specificAllowedTargets": [{"@odata.type": "#microsoft.graph.singleUser", "userId": user1}],
                    "expiration": {"type": "afterDuration", "duration": "P30D"},
                    "requestApprovalSettings": {"isApprovalRequiredForAdd": true, "stages": [{
                        "durationBeforeAutomaticDenial": "P14D",
                        "primaryApprovers": [{"@odata.type": "#microsoft.graph.singleUser", "userId": people.admin1.to_string()}]
                    }]}
                }),
            )
            .await,
    )
    .await["id"]
        .as_str()
        .expect("an id")
        .to_owned();

    // Step 4: User1 asks.
    let request = created(
        user.post(
            &format!("{EM}/assignmentRequests"),
            json!({"requestType":"userAdd","justification":"Working on the web project","assignment":{"accessPackageId":package,"assignmentPolicyId":policy}}),
        )
        .await,
    )
    .await["id"]
        .as_str()
        .expect("an id")
        .to_owned();

    // Step 5: Admin1 approves.
    let waiting = admin
        .get_ok(&format!(
            "{EM}/accessPackageAssignmentApprovals/filterByCurrentUser(on='approver')"
        ))
        .await;
    assert_eq!(waiting["value"][0]["id"], request);
    let approved = admin
        .send(
            reqwest::Method::PATCH,
            &format!("{EM}/accessPackageAssignmentApprovals/{request}/stages/{request}"),
            Some(json!({"reviewResult":"Approve","justification":"OK"})),
        )
        .await;
    assert_eq!(approved.status(), StatusCode::NO_CONTENT);

    // Step 6: delivered, User1 in the group.
    let delivered = admin
        .get_ok(&format!(
            "{EM}/assignments?$filter=state eq 'delivered'&$expand=target,assignmentPolicy"
        ))
        .await;
    let assignment = &delivered["value"][0];
    assert_eq!(assignment["target"]["displayName"], "User1");
    assert_eq!(
        assignment["assignmentPolicy"]["displayName"],
        "Internal user policy"
    );
    let assignment = assignment["id"].as_str().expect("an id").to_owned();
    assert_eq!(
        names(&admin.get_ok(&format!("/groups/{group}/members")).await),
        ["User1"]
    );

    // Step 7: Admin1 removes it; User1 is out of the group.
    created(
        admin
            .post(
                &format!("{EM}/assignmentRequests"),
                json!({"requestType":"adminRemove","assignment":{"id":assignment}}),
            )
            .await,
    )
    .await;
    let mine = user
        .get_ok(&format!(
            "{EM}/assignments/filterByCurrentUser(on='target')"
        ))
        .await;
    assert_eq!(mine["value"][0]["state"], "expired");
    assert!(names(&admin.get_ok(&format!("/groups/{group}/members")).await).is_empty());
}
