//! Applying a SCIM 2.0 PATCH request (RFC 7644 §3.5.2) to a resource's JSON.
//!
//! [`apply`] takes the resource exactly as the server would return it, runs
//! every operation of the `PatchOp` message against a copy, and stores the
//! result only when all operations succeed. Attribute names are matched
//! case-insensitively; new keys keep the casing already present in the
//! resource, else the casing used by the request.

use std::fmt;

use serde_json::{Map, Value};

use super::filter::{Comparison, is_attr_name, parse_comparisons};

/// The schema URN every PATCH request body must declare.
const PATCH_OP_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// Top-level attributes that a PATCH may not change.
const IMMUTABLE: [&str; 3] = ["id", "meta", "schemas"];

/// Why a PATCH request was refused, ready for a SCIM 400 error response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchError {
    /// The RFC 7644 `scimType`: one of `"invalidPath"`, `"noTarget"`,
    /// `"invalidValue"`, `"invalidSyntax"` or `"mutability"`.
    pub scim_type: &'static str,
    /// A human-readable explanation for the `detail` field.
    pub message: String,
}

impl PatchError {
    /// Builds an error of the given `scimType`.
    fn new(scim_type: &'static str, message: impl Into<String>) -> Self {
        Self {
            scim_type,
            message: message.into(),
        }
    }
}

impl fmt::Display for PatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.scim_type, self.message)
    }
}

impl std::error::Error for PatchError {}

/// Short constructors for the error kinds.
fn invalid_path(message: impl Into<String>) -> PatchError {
    PatchError::new("invalidPath", message)
}
fn no_target(message: impl Into<String>) -> PatchError {
    PatchError::new("noTarget", message)
}
fn invalid_value(message: impl Into<String>) -> PatchError {
    PatchError::new("invalidValue", message)
}
fn invalid_syntax(message: impl Into<String>) -> PatchError {
    PatchError::new("invalidSyntax", message)
}

/// Applies the PATCH request `body` to `resource`.
///
/// `resource` is the full JSON object of a User or Group; `body` is the
/// request with its `schemas` and `Operations`. `schema_urns` lists the
/// resource's schema URNs: the first is its base schema, whose attributes sit
/// at the top level of the resource; any further ones are extension schemas,
/// whose attributes sit in an object under the URN key. Paths and path-less
/// value keys may carry these URNs as prefixes.
///
/// Either every operation succeeds and `resource` is updated, or an error is
/// returned and `resource` is left untouched. `id`, `meta` and `schemas` may
/// only be "changed" to the value they already have.
pub fn apply(resource: &mut Value, body: &Value, schema_urns: &[&str]) -> Result<(), PatchError> {
    let operations = operations(body)?;
    let schemas = Schemas::new(schema_urns);
    let mut work = resource.clone();
    let Value::Object(root) = &mut work else {
        return Err(invalid_value("The resource is not a JSON object."));
    };
    for (index, raw) in operations.iter().enumerate() {
        let before = immutable_snapshot(root);
        let op = Operation::read(raw).map_err(|e| at_operation(index, e))?;
        apply_operation(root, &op, &schemas).map_err(|e| at_operation(index, e))?;
        let after = immutable_snapshot(root);
        for ((name, old), (_, new)) in before.iter().zip(after.iter()) {
            if old != new {
                return Err(at_operation(
                    index,
                    PatchError::new(
                        "mutability",
                        format!("The attribute \"{name}\" cannot be changed."),
                    ),
                ));
            }
        }
    }
    *resource = work;
    Ok(())
}

/// Prefixes an error message with the index of the failing operation.
fn at_operation(index: usize, error: PatchError) -> PatchError {
    PatchError::new(
        error.scim_type,
        format!("Operations[{index}]: {}", error.message),
    )
}

/// Checks the request envelope and returns its operations.
fn operations(body: &Value) -> Result<&Vec<Value>, PatchError> {
    let Value::Object(body) = body else {
        return Err(invalid_syntax("The PATCH body must be a JSON object."));
    };
    let declares_patch_op = get_ci(body, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .any(|s| s.eq_ignore_ascii_case(PATCH_OP_URN))
        });
    if !declares_patch_op {
        return Err(invalid_syntax(format!(
            "The PATCH body's \"schemas\" must contain \"{PATCH_OP_URN}\"."
        )));
    }
    match get_ci(body, "Operations") {
        Some(Value::Array(list)) if !list.is_empty() => Ok(list),
        _ => Err(invalid_syntax(
            "The PATCH body must have a non-empty \"Operations\" array.",
        )),
    }
}

/// The values of `id`, `meta` and `schemas`, to detect changes.
fn immutable_snapshot(root: &Map<String, Value>) -> Vec<(&'static str, Option<Value>)> {
    IMMUTABLE
        .iter()
        .map(|name| (*name, get_ci(root, name).cloned()))
        .collect()
}

/// The resource's schema URNs, each marked as base (first) or extension.
struct Schemas<'a> {
    /// Every URN with its extension flag, longest first for prefix matching.
    all: Vec<(&'a str, bool)>,
}

impl<'a> Schemas<'a> {
    /// Splits the caller's list: the first URN is the base schema.
    fn new(urns: &[&'a str]) -> Self {
        let mut all: Vec<(&str, bool)> = urns
            .iter()
            .enumerate()
            .map(|(i, urn)| (*urn, i > 0))
            .collect();
        all.sort_by_key(|(urn, _)| std::cmp::Reverse(urn.len()));
        Self { all }
    }
}

/// The three PATCH operation kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Add,
    Replace,
    Remove,
}

/// One decoded entry of `Operations`.
struct Operation<'a> {
    /// What to do.
    kind: Kind,
    /// The target path, when given and not null.
    path: Option<&'a str>,
    /// The value, when given.
    value: Option<&'a Value>,
}

impl<'a> Operation<'a> {
    /// Reads `op`, `path` and `value` (member names matched case-insensitively).
    fn read(raw: &'a Value) -> Result<Self, PatchError> {
        let Value::Object(map) = raw else {
            return Err(invalid_syntax("Each operation must be a JSON object."));
        };
        let kind = match get_ci(map, "op") {
            Some(Value::String(op)) => match op.to_lowercase().as_str() {
                "add" => Kind::Add,
                "replace" => Kind::Replace,
                "remove" => Kind::Remove,
                _ => {
                    return Err(invalid_syntax(format!(
                        "Unknown operation \"{op}\"; expected \"add\", \"replace\" or \"remove\"."
                    )));
                }
            },
            _ => return Err(invalid_syntax("Each operation needs an \"op\" string.")),
        };
        let path = match get_ci(map, "path") {
            None | Some(Value::Null) => None,
            Some(Value::String(path)) => Some(path.as_str()),
            Some(_) => return Err(invalid_path("\"path\" must be a string.")),
        };
        Ok(Self {
            kind,
            path,
            value: get_ci(map, "value"),
        })
    }

    /// The value, which add and replace require.
    fn required_value(&self) -> Result<&'a Value, PatchError> {
        match self.value {
            Some(Value::Null) if self.kind == Kind::Add => Err(invalid_value(
                "An \"add\" operation needs a non-null \"value\".",
            )),
            Some(value) => Ok(value),
            None => Err(invalid_value("This operation needs a \"value\".")),
        }
    }
}

/// A parsed attribute path.
#[derive(Debug)]
struct Path {
    /// The extension URN whose object holds the attribute, if any.
    extension: Option<String>,
    /// The attribute name.
    attr: String,
    /// A value filter selecting elements of a multi-valued attribute.
    filter: Option<Vec<Comparison>>,
    /// A sub-attribute name.
    sub: Option<String>,
}

/// What a path designates.
#[derive(Debug)]
enum Target {
    /// The whole resource (the path was the base schema URN).
    Resource,
    /// An attribute.
    Attribute(Path),
}

/// Parses `[URN ":"] attr ["[" filter "]"] ["." sub]`.
fn parse_path(text: &str, schemas: &Schemas<'_>) -> Result<Target, PatchError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid_path("The path is empty."));
    }
    let mut extension = None;
    let mut rest = text;
    for (urn, is_extension) in &schemas.all {
        if text.eq_ignore_ascii_case(urn) {
            if !is_extension {
                return Ok(Target::Resource);
            }
            return Ok(Target::Attribute(Path {
                extension: None,
                attr: (*urn).to_string(),
                filter: None,
                sub: None,
            }));
        }
        let prefix_matches = text
            .get(..urn.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(urn));
        if prefix_matches && text.get(urn.len()..urn.len() + 1) == Some(":") {
            rest = text.get(urn.len() + 1..).unwrap_or_default();
            if *is_extension {
                extension = Some((*urn).to_string());
            }
            break;
        }
    }
    let name_end = rest.find(['[', '.']).unwrap_or(rest.len());
    let attr = rest.get(..name_end).unwrap_or_default();
    let mut tail = rest.get(name_end..).unwrap_or_default();
    if !is_attr_name(attr, false) {
        let message = if attr.contains(':') {
            format!("The path \"{text}\" uses a schema URN this resource does not have.")
        } else {
            format!("\"{text}\" is not a valid attribute path.")
        };
        return Err(invalid_path(message));
    }
    let mut filter = None;
    if tail.starts_with('[') {
        let close = closing_bracket(tail)
            .ok_or_else(|| invalid_path(format!("The path \"{text}\" has an unclosed \"[\".")))?;
        let inner = tail.get(1..close).unwrap_or_default();
        let comparisons = parse_comparisons(inner).map_err(|e| {
            invalid_path(format!("The filter in path \"{text}\" is invalid: {}", e.0))
        })?;
        if let Some(c) = comparisons.iter().find(|c| !is_attr_name(&c.attr, true)) {
            return Err(invalid_path(format!(
                "The filter in path \"{text}\" must compare sub-attributes of \"{attr}\", not \"{}\".",
                c.attr
            )));
        }
        filter = Some(comparisons);
        tail = tail.get(close + 1..).unwrap_or_default();
    }
    let sub = match tail.strip_prefix('.') {
        None if tail.is_empty() => None,
        Some(sub) if is_attr_name(sub, true) => Some(sub.to_string()),
        _ => {
            return Err(invalid_path(format!(
                "\"{text}\" is not a valid attribute path."
            )));
        }
    };
    Ok(Target::Attribute(Path {
        extension,
        attr: attr.to_string(),
        filter,
        sub,
    }))
}

/// Finds the `]` closing the `[` at the start of `text`, skipping strings.
fn closing_bracket(text: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else if c == ']' {
            return Some(i);
        }
    }
    None
}

/// Runs one operation against the resource object.
fn apply_operation(
    root: &mut Map<String, Value>,
    op: &Operation<'_>,
    schemas: &Schemas<'_>,
) -> Result<(), PatchError> {
    let target = match op.path {
        None => Target::Resource,
        Some(path) => parse_path(path, schemas)?,
    };
    match target {
        Target::Resource => {
            if op.kind == Kind::Remove {
                return Err(no_target("A \"remove\" operation needs a \"path\"."));
            }
            let Value::Object(values) = op.required_value()? else {
                return Err(invalid_value(
                    "Without a \"path\", the \"value\" must be an object of attributes.",
                ));
            };
            apply_pathless(root, op.kind, values, schemas)
        }
        Target::Attribute(path) => apply_path(root, op, &path),
    }
}

/// Applies each attribute of a path-less add or replace value, treating every
/// key as a path (so `name.givenName` and `URN:attr` keys work) and
/// flattening a base-schema URN key holding an object.
fn apply_pathless(
    root: &mut Map<String, Value>,
    kind: Kind,
    values: &Map<String, Value>,
    schemas: &Schemas<'_>,
) -> Result<(), PatchError> {
    for (key, value) in values {
        match parse_path(key, schemas)? {
            Target::Resource => {
                let Value::Object(inner) = value else {
                    return Err(invalid_value(format!(
                        "The value of \"{key}\" must be an object of attributes."
                    )));
                };
                apply_pathless(root, kind, inner, schemas)?;
            }
            Target::Attribute(path) => {
                let op = Operation {
                    kind,
                    path: None,
                    value: Some(value),
                };
                apply_path(root, &op, &path)?;
            }
        }
    }
    Ok(())
}

/// Runs an operation at a parsed attribute path.
fn apply_path(
    root: &mut Map<String, Value>,
    op: &Operation<'_>,
    path: &Path,
) -> Result<(), PatchError> {
    let container = match &path.extension {
        None => root,
        Some(urn) => {
            if op.kind == Kind::Remove && get_ci(root, urn).is_none_or(Value::is_null) {
                return Ok(());
            }
            object_at(root, urn, "extension")?
        }
    };
    match (&path.filter, &path.sub) {
        (None, None) => apply_attribute(container, op, &path.attr),
        (None, Some(sub)) => apply_sub_attribute(container, op, &path.attr, sub),
        (Some(filter), sub) => apply_filtered(container, op, &path.attr, filter, sub.as_deref()),
    }
}

/// `attr`: add, replace or remove a whole attribute.
fn apply_attribute(
    obj: &mut Map<String, Value>,
    op: &Operation<'_>,
    attr: &str,
) -> Result<(), PatchError> {
    match op.kind {
        Kind::Add => {
            add_value(obj, attr, op.required_value()?);
            Ok(())
        }
        Kind::Replace => {
            replace_value(obj, attr, op.required_value()?);
            Ok(())
        }
        Kind::Remove => {
            let Some(key) = find_key(obj, attr) else {
                return Ok(());
            };
            let selected = op.value.filter(|v| !v.is_null());
            if let (Some(Value::Array(items)), Some(given)) = (obj.get_mut(&key), selected) {
                let given = as_items(given);
                items.retain(|existing| !given.iter().any(|g| same_item(existing, g)));
                if !items.is_empty() {
                    return Ok(());
                }
            }
            obj.remove(&key);
            Ok(())
        }
    }
}

/// `attr.sub`: act on a sub-attribute of a single-valued complex attribute.
fn apply_sub_attribute(
    obj: &mut Map<String, Value>,
    op: &Operation<'_>,
    attr: &str,
    sub: &str,
) -> Result<(), PatchError> {
    if op.kind == Kind::Remove {
        return match find_key(obj, attr).and_then(|k| obj.get_mut(&k)) {
            None | Some(Value::Null) => Ok(()),
            Some(Value::Object(inner)) => {
                if let Some(key) = find_key(inner, sub) {
                    inner.remove(&key);
                }
                Ok(())
            }
            Some(other) => Err(sub_of_non_object(attr, sub, other)),
        };
    }
    let value = op.required_value()?;
    if let Some(existing) = get_ci(obj, attr).filter(|v| !v.is_object() && !v.is_null()) {
        return Err(sub_of_non_object(attr, sub, existing));
    }
    let inner = object_at(obj, attr, "attribute")?;
    if op.kind == Kind::Add {
        add_value(inner, sub, value);
    } else {
        replace_value(inner, sub, value);
    }
    Ok(())
}

/// The error for `attr.sub` when `attr` is not a complex single value.
fn sub_of_non_object(attr: &str, sub: &str, existing: &Value) -> PatchError {
    if existing.is_array() {
        invalid_path(format!(
            "\"{attr}\" is multi-valued; select elements with a filter, as in {attr}[type eq \"work\"].{sub}."
        ))
    } else {
        invalid_path(format!(
            "\"{attr}\" is not a complex attribute, so it has no \"{sub}\"."
        ))
    }
}

/// `attr[filter]` or `attr[filter].sub`: act on matching elements.
fn apply_filtered(
    obj: &mut Map<String, Value>,
    op: &Operation<'_>,
    attr: &str,
    filter: &[Comparison],
    sub: Option<&str>,
) -> Result<(), PatchError> {
    let value = match op.kind {
        Kind::Remove => None,
        _ => Some(op.required_value()?),
    };
    if op.kind == Kind::Add && sub.is_none() && !value.is_some_and(Value::is_object) {
        return Err(invalid_value(format!(
            "Adding to \"{attr}[...]\" needs an object of sub-attributes as its value."
        )));
    }
    let key = find_key(obj, attr);
    let items = match key.as_ref().and_then(|k| obj.get_mut(k)) {
        None | Some(Value::Null) => match op.kind {
            Kind::Remove => return Ok(()),
            Kind::Replace => {
                return Err(no_target(format!(
                    "\"{attr}\" has no values to match the filter."
                )));
            }
            Kind::Add => {
                let mut element = element_from_filter(filter);
                add_to_element(&mut element, sub, value);
                let name = key.unwrap_or_else(|| attr.to_string());
                obj.insert(name, Value::Array(vec![element]));
                return Ok(());
            }
        },
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(invalid_path(format!(
                "\"{attr}\" is not multi-valued, so it cannot take a filter."
            )));
        }
    };
    let matched: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, element)| matches(element, filter))
        .map(|(i, _)| i)
        .collect();
    match op.kind {
        Kind::Add => {
            if matched.is_empty() {
                let mut element = element_from_filter(filter);
                add_to_element(&mut element, sub, value);
                items.push(element);
            }
            for i in matched {
                if let Some(element) = items.get_mut(i) {
                    add_to_element(element, sub, value);
                }
            }
        }
        Kind::Replace => {
            if matched.is_empty() {
                return Err(no_target(format!(
                    "No value of \"{attr}\" matches the filter."
                )));
            }
            for i in matched {
                if let (Some(element), Some(value)) = (items.get_mut(i), value) {
                    match (sub, element) {
                        (Some(sub), Value::Object(map)) => replace_value(map, sub, value),
                        (None, element) => *element = value.clone(),
                        (Some(_), _) => {}
                    }
                }
            }
        }
        Kind::Remove => match sub {
            Some(sub) => {
                for i in matched {
                    if let Some(Value::Object(map)) = items.get_mut(i)
                        && let Some(k) = find_key(map, sub)
                    {
                        map.remove(&k);
                    }
                }
            }
            None => {
                let mut index = 0;
                items.retain(|_| {
                    let keep = !matched.contains(&index);
                    index += 1;
                    keep
                });
                if items.is_empty()
                    && let Some(k) = key
                {
                    obj.remove(&k);
                }
            }
        },
    }
    Ok(())
}

/// Builds a new multi-valued element from the filter's comparisons, e.g.
/// `type eq "work"` gives `{"type": "work"}`.
fn element_from_filter(filter: &[Comparison]) -> Value {
    let mut element = Map::new();
    for comparison in filter {
        element.insert(comparison.attr.clone(), comparison.value.clone());
    }
    Value::Object(element)
}

/// Add semantics on one element: set `sub`, or merge an object value.
fn add_to_element(element: &mut Value, sub: Option<&str>, value: Option<&Value>) {
    let (Value::Object(map), Some(value)) = (element, value) else {
        return;
    };
    match (sub, value) {
        (Some(sub), value) => add_value(map, sub, value),
        (None, Value::Object(fields)) => {
            for (k, v) in fields {
                add_value(map, k, v);
            }
        }
        (None, _) => {}
    }
}

/// Whether a multi-valued element satisfies every comparison.
fn matches(element: &Value, filter: &[Comparison]) -> bool {
    let Value::Object(map) = element else {
        return false;
    };
    filter.iter().all(|c| {
        let Some(actual) = get_ci(map, &c.attr) else {
            return false;
        };
        match (actual, &c.value) {
            (Value::String(a), Value::String(b)) => {
                if c.attr.eq_ignore_ascii_case("type") {
                    a.to_lowercase() == b.to_lowercase()
                } else {
                    a == b
                }
            }
            (Value::Bool(a), Value::String(b)) | (Value::String(b), Value::Bool(a)) => {
                b.eq_ignore_ascii_case(if *a { "true" } else { "false" })
            }
            (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
            (a, b) => a == b,
        }
    })
}

/// RFC "add" at `name` in `obj`: append to arrays (skipping values already
/// present), merge into complex objects, otherwise set.
fn add_value(obj: &mut Map<String, Value>, name: &str, value: &Value) {
    let Some(key) = find_key(obj, name) else {
        obj.insert(name.to_string(), value.clone());
        return;
    };
    match (obj.get_mut(&key), value) {
        (Some(Value::Array(items)), value) => {
            for item in as_items(value) {
                if !items.iter().any(|existing| same_item(existing, item)) {
                    items.push(item.clone());
                }
            }
        }
        (Some(Value::Object(existing)), Value::Object(fields)) => {
            for (k, v) in fields {
                add_value(existing, k, v);
            }
        }
        (Some(slot), value) => *slot = value.clone(),
        (None, value) => {
            obj.insert(name.to_string(), value.clone());
        }
    }
}

/// RFC "replace" at `name` in `obj`: a complex object keeps the
/// sub-attributes not given; anything else is replaced wholesale.
fn replace_value(obj: &mut Map<String, Value>, name: &str, value: &Value) {
    let key = find_key(obj, name).unwrap_or_else(|| name.to_string());
    match (obj.get_mut(&key), value) {
        (Some(Value::Object(existing)), Value::Object(fields)) => {
            for (k, v) in fields {
                let sub_key = find_key(existing, k).unwrap_or_else(|| k.clone());
                existing.insert(sub_key, v.clone());
            }
        }
        _ => {
            obj.insert(key, value.clone());
        }
    }
}

/// The object under `name` in `obj`, created when missing or null.
fn object_at<'m>(
    obj: &'m mut Map<String, Value>,
    name: &str,
    what: &str,
) -> Result<&'m mut Map<String, Value>, PatchError> {
    let key = find_key(obj, name).unwrap_or_else(|| name.to_string());
    let slot = obj.entry(key).or_insert(Value::Null);
    if slot.is_null() {
        *slot = Value::Object(Map::new());
    }
    match slot {
        Value::Object(map) => Ok(map),
        _ => Err(invalid_path(format!(
            "The {what} \"{name}\" is not a complex attribute."
        ))),
    }
}

/// The items of a value: an array's elements, or the value itself.
fn as_items(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// Whether two multi-valued elements are the same: objects with a `value`
/// sub-attribute compare by it, anything else by JSON equality.
fn same_item(a: &Value, b: &Value) -> bool {
    if let (Value::Object(x), Value::Object(y)) = (a, b)
        && let (Some(x), Some(y)) = (get_ci(x, "value"), get_ci(y, "value"))
    {
        return x == y;
    }
    a == b
}

/// The key of `obj` equal to `name` ignoring ASCII case.
fn find_key(obj: &Map<String, Value>, name: &str) -> Option<String> {
    if obj.contains_key(name) {
        return Some(name.to_string());
    }
    obj.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

/// The value under `name` in `obj`, ignoring ASCII case.
fn get_ci<'m>(obj: &'m Map<String, Value>, name: &str) -> Option<&'m Value> {
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
    const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
    const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    fn body(operations: Value) -> Value {
        json!({"schemas": [PATCH_OP_URN], "Operations": operations})
    }

    fn patched(mut resource: Value, operations: Value, urns: &[&str]) -> Value {
        match apply(&mut resource, &body(operations), urns) {
            Ok(()) => resource,
            Err(e) => panic!("PATCH refused: {e}"),
        }
    }

    /// Applies a request expected to fail and checks the resource is untouched.
    fn refused_body(resource: Value, request: Value, urns: &[&str]) -> PatchError {
        let mut work = resource.clone();
        match apply(&mut work, &request, urns) {
            Ok(()) => panic!("PATCH accepted: {work}"),
            Err(e) => {
                assert_eq!(work, resource, "resource changed by a failed PATCH");
                e
            }
        }
    }

    fn refused(resource: Value, operations: Value, urns: &[&str]) -> PatchError {
        refused_body(resource, body(operations), urns)
    }

    fn meta() -> Value {
        json!({
            "resourceType": "User",
            "created": "2024-01-01T00:00:00Z",
            "lastModified": "2024-01-01T00:00:00Z",
            "location": "https://example.com/scim/v2/Users/u1",
            "version": "W/\"1\""
        })
    }

    fn user() -> Value {
        json!({
            "schemas": [USER],
            "id": "u1",
            "externalId": "ext-1",
            "userName": "bjensen",
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "emails": [
                {"value": "bjensen@example.com", "type": "work", "primary": true},
                {"value": "babs@jensen.org", "type": "home"}
            ],
            "active": true,
            "meta": meta()
        })
    }

    fn member(id: &str) -> Value {
        json!({"value": id, "$ref": format!("https://example.com/scim/v2/Users/{id}"), "type": "User"})
    }

    fn group() -> Value {
        json!({
            "schemas": [GROUP],
            "id": "g1",
            "displayName": "Tour Guides",
            "members": [member("u1"), member("u2")],
            "meta": meta()
        })
    }

    fn member_ids(resource: &Value) -> Vec<&str> {
        match resource.get("members") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|m| m.get("value").and_then(Value::as_str))
                .collect(),
            _ => Vec::new(),
        }
    }

    // ----- RFC 7644 §3.5.2 examples -----

    #[test]
    fn rfc_add_members() {
        let out = patched(
            group(),
            json!([{"op": "add", "path": "members", "value": [
                {"display": "Babs Jensen", "$ref": "https://example.com/v2/Users/2819c223", "value": "2819c223"}
            ]}]),
            &[GROUP],
        );
        assert_eq!(member_ids(&out), ["u1", "u2", "2819c223"]);
    }

    #[test]
    fn rfc_add_existing_member_is_not_duplicated() {
        let out = patched(
            group(),
            json!([{"op": "add", "path": "members", "value": [{"value": "u2"}, {"value": "u3"}]}]),
            &[GROUP],
        );
        assert_eq!(member_ids(&out), ["u1", "u2", "u3"]);
        assert_eq!(out["members"][1], member("u2"));
    }

    #[test]
    fn rfc_add_members_when_group_has_none() {
        let mut g = group();
        if let Some(map) = g.as_object_mut() {
            map.remove("members");
        }
        let out = patched(
            g,
            json!([{"op": "add", "path": "members", "value": [{"value": "u9"}]}]),
            &[GROUP],
        );
        assert_eq!(out["members"], json!([{"value": "u9"}]));
    }

    #[test]
    fn rfc_pathless_add() {
        let out = patched(
            user(),
            json!([{"op": "add", "value": {
                "emails": [{"value": "babs@jensen.org", "type": "home"}, {"value": "b@c.d", "type": "other"}],
                "nickName": "Babs"
            }}]),
            &[USER],
        );
        assert_eq!(out["nickName"], "Babs");
        let emails = out["emails"].as_array().map(Vec::len);
        assert_eq!(emails, Some(3));
        assert_eq!(out["emails"][2]["value"], "b@c.d");
    }

    #[test]
    fn rfc_remove_member_by_filter() {
        let out = patched(
            group(),
            json!([{"op": "remove", "path": "members[value eq \"u1\"]"}]),
            &[GROUP],
        );
        assert_eq!(member_ids(&out), ["u2"]);
    }

    #[test]
    fn rfc_remove_last_member_by_filter_drops_the_attribute() {
        let out = patched(
            group(),
            json!([
                {"op": "remove", "path": "members[value eq \"u1\"]"},
                {"op": "remove", "path": "members[value eq \"u2\"]"}
            ]),
            &[GROUP],
        );
        assert!(out.get("members").is_none());
    }

    #[test]
    fn rfc_remove_all_members() {
        let out = patched(
            group(),
            json!([{"op": "remove", "path": "members"}]),
            &[GROUP],
        );
        assert!(out.get("members").is_none());
        assert_eq!(out["displayName"], "Tour Guides");
    }

    #[test]
    fn rfc_remove_all_then_add() {
        let out = patched(
            group(),
            json!([
                {"op": "remove", "path": "members"},
                {"op": "add", "path": "members", "value": [{"value": "u7"}, {"value": "u8"}]}
            ]),
            &[GROUP],
        );
        assert_eq!(member_ids(&out), ["u7", "u8"]);
    }

    #[test]
    fn rfc_replace_members() {
        let out = patched(
            group(),
            json!([{"op": "replace", "path": "members", "value": [{"value": "u5", "display": "Five"}]}]),
            &[GROUP],
        );
        assert_eq!(out["members"], json!([{"value": "u5", "display": "Five"}]));
    }

    #[test]
    fn rfc_replace_work_email_value() {
        let out = patched(
            user(),
            json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "new@example.com"}]),
            &[USER],
        );
        assert_eq!(out["emails"][0]["value"], "new@example.com");
        assert_eq!(out["emails"][0]["primary"], true);
        assert_eq!(out["emails"][1]["value"], "babs@jensen.org");
    }

    #[test]
    fn rfc_replace_whole_matching_element() {
        let out = patched(
            user(),
            json!([{"op": "replace", "path": "emails[type eq \"home\"]", "value": {"value": "h@x.y", "type": "home"}}]),
            &[USER],
        );
        assert_eq!(out["emails"][1], json!({"value": "h@x.y", "type": "home"}));
        assert_eq!(out["emails"][0]["value"], "bjensen@example.com");
    }

    #[test]
    fn rfc_pathless_replace() {
        let out = patched(
            user(),
            json!([{"op": "replace", "value": {
                "emails": [{"value": "only@x.y", "type": "work"}],
                "nickName": "Babs",
                "name": {"familyName": "Jensen-Smith"}
            }}]),
            &[USER],
        );
        assert_eq!(
            out["emails"],
            json!([{"value": "only@x.y", "type": "work"}])
        );
        assert_eq!(out["nickName"], "Babs");
        assert_eq!(
            out["name"],
            json!({"givenName": "Barbara", "familyName": "Jensen-Smith"})
        );
    }

    #[test]
    fn add_with_filter_sets_matching_or_creates_element() {
        let out = patched(
            user(),
            json!([{"op": "add", "path": "emails[type eq \"home\"].display", "value": "Home"}]),
            &[USER],
        );
        assert_eq!(out["emails"][1]["display"], "Home");

        let out = patched(
            user(),
            json!([{"op": "add", "path": "emails[type eq \"other\"].value", "value": "o@x.y"}]),
            &[USER],
        );
        assert_eq!(out["emails"][2], json!({"type": "other", "value": "o@x.y"}));

        let mut bare = user();
        if let Some(map) = bare.as_object_mut() {
            map.remove("emails");
        }
        let out = patched(
            bare,
            json!([{"op": "Add", "path": "emails[type eq \"work\"].value", "value": "w@x.y"}]),
            &[USER],
        );
        assert_eq!(out["emails"], json!([{"type": "work", "value": "w@x.y"}]));
    }

    #[test]
    fn add_with_filter_and_object_value_merges() {
        let out = patched(
            user(),
            json!([{"op": "add", "path": "emails[type eq \"home\"]", "value": {"primary": false}}]),
            &[USER],
        );
        assert_eq!(
            out["emails"][1],
            json!({"value": "babs@jensen.org", "type": "home", "primary": false})
        );
    }

    #[test]
    fn remove_sub_attribute_of_matching_elements() {
        let out = patched(
            user(),
            json!([{"op": "remove", "path": "emails[type eq \"work\"].primary"}]),
            &[USER],
        );
        assert_eq!(
            out["emails"][0],
            json!({"value": "bjensen@example.com", "type": "work"})
        );
    }

    #[test]
    fn filter_matching_rules() {
        // "type" is case-insensitive, booleans compare as JSON, "and" joins.
        let out = patched(
            user(),
            json!([{"op": "replace", "path": "emails[TYPE eq \"WORK\" and primary eq true].display", "value": "W"}]),
            &[USER],
        );
        assert_eq!(out["emails"][0]["display"], "W");
        // "value" is case-sensitive.
        let e = refused(
            group(),
            json!([{"op": "replace", "path": "members[value eq \"U1\"]", "value": {"value": "u3"}}]),
            &[GROUP],
        );
        assert_eq!(e.scim_type, "noTarget");
    }

    // ----- Microsoft Entra ID requests -----

    #[test]
    fn entra_replace_active_string_is_kept() {
        let out = patched(
            user(),
            json!([{"op": "Replace", "path": "active", "value": "False"}]),
            &[USER],
        );
        assert_eq!(out["active"], "False");
    }

    #[test]
    fn entra_add_and_remove_members_by_value() {
        let out = patched(
            group(),
            json!([{"op": "Add", "path": "members", "value": [{"value": "id1"}]}]),
            &[GROUP],
        );
        assert_eq!(member_ids(&out), ["u1", "u2", "id1"]);

        let out = patched(
            out,
            json!([{"op": "Remove", "path": "members", "value": [{"value": "id1"}, {"value": "u1"}]}]),
            &[GROUP],
        );
        assert_eq!(member_ids(&out), ["u2"]);

        let out = patched(
            out,
            json!([{"op": "Remove", "path": "members", "value": [{"value": "u2"}]}]),
            &[GROUP],
        );
        assert!(out.get("members").is_none());
    }

    #[test]
    fn entra_remove_unknown_member_is_idempotent() {
        let out = patched(
            group(),
            json!([
                {"op": "Remove", "path": "members", "value": [{"value": "nobody"}]},
                {"op": "remove", "path": "members[value eq \"nobody\"]"}
            ]),
            &[GROUP],
        );
        assert_eq!(out, group());
    }

    #[test]
    fn entra_replace_work_email() {
        let out = patched(
            user(),
            json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "x@y"}]),
            &[USER],
        );
        assert_eq!(out["emails"][0]["value"], "x@y");
    }

    #[test]
    fn entra_add_given_name() {
        let out = patched(
            user(),
            json!([{"op": "Add", "path": "name.givenName", "value": "Jo"}]),
            &[USER],
        );
        assert_eq!(
            out["name"],
            json!({"givenName": "Jo", "familyName": "Jensen"})
        );

        let mut nameless = user();
        if let Some(map) = nameless.as_object_mut() {
            map.remove("name");
        }
        let out = patched(
            nameless,
            json!([{"op": "Add", "path": "name.givenName", "value": "Jo"}]),
            &[USER],
        );
        assert_eq!(out["name"], json!({"givenName": "Jo"}));
    }

    #[test]
    fn entra_pathless_replace_group() {
        let out = patched(
            group(),
            json!([{"op": "replace", "value": {"displayName": "New", "externalId": "e"}}]),
            &[GROUP],
        );
        assert_eq!(out["displayName"], "New");
        assert_eq!(out["externalId"], "e");
        assert_eq!(member_ids(&out), ["u1", "u2"]);
    }

    #[test]
    fn entra_pathless_urn_keys() {
        let out = patched(
            user(),
            json!([{"op": "replace", "value": {
                "urn:ietf:params:scim:schemas:core:2.0:User:active": false,
                "name.familyName": "J"
            }}]),
            &[USER],
        );
        assert_eq!(out["active"], false);
        assert_eq!(out["name"]["familyName"], "J");

        let out = patched(
            user(),
            json!([{"op": "replace", "value": {USER: {"userName": "babs", "active": false}}}]),
            &[USER],
        );
        assert_eq!(out["userName"], "babs");
        assert_eq!(out["active"], false);
    }

    #[test]
    fn entra_urn_prefixed_path() {
        let out = patched(
            user(),
            json!([{"op": "Replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:userName", "value": "babs"}]),
            &[USER],
        );
        assert_eq!(out["userName"], "babs");
    }

    #[test]
    fn extension_attributes_live_under_their_urn() {
        let out = patched(
            user(),
            json!([
                {"op": "Add", "path": format!("{ENTERPRISE}:employeeNumber"), "value": "701984"},
                {"op": "Add", "path": format!("{ENTERPRISE}:manager.value"), "value": "m1"},
                {"op": "replace", "value": {format!("{ENTERPRISE}:department"): "Tour"}}
            ]),
            &[USER, ENTERPRISE],
        );
        assert_eq!(
            out[ENTERPRISE],
            json!({"employeeNumber": "701984", "manager": {"value": "m1"}, "department": "Tour"})
        );
        let out = patched(
            out,
            json!([
                {"op": "remove", "path": format!("{ENTERPRISE}:employeeNumber")},
                {"op": "replace", "value": {ENTERPRISE: {"department": "Ops"}}}
            ]),
            &[USER, ENTERPRISE],
        );
        assert_eq!(
            out[ENTERPRISE],
            json!({"manager": {"value": "m1"}, "department": "Ops"})
        );
        let e = refused(
            user(),
            json!([{"op": "add", "path": format!("{ENTERPRISE}:employeeNumber"), "value": "1"}]),
            &[USER],
        );
        assert_eq!(e.scim_type, "invalidPath");
    }

    // ----- Okta requests -----

    #[test]
    fn okta_replace_members_wholesale() {
        let out = patched(
            group(),
            json!([{"op": "replace", "path": "members", "value": [
                {"value": "u2", "display": "two"}, {"value": "u3", "display": "three"}
            ]}]),
            &[GROUP],
        );
        assert_eq!(member_ids(&out), ["u2", "u3"]);
    }

    #[test]
    fn okta_pathless_replace_with_same_id() {
        let out = patched(
            group(),
            json!([{"op": "replace", "value": {"id": "g1", "displayName": "x"}}]),
            &[GROUP],
        );
        assert_eq!(out["id"], "g1");
        assert_eq!(out["displayName"], "x");

        let e = refused(
            group(),
            json!([{"op": "replace", "value": {"id": "other", "displayName": "x"}}]),
            &[GROUP],
        );
        assert_eq!(e.scim_type, "mutability");
        assert!(e.message.contains("\"id\""));
    }

    // ----- general behaviour -----

    #[test]
    fn attribute_names_are_case_insensitive_and_keep_casing() {
        let out = patched(
            user(),
            json!([
                {"op": "replace", "path": "USERNAME", "value": "babs"},
                {"op": "add", "path": "Name.GivenName", "value": "B"},
                {"op": "add", "path": "Title", "value": "Tour Guide"},
                {"op": "REMOVE", "path": "ExternalID"}
            ]),
            &[USER],
        );
        assert_eq!(out["userName"], "babs");
        assert_eq!(out["name"]["givenName"], "B");
        assert_eq!(out["Title"], "Tour Guide");
        assert!(out.get("externalId").is_none());
        assert!(out.get("USERNAME").is_none());
    }

    #[test]
    fn complex_attribute_add_and_replace_merge() {
        let out = patched(
            user(),
            json!([{"op": "add", "value": {"name": {"middleName": "M"}}}]),
            &[USER],
        );
        assert_eq!(
            out["name"],
            json!({"givenName": "Barbara", "familyName": "Jensen", "middleName": "M"})
        );
        let out = patched(
            user(),
            json!([{"op": "replace", "path": "name", "value": {"givenName": "Babs"}}]),
            &[USER],
        );
        assert_eq!(
            out["name"],
            json!({"givenName": "Babs", "familyName": "Jensen"})
        );
    }

    #[test]
    fn remove_missing_attribute_is_not_an_error() {
        let out = patched(
            user(),
            json!([
                {"op": "remove", "path": "nickName"},
                {"op": "remove", "path": "addresses[type eq \"work\"]"},
                {"op": "remove", "path": "x509Certificates"},
                {"op": "remove", "path": "name.honorificPrefix"}
            ]),
            &[USER],
        );
        assert_eq!(out, user());
    }

    #[test]
    fn lowercase_operations_key_and_null_path() {
        let request = json!({"schemas": [PATCH_OP_URN], "operations": [
            {"op": "replace", "path": null, "value": {"userName": "babs"}}
        ]});
        let mut resource = user();
        if let Err(e) = apply(&mut resource, &request, &[USER]) {
            panic!("{e}");
        }
        assert_eq!(resource["userName"], "babs");
    }

    #[test]
    fn path_equal_to_base_urn_acts_like_no_path() {
        let out = patched(
            user(),
            json!([{"op": "replace", "path": USER, "value": {"nickName": "B"}}]),
            &[USER],
        );
        assert_eq!(out["nickName"], "B");
    }

    // ----- errors -----

    #[test]
    fn envelope_errors() {
        let cases = [
            json!([]),
            json!({"Operations": [{"op": "add", "value": {"a": 1}}]}),
            json!({"schemas": ["urn:wrong"], "Operations": [{"op": "add", "value": {"a": 1}}]}),
            json!({"schemas": [PATCH_OP_URN], "Operations": []}),
            json!({"schemas": [PATCH_OP_URN], "Operations": {"op": "add"}}),
            json!({"schemas": [PATCH_OP_URN]}),
        ];
        for request in cases {
            let e = refused_body(user(), request, &[USER]);
            assert_eq!(e.scim_type, "invalidSyntax", "{}", e.message);
        }
    }

    #[test]
    fn operation_syntax_errors() {
        for op in [
            json!("add"),
            json!({"path": "userName", "value": "x"}),
            json!({"op": "move", "path": "userName", "value": "x"}),
            json!({"op": 1, "path": "userName", "value": "x"}),
        ] {
            let e = refused(user(), json!([op]), &[USER]);
            assert_eq!(e.scim_type, "invalidSyntax", "{}", e.message);
        }
    }

    #[test]
    fn value_errors() {
        for op in [
            json!({"op": "add", "path": "userName"}),
            json!({"op": "add", "path": "userName", "value": null}),
            json!({"op": "replace", "path": "userName"}),
            json!({"op": "add", "value": "x"}),
            json!({"op": "replace", "value": [1]}),
            json!({"op": "replace", "value": {USER: "x"}}),
            json!({"op": "add", "path": "emails[type eq \"work\"]", "value": "x"}),
        ] {
            let e = refused(user(), json!([op]), &[USER]);
            assert_eq!(e.scim_type, "invalidValue", "{}", e.message);
        }
    }

    #[test]
    fn remove_without_path_is_no_target() {
        let e = refused(user(), json!([{"op": "remove"}]), &[USER]);
        assert_eq!(e.scim_type, "noTarget");
        let e = refused(
            user(),
            json!([{"op": "remove", "value": {"userName": "x"}}]),
            &[USER],
        );
        assert_eq!(e.scim_type, "noTarget");
    }

    #[test]
    fn replace_without_match_is_no_target() {
        for path in [
            "emails[type eq \"other\"].value",
            "addresses[type eq \"work\"]",
        ] {
            let e = refused(
                user(),
                json!([{"op": "replace", "path": path, "value": "x"}]),
                &[USER],
            );
            assert_eq!(e.scim_type, "noTarget", "{path}");
        }
    }

    #[test]
    fn path_errors() {
        for path in [
            "",
            "user name",
            "1abc",
            "name.givenName.x",
            "emails[type eq \"work\"",
            "emails[type co \"work\"]",
            "emails[type eq \"work\" or type eq \"home\"]",
            "emails[type eq \"work\"]x",
            "emails[name.givenName eq \"x\"].value",
            "userName[value eq \"x\"]",
            "userName.sub",
            "emails.value",
            "urn:unknown:schema:attr",
        ] {
            let e = refused(
                user(),
                json!([{"op": "replace", "path": path, "value": "x"}]),
                &[USER],
            );
            assert_eq!(e.scim_type, "invalidPath", "{path}: {}", e.message);
        }
        let e = refused(
            user(),
            json!([{"op": "replace", "path": 5, "value": "x"}]),
            &[USER],
        );
        assert_eq!(e.scim_type, "invalidPath");
        let e = refused(
            user(),
            json!([{"op": "add", "value": {"bad key": 1}}]),
            &[USER],
        );
        assert_eq!(e.scim_type, "invalidPath");
    }

    #[test]
    fn bracket_inside_filter_string_is_fine() {
        let out = patched(
            user(),
            json!([{"op": "add", "path": "emails[type eq \"we]ird\"].value", "value": "w@x.y"}]),
            &[USER],
        );
        assert_eq!(
            out["emails"][2],
            json!({"type": "we]ird", "value": "w@x.y"})
        );
    }

    #[test]
    fn immutable_attributes() {
        for op in [
            json!({"op": "replace", "path": "id", "value": "u2"}),
            json!({"op": "remove", "path": "id"}),
            json!({"op": "replace", "path": "meta.created", "value": "2020-01-01T00:00:00Z"}),
            json!({"op": "remove", "path": "meta"}),
            json!({"op": "add", "path": "schemas", "value": ["urn:x"]}),
            json!({"op": "replace", "value": {"ID": "other"}}),
            json!({"op": "replace", "value": {"meta": {"version": "W/\"9\""}}}),
        ] {
            let e = refused(user(), json!([op]), &[USER]);
            assert_eq!(e.scim_type, "mutability", "{}", e.message);
        }
        // Setting them to their current value is allowed.
        let out = patched(
            user(),
            json!([
                {"op": "replace", "path": "id", "value": "u1"},
                {"op": "add", "path": "schemas", "value": [USER]},
                {"op": "replace", "value": {"meta": meta()}}
            ]),
            &[USER],
        );
        assert_eq!(out, user());
    }

    #[test]
    fn failure_leaves_resource_untouched_and_names_operation() {
        let e = refused(
            group(),
            json!([
                {"op": "replace", "path": "displayName", "value": "Changed"},
                {"op": "remove", "path": "members"},
                {"op": "replace", "path": "id", "value": "g2"}
            ]),
            &[GROUP],
        );
        assert_eq!(e.scim_type, "mutability");
        assert!(e.message.starts_with("Operations[2]: "), "{}", e.message);
    }
}
