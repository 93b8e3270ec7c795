//! The authorization rules at the service boundary: every service asks the one authorization
//! module before it reads or writes, whichever front calls it.
use gatehouse::domain::catalog::{CatalogName, CatalogRole};
use gatehouse::domain::group::{Description, GroupName, MemberRole, MembershipType};
use gatehouse::domain::lifecycle::Decision;
use gatehouse::domain::principal::Principal;
use gatehouse::domain::user::{DirectoryRole, DisplayName, Email, Password, UserPrincipalName};
use gatehouse::entities::{assignment, assignment_request};
use gatehouse::services::catalogs::{self, CatalogFields};
use gatehouse::services::error::ServiceError;
use gatehouse::services::{groups, packages, requests, users};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::builders::policy;
use crate::helpers::{PASSWORD, spawn_app};

fn refused<T: std::fmt::Debug>(result: Result<T, ServiceError>) -> &'static str {
    match result {
        Err(err @ (ServiceError::NotFound | ServiceError::Forbidden { .. })) => err.code(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn new_user(upn: &str, role: DirectoryRole) -> users::NewUser {
    users::NewUser {
        display_name: DisplayName::parse("Someone").unwrap(),
        user_principal_name: UserPrincipalName::parse(upn).unwrap(),
        email: Email::parse("").unwrap(),
        role,
        password: Password::parse(PASSWORD).unwrap(),
    }
}

#[tokio::test]
async fn directory_services_refuse_people_without_a_directory_role() {
    let app = spawn_app().await;
    let plain = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let ua = app
        .create_user(
            "ua@woodgrove.test",
            "UserAdmin",
            DirectoryRole::UserAdministrator,
        )
        .await;
    let plain = app.principal_of(plain).await;
    let ua = app.principal_of(ua).await;

    let made = users::create(
        &app.db,
        &app.clock,
        &plain,
        new_user("x@woodgrove.test", DirectoryRole::User),
    )
    .await;
    assert_eq!(refused(made), "forbidden");
    let group = groups::NewGroup {
        name: GroupName::parse("Sneaky").unwrap(),
        description: Description::parse("").unwrap(),
        membership_type: MembershipType::Assigned,
    };
    assert_eq!(
        refused(groups::create(&app.db, &app.clock, &plain, group).await),
        "forbidden"
    );
    // A User administrator makes users, but no Global administrator.
    let boss = users::create(
        &app.db,
        &app.clock,
        &ua,
        new_user("boss@woodgrove.test", DirectoryRole::GlobalAdministrator),
    )
    .await;
    assert_eq!(refused(boss), "cannot_manage_global_administrator");
    users::create(
        &app.db,
        &app.clock,
        &ua,
        new_user("ok@woodgrove.test", DirectoryRole::User),
    )
    .await
    .expect("a User administrator creates users");
}

#[tokio::test]
async fn catalog_services_answer_by_the_role_held_in_that_catalog() {
    let app = spawn_app().await;
    let default = app.default_catalog().await;
    let reader_id = app
        .create_user("reader@woodgrove.test", "Reader", DirectoryRole::User)
        .await;
    let stranger_id = app
        .create_user("stranger@woodgrove.test", "Stranger", DirectoryRole::User)
        .await;
    app.grant_catalog_role(default, reader_id, CatalogRole::Reader)
        .await;
    let other = app.create_catalog("Other").await;
    app.grant_catalog_role(other, stranger_id, CatalogRole::Owner)
        .await;
    let package = app.create_package(default, "Web project", &[]).await;
    let reader = app.principal_of(reader_id).await;
    let stranger = app.principal_of(stranger_id).await;

    // A reader sees, and is told no when changing.
    catalogs::get(&app.db, &reader, default)
        .await
        .expect("a reader reads");
    packages::get(&app.db, &reader, package)
        .await
        .expect("a reader reads the package");
    let renamed = CatalogFields {
        name: CatalogName::parse("Renamed").unwrap(),
        description: Description::parse("").unwrap(),
        is_enabled: true,
        is_externally_visible: true,
    };
    assert_eq!(
        refused(catalogs::update(&app.db, &app.clock, &reader, default, renamed).await),
        "forbidden"
    );
    assert_eq!(
        refused(packages::delete(&app.db, &app.clock, &reader, package).await),
        "forbidden"
    );
    // The owner of another catalog does not even learn that these exist.
    assert_eq!(
        refused(catalogs::get(&app.db, &stranger, default).await),
        "not_found"
    );
    assert_eq!(
        refused(packages::get(&app.db, &stranger, package).await),
        "not_found"
    );
    let group = app.create_group("Engineering Group").await;
    let added = packages::add_resource_role(
        &app.db,
        &app.clock,
        &stranger,
        package,
        group,
        MemberRole::Member,
    )
    .await;
    assert_eq!(refused(added), "not_found");
}

#[tokio::test]
async fn request_services_let_only_requestors_approvers_and_assignment_managers_act() {
    let app = spawn_app().await;
    let approver_id = app
        .create_user("approver@woodgrove.test", "Approver", DirectoryRole::User)
        .await;
    let user_id = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let other_id = app
        .create_user("user2@woodgrove.test", "User2", DirectoryRole::User)
        .await;
    let admin = app
        .create_user(
            "admin1@woodgrove.test",
            "Admin1",
            DirectoryRole::GlobalAdministrator,
        )
        .await;
    let default = app.default_catalog().await;
    let pending_package = app.create_package(default, "Reports", &[]).await;
    app.create_policy(
        pending_package,
        policy("Approval", &[user_id, approver_id], &[approver_id]),
    )
    .await;
    let request = app.submit_request(user_id, pending_package).await;
    let open_package = app.create_package(default, "Web project", &[]).await;
    app.create_policy(open_package, policy("No approval", &[user_id], &[]))
        .await;
    app.submit_request(user_id, open_package).await;
    let delivered = assignment::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .expect("an assignment")
        .id;
    let (other, approver, admin) = (
        app.principal_of(other_id).await,
        app.principal_of(approver_id).await,
        app.principal_of(admin).await,
    );

    // Someone the policy does not name cannot request it, nor see it offered.
    let asked = requests::submit(
        &app.db,
        &app.clock,
        &other,
        requests::NewRequest {
            package: pending_package,
            policy: None,
            justification: String::new(),
            specific_period: false,
            start: None,
            end: None,
        },
    )
    .await;
    assert_eq!(refused(asked), "not_found");
    // Only the requestor cancels, only an approver decides, and even a Global administrator
    // is not an approver of a policy that does not name them.
    assert_eq!(
        refused(requests::cancel(&app.db, &app.clock, &other, request).await),
        "not_found"
    );
    for outsider in [&other, &admin] {
        let decided = requests::decide(
            &app.db,
            &app.clock,
            outsider,
            request,
            Decision::Approve,
            "",
        )
        .await;
        assert_eq!(refused(decided), "not_found");
    }
    assert_eq!(
        refused(requests::own_request(&app.db, &other, request).await),
        "not_found"
    );
    requests::request_for_approver(&app.db, &approver, request)
        .await
        .expect("the approver sees it");
    // Another user cannot take someone's access away; an administrator can.
    assert_eq!(
        refused(requests::remove_assignment(&app.db, &app.clock, &other, delivered).await),
        "not_found"
    );
    // The scheduler may end access, but never decides or requests.
    let scheduler = Principal::scheduler();
    let decided = requests::decide(
        &app.db,
        &app.clock,
        &scheduler,
        request,
        Decision::Approve,
        "",
    )
    .await;
    assert_eq!(refused(decided), "forbidden");
    let before = assignment_request::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    requests::remove_assignment(&app.db, &app.clock, &admin, delivered)
        .await
        .expect("an administrator removes access");
    assert_eq!(
        assignment_request::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        before + 1,
        "the removal is recorded as a request"
    );
}
