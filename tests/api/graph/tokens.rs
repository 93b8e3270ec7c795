//! Who may call the API: personal tokens limited by scope and owner, app registrations
//! through the token endpoint, rate limits.
use gatehouse::domain::principal::{Principal, Scope};
use gatehouse::domain::user::DirectoryRole;
use gatehouse::services::apps::{self, NewApp};
use reqwest::StatusCode;

use super::{Script, assert_graph_error, token};
use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn a_call_without_a_valid_token_is_refused_with_401() {
    let app = spawn_app().await;
    let admin = app
        .create_user(
            "admin1@woodgrove.test",
            "Admin1",
            DirectoryRole::GlobalAdministrator,
        )
        .await;
    for presented in ["", "gatehouse_pat_nope", "not-even-a-token"] {
        let script = Script::new(&app, presented.to_owned());
        let response = script.get("/users").await;
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer realm=\"Gatehouse\", error=\"invalid_token\""
        );
        assert_graph_error(
            response,
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
        )
        .await;
    }
    // Expired by the clock.
    let script = Script::new(&app, token(&app, admin, &[Scope::UserRead]).await);
    assert_eq!(script.get("/users").await.status(), StatusCode::OK);
    app.clock.advance(time::Duration::days(31));
    let response = script.get("/users").await;
    assert_graph_error(
        response,
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
    )
    .await;
}

#[tokio::test]
async fn a_token_does_no_more_than_its_scopes_and_its_owner_allow() {
    let app = spawn_app().await;
    let admin = app
        .create_user(
            "admin1@woodgrove.test",
            "Admin1",
            DirectoryRole::GlobalAdministrator,
        )
        .await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let group = app.create_group("Marketing resources").await;

    // The owner may, the scope does not.
    let groups_only = Script::new(&app, token(&app, admin, &[Scope::GroupRead]).await);
    assert_graph_error(
        groups_only.get("/users").await,
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
    )
    .await;
    assert_eq!(groups_only.get("/groups").await.status(), StatusCode::OK);
    let add = groups_only
        .post(
            &format!("/groups/{group}/members/$ref"),
            serde_json::json!({ "@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{user1}") }),
        )
        .await;
    assert_graph_error(add, StatusCode::FORBIDDEN, "Authorization_RequestDenied").await;

    // The scope may, the owner does not.
    let user_token = Script::new(&app, token(&app, user1, &[Scope::UserRead]).await);
    assert_graph_error(
        user_token.get("/users").await,
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
    )
    .await;

    // A disabled owner's tokens stop working.
    let admin_token = Script::new(&app, token(&app, admin, &[Scope::UserRead]).await);
    let other_admin = app
        .create_user(
            "admin2@woodgrove.test",
            "Admin2",
            DirectoryRole::GlobalAdministrator,
        )
        .await;
    let other = Script::new(&app, token(&app, other_admin, &[Scope::UserRead]).await);
    gatehouse::services::users::set_enabled(
        &app.db,
        &app.clock,
        &Principal::console(),
        admin,
        false,
    )
    .await
    .expect("disabled");
    assert_eq!(
        admin_token.get("/users").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(other.get("/users").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_token_over_its_calls_per_minute_gets_429_with_retry_after() {
    let app = spawn_app_with(|s| s.api_calls_per_minute = "3".into()).await;
    let admin = app
        .create_user(
            "admin1@woodgrove.test",
            "Admin1",
            DirectoryRole::GlobalAdministrator,
        )
        .await;
    let script = Script::new(&app, token(&app, admin, &[Scope::UserRead]).await);
    for _ in 0..3 {
        assert_eq!(script.get("/users").await.status(), StatusCode::OK);
    }
    let refused = script.get("/users").await;
    let wait: i64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_graph_error(refused, StatusCode::TOO_MANY_REQUESTS, "TooManyRequests").await;
    // Another token has calls of its own; the next minute starts afresh.
    let other = Script::new(&app, token(&app, admin, &[Scope::UserRead]).await);
    assert_eq!(other.get("/users").await.status(), StatusCode::OK);
    app.clock.advance(time::Duration::seconds(wait));
    assert_eq!(script.get("/users").await.status(), StatusCode::OK);
}

async fn register_app(app: &crate::helpers::TestApp, permissions: &[Scope]) -> (String, String) {
    let input = NewApp {
        name: "Onboarding daemon".into(),
        valid_days: "365".into(),
        permissions: permissions.iter().map(|s| s.as_str().to_owned()).collect(),
    };
    let (registration, secret) = apps::create(&app.db, &app.clock, &Principal::console(), &input)
        .await
        .expect("registered");
    (registration.client_id.to_string(), secret)
}

async fn ask_token(
    app: &crate::helpers::TestApp,
    client_id: &str,
    secret: &str,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!(
            "{}/contoso.onmicrosoft.com/oauth2/v2.0/token",
            app.address
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .expect("answered")
}

#[tokio::test]
async fn an_app_trades_its_client_secret_for_an_hour_long_token() {
    let app = spawn_app().await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let (client_id, secret) = register_app(&app, &[Scope::UserRead]).await;
    let answer = ask_token(&app, &client_id, &secret).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["cache-control"], "no-store");
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let script = Script::new(&app, body["access_token"].as_str().unwrap().to_owned());
    let users = script.get_ok("/users").await;
    assert_eq!(super::names(&users), ["User1"]);
    // Its permissions are all it has.
    assert_eq!(script.get("/groups").await.status(), StatusCode::FORBIDDEN);
    app.clock.advance(time::Duration::minutes(61));
    assert_eq!(
        script.get("/users").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn wrong_client_secrets_are_throttled_like_wrong_passwords() {
    let app = spawn_app().await;
    let (client_id, secret) = register_app(&app, &[Scope::UserRead]).await;
    for _ in 0..5 {
        let answer = ask_token(&app, &client_id, "gatehouse_secret_wrong").await;
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(body["error"], "invalid_client");
    }
    // Now even the right secret waits.
    let answer = ask_token(&app, &client_id, &secret).await;
    assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(answer.headers().contains_key("retry-after"));
    app.clock.advance(time::Duration::minutes(1));
    assert_eq!(
        ask_token(&app, &client_id, &secret).await.status(),
        StatusCode::OK
    );

    let bad_grant = reqwest::Client::new()
        .post(format!("{}/common/oauth2/v2.0/token", app.address))
        .form(&[
            ("grant_type", "password"),
            ("client_id", client_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad_grant.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = bad_grant.json().await.unwrap();
    assert_eq!(body["error"], "unsupported_grant_type");
}
