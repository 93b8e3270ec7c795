//! sea-orm entities, one per table.
pub mod audit_event;
pub mod group;
pub mod group_member;
pub mod system_state;
pub mod user;
