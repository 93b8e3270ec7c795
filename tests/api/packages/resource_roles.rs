//! Picking groups as resource roles: groups outside the catalog, and who may add them.
use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, ids_after, location, spawn_app};

use super::{start_wizard, tab, web_project_package};

#[tokio::test]
async fn see_groups_not_yet_in_the_catalog_shows_them_with_or_without_javascript() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let group = app.create_group("Engineering Group").await;

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
    let id = web_project_package(&app, group).await;
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
