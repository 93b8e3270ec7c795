//! Provisioning tokens: made by a Global administrator, shown once, stored hashed, expiring,
//! revocable; without a valid one `/scim/v2` answers nothing but 401.
use gatehouse::clock::Clock;
use gatehouse::domain::user::DirectoryRole;
use gatehouse::entities::provisioning_token;
use reqwest::StatusCode;
use sea_orm::EntityTrait;

use super::{ok, provider, refused};
use crate::helpers::{audit_count, spawn_app};

const PAGE: &str = "/admin/connected-systems/scim-provisioning";

#[tokio::test]
async fn an_admin_makes_a_token_that_is_shown_once_and_stored_hashed() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let list = admin.get_html("/admin/connected-systems").await;
    assert!(
        list.contains(PAGE),
        "Connected systems links to SCIM provisioning"
    );
    let page = admin.get_html(PAGE).await;
    assert!(page.contains("/scim/v2\""), "the tenant URL is shown");
    assert!(page.contains("No tokens yet"));

    let made = admin
        .post(
            &format!("{PAGE}/tokens"),
            &[("name", "Contoso Entra ID"), ("valid_days", "90")],
        )
        .await;
    assert_eq!(made.status(), StatusCode::OK);
    assert_eq!(
        made.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let html = made.text().await.unwrap();
    let start = html.find("gatehouse_scim_").expect("the token is shown");
    let secret: String = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    assert_eq!(secret.len(), "gatehouse_scim_".len() + 64);

    let stored = provisioning_token::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].token_hash, secret, "only a hash is kept");
    assert!(!stored[0].token_hash.contains(&secret[15..]));
    assert_eq!(stored[0].hint, secret[secret.len() - 4..]);
    assert_eq!(
        stored[0].expires_at,
        Some(app.clock.now() + time::Duration::days(90))
    );

    let again = admin.get_html(PAGE).await;
    assert!(!again.contains(&secret), "never shown again");
    assert!(again.contains("Contoso Entra ID") && again.contains("Never used"));
    assert_eq!(
        audit_count(&app, "Add SCIM provisioning token", "Contoso Entra ID").await,
        1
    );

    // The token works, and its last use shows.
    let answer = reqwest::Client::new()
        .get(format!("{}/scim/v2/ServiceProviderConfig", app.address))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    let config = ok(answer, StatusCode::OK).await;
    assert_eq!(config["patch"]["supported"], true);
    assert_eq!(config["etag"]["supported"], true);
    let used = admin.get_html(PAGE).await;
    assert!(!used.contains("Never used"), "the last use is shown");
}

#[tokio::test]
async fn a_token_form_with_mistakes_comes_back_with_messages() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let answer = admin
        .post(
            &format!("{PAGE}/tokens"),
            &[("name", " "), ("valid_days", "36500")],
        )
        .await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = answer.text().await.unwrap();
    assert!(html.contains("field-error"), "{html}");
    assert!(!html.contains("gatehouse_scim_"));
    let stored = provisioning_token::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(stored.is_empty());

    let domain = admin
        .post(
            &format!("{PAGE}/settings"),
            &[("upn_domain", "not a domain")],
        )
        .await;
    assert_eq!(domain.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        domain
            .text()
            .await
            .unwrap()
            .contains("Enter a domain like contoso.com")
    );
}

#[tokio::test]
async fn only_a_global_administrator_manages_provisioning() {
    let app = spawn_app().await;
    let (user_admin, _) = app
        .signed_in(
            "useradmin@woodgrove.test",
            "User admin",
            DirectoryRole::UserAdministrator,
        )
        .await;
    assert_eq!(user_admin.get(PAGE).await.status(), StatusCode::FORBIDDEN);
    let made = user_admin
        .post(
            &format!("{PAGE}/tokens"),
            &[("name", "Mine"), ("valid_days", "90")],
        )
        .await;
    assert_eq!(made.status(), StatusCode::FORBIDDEN);
    assert!(
        provisioning_token::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn without_a_valid_token_scim_answers_401() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let idp = provider(&app).await;
    let users = format!("{}/Users", idp.base);

    let none = reqwest::Client::new().get(&users).send().await.unwrap();
    assert!(
        none.headers()
            .get("www-authenticate")
            .is_some_and(|v| v.to_str().unwrap().starts_with("Bearer")),
        "says how to authenticate"
    );
    refused(none, StatusCode::UNAUTHORIZED).await;
    let wrong = reqwest::Client::new()
        .get(&users)
        .bearer_auth("gatehouse_scim_0000")
        .send()
        .await
        .unwrap();
    refused(wrong, StatusCode::UNAUTHORIZED).await;
    // A signed-in administrator's session is not a provisioning token.
    refused(admin.get("/scim/v2/Users").await, StatusCode::UNAUTHORIZED).await;
    // Nor is anything under the base, even what does not exist.
    let unknown = reqwest::Client::new()
        .get(format!("{}/Nothing", idp.base))
        .send()
        .await
        .unwrap();
    refused(unknown, StatusCode::UNAUTHORIZED).await;

    ok(idp.get("/Users").await, StatusCode::OK).await;

    // Expired: a year and a day later.
    app.clock.advance(time::Duration::days(366));
    refused(idp.get("/Users").await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn a_revoked_token_stops_working_at_once() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let idp = provider(&app).await;
    ok(idp.get("/Users").await, StatusCode::OK).await;

    let stored = provisioning_token::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    let revoked = admin
        .post(&format!("{PAGE}/tokens/{}/revoke", stored[0].id), &[])
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    refused(idp.get("/Users").await, StatusCode::UNAUTHORIZED).await;
    let page = admin.get_html(PAGE).await;
    assert!(page.contains("Revoked"));
    assert_eq!(
        audit_count(&app, "Revoke SCIM provisioning token", "Contoso Entra ID").await,
        1
    );
    // Twice is said, not failed.
    let again = admin
        .post(&format!("{PAGE}/tokens/{}/revoke", stored[0].id), &[])
        .await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn every_scim_address_refuses_without_a_token() {
    let app = spawn_app().await;
    let idp = provider(&app).await;
    let user = idp
        .create("/Users", super::user_body("ada@contoso.com"))
        .await;
    let id = user["id"].as_str().unwrap().to_owned();
    let client = reqwest::Client::new();
    let routes = [
        ("GET", "/ServiceProviderConfig".to_owned()),
        ("GET", "/ResourceTypes".to_owned()),
        ("GET", "/ResourceTypes/User".to_owned()),
        ("GET", "/Schemas".to_owned()),
        (
            "GET",
            "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User".to_owned(),
        ),
        ("GET", "/Users".to_owned()),
        ("POST", "/Users".to_owned()),
        ("POST", "/Users/.search".to_owned()),
        ("GET", format!("/Users/{id}")),
        ("PUT", format!("/Users/{id}")),
        ("PATCH", format!("/Users/{id}")),
        ("DELETE", format!("/Users/{id}")),
        ("GET", "/Groups".to_owned()),
        ("POST", "/Groups".to_owned()),
        ("POST", "/Groups/.search".to_owned()),
        ("GET", format!("/Groups/{id}")),
        ("PUT", format!("/Groups/{id}")),
        ("PATCH", format!("/Groups/{id}")),
        ("DELETE", format!("/Groups/{id}")),
        ("POST", "/.search".to_owned()),
        ("POST", "/Bulk".to_owned()),
    ];
    for (method, path) in routes {
        let answer = client
            .request(method.parse().unwrap(), format!("{}{path}", idp.base))
            .header("Content-Type", "application/scim+json")
            .body(super::user_body("mallory@contoso.com").to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    // Nothing was created, changed or deleted.
    let still = ok(idp.get(&format!("/Users/{id}")).await, StatusCode::OK).await;
    assert_eq!(still["userName"], "ada@contoso.com");
    let found = ok(
        idp.get("/Users?filter=userName%20eq%20%22mallory%40contoso.com%22")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["totalResults"], 0);
}
