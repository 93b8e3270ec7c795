//! Access packages: the `New access package` wizard, policies, and who may manage packages.
mod catalog_roles;
mod policies;
mod resource_roles;
mod tutorial;
mod wizard;

use gatehouse::ids::{AccessPackageId, GroupId};
use reqwest::StatusCode;

use crate::helpers::{Browser, TestApp, location};

pub(crate) const PACKAGE: &str = "Web project access package";

/// The tutorial's step 2 package in the Default catalog, granting membership of `group`,
/// made through the services (the tutorial test goes through the wizard).
pub(crate) async fn web_project_package(app: &TestApp, group: GroupId) -> AccessPackageId {
    app.create_package(app.default_catalog().await, PACKAGE, &[group])
        .await
}

/// The value of the selected option of a drop-down.
fn selected_option(html: &str) -> String {
    let end = html.find("\" selected>").expect("a selected option");
    let start = html[..end].rfind("value=\"").expect("its value") + 7;
    html[start..end].to_owned()
}

/// Starts the wizard; returns the path of its Basics tab.
async fn start_wizard(browser: &Browser, catalog: &str) -> String {
    let started = browser
        .post("/admin/access-packages/new", &[("catalog", catalog)])
        .await;
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    let basics = location(&started);
    assert!(basics.ends_with("/basics"), "{basics}");
    basics
}

fn tab(basics: &str, name: &str) -> String {
    basics.replace("/basics", &format!("/{name}"))
}

fn tutorial_policy<'a>(
    user1: &'a str,
    admin1: &'a str,
    action: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("display_name", "Internal user policy"),
        (
            "description",
            "Allows users in this directory to request access to web project resources",
        ),
        ("who_can_request", "directory"),
        ("directory_scope", "specific"),
        ("requestor", user1),
        ("require_approval", "yes"),
        ("require_requestor_justification", "yes"),
        ("approver", admin1),
        ("approval_days", "14"),
        ("require_approver_justification", "no"),
        ("expiration", "days"),
        ("expiration_days", "30"),
        ("custom_schedule", "yes"),
        ("enabled", "yes"),
        ("action", action),
    ]
}
