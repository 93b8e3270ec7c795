//! Refused sign-ins say the same for a wrong password, an unknown user and a disabled one.
use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, audit_count, spawn_app};

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let wrong = app
        .browser()
        .sign_in("user1@woodgrove.test", "not the password")
        .await;
    let unknown = app
        .browser()
        .sign_in("nobody@woodgrove.test", PASSWORD)
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let (wrong, unknown) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    assert!(wrong.contains("The username or password is incorrect."));
    assert!(unknown.contains("The username or password is incorrect."));
    assert!(
        wrong.contains("value=\"user1@woodgrove.test\""),
        "the username is kept"
    );
    assert_eq!(
        audit_count(&app, "Sign-in failed", "user1@woodgrove.test").await,
        1
    );
    assert_eq!(
        audit_count(&app, "Sign-in failed", "nobody@woodgrove.test").await,
        1
    );
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let disabled = admin
        .post(&format!("/admin/users/{user1}/disable"), &[])
        .await;
    assert_eq!(disabled.status(), StatusCode::SEE_OTHER);
    let refused = app
        .browser()
        .sign_in("user1@woodgrove.test", PASSWORD)
        .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("The username or password is incorrect.")
    );
    assert!(
        admin
            .get_html("/admin/audit?target=user1")
            .await
            .contains("account disabled"),
        "the audit log says why"
    );
}

#[tokio::test]
async fn a_disabled_account_answers_the_same_to_a_right_and_a_wrong_password() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    admin
        .post(&format!("/admin/users/{user1}/disable"), &[])
        .await;
    let right = app
        .browser()
        .sign_in("user1@woodgrove.test", PASSWORD)
        .await;
    let wrong = app
        .browser()
        .sign_in("user1@woodgrove.test", "not the password")
        .await;
    let unknown = app
        .browser()
        .sign_in("nobody@woodgrove.test", PASSWORD)
        .await;
    assert_eq!(right.status(), wrong.status());
    assert_eq!(right.status(), unknown.status());
    let (right, wrong, unknown) = (
        right.text().await.unwrap(),
        wrong.text().await.unwrap(),
        unknown.text().await.unwrap(),
    );
    let message = |html: &str| {
        html.lines()
            .find(|line| line.contains("class=\"error") || line.contains("role=\"alert\""))
            .map(str::trim)
            .map(str::to_owned)
    };
    assert_eq!(message(&right), message(&wrong));
    assert_eq!(message(&right), message(&unknown));
    assert!(right.contains("The username or password is incorrect."));
    assert_eq!(
        audit_count(&app, "Sign-in failed", "user1@woodgrove.test").await,
        2,
        "the audit log still says why"
    );
}
