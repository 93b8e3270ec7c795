use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;

use crate::helpers::{Browser, audit_count, ids_after, location, spawn_app};

async fn default_catalog(admin: &Browser) -> String {
    let html = admin.get_html("/admin/catalogs").await;
    assert!(html.contains("Default catalog"));
    ids_after(&html, "href=\"/admin/catalogs/")
        .into_iter()
        .next()
        .expect("the Default catalog")
}

async fn new_catalog(admin: &Browser, name: &str) -> String {
    let created = admin
        .post(
            "/admin/catalogs/new",
            &[
                ("display_name", name),
                ("description", ""),
                ("is_enabled", "yes"),
                ("is_externally_visible", "no"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    location(&created)
        .trim_start_matches("/admin/catalogs/")
        .to_owned()
}

#[tokio::test]
async fn the_default_catalog_exists_from_the_first_start_and_cannot_be_deleted() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let id = default_catalog(&admin).await;
    let confirm = admin
        .get_html(&format!("/admin/catalogs/{id}/delete"))
        .await;
    assert!(confirm.contains("The Default catalog cannot be deleted."));
    let refused = admin
        .post(&format!("/admin/catalogs/{id}/delete"), &[])
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(
        admin
            .get_html("/admin/catalogs")
            .await
            .contains("Default catalog")
    );
}

#[tokio::test]
async fn a_new_catalog_needs_a_unique_name() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let form = admin.get_html("/admin/catalogs/new").await;
    for label in ["Name", "Description"] {
        assert!(form.contains(&format!(">{label}</label>")), "{label}");
    }
    assert!(
        form.contains("<legend>Enabled</legend>")
            && form.contains("<legend>Enabled for external users</legend>")
    );
    let empty = admin
        .post(
            "/admin/catalogs/new",
            &[
                ("display_name", ""),
                ("description", "For marketing"),
                ("is_enabled", "yes"),
            ],
        )
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = empty.text().await.unwrap();
    assert!(html.contains("Enter a catalog name.") && html.contains(">For marketing</textarea>"));
    new_catalog(&admin, "Marketing").await;
    let twice = admin
        .post(
            "/admin/catalogs/new",
            &[("display_name", "MARKETING"), ("is_enabled", "yes")],
        )
        .await;
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        twice
            .text()
            .await
            .unwrap()
            .contains("A catalog with this name already exists.")
    );
    assert_eq!(audit_count(&app, "Create catalog", "Marketing").await, 1);
}

#[tokio::test]
async fn a_group_in_a_catalog_cannot_be_deleted_until_it_is_removed() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let group = app.create_group("Engineering Group").await;
    let catalog = default_catalog(&admin).await;
    let picker = admin
        .get_html(&format!("/admin/catalogs/{catalog}/resources/add"))
        .await;
    assert!(picker.contains("Engineering Group"));
    let added = admin
        .post(
            &format!("/admin/catalogs/{catalog}/resources/add"),
            &[("group_id", &group.to_string())],
        )
        .await;
    assert_eq!(
        location(&added),
        format!("/admin/catalogs/{catalog}/resources")
    );
    let resources = admin.get_html(&location(&added)).await;
    assert!(resources.contains("Resource added: Engineering Group"));

    let refused = admin
        .post(&format!("/admin/groups/{group}/delete"), &[])
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused.text().await.unwrap().contains(
        "Engineering Group is a resource of Default catalog. Remove it from the catalog first."
    ));

    admin
        .post(
            &format!("/admin/catalogs/{catalog}/resources/{group}/remove"),
            &[],
        )
        .await;
    assert!(
        admin
            .get_html(&format!("/admin/catalogs/{catalog}/resources"))
            .await
            .contains("Resource removed: Engineering Group")
    );
    assert_eq!(
        location(
            &admin
                .post(&format!("/admin/groups/{group}/delete"), &[])
                .await
        ),
        "/admin/groups"
    );
    assert_eq!(
        audit_count(&app, "Add resource to catalog", "Default catalog").await,
        1
    );
    assert_eq!(
        audit_count(&app, "Remove resource from catalog", "Default catalog").await,
        1
    );
}

#[tokio::test]
async fn an_empty_catalog_can_be_deleted() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let id = new_catalog(&admin, "Marketing").await;
    assert!(
        admin
            .get_html(&format!("/admin/catalogs/{id}/delete"))
            .await
            .contains("Delete Marketing?")
    );
    assert_eq!(
        location(
            &admin
                .post(&format!("/admin/catalogs/{id}/delete"), &[])
                .await
        ),
        "/admin/catalogs"
    );
    assert_eq!(
        admin.get(&format!("/admin/catalogs/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_catalog_owner_manages_their_catalog_and_sees_no_other() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let marketing = new_catalog(&admin, "Marketing").await;
    let default = default_catalog(&admin).await;
    let group = app.create_group("Marketing Group").await;
    let owner = app
        .create_user("owner@woodgrove.test", "Owner", DirectoryRole::User)
        .await;

    let picker = admin
        .get_html(&format!(
            "/admin/catalogs/{marketing}/roles?role=catalogOwner&q=owner"
        ))
        .await;
    assert!(picker.contains("owner@woodgrove.test"));
    admin
        .post(
            &format!("/admin/catalogs/{marketing}/roles/add"),
            &[("user_id", &owner.to_string()), ("role", "catalogOwner")],
        )
        .await;
    let roles = admin
        .get_html(&format!("/admin/catalogs/{marketing}/roles"))
        .await;
    assert!(roles.contains("Catalog owner added: Owner"));
    // Catalog owners bring in groups they own (see holes.rs for the rest of that rule).
    app.add_group_owner(group, owner).await;

    let browser = app.browser();
    assert_eq!(
        location(
            &browser
                .sign_in("owner@woodgrove.test", crate::helpers::PASSWORD)
                .await
        ),
        "/myaccess/access-packages"
    );
    assert!(
        browser
            .get_html("/myaccess/access")
            .await
            .contains("href=\"/admin\""),
        "a way into the admin portal"
    );
    assert_eq!(location(&browser.get("/admin").await), "/admin/catalogs");
    let list = browser.get_html("/admin/catalogs").await;
    assert!(list.contains("Marketing") && !list.contains("Default catalog"));
    assert!(
        !list.contains("href=\"/admin/users\""),
        "no directory pages in the navigation"
    );
    assert_eq!(
        browser
            .get(&format!("/admin/catalogs/{default}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser.get("/admin/users").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        browser.get("/admin/catalogs/new").await.status(),
        StatusCode::FORBIDDEN
    );
    let added = browser
        .post(
            &format!("/admin/catalogs/{marketing}/resources/add"),
            &[("group_id", &group.to_string())],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    assert!(
        browser
            .get_html(&format!("/admin/catalogs/{marketing}/resources"))
            .await
            .contains("Resource added: Marketing Group")
    );
    let elsewhere = browser
        .post(
            &format!("/admin/catalogs/{default}/resources/add"),
            &[("group_id", &group.to_string())],
        )
        .await;
    assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_catalog_reader_reads_but_changes_nothing() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let catalog = default_catalog(&admin).await;
    let group = app.create_group("Engineering Group").await;
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
    browser
        .sign_in("reader@woodgrove.test", crate::helpers::PASSWORD)
        .await;
    let resources = browser
        .get_html(&format!("/admin/catalogs/{catalog}/resources"))
        .await;
    assert!(!resources.contains("Add resources"));
    assert_eq!(
        browser
            .get(&format!("/admin/catalogs/{catalog}/resources/add"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let post = browser
        .post(
            &format!("/admin/catalogs/{catalog}/resources/add"),
            &[("group_id", &group.to_string())],
        )
        .await;
    assert_eq!(post.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        browser
            .get(&format!("/admin/catalogs/{catalog}/edit"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert!(
        !admin
            .get_html(&format!("/admin/catalogs/{catalog}/resources"))
            .await
            .contains("Engineering Group")
    );
}

#[tokio::test]
async fn a_plain_user_has_no_entitlement_management() {
    let app = spawn_app().await;
    let (user, _) = app
        .signed_in("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    for path in ["/admin/catalogs", "/admin/access-packages", "/admin"] {
        assert_eq!(
            user.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert!(
        !user
            .get_html("/myaccess/access")
            .await
            .contains("href=\"/admin\"")
    );
}
