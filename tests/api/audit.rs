use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend};

use crate::helpers::{audit_count, spawn_app};

#[tokio::test]
async fn the_audit_log_shows_who_did_what_to_whom_and_filters() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let group = app.create_group("Engineering Group").await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    admin
        .post(
            &format!("/admin/groups/{group}/members/add"),
            &[("user_id", &user1.to_string())],
        )
        .await;
    app.browser()
        .sign_in("user1@woodgrove.test", "wrong password!")
        .await;

    let all = admin.get_html("/admin/audit").await;
    for words in [
        "Add member to group",
        "Sign-in failed",
        "Sign-in succeeded",
        "Add group",
        "Add user",
    ] {
        assert!(all.contains(words), "missing {words}");
    }
    let by_actor = admin.get_html("/admin/audit?actor=ADMIN1").await;
    assert!(by_actor.contains("Add member to group"));
    assert!(!by_actor.contains("Sign-in failed"));
    let by_target = admin.get_html("/admin/audit?target=engineering").await;
    assert!(by_target.contains("Add member to group"));
    assert!(!by_target.contains("Sign-in succeeded"));
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_audit_events() {
    let app = spawn_app().await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    assert!(
        app.db
            .execute_unprepared("UPDATE audit_events SET action = 'nothing happened'")
            .await
            .is_err()
    );
    assert!(
        app.db
            .execute_unprepared("DELETE FROM audit_events")
            .await
            .is_err()
    );
    let (admin, _) = app.admin().await;
    let response = admin.get("/admin/audit").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("Add user"));
}

#[tokio::test]
async fn postgresql_refuses_to_truncate_the_audit_log() {
    let app = spawn_app().await;
    if app.db.get_database_backend() != DbBackend::Postgres {
        return; // SQLite has no TRUNCATE; its DELETE trigger covers `DELETE FROM` without WHERE.
    }
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let refused = app.db.execute_unprepared("TRUNCATE audit_events").await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("append-only")),
        "{refused:?}"
    );
    assert!(
        app.db
            .execute_unprepared("TRUNCATE audit_events CASCADE")
            .await
            .is_err()
    );
    assert_eq!(
        audit_count(&app, "Add user", "user1@woodgrove.test").await,
        1
    );
}
