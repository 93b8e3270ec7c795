//! Queries: take a connection, return domain types. Callers have already checked what the
//! acting user may see; the functions take only what that check allows.
pub mod audit;
pub mod catalogs;
pub mod drafts;
pub mod groups;
pub mod packages;
pub mod requests;
pub mod users;

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, SimpleExpr};

/// `lower(column) LIKE '%text%'`, with the user's `%` and `_` taken literally, the same way
/// on SQLite and PostgreSQL.
pub(crate) fn contains_ci(column: impl Into<Expr>, text: &str) -> SimpleExpr {
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Expr::from(Func::lower(column.into())).like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

/// A row holding a value none of the domain's enums know is an error for whoever reads it
/// (logged here), never quietly read as some state.
impl From<crate::domain::lifecycle::UnknownStoredValue> for sea_orm::DbErr {
    fn from(err: crate::domain::lifecycle::UnknownStoredValue) -> Self {
        tracing::error!(what = err.what, value = %err.value, "unknown stored value");
        sea_orm::DbErr::Type(err.to_string())
    }
}
