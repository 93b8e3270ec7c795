//! My Access, approvals and the assignment lifecycle, from the tutorial's state after step 3.
mod approvals;
mod assignments;
mod concurrency;
mod extend;
mod requests;
mod scheduler;
mod tutorial;

use gatehouse::domain::policy::PolicySpec;
use gatehouse::domain::user::DirectoryRole;
use gatehouse::ids::{AccessPackageId, GroupId, UserId};
use gatehouse::services::scheduler::{self as jobs, PassReport};
use reqwest::StatusCode;
use time::Duration;

use crate::builders::{PolicyOptions, policy};
use crate::helpers::{Browser, PASSWORD, TestApp, ids_after, spawn_app_with};
use crate::packages::web_project_package;

/// The tutorial's starting point after step 3: Admin1 (approver), User1, the Engineering
/// Group, and the Web project access package with the Internal user policy.
struct World {
    admin: Browser,
    admin1: UserId,
    user1: UserId,
    group: GroupId,
    package: AccessPackageId,
}

/// The tutorial's world, made through the services, with its policy as `change` makes it.
async fn world_with(app: &TestApp, change: impl FnOnce(&World, PolicySpec) -> PolicySpec) -> World {
    let (admin, admin1) = app.admin().await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let group = app.create_group("Engineering Group").await;
    let package = web_project_package(app, group).await;
    let world = World {
        admin,
        admin1,
        user1,
        group,
        package,
    };
    let spec = internal_user_policy("Internal user policy", &[user1], admin1);
    app.create_policy(package, change(&world, spec)).await;
    world
}

async fn world(app: &TestApp) -> World {
    world_with(app, |_, policy| policy).await
}

/// The settings of the tutorial's step 3: `requestors` ask with a justification, `approver`
/// approves within 14 days, access lasts 30 days.
fn internal_user_policy(name: &str, requestors: &[UserId], approver: UserId) -> PolicySpec {
    policy(name, requestors, &[approver])
        .described("Allows users in this directory to request access to web project resources")
        .justification_required()
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

async fn request(
    browser: &Browser,
    package: &AccessPackageId,
    fields: &[(&str, &str)],
) -> reqwest::Response {
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
