//! The holes found in the first release, each pinned by a test that failed before its fix:
//! catalog roles escaping their catalog, disabled catalogs and policies still offered,
//! access delivered to disabled accounts, history lost with a deleted user, approvers who
//! cannot decide, and resource roles that skipped current assignees.
use gatehouse::domain::catalog::{CatalogName, CatalogRole};
use gatehouse::domain::group::Description;
use gatehouse::domain::lifecycle::{Decision, RequestState};
use gatehouse::domain::principal::Principal;
use gatehouse::domain::user::DirectoryRole;
use gatehouse::entities::{assignment, assignment_request, request_event, user};
use gatehouse::ids::{AccessPackageId, GroupId, RequestId, UserId};
use gatehouse::services::catalogs::{self, CatalogFields};
use gatehouse::services::error::ServiceError;
use gatehouse::services::packages::{self, NewPackage};
use gatehouse::services::requests::{self, NewRequest};
use gatehouse::services::{policies, users};
use gatehouse::store;
use reqwest::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::builders::policy;
use crate::helpers::{PASSWORD, TestApp, spawn_app};

async fn is_member(app: &TestApp, group: GroupId, user: UserId) -> bool {
    store::groups::members(&app.db, group)
        .await
        .expect("database")
        .iter()
        .any(|m| m.user_id == user)
}

async fn request_state(app: &TestApp, id: RequestId) -> RequestState {
    let row = assignment_request::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("database")
        .expect("the request is kept");
    RequestState::from_stored(&row.state).expect("a known state")
}

async fn timeline(app: &TestApp, id: RequestId) -> Vec<String> {
    request_event::Entity::find()
        .filter(request_event::Column::RequestId.eq(id))
        .all(&app.db)
        .await
        .expect("database")
        .into_iter()
        .map(|e| e.description)
        .collect()
}

fn forbidden_code(result: Result<impl std::fmt::Debug, ServiceError>) -> &'static str {
    match result {
        Err(ServiceError::Forbidden { code, .. }) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_catalog_owner_cannot_bring_in_groups_governed_elsewhere_or_not_their_own() {
    let app = spawn_app().await;
    let default = app.default_catalog().await;
    let governed = app.create_group("Payroll Admins").await;
    app.create_package(default, "Payroll", &[governed]).await;
    let unowned = app.create_group("Domain Admins").await;
    let own = app.create_group("Marketing Team").await;

    let (owner, owner_id) = app
        .signed_in("owner@woodgrove.test", "Owner", DirectoryRole::User)
        .await;
    let catalog_b = app.create_catalog("Marketing").await;
    app.grant_catalog_role(catalog_b, owner_id, CatalogRole::Owner)
        .await;
    app.add_group_owner(own, owner_id).await;

    // The picker offers only what the owner may add.
    let picker = owner
        .get_html(&format!("/admin/catalogs/{catalog_b}/resources/add"))
        .await;
    assert!(picker.contains("Marketing Team"));
    assert!(
        !picker.contains("Payroll Admins"),
        "governed by another catalog"
    );
    assert!(!picker.contains("Domain Admins"), "not owned by them");

    for group in [governed, unowned] {
        let posted = owner
            .post(
                &format!("/admin/catalogs/{catalog_b}/resources/add"),
                &[("group_id", &group.to_string())],
            )
            .await;
        assert_eq!(posted.status(), StatusCode::FORBIDDEN);
        assert!(
            !store::catalogs::has_resource(&app.db, catalog_b, group)
                .await
                .unwrap()
        );
    }
    let posted = owner
        .post(
            &format!("/admin/catalogs/{catalog_b}/resources/add"),
            &[("group_id", &own.to_string())],
        )
        .await;
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    assert!(
        store::catalogs::has_resource(&app.db, catalog_b, own)
            .await
            .unwrap()
    );

    // The wizard's way in (a group from outside joins the catalog on Create) is shut too,
    // so a package with a direct-assignment policy cannot hand out the governed group.
    let principal = app.principal_of(owner_id).await;
    let new = NewPackage {
        name: gatehouse::domain::access_package::PackageName::parse("Sneaky").unwrap(),
        description: Description::parse("").unwrap(),
        catalog_id: catalog_b,
        resources: vec![(governed, gatehouse::domain::group::MemberRole::Member)],
        policy: None,
        draft: None,
    };
    let refused = packages::create(&app.db, &app.clock, &principal, new).await;
    assert_eq!(forbidden_code(refused), "group_in_other_catalog");
    assert!(!is_member(&app, governed, owner_id).await);

    // Administrators still may.
    let admin = Principal::console();
    catalogs::add_resource(&app.db, &app.clock, &admin, catalog_b, unowned)
        .await
        .expect("an administrator adds any group");
}

async fn offered(app: &TestApp, user: UserId, package: AccessPackageId) -> bool {
    store::requests::requestable(&app.db, user, package)
        .await
        .expect("database")
        .iter()
        .any(|(p, _)| p.id == package)
}

#[tokio::test]
async fn a_disabled_catalog_or_policy_offers_nothing_in_my_access() {
    let app = spawn_app().await;
    let user = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let catalog = app.create_catalog("Projects").await;
    let group = app.create_group("Engineering Group").await;
    let package = app.create_package(catalog, "Web project", &[group]).await;
    let policy_id = app
        .create_policy(package, policy("Internal user", &[user], &[]))
        .await;
    assert!(offered(&app, user, package).await);

    let disabled = CatalogFields {
        name: CatalogName::parse("Projects").unwrap(),
        description: Description::parse("").unwrap(),
        is_enabled: false,
        is_externally_visible: true,
    };
    catalogs::update(
        &app.db,
        &app.clock,
        &Principal::console(),
        catalog,
        disabled,
    )
    .await
    .unwrap();
    assert!(!offered(&app, user, package).await);
    let browser = app.browser();
    browser.sign_in("user1@woodgrove.test", PASSWORD).await;
    let list = browser.get_html("/myaccess/access-packages").await;
    assert!(!list.contains("Web project"));
    assert_eq!(
        browser
            .get(&format!("/myaccess/access-packages/{package}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let posted = browser
        .post(
            &format!("/myaccess/access-packages/{package}"),
            &[("justification", "please")],
        )
        .await;
    assert_eq!(posted.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        assignment_request::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0
    );

    // Enabled again, but its only policy disabled: still nothing to request.
    let enabled = CatalogFields {
        name: CatalogName::parse("Projects").unwrap(),
        description: Description::parse("").unwrap(),
        is_enabled: true,
        is_externally_visible: true,
    };
    catalogs::update(&app.db, &app.clock, &Principal::console(), catalog, enabled)
        .await
        .unwrap();
    let mut off = policy("Internal user", &[user], &[]);
    off.enabled = false;
    policies::update(
        &app.db,
        &app.clock,
        &Principal::console(),
        package,
        policy_id,
        &off,
    )
    .await
    .unwrap();
    assert!(!offered(&app, user, package).await);
    let new = NewRequest {
        package,
        policy: None,
        justification: String::new(),
        specific_period: false,
        start: None,
        end: None,
    };
    let principal = app.principal_of(user).await;
    assert!(matches!(
        requests::submit(&app.db, &app.clock, &principal, new).await,
        Err(ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn access_is_never_delivered_to_a_disabled_account() {
    let app = spawn_app().await;
    let approver = app
        .create_user("admin1@woodgrove.test", "Admin1", DirectoryRole::User)
        .await;
    let user = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let group = app.create_group("Engineering Group").await;
    let package = app
        .create_package(app.default_catalog().await, "Web project", &[group])
        .await;
    app.create_policy(package, policy("Internal user", &[user], &[approver]))
        .await;
    let request = app.submit_request(user, package).await;

    // Disabled behind Gatehouse's back (say, by a directory sync racing the approval).
    user::Entity::update_many()
        .col_expr(user::Column::AccountEnabled, Expr::value(false))
        .filter(user::Column::Id.eq(user))
        .exec(&app.db)
        .await
        .unwrap();
    let approving = app.principal_of(approver).await;
    let refused = requests::decide(
        &app.db,
        &app.clock,
        &approving,
        request,
        Decision::Approve,
        "",
    )
    .await;
    match refused {
        Err(ServiceError::Invalid(fields)) => {
            assert_eq!(fields[0].code, "requestor_disabled");
            assert!(fields[0].message.contains("account is disabled"));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(!is_member(&app, group, user).await);
    assert_eq!(
        request_state(&app, request).await,
        RequestState::PendingApproval
    );

    // Disabled the proper way: the system denies what still waits, and says why.
    user::Entity::update_many()
        .col_expr(user::Column::AccountEnabled, Expr::value(true))
        .filter(user::Column::Id.eq(user))
        .exec(&app.db)
        .await
        .unwrap();
    users::set_enabled(&app.db, &app.clock, &Principal::console(), user, false)
        .await
        .unwrap();
    assert_eq!(request_state(&app, request).await, RequestState::Denied);
    assert!(
        timeline(&app, request)
            .await
            .iter()
            .any(|line| line == "Denied by the system: the account was disabled")
    );
}

#[tokio::test]
async fn deleting_a_user_takes_their_access_away_and_keeps_their_history() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let approver = app
        .create_user("approver@woodgrove.test", "Approver", DirectoryRole::User)
        .await;
    let user = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let group = app.create_group("Engineering Group").await;
    let catalog = app.default_catalog().await;
    let open = app.create_package(catalog, "Web project", &[group]).await;
    app.create_policy(open, policy("No approval", &[user], &[]))
        .await;
    let delivered = app.submit_request(user, open).await;
    assert!(is_member(&app, group, user).await);
    let other = app.create_package(catalog, "Reports", &[]).await;
    app.create_policy(other, policy("Approval", &[user], &[approver]))
        .await;
    let pending = app.submit_request(user, other).await;

    let deleted = admin
        .post(&format!("/admin/users/{user}/delete"), &[])
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);

    assert!(!is_member(&app, group, user).await, "access taken away");
    let kept = assignment_request::Entity::find()
        .filter(assignment_request::Column::TargetId.eq(user))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(kept, 3, "both requests and the system's removal are kept");
    assert_eq!(request_state(&app, pending).await, RequestState::Denied);
    let assignments = assignment::Entity::find()
        .filter(assignment::Column::TargetId.eq(user))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(assignments.len(), 1);
    assert_eq!(assignments[0].state, "removed");
    assert!(
        timeline(&app, delivered)
            .await
            .iter()
            .any(|line| line == "Access removed by the system: the account was deleted")
    );
    let requests_page = admin
        .get_html(&format!("/admin/access-packages/{open}/requests"))
        .await;
    assert!(requests_page.contains("User1 (deleted user)"));
    // The deleted person cannot sign in, and their principal name is free again.
    assert_eq!(
        app.browser()
            .sign_in("user1@woodgrove.test", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        admin.get(&format!("/admin/users/{user}")).await.status(),
        StatusCode::NOT_FOUND
    );
    app.create_user("user1@woodgrove.test", "User1 again", DirectoryRole::User)
        .await;
}

#[tokio::test]
async fn a_policy_needs_approvers_who_can_sign_in_and_orphaned_requests_are_flagged() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let approver = app
        .create_user("approver@woodgrove.test", "Approver", DirectoryRole::User)
        .await;
    let user = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let package = app
        .create_package(app.default_catalog().await, "Web project", &[])
        .await;
    app.create_policy(package, policy("Internal user", &[user], &[approver]))
        .await;
    app.submit_request(user, package).await;
    let page = admin
        .get_html(&format!("/admin/access-packages/{package}/requests"))
        .await;
    assert!(!page.contains("No approver available"));

    users::set_enabled(&app.db, &app.clock, &Principal::console(), approver, false)
        .await
        .unwrap();
    let page = admin
        .get_html(&format!("/admin/access-packages/{package}/requests"))
        .await;
    assert!(page.contains("No approver available"));
    let policies_page = admin
        .get_html(&format!("/admin/access-packages/{package}/policies"))
        .await;
    assert!(policies_page.contains("none of its approvers can sign in"));

    let refused = policies::create(
        &app.db,
        &app.clock,
        &Principal::console(),
        package,
        &policy("Second", &[user], &[approver]),
    )
    .await;
    match refused {
        Err(ServiceError::Invalid(fields)) => assert_eq!(fields[0].code, "approver_disabled"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_resource_role_added_to_a_package_reaches_its_current_assignees() {
    let app = spawn_app().await;
    let user = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let first = app.create_group("Engineering Group").await;
    let second = app.create_group("Build Agents").await;
    let package = app
        .create_package(app.default_catalog().await, "Web project", &[first])
        .await;
    app.create_policy(package, policy("No approval", &[user], &[]))
        .await;
    app.submit_request(user, package).await;
    assert!(is_member(&app, first, user).await);
    assert!(!is_member(&app, second, user).await);

    packages::add_resource_role(
        &app.db,
        &app.clock,
        &Principal::console(),
        package,
        second,
        gatehouse::domain::group::MemberRole::Member,
    )
    .await
    .unwrap();
    assert!(is_member(&app, second, user).await);
    let members = store::groups::members(&app.db, second).await.unwrap();
    assert_eq!(
        members[0].source_labels(),
        "Access package assignment",
        "granted by the assignment, so it is taken away with it"
    );
}

#[tokio::test]
async fn disabling_an_account_takes_its_access_away_and_keeps_its_history() {
    use crate::builders::PolicyOptions;
    let app = spawn_app().await;
    let user = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let group = app.create_group("Engineering Group").await;
    let package = app
        .create_package(app.default_catalog().await, "Web project", &[group])
        .await;
    app.create_policy(
        package,
        policy("Internal user", &[user], &[]).without_approval(),
    )
    .await;
    let request = app.submit_request(user, package).await;
    assert!(is_member(&app, group, user).await);

    users::set_enabled(&app.db, &app.clock, &Principal::console(), user, false)
        .await
        .unwrap();
    assert!(!is_member(&app, group, user).await, "the membership goes");
    let kept = assignment::Entity::find()
        .filter(assignment::Column::TargetId.eq(user))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(kept.len(), 1, "the assignment stays, as history");
    assert_eq!(kept[0].state, "removed");
    assert_eq!(request_state(&app, request).await, RequestState::Delivered);
    let removal = assignment_request::Entity::find()
        .filter(assignment_request::Column::TargetId.eq(user))
        .filter(assignment_request::Column::RequestType.eq("systemRemove"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(removal, 1, "a system removal, as Entra records it");
    assert_eq!(
        crate::helpers::audit_count(&app, "Remove access package assignment", "Web project").await,
        1
    );
}
