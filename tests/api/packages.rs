//! Access packages: the `New access package` wizard, policies and package pages, with the
//! tutorial's steps 2 and 3 and the admin half of step 7.
use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;

use crate::helpers::{Browser, PASSWORD, TestApp, audit_count, ids_after, location, spawn_app};

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

#[tokio::test]
async fn tutorial_steps_2_and_3_and_the_admin_half_of_step_7() {
    let app = spawn_app().await;
    let (admin, admin1) = app.admin().await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let group = app.create_group("Engineering Group").await.to_string();
    let id = create_web_project_package(&app, &admin, &group).await;

    // The group joined the Default catalog with the package.
    let catalogs = admin.get_html("/admin/catalogs").await;
    let catalog = ids_after(&catalogs, "href=\"/admin/catalogs/")[0].clone();
    assert!(
        admin
            .get_html(&format!("/admin/catalogs/{catalog}/resources"))
            .await
            .contains("Engineering Group")
    );

    // Step 3: Add policy, picking User1 and Admin1 in their panes.
    let new_policy = format!("/admin/access-packages/{id}/policies/new");
    let form = admin.get_html(&new_policy).await;
    for words in [
        "Users who can request access",
        "For users in your directory",
        "Specific users and groups",
        "None (administrator direct assignments only)",
        "Add users and groups",
        "Add approvers",
        "Require approval",
        "How many days should approvers have to decide?",
        "Access package assignments expire",
        "Number of days",
        "Enable policy",
    ] {
        assert!(form.contains(words), "the policy form lacks {words}");
    }
    let requestor = format!("user:{user1}");
    let admin1 = admin1.to_string();
    let mut fields = tutorial_policy("", "", "add_requestors");
    fields.retain(|(k, _)| *k != "requestor" && *k != "approver");
    let pane = admin.post(&new_policy, &fields).await;
    let html = pane.text().await.unwrap();
    assert!(
        html.contains("Select users and groups")
            && html.contains(&format!("value=\"{requestor}\""))
    );
    assert!(
        html.contains("value=\"Internal user policy\""),
        "typed input survives the pane"
    );
    let mut fields = tutorial_policy("", "", "select_requestors");
    fields.retain(|(k, _)| *k != "requestor" && *k != "approver");
    fields.push(("pick", &requestor));
    let html = admin.post(&new_policy, &fields).await.text().await.unwrap();
    assert!(
        html.contains(&format!("name=\"requestor\" value=\"{requestor}\"")),
        "User1 selected"
    );

    let missing_approver = tutorial_policy(&requestor, "", "save");
    let refused = admin
        .post(
            &new_policy,
            &missing_approver
                .into_iter()
                .filter(|(k, _)| *k != "approver")
                .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Add at least one approver")
    );

    let created = admin
        .post(&new_policy, &tutorial_policy(&requestor, &admin1, "save"))
        .await;
    assert_eq!(
        location(&created),
        format!("/admin/access-packages/{id}/policies")
    );
    let policies = admin.get_html(&location(&created)).await;
    for words in [
        "Policy created: Internal user policy",
        "Specific users and groups in your directory",
        "Required: Admin1",
        "After 30 days",
        "Enabled",
    ] {
        assert!(policies.contains(words), "policies lack {words}");
    }
    let overview = admin
        .get_html(&format!("/admin/access-packages/{id}"))
        .await;
    assert!(
        overview.contains(&format!("{}/myaccess/access-packages/{id}", admin.address)),
        "the My Access portal link"
    );
    assert!(!overview.contains("until it has an enabled policy"));

    // Editing keeps the stored values.
    let policy_id =
        ids_after(&policies, &format!("/admin/access-packages/{id}/policies/"))[0].clone();
    let edit = admin
        .get_html(&format!(
            "/admin/access-packages/{id}/policies/{policy_id}/edit"
        ))
        .await;
    assert!(
        edit.contains("value=\"30\"")
            && edit.contains(&format!("name=\"approver\" value=\"{admin1}\""))
    );

    // Step 7, admin half: delete the policy, remove the resource role, delete the package.
    assert!(
        admin
            .get_html(&format!(
                "/admin/access-packages/{id}/policies/{policy_id}/delete"
            ))
            .await
            .contains("Delete Internal user policy?")
    );
    admin
        .post(
            &format!("/admin/access-packages/{id}/policies/{policy_id}/delete"),
            &[],
        )
        .await;
    assert!(
        admin
            .get_html(&format!("/admin/access-packages/{id}/policies"))
            .await
            .contains("Policy deleted: Internal user policy")
    );
    let roles = admin
        .get_html(&format!("/admin/access-packages/{id}/resource-roles"))
        .await;
    let role_id = ids_after(
        &roles,
        &format!("/admin/access-packages/{id}/resource-roles/"),
    )[0]
    .clone();
    assert!(
        admin
            .get_html(&format!(
                "/admin/access-packages/{id}/resource-roles/{role_id}/remove"
            ))
            .await
            .contains("Remove resource role?")
    );
    admin
        .post(
            &format!("/admin/access-packages/{id}/resource-roles/{role_id}/remove"),
            &[],
        )
        .await;
    assert!(
        admin
            .get_html(&format!("/admin/access-packages/{id}/resource-roles"))
            .await
            .contains("No resource roles")
    );
    admin
        .post(&format!("/admin/access-packages/{id}/delete"), &[])
        .await;
    assert!(
        admin
            .get_html("/admin/access-packages")
            .await
            .contains(&format!("Access package deleted: {PACKAGE}"))
    );
    assert_eq!(
        audit_count(
            &app,
            "Delete access package assignment policy",
            "Internal user policy"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn the_wizard_keeps_input_and_says_what_is_wrong() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let basics = start_wizard(&admin, "").await;
    let catalog = selected_option(&admin.get_html(&basics).await);
    let empty = admin
        .post(
            &basics,
            &[
                ("display_name", " "),
                ("description", "kept"),
                ("catalog_id", &catalog),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = empty.text().await.unwrap();
    assert!(html.contains("Enter a name.") && html.contains(">kept</textarea>"));
    let foreign = admin
        .post(
            &basics,
            &[
                ("display_name", "X"),
                ("catalog_id", "00000000-0000-0000-0000-000000000000"),
                ("action", "next"),
            ],
        )
        .await;
    assert!(
        foreign
            .text()
            .await
            .unwrap()
            .contains("Choose a catalog you manage.")
    );

    // Previous and Next keep what was typed.
    admin
        .post(
            &basics,
            &[
                ("display_name", PACKAGE),
                ("catalog_id", &catalog),
                ("action", "next"),
            ],
        )
        .await;
    let policy = tab(&basics, "policy");
    let now = admin
        .post(
            &policy,
            &[
                ("policy_mode", "now"),
                ("display_name", "P1"),
                ("who_can_request", "directory"),
                ("directory_scope", "specific"),
                ("require_approval", "no"),
                ("expiration", "days"),
                ("expiration_days", "0"),
                ("enabled", "yes"),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(now.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = now.text().await.unwrap();
    assert!(
        html.contains("Add at least one user or group who can request access.")
            && html.contains("Enter a number of days from 1 to 3660.")
    );
    admin
        .post(&policy, &[("policy_mode", "later"), ("action", "previous")])
        .await;
    assert!(
        admin
            .get_html(&basics)
            .await
            .contains(&format!("value=\"{PACKAGE}\""))
    );

    // A name already used in the catalog is refused at Create.
    let group = app.create_group("Engineering Group").await.to_string();
    create_web_project_package(&app, &admin, &group).await;
    let review = tab(&basics, "review");
    let twice = admin.post(&review, &[("action", "create")]).await;
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        twice
            .text()
            .await
            .unwrap()
            .contains("An access package with this name already exists in the catalog.")
    );
}

#[tokio::test]
async fn policy_settings_have_ranges_and_dates_in_the_future() {
    let app = spawn_app().await;
    let (admin, admin1) = app.admin().await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let group = app.create_group("Engineering Group").await.to_string();
    let id = create_web_project_package(&app, &admin, &group).await;
    let requestor = format!("user:{user1}");
    let admin1 = admin1.to_string();
    let new_policy = format!("/admin/access-packages/{id}/policies/new");
    let mut fields = tutorial_policy(&requestor, &admin1, "save");
    fields.retain(|(k, _)| !["approval_days", "expiration", "expiration_days"].contains(k));
    fields.extend([
        ("approval_days", "15"),
        ("expiration", "date"),
        ("expiration_date", "2026-11-24"),
    ]);
    let refused = admin.post(&new_policy, &fields).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("Enter a number of days from 1 to 14.")
            && html.contains("Choose a date in the future.")
    );
    assert!(html.contains("value=\"Internal user policy\""));
    let mut far = tutorial_policy(&requestor, &admin1, "save");
    far.retain(|(k, _)| !["expiration", "expiration_days"].contains(k));
    far.extend([("expiration", "date"), ("expiration_date", "9999-12-31")]);
    let refused_far = admin.post(&new_policy, &far).await;
    assert_eq!(refused_far.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused_far
            .text()
            .await
            .unwrap()
            .contains("Choose a date within 3660 days from today.")
    );
    assert!(
        admin
            .get_html(&format!("/admin/access-packages/{id}/policies"))
            .await
            .contains("No policies")
    );
}

/// The value of the checked radio button called `name`.
fn checked(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(marker.as_str()).skip(1).find_map(|rest| {
        let (value, after) = rest.split('>').next()?.split_once('"')?;
        after.ends_with(" checked").then(|| value.to_owned())
    })
}

#[tokio::test]
async fn a_new_policy_lets_users_request_a_specific_timeline_and_an_edited_one_keeps_its_choice() {
    let app = spawn_app().await;
    let (admin, admin1) = app.admin().await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let group = app.create_group("Engineering Group").await.to_string();
    let id = create_web_project_package(&app, &admin, &group).await;
    let new_policy = format!("/admin/access-packages/{id}/policies/new");
    assert_eq!(
        checked(&admin.get_html(&new_policy).await, "custom_schedule").as_deref(),
        Some("yes"),
        "Add policy"
    );
    let basics = start_wizard(&admin, "").await;
    assert_eq!(
        checked(
            &admin.get_html(&tab(&basics, "policy")).await,
            "custom_schedule"
        )
        .as_deref(),
        Some("yes"),
        "the wizard's Policy tab"
    );

    let requestor = format!("user:{user1}");
    let admin1 = admin1.to_string();
    let mut fields = tutorial_policy(&requestor, &admin1, "save");
    fields.retain(|(k, _)| *k != "custom_schedule");
    fields.push(("custom_schedule", "no"));
    let created = admin.post(&new_policy, &fields).await;
    let policies = admin.get_html(&location(&created)).await;
    let policy_id =
        ids_after(&policies, &format!("/admin/access-packages/{id}/policies/"))[0].clone();
    let edit = admin
        .get_html(&format!(
            "/admin/access-packages/{id}/policies/{policy_id}/edit"
        ))
        .await;
    assert_eq!(checked(&edit, "custom_schedule").as_deref(), Some("no"));
}

#[tokio::test]
async fn see_groups_not_yet_in_the_catalog_shows_them_with_or_without_javascript() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let group = app.create_group("Engineering Group").await.to_string();

    // The wizard's Groups pane: ticking the box presses Show groups, which works on its own.
    let basics = start_wizard(&admin, "").await;
    let resources = tab(&basics, "resources");
    let html = admin
        .post(&resources, &[("action", "open_groups")])
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("name=\"outside\" value=\"yes\" data-submit-on-change=\"show_groups\">"));
    assert!(html.contains(
        "<button type=\"submit\" id=\"show_groups\" name=\"action\" value=\"search_groups\" class=\"btn btn-small btn-secondary\">Show groups</button>"
    ));
    assert!(html.contains("<p class=\"muted\">No groups in this catalog match.</p>"));
    let shown = admin
        .post(
            &resources,
            &[
                ("action", "search_groups"),
                ("outside", "yes"),
                ("picker_q", ""),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(shown.contains(&format!("name=\"pick\" value=\"{group}\"")));
    assert!(shown.contains("data-submit-on-change=\"show_groups\" checked>"));
    let none = admin
        .post(
            &resources,
            &[
                ("action", "search_groups"),
                ("outside", "yes"),
                ("picker_q", "Marketing"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(none.contains("<p class=\"muted\">No groups match.</p>"));
    for html in [&html, &shown, &none] {
        assert!(
            !html.contains("Check “See groups") && !html.contains("Tick “See groups"),
            "no empty state asks for the box to be ticked"
        );
    }

    // `Add resource role` on a package's page does the same.
    let id = create_web_project_package(&app, &admin, &group).await;
    let other = app.create_group("Marketing Group").await.to_string();
    let add = format!("/admin/access-packages/{id}/resource-roles/add");
    let html = admin.get_html(&format!("{add}?q=Marketing")).await;
    assert!(html.contains("name=\"outside\" value=\"yes\" data-submit-on-change=\"show_groups\">"));
    assert!(html.contains(">Show groups</button>"));
    assert!(html.contains("No groups in this catalog match"));
    let shown = admin
        .get_html(&format!("{add}?q=Marketing&outside=yes"))
        .await;
    assert!(shown.contains(&format!("name=\"group_id\" value=\"{other}\"")));
    let none = admin.get_html(&format!("{add}?q=Sales&outside=yes")).await;
    assert!(none.contains("No groups match"));
    for html in [&html, &shown, &none] {
        assert!(!html.contains("Check “See groups") && !html.contains("Tick “See groups"));
    }

    // The script doing the ticking is served from the site itself, as the CSP asks.
    let script = admin.get("/static/gatehouse.js").await;
    assert!(
        script
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|csp| csp.contains("default-src 'self'"))
    );
    assert!(
        script
            .text()
            .await
            .unwrap()
            .contains("data-submit-on-change")
    );
}

#[tokio::test]
async fn an_access_package_manager_creates_packages_but_not_resources() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let catalogs = admin.get_html("/admin/catalogs").await;
    let catalog = ids_after(&catalogs, "href=\"/admin/catalogs/")[0].clone();
    let inside = app.create_group("Inside Group").await.to_string();
    app.create_group("Outside Group").await;
    admin
        .post(
            &format!("/admin/catalogs/{catalog}/resources/add"),
            &[("group_id", &inside)],
        )
        .await;
    let manager = app
        .create_user("manager@woodgrove.test", "Manager", DirectoryRole::User)
        .await;
    admin
        .post(
            &format!("/admin/catalogs/{catalog}/roles/add"),
            &[
                ("user_id", &manager.to_string()),
                ("role", "accessPackageManager"),
            ],
        )
        .await;

    let browser = app.browser();
    browser.sign_in("manager@woodgrove.test", PASSWORD).await;
    assert!(
        browser
            .get_html("/admin/access-packages")
            .await
            .contains("New access package")
    );
    let basics = start_wizard(&browser, "").await;
    browser
        .post(
            &basics,
            &[
                ("display_name", "Manager package"),
                ("catalog_id", &catalog),
                ("action", "next"),
            ],
        )
        .await;
    let resources = tab(&basics, "resources");
    let html = browser
        .post(&resources, &[("action", "open_groups")])
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Inside Group"));
    assert!(
        !html.contains("See groups not yet in"),
        "no adding resources for a package manager"
    );
    let sneaky = browser
        .post(
            &resources,
            &[("action", "search_groups"), ("outside", "yes")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(!sneaky.contains("Outside Group"));
    browser
        .post(
            &resources,
            &[("action", "select_groups"), ("pick", &inside)],
        )
        .await;
    browser
        .post(
            &resources,
            &[
                ("resource_group", &inside),
                ("resource_role", "owner"),
                ("action", "next"),
            ],
        )
        .await;
    let created = browser
        .post(&tab(&basics, "review"), &[("action", "create")])
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let roles = browser
        .get_html(&format!("{}/resource-roles", location(&created)))
        .await;
    assert!(roles.contains("Inside Group") && roles.contains("Owner"));
}

#[tokio::test]
async fn a_catalog_reader_sees_packages_but_changes_nothing() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let group = app.create_group("Engineering Group").await.to_string();
    let id = create_web_project_package(&app, &admin, &group).await;
    let catalogs = admin.get_html("/admin/catalogs").await;
    let catalog = ids_after(&catalogs, "href=\"/admin/catalogs/")[0].clone();
    let reader = app
        .create_user("reader@woodgrove.test", "Reader", DirectoryRole::User)
        .await;
    admin
        .post(
            &format!("/admin/catalogs/{catalog}/roles/add"),
            &[("user_id", &reader.to_string()), ("role", "catalogReader")],
        )
        .await;

    let browser = app.browser();
    browser.sign_in("reader@woodgrove.test", PASSWORD).await;
    let list = browser.get_html("/admin/access-packages").await;
    assert!(list.contains(PACKAGE) && !list.contains("New access package"));
    assert!(
        !browser
            .get_html(&format!("/admin/access-packages/{id}/policies"))
            .await
            .contains("Add policy")
    );
    for path in ["policies/new", "resource-roles/add", "delete"] {
        assert_eq!(
            browser
                .get(&format!("/admin/access-packages/{id}/{path}"))
                .await
                .status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(
        browser
            .post("/admin/access-packages/new", &[("catalog", "")])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        browser
            .post(&format!("/admin/access-packages/{id}/delete"), &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let (plain, _) = app
        .signed_in("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    assert_eq!(
        plain
            .get(&format!("/admin/access-packages/{id}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_draft_is_seen_only_by_the_person_who_started_it() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let basics = start_wizard(&admin, "").await;
    let (other, _) = app
        .signed_in(
            "admin2@woodgrove.test",
            "Admin2",
            DirectoryRole::GlobalAdministrator,
        )
        .await;
    assert_eq!(other.get(&basics).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        other
            .post(&basics, &[("display_name", "Hijack"), ("action", "next")])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_manager_of_one_catalog_cannot_reach_into_another() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let group = app.create_group("Engineering Group").await.to_string();
    let foreign_package = create_web_project_package(&app, &admin, &group).await;
    let catalogs = admin.get_html("/admin/catalogs").await;
    let default = ids_after(&catalogs, "href=\"/admin/catalogs/")[0].clone();
    let created = admin
        .post(
            "/admin/catalogs/new",
            &[("display_name", "Marketing"), ("is_enabled", "yes")],
        )
        .await;
    let marketing = location(&created)
        .trim_start_matches("/admin/catalogs/")
        .to_owned();
    let inside = app.create_group("Marketing Group").await.to_string();
    admin
        .post(
            &format!("/admin/catalogs/{marketing}/resources/add"),
            &[("group_id", &inside)],
        )
        .await;
    let manager = app
        .create_user("manager@woodgrove.test", "Manager", DirectoryRole::User)
        .await;
    admin
        .post(
            &format!("/admin/catalogs/{marketing}/roles/add"),
            &[
                ("user_id", &manager.to_string()),
                ("role", "accessPackageManager"),
            ],
        )
        .await;

    let browser = app.browser();
    browser.sign_in("manager@woodgrove.test", PASSWORD).await;
    // Another catalog's package is not there for them.
    for path in ["", "/policies", "/policies/new", "/resource-roles"] {
        assert_eq!(
            browser
                .get(&format!("/admin/access-packages/{foreign_package}{path}"))
                .await
                .status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        browser
            .post(
                &format!("/admin/access-packages/{foreign_package}/delete"),
                &[]
            )
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // A draft pointed at another catalog does not show that catalog's groups.
    let basics = start_wizard(&browser, &marketing).await;
    browser
        .post(
            &basics,
            &[
                ("display_name", "Sneaky"),
                ("catalog_id", &default),
                ("action", "goto:resources"),
            ],
        )
        .await;
    let pane = browser
        .post(&tab(&basics, "resources"), &[("action", "open_groups")])
        .await
        .text()
        .await
        .unwrap();
    assert!(!pane.contains("Engineering Group"));
    let next = browser
        .post(
            &basics,
            &[
                ("display_name", "Sneaky"),
                ("catalog_id", &default),
                ("action", "next"),
            ],
        )
        .await;
    assert!(
        next.text()
            .await
            .unwrap()
            .contains("Choose a catalog you manage.")
    );

    // Their own package cannot take a group from outside their catalog.
    let basics = start_wizard(&browser, &marketing).await;
    browser
        .post(
            &basics,
            &[
                ("display_name", "Marketing package"),
                ("catalog_id", &marketing),
                ("action", "next"),
            ],
        )
        .await;
    let created = browser
        .post(&tab(&basics, "review"), &[("action", "create")])
        .await;
    let own = location(&created);
    let outside = browser
        .post(
            &format!("{own}/resource-roles/add"),
            &[("group_id", &group), ("role", "member")],
        )
        .await;
    assert_eq!(outside.status(), StatusCode::SEE_OTHER);
    let roles = browser.get_html(&format!("{own}/resource-roles")).await;
    assert!(roles.contains(
        "Engineering Group is not in this catalog, and only catalog owners can add resources to it."
    ));
    assert!(roles.contains("No resource roles"));
}
