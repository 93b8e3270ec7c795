//! Importing from a directory and watching for drift:
//! - users and groups remember the connected system they were imported from and the entry
//!   there (its DN), and a user disabled because the directory said so is marked, so that the
//!   directory can enable them again;
//! - `sync_runs`: each import (queued, running with its progress, then its summary); at most
//!   one queued or running a system, which is what makes a run happen once across instances;
//! - a governed group's drift setting (`report` or `revert`) and `drift_findings`, the members
//!   the system has that Gatehouse does not expect, or lacks that it does.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    SourceSystemId,
    ExternalId,
    DisabledBySource,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
    SourceSystemId,
    ExternalId,
}

#[derive(DeriveIden)]
enum GovernedGroups {
    Table,
    DriftMode,
}

#[derive(DeriveIden)]
enum ConnectedSystems {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SyncRuns {
    Table,
    Id,
    ConnectedSystemId,
    Kind,
    Full,
    State,
    Phase,
    Total,
    Done,
    Created,
    Updated,
    Disabled,
    Unchanged,
    Errors,
    ErrorLines,
    Message,
    HighWater,
    RequestedBy,
    CreatedAt,
    StartedAt,
    FinishedAt,
    LeaseUntil,
    ClaimedBy,
    Follows,
}

#[derive(DeriveIden)]
enum DriftFindings {
    Table,
    Id,
    ConnectedSystemId,
    GroupId,
    UserId,
    MemberValue,
    Direction,
    FirstSeenAt,
    LastSeenAt,
}

/// One `ALTER TABLE … ADD COLUMN` a statement: SQLite takes no more.
async fn add_column(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    column: ColumnDef,
) -> Result<(), DbErr> {
    let mut column = column;
    manager
        .alter_table(
            Table::alter()
                .table(table)
                .add_column(&mut column)
                .to_owned(),
        )
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(manager, Users::Table, uuid_null(Users::SourceSystemId)).await?;
        add_column(
            manager,
            Users::Table,
            string_len_null(Users::ExternalId, 1024),
        )
        .await?;
        add_column(
            manager,
            Users::Table,
            boolean(Users::DisabledBySource).default(false).to_owned(),
        )
        .await?;
        add_column(manager, Groups::Table, uuid_null(Groups::SourceSystemId)).await?;
        add_column(
            manager,
            Groups::Table,
            string_len_null(Groups::ExternalId, 1024),
        )
        .await?;
        add_column(
            manager,
            GovernedGroups::Table,
            string_len(GovernedGroups::DriftMode, 16)
                .default("report")
                .to_owned(),
        )
        .await?;
        for (name, table) in [("ux_users_source", "users"), ("ux_groups_source", "groups")] {
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "CREATE UNIQUE INDEX {name} ON {table} (source_system_id, external_id) \
                     WHERE source_system_id IS NOT NULL"
                ))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(SyncRuns::Table)
                    .col(uuid(SyncRuns::Id).primary_key())
                    .col(uuid(SyncRuns::ConnectedSystemId))
                    .col(string_len(SyncRuns::Kind, 16))
                    .col(boolean(SyncRuns::Full))
                    .col(string_len(SyncRuns::State, 16))
                    .col(text(SyncRuns::Phase))
                    .col(big_integer(SyncRuns::Total))
                    .col(big_integer(SyncRuns::Done))
                    .col(big_integer(SyncRuns::Created))
                    .col(big_integer(SyncRuns::Updated))
                    .col(big_integer(SyncRuns::Disabled))
                    .col(big_integer(SyncRuns::Unchanged))
                    .col(big_integer(SyncRuns::Errors))
                    .col(text(SyncRuns::ErrorLines))
                    .col(text_null(SyncRuns::Message))
                    .col(string_len_null(SyncRuns::HighWater, 64))
                    .col(string_len(SyncRuns::RequestedBy, 256))
                    .col(timestamp_with_time_zone(SyncRuns::CreatedAt))
                    .col(timestamp_with_time_zone_null(SyncRuns::StartedAt))
                    .col(timestamp_with_time_zone_null(SyncRuns::FinishedAt))
                    .col(timestamp_with_time_zone_null(SyncRuns::LeaseUntil))
                    .col(uuid_null(SyncRuns::ClaimedBy))
                    .col(uuid_null(SyncRuns::Follows))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SyncRuns::Table, SyncRuns::ConnectedSystemId)
                            .to(ConnectedSystems::Table, ConnectedSystems::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sync_runs_system")
                    .table(SyncRuns::Table)
                    .col(SyncRuns::ConnectedSystemId)
                    .col(SyncRuns::Kind)
                    .col(SyncRuns::CreatedAt)
                    .to_owned(),
            )
            .await?;
        // One unfinished run of a kind a system: a second `Sync now`, or a second instance
        // scheduling the same run, is refused by the database.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_sync_runs_unfinished ON sync_runs (connected_system_id, kind) \
                 WHERE state IN ('queued', 'running')",
            )
            .await?;
        // A scheduled run names the run it follows: two instances that both find the same
        // run due queue one run, even when the first has already finished it.
        manager
            .create_index(
                Index::create()
                    .name("ux_sync_runs_follows")
                    .table(SyncRuns::Table)
                    .col(SyncRuns::ConnectedSystemId)
                    .col(SyncRuns::Kind)
                    .col(SyncRuns::Follows)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DriftFindings::Table)
                    .col(uuid(DriftFindings::Id).primary_key())
                    .col(uuid(DriftFindings::ConnectedSystemId))
                    .col(uuid(DriftFindings::GroupId))
                    .col(uuid_null(DriftFindings::UserId))
                    .col(string_len(DriftFindings::MemberValue, 1024))
                    .col(string_len(DriftFindings::Direction, 16))
                    .col(timestamp_with_time_zone(DriftFindings::FirstSeenAt))
                    .col(timestamp_with_time_zone(DriftFindings::LastSeenAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DriftFindings::Table, DriftFindings::GroupId)
                            .to(Groups::Table, Groups::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DriftFindings::Table, DriftFindings::ConnectedSystemId)
                            .to(ConnectedSystems::Table, ConnectedSystems::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_drift_findings_member")
                    .table(DriftFindings::Table)
                    .col(DriftFindings::GroupId)
                    .col(DriftFindings::MemberValue)
                    .col(DriftFindings::Direction)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_drift_findings_system")
                    .table(DriftFindings::Table)
                    .col(DriftFindings::ConnectedSystemId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DriftFindings::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SyncRuns::Table).to_owned())
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX ux_groups_source").await?;
        db.execute_unprepared("DROP INDEX ux_users_source").await?;
        for (table, column) in [
            ("governed_groups", "drift_mode"),
            ("groups", "external_id"),
            ("groups", "source_system_id"),
            ("users", "disabled_by_source"),
            ("users", "external_id"),
            ("users", "source_system_id"),
        ] {
            db.execute_unprepared(&format!("ALTER TABLE {table} DROP COLUMN {column}"))
                .await?;
        }
        Ok(())
    }
}
