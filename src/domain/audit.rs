//! The activities the audit log records, in the words Entra ID's audit log uses.

pub const SETUP_FIRST_ADMIN: &str = "Create first administrator";
pub const SIGN_IN_SUCCEEDED: &str = "Sign-in succeeded";
pub const SIGN_IN_FAILED: &str = "Sign-in failed";
pub const SIGN_IN_THROTTLED: &str = "Sign-in blocked after repeated failures";
pub const SIGN_OUT: &str = "Sign out";
pub const ADD_USER: &str = "Add user";
pub const UPDATE_USER: &str = "Update user";
pub const DISABLE_USER: &str = "Disable account";
pub const ENABLE_USER: &str = "Enable account";
pub const RESET_PASSWORD: &str = "Reset user password";
pub const DELETE_USER: &str = "Delete user";
pub const ADD_GROUP: &str = "Add group";
pub const DELETE_GROUP: &str = "Delete group";
pub const ADD_MEMBER: &str = "Add member to group";
pub const REMOVE_MEMBER: &str = "Remove member from group";
pub const UPDATE_GROUP: &str = "Update group";

pub const ADD_CATALOG: &str = "Create catalog";
pub const UPDATE_CATALOG: &str = "Update catalog";
pub const DELETE_CATALOG: &str = "Delete catalog";
pub const ADD_CATALOG_RESOURCE: &str = "Add resource to catalog";
pub const REMOVE_CATALOG_RESOURCE: &str = "Remove resource from catalog";
pub const ADD_CATALOG_ROLE: &str = "Add catalog role assignment";
pub const REMOVE_CATALOG_ROLE: &str = "Remove catalog role assignment";
pub const ADD_PACKAGE: &str = "Create access package";
pub const UPDATE_PACKAGE: &str = "Update access package";
pub const DELETE_PACKAGE: &str = "Delete access package";
pub const ADD_RESOURCE_ROLE: &str = "Add resource role to access package";
pub const REMOVE_RESOURCE_ROLE: &str = "Remove resource role from access package";
pub const ADD_POLICY: &str = "Create access package assignment policy";
pub const UPDATE_POLICY: &str = "Update access package assignment policy";
pub const DELETE_POLICY: &str = "Delete access package assignment policy";

pub const REQUEST_ACCESS: &str = "Request access package assignment";
pub const APPROVE_REQUEST: &str = "Approve access package assignment request";
pub const DENY_REQUEST: &str = "Deny access package assignment request";
pub const CANCEL_REQUEST: &str = "Cancel access package assignment request";
pub const REQUEST_TIMED_OUT: &str = "Access package assignment request timed out";
pub const DELIVER_ASSIGNMENT: &str = "Access package assignment delivered";
pub const EXPIRE_ASSIGNMENT: &str = "Access package assignment expired";
pub const REMOVE_ASSIGNMENT: &str = "Remove access package assignment";
pub const ADMIN_ASSIGN: &str = "Create access package assignment";
pub const REQUEST_EXTENSION: &str = "Request access package assignment extension";
pub const EXTEND_ASSIGNMENT: &str = "Extend access package assignment";

pub const ADD_CONNECTED_SYSTEM: &str = "Add connected system";
pub const UPDATE_CONNECTED_SYSTEM: &str = "Update connected system";
pub const DELETE_CONNECTED_SYSTEM: &str = "Delete connected system";
pub const TEST_CONNECTED_SYSTEM: &str = "Test connection to connected system";
pub const DELIVERY_FAILED: &str = "Access package assignment delivery failed";
pub const REPROCESS_ASSIGNMENT: &str = "Reprocess access package assignment";
pub const RESEND_TO_CONNECTED_SYSTEM: &str = "Resend to connected system";
pub const GOVERN_GROUP: &str = "Link group to connected system";
pub const UNGOVERN_GROUP: &str = "Unlink group from connected system";
pub const SYNC_CONNECTED_SYSTEM: &str = "Sync connected system";
pub const CHECK_DRIFT: &str = "Check connected system for drift";
pub const REVERT_DRIFT: &str = "Revert drift in connected system";
pub const SET_DRIFT_MODE: &str = "Change drift setting of governed group";
pub const ADD_PROVISIONING_TOKEN: &str = "Add SCIM provisioning token";
pub const REVOKE_PROVISIONING_TOKEN: &str = "Revoke SCIM provisioning token";
pub const UPDATE_PROVISIONING_SETTINGS: &str = "Update SCIM provisioning settings";
pub const SEND_TEST_EMAIL: &str = "Send test email";
pub const UPDATE_EMAIL_SETTINGS: &str = "Update email settings";

/// What kind of object an audit event is about.
pub const TARGET_USER: &str = "User";
pub const TARGET_GROUP: &str = "Group";
pub const TARGET_CATALOG: &str = "Catalog";
pub const TARGET_PACKAGE: &str = "Access package";
pub const TARGET_POLICY: &str = "Assignment policy";
pub const TARGET_CONNECTED_SYSTEM: &str = "Connected system";
pub const TARGET_PROVISIONING_TOKEN: &str = "SCIM provisioning token";
pub const TARGET_EMAIL: &str = "Email";
