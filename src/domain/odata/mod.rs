//! The OData query options of a Microsoft Graph v1.0 request, checked against what a resource allows.

mod filter;
#[cfg(test)]
mod tests;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

pub use filter::{
    CompareOp, Filter, Literal, MAX_DEPTH as MAX_FILTER_DEPTH, MAX_LEN as MAX_FILTER_LEN,
};

/// The Graph error code for a request that is malformed or names something that does not exist.
pub const BAD_REQUEST: &str = "BadRequest";

/// The Graph error code for a well-formed query that this resource cannot answer.
pub const UNSUPPORTED_QUERY: &str = "Request_UnsupportedQuery";

/// The largest page Graph hands out; `$top` above it is refused rather than quietly capped.
pub const MAX_TOP: u32 = 999;

/// The furthest `$skip` goes: deeper pages are for `$skiptoken`, which does not rescan.
pub const MAX_SKIP: u32 = 1_000_000;

/// Our own tokens are far shorter; anything longer is not ours and is not worth decoding.
const MAX_SKIPTOKEN_LEN: usize = 2048;

/// How much of a client's text an error message repeats, so a huge input makes a short reply.
const SHOWN_CHARS: usize = 100;

/// The type of a property as far as $filter literals and $orderby go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Guid,
    DateTime,
    Bool,
    Int,
    /// A string property whose values are these, matched without regard to case.
    Enum(&'static [&'static str]),
}

impl Kind {
    /// Whether `gt`, `ge`, `lt` and `le` mean something for this kind.
    pub fn is_ordered(self) -> bool {
        matches!(self, Kind::String | Kind::DateTime | Kind::Int)
    }
}

/// One property of a resource's JSON, and whether $filter and $orderby may use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Property {
    pub name: &'static str,
    pub kind: Kind,
    pub filter: bool,
    pub order: bool,
}

/// What one Graph resource (entity set) allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource {
    /// Every property the JSON has (for $select).
    pub properties: &'static [Property],
    /// Navigation properties $expand accepts.
    pub expand: &'static [&'static str],
    /// For each expandable navigation property, the names allowed in its own nested $expand;
    /// a navigation property not listed here takes no nested $expand.
    pub nested: &'static [(&'static str, &'static [&'static str])],
    /// The property used when no $orderby is given.
    pub default_order: &'static str,
}

impl Resource {
    /// The property with this name, matched without regard to case.
    pub fn property(&self, name: &str) -> Option<&'static Property> {
        let all: &'static [Property] = self.properties;
        all.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// The canonical name of an expandable navigation property.
    fn navigation(&self, name: &str) -> Option<&'static str> {
        self.expand
            .iter()
            .copied()
            .find(|n| n.eq_ignore_ascii_case(name))
    }

    /// The names allowed in the nested $expand of navigation property `name`.
    fn nested_names(&self, name: &str) -> &'static [&'static str] {
        self.nested
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or(&[], |(_, names)| names)
    }
}

/// One navigation property to expand, with the options given inside its parentheses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expand {
    /// The canonical navigation property name.
    pub name: &'static str,
    /// The nested `$select`, as written (the expanded type's table is not known here, so the
    /// names are only checked to be names); `None` means every property.
    pub select: Option<Vec<String>>,
    /// The nested `$expand` names, canonical as listed in [`Resource::nested`].
    pub expand: Vec<String>,
}

/// Sort direction of `$orderby`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    #[default]
    Asc,
    Desc,
}

/// The parsed query options of one request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub filter: Option<Filter>,
    /// 1..=999.
    pub top: Option<u32>,
    /// 0..=1,000,000.
    pub skip: Option<u32>,
    /// Opaque, percent-decoded but otherwise as given; see [`decode_skiptoken`].
    pub skiptoken: Option<String>,
    /// Canonical names, without duplicates; `None` means every property.
    pub select: Option<Vec<&'static str>>,
    pub expand: Vec<Expand>,
    /// One property only; `None` when the client gave no $orderby.
    pub order: Option<(&'static str, Direction)>,
    pub count: bool,
}

impl Query {
    /// The order to list in: the client's, or the resource's default ascending.
    pub fn order_or_default(&self, resource: &Resource) -> (&'static str, Direction) {
        self.order
            .unwrap_or((resource.default_order, Direction::Asc))
    }
}

/// Why a query was refused, shaped for a Graph error body (`{"error":{"code","message"}}`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    pub code: &'static str,
    pub message: String,
}

impl QueryError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            code: BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn unsupported(message: impl Into<String>) -> Self {
        Self {
            code: UNSUPPORTED_QUERY,
            message: message.into(),
        }
    }
}

/// The refusal for a property name the resource does not have.
fn unknown_property(name: &str) -> QueryError {
    QueryError::bad_request(format!(
        "Could not find a property named '{}' on this resource.",
        shown(name)
    ))
}

/// Client text cut short enough to repeat in an error message.
fn shown(text: &str) -> String {
    if text.chars().count() <= SHOWN_CHARS {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(SHOWN_CHARS).collect();
        cut.push('…');
        cut
    }
}

/// The OData system query options Gatehouse understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opt {
    Filter,
    Top,
    Skip,
    SkipToken,
    Select,
    Expand,
    OrderBy,
    Count,
}

impl Opt {
    /// The option named `lower` (lower case, without the `$`).
    fn from_name(lower: &str) -> Option<Self> {
        Some(match lower {
            "filter" => Opt::Filter,
            "top" => Opt::Top,
            "skip" => Opt::Skip,
            "skiptoken" => Opt::SkipToken,
            "select" => Opt::Select,
            "expand" => Opt::Expand,
            "orderby" => Opt::OrderBy,
            "count" => Opt::Count,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Opt::Filter => "$filter",
            Opt::Top => "$top",
            Opt::Skip => "$skip",
            Opt::SkipToken => "$skiptoken",
            Opt::Select => "$select",
            Opt::Expand => "$expand",
            Opt::OrderBy => "$orderby",
            Opt::Count => "$count",
        }
    }
}

/// System query options Graph knows but Gatehouse does not answer. Graph takes them without
/// the `$` too, so `search=x` must be refused like `$search=x`, not ignored: ignoring it
/// would hand back an unfiltered list as if it were the answer.
const UNSUPPORTED_OPTIONS: [&str; 8] = [
    "search",
    "format",
    "levels",
    "apply",
    "compute",
    "index",
    "schemaversion",
    "deltatoken",
];

/// Parses a raw (still percent-encoded) query string, e.g. "$filter=displayName%20eq%20'x'&$top=5".
pub fn parse(raw_query: &str, resource: &Resource) -> Result<Query, QueryError> {
    build(options(raw_query)?, resource, false)
}

/// Options for a single-entity GET: only $select and $expand; any other system query option
/// is refused.
pub fn parse_single(raw_query: &str, resource: &Resource) -> Result<Query, QueryError> {
    build(options(raw_query)?, resource, true)
}

/// Splits and decodes the query string, keeping the system query options in the order given.
fn options(raw_query: &str) -> Result<Vec<(Opt, String)>, QueryError> {
    let raw = raw_query.strip_prefix('?').unwrap_or(raw_query);
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw)
        .map_err(|_| QueryError::bad_request("The query string is not valid."))?;
    let mut found: Vec<(Opt, String)> = Vec::new();
    for (key, value) in pairs {
        let (dollar, bare) = match key.strip_prefix('$') {
            Some(bare) => (true, bare),
            None => (false, key.as_str()),
        };
        let lower = bare.to_ascii_lowercase();
        match Opt::from_name(&lower) {
            Some(opt) => {
                if found.iter().any(|(seen, _)| *seen == opt) {
                    return Err(QueryError::bad_request(format!(
                        "Query option '{}' was specified more than once, but it must be \
                         specified at most once.",
                        opt.name()
                    )));
                }
                found.push((opt, value));
            }
            None if dollar || UNSUPPORTED_OPTIONS.contains(&lower.as_str()) => {
                return Err(QueryError::bad_request(format!(
                    "Query option '${}' is not supported.",
                    shown(bare)
                )));
            }
            None => {}
        }
    }
    Ok(found)
}

/// Checks each option's value and gathers them into a [`Query`].
fn build(
    options: Vec<(Opt, String)>,
    resource: &Resource,
    single: bool,
) -> Result<Query, QueryError> {
    let mut query = Query::default();
    for (opt, value) in options {
        if single && !matches!(opt, Opt::Select | Opt::Expand) {
            return Err(QueryError::bad_request(format!(
                "Query option '{}' is not allowed when reading a single item; only $select \
                 and $expand are.",
                opt.name()
            )));
        }
        match opt {
            Opt::Filter => query.filter = Some(filter::parse(&value, resource)?),
            Opt::Top => query.top = Some(whole(&value, opt, 1, MAX_TOP)?),
            Opt::Skip => query.skip = Some(whole(&value, opt, 0, MAX_SKIP)?),
            Opt::SkipToken => query.skiptoken = Some(value),
            Opt::Select => query.select = select(&value, resource)?,
            Opt::Expand => query.expand = expand(&value, resource)?,
            Opt::OrderBy => query.order = Some(order(&value, resource)?),
            Opt::Count => query.count = count(&value)?,
        }
    }
    Ok(query)
}

/// A whole number in `min..=max`, in plain digits.
fn whole(value: &str, opt: Opt, min: u32, max: u32) -> Result<u32, QueryError> {
    let digits = value.trim();
    let number = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<u32>().ok()
    } else {
        None
    };
    match number {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(QueryError::bad_request(format!(
            "Invalid {} value '{}'. It must be a whole number from {min} to {max}.",
            opt.name(),
            shown(value)
        ))),
    }
}

fn count(value: &str) -> Result<bool, QueryError> {
    let word = value.trim();
    if word.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if word.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(QueryError::bad_request(format!(
            "Invalid $count value '{}'. It must be true or false.",
            shown(value)
        )))
    }
}

/// `prop` or `prop asc|desc`, one property only.
fn order(value: &str, resource: &Resource) -> Result<(&'static str, Direction), QueryError> {
    let items: Vec<&str> = value.split(',').collect();
    if items.iter().any(|item| item.trim().is_empty()) {
        return Err(QueryError::bad_request(if items.len() == 1 {
            "The $orderby option is empty.".to_owned()
        } else {
            "The $orderby option has an empty item.".to_owned()
        }));
    }
    if items.len() > 1 {
        return Err(QueryError::unsupported(
            "Only one $orderby property is supported.",
        ));
    }
    let mut words = value.split_whitespace();
    let name = words.next().unwrap_or_default();
    let direction = match words.next() {
        None => Direction::Asc,
        Some(word) if word.eq_ignore_ascii_case("asc") => Direction::Asc,
        Some(word) if word.eq_ignore_ascii_case("desc") => Direction::Desc,
        Some(word) => {
            return Err(QueryError::bad_request(format!(
                "Invalid $orderby direction '{}'. It must be asc or desc.",
                shown(word)
            )));
        }
    };
    if words.next().is_some() {
        return Err(QueryError::bad_request(format!(
            "Invalid $orderby value '{}'. Expected a property name, optionally followed by \
             asc or desc.",
            shown(value.trim())
        )));
    }
    let property = resource
        .property(name)
        .ok_or_else(|| unknown_property(name))?;
    if !property.order {
        return Err(QueryError::unsupported(format!(
            "Sorting by '{}' is not supported.",
            property.name
        )));
    }
    Ok((property.name, direction))
}

/// A comma list of property names; `id` is always allowed, `*` means every property.
fn select(value: &str, resource: &Resource) -> Result<Option<Vec<&'static str>>, QueryError> {
    if value.trim().is_empty() {
        return Err(QueryError::bad_request("The $select option is empty."));
    }
    let mut names: Vec<&'static str> = Vec::new();
    let mut everything = false;
    for item in value.split(',').map(str::trim) {
        let name = if item.is_empty() {
            return Err(QueryError::bad_request(
                "The $select option has an empty item.",
            ));
        } else if item == "*" {
            everything = true;
            continue;
        } else if let Some(property) = resource.property(item) {
            property.name
        } else if item.eq_ignore_ascii_case("id") {
            "id"
        } else {
            return Err(unknown_property(item));
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok((!everything).then_some(names))
}

/// Splits on commas outside parentheses.
fn split_outside_parentheses(value: &str) -> Result<Vec<&str>, QueryError> {
    let unbalanced = || QueryError::bad_request("The $expand option has unbalanced parentheses.");
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in value.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.checked_sub(1).ok_or_else(unbalanced)?,
            ',' if depth == 0 => {
                items.push(value.get(start..i).unwrap_or_default());
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(unbalanced());
    }
    items.push(value.get(start..).unwrap_or_default());
    Ok(items)
}

/// A comma list of navigation properties, each optionally with `($expand=…;$select=…)`.
fn expand(value: &str, resource: &Resource) -> Result<Vec<Expand>, QueryError> {
    if value.trim().is_empty() {
        return Err(QueryError::bad_request("The $expand option is empty."));
    }
    let mut out: Vec<Expand> = Vec::new();
    for item in split_outside_parentheses(value)? {
        let item = item.trim();
        if item.is_empty() {
            return Err(QueryError::bad_request(
                "The $expand option has an empty item.",
            ));
        }
        let (name, inner) = match item.split_once('(') {
            None => (item, None),
            Some((name, rest)) => match rest.strip_suffix(')') {
                Some(inner) if !inner.contains(['(', ')']) => (name.trim(), Some(inner)),
                _ => {
                    return Err(QueryError::bad_request(format!(
                        "Invalid $expand item '{}'. Only one level of nested $expand is \
                         supported, as in name($expand=a,b).",
                        shown(item)
                    )));
                }
            },
        };
        let Some(canonical) = resource.navigation(name) else {
            return Err(match resource.property(name) {
                Some(property) => QueryError::bad_request(format!(
                    "Property '{}' is not a navigation property; only navigation properties \
                     can be expanded.",
                    property.name
                )),
                None => QueryError::bad_request(format!(
                    "Could not find a navigation property named '{}' on this resource.",
                    shown(name)
                )),
            });
        };
        if out.iter().any(|e| e.name == canonical) {
            return Err(QueryError::bad_request(format!(
                "'{canonical}' is expanded more than once."
            )));
        }
        let mut entry = Expand {
            name: canonical,
            select: None,
            expand: Vec::new(),
        };
        if let Some(inner) = inner {
            nested(inner, &mut entry, resource)?;
        }
        out.push(entry);
    }
    Ok(out)
}

/// The `;`-separated options inside `name(…)`: `$expand` and `$select` only.
fn nested(inner: &str, entry: &mut Expand, resource: &Resource) -> Result<(), QueryError> {
    let parent = entry.name;
    let (mut seen_select, mut seen_expand) = (false, false);
    for part in inner.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            return Err(QueryError::bad_request(format!(
                "Invalid option '{}' inside $expand on '{parent}'. Expected $select=… or \
                 $expand=….",
                shown(part)
            )));
        };
        let key = key.trim();
        let bare = key.strip_prefix('$').unwrap_or(key).to_ascii_lowercase();
        let seen = match bare.as_str() {
            "select" => &mut seen_select,
            "expand" => &mut seen_expand,
            _ => {
                return Err(QueryError::bad_request(format!(
                    "Query option '${}' is not supported inside $expand.",
                    shown(key.strip_prefix('$').unwrap_or(key))
                )));
            }
        };
        if std::mem::replace(seen, true) {
            return Err(QueryError::bad_request(format!(
                "Query option '${bare}' was specified more than once inside $expand on \
                 '{parent}'."
            )));
        }
        if bare == "select" {
            entry.select = nested_select(value)?;
        } else {
            entry.expand = nested_expand(value, parent, resource.nested_names(parent))?;
        }
    }
    Ok(())
}

/// A nested `$select`: names only checked to look like property names.
fn nested_select(value: &str) -> Result<Option<Vec<String>>, QueryError> {
    let mut names: Vec<String> = Vec::new();
    for item in value.split(',').map(str::trim) {
        if item == "*" {
            return Ok(None);
        }
        let well_formed = item.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && item.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !well_formed {
            return Err(QueryError::bad_request(format!(
                "Invalid property name '{}' in a nested $select.",
                shown(item)
            )));
        }
        if !names.iter().any(|n| n.eq_ignore_ascii_case(item)) {
            names.push(item.to_owned());
        }
    }
    Ok(Some(names))
}

/// A nested `$expand`: each name must be allowed inside `parent`.
fn nested_expand(
    value: &str,
    parent: &str,
    allowed: &'static [&'static str],
) -> Result<Vec<String>, QueryError> {
    let mut names: Vec<String> = Vec::new();
    for item in value.split(',').map(str::trim) {
        let Some(name) = allowed.iter().find(|n| n.eq_ignore_ascii_case(item)) else {
            return Err(QueryError::bad_request(format!(
                "Could not find a navigation property named '{}' to expand inside '{parent}'.",
                shown(item)
            )));
        };
        if !names.iter().any(|n| n == name) {
            names.push((*name).to_owned());
        }
    }
    Ok(names)
}

/// A keyset cursor for @odata.nextLink's $skiptoken: where the last page ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    /// The order property's value of the last row, or an offset.
    #[serde(rename = "k")]
    pub key: serde_json::Value,
    /// The last row's id, which breaks ties between rows with the same key.
    #[serde(rename = "i")]
    pub id: String,
    #[serde(rename = "d")]
    pub desc: bool,
    /// The order property, so a token is not reused under a different $orderby.
    #[serde(rename = "o")]
    pub order: String,
}

/// base64url (no padding) of the cursor's compact JSON; safe in a URL as it is.
pub fn encode_skiptoken(cursor: &Cursor) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).unwrap_or_default())
}

/// Reads a token made by [`encode_skiptoken`]; anything else is refused.
pub fn decode_skiptoken(token: &str) -> Result<Cursor, QueryError> {
    let invalid = || QueryError::bad_request("The $skiptoken is not valid.");
    if token.len() > MAX_SKIPTOKEN_LEN {
        return Err(invalid());
    }
    let json = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    serde_json::from_slice(&json).map_err(|_| invalid())
}
