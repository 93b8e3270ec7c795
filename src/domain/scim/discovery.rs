//! What an identity provider discovers first: the service provider's configuration, the
//! resource types and the schemas, declaring only the attributes Gatehouse keeps and gives
//! back as they were sent.
use serde_json::{Value, json};

use super::{GROUP_SCHEMA, MAX_PAGE, USER_SCHEMA};

const CONFIG_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

fn meta(kind: &str, location: String) -> Value {
    json!({ "resourceType": kind, "location": location })
}

pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": [CONFIG_SCHEMA],
        "documentationUri": "https://github.com/gatehouse/gatehouse#provision-users-with-scim",
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": MAX_PAGE },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
        "etag": { "supported": true },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "Provisioning token",
            "description": "A bearer token made under Connected systems → SCIM provisioning.",
            "primary": true,
        }],
        "meta": meta("ServiceProviderConfig", format!("{base}/ServiceProviderConfig")),
    })
}

fn resource_type(base: &str, name: &str, endpoint: &str, schema: &str) -> Value {
    json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": name,
        "name": name,
        "endpoint": endpoint,
        "description": format!("{name}s in Gatehouse"),
        "schema": schema,
        "schemaExtensions": [],
        "meta": meta("ResourceType", format!("{base}/ResourceTypes/{name}")),
    })
}

pub fn resource_types(base: &str) -> Vec<Value> {
    vec![
        resource_type(base, "User", "/Users", USER_SCHEMA),
        resource_type(base, "Group", "/Groups", GROUP_SCHEMA),
    ]
}

/// One attribute's definition (RFC 7643 §7).
fn attr(name: &str, kind: &str, description: &str) -> Value {
    json!({
        "name": name,
        "type": kind,
        "multiValued": false,
        "description": description,
        "required": false,
        "caseExact": false,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
    })
}

fn with(mut attribute: Value, changes: Value) -> Value {
    if let (Some(target), Some(changes)) = (attribute.as_object_mut(), changes.as_object()) {
        for (key, value) in changes {
            target.insert(key.clone(), value.clone());
        }
    }
    attribute
}

fn user_schema(base: &str) -> Value {
    let name = with(
        attr(
            "name",
            "complex",
            "The person's name, kept as the identity provider sent it.",
        ),
        json!({ "subAttributes": [
            attr("formatted", "string", "The full name."),
            attr("familyName", "string", "The family name."),
            attr("givenName", "string", "The given name."),
        ]}),
    );
    let emails = with(
        attr(
            "emails",
            "complex",
            "Email addresses; the primary one is the address Gatehouse writes to.",
        ),
        json!({
            "multiValued": true,
            "subAttributes": [
                attr("value", "string", "The address."),
                with(attr("type", "string", "work, home or other."), json!({ "canonicalValues": ["work", "home", "other"] })),
                attr("primary", "boolean", "The address to use."),
            ],
        }),
    );
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": USER_SCHEMA,
        "name": "User",
        "description": "A person who can sign in to Gatehouse and hold access.",
        "attributes": [
            with(attr("userName", "string", "The user principal name (name@domain)."), json!({ "required": true, "uniqueness": "server" })),
            name,
            attr("displayName", "string", "The name shown in lists and approvals."),
            attr("active", "boolean", "false disables the account and removes every assignment."),
            emails,
        ],
        "meta": meta("Schema", format!("{base}/Schemas/{USER_SCHEMA}")),
    })
}

fn group_schema(base: &str) -> Value {
    let members = with(
        attr(
            "members",
            "complex",
            "The people the identity provider put in the group.",
        ),
        json!({
            "multiValued": true,
            "subAttributes": [
                with(attr("value", "string", "The member's id."), json!({ "caseExact": true, "mutability": "immutable" })),
                with(attr("$ref", "reference", "The member's URI."), json!({ "referenceTypes": ["User"], "caseExact": true, "mutability": "immutable" })),
                with(attr("type", "string", "Always User."), json!({ "canonicalValues": ["User"], "mutability": "immutable" })),
            ],
        }),
    );
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": GROUP_SCHEMA,
        "name": "Group",
        "description": "A security group that catalogs and access packages can grant.",
        "attributes": [
            with(attr("displayName", "string", "The group's name, unique in Gatehouse."), json!({ "required": true, "uniqueness": "server" })),
            members,
        ],
        "meta": meta("Schema", format!("{base}/Schemas/{GROUP_SCHEMA}")),
    })
}

pub fn schemas(base: &str) -> Vec<Value> {
    vec![user_schema(base), group_schema(base)]
}
