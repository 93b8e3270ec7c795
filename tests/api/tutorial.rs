//! Step 1 of "Create your first access package", through the pages, with its exact names.
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, ids_after, location, spawn_app};

#[tokio::test]
async fn tutorial_step_1_creates_admin1_user1_and_an_empty_engineering_group() {
    let app = spawn_app().await;
    let token = app.setup_token.clone().unwrap();
    let admin = app.browser();

    // The first administrator, through the printed setup link.
    let setup = [
        ("token", token.as_str()),
        ("display_name", "Admin1"),
        ("user_principal_name", "admin1@woodgrove.test"),
        ("password", PASSWORD),
        ("confirm_password", PASSWORD),
    ];
    assert_eq!(
        admin.post("/setup", &setup).await.status(),
        StatusCode::SEE_OTHER
    );
    admin.post("/sign-out", &[]).await;
    assert_eq!(
        location(&admin.sign_in("admin1@woodgrove.test", PASSWORD).await),
        "/admin/users"
    );

    // User1, a plain User.
    let form = admin.get_html("/admin/users/new").await;
    for label in [
        "Display name",
        "User principal name",
        "Email",
        "Directory role",
        "Password",
    ] {
        assert!(form.contains(&format!(">{label}</label>")), "label {label}");
    }
    let user1 = [
        ("display_name", "User1"),
        ("user_principal_name", "user1@woodgrove.test"),
        ("email", ""),
        ("directory_role", "user"),
        ("password", PASSWORD),
    ];
    assert_eq!(
        admin.post("/admin/users/new", &user1).await.status(),
        StatusCode::SEE_OTHER
    );

    // Engineering Group, Assigned, no members.
    let form = admin.get_html("/admin/groups/new").await;
    for label in ["Group name", "Description", "Membership type"] {
        assert!(form.contains(&format!(">{label}</label>")), "label {label}");
    }
    let group = [
        ("display_name", "Engineering Group"),
        ("description", ""),
        ("membership_type", "assigned"),
    ];
    let created = admin.post("/admin/groups/new", &group).await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);

    let users = admin.get_html("/admin/users").await;
    assert!(users.contains("Admin1") && users.contains("Global administrator"));
    assert!(users.contains("User1") && users.contains("user1@woodgrove.test"));
    let groups = admin.get_html("/admin/groups").await;
    let ids = ids_after(&groups, "href=\"/admin/groups/");
    assert_eq!(ids.len(), 1);
    assert!(groups.contains("Engineering Group") && groups.contains("Assigned"));
    let members = admin
        .get_html(&format!("/admin/groups/{}/members", ids[0]))
        .await;
    assert!(members.contains("No members"));

    // User1 can sign in and is not an administrator.
    let user = app.browser();
    assert_eq!(
        location(&user.sign_in("user1@woodgrove.test", PASSWORD).await),
        "/myaccess/access-packages"
    );
    assert_eq!(
        user.get("/admin/users").await.status(),
        StatusCode::FORBIDDEN
    );
}
