//! The database refuses values the application never stores in its enumerated columns.
use gatehouse::domain::catalog::CatalogRole;
use gatehouse::domain::user::DirectoryRole;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::builders::policy;
use crate::helpers::{TestApp, ids_after, location, spawn_app};
use crate::packages::web_project_package;

const ENUMERATED: [(&str, &str); 13] = [
    ("users", "directory_role"),
    ("groups", "membership_type"),
    ("group_members", "role"),
    ("group_members", "source_kind"),
    ("catalog_roles", "role"),
    ("access_package_resource_roles", "role"),
    ("assignment_policies", "allowed_target_scope"),
    ("assignment_policies", "expiration_type"),
    ("policy_requestors", "subject_kind"),
    ("assignments", "state"),
    ("assignment_requests", "request_type"),
    ("assignment_requests", "state"),
    ("request_decisions", "decision"),
];

/// A row in every table above: a package with a policy, a catalog role, and User1's request
/// approved and delivered.
async fn a_row_everywhere(app: &TestApp) {
    let (admin, admin1) = app.admin().await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let group = app.create_group("Engineering Group").await;
    let package = web_project_package(app, group).await;
    app.create_policy(package, policy("Internal user policy", &[user1], &[admin1]))
        .await;
    app.grant_catalog_role(app.default_catalog().await, user1, CatalogRole::Reader)
        .await;
    app.submit_request(user1, package).await;

    let pending = admin.get_html("/myaccess/approvals").await;
    let id = ids_after(&pending, "href=\"/myaccess/approvals/").remove(0);
    let approved = admin
        .post(
            &format!("/myaccess/approvals/{id}"),
            &[("decision", "Approve"), ("reason", "Fine")],
        )
        .await;
    assert_eq!(location(&approved), "/myaccess/approvals");
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let backend = app.db.get_database_backend();
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

#[tokio::test]
async fn the_database_refuses_states_roles_and_kinds_it_does_not_know() {
    let app = spawn_app().await;
    a_row_everywhere(&app).await;

    for (table, column) in ENUMERATED {
        assert!(count(&app, table).await > 0, "a row in {table} to change");
        let refused = app
            .db
            .execute_unprepared(&format!("UPDATE {table} SET {column} = 'unheardOf'"))
            .await;
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.to_string().contains(&format!("{table}_{column}"))
                    || e.to_string().contains(&format!("{table}.{column}"))),
            "{table}.{column} took an unknown value: {refused:?}"
        );
    }

    let new_id = match app.db.get_database_backend() {
        DbBackend::Postgres => "gen_random_uuid()",
        _ => "randomblob(16)",
    };
    let copy_with_state = |state: &str| {
        format!(
            "INSERT INTO assignment_requests (id, request_type, state, status, requestor_id, \
             target_id, access_package_id, policy_id, assignment_id, justification, \
             schedule_start, schedule_end, decide_by, created_at, completed_at) \
             SELECT {new_id}, request_type, '{state}', status, requestor_id, target_id, \
             access_package_id, policy_id, assignment_id, justification, schedule_start, \
             schedule_end, decide_by, created_at, completed_at FROM assignment_requests"
        )
    };
    let unknown = app
        .db
        .execute_unprepared(&copy_with_state("unheardOf"))
        .await;
    assert!(unknown.is_err(), "an unknown request state was inserted");
    let known = app.db.execute_unprepared(&copy_with_state("denied")).await;
    assert!(known.is_ok(), "a known one is: {known:?}");
}
