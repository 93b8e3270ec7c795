//! Columns that hold one of a fixed set of values (states, request types, roles, kinds) refuse
//! any other: a CHECK constraint on PostgreSQL, and on SQLite, which cannot add a constraint
//! to an existing table, triggers before INSERT and UPDATE that abort.
//!
//! The lists are the values the application stored when this was written; a new value needs
//! a migration that widens its list. Rows already holding an unknown value stop the migration
//! with a message naming them, rather than being changed or dropped silently.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

struct Check {
    table: &'static str,
    column: &'static str,
    allowed: &'static [&'static str],
}

const CHECKS: &[Check] = &[
    Check {
        table: "users",
        column: "directory_role",
        allowed: &["globalAdministrator", "userAdministrator", "user"],
    },
    Check {
        table: "groups",
        column: "membership_type",
        allowed: &["assigned"],
    },
    Check {
        table: "group_members",
        column: "role",
        allowed: &["member", "owner"],
    },
    Check {
        table: "group_members",
        column: "source_kind",
        allowed: &["direct", "assignment"],
    },
    Check {
        table: "catalog_roles",
        column: "role",
        allowed: &[
            "catalogOwner",
            "catalogReader",
            "accessPackageManager",
            "accessPackageAssignmentManager",
        ],
    },
    Check {
        table: "access_package_resource_roles",
        column: "role",
        allowed: &["member", "owner"],
    },
    Check {
        table: "assignment_policies",
        column: "allowed_target_scope",
        allowed: &["specificDirectoryUsers", "allMemberUsers", "notSpecified"],
    },
    Check {
        table: "assignment_policies",
        column: "expiration_type",
        allowed: &["afterDuration", "afterDateTime", "noExpiration"],
    },
    Check {
        table: "policy_requestors",
        column: "subject_kind",
        allowed: &["user", "group"],
    },
    Check {
        table: "assignments",
        column: "state",
        allowed: &["delivering", "delivered", "expired", "removed"],
    },
    Check {
        table: "assignment_requests",
        column: "request_type",
        allowed: &[
            "userAdd",
            "userRemove",
            "adminAdd",
            "adminRemove",
            "systemRemove",
        ],
    },
    Check {
        table: "assignment_requests",
        column: "state",
        allowed: &[
            "submitted",
            "pendingApproval",
            "scheduled",
            "delivering",
            "delivered",
            "denied",
            "canceled",
            "deliveryFailed",
        ],
    },
    Check {
        table: "request_decisions",
        column: "decision",
        allowed: &["Approve", "Deny"],
    },
];

impl Check {
    fn name(&self) -> String {
        format!("ck_{}_{}", self.table, self.column)
    }

    /// `('a', 'b')`; the values are the constants above, never input.
    fn list(&self) -> String {
        let quoted: Vec<String> = self.allowed.iter().map(|v| format!("'{v}'")).collect();
        format!("({})", quoted.join(", "))
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing, on SQLite too: a half-made set of triggers would stop the next try.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let mut problems = Vec::new();
        for check in CHECKS {
            problems.extend(unknown_values(db, backend, check).await?);
        }
        if !problems.is_empty() {
            return Err(DbErr::Migration(format!(
                "{} Correct those rows, then start Gatehouse again.",
                problems.join(" ")
            )));
        }
        for check in CHECKS {
            let (table, column, name, list) =
                (check.table, check.column, check.name(), check.list());
            match backend {
                DbBackend::Postgres => {
                    db.execute_unprepared(&format!(
                        "ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({column} IN {list})"
                    ))
                    .await?;
                }
                _ => {
                    for (suffix, event) in [
                        ("insert", "INSERT"),
                        ("update", &*format!("UPDATE OF {column}")),
                    ] {
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER {name}_{suffix} BEFORE {event} ON {table} \
                             WHEN NEW.{column} NOT IN {list} \
                             BEGIN SELECT RAISE(ABORT, '{table}.{column}: not a known value'); END"
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for check in CHECKS {
            let (table, name) = (check.table, check.name());
            match manager.get_database_backend() {
                DbBackend::Postgres => {
                    db.execute_unprepared(&format!(
                        "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}"
                    ))
                    .await?;
                }
                _ => {
                    for suffix in ["insert", "update"] {
                        db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}_{suffix}"))
                            .await?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// What is wrong with the rows already stored, if anything: someone should decide what an
/// unknown value meant, not this migration.
async fn unknown_values(
    db: &SchemaManagerConnection<'_>,
    backend: DbBackend,
    check: &Check,
) -> Result<Option<String>, DbErr> {
    let (table, column, list) = (check.table, check.column, check.list());
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT DISTINCT {column} AS value FROM {table} WHERE {column} NOT IN {list} \
                 ORDER BY 1 LIMIT 5"
            ),
        ))
        .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let values: Vec<String> = rows
        .iter()
        .map(|row| row.try_get::<String>("", "value").unwrap_or_default())
        .map(|value| format!("'{value}'"))
        .collect();
    Ok(Some(format!(
        "{table}.{column} holds values Gatehouse does not know: {} (allowed: {}).",
        values.join(", "),
        check.allowed.join(", ")
    )))
}
