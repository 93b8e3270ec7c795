//! My Access, approvals and the assignment lifecycle: the tutorial's steps 4 to 7, the
//! rules on submit, first-decision-wins, and timed work driven by the clock.
use gatehouse::domain::user::DirectoryRole;
use gatehouse::services::scheduler::{self as jobs, PassReport};
use reqwest::StatusCode;
use time::Duration;

use crate::helpers::{
    Browser, PASSWORD, TestApp, audit_count, ids_after, location, spawn_app_with,
};
use crate::packages::{PACKAGE, create_web_project_package, selected_option, tutorial_policy};

/// The tutorial's starting point after step 3: Admin1 (approver), User1, the Engineering
/// Group, and the Web project access package with the Internal user policy.
struct World {
    admin: Browser,
    admin1: String,
    user1: String,
    group: String,
    package: String,
}

async fn world_with(app: &TestApp, change: impl FnOnce(&mut Vec<(&str, String)>)) -> World {
    let (admin, admin1) = app.admin().await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await
        .to_string();
    let group = app.create_group("Engineering Group").await.to_string();
    let package = create_web_project_package(app, &admin, &group).await;
    let requestor = format!("user:{user1}");
    let admin1 = admin1.to_string();
    let mut fields: Vec<(&str, String)> = tutorial_policy(&requestor, &admin1, "save")
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
    change(&mut fields);
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let created = admin
        .post(
            &format!("/admin/access-packages/{package}/policies/new"),
            &borrowed,
        )
        .await;
    assert_eq!(
        created.status(),
        StatusCode::SEE_OTHER,
        "the policy is created"
    );
    World {
        admin,
        admin1,
        user1,
        group,
        package,
    }
}

async fn world(app: &TestApp) -> World {
    world_with(app, |_| {}).await
}

fn set(fields: &mut Vec<(&str, String)>, key: &'static str, value: &str) {
    fields.retain(|(k, _)| *k != key);
    fields.push((key, value.to_owned()));
}

async fn user1(app: &TestApp) -> Browser {
    let browser = app.browser();
    assert_eq!(
        browser
            .sign_in("user1@woodgrove.test", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    browser
}

async fn request(browser: &Browser, package: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    browser
        .post(&format!("/myaccess/access-packages/{package}"), fields)
        .await
}

fn today(app: &TestApp) -> String {
    use gatehouse::clock::Clock;
    app.clock.now().date().to_string()
}

fn days_from_today(app: &TestApp, days: i64) -> String {
    use gatehouse::clock::Clock;
    (app.clock.now().date() + Duration::days(days)).to_string()
}

async fn pending_request_id(approver: &Browser) -> String {
    let html = approver.get_html("/myaccess/approvals").await;
    ids_after(&html, "href=\"/myaccess/approvals/")
        .into_iter()
        .next()
        .expect("a pending request")
}

/// Sessions that outlast the days these tests move the clock by.
async fn spawn() -> TestApp {
    spawn_app_with(|settings| settings.session_idle_minutes = "43200".into()).await
}

async fn run_pass(app: &TestApp) -> PassReport {
    jobs::run_pass(&app.db, &app.clock)
        .await
        .expect("scheduler pass")
}

#[tokio::test]
async fn tutorial_steps_4_to_7_request_approve_validate_and_clean_up() {
    let app = spawn().await;
    let w = world(&app).await;
    let link = format!("/myaccess/access-packages/{}", w.package);

    // Step 4: User1 opens the My Access portal link, signs in, and requests access.
    let user = app.browser();
    let asked = user.get(&link).await;
    assert_eq!(
        location(&asked),
        format!("/?next=%2Fmyaccess%2Faccess-packages%2F{}", w.package)
    );
    let token = user.csrf_token().await;
    let signed_in = user
        .post_raw(
            "/",
            &[
                ("csrf_token", &token),
                ("username", "user1@woodgrove.test"),
                ("password", PASSWORD),
                ("next", &link),
            ],
        )
        .await;
    assert_eq!(location(&signed_in), link);
    let pane = user.get_html(&link).await;
    for words in [
        "Request access",
        PACKAGE,
        "Business justification",
        "Request for specific period",
        "Start date",
        "End date",
        ">Submit</button>",
    ] {
        assert!(pane.contains(words), "the request pane lacks {words}");
    }
    let listed = user.get_html("/myaccess/access-packages").await;
    assert!(
        listed.contains(PACKAGE)
            && listed.contains("<summary>Details</summary>")
            && listed.contains("Engineering Group (Group) · Member")
    );
    let (start, end) = (today(&app), days_from_today(&app, 1));
    let submitted = request(
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
    assert_eq!(location(&submitted), "/myaccess/request-history");
    let history = user.get_html("/myaccess/request-history").await;
    assert!(history.contains(PACKAGE) && history.contains("Pending approval"));

    // Step 5: Admin1 approves on the Pending tab.
    let pending = w.admin.get_html("/myaccess/approvals").await;
    assert!(pending.contains("User1") && pending.contains(PACKAGE) && pending.contains(">View<"));
    let id = pending_request_id(&w.admin).await;
    let view = w.admin.get_html(&format!("/myaccess/approvals/{id}")).await;
    for words in [
        "Working on web project",
        "Internal user policy",
        " Approve</label>",
        " Deny</label>",
        ">Reason</label>",
        ">Submit</button>",
    ] {
        assert!(
            view.contains(words),
            "the access request pane lacks {words}"
        );
    }
    let approved = w
        .admin
        .post(
            &format!("/myaccess/approvals/{id}"),
            &[
                ("decision", "Approve"),
                ("reason", "Approved access for web project"),
            ],
        )
        .await;
    assert_eq!(location(&approved), "/myaccess/approvals");
    assert!(
        w.admin
            .get_html("/myaccess/approvals")
            .await
            .contains("No pending approvals")
    );
    assert!(
        w.admin
            .get_html("/myaccess/approvals/history")
            .await
            .contains("Approved access for web project")
    );

    // Step 6: Requests shows User1, Internal user policy, Fulfilled; the group has User1.
    let requests = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/requests", w.package))
        .await;
    assert!(
        requests.contains("User1")
            && requests.contains("Internal user policy")
            && requests.contains("Fulfilled")
    );
    let detail = w
        .admin
        .get_html(&format!(
            "/admin/access-packages/{}/requests/{id}",
            w.package
        ))
        .await;
    assert!(
        detail.contains("Approved by Admin1: “Approved access for web project”")
            && detail.contains("Access delivered: member of Engineering Group")
    );
    let members = w
        .admin
        .get_html(&format!("/admin/groups/{}/members", w.group))
        .await;
    assert!(
        members.contains("user1@woodgrove.test") && members.contains("Access package assignment")
    );
    let mine = user.get_html("/myaccess/access").await;
    assert!(
        mine.contains(PACKAGE) && mine.contains(&format!("{end} 23:59 UTC")),
        "ends at the end of tomorrow"
    );
    assert!(
        user.get_html("/myaccess/request-history")
            .await
            .contains("Fulfilled")
    );

    // Step 7: Remove access, then delete the policy, the resource role, the package, the users and the group.
    let assignments = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/assignments", w.package))
        .await;
    let assignment = ids_after(
        &assignments,
        &format!("/admin/access-packages/{}/assignments/", w.package),
    )[0]
    .clone();
    assert!(
        w.admin
            .get_html(&format!(
                "/admin/access-packages/{}/assignments/{assignment}/remove",
                w.package
            ))
            .await
            .contains("Remove access for User1?")
    );
    w.admin
        .post(
            &format!(
                "/admin/access-packages/{}/assignments/{assignment}/remove",
                w.package
            ),
            &[],
        )
        .await;
    let assignments = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/assignments", w.package))
        .await;
    assert!(assignments.contains("Access removed: User1") && assignments.contains("Removed"));
    assert!(
        w.admin
            .get_html(&format!("/admin/groups/{}/members", w.group))
            .await
            .contains("No members")
    );
    let policies = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/policies", w.package))
        .await;
    let policy = ids_after(
        &policies,
        &format!("/admin/access-packages/{}/policies/", w.package),
    )[0]
    .clone();
    w.admin
        .post(
            &format!(
                "/admin/access-packages/{}/policies/{policy}/delete",
                w.package
            ),
            &[],
        )
        .await;
    let policies = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/policies", w.package))
        .await;
    assert!(
        policies.contains("Policy deleted: Internal user policy")
            && policies.contains("No policies")
    );
    let roles = w
        .admin
        .get_html(&format!(
            "/admin/access-packages/{}/resource-roles",
            w.package
        ))
        .await;
    let role = ids_after(
        &roles,
        &format!("/admin/access-packages/{}/resource-roles/", w.package),
    )[0]
    .clone();
    w.admin
        .post(
            &format!(
                "/admin/access-packages/{}/resource-roles/{role}/remove",
                w.package
            ),
            &[],
        )
        .await;
    let roles = w
        .admin
        .get_html(&format!(
            "/admin/access-packages/{}/resource-roles",
            w.package
        ))
        .await;
    assert!(
        roles.contains("Resource role removed: Engineering Group")
            && roles.contains("No resource roles")
    );
    assert_eq!(
        location(
            &w.admin
                .post(&format!("/admin/access-packages/{}/delete", w.package), &[])
                .await
        ),
        "/admin/access-packages"
    );
    assert_eq!(
        location(
            &w.admin
                .post(&format!("/admin/users/{}/delete", w.user1), &[])
                .await
        ),
        "/admin/users"
    );
    let catalogs = w.admin.get_html("/admin/catalogs").await;
    let catalog = ids_after(&catalogs, "href=\"/admin/catalogs/")[0].clone();
    w.admin
        .post(
            &format!("/admin/catalogs/{catalog}/resources/{}/remove", w.group),
            &[],
        )
        .await;
    assert!(
        w.admin
            .get_html(&format!("/admin/catalogs/{catalog}/resources"))
            .await
            .contains("Resource removed: Engineering Group")
    );
    assert_eq!(
        location(
            &w.admin
                .post(&format!("/admin/groups/{}/delete", w.group), &[])
                .await
        ),
        "/admin/groups"
    );
    assert_eq!(
        audit_count(&app, "Remove access package assignment", PACKAGE).await,
        1
    );
    let _ = w.admin1;
}

#[tokio::test]
async fn requests_that_break_the_rules_are_refused_with_a_message() {
    let app = spawn().await;
    let w = world(&app).await;
    let user = user1(&app).await;
    let long = "x".repeat(1001);
    let yesterday = days_from_today(&app, -1);
    let far = days_from_today(&app, 45);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("justification", "")],
            "Enter a business justification.",
        ),
        (vec![("justification", &long)], "at most 1,000 characters"),
        (
            vec![
                ("justification", "ok"),
                ("specific_period", "yes"),
                ("start_date", &yesterday),
            ],
            "The start date cannot be in the past.",
        ),
        (
            vec![
                ("justification", "ok"),
                ("specific_period", "yes"),
                ("end_date", &far),
            ],
            "The policy allows access until",
        ),
        (
            vec![
                ("justification", "ok"),
                ("specific_period", "yes"),
                ("start_date", "24/11/2026"),
            ],
            "Enter a date like 2026-11-24.",
        ),
    ];
    for (fields, message) in cases {
        let refused = request(&user, &w.package, &fields).await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{message}"
        );
        let html = refused.text().await.unwrap();
        assert!(html.contains(message), "expected {message}");
    }
    let kept = request(&user, &w.package, &[("justification", &long)])
        .await
        .text()
        .await
        .unwrap();
    assert!(kept.contains(&long), "the input is kept");
    assert!(
        user.get_html("/myaccess/request-history")
            .await
            .contains("No requests yet"),
        "nothing stored"
    );

    assert_eq!(
        request(&user, &w.package, &[("justification", "first")])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let second = request(&user, &w.package, &[("justification", "again")]).await;
    assert_eq!(second.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        second
            .text()
            .await
            .unwrap()
            .contains("your request is waiting for approval")
    );

    // Someone the policy does not name cannot see or request the package.
    let (other, _) = app
        .signed_in("user2@woodgrove.test", "User2", DirectoryRole::User)
        .await;
    assert!(
        !other
            .get_html("/myaccess/access-packages")
            .await
            .contains(PACKAGE)
    );
    assert_eq!(
        other
            .get(&format!("/myaccess/access-packages/{}", w.package))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        request(&other, &w.package, &[("justification", "please")])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn nobody_can_approve_their_own_request() {
    let app = spawn().await;
    let w = world(&app).await;
    let policies = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/policies", w.package))
        .await;
    let policy = ids_after(
        &policies,
        &format!("/admin/access-packages/{}/policies/", w.package),
    )[0]
    .clone();
    // Admin1 may request too, and approves.
    let requestor = format!("user:{}", w.user1);
    let mut fields: Vec<(&str, String)> = tutorial_policy(&requestor, &w.admin1, "save")
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
    fields.push(("requestor", format!("user:{}", w.admin1)));
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    w.admin
        .post(
            &format!(
                "/admin/access-packages/{}/policies/{policy}/edit",
                w.package
            ),
            &borrowed,
        )
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
async fn the_first_decision_wins_even_when_two_approvers_post_at_once() {
    let app = spawn().await;
    let (admin2, admin2_id) = app
        .signed_in(
            "admin2@woodgrove.test",
            "Admin2",
            DirectoryRole::GlobalAdministrator,
        )
        .await;
    let admin2_id = admin2_id.to_string();
    let w = world_with(&app, |fields| fields.push(("approver", admin2_id.clone()))).await;
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
async fn a_pending_request_can_be_canceled_by_its_requestor() {
    let app = spawn().await;
    let w = world(&app).await;
    let user = user1(&app).await;
    request(
        &user,
        &w.package,
        &[("justification", "Working on web project")],
    )
    .await;
    let history = user.get_html("/myaccess/request-history").await;
    let id = ids_after(&history, "href=\"/myaccess/request-history/")[0].clone();
    assert_eq!(
        w.admin
            .post(&format!("/myaccess/request-history/{id}/cancel"), &[])
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "only the requestor"
    );
    user.post(&format!("/myaccess/request-history/{id}/cancel"), &[])
        .await;
    let history = user.get_html("/myaccess/request-history").await;
    assert!(history.contains("Request canceled") && history.contains("Canceled"));
    assert!(
        w.admin
            .get_html("/myaccess/approvals")
            .await
            .contains("No pending approvals")
    );
    assert!(
        user.get_html(&format!("/myaccess/request-history/{id}"))
            .await
            .contains("Canceled by User1")
    );
}

#[tokio::test]
async fn scheduled_access_starts_and_ends_on_time() {
    let app = spawn().await;
    let w = world_with(&app, |fields| set(fields, "require_approval", "no")).await;
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
    let w = world_with(&app, |fields| {
        set(fields, "require_approval", "no");
        set(fields, "expiration", "hours");
        set(fields, "expiration_hours", "8");
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
async fn removing_an_assignment_keeps_membership_from_other_sources() {
    let app = spawn().await;
    let w = world_with(&app, |fields| set(fields, "require_approval", "no")).await;
    w.admin
        .post(
            &format!("/admin/groups/{}/members/add", w.group),
            &[("user_id", &w.user1)],
        )
        .await;
    let user = user1(&app).await;
    request(
        &user,
        &w.package,
        &[("justification", "Working on web project")],
    )
    .await;
    let members = w
        .admin
        .get_html(&format!("/admin/groups/{}/members", w.group))
        .await;
    assert!(members.contains("Direct, Access package assignment"));
    let mine = user.get_html("/myaccess/access").await;
    let assignment = ids_after(&mine, "href=\"/myaccess/access/")[0].clone();
    user.post(&format!("/myaccess/access/{assignment}/remove"), &[])
        .await;
    assert!(
        user.get_html("/myaccess/access")
            .await
            .contains("Access removed")
    );
    let members = w
        .admin
        .get_html(&format!("/admin/groups/{}/members", w.group))
        .await;
    assert!(
        members.contains("user1@woodgrove.test") && !members.contains("Access package assignment"),
        "the direct membership stays"
    );
    let requests = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/requests", w.package))
        .await;
    assert!(requests.contains("Remove access (by the user)"));
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

#[tokio::test]
async fn an_administrator_assigns_directly_and_policies_with_assignments_cannot_be_deleted() {
    let app = spawn().await;
    let w = world(&app).await;
    let new = format!("/admin/access-packages/{}/assignments/new", w.package);
    let form = w.admin.get_html(&format!("{new}?q=user1")).await;
    assert!(form.contains("user1@woodgrove.test"));
    let policies = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/policies", w.package))
        .await;
    let policy = ids_after(
        &policies,
        &format!("/admin/access-packages/{}/policies/", w.package),
    )[0]
    .clone();
    let missing = w.admin.post(&new, &[("policy", &policy)]).await;
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.text().await.unwrap().contains("Choose a user."));
    let created = w
        .admin
        .post(&new, &[("user_id", &w.user1), ("policy", &policy)])
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    assert!(
        w.admin
            .get_html(&format!("/admin/groups/{}/members", w.group))
            .await
            .contains("user1@woodgrove.test")
    );
    assert!(
        w.admin
            .get_html(&format!("/admin/access-packages/{}/requests", w.package))
            .await
            .contains("Direct assignment")
    );

    let refused = w
        .admin
        .post(
            &format!(
                "/admin/access-packages/{}/policies/{policy}/delete",
                w.package
            ),
            &[],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    let page = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/policies", w.package))
        .await;
    assert!(page.contains(
        "Internal user policy has 1 active assignment. Remove access on the Assignments page first."
    ));
    let refused = w
        .admin
        .post(&format!("/admin/access-packages/{}/delete", w.package), &[])
        .await;
    assert_eq!(
        location(&refused),
        format!("/admin/access-packages/{}", w.package)
    );
    assert!(
        w.admin
            .get_html(&location(&refused))
            .await
            .contains("has 1 active assignment")
    );

    let user = user1(&app).await;
    assert_eq!(user.get(&new).await.status(), StatusCode::FORBIDDEN);
    assert!(user.get_html("/myaccess/access").await.contains(PACKAGE));
}

#[tokio::test]
async fn who_may_request_follows_groups_hidden_packages_and_several_policies() {
    let app = spawn().await;
    let w = world(&app).await;
    // A second policy for everyone in the directory, and a package only findable by link.
    let developers = app.create_group("Web developers").await.to_string();
    let user2 = app
        .create_user("user2@woodgrove.test", "User2", DirectoryRole::User)
        .await
        .to_string();
    w.admin
        .post(
            &format!("/admin/groups/{developers}/members/add"),
            &[("user_id", &user2)],
        )
        .await;
    let requestor = format!("group:{developers}");
    let mut fields: Vec<(&str, String)> = tutorial_policy(&requestor, &w.admin1, "save")
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
    set(&mut fields, "display_name", "Developers policy");
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    w.admin
        .post(
            &format!("/admin/access-packages/{}/policies/new", w.package),
            &borrowed,
        )
        .await;

    let (dev, _) = (app.browser(), ());
    dev.sign_in("user2@woodgrove.test", PASSWORD).await;
    assert!(
        dev.get_html("/myaccess/access-packages")
            .await
            .contains(PACKAGE),
        "through the group"
    );
    let (outsider, _) = app
        .signed_in("user3@woodgrove.test", "User3", DirectoryRole::User)
        .await;
    assert!(
        !outsider
            .get_html("/myaccess/access-packages")
            .await
            .contains(PACKAGE)
    );

    // User1 is named by one policy, User2 by the other: each gets their own, no choice needed.
    let user = user1(&app).await;
    assert!(
        !user
            .get_html(&format!("/myaccess/access-packages/{}", w.package))
            .await
            .contains("<legend>Policy</legend>")
    );

    // Once both policies name User1, the pane asks which one.
    let both = format!("user:{}", w.user1);
    let mut fields: Vec<(&str, String)> = tutorial_policy(&both, &w.admin1, "save")
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
    set(&mut fields, "display_name", "Second policy for User1");
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    w.admin
        .post(
            &format!("/admin/access-packages/{}/policies/new", w.package),
            &borrowed,
        )
        .await;
    let pane = user
        .get_html(&format!("/myaccess/access-packages/{}", w.package))
        .await;
    assert!(pane.contains("<legend>Policy</legend>") && pane.contains("Second policy for User1"));
    let unchosen = request(&user, &w.package, &[("justification", "which one?")]).await;
    assert_eq!(unchosen.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unchosen
            .text()
            .await
            .unwrap()
            .contains("Choose the policy to request under.")
    );

    // Hidden: gone from the list, still there by the My Access portal link.
    w.admin
        .post(
            &format!("/admin/access-packages/{}/properties", w.package),
            &[
                ("display_name", PACKAGE),
                ("description", ""),
                ("is_hidden", "yes"),
            ],
        )
        .await;
    assert!(
        !user
            .get_html("/myaccess/access-packages")
            .await
            .contains(PACKAGE)
    );
    assert!(
        user.get_html(&format!("/myaccess/access-packages/{}", w.package))
            .await
            .contains("Business justification")
    );
}

#[tokio::test]
async fn requests_and_assignments_are_only_for_their_own_people() {
    let app = spawn().await;
    let w = world_with(&app, |fields| set(fields, "require_approval", "no")).await;
    let user = user1(&app).await;
    request(
        &user,
        &w.package,
        &[("justification", "Working on web project")],
    )
    .await;
    let history = user.get_html("/myaccess/request-history").await;
    let request_id = ids_after(&history, "href=\"/myaccess/request-history/")[0].clone();
    let mine = user.get_html("/myaccess/access").await;
    let assignment = ids_after(&mine, "href=\"/myaccess/access/")[0].clone();

    let (other, _) = app
        .signed_in("user2@woodgrove.test", "User2", DirectoryRole::User)
        .await;
    assert_eq!(
        other
            .get(&format!("/myaccess/request-history/{request_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .get(&format!("/myaccess/access/{assignment}/remove"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .post(&format!("/myaccess/access/{assignment}/remove"), &[])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .get(&format!("/myaccess/approvals/{request_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "not an approver"
    );
    assert_eq!(
        other
            .post(
                &format!("/myaccess/approvals/{request_id}"),
                &[("decision", "Deny"), ("reason", "")]
            )
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // An assignment manager of another catalog cannot touch it either.
    let created = w
        .admin
        .post(
            "/admin/catalogs/new",
            &[("display_name", "Marketing"), ("is_enabled", "yes")],
        )
        .await;
    let marketing = location(&created)
        .trim_start_matches("/admin/catalogs/")
        .to_owned();
    let manager = app
        .create_user("manager@woodgrove.test", "Manager", DirectoryRole::User)
        .await
        .to_string();
    w.admin
        .post(
            &format!("/admin/catalogs/{marketing}/roles/add"),
            &[
                ("user_id", &manager),
                ("role", "accessPackageAssignmentManager"),
            ],
        )
        .await;
    let browser = app.browser();
    browser.sign_in("manager@woodgrove.test", PASSWORD).await;
    let path = format!(
        "/admin/access-packages/{}/assignments/{assignment}/remove",
        w.package
    );
    assert_eq!(browser.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        browser.post(&path, &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        user.get_html("/myaccess/access").await.contains(PACKAGE),
        "still assigned"
    );
}

#[tokio::test]
async fn two_packages_granting_one_group_keep_it_until_both_end() {
    let app = spawn().await;
    let w = world_with(&app, |fields| {
        set(fields, "require_approval", "no");
        set(fields, "expiration", "days");
        set(fields, "expiration_days", "1");
    })
    .await;
    // A second package with the same group and a longer policy.
    let second = create_second_package(&app, &w).await;
    let user = user1(&app).await;
    request(&user, &w.package, &[("justification", "short")]).await;
    request(&user, &second, &[("justification", "long")]).await;
    let members = w
        .admin
        .get_html(&format!("/admin/groups/{}/members", w.group))
        .await;
    assert_eq!(
        members.matches("user1@woodgrove.test").count(),
        1,
        "one member, two sources"
    );
    app.clock.advance(Duration::days(1));
    assert_eq!(run_pass(&app).await.expired, 1);
    assert!(
        w.admin
            .get_html(&format!("/admin/groups/{}/members", w.group))
            .await
            .contains("user1@woodgrove.test"),
        "the other package still grants it"
    );
    app.clock.advance(Duration::days(1));
    assert_eq!(run_pass(&app).await.expired, 1);
    assert!(
        w.admin
            .get_html(&format!("/admin/groups/{}/members", w.group))
            .await
            .contains("No members")
    );
}

async fn create_second_package(app: &TestApp, w: &World) -> String {
    let started = w
        .admin
        .post("/admin/access-packages/new", &[("catalog", "")])
        .await;
    let basics = location(&started);
    w.admin
        .post(
            &basics,
            &[
                ("display_name", "Second package"),
                ("catalog_id", &selected_catalog(&w.admin, &basics).await),
                ("action", "next"),
            ],
        )
        .await;
    let resources = basics.replace("/basics", "/resources");
    w.admin
        .post(
            &resources,
            &[("action", "select_groups"), ("pick", &w.group)],
        )
        .await;
    w.admin
        .post(
            &resources,
            &[
                ("resource_group", &w.group),
                ("resource_role", "member"),
                ("action", "next"),
            ],
        )
        .await;
    let created = w
        .admin
        .post(
            &basics.replace("/basics", "/review"),
            &[("action", "create")],
        )
        .await;
    let package = location(&created)
        .trim_start_matches("/admin/access-packages/")
        .to_owned();
    let requestor = format!("user:{}", w.user1);
    let mut fields: Vec<(&str, String)> = tutorial_policy(&requestor, &w.admin1, "save")
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
    set(&mut fields, "require_approval", "no");
    set(&mut fields, "expiration_days", "2");
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let made = w
        .admin
        .post(
            &format!("/admin/access-packages/{package}/policies/new"),
            &borrowed,
        )
        .await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let _ = app;
    package
}

async fn selected_catalog(admin: &Browser, basics: &str) -> String {
    selected_option(&admin.get_html(basics).await)
}

#[tokio::test]
async fn simultaneous_requests_and_scheduler_passes_do_the_work_once() {
    let app = spawn().await;
    let w = world_with(&app, |fields| set(fields, "require_approval", "no")).await;
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
            &[("user_id", &w.user1), ("policy", &policy)],
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
