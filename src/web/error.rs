//! Errors a handler can end with, and the page each one shows.
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::services::error::ServiceError;
use crate::web::layout::Chrome;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("page not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    /// Not signed in (or the session ended): go to the sign-in page, then back to `next`.
    #[error("sign-in required")]
    SignInRequired { next: Option<String> },
    #[error("missing or invalid CSRF token")]
    Csrf,
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The object's state does not allow this now.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// A service refusal with no form to show it on becomes a page.
impl From<ServiceError> for AppError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::NotFound => Self::NotFound,
            ServiceError::Forbidden { .. } => Self::Forbidden,
            ServiceError::Conflict { message, .. } => Self::Conflict(message),
            ServiceError::Invalid(fields) => Self::BadRequest(
                fields
                    .into_iter()
                    .map(|f| f.message)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            ServiceError::Unexpected(err) => Self::Unexpected(err),
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Unexpected(anyhow::Error::new(err).context("database"))
    }
}

#[derive(Template)]
#[template(path = "errors/error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub status: u16,
    pub title: &'static str,
    pub message: String,
}

/// What an error page says, kept on the response so that it can be shown again inside the
/// signed-in layout (see `web::errors`).
#[derive(Clone)]
pub struct ErrorParts {
    pub status: u16,
    pub title: &'static str,
    pub message: String,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::SignInRequired { .. } => StatusCode::SEE_OTHER,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (title, message) = match self {
            Self::SignInRequired { next } => {
                let location = match next {
                    Some(next) => format!("/?next={}", crate::web::encode_query_value(next)),
                    None => "/".to_owned(),
                };
                return HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish();
            }
            Self::NotFound => ("Page not found", "The page you asked for does not exist, or it was deleted.".to_owned()),
            Self::Forbidden => (
                "You don't have access to this page",
                "Your role does not allow this. If you need access, ask an administrator.".to_owned(),
            ),
            Self::Csrf => (
                "This form has expired",
                "The form was sent without a valid security token, so nothing was changed. Go back, reload the page and try again.".to_owned(),
            ),
            Self::PayloadTooLarge => ("Too much data", "The form sent more data than Gatehouse accepts. Nothing was changed.".to_owned()),
            Self::BadRequest(reason) => ("Bad request", reason.clone()),
            Self::Conflict(reason) => ("This cannot be done now", reason.clone()),
            Self::Unexpected(err) => {
                tracing::error!(error = format!("{err:#}"), "unexpected error");
                ("Something went wrong", "Gatehouse could not finish this request. Nothing was changed; try again in a moment.".to_owned())
            }
        };
        let status = self.status_code();
        let page = ErrorPage {
            chrome: Chrome::anonymous(),
            status: status.as_u16(),
            title,
            message,
        };
        let parts = ErrorParts {
            status: page.status,
            title,
            message: page.message.clone(),
        };
        match page.render() {
            Ok(body) => {
                let mut response = HttpResponse::build(status)
                    .content_type("text/html; charset=utf-8")
                    .body(body);
                response.extensions_mut().insert(parts);
                response
            }
            Err(_) => HttpResponse::build(status)
                .content_type("text/plain; charset=utf-8")
                .body(title),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
