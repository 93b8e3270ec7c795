//! Sessions: the cookie, the idle timeout, and signing out for good.
use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;
use time::Duration;

use crate::helpers::{PASSWORD, audit_count, location, spawn_app};

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = spawn_app().await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let response = app
        .browser()
        .sign_in("user1@woodgrove.test", PASSWORD)
        .await;
    let cookie = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("gatehouse_session="))
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");
}

#[tokio::test]
async fn a_session_ends_after_the_idle_timeout() {
    let app = spawn_app().await;
    let (user, _) = app
        .signed_in("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    app.clock.advance(Duration::hours(7));
    assert_eq!(
        user.get("/myaccess/access").await.status(),
        StatusCode::OK,
        "activity within 8 hours keeps it"
    );
    app.clock.advance(Duration::hours(7));
    assert_eq!(
        user.get("/myaccess/access").await.status(),
        StatusCode::OK,
        "idle time counts from the last request"
    );
    app.clock.advance(Duration::hours(8) + Duration::minutes(1));
    let expired = user.get("/myaccess/access").await;
    assert_eq!(expired.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&expired), "/?next=%2Fmyaccess%2Faccess");
    assert!(
        user.get_html("/")
            .await
            .contains("signed out after a period of inactivity")
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_even_for_a_copied_cookie() {
    let app = spawn_app().await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let user = app.browser();
    let signed_in = user.sign_in("user1@woodgrove.test", PASSWORD).await;
    let copied = session_cookie(&signed_in);
    let replay = || async {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(user.url("/myaccess/access"))
            .header(reqwest::header::COOKIE, copied.clone())
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(
        replay().await,
        StatusCode::OK,
        "the copy works while signed in"
    );

    let out = user.post("/sign-out", &[]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(user.get_html("/").await.contains("You have signed out."));
    assert_eq!(
        user.get("/myaccess/access").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        replay().await,
        StatusCode::SEE_OTHER,
        "the copied cookie no longer works"
    );
    assert_eq!(
        audit_count(&app, "Sign out", "user1@woodgrove.test").await,
        1
    );
}

fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("gatehouse_session="))
        .and_then(|c| c.split(';').next())
        .unwrap_or_default()
        .to_owned()
}
