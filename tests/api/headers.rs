//! Response headers that every page carries, and HEAD.
use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, STRICT_TRANSPORT_SECURITY};

use crate::helpers::{spawn_app, spawn_app_with};

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[tokio::test]
async fn browsers_are_told_to_keep_to_https_when_gatehouse_is_reached_over_https() {
    let app = spawn_app_with(|settings| {
        settings.public_url = Some("https://gatehouse.woodgrove.test".into())
    })
    .await;
    let page = app.browser().get("/").await;
    let hsts = header(&page, STRICT_TRANSPORT_SECURITY).unwrap_or_default();
    assert!(hsts.starts_with("max-age="), "{hsts:?}");
    let missing = app.browser().get("/no/such/page").await;
    assert!(header(&missing, STRICT_TRANSPORT_SECURITY).is_some());
}

#[tokio::test]
async fn plain_http_gets_no_strict_transport_security() {
    let app = spawn_app().await;
    let page = app.browser().get("/").await;
    assert_eq!(header(&page, STRICT_TRANSPORT_SECURITY), None);
}

#[tokio::test]
async fn signed_in_pages_are_not_kept_by_caches_but_the_stylesheet_is() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    for path in ["/admin/users", "/myaccess/access", "/admin/groups/new"] {
        let page = admin.get(path).await;
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(&page, CACHE_CONTROL).as_deref(),
            Some("no-store"),
            "{path}"
        );
    }
    let refused = admin
        .post("/admin/groups/new", &[("display_name", " ")])
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(header(&refused, CACHE_CONTROL).as_deref(), Some("no-store"));
    let css = admin.get("/static/gatehouse.css").await;
    assert_eq!(
        header(&css, CACHE_CONTROL).as_deref(),
        Some("public, max-age=300")
    );
}

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let app = spawn_app().await;
    let (user, _) = app
        .signed_in("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    for path in ["/myaccess/access", "/static/gatehouse.css"] {
        let get = user.get(path).await;
        let head = user.client.head(user.url(path)).send().await.unwrap();
        assert_eq!(head.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&head, CONTENT_TYPE), header(&get, CONTENT_TYPE));
        let length = get.text().await.unwrap().len().to_string();
        assert_eq!(header(&head, CONTENT_LENGTH), Some(length), "{path}");
        assert!(head.bytes().await.unwrap().is_empty(), "{path}");
    }
    let stranger = app.browser();
    let head = stranger
        .client
        .head(stranger.url("/myaccess/access"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        head.status(),
        StatusCode::SEE_OTHER,
        "as GET: sign in first"
    );
    let missing = stranger
        .client
        .head(stranger.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn head_is_not_taken_for_a_post() {
    let app = spawn_app().await;
    let browser = app.browser();
    let head = browser
        .client
        .head(browser.url("/sign-out"))
        .send()
        .await
        .unwrap();
    assert_ne!(head.status(), StatusCode::SEE_OTHER);
    assert_ne!(head.status(), StatusCode::OK);
}
