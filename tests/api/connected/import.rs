//! Importing from a real directory: people and groups arrive (a person Gatehouse already had
//! is matched, not copied), changes come in on the schedule (only what changed), people who
//! leave the directory or are disabled there lose their access, and drift in a linked group
//! is reported, then reverted.
use gatehouse::domain::group::MembershipSource;
use gatehouse::domain::user::DirectoryRole;
use gatehouse::entities::{assignment, governed_group, group, group_member, sync_run, user};
use gatehouse::services::{outbox as deliveries, sync};
use ldap3::Mod;
use reqwest::StatusCode;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use std::collections::HashSet;
use time::Duration;

use super::slapd::{self, ADMIN_PASSWORD, Slapd};
use super::{add, ldap_fields};
use crate::builders::{PolicyOptions, policy};
use crate::helpers::{Browser, PASSWORD, TestApp, audit_count, location, spawn_app};

const ENGINEERING_DN: &str = "cn=Engineering Group,ou=groups,dc=gatehouse,dc=test";
const SALES_DN: &str = "cn=Sales,ou=groups,dc=gatehouse,dc=test";
const USER1_DN: &str = "uid=user1,ou=people,dc=gatehouse,dc=test";
const USER2_DN: &str = "uid=user2,ou=people,dc=gatehouse,dc=test";
const USER3_DN: &str = "uid=user3,ou=people,dc=gatehouse,dc=test";

/// User3 (disabled in the directory), a person whose name cannot be a user principal name,
/// and Sales with User1 and User3.
const MORE: &str = "dn: uid=user3,ou=people,dc=gatehouse,dc=test
objectClass: inetOrgPerson
uid: user3
cn: User3
sn: Three
employeeType: disabled

dn: uid=not valid,ou=people,dc=gatehouse,dc=test
objectClass: inetOrgPerson
uid: not valid
cn: Not Valid
sn: Valid

dn: cn=Sales,ou=groups,dc=gatehouse,dc=test
objectClass: groupOfNames
cn: Sales
description: Everyone who sells
member: uid=user1,ou=people,dc=gatehouse,dc=test
member: uid=user3,ou=people,dc=gatehouse,dc=test
";

/// The fields of a directory that imports, with User1's domain and a disabled filter.
fn importing(url: &str) -> Vec<(&str, &str)> {
    let mut fields = ldap_fields("Contoso directory", url, ADMIN_PASSWORD);
    fields.extend([
        ("import", "on"),
        ("sync_minutes", "60"),
        ("upn_domain", "woodgrove.test"),
        ("disabled_filter", "(employeeType=disabled)"),
    ]);
    fields
}

async fn user_named(app: &TestApp, upn: &str) -> Option<user::Model> {
    user::Entity::find()
        .filter(user::Column::UserPrincipalName.eq(upn))
        .one(&app.db)
        .await
        .expect("query")
}

async fn group_named(app: &TestApp, name: &str) -> group::Model {
    group::Entity::find()
        .filter(group::Column::DisplayName.eq(name))
        .one(&app.db)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("no group {name}"))
}

/// The user principal names of the group's members from the directory.
async fn imported_members(app: &TestApp, group: &group::Model) -> Vec<String> {
    let rows = group_member::Entity::find()
        .filter(group_member::Column::GroupId.eq(group.id))
        .filter(group_member::Column::SourceKind.eq(MembershipSource::Direct.as_str()))
        .filter(group_member::Column::SourceId.eq(group.source_system_id.expect("imported").0))
        .all(&app.db)
        .await
        .expect("query");
    let mut names = Vec::new();
    for row in rows {
        let person = user::Entity::find_by_id(row.user_id)
            .one(&app.db)
            .await
            .expect("query")
            .expect("the member");
        names.push(person.user_principal_name);
    }
    names.sort();
    names
}

async fn run_worker(app: &TestApp) -> sync::SyncReport {
    sync::run_pass(&app.db, &app.clock, &app.secrets)
        .await
        .expect("sync pass")
}

async fn sync_now(admin: &Browser, system: &str) -> String {
    let page = format!("/admin/connected-systems/{system}/sync");
    let queued = admin.post(&page, &[]).await;
    assert_eq!(queued.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&queued), page);
    page
}

#[tokio::test]
async fn people_and_groups_come_in_stay_in_sync_and_leavers_lose_their_access() {
    let Some(directory) = Slapd::start_with("LDAP import", MORE) else {
        return;
    };
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    // Gatehouse already knows User1: the import matches them rather than adding a second.
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let page = add(&admin, &importing(&directory.url)).await;
    let system = page.rsplit('/').next().unwrap_or_default().to_owned();

    // Sync now queues a full run; the page shows it waiting, then the worker runs it.
    let sync_page = sync_now(&admin, &system).await;
    let html = admin.get_html(&sync_page).await;
    assert!(html.contains("Waiting to start"), "{html}");
    assert!(html.contains("data-live-refresh"), "{html}");
    // How a run looks while it goes: the phase, the count so far, a progress bar.
    let queued = sync_run::Entity::find()
        .one(&app.db)
        .await
        .expect("query")
        .expect("the queued run");
    let mut going: sync_run::ActiveModel = queued.clone().into();
    going.state = Set("running".into());
    going.phase = Set("Importing people".into());
    going.done = Set(1_500);
    going.total = Set(4_000);
    going.update(&app.db).await.expect("update");
    let html = admin.get_html(&sync_page).await;
    assert!(html.contains("Importing people: 1,500 of 4,000"), "{html}");
    assert!(
        html.contains(r#"<progress class="progress" max="100" value="37""#),
        "{html}"
    );
    assert!(html.contains("data-live-refresh"), "{html}");
    let mut back: sync_run::ActiveModel = queued.into();
    back.state = Set("queued".into());
    back.update(&app.db).await.expect("update");
    // A second Sync now while one waits is refused in words.
    sync_now(&admin, &system).await;
    let html = admin.get_html(&sync_page).await;
    assert!(
        html.contains("A sync of this system is already running"),
        "{html}"
    );
    let report = run_worker(&app).await;
    assert_eq!((report.succeeded, report.failed), (1, 0));

    let html = admin.get_html(&sync_page).await;
    assert!(html.contains("Succeeded"), "{html}");
    assert!(!html.contains("data-live-refresh"), "{html}");
    assert!(html.contains("Read 4 people and 2 groups"), "{html}");
    // The entry whose uid cannot make a user principal name is named with the reason.
    assert!(
        html.contains("uid=not valid,ou=people,dc=gatehouse,dc=test: not valid@woodgrove.test is not a usable user principal name"),
        "{html}"
    );
    let run = sync_run::Entity::find()
        .one(&app.db)
        .await
        .expect("query")
        .expect("the run");
    // Created: User2, User3, Engineering Group, Sales; updated: User1 (now from the
    // directory); one error.
    assert_eq!(
        (run.created, run.updated, run.disabled, run.errors),
        (4, 1, 0, 1)
    );

    let adopted = user_named(&app, "user1@woodgrove.test")
        .await
        .expect("User1");
    assert_eq!(adopted.id, user1, "the same account, not a copy");
    assert_eq!(adopted.external_id.as_deref(), Some(USER1_DN));
    let user2 = user_named(&app, "user2@woodgrove.test")
        .await
        .expect("User2 imported");
    assert!(user2.account_enabled);
    assert_eq!(user2.email.as_deref(), Some("user2@woodgrove.test"));
    assert_eq!(
        user2.password_hash, "",
        "no password: signs in through the directory"
    );
    let user3 = user_named(&app, "user3@woodgrove.test")
        .await
        .expect("User3 imported");
    assert!(!user3.account_enabled, "the disabled filter matches User3");

    // Groups arrive with their directory members, linked to where they live.
    let engineering = group_named(&app, "Engineering Group").await;
    let sales = group_named(&app, "Sales").await;
    assert_eq!(sales.description, "Everyone who sells");
    assert_eq!(
        imported_members(&app, &engineering).await,
        ["user2@woodgrove.test"]
    );
    assert_eq!(
        imported_members(&app, &sales).await,
        ["user1@woodgrove.test", "user3@woodgrove.test"]
    );
    let link = governed_group::Entity::find_by_id(sales.id)
        .one(&app.db)
        .await
        .expect("query")
        .expect("Sales is linked");
    assert_eq!(link.external_id, SALES_DN);
    let html = admin.get_html(&format!("/admin/groups/{}", sales.id)).await;
    assert!(html.contains("Imported from Contoso directory"), "{html}");
    assert!(
        html.contains("Members live in <strong>Contoso directory</strong>"),
        "{html}"
    );
    let html = admin.get_html(&format!("/admin/users/{}", user2.id)).await;
    assert!(html.contains("Imported from Contoso directory"), "{html}");

    // User2 gets access to a package; then the directory loses User2. Sync now (full)
    // disables them, which takes the access away, as the directory's doing.
    let catalog = app.default_catalog().await;
    let package = app
        .create_package(catalog, "Sales tools", &[sales.id])
        .await;
    app.create_policy(
        package,
        policy("Directory people", &[user2.id], &[]).without_approval(),
    )
    .await;
    app.submit_request(user2.id, package).await;
    slapd::delete(&directory.url, USER2_DN).await;
    sync_now(&admin, &system).await;
    assert_eq!(run_worker(&app).await.failed, 0);
    let gone = user_named(&app, "user2@woodgrove.test")
        .await
        .expect("User2 is kept, disabled");
    assert!(!gone.account_enabled);
    assert!(gone.disabled_by_source);
    let active = assignment::Entity::find()
        .filter(assignment::Column::TargetId.eq(user2.id))
        .filter(assignment::Column::State.is_in(["delivering", "delivered"]))
        .count(&app.db)
        .await
        .expect("query");
    assert_eq!(active, 0, "a leaver keeps no access");
    assert_eq!(
        audit_count(&app, "Disable account", "user2@woodgrove.test").await,
        1
    );
    assert_eq!(
        audit_count(&app, "Remove access package assignment", "Sales tools").await,
        1
    );

    // An hour on, the scheduled sync reads only what changed: User1's new name, and User3
    // enabled again (the directory disabled them, so the directory may enable them).
    slapd::modify(
        &directory.url,
        USER1_DN,
        vec![Mod::Replace("cn", HashSet::from(["User One"]))],
    )
    .await;
    slapd::modify(
        &directory.url,
        USER3_DN,
        vec![Mod::Delete("employeeType", HashSet::new())],
    )
    .await;
    app.clock.advance(Duration::minutes(61));
    admin.sign_in("admin1@woodgrove.test", PASSWORD).await;
    // Due now: this import, and the hourly drift check of the groups it linked.
    let report = run_worker(&app).await;
    assert_eq!((report.queued, report.succeeded, report.failed), (2, 2, 0));
    let html = admin.get_html(&sync_page).await;
    assert!(html.contains("changed since the last sync"), "{html}");
    assert!(html.contains("Changes only"), "{html}");
    let renamed = user_named(&app, "user1@woodgrove.test")
        .await
        .expect("User1");
    assert_eq!(renamed.display_name, "User One");
    assert!(
        user_named(&app, "user3@woodgrove.test")
            .await
            .expect("User3")
            .account_enabled
    );
    let latest = latest_import(&app, &system).await;
    assert!(!latest.full);
    // Entries written in the same second as the last mark are read again (the mark has a
    // second's precision); they change nothing.
    assert_eq!(
        (latest.created, latest.updated, latest.disabled),
        (0, 2, 0),
        "{latest:?}"
    );
    // Nothing is due until the next hour.
    assert_eq!(run_worker(&app).await, sync::SyncReport::default());
}

/// The system's newest import, as its page shows it.
async fn latest_import(app: &TestApp, system: &str) -> sync::SyncRun {
    sync::runs(
        &app.db,
        &app.principal_of(admin_id(app).await).await,
        gatehouse_id(system),
        gatehouse::domain::directory::RunKind::Import,
        1,
    )
    .await
    .expect("runs")
    .remove(0)
}

async fn admin_id(app: &TestApp) -> gatehouse::ids::UserId {
    user_named(app, "admin1@woodgrove.test")
        .await
        .expect("Admin1")
        .id
}

fn gatehouse_id(raw: &str) -> gatehouse::ids::ConnectedSystemId {
    raw.parse().expect("a system id")
}

#[tokio::test]
async fn a_directory_that_returns_nobody_disables_nobody() {
    let Some(directory) = Slapd::start("LDAP import safeguard") else {
        return;
    };
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let page = add(&admin, &importing(&directory.url)).await;
    let system = page.rsplit('/').next().unwrap_or_default().to_owned();
    sync_now(&admin, &system).await;
    assert_eq!(run_worker(&app).await.failed, 0);
    // The filter is edited into one nobody matches.
    let mut fields = importing(&directory.url);
    fields.retain(|(k, _)| *k != "users_filter" && *k != "secret");
    fields.push(("users_filter", "(objectClass=nobodyHasThis)"));
    let saved = admin.post(&format!("{page}/edit"), &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let sync_page = sync_now(&admin, &system).await;
    assert_eq!(run_worker(&app).await.failed, 1);
    let html = admin.get_html(&sync_page).await;
    assert!(
        html.contains("The directory returned 0 people under ou=people,dc=gatehouse,dc=test matching (objectClass=nobodyHasThis), so 2 of the 2 people imported before would be disabled. Nothing was changed: check the users base DN and filter."),
        "{html}"
    );
    assert!(
        user_named(&app, "user2@woodgrove.test")
            .await
            .expect("User2")
            .account_enabled
    );

    // Deleting the system unlinks the groups its import linked and keeps what it imported,
    // as Gatehouse's own.
    let deleted = admin.post(&format!("{page}/delete"), &[]).await;
    assert_eq!(location(&deleted), "/admin/connected-systems");
    let kept = user_named(&app, "user2@woodgrove.test")
        .await
        .expect("User2 stays");
    assert_eq!((kept.source_system_id, kept.external_id), (None, None));
    let engineering = group_named(&app, "Engineering Group").await;
    assert_eq!(engineering.source_system_id, None);
    assert!(
        governed_group::Entity::find_by_id(engineering.id)
            .one(&app.db)
            .await
            .expect("query")
            .is_none()
    );
}

#[tokio::test]
async fn ten_thousand_people_and_a_group_of_all_of_them_import_in_one_sync() {
    const PEOPLE: usize = 10_000;
    let mut ldif = String::with_capacity(PEOPLE * 160);
    let mut group = String::from(
        "dn: cn=Everyone,ou=groups,dc=gatehouse,dc=test\nobjectClass: groupOfNames\ncn: Everyone\n",
    );
    for n in 0..PEOPLE {
        ldif.push_str(&format!(
            "dn: uid=person{n:05},ou=people,dc=gatehouse,dc=test\nobjectClass: inetOrgPerson\n\
             uid: person{n:05}\ncn: Person {n:05}\nsn: {n:05}\nmail: person{n:05}@woodgrove.test\n\n"
        ));
        group.push_str(&format!(
            "member: uid=person{n:05},ou=people,dc=gatehouse,dc=test\n"
        ));
    }
    ldif.push_str(&group);
    let Some(directory) = Slapd::start_with("LDAP import of 10k people", &ldif) else {
        return;
    };
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let page = add(&admin, &importing(&directory.url)).await;
    let system = page.rsplit('/').next().unwrap_or_default().to_owned();
    let sync_page = sync_now(&admin, &system).await;
    assert_eq!(run_worker(&app).await.succeeded, 1);
    let html = admin.get_html(&sync_page).await;
    assert!(html.contains("Read 10,002 people and 2 groups"), "{html}");
    let imported = user::Entity::find()
        .filter(user::Column::SourceSystemId.eq(gatehouse_id(&system)))
        .count(&app.db)
        .await
        .expect("query");
    assert_eq!(imported, PEOPLE as u64 + 2);
    let everyone = group_named(&app, "Everyone").await;
    let members = group_member::Entity::find()
        .filter(group_member::Column::GroupId.eq(everyone.id))
        .count(&app.db)
        .await
        .expect("query");
    assert_eq!(members, PEOPLE as u64);
    // Read again in full, nothing changes.
    sync_now(&admin, &system).await;
    assert_eq!(run_worker(&app).await.failed, 0);
    let run = latest_import(&app, &system).await;
    assert_eq!(
        (run.created, run.updated, run.disabled, run.unchanged),
        (0, 0, 0, PEOPLE as i64 + 2 + 2)
    );
}

#[tokio::test]
async fn drift_in_a_linked_group_is_reported_then_reverted() {
    let Some(directory) = Slapd::start_with("LDAP drift", MORE) else {
        return;
    };
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let page = add(&admin, &importing(&directory.url)).await;
    let system = page.rsplit('/').next().unwrap_or_default().to_owned();
    sync_now(&admin, &system).await;
    assert_eq!(run_worker(&app).await.succeeded, 1);
    let engineering = group_named(&app, "Engineering Group").await;
    let user1 = user_named(&app, "user1@woodgrove.test")
        .await
        .expect("User1");
    let outbox_pass = || deliveries::run_pass(&app.db, &app.clock, &app.secrets);

    // Admin1 makes User1 a direct member of the imported group: delivered, so expected.
    app.add_group_member(engineering.id, user1.id).await;
    outbox_pass().await.expect("outbox pass");
    assert_eq!(
        slapd::members(&directory.url, ENGINEERING_DN).await,
        [USER1_DN, USER2_DN]
    );
    // Outside Gatehouse, someone adds User3 (the directory's own business: the next import
    // brings it in) and removes User1 (whom Gatehouse put there: drift).
    slapd::modify(
        &directory.url,
        ENGINEERING_DN,
        vec![
            Mod::Add("member", HashSet::from([USER3_DN])),
            Mod::Delete("member", HashSet::from([USER1_DN])),
        ],
    )
    .await;
    let drift_page = format!("/admin/connected-systems/{system}/drift");
    let checked = admin.post(&drift_page, &[]).await;
    assert_eq!(location(&checked), drift_page);
    assert_eq!(run_worker(&app).await.succeeded, 1);
    let html = admin.get_html(&drift_page).await;
    assert!(
        html.contains(
            "Checked 2 groups: 0 added outside Gatehouse, 1 removed outside Gatehouse, 0 reverted"
        ),
        "{html}"
    );
    assert!(html.contains("Removed outside Gatehouse"), "{html}");
    assert!(html.contains("user1@woodgrove.test"), "{html}");
    // Report only: the directory is left as it is.
    assert_eq!(
        slapd::members(&directory.url, ENGINEERING_DN).await,
        [USER2_DN, USER3_DN]
    );

    // Revert: User1 comes back through the outbox; User3 stays.
    let saved = admin
        .post(
            &format!("{drift_page}/{}/mode", engineering.id),
            &[("mode", "revert")],
        )
        .await;
    assert_eq!(location(&saved), drift_page);
    admin.post(&drift_page, &[]).await;
    assert_eq!(run_worker(&app).await.succeeded, 1);
    outbox_pass().await.expect("outbox pass");
    assert_eq!(
        slapd::members(&directory.url, ENGINEERING_DN).await,
        [USER1_DN, USER2_DN, USER3_DN]
    );
    assert!(admin.get_html(&drift_page).await.contains("1 reverted"));

    // A group linked by hand (not imported) expects exactly Gatehouse's members: the
    // directory group's other members are drift, and Revert takes them out.
    let mut fields = ldap_fields("Links only", &directory.url, ADMIN_PASSWORD);
    fields.retain(|(k, _)| *k != "display_name");
    fields.push(("display_name", "Links only"));
    let links = add(&admin, &fields).await;
    let links = links.rsplit('/').next().unwrap_or_default().to_owned();
    let web = app.create_group("Web team").await;
    let linked = admin
        .post(
            &format!("/admin/groups/{web}/connected-system"),
            &[
                ("connected_system", links.as_str()),
                ("external_id", SALES_DN),
            ],
        )
        .await;
    assert_eq!(linked.status(), StatusCode::SEE_OTHER);
    app.add_group_member(web, user1.id).await;
    outbox_pass().await.expect("outbox pass");
    let links_drift = format!("/admin/connected-systems/{links}/drift");
    admin.post(&links_drift, &[]).await;
    assert_eq!(run_worker(&app).await.succeeded, 1);
    let html = admin.get_html(&links_drift).await;
    assert!(
        html.contains("Checked 1 group: 1 added outside Gatehouse, 0 removed outside Gatehouse"),
        "{html}"
    );
    assert!(html.contains(USER3_DN), "{html}");
    admin
        .post(&format!("{links_drift}/{web}/mode"), &[("mode", "revert")])
        .await;
    admin.post(&links_drift, &[]).await;
    assert_eq!(run_worker(&app).await.succeeded, 1);
    assert_eq!(slapd::members(&directory.url, SALES_DN).await, [USER1_DN]);
    assert_eq!(
        audit_count(&app, "Revert drift in connected system", "Web team").await,
        1
    );
    admin.post(&links_drift, &[]).await;
    assert_eq!(run_worker(&app).await.succeeded, 1);
    let html = admin.get_html(&links_drift).await;
    assert!(
        html.contains("No drift: every linked group has the members Gatehouse expects."),
        "{html}"
    );
}

#[tokio::test]
async fn drift_in_a_scim_group_is_reported_then_reverted() {
    use super::scim_server::{ScimServer, TOKEN};
    let Some(scim) = ScimServer::start("SCIM drift") else {
        return;
    };
    let user = |name: &str| {
        serde_json::json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": name,
        })
    };
    let scim_user1 = scim.create("Users", user("user1@woodgrove.test")).await;
    let outsider = scim
        .create("Users", user("contractor@elsewhere.test"))
        .await;
    // The group already has someone Gatehouse does not know.
    let scim_group = scim
        .create(
            "Groups",
            serde_json::json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "Engineering",
                "members": [{"value": outsider}],
            }),
        )
        .await;
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let page = add(&admin, &super::scim_fields(&scim.url, TOKEN)).await;
    let system = page.rsplit('/').next().unwrap_or_default().to_owned();
    let group = app.create_group("Engineering Group").await;
    admin
        .post(
            &format!("/admin/groups/{group}/connected-system"),
            &[
                ("connected_system", system.as_str()),
                ("external_id", "Engineering"),
            ],
        )
        .await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    app.add_group_member(group, user1).await;
    let drift_page = format!("/admin/connected-systems/{system}/drift");

    // User1's membership is still on its way: not drift. The outsider is.
    admin.post(&drift_page, &[]).await;
    assert_eq!(run_worker(&app).await.succeeded, 1);
    let html = admin.get_html(&drift_page).await;
    assert!(
        html.contains("Checked 1 group: 1 added outside Gatehouse, 0 removed outside Gatehouse"),
        "{html}"
    );
    assert!(html.contains(&outsider), "{html}");
    assert!(html.contains("Not matched to a Gatehouse user"), "{html}");

    // Delivered, then taken out of the group in the service provider.
    deliveries::run_pass(&app.db, &app.clock, &app.secrets)
        .await
        .expect("outbox pass");
    scim.remove_member(&scim_group, &scim_user1).await;
    admin.post(&drift_page, &[]).await;
    assert_eq!(run_worker(&app).await.succeeded, 1);
    let html = admin.get_html(&drift_page).await;
    assert!(
        html.contains("1 added outside Gatehouse, 1 removed outside Gatehouse"),
        "{html}"
    );

    // Revert: the outsider goes, User1 comes back.
    admin
        .post(&format!("{drift_page}/{group}/mode"), &[("mode", "revert")])
        .await;
    admin.post(&drift_page, &[]).await;
    assert_eq!(run_worker(&app).await.succeeded, 1);
    deliveries::run_pass(&app.db, &app.clock, &app.secrets)
        .await
        .expect("outbox pass");
    assert_eq!(scim.members(&scim_group).await, [scim_user1]);
}

#[tokio::test]
async fn two_instances_run_a_queued_sync_once_and_schedule_it_once() {
    let Some(directory) = Slapd::start_with("LDAP import, two instances", MORE) else {
        return;
    };
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let page = add(&admin, &importing(&directory.url)).await;
    let system = page.rsplit('/').next().unwrap_or_default().to_owned();
    sync_now(&admin, &system).await;
    let other = app.second_instance_db().await;
    let (a, b) = tokio::join!(
        sync::run_pass(&app.db, &app.clock, &app.secrets),
        sync::run_pass(&other, &app.clock, &app.secrets),
    );
    let (a, b) = (a.expect("first instance"), b.expect("second instance"));
    // (Either may also have run the hourly drift check of the groups the import linked.)
    assert_eq!((a.failed, b.failed), (0, 0));
    assert_eq!(
        audit_count(&app, "Sync connected system", "Contoso directory").await,
        1
    );
    assert_eq!(
        audit_count(&app, "Add user", "user2@woodgrove.test").await,
        1,
        "User2 is created once"
    );
    // An hour on, both instances find the sync due: one run is queued, and run once.
    app.clock.advance(Duration::minutes(61));
    let (a, b) = tokio::join!(
        sync::run_pass(&app.db, &app.clock, &app.secrets),
        sync::run_pass(&other, &app.clock, &app.secrets),
    );
    let (a, b) = (a.expect("first instance"), b.expect("second instance"));
    let imports = sync_run::Entity::find()
        .filter(sync_run::Column::Kind.eq("import"))
        .count(&app.db)
        .await
        .expect("query");
    assert_eq!(imports, 2, "{a:?} {b:?}");
    assert_eq!(
        audit_count(&app, "Sync connected system", "Contoso directory").await,
        2
    );
}
