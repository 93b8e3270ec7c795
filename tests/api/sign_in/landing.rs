//! The sign-in page, and where people land after it.
use gatehouse::domain::user::DirectoryRole;

use crate::helpers::{PASSWORD, audit_count, location, spawn_app};

#[tokio::test]
async fn the_sign_in_page_has_the_tutorials_words() {
    let app = spawn_app().await;
    let html = app.browser().get_html("/").await;
    for words in [
        "<label for=\"username\">Username</label>",
        "<label for=\"password\">Password</label>",
        ">Sign in</button>",
    ] {
        assert!(html.contains(words), "missing {words}");
    }
}

#[tokio::test]
async fn an_admin_lands_in_the_admin_portal_and_a_user_in_my_access() {
    let app = spawn_app().await;
    app.create_user(
        "admin1@woodgrove.test",
        "Admin1",
        DirectoryRole::GlobalAdministrator,
    )
    .await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;

    let admin = app
        .browser()
        .sign_in("ADMIN1@woodgrove.test", PASSWORD)
        .await;
    assert_eq!(location(&admin), "/admin/users");
    let user = app
        .browser()
        .sign_in("user1@woodgrove.test", PASSWORD)
        .await;
    assert_eq!(location(&user), "/myaccess/access-packages");
    assert_eq!(
        audit_count(&app, "Sign-in succeeded", "user1@woodgrove.test").await,
        1
    );
}

#[tokio::test]
async fn after_sign_in_people_return_to_the_page_they_asked_for_but_never_to_another_site() {
    let app = spawn_app().await;
    app.create_user(
        "admin1@woodgrove.test",
        "Admin1",
        DirectoryRole::GlobalAdministrator,
    )
    .await;
    let browser = app.browser();
    let asked = browser.get("/admin/groups?page=1").await;
    assert_eq!(location(&asked), "/?next=%2Fadmin%2Fgroups%3Fpage%3D1");
    let token = browser.csrf_token().await;
    let fields = [
        ("csrf_token", token.as_str()),
        ("username", "admin1@woodgrove.test"),
        ("password", PASSWORD),
        ("next", "/admin/groups?page=1"),
    ];
    assert_eq!(
        location(&browser.post_raw("/", &fields).await),
        "/admin/groups?page=1"
    );

    let other = app.browser();
    let token = other.csrf_token().await;
    let fields = [
        ("csrf_token", token.as_str()),
        ("username", "admin1@woodgrove.test"),
        ("password", PASSWORD),
        ("next", "//evil.test/"),
    ];
    assert_eq!(
        location(&other.post_raw("/", &fields).await),
        "/admin/users"
    );
}
