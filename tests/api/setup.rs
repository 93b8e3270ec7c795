use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, audit_count, location, spawn_app};

fn setup_fields<'a>(token: &'a str, upn: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("token", token),
        ("display_name", "Admin1"),
        ("user_principal_name", upn),
        ("email", ""),
        ("password", PASSWORD),
        ("confirm_password", PASSWORD),
    ]
}

#[tokio::test]
async fn the_setup_link_creates_the_first_global_administrator_and_then_dies() {
    let app = spawn_app().await;
    let token = app
        .setup_token
        .clone()
        .expect("an empty directory prints a setup link");
    assert!(token.len() >= 32, "the token carries at least 128 bits");
    let browser = app.browser();

    let page = browser.get(&format!("/setup?token={token}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Create the first administrator")
    );

    let created = browser
        .post("/setup", &setup_fields(&token, "Admin1@Woodgrove.test"))
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&created), "/admin/users");
    let users = browser.get_html("/admin/users").await;
    assert!(users.contains("admin1@woodgrove.test"));
    assert!(users.contains("Global administrator"));
    assert_eq!(
        audit_count(&app, "Create first administrator", "admin1@woodgrove.test").await,
        1
    );

    // The link answers 404 from now on, for reading and for posting.
    assert_eq!(
        browser.get(&format!("/setup?token={token}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let again = app.browser();
    let second = again
        .post("/setup", &setup_fields(&token, "intruder@woodgrove.test"))
        .await;
    assert_eq!(second.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        again
            .sign_in("intruder@woodgrove.test", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_setup_page_needs_the_printed_token() {
    let app = spawn_app().await;
    let browser = app.browser();
    assert_eq!(browser.get("/setup").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        browser.get("/setup?token=guess").await.status(),
        StatusCode::NOT_FOUND
    );
    let posted = browser
        .post("/setup", &setup_fields("guess", "admin1@woodgrove.test"))
        .await;
    assert_eq!(posted.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn setup_shows_each_mistake_next_to_its_field_and_keeps_the_input() {
    let app = spawn_app().await;
    let token = app.setup_token.clone().unwrap();
    let browser = app.browser();
    let fields = [
        ("token", token.as_str()),
        ("display_name", "Admin1"),
        ("user_principal_name", "admin1-at-woodgrove"),
        ("password", "short"),
        ("confirm_password", "short"),
    ];
    let response = browser.post("/setup", &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("value=\"admin1-at-woodgrove\""), "input kept");
    assert!(html.contains("Enter a user principal name like name@domain."));
    assert!(html.contains("The password must be at least 12 characters."));
    // Nothing was created: the link still works.
    assert_eq!(
        browser.get(&format!("/setup?token={token}")).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_setup_link_is_not_offered_when_users_exist() {
    let app = spawn_app().await;
    app.create_user(
        "admin1@woodgrove.test",
        "Admin1",
        DirectoryRole::GlobalAdministrator,
    )
    .await;
    let token = app.setup_token.clone().unwrap();
    let browser = app.browser();
    assert_eq!(
        browser.get(&format!("/setup?token={token}")).await.status(),
        StatusCode::NOT_FOUND
    );
}
