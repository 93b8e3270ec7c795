//! The one error every service returns, with stable codes: the HTML portal maps it to form
//! messages and error pages, an API to Graph error bodies.
use crate::domain::Invalid;
use crate::domain::authz::Denied;

/// A problem with one input field. `field` names the domain's field (`displayName`-style
/// names are the front end's business: the HTML forms use these names as they are).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The object does not exist, or the principal may not know that it does.
    #[error("not found")]
    NotFound,
    /// The principal may see the object but not do this to it.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// The object's state does not allow this now (already decided, still in use, …).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Input that breaks a rule, per field.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    /// One field's problem.
    pub fn field(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError {
            field,
            code,
            message: message.into(),
        }])
    }

    /// A parse failure of one field.
    pub fn invalid(field: &'static str, invalid: Invalid) -> Self {
        Self::field(field, "invalid", invalid.0)
    }

    /// The stable code, for logs and API bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Forbidden { code, .. } | Self::Conflict { code, .. } => code,
            Self::Invalid(_) => "invalid_input",
            Self::Unexpected(_) => "unexpected",
        }
    }
}

impl From<Denied> for ServiceError {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::NotFound => Self::NotFound,
            Denied::Forbidden { code, message } => Self::Forbidden {
                code,
                message: message.to_owned(),
            },
        }
    }
}

impl From<crate::domain::lifecycle::UnknownStoredValue> for ServiceError {
    fn from(err: crate::domain::lifecycle::UnknownStoredValue) -> Self {
        sea_orm::DbErr::from(err).into()
    }
}

impl From<sea_orm::DbErr> for ServiceError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Unexpected(anyhow::Error::new(err).context("database"))
    }
}

impl From<sea_orm::TransactionError<ServiceError>> for ServiceError {
    fn from(err: sea_orm::TransactionError<ServiceError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(err) => err.into(),
            sea_orm::TransactionError::Transaction(err) => err,
        }
    }
}
