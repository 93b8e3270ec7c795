//! sea-orm entities, one per table.
pub mod access_package;
pub mod access_package_draft;
pub mod assignment_policy;
pub mod audit_event;
pub mod catalog;
pub mod catalog_resource;
pub mod catalog_role;
pub mod group;
pub mod group_member;
pub mod policy_approver;
pub mod policy_requestor;
pub mod resource_role;
pub mod system_state;
pub mod user;
