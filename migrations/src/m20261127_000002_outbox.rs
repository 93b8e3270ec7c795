//! Groups governed in a connected system, and the outbox: each membership change of a
//! governed group leaves a row here in the same transaction, which a worker applies to the
//! system (at least once; applying is idempotent) with retries and backoff.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ConnectedSystems {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum GovernedGroups {
    Table,
    GroupId,
    ConnectedSystemId,
    ExternalId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    ConnectedSystemId,
    Kind,
    Payload,
    State,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    LastError,
    CreatedAt,
    CompletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(GovernedGroups::Table)
                    .col(uuid(GovernedGroups::GroupId).primary_key())
                    .col(uuid(GovernedGroups::ConnectedSystemId))
                    .col(string_len(GovernedGroups::ExternalId, 1024))
                    .col(timestamp_with_time_zone(GovernedGroups::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(GovernedGroups::Table, GovernedGroups::GroupId)
                            .to(Groups::Table, Groups::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(GovernedGroups::Table, GovernedGroups::ConnectedSystemId)
                            .to(ConnectedSystems::Table, ConnectedSystems::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_governed_groups_system")
                    .table(GovernedGroups::Table)
                    .col(GovernedGroups::ConnectedSystemId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(uuid(Outbox::Id).primary_key())
                    .col(uuid(Outbox::ConnectedSystemId))
                    .col(
                        string_len(Outbox::Kind, 32)
                            .check(Expr::col(Outbox::Kind).is_in(["membership", "webhook"])),
                    )
                    .col(text(Outbox::Payload))
                    .col(
                        string_len(Outbox::State, 16)
                            .check(Expr::col(Outbox::State).is_in(["pending", "done", "failed"])),
                    )
                    .col(integer(Outbox::Attempts))
                    .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Outbox::ClaimedUntil))
                    .col(text_null(Outbox::LastError))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(Outbox::CompletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Outbox::Table, Outbox::ConnectedSystemId)
                            .to(ConnectedSystems::Table, ConnectedSystems::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The worker's due list: only rows still to do, in the order they fall due.
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX idx_outbox_due ON outbox (next_attempt_at) WHERE state = 'pending'",
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_system_created")
                    .table(Outbox::Table)
                    .col(Outbox::ConnectedSystemId)
                    .col(Outbox::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Outbox::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(GovernedGroups::Table).to_owned())
            .await
    }
}
