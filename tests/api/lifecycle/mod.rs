//! My Access, approvals and the assignment lifecycle, from the tutorial's state after step 3.
mod approvals;
mod assignments;
mod concurrency;
mod requests;
mod scheduler;
mod tutorial;

use gatehouse::domain::user::DirectoryRole;
use gatehouse::services::scheduler::{self as jobs, PassReport};
use reqwest::StatusCode;
use time::Duration;

use crate::helpers::{Browser, PASSWORD, TestApp, ids_after, spawn_app_with};
use crate::packages::{create_web_project_package, tutorial_policy};

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
