//! Long lists come a page at a time, read by keyset (`?after=` / `?before=`), so a page costs
//! the same on the hundredth page as on the first.
use gatehouse::domain::user::DirectoryRole;
use time::Duration;

use crate::builders::policy;
use crate::helpers::{PASSWORD, ids_after, link, spawn_app};

#[tokio::test]
async fn pending_approvals_come_twenty_five_at_a_time_with_next_and_previous() {
    let app = spawn_app().await;
    let approver = app
        .create_user("approver@woodgrove.test", "Approver", DirectoryRole::User)
        .await;
    let mut requestors = Vec::new();
    for n in 0..30 {
        requestors.push(
            app.create_user(
                &format!("user{n:02}@woodgrove.test"),
                &format!("User {n:02}"),
                DirectoryRole::User,
            )
            .await,
        );
    }
    let package = app
        .create_package(app.default_catalog().await, "Web project", &[])
        .await;
    app.create_policy(package, policy("Approval", &requestors, &[approver]))
        .await;
    let mut requests = Vec::new();
    for user in &requestors {
        requests.push(app.submit_request(*user, package).await.to_string());
        // Two requests in the same second keep their order by id: move on a little anyway.
        app.clock.advance(Duration::seconds(1));
    }
    let browser = app.browser();
    browser.sign_in("approver@woodgrove.test", PASSWORD).await;

    let first = browser.get_html("/myaccess/approvals").await;
    let shown = ids_after(&first, "href=\"/myaccess/approvals/");
    assert_eq!(shown, requests[..25], "the oldest 25, oldest first");
    assert!(!first.contains("rel=\"prev\""));
    let next = link(&first, "next").expect("a Next link");
    let second = browser
        .get_html(&format!("/myaccess/approvals{next}"))
        .await;
    assert_eq!(
        ids_after(&second, "href=\"/myaccess/approvals/"),
        requests[25..]
    );
    assert!(!second.contains("rel=\"next\""));
    let previous = link(&second, "prev").expect("a Previous link");
    let back = browser
        .get_html(&format!("/myaccess/approvals{previous}"))
        .await;
    assert_eq!(
        ids_after(&back, "href=\"/myaccess/approvals/"),
        requests[..25]
    );
    // A cursor nobody wrote means the first page, not an error.
    let junk = browser.get_html("/myaccess/approvals?after=junk").await;
    assert_eq!(
        ids_after(&junk, "href=\"/myaccess/approvals/"),
        requests[..25]
    );
}

#[tokio::test]
async fn my_access_lists_requestable_packages_by_name_a_page_at_a_time() {
    let app = spawn_app().await;
    let user = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let other = app
        .create_user("user2@woodgrove.test", "User2", DirectoryRole::User)
        .await;
    let catalog = app.default_catalog().await;
    let mut names = Vec::new();
    for n in 0..30 {
        let name = format!("Package {n:02}");
        let package = app.create_package(catalog, &name, &[]).await;
        app.create_policy(package, policy("Mine", &[user], &[]))
            .await;
        names.push(name);
    }
    // Not theirs to request: never on their pages.
    let elsewhere = app
        .create_package(catalog, "Package 99 (not yours)", &[])
        .await;
    app.create_policy(elsewhere, policy("Theirs", &[other], &[]))
        .await;
    let browser = app.browser();
    browser.sign_in("user1@woodgrove.test", PASSWORD).await;
    let first = browser.get_html("/myaccess/access-packages").await;
    for name in &names[..25] {
        assert!(first.contains(name.as_str()), "{name} on the first page");
    }
    assert!(!first.contains("Package 25"));
    let next = link(&first, "next").expect("a Next link");
    let second = browser
        .get_html(&format!("/myaccess/access-packages{next}"))
        .await;
    for name in &names[25..] {
        assert!(second.contains(name.as_str()), "{name} on the second page");
    }
    assert!(!second.contains("Package 24") && !second.contains("not yours"));
    assert!(!second.contains("rel=\"next\"") && second.contains("rel=\"prev\""));
}
