//! Identity comes in:
//! - `provisioning_tokens`: the bearer tokens an identity provider presents at `/scim/v2`
//!   (stored as a SHA-256 hash with the last characters as a hint, an expiry, the last time
//!   used and when revoked);
//! - `users.scim_profile`: the `name` and `emails` a provider sent, echoed back as sent;
//! - `users.sso_subject`: who a user is at the OpenID provider (a digest of its issuer and
//!   their subject), so that a changed email or user name there updates the same account;
//! - an index of the live users' ids, which SCIM's `startIndex` paging counts and skips
//!   through without reading the rows it skips.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    ScimProfile,
    SsoSubject,
}

#[derive(DeriveIden)]
enum ProvisioningTokens {
    Table,
    Id,
    Name,
    TokenHash,
    Hint,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One `ADD COLUMN` a statement: SQLite takes no more.
        for column in [
            text_null(Users::ScimProfile),
            string_len_null(Users::SsoSubject, 255),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_users_sso_subject ON users (sso_subject) \
                 WHERE sso_subject IS NOT NULL",
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_users_live_id ON users (id) WHERE deleted_at IS NULL",
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProvisioningTokens::Table)
                    .col(uuid(ProvisioningTokens::Id).primary_key())
                    .col(string_len(ProvisioningTokens::Name, 128))
                    .col(string_len_uniq(ProvisioningTokens::TokenHash, 64))
                    .col(string_len(ProvisioningTokens::Hint, 16))
                    .col(string_len(ProvisioningTokens::CreatedBy, 320))
                    .col(timestamp_with_time_zone(ProvisioningTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(ProvisioningTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(
                        ProvisioningTokens::LastUsedAt,
                    ))
                    .col(timestamp_with_time_zone_null(ProvisioningTokens::RevokedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProvisioningTokens::Table).to_owned())
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX ux_users_sso_subject")
            .await?;
        db.execute_unprepared("DROP INDEX ix_users_live_id").await?;
        for column in ["scim_profile", "sso_subject"] {
            db.execute_unprepared(&format!("ALTER TABLE users DROP COLUMN {column}"))
                .await?;
        }
        Ok(())
    }
}
