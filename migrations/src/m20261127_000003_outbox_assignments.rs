//! Outbox rows that deliver an assignment name it, so that the assignment can show
//! `Delivering` until its connected systems confirm and `Delivery failed` when one gave up.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Outbox {
    Table,
    AssignmentId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Outbox::Table)
                    .add_column(uuid_null(Outbox::AssignmentId))
                    .to_owned(),
            )
            .await?;
        // Only rows not yet done: what an assignment still waits for, or what failed.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_outbox_assignment ON outbox (assignment_id) \
                 WHERE state <> 'done'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX idx_outbox_assignment")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Outbox::Table)
                    .drop_column(Outbox::AssignmentId)
                    .to_owned(),
            )
            .await
    }
}
