//! What catalog readers and managers of another catalog may do to packages: nothing.
use gatehouse::domain::catalog::CatalogRole;
use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, location, spawn_app};

use super::{PACKAGE, start_wizard, tab, web_project_package};

#[tokio::test]
async fn a_catalog_reader_sees_packages_but_changes_nothing() {
    let app = spawn_app().await;
    let group = app.create_group("Engineering Group").await;
    let id = web_project_package(&app, group).await;
    let reader = app
        .create_user("reader@woodgrove.test", "Reader", DirectoryRole::User)
        .await;
    app.grant_catalog_role(app.default_catalog().await, reader, CatalogRole::Reader)
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
async fn a_manager_of_one_catalog_cannot_reach_into_another() {
    let app = spawn_app().await;
    let group = app.create_group("Engineering Group").await;
    let foreign_package = web_project_package(&app, group).await;
    let default = app.default_catalog().await.to_string();
    let catalog = app.create_catalog("Marketing").await;
    let inside = app.create_group("Marketing Group").await;
    app.add_catalog_resource(catalog, inside).await;
    let manager = app
        .create_user("manager@woodgrove.test", "Manager", DirectoryRole::User)
        .await;
    app.grant_catalog_role(catalog, manager, CatalogRole::AccessPackageManager)
        .await;
    let marketing = catalog.to_string();

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
            &[("group_id", &group.to_string()), ("role", "member")],
        )
        .await;
    assert_eq!(outside.status(), StatusCode::SEE_OTHER);
    let roles = browser.get_html(&format!("{own}/resource-roles")).await;
    assert!(roles.contains(
        "Engineering Group is not in this catalog, and only catalog owners can add resources to it."
    ));
    assert!(roles.contains("No resource roles"));
}
