//! The tutorial's steps 2 and 3 and the admin half of step 7, through the pages.
use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;

use crate::helpers::{Browser, TestApp, audit_count, ids_after, location, spawn_app};

use super::{PACKAGE, selected_option, start_wizard, tab, tutorial_policy};

const PACKAGE_DESCRIPTION: &str = "Access package for the Engineering web project";

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

/// Tutorial step 2 through the wizard; returns the new package's id.
async fn create_web_project_package(app: &TestApp, admin: &Browser, group: &str) -> String {
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
