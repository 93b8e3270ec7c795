//! The Graph-compatible API under `/v1.0`: tokens, OData options, Graph error bodies, and
//! the resources, driven with plain HTTP as a script would.
mod catalogs;
mod directory;
mod pages;
mod policies;
mod readme;
mod requests;
mod sdk;
mod tokens;
mod tutorial;

use gatehouse::domain::principal::{Principal, Scope};
use gatehouse::ids::UserId;
use gatehouse::services::api_tokens::{self, NewToken};
use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::helpers::TestApp;

/// A personal token of `user`'s with `scopes`, made as My Access makes it.
pub async fn token(app: &TestApp, user: UserId, scopes: &[Scope]) -> String {
    let (person, roles) = gatehouse::store::users::signed_in(&app.db, user)
        .await
        .expect("database")
        .expect("the user exists");
    let principal = Principal::session(&person, roles, None);
    let input = NewToken {
        name: "Test script".into(),
        valid_days: "30".into(),
        scopes: scopes.iter().map(|s| s.as_str().to_owned()).collect(),
    };
    let (_, secret) = api_tokens::create(&app.db, &app.clock, &principal, &input)
        .await
        .expect("token made");
    secret
}

/// The tutorial's people and group: Admin1 (a Global administrator), User1 and
/// `Marketing resources`.
pub struct People {
    pub admin1: UserId,
    pub user1: UserId,
    pub group: gatehouse::ids::GroupId,
}

pub async fn people(app: &TestApp) -> People {
    use gatehouse::domain::user::DirectoryRole;
    People {
        admin1: app
            .create_user(
                "admin1@woodgrove.test",
                "Admin1",
                DirectoryRole::GlobalAdministrator,
            )
            .await,
        user1: app
            .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
            .await,
        group: app.create_group("Marketing resources").await,
    }
}

/// A script's client: the API's base address and a bearer token.
pub struct Script {
    pub base: String,
    pub token: String,
    client: reqwest::Client,
}

impl Script {
    pub fn new(app: &TestApp, token: String) -> Self {
        Self {
            base: format!("{}/v1.0", app.address),
            token,
            client: reqwest::Client::new(),
        }
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Response {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("the request is answered")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send(reqwest::Method::GET, path, None).await
    }

    /// GET that must answer 200, as JSON.
    pub async fn get_ok(&self, path: &str) -> Value {
        let response = self.get(path).await;
        let status = response.status();
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.send(reqwest::Method::DELETE, path, None).await
    }
}

/// Asserts a Graph error answer: the status, the code, and the body's shape.
pub async fn assert_graph_error(response: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("a JSON error body");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(
        body["error"]["innerError"]["request-id"].is_string(),
        "{body}"
    );
    assert!(body["error"]["innerError"]["date"].is_string(), "{body}");
    body
}

/// The `displayName`s of a collection's items.
pub fn names(body: &Value) -> Vec<String> {
    body["value"]
        .as_array()
        .expect("a collection")
        .iter()
        .map(|v| v["displayName"].as_str().unwrap_or_default().to_owned())
        .collect()
}
