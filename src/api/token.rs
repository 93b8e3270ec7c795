//! `POST /{tenant}/oauth2/v2.0/token`: the OAuth 2.0 client credentials grant, as Entra's
//! token endpoint answers it, so that daemons (and Graph SDKs' client secret credentials)
//! get a bearer token for the API.
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::extract::client_ip;
use crate::services::apps::{self, TokenError, TokenRequest};
use crate::state::AppState;

/// The form a daemon posts.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct TokenForm {
    /// `client_credentials`
    grant_type: String,
    /// The app registration's application (client) id.
    client_id: String,
    client_secret: String,
    /// `https://graph.microsoft.com/.default` (any resource's `.default`).
    scope: String,
}

/// A token issued.
#[derive(Serialize, ToSchema)]
pub struct TokenAnswer {
    token_type: &'static str,
    expires_in: i64,
    ext_expires_in: i64,
    access_token: String,
}

/// A refusal, as RFC 6749 section 5.2 words it.
#[derive(Serialize, ToSchema)]
pub struct TokenRefusal {
    error: &'static str,
    error_description: String,
}

/// `Authorization: Basic base64(client_id:client_secret)` (client_secret_basic).
fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((unescape(id), unescape(secret)))
}

/// Trades a client id and secret for a bearer token that lasts an hour.
#[utoipa::path(
    post,
    path = "/{tenant}/oauth2/v2.0/token",
    tag = "Tokens",
    params(("tenant" = String, Path, description = "Any tenant name or id; Gatehouse has one directory.")),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A bearer token", body = TokenAnswer),
        (status = 400, description = "The request or scope is wrong", body = TokenRefusal),
        (status = 401, description = "Unknown client or wrong secret", body = TokenRefusal),
        (status = 429, description = "Too many wrong secrets; see Retry-After", body = TokenRefusal),
    ),
    security(())
)]
pub async fn issue(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: Option<web::Form<TokenForm>>,
) -> HttpResponse {
    let form = form.map(web::Form::into_inner).unwrap_or_default();
    let (client_id, client_secret) = match basic_credentials(&req) {
        Some(pair) => pair,
        None => (form.client_id, form.client_secret),
    };
    let input = TokenRequest {
        grant_type: form.grant_type,
        client_id,
        client_secret,
        scope: form.scope,
    };
    let issued = apps::issue_token(
        &state.db,
        state.clock.as_ref(),
        &state.sign_in_gate,
        &input,
        client_ip(&req),
    )
    .await;
    match issued {
        Ok(issued) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(TokenAnswer {
                token_type: "Bearer",
                expires_in: issued.expires_in,
                ext_expires_in: issued.expires_in,
                access_token: issued.access_token,
            }),
        Err(err) => {
            let status = match &err {
                TokenError::InvalidClient => StatusCode::UNAUTHORIZED,
                TokenError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                TokenError::Unexpected(e) => {
                    tracing::error!(error = %e, "token endpoint failed");
                    StatusCode::INTERNAL_SERVER_ERROR
                }
                _ => StatusCode::BAD_REQUEST,
            };
            let description = match &err {
                TokenError::InvalidClient => {
                    "Unknown client, or the client secret is wrong or expired.".to_owned()
                }
                TokenError::UnsupportedGrantType => {
                    "Only grant_type=client_credentials is supported.".to_owned()
                }
                TokenError::Unexpected(_) => "Gatehouse could not do this just now.".to_owned(),
                other => other.to_string(),
            };
            let mut answer = HttpResponse::build(status);
            answer.insert_header((header::CACHE_CONTROL, "no-store"));
            if let TokenError::Throttled { retry_after_secs } = err {
                answer.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            if status == StatusCode::UNAUTHORIZED {
                answer.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"Gatehouse\""));
            }
            answer.json(TokenRefusal {
                error: err.code(),
                error_description: description,
            })
        }
    }
}
