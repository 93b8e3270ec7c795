//! HTTP: the route table and the handlers, thin and in one order (who is asking, is the
//! input valid, call a service, render).
pub mod admin;
pub mod assets;
pub mod error;
pub mod errors;
pub mod form;
pub mod headers;
pub mod layout;
pub mod myaccess;
pub mod scim;
pub mod setup;
pub mod sign_in;

use actix_web::http::{Method, StatusCode, header};
use actix_web::{FromRequest, Handler, HttpResponse, Responder, Route, web};

use crate::web::error::AppError;

/// One row of the route table: a method, the full path, and the handler that answers.
pub struct RouteDef {
    pub method: Method,
    pub path: &'static str,
    route: Route,
}

fn route_def<F, Args>(method: Method, path: &'static str, handler: F) -> RouteDef
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    RouteDef {
        route: web::method(method.clone()).to(handler),
        method,
        path,
    }
}

pub fn get<F, Args>(path: &'static str, handler: F) -> RouteDef
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    route_def(Method::GET, path, handler)
}

pub fn post<F, Args>(path: &'static str, handler: F) -> RouteDef
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    route_def(Method::POST, path, handler)
}

/// Every route of the server, in matching order: a literal path comes before a pattern that
/// would match it too (`/admin/users/new` before `/admin/users/{id}`). Tests read it to
/// check that each route has a row in the route × actor matrix.
pub fn route_table() -> Vec<RouteDef> {
    let mut table = vec![
        get("/", sign_in::page),
        post("/", sign_in::submit),
        post("/sign-out", sign_in::sign_out),
        get("/sign-in/oidc", sign_in::oidc_start),
        get(crate::auth::oidc::CALLBACK_PATH, sign_in::oidc_callback),
        get("/setup", setup::page),
        post("/setup", setup::submit),
        get("/static/{file}", assets::serve),
    ];
    table.extend(admin::routes());
    table.extend(myaccess::routes());
    table
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    for def in route_table() {
        // One resource per method and path, guarded by the method (what `cfg.route` makes):
        // a method without a handler falls through to the app's 404 page.
        cfg.route(def.path, def.route);
    }
}

/// 303 to `location`: the answer to every successful form post.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Renders a page with a status of its own (422 for a form with errors, say).
pub fn html<T: askama::Template>(status: StatusCode, page: &T) -> Result<HttpResponse, AppError> {
    let body = page
        .render()
        .map_err(|e| AppError::Unexpected(anyhow::Error::new(e).context("rendering a page")))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// A page that may hold a secret shown once: never kept by a cache or the browser's history.
pub fn html_no_store<T: askama::Template>(
    status: StatusCode,
    page: &T,
) -> Result<HttpResponse, AppError> {
    let mut answer = html(status, page)?;
    answer.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(answer)
}

/// The choices of a token's `Valid for`: days, and how the form says them.
pub fn validity_choices(days: &[u32]) -> Vec<(String, String)> {
    days.iter()
        .map(|d| {
            let label = match d {
                365 => "1 year".to_owned(),
                730 => "2 years".to_owned(),
                d => format!("{d} days"),
            };
            (d.to_string(), label)
        })
        .collect()
}

/// Whether to show a page that only offers `action` (a form, a confirmation): the same
/// question the service asks when the form is posted. A refusal becomes the error page.
pub fn require(
    principal: &crate::domain::principal::Principal,
    action: crate::domain::authz::Action<'_>,
) -> Result<(), AppError> {
    crate::domain::authz::authorize(principal, action)
        .map_err(|denied| crate::services::error::ServiceError::from(denied).into())
}

/// Shows a service's answer as the next page's message: success, or a refusal the person
/// can act on. What no message can explain (not found, not allowed) becomes a page.
pub fn flash_outcome(
    session: &crate::auth::session::TypedSession,
    result: Result<String, crate::services::error::ServiceError>,
) -> Result<(), AppError> {
    use crate::auth::session::FlashKind;
    use crate::services::error::ServiceError;
    match result {
        Ok(message) => session.flash(FlashKind::Success, message),
        Err(ServiceError::Conflict { message, .. }) => session.flash(FlashKind::Error, message),
        Err(ServiceError::Invalid(fields)) => {
            let words: Vec<String> = fields.into_iter().map(|f| f.message).collect();
            session.flash(FlashKind::Error, words.join(" "));
        }
        Err(other) => return Err(other.into()),
    }
    Ok(())
}

/// Percent-encodes one query string value.
pub fn encode_query_value(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)])
        .map(|s| s[2..].to_owned())
        .unwrap_or_default()
}

/// Only paths on this server are followed after sign-in, never another site. Browsers drop
/// tabs and newlines from URLs and read a backslash as a slash, so `/\t/evil.test` would become
/// `//evil.test`: any control character or backslash disqualifies the path.
pub fn safe_next(next: Option<&str>) -> Option<&str> {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n.chars().any(|c| c.is_control() || c == '\\')
    })
}

/// `?after=…` / `?before=…` of a keyset-paged list.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CursorQuery {
    after: Option<String>,
    before: Option<String>,
}

impl CursorQuery {
    /// Where the page starts; anything unreadable means the first page.
    pub fn cursor<K: crate::domain::page::CursorKey>(&self) -> crate::domain::page::Cursor<K> {
        crate::domain::page::Cursor::from_query(self.after.as_deref(), self.before.as_deref())
    }
}

/// Rows per page of the keyset-paged lists.
pub const PER_PAGE: usize = 25;

/// `?q=…&page=…` of a searchable, paged list.
#[derive(serde::Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    page: Option<String>,
}

impl SearchQuery {
    /// The cleaned search text.
    pub fn text(&self) -> String {
        search_text(&self.q)
    }

    pub fn page(&self) -> crate::domain::page::PageRequest {
        crate::domain::page::PageRequest::from_query(self.page.as_deref())
    }
}

/// The query string the pager's links start with (`q=…&`), keeping the search.
pub fn pager_query(search: &str) -> String {
    if search.is_empty() {
        String::new()
    } else {
        format!("q={}&", encode_query_value(search))
    }
}

/// A search box's text: without control characters, trimmed, at most 256 characters.
pub fn search_text(raw: &str) -> String {
    let clean: String = raw.chars().filter(|c| !c.is_control()).take(256).collect();
    clean.trim().to_owned()
}

/// Parses a typed id from the URL, answering 404 for junk.
pub fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// Flattens an audit event's JSON detail into words for the audit log page.
pub fn describe_detail(json: &str) -> String {
    fn value(v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => "none".to_owned(),
            serde_json::Value::Array(items) => {
                items.iter().map(value).collect::<Vec<_>>().join(", ")
            }
            serde_json::Value::Object(map) => {
                let parts: Vec<String> = map
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", value(v)))
                    .collect();
                format!("({})", parts.join(", "))
            }
            other => other.to_string(),
        }
    }
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Object(map)) if map.is_empty() => "—".to_owned(),
        Ok(serde_json::Value::Object(map)) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", value(v)))
            .collect::<Vec<_>>()
            .join(" · "),
        Ok(other) => value(&other),
        Err(_) => json.to_owned(),
    }
}

/// Template filters shared by every page.
pub mod filters {
    use time::OffsetDateTime;
    use time::macros::format_description;

    /// `2026-11-24 09:05 UTC`
    #[askama::filter_fn]
    pub fn datetime(t: &OffsetDateTime, _: &dyn askama::Values) -> askama::Result<String> {
        let format = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
        Ok(t.format(format).unwrap_or_default())
    }

    /// An audit event's JSON detail as `key: value · key: value`, or a dash when empty.
    #[askama::filter_fn]
    pub fn detail(json: &str, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::describe_detail(json))
    }

    /// `12,345`
    #[askama::filter_fn]
    pub fn thousands(n: &i64, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(crate::domain::thousands(*n))
    }

    /// `2026-11-24`
    #[askama::filter_fn]
    pub fn date(t: &OffsetDateTime, _: &dyn askama::Values) -> askama::Result<String> {
        let format = format_description!("[year]-[month]-[day]");
        Ok(t.format(format).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next(Some("/admin/users?page=2")),
            Some("/admin/users?page=2")
        );
        for bad in [
            "https://evil.test/",
            "//evil.test",
            "/\\evil.test",
            "/\t/evil.test",
            "/\n/evil.test",
            "admin",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad}");
        }
    }

    #[test]
    fn search_text_drops_control_characters() {
        assert_eq!(search_text("  user1\u{0}@wood\tgrove "), "user1@woodgrove");
        assert_eq!(search_text(&"x".repeat(300)).len(), 256);
    }

    #[test]
    fn audit_details_read_as_words() {
        assert_eq!(describe_detail("{}"), "—");
        assert_eq!(
            describe_detail(r#"{"member":"user1@woodgrove.test","source":"direct"}"#),
            "member: user1@woodgrove.test · source: direct"
        );
        assert_eq!(
            describe_detail(
                r#"{"before":{"displayName":"User1"},"groups":["A","B"],"email":null}"#
            ),
            "before: (displayName: User1) · email: none · groups: A, B"
        );
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            encode_query_value("/admin/users?q=a b&page=2"),
            "%2Fadmin%2Fusers%3Fq%3Da+b%26page%3D2"
        );
    }
}
