//! PostgreSQL: the audit log refuses TRUNCATE as it refuses UPDATE and DELETE. Row triggers
//! do not fire on TRUNCATE, so this is a statement trigger. SQLite has no TRUNCATE: its
//! `DELETE FROM` without WHERE already meets the DELETE trigger.
use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            // The function from the first migration raises for whichever operation fired it.
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events \
                     FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
                )
                .await?;
        }
        Ok(())
    }
}
