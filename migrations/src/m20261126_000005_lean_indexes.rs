//! Fewer, narrower indexes on the tables the scheduler writes most, so that expiring an
//! assignment, recording its removal and approving a request touch a few index pages
//! instead of a dozen:
//! - the scheduler's due lists become partial indexes (`start_at` of assignments still
//!   `delivering`, `end_at` of those `delivered`, `decide_by` of requests pending approval),
//!   so an assignment that ends leaves them instead of moving inside them;
//! - assignments are found by their user without their state (a user has a handful), and a
//!   package's Assignments list is ordered by creation, which never changes;
//! - Pending approvals and a package's open requests get partial indexes of their own;
//! - indexes that another one starts with are dropped (`idx_requests_package`,
//!   `idx_audit_occurred`);
//! - policy requestors can be found by user and by group (My Access).
//!
//! Queries that should use a partial index spell its state as a literal.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (up, down) pairs, applied in order going up and in reverse going down.
const STEPS: &[(&str, &str)] = &[
    (
        "DROP INDEX idx_assignments_due",
        "CREATE INDEX idx_assignments_due ON assignments (state, start_at, end_at)",
    ),
    (
        "DROP INDEX idx_assignments_ending",
        "CREATE INDEX idx_assignments_ending ON assignments (state, end_at)",
    ),
    (
        "DROP INDEX idx_assignments_package",
        "CREATE INDEX idx_assignments_package ON assignments (access_package_id, state)",
    ),
    (
        "DROP INDEX idx_assignments_target",
        "CREATE INDEX idx_assignments_target ON assignments (target_id, state)",
    ),
    (
        "DROP INDEX idx_assignments_package_updated",
        "CREATE INDEX idx_assignments_package_updated ON assignments (access_package_id, updated_at, id)",
    ),
    (
        "CREATE INDEX idx_assignments_starting ON assignments (start_at) WHERE state = 'delivering'",
        "DROP INDEX idx_assignments_starting",
    ),
    (
        "CREATE INDEX idx_assignments_expiring ON assignments (end_at) WHERE state = 'delivered'",
        "DROP INDEX idx_assignments_expiring",
    ),
    (
        "CREATE INDEX idx_assignments_of_target ON assignments (target_id)",
        "DROP INDEX idx_assignments_of_target",
    ),
    (
        "CREATE INDEX idx_assignments_package_created ON assignments (access_package_id, created_at, id)",
        "DROP INDEX idx_assignments_package_created",
    ),
    (
        "DROP INDEX idx_requests_package",
        "CREATE INDEX idx_requests_package ON assignment_requests (access_package_id, created_at)",
    ),
    (
        "DROP INDEX idx_requests_state",
        "CREATE INDEX idx_requests_state ON assignment_requests (state, decide_by)",
    ),
    (
        "DROP INDEX idx_requests_pending",
        "CREATE INDEX idx_requests_pending ON assignment_requests (state, created_at, id)",
    ),
    (
        "DROP INDEX idx_requests_state_package",
        "CREATE INDEX idx_requests_state_package ON assignment_requests (state, access_package_id)",
    ),
    (
        "CREATE INDEX idx_requests_deciding ON assignment_requests (decide_by) WHERE state = 'pendingApproval'",
        "DROP INDEX idx_requests_deciding",
    ),
    (
        "CREATE INDEX idx_requests_waiting ON assignment_requests (created_at, id) WHERE state = 'pendingApproval'",
        "DROP INDEX idx_requests_waiting",
    ),
    (
        "CREATE INDEX idx_requests_open_package ON assignment_requests (access_package_id) WHERE state IN ('submitted', 'pendingApproval')",
        "DROP INDEX idx_requests_open_package",
    ),
    (
        "DROP INDEX idx_audit_occurred",
        "CREATE INDEX idx_audit_occurred ON audit_events (occurred_at)",
    ),
    (
        "CREATE INDEX idx_policy_requestors_user ON policy_requestors (user_id)",
        "DROP INDEX idx_policy_requestors_user",
    ),
    (
        "CREATE INDEX idx_policy_requestors_group ON policy_requestors (group_id)",
        "DROP INDEX idx_policy_requestors_group",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (up, _) in STEPS {
            db.execute_unprepared(up).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (_, down) in STEPS.iter().rev() {
            db.execute_unprepared(down).await?;
        }
        Ok(())
    }
}
