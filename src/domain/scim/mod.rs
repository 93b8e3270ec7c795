//! SCIM 2.0 (RFC 7643, RFC 7644) as Gatehouse speaks it at `/scim/v2`: the resources an
//! identity provider sends and gets back, the schemas it discovers, filters and PATCH. Pure
//! data: the services store it, the web layer carries it.
pub mod discovery;
pub mod filter;
pub mod patch;

use serde_json::{Map, Value, json};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
/// Microsoft Entra sends this extension (department, manager, …); Gatehouse keeps none of
/// it, and says so by not declaring it.
pub const ENTERPRISE_USER_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The most resources one page of a list holds.
pub const MAX_PAGE: u64 = 200;

/// Input that breaks a SCIM rule: `scim_type` is RFC 7644's `scimType` (`invalidValue`,
/// `invalidSyntax`, `invalidFilter`, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub scim_type: &'static str,
    pub message: String,
}

impl Refused {
    pub fn value(message: impl Into<String>) -> Self {
        Self {
            scim_type: "invalidValue",
            message: message.into(),
        }
    }

    pub fn syntax(message: impl Into<String>) -> Self {
        Self {
            scim_type: "invalidSyntax",
            message: message.into(),
        }
    }
}

/// Looks `name` up in a JSON object the SCIM way: case-insensitively, and also as
/// `<schema URN>:name`.
pub fn attribute<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.iter().find_map(|(key, value)| {
        let bare = key
            .strip_prefix(USER_SCHEMA)
            .or_else(|| key.strip_prefix(GROUP_SCHEMA))
            .and_then(|rest| rest.strip_prefix(':'))
            .unwrap_or(key);
        bare.eq_ignore_ascii_case(name).then_some(value)
    })
}

fn optional_string(object: &Map<String, Value>, name: &str) -> Result<Option<String>, Refused> {
    match attribute(object, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Refused::value(format!("{name} must be a string."))),
    }
}

/// A boolean, also as Microsoft Entra sends it (`"True"`, `"False"`).
fn optional_bool(object: &Map<String, Value>, name: &str) -> Result<Option<bool>, Refused> {
    match attribute(object, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(Refused::value(format!("{name} must be true or false."))),
    }
}

fn resource_object<'a>(body: &'a Value, schema: &str) -> Result<&'a Map<String, Value>, Refused> {
    let Some(object) = body.as_object() else {
        return Err(Refused::syntax("The body must be a JSON object."));
    };
    if let Some(schemas) = object.get("schemas") {
        let named = schemas
            .as_array()
            .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(schema)));
        if !named {
            return Err(Refused::syntax(format!("schemas must include {schema}.")));
        }
    }
    Ok(object)
}

/// A user as an identity provider sends it (POST, PUT, or the result of a PATCH).
#[derive(Clone, Debug, PartialEq)]
pub struct UserInput {
    /// As sent; the service turns it into a user principal name.
    pub user_name: String,
    pub external_id: Option<String>,
    pub display_name: Option<String>,
    /// `None` when not sent: a new user is active, an existing one keeps their state.
    pub active: Option<bool>,
    /// `name` and `emails` as sent, kept to be echoed back.
    pub name: Option<Value>,
    pub emails: Option<Value>,
}

impl UserInput {
    pub fn parse(body: &Value) -> Result<Self, Refused> {
        let object = resource_object(body, USER_SCHEMA)?;
        let Some(user_name) = optional_string(object, "userName")? else {
            return Err(Refused::value("userName is required."));
        };
        let name = match attribute(object, "name") {
            None | Some(Value::Null) => None,
            Some(v @ Value::Object(_)) => Some(v.clone()),
            Some(_) => return Err(Refused::value("name must be an object.")),
        };
        let emails = match attribute(object, "emails") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) if items.is_empty() => None,
            Some(v @ Value::Array(items)) if items.iter().all(Value::is_object) => Some(v.clone()),
            Some(_) => return Err(Refused::value("emails must be a list of objects.")),
        };
        Ok(Self {
            user_name: user_name.trim().to_owned(),
            external_id: optional_string(object, "externalId")?,
            display_name: optional_string(object, "displayName")?,
            active: optional_bool(object, "active")?,
            name,
            emails,
        })
    }

    /// The address Gatehouse keeps: the primary email, else the first (work first).
    pub fn email(&self) -> Option<String> {
        let items = self.emails.as_ref()?.as_array()?;
        let value = |v: &Value| v.get("value").and_then(Value::as_str).map(str::to_owned);
        items
            .iter()
            .find(|e| e.get("primary").and_then(Value::as_bool) == Some(true))
            .and_then(value)
            .or_else(|| {
                items
                    .iter()
                    .find(|e| e.get("type").and_then(Value::as_str) == Some("work"))
                    .and_then(value)
            })
            .or_else(|| items.iter().find_map(value))
    }

    /// The name lists show: `displayName`, else the name's parts, else the user name.
    pub fn shown_name(&self) -> String {
        if let Some(shown) = &self.display_name {
            return shown.clone();
        }
        let part = |key: &str| {
            self.name
                .as_ref()
                .and_then(|n| n.get(key))
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        if let Some(formatted) = part("formatted") {
            return formatted.to_owned();
        }
        let parts: Vec<&str> = [part("givenName"), part("familyName")]
            .into_iter()
            .flatten()
            .collect();
        if parts.is_empty() {
            self.user_name.clone()
        } else {
            parts.join(" ")
        }
    }

    /// What is kept to echo back: the user name as sent, `name`, `emails`, and whether
    /// `displayName` and `active` were sent at all (a provider that removes them gets none
    /// back, though Gatehouse keeps a name and a state).
    pub fn profile(&self) -> Value {
        json!({
            "userName": self.user_name,
            "name": self.name,
            "emails": self.emails,
            "displayName": self.display_name,
            "active": self.active,
        })
    }
}

/// A group as an identity provider sends it.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupInput {
    pub display_name: String,
    pub external_id: Option<String>,
    /// The `value`s of `members`, as sent (user ids).
    pub members: Vec<String>,
}

impl GroupInput {
    pub fn parse(body: &Value) -> Result<Self, Refused> {
        let object = resource_object(body, GROUP_SCHEMA)?;
        let Some(display_name) = optional_string(object, "displayName")? else {
            return Err(Refused::value("displayName is required."));
        };
        let members = match attribute(object, "members") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                let mut ids = Vec::with_capacity(items.len());
                for item in items {
                    let id = item
                        .get("value")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .or_else(|| {
                            // A member given only by its `$ref`: the id is its last segment.
                            item.get("$ref")
                                .and_then(Value::as_str)
                                .and_then(|r| r.rsplit('/').next())
                                .map(str::to_owned)
                        });
                    match id {
                        Some(id) => ids.push(id),
                        None => return Err(Refused::value("Each member needs a value.")),
                    }
                }
                ids.sort();
                ids.dedup();
                ids
            }
            Some(_) => return Err(Refused::value("members must be a list.")),
        };
        Ok(Self {
            display_name,
            external_id: optional_string(object, "externalId")?,
            members,
        })
    }
}

/// A stored user, ready to be shown over SCIM.
pub struct UserView<'a> {
    pub id: String,
    pub user_name: String,
    pub external_id: Option<&'a str>,
    pub display_name: &'a str,
    pub active: bool,
    pub email: Option<&'a str>,
    /// What the provider sent last, as [`UserInput::profile`] kept it.
    pub profile: Option<Value>,
    pub created: time::OffsetDateTime,
    pub modified: time::OffsetDateTime,
}

/// A stored group, ready to be shown over SCIM.
pub struct GroupView<'a> {
    pub id: String,
    pub display_name: &'a str,
    pub external_id: Option<&'a str>,
    /// `None` when the caller left members out (`excludedAttributes=members`).
    pub members: Option<Vec<String>>,
    pub created: time::OffsetDateTime,
    pub modified: time::OffsetDateTime,
}

fn timestamp(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A weak entity tag that changes whenever the resource does.
pub fn version(modified: time::OffsetDateTime) -> String {
    format!("W/\"{:x}\"", modified.unix_timestamp_nanos())
}

fn meta(
    kind: &str,
    location: String,
    created: time::OffsetDateTime,
    modified: time::OffsetDateTime,
) -> Value {
    json!({
        "resourceType": kind,
        "created": timestamp(created),
        "lastModified": timestamp(modified),
        "location": location,
        "version": version(modified),
    })
}

impl UserView<'_> {
    pub fn to_json(&self, base: &str) -> Value {
        let mut object = Map::new();
        object.insert("schemas".into(), json!([USER_SCHEMA]));
        object.insert("id".into(), json!(self.id));
        if let Some(external) = self.external_id {
            object.insert("externalId".into(), json!(external));
        }
        object.insert("userName".into(), json!(self.user_name));
        let profile = self.profile.as_ref();
        // Without a profile the user is Gatehouse's own: everything is shown.
        let sent = |key: &str| profile.is_none_or(|p| p.get(key).is_some_and(|v| !v.is_null()));
        if sent("displayName") {
            object.insert("displayName".into(), json!(self.display_name));
        }
        if sent("active") {
            object.insert("active".into(), json!(self.active));
        }
        if let Some(name) = profile
            .and_then(|p| p.get("name"))
            .filter(|n| n.is_object())
        {
            object.insert("name".into(), name.clone());
        }
        // The provider's emails while the address Gatehouse keeps is still theirs; the
        // address an administrator set otherwise.
        let sent = profile
            .and_then(|p| p.get("emails"))
            .filter(|e| e.is_array())
            .cloned();
        let sent_email = sent.as_ref().and_then(|emails| {
            UserInput {
                user_name: String::new(),
                external_id: None,
                display_name: None,
                active: None,
                name: None,
                emails: Some(emails.clone()),
            }
            .email()
        });
        match (sent, self.email) {
            (Some(emails), Some(kept)) if sent_email.as_deref() == Some(kept) => {
                object.insert("emails".into(), emails);
            }
            (_, Some(kept)) => {
                object.insert(
                    "emails".into(),
                    json!([{ "value": kept, "type": "work", "primary": true }]),
                );
            }
            (_, None) => {}
        }
        let location = format!("{base}/Users/{}", self.id);
        object.insert(
            "meta".into(),
            meta("User", location, self.created, self.modified),
        );
        Value::Object(object)
    }
}

impl GroupView<'_> {
    pub fn to_json(&self, base: &str) -> Value {
        let mut object = Map::new();
        object.insert("schemas".into(), json!([GROUP_SCHEMA]));
        object.insert("id".into(), json!(self.id));
        if let Some(external) = self.external_id {
            object.insert("externalId".into(), json!(external));
        }
        object.insert("displayName".into(), json!(self.display_name));
        if let Some(members) = &self.members {
            let members: Vec<Value> = members
                .iter()
                .map(|id| json!({ "value": id, "$ref": format!("{base}/Users/{id}"), "type": "User" }))
                .collect();
            object.insert("members".into(), Value::Array(members));
        }
        let location = format!("{base}/Groups/{}", self.id);
        object.insert(
            "meta".into(),
            meta("Group", location, self.created, self.modified),
        );
        Value::Object(object)
    }
}

/// `attributes` and `excludedAttributes` (RFC 7644 §3.9), as lower-cased paths.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    attributes: Vec<String>,
    excluded: Vec<String>,
}

fn paths(list: Option<&str>) -> Vec<String> {
    list.unwrap_or_default()
        .split(',')
        .map(|p| {
            let p = p.trim();
            let bare = p
                .strip_prefix(USER_SCHEMA)
                .or_else(|| p.strip_prefix(GROUP_SCHEMA))
                .and_then(|r| r.strip_prefix(':'))
                .unwrap_or(p);
            bare.to_ascii_lowercase()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// Attributes always returned, whatever the selection.
const ALWAYS: [&str; 2] = ["id", "schemas"];

impl Selection {
    pub fn new(attributes: Option<&str>, excluded: Option<&str>) -> Self {
        Self {
            attributes: paths(attributes),
            excluded: paths(excluded),
        }
    }

    /// Whether the top-level attribute `name` is wanted (to skip loading it when not).
    pub fn wants(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        let top = |p: &String| p.split('.').next() == Some(name.as_str());
        if ALWAYS.contains(&name.as_str()) {
            return true;
        }
        if !self.attributes.is_empty() {
            return self.attributes.iter().any(top);
        }
        !self.excluded.contains(&name)
    }

    /// `resource` with only the wanted attributes.
    pub fn apply(&self, resource: Value) -> Value {
        let Value::Object(object) = resource else {
            return resource;
        };
        let mut kept = Map::new();
        for (key, value) in object {
            let lower = key.to_ascii_lowercase();
            if !self.wants(&key) {
                continue;
            }
            let value = if ALWAYS.contains(&lower.as_str()) {
                value
            } else {
                self.sub_attributes(&lower, value)
            };
            kept.insert(key, value);
        }
        Value::Object(kept)
    }

    /// `name.sub` selections within a complex attribute (or each item of a multi-valued one).
    fn sub_attributes(&self, top: &str, value: Value) -> Value {
        let pick = |list: &[String]| -> Vec<String> {
            list.iter()
                .filter_map(|p| p.strip_prefix(top).and_then(|r| r.strip_prefix('.')))
                .map(str::to_owned)
                .collect()
        };
        let (only, without) = (pick(&self.attributes), pick(&self.excluded));
        if only.is_empty() && without.is_empty() {
            return value;
        }
        // `attributes=name` and `attributes=name.givenName` together keep all of name.
        if !only.is_empty() && self.attributes.iter().any(|p| p == top) {
            return value;
        }
        let filter = |object: Map<String, Value>| {
            Value::Object(
                object
                    .into_iter()
                    .filter(|(k, _)| {
                        let k = k.to_ascii_lowercase();
                        (only.is_empty() || only.contains(&k)) && !without.contains(&k)
                    })
                    .collect(),
            )
        };
        match value {
            Value::Object(object) => filter(object),
            Value::Array(items) => Value::Array(
                items
                    .into_iter()
                    .map(|item| match item {
                        Value::Object(object) => filter(object),
                        other => other,
                    })
                    .collect(),
            ),
            other => other,
        }
    }
}

/// A page of resources.
pub fn list_response(total: u64, start_index: u64, resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// An error body (RFC 7644 §3.12).
pub fn error_body(status: u16, scim_type: Option<&str>, detail: &str) -> Value {
    let mut body = json!({
        "schemas": [ERROR_SCHEMA],
        "status": status.to_string(),
        "detail": detail,
    });
    if let Some(scim_type) = scim_type {
        body["scimType"] = json!(scim_type);
    }
    body
}

#[cfg(test)]
mod tests;

/// The attributes of a User that Gatehouse keeps (or answers with), as PATCH paths name them.
pub const USER_ATTRIBUTES: [&str; 9] = [
    "id",
    "meta",
    "schemas",
    "externalId",
    "userName",
    "name",
    "displayName",
    "active",
    "emails",
];
/// The attributes of a Group that Gatehouse keeps.
pub const GROUP_ATTRIBUTES: [&str; 6] = [
    "id",
    "meta",
    "schemas",
    "externalId",
    "displayName",
    "members",
];

/// `body`'s PATCH operations without those whose path names an attribute Gatehouse does not
/// keep (phone numbers, the enterprise extension…): a provider updating those gets success,
/// as when it sends them in a `PUT`, rather than `noTarget` for a value never stored. `None`
/// when every operation was about such attributes (nothing to do).
pub fn known_operations(body: &Value, schema: &str, known: &[&str]) -> Option<Value> {
    // The attribute a path or a path-less value's key names, if Gatehouse keeps it.
    let keeps = |path: &str| {
        let path = path.trim();
        let bare = match path.strip_prefix(schema) {
            Some(rest) => rest.trim_start_matches(':'),
            None if path.starts_with("urn:") => return false,
            None => path,
        };
        let attribute = bare.split(['.', '[']).next().unwrap_or_default();
        known.iter().any(|k| k.eq_ignore_ascii_case(attribute))
    };
    // Each operation, trimmed to what Gatehouse keeps; `None` when nothing is left of it.
    let trim = |op: &Value| -> Option<Value> {
        let object = op.as_object()?;
        let field = |name: &str| object.iter().find(|(k, _)| k.eq_ignore_ascii_case(name));
        match field("path").and_then(|(_, v)| v.as_str()) {
            Some(path) if !path.trim().is_empty() => keeps(path).then(|| op.clone()),
            _ => {
                let Some((value_key, Value::Object(value))) = field("value") else {
                    return Some(op.clone());
                };
                let mut kept = Map::new();
                for (key, item) in value {
                    if key == schema {
                        // The core schema's attributes given as one object: trimmed alike.
                        if let Value::Object(inner) = item {
                            let inner: Map<String, Value> = inner
                                .iter()
                                .filter(|(k, _)| keeps(k))
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect();
                            if !inner.is_empty() {
                                kept.insert(key.clone(), Value::Object(inner));
                            }
                        }
                    } else if keeps(key) {
                        kept.insert(key.clone(), item.clone());
                    }
                }
                if kept.is_empty() {
                    return None;
                }
                let mut op = object.clone();
                op.insert(value_key.clone(), Value::Object(kept));
                Some(Value::Object(op))
            }
        }
    };
    let mut body = body.clone();
    let mut all_left_out = false;
    if let Some(object) = body.as_object_mut() {
        for (key, value) in object.iter_mut() {
            if key.eq_ignore_ascii_case("operations")
                && let Some(operations) = value.as_array_mut()
            {
                let sent = operations.len();
                *operations = operations.iter().filter_map(trim).collect();
                all_left_out = sent > 0 && operations.is_empty();
            }
        }
    }
    (!all_left_out).then_some(body)
}
