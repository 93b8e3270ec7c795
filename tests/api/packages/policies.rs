//! The policy form: ranges, dates and the specific-timeline choice, new and edited.
use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;

use crate::helpers::{ids_after, location, spawn_app};

use super::{start_wizard, tab, tutorial_policy, web_project_package};

#[tokio::test]
async fn policy_settings_have_ranges_and_dates_in_the_future() {
    let app = spawn_app().await;
    let (admin, admin1) = app.admin().await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let group = app.create_group("Engineering Group").await;
    let id = web_project_package(&app, group).await;
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
    let group = app.create_group("Engineering Group").await;
    let id = web_project_package(&app, group).await;
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
async fn reminders_extending_and_email_are_set_on_the_policy_form_and_kept() {
    let app = spawn_app().await;
    let (admin, admin1) = app.admin().await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let group = app.create_group("Engineering Group").await;
    let id = web_project_package(&app, group).await;
    let (requestor, admin1) = (format!("user:{user1}"), admin1.to_string());
    let new_policy = format!("/admin/access-packages/{id}/policies/new");
    let form = admin.get_html(&new_policy).await;
    assert_eq!(checked(&form, "allow_extend").as_deref(), Some("no"));
    assert_eq!(checked(&form, "send_email").as_deref(), Some("yes"));
    assert!(form.contains("Send approvers a reminder after (days)"));

    let with = |reminder: &'static str| {
        let mut fields = tutorial_policy(&requestor, &admin1, "save");
        fields.extend([
            ("reminder_days", reminder),
            ("allow_extend", "yes"),
            ("send_email", "no"),
        ]);
        fields
    };
    let refused = admin.post(&new_policy, &with("14")).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("Enter a number of days from 1 to 13"),
        "{html}"
    );
    assert_eq!(
        checked(&html, "allow_extend").as_deref(),
        Some("yes"),
        "kept"
    );

    let saved = admin.post(&new_policy, &with("3")).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let stored = gatehouse::store::packages::policies(&app.db, id)
        .await
        .unwrap();
    let spec = &stored[0].spec;
    assert_eq!(
        (spec.reminder_days, spec.extend, spec.email),
        (Some(3), true, false)
    );
    let edit = admin
        .get_html(&format!(
            "/admin/access-packages/{id}/policies/{}/edit",
            stored[0].id
        ))
        .await;
    assert_eq!(checked(&edit, "allow_extend").as_deref(), Some("yes"));
    assert_eq!(checked(&edit, "send_email").as_deref(), Some("no"));
    assert!(edit.contains("name=\"reminder_days\"") && edit.contains("value=\"3\""));
}
