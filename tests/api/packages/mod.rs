//! Access packages: the `New access package` wizard, policies, and who may manage packages.
mod catalog_roles;
mod policies;
mod resource_roles;
mod tutorial;
mod wizard;

use reqwest::StatusCode;

use crate::helpers::{Browser, TestApp, audit_count, location};

pub(crate) const PACKAGE: &str = "Web project access package";
const PACKAGE_DESCRIPTION: &str = "Access package for the Engineering web project";

/// The value of the selected option of a drop-down.
pub(crate) fn selected_option(html: &str) -> String {
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

/// Tutorial step 2 through the wizard; returns the new package's id.
pub(crate) async fn create_web_project_package(
    app: &TestApp,
    admin: &Browser,
    group: &str,
) -> String {
    let basics = start_wizard(admin, "").await;
    let html = admin.get_html(&basics).await;
    for words in [
        ">Basics<",
        ">Resource roles<",
        ">Policy<",
        ">Review + create<",
        ">Name</label>",
        ">Description</label>",
        ">Catalog</label>",
    ] {
        assert!(html.contains(words), "Basics lacks {words}");
    }
    let catalog = selected_option(&html);
    let next = admin
        .post(
            &basics,
            &[
                ("display_name", PACKAGE),
                ("description", PACKAGE_DESCRIPTION),
                ("catalog_id", &catalog),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(location(&next), tab(&basics, "resources"));

    let resources = tab(&basics, "resources");
    let pane = admin.post(&resources, &[("action", "open_groups")]).await;
    assert_eq!(pane.status(), StatusCode::OK);
    let html = pane.text().await.unwrap();
    assert!(html.contains("See groups not yet in the Default catalog catalog"));
    assert!(
        !html.contains("Engineering Group"),
        "not in the catalog yet"
    );
    let outside = admin
        .post(
            &resources,
            &[
                ("action", "search_groups"),
                ("outside", "yes"),
                ("picker_q", ""),
            ],
        )
        .await;
    let html = outside.text().await.unwrap();
    assert!(
        html.contains(&format!("name=\"pick\" value=\"{group}\"")),
        "Engineering Group offered"
    );
    let selected = admin
        .post(&resources, &[("action", "select_groups"), ("pick", group)])
        .await;
    let html = selected.text().await.unwrap();
    assert!(
        html.contains("Engineering Group")
            && html.contains("Added to Default catalog when the package is created")
    );
    let next = admin
        .post(
            &resources,
            &[
                ("resource_group", group),
                ("resource_role", "member"),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(location(&next), tab(&basics, "policy"));

    let policy = tab(&basics, "policy");
    let html = admin.get_html(&policy).await;
    assert!(html.contains("Create first policy") && html.contains("Will create later"));
    let next = admin
        .post(&policy, &[("policy_mode", "later"), ("action", "next")])
        .await;
    assert_eq!(location(&next), tab(&basics, "review"));

    let review = tab(&basics, "review");
    let html = admin.get_html(&review).await;
    assert!(
        html.contains(PACKAGE)
            && html.contains("Engineering Group (Group) · Member")
            && html.contains("Will create later")
    );
    let created = admin.post(&review, &[("action", "create")]).await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let overview = location(&created);
    let id = overview
        .trim_start_matches("/admin/access-packages/")
        .to_owned();
    let html = admin.get_html(&overview).await;
    assert!(html.contains("Users cannot see or request it until it has an enabled policy."));
    assert_eq!(
        admin.get(&basics).await.status(),
        StatusCode::NOT_FOUND,
        "the draft is gone"
    );
    assert_eq!(audit_count(app, "Create access package", PACKAGE).await, 1);
    id
}

pub(crate) fn tutorial_policy<'a>(
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
