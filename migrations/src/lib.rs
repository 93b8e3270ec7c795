//! Database schema, one migration per change; a landed migration is never edited.
pub use sea_orm_migration::prelude::*;

mod m20261124_000001_create_directory;
mod m20261124_000002_create_entitlement_management;
mod m20261124_000003_create_requests_and_assignments;
mod m20261125_000010_user_tombstones;
mod m20261126_000001_fold_name_keys;
mod m20261126_000002_audit_no_truncate;
mod m20261126_000003_check_enumerated_columns;
mod m20261126_000004_indexes_for_scale;
mod m20261126_000005_lean_indexes;
mod m20261127_000001_connected_systems;
mod m20261127_000002_outbox;
mod m20261127_000003_outbox_assignments;
mod m20261127_000004_outbox_attempts;
mod m20261128_000001_directory_sync;
mod m20261129_000001_scim_provisioning;
mod m20261130_000001_email;
mod m20261201_000001_reminders_and_extend;
mod m20261202_000001_api_tokens;
mod m20261203_000001_api_list_indexes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_directory::Migration),
            Box::new(m20261124_000002_create_entitlement_management::Migration),
            Box::new(m20261124_000003_create_requests_and_assignments::Migration),
            Box::new(m20261125_000010_user_tombstones::Migration),
            Box::new(m20261126_000001_fold_name_keys::Migration),
            Box::new(m20261126_000002_audit_no_truncate::Migration),
            Box::new(m20261126_000003_check_enumerated_columns::Migration),
            Box::new(m20261126_000004_indexes_for_scale::Migration),
            Box::new(m20261126_000005_lean_indexes::Migration),
            Box::new(m20261127_000001_connected_systems::Migration),
            Box::new(m20261127_000002_outbox::Migration),
            Box::new(m20261127_000003_outbox_assignments::Migration),
            Box::new(m20261127_000004_outbox_attempts::Migration),
            Box::new(m20261128_000001_directory_sync::Migration),
            Box::new(m20261129_000001_scim_provisioning::Migration),
            Box::new(m20261130_000001_email::Migration),
            Box::new(m20261201_000001_reminders_and_extend::Migration),
            Box::new(m20261202_000001_api_tokens::Migration),
            Box::new(m20261203_000001_api_list_indexes::Migration),
        ]
    }
}
