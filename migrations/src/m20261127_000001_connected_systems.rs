//! Connected systems: LDAP directories, SCIM 2.0 service providers and webhook receivers,
//! with their settings (JSON) and their secret (sealed by the application, never plain).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ConnectedSystems {
    Table,
    Id,
    Kind,
    DisplayName,
    NameKey,
    Settings,
    Secret,
    IsEnabled,
    LastTestAt,
    LastTestOk,
    LastTestSummary,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConnectedSystems::Table)
                    .col(uuid(ConnectedSystems::Id).primary_key())
                    .col(string_len(ConnectedSystems::Kind, 16).check(
                        Expr::col(ConnectedSystems::Kind).is_in(["ldap", "scim", "webhook"]),
                    ))
                    .col(string_len(ConnectedSystems::DisplayName, 128))
                    .col(string_len_uniq(ConnectedSystems::NameKey, 128))
                    .col(text(ConnectedSystems::Settings))
                    .col(text_null(ConnectedSystems::Secret))
                    .col(boolean(ConnectedSystems::IsEnabled))
                    .col(timestamp_with_time_zone_null(ConnectedSystems::LastTestAt))
                    .col(boolean_null(ConnectedSystems::LastTestOk))
                    .col(text_null(ConnectedSystems::LastTestSummary))
                    .col(timestamp_with_time_zone(ConnectedSystems::CreatedAt))
                    .col(timestamp_with_time_zone(ConnectedSystems::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConnectedSystems::Table).to_owned())
            .await
    }
}
