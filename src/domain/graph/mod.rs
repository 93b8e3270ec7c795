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

/// A catalog's `resources` (`accessPackageResource`): Gatehouse's are groups.
pub const CATALOG_RESOURCES: Resource = Resource {
    properties: &[
        prop("id", Guid, false, false),
        prop("displayName", Text, true, true),
        prop("description", Text, true, false),
        prop("originId", Guid, true, false),
        prop("originSystem", Enum(&["AadGroup"]), false, false),
        prop("createdDateTime", DateTime, false, false),
    ],
    expand: &[],
    nested: &[],
    default_order: "displayName",
};

pub const ACCESS_PACKAGES: Resource = Resource {
    properties: &[
        prop("id", Guid, true, false),
        prop("displayName", Text, true, true),
        prop("description", Text, true, false),
        prop("isHidden", Bool, true, false),
        prop("createdDateTime", DateTime, true, true),
        prop("modifiedDateTime", DateTime, true, true),
    ],
    expand: &["catalog", "resourceRoleScopes"],
    nested: &[("resourceRoleScopes", &["role", "scope"])],
    default_order: "displayName",
};

/// A package's `resourceRoleScopes`: a group and the role in it the package grants.
pub const ROLE_SCOPES: Resource = Resource {
    properties: &[
        prop("id", Guid, false, false),
        prop("createdDateTime", DateTime, false, false),
    ],
    expand: &["role", "scope"],
    nested: &[],
    default_order: "createdDateTime",
};

/// Graph's request types; Gatehouse's `userExtend` is Graph's `userUpdate`.
pub const REQUEST_TYPES: &[&str] = &[
    "userAdd",
    "userUpdate",
    "userRemove",
    "adminAdd",
    "adminUpdate",
    "adminRemove",
    "systemRemove",
];

pub const REQUEST_STATES: &[&str] = &[
    "submitted",
    "pendingApproval",
    "scheduled",
    "delivering",
    "delivered",
    "denied",
    "canceled",
    "deliveryFailed",
];

pub const ASSIGNMENT_REQUESTS: Resource = Resource {
    properties: &[
        prop("id", Guid, true, false),
        prop("requestType", Enum(REQUEST_TYPES), true, false),
        prop("state", Enum(REQUEST_STATES), true, false),
        prop("status", Text, true, false),
        prop("justification", Text, false, false),
        prop("createdDateTime", DateTime, true, true),
        prop("completedDateTime", DateTime, true, false),
        prop("schedule", Text, false, false),
        prop("assignment", Text, false, false),
    ],
    expand: &["accessPackage", "requestor", "target"],
    nested: &[],
    default_order: "createdDateTime",
};

/// Graph's assignment states; Gatehouse's `removed` reads as `expired`.
pub const ASSIGNMENT_STATES: &[&str] = &["delivering", "delivered", "expired"];

pub const ASSIGNMENTS: Resource = Resource {
    properties: &[
        prop("id", Guid, true, false),
        prop("state", Enum(ASSIGNMENT_STATES), true, false),
        prop("status", Text, false, false),
        prop("expiredDateTime", DateTime, true, false),
        prop("schedule", Text, false, false),
        prop("createdDateTime", DateTime, true, true),
    ],
    expand: &["target", "accessPackage", "assignmentPolicy"],
    nested: &[],
    default_order: "createdDateTime",
};

/// `approval`s of requests waiting for the caller.
pub const APPROVALS: Resource = Resource {
    properties: &[
        prop("id", Guid, true, false),
        prop("stages", Text, false, false),
        prop("createdDateTime", DateTime, false, true),
    ],
    expand: &["stages"],
    nested: &[],
    default_order: "createdDateTime",
};
