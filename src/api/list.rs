//! Graph's collection answers: `@odata.context`, `@odata.count`, `value` and
//! `@odata.nextLink`; `$select` applied to each item.
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde_json::{Map, Value};

use super::error::GraphError;
use crate::domain::odata::{self, Query, Resource};
use crate::state::AppState;
use crate::store::odata::ListPage;

/// The request's OData options for a list of `resource`.
pub fn list_query(req: &HttpRequest, resource: &Resource) -> Result<Query, GraphError> {
    Ok(odata::parse(req.query_string(), resource)?)
}

/// The request's OData options for one item of `resource`.
pub fn item_query(req: &HttpRequest, resource: &Resource) -> Result<Query, GraphError> {
    Ok(odata::parse_single(req.query_string(), resource)?)
}

fn base_url(req: &HttpRequest) -> String {
    req.app_data::<web::Data<AppState>>()
        .map(|s| s.config.public_url.trim_end_matches('/').to_owned())
        .unwrap_or_default()
}

/// Keeps only the `$select`ed properties (and `id`, and `@odata.type`).
pub fn select(value: Value, query: &Query) -> Value {
    let (Some(names), Value::Object(map)) = (&query.select, &value) else {
        return value;
    };
    let kept: Map<String, Value> = map
        .iter()
        .filter(|(k, _)| {
            k.as_str() == "id" || k.starts_with("@odata.") || names.contains(&k.as_str())
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(kept)
}

/// `$metadata#users`-style context.
fn context(req: &HttpRequest, entity_set: &str) -> String {
    format!("{}/v1.0/$metadata#{entity_set}", base_url(req))
}

/// The next page's address: this request's, with `$skiptoken` (and no `$skip`).
fn next_link(req: &HttpRequest, token: &str) -> String {
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| {
            let k = k.trim_start_matches('$').to_ascii_lowercase();
            k != "skiptoken" && k != "skip"
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &kept {
        query.append_pair(k, v);
    }
    query.append_pair("$skiptoken", token);
    format!("{}{}?{}", base_url(req), req.path(), query.finish())
}

/// A collection answer of `page`, each item shaped by `shape`.
pub fn collection<T, W: Serialize>(
    req: &HttpRequest,
    entity_set: &str,
    query: &Query,
    page: ListPage<T>,
    shape: impl Fn(T) -> W,
) -> HttpResponse {
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        Value::String(context(req, entity_set)),
    );
    if let Some(count) = page.count {
        body.insert("@odata.count".into(), Value::from(count));
    }
    let items: Vec<Value> = page
        .items
        .into_iter()
        .map(|item| {
            select(
                serde_json::to_value(shape(item)).unwrap_or(Value::Null),
                query,
            )
        })
        .collect();
    body.insert("value".into(), Value::Array(items));
    if let Some(token) = page.next {
        body.insert(
            "@odata.nextLink".into(),
            Value::String(next_link(req, &token)),
        );
    }
    HttpResponse::Ok().json(Value::Object(body))
}

/// One item's answer, with its `@odata.context`.
pub fn item<W: Serialize>(req: &HttpRequest, entity: &str, query: &Query, wire: W) -> HttpResponse {
    let mut value = select(serde_json::to_value(wire).unwrap_or(Value::Null), query);
    if let Value::Object(map) = &mut value {
        map.insert(
            "@odata.context".into(),
            Value::String(context(req, &format!("{entity}/$entity"))),
        );
    }
    HttpResponse::Ok().json(value)
}

/// A created item: 201 with the item.
pub fn created<W: Serialize>(req: &HttpRequest, entity: &str, wire: W) -> HttpResponse {
    let mut value = serde_json::to_value(wire).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert(
            "@odata.context".into(),
            Value::String(context(req, &format!("{entity}/$entity"))),
        );
    }
    HttpResponse::Created().json(value)
}

/// Parses an id from the path, with Graph's answer for one that is not a GUID.
pub fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, GraphError> {
    raw.parse().map_err(|_| GraphError::bad_id(raw))
}
