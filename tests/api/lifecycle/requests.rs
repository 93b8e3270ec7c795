//! Asking for access: the rules on submit, who may ask, cancelling, and whose requests are whose.
use gatehouse::domain::catalog::CatalogRole;
use gatehouse::domain::policy::Subject;
use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;

use crate::builders::PolicyOptions;
use crate::helpers::{PASSWORD, ids_after};
use crate::packages::PACKAGE;

use super::{days_from_today, internal_user_policy, request, spawn, user1, world, world_with};

#[tokio::test]
async fn requests_that_break_the_rules_are_refused_with_a_message() {
    let app = spawn().await;
    let w = world(&app).await;
    let user = user1(&app).await;
    let long = "x".repeat(1001);
    let yesterday = days_from_today(&app, -1);
    let far = days_from_today(&app, 45);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("justification", "")],
            "Enter a business justification.",
        ),
        (vec![("justification", &long)], "at most 1,000 characters"),
        (
            vec![
                ("justification", "ok"),
                ("specific_period", "yes"),
                ("start_date", &yesterday),
            ],
            "The start date cannot be in the past.",
        ),
        (
            vec![
                ("justification", "ok"),
                ("specific_period", "yes"),
                ("end_date", &far),
            ],
            "The policy allows access until",
        ),
        (
            vec![
                ("justification", "ok"),
                ("specific_period", "yes"),
                ("start_date", "24/11/2026"),
            ],
            "Enter a date like 2026-11-24.",
        ),
    ];
    for (fields, message) in cases {
        let refused = request(&user, &w.package, &fields).await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{message}"
        );
        let html = refused.text().await.unwrap();
        assert!(html.contains(message), "expected {message}");
    }
    let kept = request(&user, &w.package, &[("justification", &long)])
        .await
        .text()
        .await
        .unwrap();
    assert!(kept.contains(&long), "the input is kept");
    assert!(
        user.get_html("/myaccess/request-history")
            .await
            .contains("No requests yet"),
        "nothing stored"
    );

    assert_eq!(
        request(&user, &w.package, &[("justification", "first")])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let second = request(&user, &w.package, &[("justification", "again")]).await;
    assert_eq!(second.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        second
            .text()
            .await
            .unwrap()
            .contains("your request is waiting for approval")
    );

    // Someone the policy does not name cannot see or request the package.
    let (other, _) = app
        .signed_in("user2@woodgrove.test", "User2", DirectoryRole::User)
        .await;
    assert!(
        !other
            .get_html("/myaccess/access-packages")
            .await
            .contains(PACKAGE)
    );
    assert_eq!(
        other
            .get(&format!("/myaccess/access-packages/{}", w.package))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        request(&other, &w.package, &[("justification", "please")])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_pending_request_can_be_canceled_by_its_requestor() {
    let app = spawn().await;
    let w = world(&app).await;
    let user = user1(&app).await;
    request(
        &user,
        &w.package,
        &[("justification", "Working on web project")],
    )
    .await;
    let history = user.get_html("/myaccess/request-history").await;
    let id = ids_after(&history, "href=\"/myaccess/request-history/")[0].clone();
    assert_eq!(
        w.admin
            .post(&format!("/myaccess/request-history/{id}/cancel"), &[])
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "only the requestor"
    );
    user.post(&format!("/myaccess/request-history/{id}/cancel"), &[])
        .await;
    let history = user.get_html("/myaccess/request-history").await;
    assert!(history.contains("Request canceled") && history.contains("Canceled"));
    assert!(
        w.admin
            .get_html("/myaccess/approvals")
            .await
            .contains("No pending approvals")
    );
    assert!(
        user.get_html(&format!("/myaccess/request-history/{id}"))
            .await
            .contains("Canceled by User1")
    );
}

#[tokio::test]
async fn who_may_request_follows_groups_hidden_packages_and_several_policies() {
    let app = spawn().await;
    let w = world(&app).await;
    // A second policy for the Web developers group, and a package only findable by link.
    let developers = app.create_group("Web developers").await;
    let user2 = app
        .create_user("user2@woodgrove.test", "User2", DirectoryRole::User)
        .await;
    app.add_group_member(developers, user2).await;
    let developers_policy = internal_user_policy("Developers policy", &[], w.admin1)
        .requested_also_by(Subject::Group(developers));
    app.create_policy(w.package, developers_policy).await;

    let (dev, _) = (app.browser(), ());
    dev.sign_in("user2@woodgrove.test", PASSWORD).await;
    assert!(
        dev.get_html("/myaccess/access-packages")
            .await
            .contains(PACKAGE),
        "through the group"
    );
    let (outsider, _) = app
        .signed_in("user3@woodgrove.test", "User3", DirectoryRole::User)
        .await;
    assert!(
        !outsider
            .get_html("/myaccess/access-packages")
            .await
            .contains(PACKAGE)
    );

    // User1 is named by one policy, User2 by the other: each gets their own, no choice needed.
    let user = user1(&app).await;
    assert!(
        !user
            .get_html(&format!("/myaccess/access-packages/{}", w.package))
            .await
            .contains("<legend>Policy</legend>")
    );

    // Once both policies name User1, the pane asks which one.
    let second = internal_user_policy("Second policy for User1", &[w.user1], w.admin1);
    app.create_policy(w.package, second).await;
    let pane = user
        .get_html(&format!("/myaccess/access-packages/{}", w.package))
        .await;
    assert!(pane.contains("<legend>Policy</legend>") && pane.contains("Second policy for User1"));
    let unchosen = request(&user, &w.package, &[("justification", "which one?")]).await;
    assert_eq!(unchosen.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unchosen
            .text()
            .await
            .unwrap()
            .contains("Choose the policy to request under.")
    );

    // Hidden: gone from the list, still there by the My Access portal link.
    w.admin
        .post(
            &format!("/admin/access-packages/{}/properties", w.package),
            &[
                ("display_name", PACKAGE),
                ("description", ""),
                ("is_hidden", "yes"),
            ],
        )
        .await;
    assert!(
        !user
            .get_html("/myaccess/access-packages")
            .await
            .contains(PACKAGE)
    );
    assert!(
        user.get_html(&format!("/myaccess/access-packages/{}", w.package))
            .await
            .contains("Business justification")
    );
}

#[tokio::test]
async fn requests_and_assignments_are_only_for_their_own_people() {
    let app = spawn().await;
    let w = world_with(&app, |_, policy| policy.without_approval()).await;
    let user = user1(&app).await;
    request(
        &user,
        &w.package,
        &[("justification", "Working on web project")],
    )
    .await;
    let history = user.get_html("/myaccess/request-history").await;
    let request_id = ids_after(&history, "href=\"/myaccess/request-history/")[0].clone();
    let mine = user.get_html("/myaccess/access").await;
    let assignment = ids_after(&mine, "href=\"/myaccess/access/")[0].clone();

    let (other, _) = app
        .signed_in("user2@woodgrove.test", "User2", DirectoryRole::User)
        .await;
    assert_eq!(
        other
            .get(&format!("/myaccess/request-history/{request_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .get(&format!("/myaccess/access/{assignment}/remove"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .post(&format!("/myaccess/access/{assignment}/remove"), &[])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .get(&format!("/myaccess/approvals/{request_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "not an approver"
    );
    assert_eq!(
        other
            .post(
                &format!("/myaccess/approvals/{request_id}"),
                &[("decision", "Deny"), ("reason", "")]
            )
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // An assignment manager of another catalog cannot touch it either.
    let marketing = app.create_catalog("Marketing").await;
    let manager = app
        .create_user("manager@woodgrove.test", "Manager", DirectoryRole::User)
        .await;
    app.grant_catalog_role(marketing, manager, CatalogRole::AssignmentManager)
        .await;
    let browser = app.browser();
    browser.sign_in("manager@woodgrove.test", PASSWORD).await;
    let path = format!(
        "/admin/access-packages/{}/assignments/{assignment}/remove",
        w.package
    );
    assert_eq!(browser.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        browser.post(&path, &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        user.get_html("/myaccess/access").await.contains(PACKAGE),
        "still assigned"
    );
}
