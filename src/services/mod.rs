//! Use cases: each change is one transaction with its audit event.
pub mod api_tokens;
pub mod apps;
pub mod audit;
pub mod catalogs;
pub mod connected;
pub mod delivery;
pub mod drift;
pub mod error;
pub mod groups;
pub mod lists;
pub mod mail;
pub mod notify;
pub mod outbox;
pub mod packages;
pub mod password;
pub mod policies;
pub mod provisioning;
pub mod requests;
pub mod scheduler;
pub mod setup;
pub mod sign_in;
pub mod sync;
pub mod users;

/// A database error that is really "this name is taken".
pub(crate) fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
