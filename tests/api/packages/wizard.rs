//! The `New access package` wizard: input kept, messages per field, drafts private.
use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;

use crate::helpers::spawn_app;

use super::{PACKAGE, selected_option, start_wizard, tab, web_project_package};

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
    let group = app.create_group("Engineering Group").await;
    web_project_package(&app, group).await;
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
