use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn a_form_post_without_the_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let fields = [
        ("display_name", "User1"),
        ("user_principal_name", "user1@woodgrove.test"),
        ("directory_role", "user"),
        ("password", PASSWORD),
    ];
    let refused = admin.post_raw("/admin/users/new", &fields).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("This form has expired")
    );
    let mut forged = vec![("csrf_token", "0000")];
    forged.extend_from_slice(&fields);
    assert_eq!(
        admin.post_raw("/admin/users/new", &forged).await.status(),
        StatusCode::FORBIDDEN
    );
    assert!(
        !admin
            .get_html("/admin/users")
            .await
            .contains("user1@woodgrove.test")
    );
}

#[tokio::test]
async fn a_token_from_another_session_does_not_work() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let (other, _) = app
        .signed_in(
            "admin2@woodgrove.test",
            "Admin2",
            DirectoryRole::GlobalAdministrator,
        )
        .await;
    let stolen = other.csrf_token().await;
    let fields = [
        ("csrf_token", stolen.as_str()),
        ("display_name", "Engineering Group"),
        ("membership_type", "assigned"),
    ];
    assert_eq!(
        admin.post_raw("/admin/groups/new", &fields).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn signing_in_needs_the_token_too() {
    let app = spawn_app().await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let browser = app.browser();
    let response = browser
        .post_raw(
            "/",
            &[("username", "user1@woodgrove.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn signing_out_needs_the_token() {
    let app = spawn_app().await;
    let (user, _) = app
        .signed_in("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    assert_eq!(
        user.post_raw("/sign-out", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        user.get("/myaccess/access").await.status(),
        StatusCode::OK,
        "still signed in"
    );
}
