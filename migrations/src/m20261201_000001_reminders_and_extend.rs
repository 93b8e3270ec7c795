//! Reminders, email per policy, and `Extend`:
//! - `assignment_policies.approval_reminder_days`: after how many days undecided approvers
//!   are reminded; empty means half the days they have to decide;
//! - `assignment_policies.is_email_enabled`: whether the policy's requests and assignments
//!   are mailed about (on unless an administrator turns it off);
//! - `assignment_policies.can_extend` ("Allow users to extend access"): off, as in Entra;
//! - `assignment_requests.remind_at`: when a pending request's approvers are reminded,
//!   fixed when it is submitted (as `decide_by` is), with the index the reminder pass
//!   reads, and one by policy for an approver's count of what waits for them;
//! - `assignment_requests.request_type` also allows `userExtend` (a user asks to keep their
//!   access longer) and `adminUpdate` (an administrator extends it), Graph's values.
use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AssignmentPolicies {
    Table,
    ApprovalReminderDays,
    IsEmailEnabled,
    CanExtend,
}

#[derive(DeriveIden)]
enum AssignmentRequests {
    Table,
    RemindAt,
}

const TYPES_BEFORE: &str = "('userAdd', 'userRemove', 'adminAdd', 'adminRemove', 'systemRemove')";
const TYPES_AFTER: &str = "('userAdd', 'userRemove', 'adminAdd', 'adminRemove', 'systemRemove', \
     'userExtend', 'adminUpdate')";

/// Replaces the check on `assignment_requests.request_type` (see the migration that made
/// it: a constraint on PostgreSQL, two triggers on SQLite) with one allowing `list`.
async fn allow_request_types(manager: &SchemaManager<'_>, list: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let name = "ck_assignment_requests_request_type";
    match manager.get_database_backend() {
        DbBackend::Postgres => {
            db.execute_unprepared(&format!(
                "ALTER TABLE assignment_requests DROP CONSTRAINT IF EXISTS {name}"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "ALTER TABLE assignment_requests ADD CONSTRAINT {name} CHECK (request_type IN {list})"
            ))
            .await?;
        }
        _ => {
            for (suffix, event) in [("insert", "INSERT"), ("update", "UPDATE OF request_type")] {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}_{suffix}"))
                    .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {name}_{suffix} BEFORE {event} ON assignment_requests \
                     WHEN NEW.request_type NOT IN {list} \
                     BEGIN SELECT RAISE(ABORT, 'assignment_requests.request_type: not a known value'); END"
                ))
                .await?;
            }
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            integer_null(AssignmentPolicies::ApprovalReminderDays),
            boolean(AssignmentPolicies::IsEmailEnabled)
                .default(true)
                .to_owned(),
            boolean(AssignmentPolicies::CanExtend)
                .default(false)
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AssignmentPolicies::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(AssignmentRequests::Table)
                    .add_column(timestamp_with_time_zone_null(AssignmentRequests::RemindAt))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // Only pending requests are in these: the reminder pass reads by reminder time, and
        // an approver's count of what waits for them by policy.
        db.execute_unprepared(
            "CREATE INDEX ix_requests_remind ON assignment_requests (remind_at) \
             WHERE state = 'pendingApproval'",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_requests_pending_policy ON assignment_requests (policy_id) \
             WHERE state = 'pendingApproval'",
        )
        .await?;
        allow_request_types(manager, TYPES_AFTER).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        allow_request_types(manager, TYPES_BEFORE).await?;
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX ix_requests_remind")
            .await?;
        db.execute_unprepared("DROP INDEX ix_requests_pending_policy")
            .await?;
        db.execute_unprepared("ALTER TABLE assignment_requests DROP COLUMN remind_at")
            .await?;
        for column in ["approval_reminder_days", "is_email_enabled", "can_extend"] {
            db.execute_unprepared(&format!(
                "ALTER TABLE assignment_policies DROP COLUMN {column}"
            ))
            .await?;
        }
        Ok(())
    }
}
