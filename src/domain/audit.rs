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

/// What kind of object an audit event is about.
pub const TARGET_USER: &str = "User";
pub const TARGET_GROUP: &str = "Group";
