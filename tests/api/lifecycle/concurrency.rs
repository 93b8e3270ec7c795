//! Races: the first decision wins, and simultaneous requests and scheduler passes act once.
use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;
use time::Duration;

use crate::builders::PolicyOptions;
use crate::helpers::audit_count;
use crate::packages::PACKAGE;

use super::{days_from_today, pending_request_id, request, run_pass, spawn, user1, world_with};

#[tokio::test]
async fn the_first_decision_wins_even_when_two_approvers_post_at_once() {
    let app = spawn().await;
    let (admin2, admin2_id) = app
        .signed_in(
            "admin2@woodgrove.test",
            "Admin2",
            DirectoryRole::GlobalAdministrator,
        )
        .await;
    let w = world_with(&app, |_, policy| policy.approved_also_by(admin2_id)).await;
    let user = user1(&app).await;
    request(
        &user,
        &w.package,
        &[("justification", "Working on web project")],
    )
    .await;
    let id = pending_request_id(&w.admin).await;
    assert_eq!(
        pending_request_id(&admin2).await,
        id,
        "both approvers see it"
    );

    let path = format!("/myaccess/approvals/{id}");
    let (first, second) = tokio::join!(
        w.admin
            .post(&path, &[("decision", "Approve"), ("reason", "yes")]),
        admin2.post(&path, &[("decision", "Deny"), ("reason", "no")]),
    );
    let mut statuses = [first.status(), second.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT]);
    let loser = if first.status() == StatusCode::CONFLICT {
        first
    } else {
        second
    };
    assert!(
        loser
            .text()
            .await
            .unwrap()
            .contains("This request has already been decided")
    );
    let detail = w
        .admin
        .get_html(&format!(
            "/admin/access-packages/{}/requests/{id}",
            w.package
        ))
        .await;
    assert_eq!(
        detail.matches("<li>Admin").count(),
        1,
        "one decision recorded"
    );
    let approvals = audit_count(&app, "Approve access package assignment request", PACKAGE).await
        + audit_count(&app, "Deny access package assignment request", PACKAGE).await;
    assert_eq!(approvals, 1);

    // A stale page later gets the same answer and changes nothing.
    let stale = w
        .admin
        .post(&path, &[("decision", "Deny"), ("reason", "late")])
        .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn simultaneous_requests_and_scheduler_passes_do_the_work_once() {
    let app = spawn().await;
    let w = world_with(&app, |_, policy| policy.without_approval()).await;
    let user = user1(&app).await;
    let start = days_from_today(&app, 1);
    let path = format!("/myaccess/access-packages/{}", w.package);
    let fields = [
        ("justification", "twice"),
        ("specific_period", "yes"),
        ("start_date", start.as_str()),
    ];
    let (a, b) = tokio::join!(user.post(&path, &fields), user.post(&path, &fields));
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY]
    );
    assert_eq!(
        audit_count(&app, "Request access package assignment", PACKAGE).await,
        1
    );

    app.clock.advance(Duration::days(1));
    let (first, second) = tokio::join!(run_pass(&app), run_pass(&app));
    assert_eq!(first.delivered + second.delivered, 1, "delivered once");
    assert_eq!(
        audit_count(&app, "Access package assignment delivered", PACKAGE).await,
        1
    );
}
