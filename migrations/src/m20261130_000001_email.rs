//! People are told: `emails`, the mail outbox. Each row is one message to one recipient,
//! rendered when the event happened (in its transaction) and sent by the mail worker; its
//! `dedupe_key` (the event and the recipient) is unique, so a message is written once
//! however often the event's transaction is retried, and sent once however many instances
//! run (a worker claims a row before sending);
//! - `users.optional_email`: whether the person wants the optional messages (warnings
//!   before access ends, reminders); on unless they turn it off in My Access → Settings.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    OptionalEmail,
}

#[derive(DeriveIden)]
enum Emails {
    Table,
    Id,
    DedupeKey,
    Kind,
    RecipientId,
    Recipient,
    Subject,
    TextBody,
    HtmlBody,
    State,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    LastError,
    CreatedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Emails::Table)
                    .col(uuid(Emails::Id).primary_key())
                    .col(string_len_uniq(Emails::DedupeKey, 200))
                    .col(string_len(Emails::Kind, 32))
                    .col(uuid_null(Emails::RecipientId))
                    .col(string_len(Emails::Recipient, 320))
                    .col(string_len(Emails::Subject, 300))
                    .col(text(Emails::TextBody))
                    .col(text(Emails::HtmlBody))
                    .col(
                        string_len(Emails::State, 16)
                            .check(Expr::col(Emails::State).is_in(["pending", "sent", "failed"])),
                    )
                    .col(integer(Emails::Attempts))
                    .col(timestamp_with_time_zone(Emails::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Emails::ClaimedUntil))
                    .col(text_null(Emails::LastError))
                    .col(timestamp_with_time_zone(Emails::CreatedAt))
                    .col(timestamp_with_time_zone_null(Emails::SentAt))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // The worker's question: what is due? Only pending rows are in this index.
        db.execute_unprepared(
            "CREATE INDEX ix_emails_due ON emails (next_attempt_at) WHERE state = 'pending'",
        )
        .await?;
        // The Sent email page: newest first.
        db.execute_unprepared("CREATE INDEX ix_emails_created ON emails (created_at, id)")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(boolean(Users::OptionalEmail).default(true))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE users DROP COLUMN optional_email")
            .await?;
        manager
            .drop_table(Table::drop().table(Emails::Table).to_owned())
            .await
    }
}
