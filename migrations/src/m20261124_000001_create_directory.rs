//! Users, groups, group memberships with their source, the append-only audit log and
//! small system settings (setup state, generated keys).
use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    UserPrincipalName,
    DisplayName,
    Email,
    DirectoryRole,
    AccountEnabled,
    PasswordHash,
    SecurityStamp,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
    DisplayName,
    NameKey,
    Description,
    MembershipType,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GroupMembers {
    Table,
    Id,
    GroupId,
    UserId,
    Role,
    SourceKind,
    SourceId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    OccurredAt,
    ActorId,
    ActorName,
    Action,
    TargetType,
    TargetId,
    TargetName,
    Detail,
    ClientIp,
}

#[derive(DeriveIden)]
enum SystemState {
    Table,
    Key,
    Value,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(uuid(Users::Id).primary_key())
                    .col(string_len_uniq(Users::UserPrincipalName, 256))
                    .col(string_len(Users::DisplayName, 256))
                    .col(string_len_null(Users::Email, 256))
                    .col(string_len(Users::DirectoryRole, 32))
                    .col(boolean(Users::AccountEnabled))
                    .col(text(Users::PasswordHash))
                    .col(string_len(Users::SecurityStamp, 64))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_users_display_name")
                    .table(Users::Table)
                    .col(Users::DisplayName)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Groups::Table)
                    .col(uuid(Groups::Id).primary_key())
                    .col(string_len(Groups::DisplayName, 256))
                    .col(string_len_uniq(Groups::NameKey, 256))
                    .col(string_len(Groups::Description, 1024))
                    .col(string_len(Groups::MembershipType, 32))
                    .col(timestamp_with_time_zone(Groups::CreatedAt))
                    .col(timestamp_with_time_zone(Groups::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(GroupMembers::Table)
                    .col(uuid(GroupMembers::Id).primary_key())
                    .col(uuid(GroupMembers::GroupId))
                    .col(uuid(GroupMembers::UserId))
                    .col(string_len(GroupMembers::Role, 16))
                    .col(string_len(GroupMembers::SourceKind, 16))
                    // The nil UUID for a direct membership, the assignment's id otherwise:
                    // NOT NULL so that the unique index below really is unique.
                    .col(uuid(GroupMembers::SourceId))
                    .col(timestamp_with_time_zone(GroupMembers::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_group_members_group")
                            .from(GroupMembers::Table, GroupMembers::GroupId)
                            .to(Groups::Table, Groups::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_group_members_user")
                            .from(GroupMembers::Table, GroupMembers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_group_members_source")
                    .table(GroupMembers::Table)
                    .col(GroupMembers::GroupId)
                    .col(GroupMembers::UserId)
                    .col(GroupMembers::Role)
                    .col(GroupMembers::SourceKind)
                    .col(GroupMembers::SourceId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_group_members_user")
                    .table(GroupMembers::Table)
                    .col(GroupMembers::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(uuid(AuditEvents::Id).primary_key())
                    .col(timestamp_with_time_zone(AuditEvents::OccurredAt))
                    .col(uuid_null(AuditEvents::ActorId))
                    .col(string_len(AuditEvents::ActorName, 256))
                    .col(string_len(AuditEvents::Action, 64))
                    .col(string_len(AuditEvents::TargetType, 32))
                    .col(string_len_null(AuditEvents::TargetId, 64))
                    .col(string_len(AuditEvents::TargetName, 256))
                    .col(text(AuditEvents::Detail))
                    .col(string_len_null(AuditEvents::ClientIp, 64))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("idx_audit_occurred", vec![AuditEvents::OccurredAt]),
            (
                "idx_audit_actor",
                vec![AuditEvents::ActorId, AuditEvents::OccurredAt],
            ),
            (
                "idx_audit_target",
                vec![AuditEvents::TargetId, AuditEvents::OccurredAt],
            ),
            (
                "idx_audit_action_target_name",
                vec![
                    AuditEvents::Action,
                    AuditEvents::TargetName,
                    AuditEvents::OccurredAt,
                ],
            ),
            (
                "idx_audit_action_ip",
                vec![
                    AuditEvents::Action,
                    AuditEvents::ClientIp,
                    AuditEvents::OccurredAt,
                ],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(AuditEvents::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        forbid_audit_changes(manager).await?;

        manager
            .create_table(
                Table::create()
                    .table(SystemState::Table)
                    .col(string_len(SystemState::Key, 64).primary_key())
                    .col(text(SystemState::Value))
                    .col(timestamp_with_time_zone(SystemState::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS audit_events_append_only() CASCADE")
                .await?;
        }
        for table in [
            SystemState::Table.into_iden(),
            AuditEvents::Table.into_iden(),
            GroupMembers::Table.into_iden(),
            Groups::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// The audit log is append-only: the database itself refuses updates and deletes, so no
/// code path (and no mistaken query) can rewrite history.
async fn forbid_audit_changes(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DbBackend::Postgres => {
            db.execute_unprepared(
                "CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$ \
                 BEGIN RAISE EXCEPTION 'audit events are append-only'; END; \
                 $$ LANGUAGE plpgsql",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events \
                 FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
            )
            .await?;
        }
        _ => {
            for op in ["UPDATE", "DELETE"] {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER audit_events_no_{op} BEFORE {op} ON audit_events \
                     BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
                ))
                .await?;
            }
        }
    }
    Ok(())
}
