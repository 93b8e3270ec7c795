//! Scripts come in through the Graph-compatible API:
//! - `app_registrations`: daemons a Global administrator registers, with a client id, a
//!   client secret stored as a SHA-256 hash (it is random and long, like a token) and the
//!   application permissions they hold;
//! - `api_tokens`: bearer tokens, stored as a SHA-256 hash with the last characters as a
//!   hint. Either a person's own (made in My Access, with delegated scopes, acting as that
//!   person) or one an app registration got at the token endpoint (short-lived, acting with
//!   the app's permissions). Deleting the person or the app takes its tokens with it.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AppRegistrations {
    Table,
    Id,
    ClientId,
    DisplayName,
    SecretHash,
    SecretHint,
    SecretExpiresAt,
    Permissions,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    Name,
    TokenHash,
    Hint,
    OwnerId,
    AppId,
    Scopes,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppRegistrations::Table)
                    .col(uuid(AppRegistrations::Id).primary_key())
                    .col(uuid_uniq(AppRegistrations::ClientId))
                    .col(string_len(AppRegistrations::DisplayName, 128))
                    .col(string_len(AppRegistrations::SecretHash, 64))
                    .col(string_len(AppRegistrations::SecretHint, 16))
                    .col(timestamp_with_time_zone(AppRegistrations::SecretExpiresAt))
                    .col(string_len(AppRegistrations::Permissions, 512))
                    .col(string_len(AppRegistrations::CreatedBy, 320))
                    .col(timestamp_with_time_zone(AppRegistrations::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(uuid(ApiTokens::Id).primary_key())
                    .col(string_len(ApiTokens::Name, 128))
                    .col(string_len_uniq(ApiTokens::TokenHash, 64))
                    .col(string_len(ApiTokens::Hint, 16))
                    .col(uuid_null(ApiTokens::OwnerId))
                    .col(uuid_null(ApiTokens::AppId))
                    .col(string_len(ApiTokens::Scopes, 512))
                    .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                    .col(timestamp_with_time_zone(ApiTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiTokens::Table, ApiTokens::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiTokens::Table, ApiTokens::AppId)
                            .to(AppRegistrations::Table, AppRegistrations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .check(Expr::cust("(owner_id IS NULL) <> (app_id IS NULL)"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // My Access lists a person's tokens; the token endpoint prunes an app's old ones.
        db.execute_unprepared(
            "CREATE INDEX ix_api_tokens_owner ON api_tokens (owner_id, created_at)",
        )
        .await?;
        db.execute_unprepared("CREATE INDEX ix_api_tokens_app ON api_tokens (app_id, expires_at)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiTokens::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AppRegistrations::Table).to_owned())
            .await
    }
}
