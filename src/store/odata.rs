//! A Graph list's OData options as SQL: `$filter` as a condition on the resource's
//! columns, `$orderby` with `$skiptoken` as a keyset (the order column, then the id),
//! `$top`, `$skip` and `$count`.
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Value,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::domain::odata::{
    CompareOp, Cursor, Direction, Filter, Kind, Literal, Query, QueryError, Resource,
    decode_skiptoken, encode_skiptoken,
};

/// Rows per page when the client gives no `$top`, as Graph's default.
pub const DEFAULT_TOP: u32 = 100;

/// What a property reads in SQL.
#[derive(Clone, Debug)]
pub enum Column {
    /// Text compared without regard to case, as Graph's directory does.
    Text(SimpleExpr),
    /// Stored in lower case (user principal names): the value is folded instead of the
    /// column, so that the column's index answers.
    Folded(SimpleExpr),
    /// Compared as stored (ids, times, flags, enumerations stored as Graph spells them).
    Exact(SimpleExpr),
    /// An enumeration stored under other names: Graph's value → the stored one.
    Mapped(SimpleExpr, fn(&str) -> Option<Value>),
}

/// How a resource's properties map to columns: None for a property SQL cannot filter on.
pub type Columns = fn(&'static str) -> Option<Column>;

/// One page of a list: the rows, `@odata.count` when asked, and the `$skiptoken` of the
/// next page when there is one.
#[derive(Debug)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    pub count: Option<u64>,
    pub next: Option<String>,
}

impl<T> ListPage<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> ListPage<U> {
        ListPage {
            items: self.items.into_iter().map(f).collect(),
            count: self.count,
            next: self.next,
        }
    }
}

/// A list that could not be read: a query the resource cannot answer, or the database.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

fn unsupported(property: &str) -> QueryError {
    QueryError {
        code: crate::domain::odata::UNSUPPORTED_QUERY,
        message: format!("Filtering on '{property}' is not supported."),
    }
}

fn value_of(literal: &Literal) -> Value {
    match literal {
        Literal::String(s) => s.clone().into(),
        Literal::Guid(g) => (*g).into(),
        Literal::DateTime(t) => (*t).into(),
        Literal::Bool(b) => (*b).into(),
        Literal::Int(i) => (*i).into(),
        Literal::Null => Value::String(None),
    }
}

fn compare(left: SimpleExpr, op: CompareOp, right: SimpleExpr) -> SimpleExpr {
    match op {
        CompareOp::Eq => left.eq(right),
        CompareOp::Ne => left.ne(right),
        CompareOp::Gt => left.gt(right),
        CompareOp::Ge => left.gte(right),
        CompareOp::Lt => left.lt(right),
        CompareOp::Le => left.lte(right),
    }
}

/// `literal` as the column stores it, and the column's side of the comparison.
fn sides(
    column: &Column,
    property: &str,
    literal: &Literal,
) -> Result<(SimpleExpr, SimpleExpr), QueryError> {
    Ok(match (column, literal) {
        (Column::Text(expr), Literal::String(s)) => (
            Func::lower(expr.clone()).into(),
            Expr::val(s.to_lowercase()),
        ),
        (Column::Folded(expr), Literal::String(s)) => (expr.clone(), Expr::val(s.to_lowercase())),
        (Column::Mapped(expr, map), Literal::String(s)) => {
            let stored = map(s).ok_or_else(|| {
                QueryError::bad_request(format!("'{s}' is not a value of '{property}'."))
            })?;
            (expr.clone(), Expr::val(stored))
        }
        (
            Column::Text(expr)
            | Column::Folded(expr)
            | Column::Exact(expr)
            | Column::Mapped(expr, _),
            other,
        ) => (expr.clone(), Expr::val(value_of(other))),
    })
}

/// `$filter` as a condition on the resource's columns.
pub fn condition(filter: &Filter, columns: Columns) -> Result<SimpleExpr, QueryError> {
    Ok(match filter {
        Filter::Compare {
            property,
            op,
            value,
        } => {
            let column = columns(property).ok_or_else(|| unsupported(property))?;
            if *value == Literal::Null {
                let (expr, _) = sides(&column, property, &Literal::Bool(false))?;
                return match op {
                    CompareOp::Eq => Ok(expr.is_null()),
                    CompareOp::Ne => Ok(expr.is_not_null()),
                    _ => Err(QueryError::bad_request(
                        "null can only be compared with eq or ne.",
                    )),
                };
            }
            let (left, right) = sides(&column, property, value)?;
            compare(left, *op, right)
        }
        Filter::StartsWith { property, prefix } => {
            let column = columns(property).ok_or_else(|| unsupported(property))?;
            let expr = match column {
                Column::Folded(e) => e,
                Column::Text(e) | Column::Exact(e) | Column::Mapped(e, _) => Func::lower(e).into(),
            };
            let escaped = prefix
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            expr.like(sea_orm::sea_query::LikeExpr::new(format!("{escaped}%")).escape('\\'))
        }
        Filter::In { property, values } => {
            let column = columns(property).ok_or_else(|| unsupported(property))?;
            let mut any = Condition::any();
            for value in values {
                let (left, right) = sides(&column, property, value)?;
                any = any.add(left.eq(right));
            }
            any.into()
        }
        Filter::And(a, b) => condition(a, columns)?.and(condition(b, columns)?),
        Filter::Or(a, b) => condition(a, columns)?.or(condition(b, columns)?),
        Filter::Not(a) => condition(a, columns)?.not(),
    })
}

/// The order property's value for a cursor, back in the column's type.
fn key_value(kind: Kind, key: &serde_json::Value) -> Result<Value, QueryError> {
    let invalid = || QueryError::bad_request("The $skiptoken is not valid.");
    Ok(match kind {
        Kind::DateTime => OffsetDateTime::parse(key.as_str().ok_or_else(invalid)?, &Rfc3339)
            .map_err(|_| invalid())?
            .into(),
        Kind::Int => key.as_i64().ok_or_else(invalid)?.into(),
        Kind::Bool => key.as_bool().ok_or_else(invalid)?.into(),
        Kind::Guid => uuid::Uuid::parse_str(key.as_str().ok_or_else(invalid)?)
            .map_err(|_| invalid())?
            .into(),
        Kind::String | Kind::Enum(_) => key.as_str().ok_or_else(invalid)?.to_owned().into(),
    })
}

/// A cursor's key from a row's value.
pub fn key_json(value: &Value) -> serde_json::Value {
    match value {
        Value::String(Some(s)) => serde_json::Value::String(s.clone()),
        Value::BigInt(Some(i)) => serde_json::json!(i),
        Value::Int(Some(i)) => serde_json::json!(i),
        Value::Bool(Some(b)) => serde_json::json!(b),
        Value::Uuid(Some(u)) => serde_json::Value::String(u.to_string()),
        Value::TimeDateTimeWithTimeZone(Some(t)) => {
            serde_json::Value::String(t.format(&Rfc3339).unwrap_or_default())
        }
        _ => serde_json::Value::Null,
    }
}

/// What a list needs to know of its resource's table.
pub struct Listing<E: EntityTrait> {
    pub resource: &'static Resource,
    pub columns: Columns,
    /// The id column, which breaks ties in the order.
    pub id: E::Column,
    /// A row's id and the value of an orderable property, for the next page's cursor.
    pub key: fn(&E::Model, &'static str) -> (uuid::Uuid, Value),
}

/// One page of `select` (already scoped to what the principal may see) under `query`.
pub async fn list<E>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    query: &Query,
    listing: &Listing<E>,
) -> Result<ListPage<E::Model>, ListError>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let mut select = select;
    if let Some(filter) = &query.filter {
        select = select.filter(condition(filter, listing.columns)?);
    }
    let count = if query.count {
        Some(select.clone().count(db).await?)
    } else {
        None
    };
    let (order, direction) = query.order_or_default(listing.resource);
    let kind = listing
        .resource
        .property(order)
        .map(|p| p.kind)
        .unwrap_or(Kind::String);
    let order_expr = match (listing.columns)(order) {
        Some(Column::Text(e) | Column::Folded(e) | Column::Exact(e) | Column::Mapped(e, _)) => e,
        None => {
            return Err(QueryError {
                code: crate::domain::odata::UNSUPPORTED_QUERY,
                message: format!("Ordering by '{order}' is not supported."),
            }
            .into());
        }
    };
    let id_expr = SimpleExpr::from(Expr::col(listing.id));
    let desc = direction == Direction::Desc;
    if let Some(token) = &query.skiptoken {
        let cursor = decode_skiptoken(token)?;
        if cursor.order != order || cursor.desc != desc {
            return Err(
                QueryError::bad_request("The $skiptoken belongs to a different $orderby.").into(),
            );
        }
        let key = key_value(kind, &cursor.key)?;
        let id = uuid::Uuid::parse_str(&cursor.id)
            .map_err(|_| QueryError::bad_request("The $skiptoken is not valid."))?;
        let after = if desc {
            order_expr
                .clone()
                .lt(key.clone())
                .or(order_expr.clone().eq(key).and(id_expr.clone().lt(id)))
        } else {
            order_expr
                .clone()
                .gt(key.clone())
                .or(order_expr.clone().eq(key).and(id_expr.clone().gt(id)))
        };
        select = select.filter(after);
    }
    let sea_order = if desc {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    let top = query.top.unwrap_or(DEFAULT_TOP) as u64;
    let mut rows = select
        .order_by(order_expr, sea_order.clone())
        .order_by(listing.id, sea_order)
        .offset(query.skip.map(u64::from))
        .limit(top + 1)
        .all(db)
        .await?;
    let next = if rows.len() as u64 > top {
        rows.truncate(top as usize);
        rows.last().map(|last| {
            let (id, value) = (listing.key)(last, order);
            encode_skiptoken(&Cursor {
                key: key_json(&value),
                id: id.to_string(),
                desc,
                order: order.to_owned(),
            })
        })
    } else {
        None
    };
    Ok(ListPage {
        items: rows,
        count,
        next,
    })
}

/// The id column's expression, for resources whose `id` maps straight to it.
pub fn col<C: ColumnTrait>(column: C) -> SimpleExpr {
    Expr::col(column)
}
