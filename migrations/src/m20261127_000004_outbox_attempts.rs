//! Every try of an outbox row: when, how it ended (a receiver's status code, the time it
//! took, the error in words). The delivery log of a connected system's page.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum OutboxAttempts {
    Table,
    Id,
    OutboxId,
    Attempt,
    AttemptedAt,
    Succeeded,
    StatusCode,
    LatencyMs,
    Error,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboxAttempts::Table)
                    .col(uuid(OutboxAttempts::Id).primary_key())
                    .col(uuid(OutboxAttempts::OutboxId))
                    .col(integer(OutboxAttempts::Attempt))
                    .col(timestamp_with_time_zone(OutboxAttempts::AttemptedAt))
                    .col(boolean(OutboxAttempts::Succeeded))
                    .col(integer_null(OutboxAttempts::StatusCode))
                    .col(integer(OutboxAttempts::LatencyMs))
                    .col(text_null(OutboxAttempts::Error))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutboxAttempts::Table, OutboxAttempts::OutboxId)
                            .to(Outbox::Table, Outbox::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_attempts_row")
                    .table(OutboxAttempts::Table)
                    .col(OutboxAttempts::OutboxId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OutboxAttempts::Table).to_owned())
            .await
    }
}
