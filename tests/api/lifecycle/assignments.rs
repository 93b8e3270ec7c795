//! Direct assignment and removal: membership stays while another source still grants it.
use gatehouse::domain::policy::Expiration;
use gatehouse::ids::AccessPackageId;
use reqwest::StatusCode;
use time::Duration;

use crate::builders::PolicyOptions;
use crate::helpers::{TestApp, ids_after, location};
use crate::packages::PACKAGE;

use super::{World, internal_user_policy, request, run_pass, spawn, user1, world, world_with};

#[tokio::test]
async fn removing_an_assignment_keeps_membership_from_other_sources() {
    let app = spawn().await;
    let w = world_with(&app, |_, policy| policy.without_approval()).await;
    app.add_group_member(w.group, w.user1).await;
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
        .post(
            &new,
            &[("user_id", &w.user1.to_string()), ("policy", &policy)],
        )
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
    let w = world_with(&app, |_, policy| {
        policy.without_approval().expires(Expiration::Days(1))
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

/// "Second package" in the Default catalog, granting the same group for two days.
async fn create_second_package(app: &TestApp, w: &World) -> AccessPackageId {
    let package = app
        .create_package(app.default_catalog().await, "Second package", &[w.group])
        .await;
    let policy = internal_user_policy("Internal user policy", &[w.user1], w.admin1)
        .without_approval()
        .expires(Expiration::Days(2));
    app.create_policy(package, policy).await;
    package
}
