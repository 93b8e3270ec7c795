//! Which properties each Microsoft Graph resource that the API serves has, and which of
//! them `$filter` and `$orderby` may use: the tables OData options are checked against.
pub mod policies;
use super::odata::{Kind, Property, Resource};

const fn prop(name: &'static str, kind: Kind, filter: bool, order: bool) -> Property {
    Property {
        name,
        kind,
        filter,
        order,
    }
}

use Kind::{Bool, DateTime, Enum, Guid, String as Text};

pub const USERS: Resource = Resource {
    properties: &[
        prop("id", Guid, true, false),
        prop("displayName", Text, true, true),
        prop("userPrincipalName", Text, true, true),
        prop("mail", Text, true, false),
        prop("accountEnabled", Bool, true, false),
        prop("createdDateTime", DateTime, true, true),
        prop("userType", Enum(&["Member"]), false, false),
    ],
    expand: &[],
    nested: &[],
    default_order: "displayName",
};

pub const GROUPS: Resource = Resource {
    properties: &[
        prop("id", Guid, true, false),
        prop("displayName", Text, true, true),
        prop("description", Text, true, false),
        prop("createdDateTime", DateTime, true, true),
        prop("securityEnabled", Bool, false, false),
        prop("mailEnabled", Bool, false, false),
        prop("groupTypes", Text, false, false),
    ],
    expand: &[],
    nested: &[],
    default_order: "displayName",
};

/// A group's members: users, as `directoryObject`s.
pub const MEMBERS: Resource = Resource {
    properties: USERS.properties,
    expand: &[],
    nested: &[],
    default_order: "displayName",
};

pub const CATALOGS: Resource = Resource {
    properties: &[
        prop("id", Guid, true, false),
        prop("displayName", Text, true, true),
        prop("description", Text, true, false),
        prop(
            "catalogType",
            Enum(&["userManaged", "serviceDefault"]),
            false,
            false,
        ),
        prop("state", Enum(&["published", "unpublished"]), true, false),
        prop("isExternallyVisible", Bool, true, false),
        prop("createdDateTime", DateTime, true, true),
        prop("modifiedDateTime", DateTime, true, true),
    ],
    expand: &[],
    nested: &[],
    default_order: "displayName",
};
