//! Access lands in a real directory: a group linked to an OpenLDAP group gets its members
//! there through the outbox, loses them at expiry (the directory's own members stay), and a
//! change made while the directory is down arrives once it is back.
use gatehouse::domain::outbox::OutboxState;
use gatehouse::domain::user::DirectoryRole;
use gatehouse::entities::outbox;
use gatehouse::services::{outbox as worker, scheduler};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use time::Duration;

use super::slapd::{self, ADMIN_PASSWORD, Slapd};
use super::{add, ldap_fields};
use crate::builders::{PolicyOptions, policy};
use crate::helpers::{Browser, TestApp, location, spawn_app};

const GROUP_DN: &str = "cn=Engineering Group,ou=groups,dc=gatehouse,dc=test";
const USER1_DN: &str = "uid=user1,ou=people,dc=gatehouse,dc=test";
const USER2_DN: &str = "uid=user2,ou=people,dc=gatehouse,dc=test";

/// A running slapd, Gatehouse with Admin1 signed in, and the directory added as a connected
/// system (its id).
async fn with_directory(suite: &str) -> Option<(Slapd, TestApp, Browser, String)> {
    let directory = Slapd::start(suite)?;
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let page = add(
        &admin,
        &ldap_fields("Contoso directory", &directory.url, ADMIN_PASSWORD),
    )
    .await;
    let system = page.rsplit('/').next().unwrap_or_default().to_owned();
    Some((directory, app, admin, system))
}

#[tokio::test]
async fn access_lands_in_a_real_ldap_group_leaves_it_at_expiry_and_survives_an_outage() {
    let Some((mut directory, app, admin, system)) = with_directory("LDAP delivery").await else {
        return;
    };
    let group = app.create_group("Engineering Group").await;
    let group_page = format!("/admin/groups/{group}");
    let link = format!("{group_page}/connected-system");

    // A DN outside the directory's groups is refused, in words.
    let refused = admin
        .post(
            &link,
            &[
                ("connected_system", system.as_str()),
                ("external_id", "cn=Engineering Group,ou=elsewhere,dc=test"),
            ],
        )
        .await;
    assert_eq!(location(&refused), group_page);
    let html = admin.get_html(&group_page).await;
    assert!(
        html.contains("Enter the DN of a group under ou=groups,dc=gatehouse,dc=test"),
        "{html}"
    );
    let linked = admin
        .post(
            &link,
            &[
                ("connected_system", system.as_str()),
                ("external_id", GROUP_DN),
            ],
        )
        .await;
    assert_eq!(linked.status(), StatusCode::SEE_OTHER);
    let html = admin.get_html(&group_page).await;
    assert!(
        html.contains("Members live in <strong>Contoso directory</strong>"),
        "{html}"
    );

    // User1 gets the package: Gatehouse's membership, then the directory's.
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let catalog = app.default_catalog().await;
    let package = app.create_package(catalog, "Web project", &[group]).await;
    app.create_policy(
        package,
        policy("Internal users", &[user1], &[]).without_approval(),
    )
    .await;
    app.submit_request(user1, package).await;
    assert_eq!(slapd::members(&directory.url, GROUP_DN).await, [USER2_DN]);
    let pass = || worker::run_pass(&app.db, &app.clock, &app.secrets);
    let report = pass().await.expect("outbox pass");
    assert_eq!((report.applied, report.retrying, report.failed), (1, 0, 0));
    assert_eq!(
        slapd::members(&directory.url, GROUP_DN).await,
        [USER1_DN, USER2_DN]
    );
    assert_eq!(
        pass().await.expect("outbox pass").applied,
        0,
        "applied once"
    );

    // 30 days on, the assignment expires: User1 leaves the directory group; User2, whom
    // the directory had before, stays.
    app.clock.advance(Duration::days(31));
    let expired = scheduler::run_pass(&app.db, &app.clock)
        .await
        .expect("scheduler pass");
    assert_eq!(expired.expired, 1);
    assert_eq!(pass().await.expect("outbox pass").applied, 1);
    assert_eq!(slapd::members(&directory.url, GROUP_DN).await, [USER2_DN]);

    // Granted again while the directory is down: the change waits, with the reason.
    directory.stop();
    app.submit_request(user1, package).await;
    let report = pass().await.expect("outbox pass");
    assert_eq!((report.applied, report.retrying), (0, 1));
    let waiting = outbox::Entity::find()
        .filter(outbox::Column::State.eq(OutboxState::Pending.as_str()))
        .one(&app.db)
        .await
        .expect("query")
        .expect("a waiting change");
    assert_eq!(waiting.attempts, 1);
    let error = waiting.last_error.unwrap_or_default();
    assert!(
        error.contains("could not connect to ldap://127.0.0.1:"),
        "{error}"
    );
    // Back up: nothing is tried before the change's next attempt (24 to 36 s later)…
    directory.restart();
    assert_eq!(pass().await.expect("outbox pass"), Default::default());
    // …and then it lands.
    app.clock.advance(Duration::seconds(40));
    assert_eq!(pass().await.expect("outbox pass").applied, 1);
    assert_eq!(
        slapd::members(&directory.url, GROUP_DN).await,
        [USER1_DN, USER2_DN]
    );

    // A system that governs a group is not deleted from under it. (A month has passed:
    // Admin1 signs in again.)
    admin
        .sign_in("admin1@woodgrove.test", crate::helpers::PASSWORD)
        .await;
    let system_page = format!("/admin/connected-systems/{system}");
    let refused = admin.post(&format!("{system_page}/delete"), &[]).await;
    assert_eq!(location(&refused), system_page);
    let html = admin.get_html(&system_page).await;
    assert!(
        html.contains(
            "Contoso directory governs 1 group. Unlink it on the group&#39;s page first."
        ),
        "{html}"
    );
    let unlinked = admin
        .post(&format!("{group_page}/connected-system/remove"), &[])
        .await;
    assert_eq!(location(&unlinked), group_page);
    let deleted = admin.post(&format!("{system_page}/delete"), &[]).await;
    assert_eq!(location(&deleted), "/admin/connected-systems");
}

#[tokio::test]
async fn an_assignment_shows_delivering_then_delivery_failed_and_reprocess_brings_it_home() {
    let Some((mut directory, app, admin, system)) = with_directory("LDAP delivery failure").await
    else {
        return;
    };
    let group = app.create_group("Engineering Group").await;
    admin
        .post(
            &format!("/admin/groups/{group}/connected-system"),
            &[
                ("connected_system", system.as_str()),
                ("external_id", GROUP_DN),
            ],
        )
        .await;
    let (user1_browser, user1) = app
        .signed_in("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let catalog = app.default_catalog().await;
    let package = app.create_package(catalog, "Web project", &[group]).await;
    app.create_policy(
        package,
        policy("Internal users", &[user1], &[]).without_approval(),
    )
    .await;

    // Email is on from here, and User1 has an address.
    gatehouse::services::notify::run_pass(&app.db, &app.clock, &app.address)
        .await
        .expect("a notify pass");
    app.set_email(user1, "user1@woodgrove.test").await;

    directory.stop();
    let request = app.submit_request(user1, package).await;
    let pass = || worker::run_pass(&app.db, &app.clock, &app.secrets);
    assert_eq!(pass().await.expect("outbox pass").retrying, 1);
    let assignments = format!("/admin/access-packages/{package}/assignments");
    let html = admin.get_html(&assignments).await;
    assert!(html.contains(">Delivering</span>"), "{html}");
    assert!(
        html.contains("could not connect to ldap://127.0.0.1:"),
        "{html}"
    );

    // Seven more tries over about an hour, all failing: the change is given up.
    let mut failed = 0;
    for _ in 0..7 {
        app.clock.advance(Duration::minutes(40));
        failed += pass().await.expect("outbox pass").failed;
    }
    assert_eq!(failed, 1);
    let html = admin.get_html(&assignments).await;
    assert!(html.contains(">Delivery failed</span>"), "{html}");
    assert!(html.contains("Reprocess failed"), "{html}");
    let user1_browser = {
        let browser = app.browser();
        browser
            .sign_in("user1@woodgrove.test", crate::helpers::PASSWORD)
            .await;
        drop(user1_browser);
        browser
    };
    let mine = user1_browser.get_html("/myaccess/access").await;
    assert!(mine.contains(">Delivery failed</span>"), "{mine}");
    // User1 is told once, with a line in the request's history.
    for _ in 0..2 {
        app.clock.advance(Duration::seconds(10));
        gatehouse::services::notify::run_pass(&app.db, &app.clock, &app.address)
            .await
            .expect("a notify pass");
    }
    let told: Vec<String> = {
        use gatehouse::entities::email;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        email::Entity::find()
            .filter(email::Column::Kind.eq("deliveryFailed"))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|m| format!("{} {}", m.recipient, m.subject))
            .collect()
    };
    assert_eq!(
        told,
        ["user1@woodgrove.test Access not delivered yet: Web project"]
    );
    let history = user1_browser
        .get_html(&format!("/myaccess/request-history/{request}"))
        .await;
    assert!(
        history.contains("Delivery failed: could not connect to ldap://"),
        "{history}"
    );
    // Nothing more is tried on its own.
    app.clock.advance(Duration::hours(2));
    assert_eq!(pass().await.expect("outbox pass"), Default::default());

    // The directory is back; `Reprocess failed` puts the change back in line.
    directory.restart();
    let reprocessed = admin.post(&format!("{assignments}/reprocess"), &[]).await;
    assert_eq!(location(&reprocessed), assignments);
    let html = admin.get_html(&assignments).await;
    assert!(
        html.contains("Delivery will be tried again (1 change)."),
        "{html}"
    );
    assert_eq!(pass().await.expect("outbox pass").applied, 1);
    assert_eq!(
        slapd::members(&directory.url, GROUP_DN).await,
        [USER1_DN, USER2_DN]
    );
    let html = admin.get_html(&assignments).await;
    assert!(html.contains(">Delivered</span>"), "{html}");
    assert!(!html.contains("Reprocess"), "{html}");
    // With nothing failed, reprocessing says so.
    admin.post(&format!("{assignments}/reprocess"), &[]).await;
    let html = admin.get_html(&assignments).await;
    assert!(html.contains("No delivery has failed"), "{html}");
}

#[tokio::test]
async fn two_instances_working_at_once_handle_each_change_once() {
    let Some((directory, app, admin, system)) =
        with_directory("LDAP delivery, two instances").await
    else {
        return;
    };
    let group = app.create_group("Engineering Group").await;
    admin
        .post(
            &format!("/admin/groups/{group}/connected-system"),
            &[
                ("connected_system", system.as_str()),
                ("external_id", GROUP_DN),
            ],
        )
        .await;
    // 120 direct members: 120 changes, more than a batch (100) (the directory knows none of these
    // people, so each try fails and waits; what counts here is that each is taken by one
    // instance only, and that a pass goes on while there is work).
    for n in 0..120 {
        let user = app
            .create_user(
                &format!("person{n}@woodgrove.test"),
                &format!("Person {n}"),
                DirectoryRole::User,
            )
            .await;
        app.add_group_member(group, user).await;
    }
    let other = app.second_instance_db().await;
    let (a, b) = tokio::join!(
        worker::run_pass(&app.db, &app.clock, &app.secrets),
        worker::run_pass(&other, &app.clock, &app.secrets),
    );
    let (a, b) = (a.expect("first instance"), b.expect("second instance"));
    let handled = |r: worker::OutboxReport| r.applied + r.retrying + r.failed;
    assert_eq!(handled(a) + handled(b), 120, "{a:?} {b:?}");
    let rows = outbox::Entity::find().all(&app.db).await.expect("rows");
    assert_eq!(rows.len(), 120);
    assert!(
        rows.iter().all(|r| r.attempts == 1),
        "each tried exactly once"
    );
    assert!(
        rows.iter().all(|r| r
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("no single entry"))),
        "{:?}",
        rows.first()
    );
    // One instance alone works through more than a batch in one pass.
    app.clock.advance(Duration::seconds(40));
    let alone = worker::run_pass(&app.db, &app.clock, &app.secrets)
        .await
        .expect("one instance");
    assert_eq!(handled(alone), 120, "{alone:?}");
    drop(directory);
}

#[tokio::test]
async fn access_lands_in_a_real_scim_group_and_leaves_it_at_expiry() {
    use super::scim_server::{ScimServer, TOKEN};
    let Some(scim) = ScimServer::start("SCIM delivery") else {
        return;
    };
    let scim_user1 = scim
        .create(
            "Users",
            serde_json::json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "user1@woodgrove.test",
            }),
        )
        .await;
    let scim_group = scim
        .create(
            "Groups",
            serde_json::json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "Engineering",
            }),
        )
        .await;
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let page = add(&admin, &super::scim_fields(&scim.url, TOKEN)).await;
    let html = super::test_connection(&admin, &page).await;
    assert!(html.contains("Connection to Contoso SCIM works."), "{html}");
    // Its groups are listed, to link one.
    assert!(html.contains("Groups in Contoso SCIM"), "{html}");
    assert!(
        html.contains(&format!(
            "<td>Engineering</td><td class=\"mono cell-wrap\">{scim_group}</td>"
        )),
        "{html}"
    );
    let system = page.rsplit('/').next().unwrap_or_default().to_owned();
    let group = app.create_group("Engineering Group").await;
    let group_page = format!("/admin/groups/{group}");
    // Linked by the SCIM group's display name; Gatehouse keeps its id.
    admin
        .post(
            &format!("{group_page}/connected-system"),
            &[
                ("connected_system", system.as_str()),
                ("external_id", "Engineering"),
            ],
        )
        .await;
    let html = admin.get_html(&group_page).await;
    assert!(
        html.contains(&format!(
            "as <span class=\"mono cell-wrap\">{scim_group}</span>"
        )),
        "{html}"
    );

    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let catalog = app.default_catalog().await;
    let package = app.create_package(catalog, "Web project", &[group]).await;
    app.create_policy(
        package,
        policy("Internal users", &[user1], &[]).without_approval(),
    )
    .await;
    app.submit_request(user1, package).await;
    let pass = || worker::run_pass(&app.db, &app.clock, &app.secrets);
    assert_eq!(pass().await.expect("outbox pass").applied, 1);
    assert_eq!(scim.members(&scim_group).await, [scim_user1]);

    app.clock.advance(Duration::days(31));
    scheduler::run_pass(&app.db, &app.clock)
        .await
        .expect("scheduler pass");
    assert_eq!(pass().await.expect("outbox pass").applied, 1);
    assert!(scim.members(&scim_group).await.is_empty());
}
