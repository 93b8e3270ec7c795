//! Deciding requests: never one's own, never after its period, and settled by a direct assignment.
use gatehouse::domain::policy::Subject;
use reqwest::StatusCode;
use time::Duration;

use crate::builders::PolicyOptions;
use crate::helpers::ids_after;

use super::{
    days_from_today, pending_request_id, request, run_pass, spawn, today, user1, world, world_with,
};

#[tokio::test]
async fn nobody_can_approve_their_own_request() {
    let app = spawn().await;
    // Admin1 may request too, and approves.
    let w = world_with(&app, |w, policy| {
        policy.requested_also_by(Subject::User(w.admin1))
    })
    .await;

    assert_eq!(
        request(&w.admin, &w.package, &[("justification", "I need it too")])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert!(
        w.admin
            .get_html("/myaccess/approvals")
            .await
            .contains("No pending approvals"),
        "not offered"
    );
    let history = w.admin.get_html("/myaccess/request-history").await;
    let own = ids_after(&history, "href=\"/myaccess/request-history/")[0].clone();
    assert!(
        w.admin
            .get_html(&format!("/myaccess/approvals/{own}"))
            .await
            .contains("You cannot approve your own request")
    );
    let refused = w
        .admin
        .post(
            &format!("/myaccess/approvals/{own}"),
            &[("decision", "Approve"), ("reason", "")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(
        w.admin
            .get_html("/myaccess/request-history")
            .await
            .contains("Pending approval")
    );
}

#[tokio::test]
async fn a_direct_assignment_settles_a_waiting_request_and_an_ended_period_cannot_be_approved() {
    let app = spawn().await;
    let w = world(&app).await;
    let user = user1(&app).await;
    let (start, end) = (today(&app), days_from_today(&app, 1));
    request(
        &user,
        &w.package,
        &[
            ("justification", "Working on web project"),
            ("specific_period", "yes"),
            ("start_date", &start),
            ("end_date", &end),
        ],
    )
    .await;
    let id = pending_request_id(&w.admin).await;

    // The requested period runs out before anyone decides: approving it is refused.
    app.clock.advance(Duration::days(2));
    let late = w
        .admin
        .post(
            &format!("/myaccess/approvals/{id}"),
            &[("decision", "Approve"), ("reason", "")],
        )
        .await;
    assert_eq!(late.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        late.text()
            .await
            .unwrap()
            .contains("The requested period has already ended")
    );
    assert_eq!(
        run_pass(&app).await.timed_out,
        1,
        "it times out with its period"
    );

    request(&user, &w.package, &[("justification", "again")]).await;
    let policies = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/policies", w.package))
        .await;
    let policy = ids_after(
        &policies,
        &format!("/admin/access-packages/{}/policies/", w.package),
    )[0]
    .clone();
    let created = w
        .admin
        .post(
            &format!("/admin/access-packages/{}/assignments/new", w.package),
            &[("user_id", &w.user1.to_string()), ("policy", &policy)],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    assert!(
        w.admin
            .get_html("/myaccess/approvals")
            .await
            .contains("No pending approvals"),
        "the waiting request is settled"
    );
    let history = user.get_html("/myaccess/request-history").await;
    assert!(history.contains("Canceled") && history.contains("Direct assignment"));
}

/// The My Access list says where the user stands with each package it offers: nothing yet,
/// `Pending approval` while a request waits, `Delivered` once approved.
#[tokio::test]
async fn the_package_list_shows_where_the_user_stands() {
    let app = spawn().await;
    let w = world(&app).await;
    let user = user1(&app).await;
    let badge = |html: &str| -> Option<String> {
        let row = &html[html.find("Web project access package</a>")?..];
        let row = &row[..row.find("</td>")?];
        let start = row.find("class=\"badge")?;
        let text = &row[row[start..].find('>')? + start + 1..];
        Some(text[..text.find('<')?].to_owned())
    };
    assert_eq!(
        badge(&user.get_html("/myaccess/access-packages").await),
        None
    );
    assert_eq!(
        request(
            &user,
            &w.package,
            &[("justification", "Working on the web project")]
        )
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        badge(&user.get_html("/myaccess/access-packages").await).as_deref(),
        Some("Pending approval")
    );
    let id = pending_request_id(&w.admin).await;
    assert_eq!(
        w.admin
            .post(
                &format!("/myaccess/approvals/{id}"),
                &[("decision", "Approve"), ("reason", "")],
            )
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        badge(&user.get_html("/myaccess/access-packages").await).as_deref(),
        Some("Delivered")
    );
}

#[tokio::test]
async fn the_number_next_to_approvals_counts_what_waits_however_many_policies() {
    use crate::builders::policy;
    let app = crate::helpers::spawn_app().await;
    let (admin, admin1) = app.admin().await;
    let user1 = app
        .create_user(
            "user1@woodgrove.test",
            "User1",
            gatehouse::domain::user::DirectoryRole::User,
        )
        .await;
    let catalog = app.default_catalog().await;
    let count = |html: String| {
        html.split("class=\"nav-count\"")
            .nth(1)
            .and_then(|rest| rest.split('>').nth(1))
            .and_then(|text| text.split('<').next())
            .map(str::to_owned)
    };
    let mut packages = Vec::new();
    // One policy, then more than a few: both ways of counting.
    for n in 0..22 {
        let group = app.create_group(&format!("Group {n}")).await;
        let package = app
            .create_package(catalog, &format!("Package {n}"), &[group])
            .await;
        app.create_policy(package, policy(&format!("Policy {n}"), &[user1], &[admin1]))
            .await;
        packages.push(package);
        if n == 0 {
            app.submit_request(user1, package).await;
            assert_eq!(
                count(admin.get_html("/myaccess/approvals").await).as_deref(),
                Some("1")
            );
        }
    }
    app.submit_request(user1, packages[21]).await;
    assert_eq!(
        count(admin.get_html("/myaccess/access-packages").await).as_deref(),
        Some("2")
    );
    // The requestor approves nothing: no number.
    let user = super::user1(&app).await;
    assert_eq!(count(user.get_html("/myaccess/approvals").await), None);
}
