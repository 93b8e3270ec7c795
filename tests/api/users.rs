use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, audit_count, ids_after, link, location, spawn_app};

fn new_user<'a>(name: &'a str, upn: &'a str, password: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("display_name", name),
        ("user_principal_name", upn),
        ("email", ""),
        ("directory_role", "user"),
        ("password", password),
    ]
}

#[tokio::test]
async fn new_user_with_mistakes_comes_back_with_messages_and_the_input_kept() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let fields = [
        ("display_name", "   "),
        ("user_principal_name", "user1 at woodgrove"),
        ("email", "not-an-email"),
        ("directory_role", "user"),
        ("password", "short"),
    ];
    let response = admin.post("/admin/users/new", &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("Enter a display name."));
    assert!(html.contains("Enter a user principal name like name@domain."));
    assert!(html.contains("Enter an email address like name@example.com, or leave it empty."));
    assert!(html.contains("The password must be at least 12 characters."));
    assert!(html.contains("value=\"user1 at woodgrove\""), "input kept");
    assert!(html.contains("value=\"not-an-email\""), "input kept");
    assert!(
        !html.contains("value=\"short\""),
        "passwords are never sent back"
    );
    assert!(html.contains("aria-invalid=\"true\""));
}

#[tokio::test]
async fn a_display_name_longer_than_256_characters_is_refused() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let long = "x".repeat(257);
    let response = admin
        .post(
            "/admin/users/new",
            &new_user(&long, "user1@woodgrove.test", PASSWORD),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("The display name can be at most 256 characters.")
    );
}

#[tokio::test]
async fn user_principal_names_are_unique_whatever_their_case() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let created = admin
        .post(
            "/admin/users/new",
            &new_user("User1", "user1@woodgrove.test", PASSWORD),
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let again = admin
        .post(
            "/admin/users/new",
            &new_user("User One", "USER1@Woodgrove.test", PASSWORD),
        )
        .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = again.text().await.unwrap();
    assert!(html.contains("A user with this user principal name already exists."));
    assert!(html.contains("value=\"User One\""));
    assert_eq!(
        audit_count(&app, "Add user", "user1@woodgrove.test").await,
        1
    );
}

#[tokio::test]
async fn an_oversized_form_is_refused_with_413_and_nothing_is_saved() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let huge = "x".repeat(100 * 1024);
    let response = admin
        .post(
            "/admin/users/new",
            &new_user(&huge, "user1@woodgrove.test", PASSWORD),
        )
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        !admin
            .get_html("/admin/users")
            .await
            .contains("user1@woodgrove.test")
    );
}

#[tokio::test]
async fn an_admin_edits_disables_enables_and_resets_a_users_password() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let created = admin
        .post(
            "/admin/users/new",
            &new_user("User1", "user1@woodgrove.test", PASSWORD),
        )
        .await;
    let page = location(&created);
    let id = page.trim_start_matches("/admin/users/").to_owned();
    assert!(admin.get_html(&page).await.contains("User created: User1"));
    let (user, _) = (app.browser(), ());
    assert_eq!(
        user.sign_in("user1@woodgrove.test", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );

    let edit = [
        ("display_name", "User One"),
        ("user_principal_name", "user.one@woodgrove.test"),
        ("email", "user.one@woodgrove.test"),
        ("directory_role", "user"),
    ];
    assert_eq!(
        admin
            .post(&format!("/admin/users/{id}/edit"), &edit)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let html = admin.get_html(&page).await;
    assert!(html.contains("User updated: User One"));
    assert!(html.contains("user.one@woodgrove.test"));

    // Disabling ends the user's session at once.
    assert_eq!(
        admin
            .post(&format!("/admin/users/{id}/disable"), &[])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert!(
        admin
            .get_html(&page)
            .await
            .contains("Account disabled: User One")
    );
    assert_eq!(user.get("/myaccess").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        admin
            .post(&format!("/admin/users/{id}/enable"), &[])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );

    let mismatch = [
        ("password", "a brand new password"),
        ("confirm_password", "another new password"),
    ];
    let response = admin
        .post(&format!("/admin/users/{id}/reset-password"), &mismatch)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("The passwords do not match.")
    );
    let reset = [
        ("password", "a brand new password"),
        ("confirm_password", "a brand new password"),
    ];
    assert_eq!(
        admin
            .post(&format!("/admin/users/{id}/reset-password"), &reset)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.browser()
            .sign_in("user.one@woodgrove.test", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.browser()
            .sign_in("user.one@woodgrove.test", "a brand new password")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        audit_count(&app, "Reset user password", "user.one@woodgrove.test").await,
        1
    );
}

#[tokio::test]
async fn deleting_a_user_asks_first_and_removes_their_memberships() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let group = app.create_group("Engineering Group").await;
    admin
        .post(
            &format!("/admin/groups/{group}/members/add"),
            &[("user_id", &user1.to_string())],
        )
        .await;
    let members = admin
        .get_html(&format!("/admin/groups/{group}/members"))
        .await;
    assert!(
        members.contains("user1@woodgrove.test"),
        "added before the delete"
    );

    let confirm = admin
        .get_html(&format!("/admin/users/{user1}/delete"))
        .await;
    assert!(confirm.contains("Delete User1?"));
    let deleted = admin
        .post(&format!("/admin/users/{user1}/delete"), &[])
        .await;
    assert_eq!(location(&deleted), "/admin/users");
    assert!(
        admin
            .get_html("/admin/users")
            .await
            .contains("User deleted: User1")
    );
    assert_eq!(
        admin.get(&format!("/admin/users/{user1}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        admin
            .get_html(&format!("/admin/groups/{group}/members"))
            .await
            .contains("No members")
    );
    assert_eq!(
        audit_count(&app, "Delete user", "user1@woodgrove.test").await,
        1
    );
}

#[tokio::test]
async fn the_users_list_searches_and_pages() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    for n in 1..=30 {
        app.create_user(
            &format!("person{n:02}@woodgrove.test"),
            &format!("Person {n:02}"),
            DirectoryRole::User,
        )
        .await;
    }
    let first = admin.get_html("/admin/users").await;
    assert_eq!(ids_after(&first, "href=\"/admin/users/").len(), 25);
    assert!(first.contains("25 users on this page"));
    let next = link(&first, "next").expect("a Next link");
    let second = admin.get_html(&format!("/admin/users{next}")).await;
    assert_eq!(ids_after(&second, "href=\"/admin/users/").len(), 6);
    assert!(!second.contains("rel=\"next\"") && second.contains("rel=\"prev\""));
    let found = admin.get_html("/admin/users?q=PERSON%2007").await;
    assert_eq!(ids_after(&found, "href=\"/admin/users/").len(), 1);
    assert!(found.contains("person07@woodgrove.test"));
    let none = admin.get_html("/admin/users?q=%25").await;
    assert!(none.contains("No users match"), "a % is taken literally");
    assert_eq!(
        admin.get("/admin/users?after=junk").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_user_that_does_not_exist_is_a_404_page() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    for path in [
        "/admin/users/not-an-id",
        "/admin/users/00000000-0000-0000-0000-000000000000",
        "/admin/no-such-page",
    ] {
        let response = admin.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(response.text().await.unwrap().contains("Page not found"));
    }
}
