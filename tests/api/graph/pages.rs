//! The pages around the API: My Access → API tokens, App registrations, the OpenAPI
//! document and the reference page.
use reqwest::StatusCode;

use super::Script;
use crate::helpers::spawn_app;

/// The new token in a page that shows it once.
fn shown_secret(html: &str, prefix: &str) -> Option<String> {
    let start = html.find(prefix)?;
    let rest = &html[start..];
    let end = rest.find('"')?;
    Some(rest[..end].to_owned())
}

#[tokio::test]
async fn a_person_makes_a_token_in_my_access_uses_it_and_revokes_it() {
    let app = spawn_app().await;
    let (browser, admin) = app.admin().await;
    let page = browser.get_html("/myaccess/api-tokens").await;
    assert!(page.contains("No tokens yet"));

    let refused = browser
        .post(
            "/myaccess/api-tokens",
            &[("name", "Onboarding script"), ("valid_days", "30")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Choose at least one permission")
    );

    let made = browser
        .post(
            "/myaccess/api-tokens",
            &[
                ("name", "Onboarding script"),
                ("valid_days", "30"),
                ("scope", "User.Read.All"),
                ("scope", "Group.Read.All"),
            ],
        )
        .await;
    assert_eq!(made.status(), StatusCode::OK);
    assert_eq!(made.headers()["cache-control"], "no-store");
    let html = made.text().await.unwrap();
    let secret = shown_secret(&html, "gatehouse_pat_").expect("the token, shown once");
    assert!(html.contains("User.Read.All, Group.Read.All"));

    let script = Script::new(&app, secret.clone());
    assert_eq!(script.get("/users").await.status(), StatusCode::OK);
    let again = browser.get_html("/myaccess/api-tokens").await;
    assert!(!again.contains(&secret), "shown only once");
    assert!(again.contains("Onboarding script"));

    let token_id = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        gatehouse::entities::api_token::Entity::find()
            .filter(gatehouse::entities::api_token::Column::OwnerId.eq(admin))
            .one(&app.db)
            .await
            .unwrap()
            .expect("the token")
            .id
    };
    let revoked = browser
        .post(&format!("/myaccess/api-tokens/{token_id}/revoke"), &[])
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        script.get("/users").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(
        browser
            .get_html("/myaccess/api-tokens")
            .await
            .contains("Revoked")
    );
}

#[tokio::test]
async fn a_global_administrator_registers_an_app_and_gets_its_secret_once() {
    let app = spawn_app().await;
    let (browser, _) = app.admin().await;
    let made = browser
        .post(
            "/admin/app-registrations",
            &[
                ("name", "HR onboarding daemon"),
                ("valid_days", "180"),
                ("permission", "User.Read.All"),
            ],
        )
        .await;
    assert_eq!(made.status(), StatusCode::OK);
    let html = made.text().await.unwrap();
    let secret = shown_secret(&html, "gatehouse_secret_").expect("the secret, shown once");
    let registration = gatehouse::services::apps::list(
        &app.db,
        &gatehouse::domain::principal::Principal::console(),
    )
    .await
    .unwrap();
    let client_id = registration[0].client_id.to_string();
    assert!(html.contains(&client_id));
    let token = reqwest::Client::new()
        .post(format!("{}/gatehouse/oauth2/v2.0/token", app.address))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id.as_str()),
            ("client_secret", secret.as_str()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), StatusCode::OK);

    // A new secret replaces the old one at once.
    let renewed = browser
        .post(
            &format!("/admin/app-registrations/{}/secret", registration[0].id),
            &[("valid_days", "90")],
        )
        .await;
    let html = renewed.text().await.unwrap();
    let new_secret = shown_secret(&html, "gatehouse_secret_").expect("the new secret");
    assert_ne!(new_secret, secret);
    let old = reqwest::Client::new()
        .post(format!("{}/gatehouse/oauth2/v2.0/token", app.address))
        .basic_auth(&client_id, Some(&secret))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_openapi_document_and_the_reference_page_list_what_the_api_serves() {
    let app = spawn_app().await;
    let doc: serde_json::Value = reqwest::get(format!("{}/openapi.json", app.address))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/v1.0/users",
        "/v1.0/groups/{id}/members/$ref",
        "/{tenant}/oauth2/v2.0/token",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let page = reqwest::get(format!("{}/api", app.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("API reference"));
    assert!(page.contains("/v1.0/groups/{id}/members"));
}
