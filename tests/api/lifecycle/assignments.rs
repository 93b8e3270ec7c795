//! Direct assignment and removal: membership stays while another source still grants it.
use reqwest::StatusCode;
use time::Duration;

use crate::helpers::{Browser, TestApp, ids_after, location};
use crate::packages::{PACKAGE, selected_option, tutorial_policy};

use super::{World, request, run_pass, set, spawn, user1, world, world_with};

#[tokio::test]
async fn removing_an_assignment_keeps_membership_from_other_sources() {
    let app = spawn().await;
    let w = world_with(&app, |fields| set(fields, "require_approval", "no")).await;
    w.admin
        .post(
            &format!("/admin/groups/{}/members/add", w.group),
            &[("user_id", &w.user1)],
        )
        .await;
    let user = user1(&app).await;
    request(
        &user,
        &w.package,
        &[("justification", "Working on web project")],
    )
    .await;
    let members = w
        .admin
        .get_html(&format!("/admin/groups/{}/members", w.group))
        .await;
    assert!(members.contains("Direct, Access package assignment"));
    let mine = user.get_html("/myaccess/access").await;
    let assignment = ids_after(&mine, "href=\"/myaccess/access/")[0].clone();
    user.post(&format!("/myaccess/access/{assignment}/remove"), &[])
        .await;
    assert!(
        user.get_html("/myaccess/access")
            .await
            .contains("Access removed")
    );
    let members = w
        .admin
        .get_html(&format!("/admin/groups/{}/members", w.group))
        .await;
    assert!(
        members.contains("user1@woodgrove.test") && !members.contains("Access package assignment"),
        "the direct membership stays"
    );
    let requests = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/requests", w.package))
        .await;
    assert!(requests.contains("Remove access (by the user)"));
}

#[tokio::test]
async fn an_administrator_assigns_directly_and_policies_with_assignments_cannot_be_deleted() {
    let app = spawn().await;
    let w = world(&app).await;
    let new = format!("/admin/access-packages/{}/assignments/new", w.package);
    let form = w.admin.get_html(&format!("{new}?q=user1")).await;
    assert!(form.contains("user1@woodgrove.test"));
    let policies = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/policies", w.package))
        .await;
    let policy = ids_after(
        &policies,
        &format!("/admin/access-packages/{}/policies/", w.package),
    )[0]
    .clone();
    let missing = w.admin.post(&new, &[("policy", &policy)]).await;
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.text().await.unwrap().contains("Choose a user."));
    let created = w
        .admin
        .post(&new, &[("user_id", &w.user1), ("policy", &policy)])
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    assert!(
        w.admin
            .get_html(&format!("/admin/groups/{}/members", w.group))
            .await
            .contains("user1@woodgrove.test")
    );
    assert!(
        w.admin
            .get_html(&format!("/admin/access-packages/{}/requests", w.package))
            .await
            .contains("Direct assignment")
    );

    let refused = w
        .admin
        .post(
            &format!(
                "/admin/access-packages/{}/policies/{policy}/delete",
                w.package
            ),
            &[],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    let page = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/policies", w.package))
        .await;
    assert!(page.contains(
        "Internal user policy has 1 active assignment. Remove access on the Assignments page first."
    ));
    let refused = w
        .admin
        .post(&format!("/admin/access-packages/{}/delete", w.package), &[])
        .await;
    assert_eq!(
        location(&refused),
        format!("/admin/access-packages/{}", w.package)
    );
    assert!(
        w.admin
            .get_html(&location(&refused))
            .await
            .contains("has 1 active assignment")
    );

    let user = user1(&app).await;
    assert_eq!(user.get(&new).await.status(), StatusCode::FORBIDDEN);
    assert!(user.get_html("/myaccess/access").await.contains(PACKAGE));
}

#[tokio::test]
async fn two_packages_granting_one_group_keep_it_until_both_end() {
    let app = spawn().await;
    let w = world_with(&app, |fields| {
        set(fields, "require_approval", "no");
        set(fields, "expiration", "days");
        set(fields, "expiration_days", "1");
    })
    .await;
    // A second package with the same group and a longer policy.
    let second = create_second_package(&app, &w).await;
    let user = user1(&app).await;
    request(&user, &w.package, &[("justification", "short")]).await;
    request(&user, &second, &[("justification", "long")]).await;
    let members = w
        .admin
        .get_html(&format!("/admin/groups/{}/members", w.group))
        .await;
    assert_eq!(
        members.matches("user1@woodgrove.test").count(),
        1,
        "one member, two sources"
    );
    app.clock.advance(Duration::days(1));
    assert_eq!(run_pass(&app).await.expired, 1);
    assert!(
        w.admin
            .get_html(&format!("/admin/groups/{}/members", w.group))
            .await
            .contains("user1@woodgrove.test"),
        "the other package still grants it"
    );
    app.clock.advance(Duration::days(1));
    assert_eq!(run_pass(&app).await.expired, 1);
    assert!(
        w.admin
            .get_html(&format!("/admin/groups/{}/members", w.group))
            .await
            .contains("No members")
    );
}

async fn create_second_package(app: &TestApp, w: &World) -> String {
    let started = w
        .admin
        .post("/admin/access-packages/new", &[("catalog", "")])
        .await;
    let basics = location(&started);
    w.admin
        .post(
            &basics,
            &[
                ("display_name", "Second package"),
                ("catalog_id", &selected_catalog(&w.admin, &basics).await),
                ("action", "next"),
            ],
        )
        .await;
    let resources = basics.replace("/basics", "/resources");
    w.admin
        .post(
            &resources,
            &[("action", "select_groups"), ("pick", &w.group)],
        )
        .await;
    w.admin
        .post(
            &resources,
            &[
                ("resource_group", &w.group),
                ("resource_role", "member"),
                ("action", "next"),
            ],
        )
        .await;
    let created = w
        .admin
        .post(
            &basics.replace("/basics", "/review"),
            &[("action", "create")],
        )
        .await;
    let package = location(&created)
        .trim_start_matches("/admin/access-packages/")
        .to_owned();
    let requestor = format!("user:{}", w.user1);
    let mut fields: Vec<(&str, String)> = tutorial_policy(&requestor, &w.admin1, "save")
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
    set(&mut fields, "require_approval", "no");
    set(&mut fields, "expiration_days", "2");
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let made = w
        .admin
        .post(
            &format!("/admin/access-packages/{package}/policies/new"),
            &borrowed,
        )
        .await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let _ = app;
    package
}

async fn selected_catalog(admin: &Browser, basics: &str) -> String {
    selected_option(&admin.get_html(basics).await)
}
