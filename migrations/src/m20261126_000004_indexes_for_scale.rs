//! Indexes that the pages and the scheduler need at 100k users and a million assignments:
//! memberships by their source (taking away what an assignment granted), requests by their
//! assignment, assignments by state and end (expiry), a package's assignments newest first,
//! the policies a person approves and the ones that name them or their groups, and users by
//! display name; and each keyset-paged list's (sort key, id) order, so that a page is one
//! index range read however long the list.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &str, &[&str])] = &[
    (
        "idx_group_members_source",
        "group_members",
        &["source_kind", "source_id"],
    ),
    (
        "idx_requests_assignment",
        "assignment_requests",
        &["assignment_id"],
    ),
    (
        "idx_assignments_ending",
        "assignments",
        &["state", "end_at"],
    ),
    (
        "idx_assignments_package_updated",
        "assignments",
        &["access_package_id", "updated_at", "id"],
    ),
    (
        "idx_requests_package_created",
        "assignment_requests",
        &["access_package_id", "created_at", "id"],
    ),
    (
        "idx_requests_pending",
        "assignment_requests",
        &["state", "created_at", "id"],
    ),
    (
        "idx_audit_occurred_id",
        "audit_events",
        &["occurred_at", "id"],
    ),
    ("idx_groups_name", "groups", &["name_key", "id"]),
    ("idx_packages_name", "access_packages", &["name_key", "id"]),
    (
        "idx_policy_approvers_user",
        "policy_approvers",
        &["user_id"],
    ),
    (
        "idx_requests_state_package",
        "assignment_requests",
        &["state", "access_package_id"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, columns) in INDEXES {
            let mut index = Index::create();
            index.name(*name).table(Alias::new(*table));
            for column in *columns {
                index.col(Alias::new(*column));
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .name(*name)
                        .table(Alias::new(*table))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
