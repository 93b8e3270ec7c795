//! The API lists every request and assignment a caller may see, newest or oldest first,
//! a page at a time by `(created_at, id)`, and the directory's live users by name or by
//! creation: an index in each order, so that a page of a million assignments or 100,000
//! users reads about as many rows as it shows (without the users' ones SQLite chose the
//! live-ids index and sorted every user: 34 ms a page).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX ix_assignments_created ON assignments (created_at, id)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_requests_created ON assignment_requests (created_at, id)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_users_live_name ON users (display_name, id) WHERE deleted_at IS NULL",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_users_live_created ON users (created_at, id) WHERE deleted_at IS NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX ix_assignments_created")
            .await?;
        db.execute_unprepared("DROP INDEX ix_requests_created")
            .await?;
        db.execute_unprepared("DROP INDEX ix_users_live_name")
            .await?;
        db.execute_unprepared("DROP INDEX ix_users_live_created")
            .await?;
        Ok(())
    }
}
