//! Timed work driven by the clock: scheduled starts, expiry, and requests that time out.
use gatehouse::domain::policy::Expiration;
use gatehouse::services::scheduler::PassReport;
use reqwest::StatusCode;
use time::Duration;

use crate::builders::PolicyOptions;
use crate::helpers::audit_count;
use crate::packages::PACKAGE;

use super::{days_from_today, request, run_pass, spawn, user1, world, world_with};

#[tokio::test]
async fn scheduled_access_starts_and_ends_on_time() {
    let app = spawn().await;
    let w = world_with(&app, |_, policy| policy.without_approval()).await;
    let user = user1(&app).await;
    let (start, end) = (days_from_today(&app, 2), days_from_today(&app, 4));
    request(
        &user,
        &w.package,
        &[
            ("justification", "Next week"),
            ("specific_period", "yes"),
            ("start_date", &start),
            ("end_date", &end),
        ],
    )
    .await;
    assert!(
        user.get_html("/myaccess/request-history")
            .await
            .contains("Scheduled")
    );
    assert!(
        !w.admin
            .get_html(&format!("/admin/groups/{}/members", w.group))
            .await
            .contains("user1@woodgrove.test")
    );
    assert_eq!(
        run_pass(&app).await,
        PassReport::default(),
        "nothing is due yet"
    );

    app.clock.advance(Duration::days(2));
    assert_eq!(
        run_pass(&app).await,
        PassReport {
            delivered: 1,
            ..PassReport::default()
        }
    );
    assert_eq!(
        run_pass(&app).await,
        PassReport::default(),
        "a pass is idempotent"
    );
    assert!(
        w.admin
            .get_html(&format!("/admin/groups/{}/members", w.group))
            .await
            .contains("user1@woodgrove.test")
    );
    assert!(
        user.get_html("/myaccess/request-history")
            .await
            .contains("Fulfilled")
    );

    app.clock.advance(Duration::days(2) + Duration::hours(14));
    assert_eq!(
        run_pass(&app).await,
        PassReport::default(),
        "the end date is still running"
    );
    app.clock.advance(Duration::hours(1));
    assert_eq!(
        run_pass(&app).await,
        PassReport {
            expired: 1,
            ..PassReport::default()
        }
    );
    assert!(
        w.admin
            .get_html(&format!("/admin/groups/{}/members", w.group))
            .await
            .contains("No members")
    );
    assert_eq!(
        audit_count(&app, "Access package assignment expired", PACKAGE).await,
        1
    );
    let assignments = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/assignments", w.package))
        .await;
    assert!(assignments.contains("Expired"));
}

#[tokio::test]
async fn access_ends_with_the_policy_when_no_end_is_asked_for() {
    let app = spawn().await;
    let w = world_with(&app, |_, policy| {
        policy.without_approval().expires(Expiration::Hours(8))
    })
    .await;
    let user = user1(&app).await;
    request(&user, &w.package, &[("justification", "A day's work")]).await;
    assert!(
        w.admin
            .get_html(&format!("/admin/groups/{}/members", w.group))
            .await
            .contains("user1@woodgrove.test"),
        "delivered at once"
    );
    app.clock.advance(Duration::hours(7));
    assert_eq!(run_pass(&app).await.expired, 0);
    app.clock.advance(Duration::hours(1));
    assert_eq!(run_pass(&app).await.expired, 1);
}

#[tokio::test]
async fn requests_nobody_decides_time_out() {
    let app = spawn().await;
    let w = world(&app).await;
    let user = user1(&app).await;
    request(
        &user,
        &w.package,
        &[("justification", "Working on web project")],
    )
    .await;
    app.clock.advance(Duration::days(13));
    assert_eq!(run_pass(&app).await.timed_out, 0);
    app.clock.advance(Duration::days(1));
    assert_eq!(run_pass(&app).await.timed_out, 1);
    assert!(
        user.get_html("/myaccess/request-history")
            .await
            .contains("Expired")
    );
    assert!(
        w.admin
            .get_html("/myaccess/approvals")
            .await
            .contains("No pending approvals")
    );
    assert_eq!(
        audit_count(&app, "Access package assignment request timed out", PACKAGE).await,
        1
    );
    // Now the user may ask again.
    assert_eq!(
        request(&user, &w.package, &[("justification", "Second try")])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}
