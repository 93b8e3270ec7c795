//! Form posts must carry the session's CSRF token: `CsrfForm<T>` reads the body, checks the
//! token in constant time and only then hands the form to the handler.
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest, dev::Payload};
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use super::session::TypedSession;
use crate::web::error::AppError;

/// A url-encoded form whose CSRF token has been checked.
pub struct CsrfForm<T>(pub T);

#[derive(Deserialize)]
struct TokenOnly {
    #[serde(default)]
    csrf_token: String,
}

pub fn tokens_match(expected: &str, given: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// A form body whose CSRF token has been checked, for handlers that read it more than one
/// way (the policy form's fields, and which of its buttons was pressed).
pub struct CsrfBody(Bytes);

impl CsrfBody {
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, AppError> {
        serde_html_form::from_bytes::<T>(&self.0)
            .map_err(|_| AppError::BadRequest("The form was not filled in as expected.".to_owned()))
    }
}

impl FromRequest for CsrfBody {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = Bytes::from_request(req, payload);
        let session = TypedSession::from_request(req, payload);
        Box::pin(async move {
            let body = body.await.map_err(|err| {
                if err.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    AppError::BadRequest("The form could not be read.".to_owned())
                }
            })?;
            let session = session.await?;
            let given = serde_html_form::from_bytes::<TokenOnly>(&body)
                .map(|t| t.csrf_token)
                .unwrap_or_default();
            let expected = session.stored_csrf_token().unwrap_or_default();
            if !tokens_match(&expected, &given) {
                return Err(AppError::Csrf);
            }
            Ok(CsrfBody(body))
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = CsrfBody::from_request(req, payload);
        Box::pin(async move { body.await?.parse::<T>().map(CsrfForm) })
    }
}

#[cfg(test)]
mod tests {
    use super::tokens_match;

    #[test]
    fn an_empty_or_different_token_never_matches() {
        assert!(tokens_match("abc123", "abc123"));
        assert!(!tokens_match("abc123", "abc124"));
        assert!(!tokens_match("abc123", ""));
        assert!(!tokens_match("", ""));
    }
}
