//! Assignment requests with their decisions and timeline, and the assignments they deliver.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AccessPackages {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AssignmentPolicies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Assignments {
    Table,
    Id,
    AccessPackageId,
    PolicyId,
    TargetId,
    State,
    StartAt,
    EndAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AssignmentRequests {
    Table,
    Id,
    RequestType,
    State,
    Status,
    RequestorId,
    TargetId,
    AccessPackageId,
    PolicyId,
    AssignmentId,
    Justification,
    ScheduleStart,
    ScheduleEnd,
    DecideBy,
    CreatedAt,
    CompletedAt,
}

#[derive(DeriveIden)]
enum RequestDecisions {
    Table,
    Id,
    RequestId,
    ApproverId,
    ApproverName,
    Decision,
    Reason,
    DecidedAt,
}

#[derive(DeriveIden)]
enum RequestEvents {
    Table,
    Id,
    RequestId,
    OccurredAt,
    Kind,
    Description,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

fn index(name: &str, table: impl IntoIden, cols: Vec<DynIden>) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(col);
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Assignments::Table)
                    .col(uuid(Assignments::Id).primary_key())
                    .col(uuid(Assignments::AccessPackageId))
                    .col(uuid_null(Assignments::PolicyId))
                    .col(uuid(Assignments::TargetId))
                    .col(string_len(Assignments::State, 32))
                    .col(timestamp_with_time_zone(Assignments::StartAt))
                    .col(timestamp_with_time_zone_null(Assignments::EndAt))
                    .col(timestamp_with_time_zone(Assignments::CreatedAt))
                    .col(timestamp_with_time_zone(Assignments::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_assignments_package",
                        (Assignments::Table, Assignments::AccessPackageId),
                        (AccessPackages::Table, AccessPackages::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_assignments_policy",
                        (Assignments::Table, Assignments::PolicyId),
                        (AssignmentPolicies::Table, AssignmentPolicies::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_assignments_target",
                        (Assignments::Table, Assignments::TargetId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_assignments_package",
                Assignments::Table,
                vec![
                    Assignments::AccessPackageId.into_iden(),
                    Assignments::State.into_iden(),
                ],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_assignments_target",
                Assignments::Table,
                vec![
                    Assignments::TargetId.into_iden(),
                    Assignments::State.into_iden(),
                ],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_assignments_due",
                Assignments::Table,
                vec![
                    Assignments::State.into_iden(),
                    Assignments::StartAt.into_iden(),
                    Assignments::EndAt.into_iden(),
                ],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AssignmentRequests::Table)
                    .col(uuid(AssignmentRequests::Id).primary_key())
                    .col(string_len(AssignmentRequests::RequestType, 32))
                    .col(string_len(AssignmentRequests::State, 32))
                    .col(string_len(AssignmentRequests::Status, 32))
                    .col(uuid_null(AssignmentRequests::RequestorId))
                    .col(uuid(AssignmentRequests::TargetId))
                    .col(uuid(AssignmentRequests::AccessPackageId))
                    .col(uuid_null(AssignmentRequests::PolicyId))
                    .col(uuid_null(AssignmentRequests::AssignmentId))
                    .col(text(AssignmentRequests::Justification))
                    .col(timestamp_with_time_zone_null(
                        AssignmentRequests::ScheduleStart,
                    ))
                    .col(timestamp_with_time_zone_null(
                        AssignmentRequests::ScheduleEnd,
                    ))
                    .col(timestamp_with_time_zone_null(AssignmentRequests::DecideBy))
                    .col(timestamp_with_time_zone(AssignmentRequests::CreatedAt))
                    .col(timestamp_with_time_zone_null(
                        AssignmentRequests::CompletedAt,
                    ))
                    .foreign_key(&mut fk(
                        "fk_requests_requestor",
                        (AssignmentRequests::Table, AssignmentRequests::RequestorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_requests_target",
                        (AssignmentRequests::Table, AssignmentRequests::TargetId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_requests_package",
                        (
                            AssignmentRequests::Table,
                            AssignmentRequests::AccessPackageId,
                        ),
                        (AccessPackages::Table, AccessPackages::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_requests_policy",
                        (AssignmentRequests::Table, AssignmentRequests::PolicyId),
                        (AssignmentPolicies::Table, AssignmentPolicies::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_requests_assignment",
                        (AssignmentRequests::Table, AssignmentRequests::AssignmentId),
                        (Assignments::Table, Assignments::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_requests_package",
                AssignmentRequests::Table,
                vec![
                    AssignmentRequests::AccessPackageId.into_iden(),
                    AssignmentRequests::CreatedAt.into_iden(),
                ],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_requests_target",
                AssignmentRequests::Table,
                vec![
                    AssignmentRequests::TargetId.into_iden(),
                    AssignmentRequests::CreatedAt.into_iden(),
                ],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_requests_state",
                AssignmentRequests::Table,
                vec![
                    AssignmentRequests::State.into_iden(),
                    AssignmentRequests::DecideBy.into_iden(),
                ],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RequestDecisions::Table)
                    .col(uuid(RequestDecisions::Id).primary_key())
                    .col(uuid(RequestDecisions::RequestId))
                    .col(uuid_null(RequestDecisions::ApproverId))
                    .col(string_len(RequestDecisions::ApproverName, 256))
                    .col(string_len(RequestDecisions::Decision, 16))
                    .col(text(RequestDecisions::Reason))
                    .col(timestamp_with_time_zone(RequestDecisions::DecidedAt))
                    .foreign_key(&mut fk(
                        "fk_decisions_request",
                        (RequestDecisions::Table, RequestDecisions::RequestId),
                        (AssignmentRequests::Table, AssignmentRequests::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_decisions_approver",
                        (RequestDecisions::Table, RequestDecisions::ApproverId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_decisions_request",
                RequestDecisions::Table,
                vec![RequestDecisions::RequestId.into_iden()],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_decisions_approver",
                RequestDecisions::Table,
                vec![
                    RequestDecisions::ApproverId.into_iden(),
                    RequestDecisions::DecidedAt.into_iden(),
                ],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RequestEvents::Table)
                    .col(uuid(RequestEvents::Id).primary_key())
                    .col(uuid(RequestEvents::RequestId))
                    .col(timestamp_with_time_zone(RequestEvents::OccurredAt))
                    .col(string_len(RequestEvents::Kind, 32))
                    .col(text(RequestEvents::Description))
                    .foreign_key(&mut fk(
                        "fk_events_request",
                        (RequestEvents::Table, RequestEvents::RequestId),
                        (AssignmentRequests::Table, AssignmentRequests::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_events_request",
                RequestEvents::Table,
                vec![
                    RequestEvents::RequestId.into_iden(),
                    RequestEvents::OccurredAt.into_iden(),
                ],
            ))
            .await?;
        // One current assignment and one undecided request per user and package, whatever
        // races the application's own checks lose. Partial indexes read the same in SQLite
        // and PostgreSQL.
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_assignments_current ON assignments (target_id, access_package_id) \
             WHERE state IN ('delivering', 'delivered')",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_requests_open ON assignment_requests (target_id, access_package_id) \
             WHERE state IN ('submitted', 'pendingApproval')",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RequestEvents::Table.into_iden(),
            RequestDecisions::Table.into_iden(),
            AssignmentRequests::Table.into_iden(),
            Assignments::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
