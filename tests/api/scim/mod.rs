//! Gatehouse as a SCIM 2.0 service provider: an identity provider creates, changes,
//! disables and deletes users and groups at `/scim/v2` with a provisioning token.
mod groups;
mod tester;
mod tokens;
mod users;

use gatehouse::domain::principal::Principal;
use gatehouse::services::provisioning;
use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::helpers::TestApp;

/// An identity provider's client, with its token.
pub struct Provider {
    pub base: String,
    pub token: String,
    client: reqwest::Client,
}

/// A token made as a Global administrator would, through the service.
pub async fn token(app: &TestApp, name: &str) -> String {
    let (_, secret) =
        provisioning::create_token(&app.db, &app.clock, &Principal::console(), name, "365")
            .await
            .expect("token made");
    secret
}

pub async fn provider(app: &TestApp) -> Provider {
    Provider {
        base: format!("{}/scim/v2", app.address),
        token: token(app, "Contoso Entra ID").await,
        client: reqwest::Client::new(),
    }
}

impl Provider {
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Response {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/scim+json")
                .body(body.to_string());
        }
        request.send().await.expect("the request is answered")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, operations: Value) -> Response {
        let body = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": operations,
        });
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.send(reqwest::Method::DELETE, path, None).await
    }

    /// A new resource's JSON, after checking it was created.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let answer = self.post(path, body).await;
        ok(answer, StatusCode::CREATED).await
    }
}

/// The body of an answer with `status`, as JSON, after checking its content type.
pub async fn ok(answer: Response, status: StatusCode) -> Value {
    let got = answer.status();
    let content_type = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = answer.text().await.expect("a body");
    assert_eq!(got, status, "{text}");
    assert_eq!(content_type, "application/scim+json", "{text}");
    serde_json::from_str(&text).expect("JSON")
}

/// An error answer: its status, `scimType` and detail, after checking its shape.
pub async fn refused(answer: Response, status: StatusCode) -> (Option<String>, String) {
    let body = ok(answer, status).await;
    assert_eq!(
        body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
        "{body}"
    );
    assert_eq!(body["status"], status.as_u16().to_string(), "{body}");
    (
        body["scimType"].as_str().map(str::to_owned),
        body["detail"].as_str().unwrap_or_default().to_owned(),
    )
}

pub fn user_body(user_name: &str) -> Value {
    serde_json::json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": { "givenName": "Ada", "familyName": "Lovelace" },
        "emails": [{ "value": user_name, "type": "work", "primary": true }],
        "active": true,
    })
}
