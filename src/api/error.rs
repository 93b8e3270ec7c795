//! Graph's error body, `{"error":{"code","message","innerError":{"request-id","date"}}}`,
//! for every refusal the API gives: bad input, no token, not allowed, not found, too many
//! calls. Services' errors map here by their stable codes.
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::domain::odata::QueryError;
use crate::services::error::ServiceError;

/// A refusal, as Graph answers it.
#[derive(Debug)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// Per-field problems of a body that broke a rule.
    pub details: Vec<Detail>,
    pub retry_after: Option<i64>,
}

/// One field's problem, in `error.details`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Detail {
    pub code: String,
    pub message: String,
    pub target: String,
}

/// `error.innerError`: what to quote when asking for help.
#[derive(Serialize, ToSchema)]
pub struct InnerError {
    #[serde(rename = "request-id")]
    pub request_id: String,
    pub date: String,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code, e.g. `ResourceNotFound`, `BadRequest`, `Authorization_RequestDenied`.
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<Detail>,
    #[serde(rename = "innerError")]
    pub inner_error: InnerError,
}

/// The body of every error answer.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

impl GraphError {
    pub fn new(status: StatusCode, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            "The resource does not exist, or you may not see it.",
        )
    }

    /// A path segment that should be an object id and is not.
    pub fn bad_id(raw: &str) -> Self {
        let shown: String = raw.chars().take(64).collect();
        Self::bad_request(format!("Invalid object identifier '{shown}'."))
    }

    pub fn unauthorized(message: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
    }

    pub fn too_many(retry_after: i64) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                format!("Too many requests with this token. Retry after {retry_after} seconds."),
            )
        }
    }

    fn body(&self) -> ErrorBody {
        let date = time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
            .format(&Rfc3339)
            .unwrap_or_default();
        ErrorBody {
            error: ErrorDetail {
                code: self.code.clone(),
                message: self.message.clone(),
                details: self.details.clone(),
                inner_error: InnerError {
                    request_id: uuid::Uuid::new_v4().to_string(),
                    date,
                },
            },
        }
    }
}

impl std::fmt::Display for GraphError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl ResponseError for GraphError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut answer = HttpResponse::build(self.status);
        if self.status == StatusCode::UNAUTHORIZED {
            answer.insert_header((
                header::WWW_AUTHENTICATE,
                "Bearer realm=\"Gatehouse\", error=\"invalid_token\"",
            ));
        }
        if let Some(seconds) = self.retry_after {
            answer.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        answer.json(self.body())
    }
}

/// `already_decided` → `AlreadyDecided`: Graph's codes are Pascal case.
fn pascal(code: &str) -> String {
    code.split('_')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

impl From<ServiceError> for GraphError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::NotFound => Self::not_found(),
            ServiceError::Forbidden { code, message } => Self::new(
                StatusCode::FORBIDDEN,
                if code == "insufficient_scope" || code == "forbidden" {
                    "Authorization_RequestDenied".to_owned()
                } else {
                    pascal(code)
                },
                message,
            ),
            ServiceError::Conflict { code, message } => {
                Self::new(StatusCode::CONFLICT, pascal(code), message)
            }
            ServiceError::Invalid(fields)
                if fields.len() == 1 && fields[0].field == crate::services::lists::QUERY_FIELD =>
            {
                let field = &fields[0];
                Self::new(StatusCode::BAD_REQUEST, field.code, field.message.clone())
            }
            ServiceError::Invalid(fields) => {
                let message = fields
                    .iter()
                    .map(|f| f.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                Self {
                    details: fields
                        .into_iter()
                        .map(|f| Detail {
                            code: pascal(f.code),
                            message: f.message,
                            target: f.field.to_owned(),
                        })
                        .collect(),
                    ..Self::bad_request(message)
                }
            }
            ServiceError::Unexpected(err) => {
                tracing::error!(error = ?err, "API request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "generalException",
                    "Gatehouse could not do this just now. Try again.",
                )
            }
        }
    }
}

impl From<sea_orm::DbErr> for GraphError {
    fn from(err: sea_orm::DbErr) -> Self {
        ServiceError::from(err).into()
    }
}

impl From<QueryError> for GraphError {
    fn from(err: QueryError) -> Self {
        Self::new(StatusCode::BAD_REQUEST, err.code, err.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_codes_become_pascal_case() {
        assert_eq!(pascal("already_decided"), "AlreadyDecided");
        assert_eq!(pascal("own_request"), "OwnRequest");
    }
}
