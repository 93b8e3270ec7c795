use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn a_plain_user_gets_a_friendly_403_on_every_admin_page() {
    let app = spawn_app().await;
    let admin1 = app
        .create_user(
            "admin1@woodgrove.test",
            "Admin1",
            DirectoryRole::GlobalAdministrator,
        )
        .await;
    let group = app.create_group("Engineering Group").await;
    let (user, _) = app
        .signed_in("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    for path in [
        "/admin".to_owned(),
        "/admin/users".to_owned(),
        "/admin/users/new".to_owned(),
        format!("/admin/users/{admin1}"),
        format!("/admin/users/{admin1}/edit"),
        "/admin/groups".to_owned(),
        format!("/admin/groups/{group}/members"),
        "/admin/audit".to_owned(),
    ] {
        let response = user.get(&path).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("have access to this page"),
            "{path}"
        );
    }
    let posted = user
        .post(
            "/admin/groups/new",
            &[("display_name", "Sneaky"), ("membership_type", "assigned")],
        )
        .await;
    assert_eq!(posted.status(), StatusCode::FORBIDDEN);
    let posted = user
        .post(&format!("/admin/users/{admin1}/delete"), &[])
        .await;
    assert_eq!(posted.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn someone_not_signed_in_is_sent_to_sign_in() {
    let app = spawn_app().await;
    let response = app.browser().get("/admin/users").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_user_administrator_cannot_create_a_global_administrator() {
    let app = spawn_app().await;
    let (ua, _) = app
        .signed_in(
            "useradmin@woodgrove.test",
            "UserAdmin",
            DirectoryRole::UserAdministrator,
        )
        .await;
    let form = ua.get_html("/admin/users/new").await;
    assert!(
        !form.contains("value=\"globalAdministrator\""),
        "the role is not offered"
    );
    assert!(form.contains("value=\"userAdministrator\""));
    let fields = [
        ("display_name", "Boss"),
        ("user_principal_name", "boss@woodgrove.test"),
        ("directory_role", "globalAdministrator"),
        ("password", PASSWORD),
    ];
    let response = ua.post("/admin/users/new", &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response.text().await.unwrap().contains(
            "A User administrator cannot create, change or delete a Global administrator."
        )
    );
    assert_eq!(
        app.browser()
            .sign_in("boss@woodgrove.test", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // A plain user is fine.
    let fields = [
        ("display_name", "User1"),
        ("user_principal_name", "user1@woodgrove.test"),
        ("directory_role", "user"),
        ("password", PASSWORD),
    ];
    assert_eq!(
        ua.post("/admin/users/new", &fields).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_user_administrator_cannot_change_or_delete_a_global_administrator() {
    let app = spawn_app().await;
    let admin1 = app
        .create_user(
            "admin1@woodgrove.test",
            "Admin1",
            DirectoryRole::GlobalAdministrator,
        )
        .await;
    let (ua, _) = app
        .signed_in(
            "useradmin@woodgrove.test",
            "UserAdmin",
            DirectoryRole::UserAdministrator,
        )
        .await;
    let page = ua.get_html(&format!("/admin/users/{admin1}")).await;
    assert!(page.contains("Only a Global administrator can change a Global administrator."));
    assert!(!page.contains("/delete\""), "no delete offered");
    for path in ["edit", "reset-password", "delete"] {
        assert_eq!(
            ua.get(&format!("/admin/users/{admin1}/{path}"))
                .await
                .status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let edit = [
        ("display_name", "Hacked"),
        ("user_principal_name", "admin1@woodgrove.test"),
        ("directory_role", "user"),
    ];
    assert_eq!(
        ua.post(&format!("/admin/users/{admin1}/edit"), &edit)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ua.post(&format!("/admin/users/{admin1}/disable"), &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let reset = [
        ("password", "a brand new password"),
        ("confirm_password", "a brand new password"),
    ];
    assert_eq!(
        ua.post(&format!("/admin/users/{admin1}/reset-password"), &reset)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ua.post(&format!("/admin/users/{admin1}/delete"), &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // Admin1 is untouched and can still sign in with the old password.
    assert_eq!(
        app.browser()
            .sign_in("admin1@woodgrove.test", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_user_administrator_cannot_promote_someone_to_global_administrator() {
    let app = spawn_app().await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let (ua, _) = app
        .signed_in(
            "useradmin@woodgrove.test",
            "UserAdmin",
            DirectoryRole::UserAdministrator,
        )
        .await;
    let edit = [
        ("display_name", "User1"),
        ("user_principal_name", "user1@woodgrove.test"),
        ("directory_role", "globalAdministrator"),
    ];
    let response = ua.post(&format!("/admin/users/{user1}/edit"), &edit).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (user, _) = (app.browser(), ());
    user.sign_in("user1@woodgrove.test", PASSWORD).await;
    assert_eq!(
        user.get("/admin/users").await.status(),
        StatusCode::FORBIDDEN,
        "still a plain user"
    );
}

#[tokio::test]
async fn admins_cannot_lock_themselves_out() {
    let app = spawn_app().await;
    let (admin, me) = app.admin().await;
    let edit = [
        ("display_name", "Admin1"),
        ("user_principal_name", "admin1@woodgrove.test"),
        ("directory_role", "user"),
    ];
    let demoted = admin.post(&format!("/admin/users/{me}/edit"), &edit).await;
    assert_eq!(demoted.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        demoted
            .text()
            .await
            .unwrap()
            .contains("You cannot change your own directory role.")
    );
    assert_eq!(
        admin
            .post(&format!("/admin/users/{me}/disable"), &[])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        admin
            .post(&format!("/admin/users/{me}/delete"), &[])
            .await
            .status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        admin.get("/admin/users").await.status(),
        StatusCode::OK,
        "still an enabled admin"
    );
}

#[tokio::test]
async fn error_pages_keep_the_signed_in_layout() {
    let app = spawn_app().await;
    let (user, _) = app
        .signed_in("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let forbidden = user.get("/admin/users").await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let html = forbidden.text().await.unwrap();
    assert!(html.contains("have access to this page"));
    assert!(
        html.contains("User1") && html.contains(">Sign out</button>"),
        "the header shows who is signed in"
    );
    assert!(
        html.contains("aria-label=\"My Access\""),
        "with the My Access navigation"
    );

    let (admin, _) = app.admin().await;
    for path in [
        "/admin/users/00000000-0000-0000-0000-000000000000",
        "/admin/no-such-page",
    ] {
        let missing = admin.get(path).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let html = missing.text().await.unwrap();
        assert!(
            html.contains("Page not found") && html.contains("aria-label=\"Admin portal\""),
            "{path}"
        );
    }

    let anonymous = app.browser().get("/no-such-page").await;
    assert_eq!(anonymous.status(), StatusCode::NOT_FOUND);
    assert!(!anonymous.text().await.unwrap().contains("Sign out"));
}
