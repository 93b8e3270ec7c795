use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;
use time::Duration;

use crate::helpers::{Browser, PASSWORD, audit_count, location, spawn_app, spawn_app_with};

#[tokio::test]
async fn the_sign_in_page_has_the_tutorials_words() {
    let app = spawn_app().await;
    let html = app.browser().get_html("/").await;
    for words in [
        "<label for=\"username\">Username</label>",
        "<label for=\"password\">Password</label>",
        ">Sign in</button>",
    ] {
        assert!(html.contains(words), "missing {words}");
    }
}

#[tokio::test]
async fn an_admin_lands_in_the_admin_portal_and_a_user_in_my_access() {
    let app = spawn_app().await;
    app.create_user(
        "admin1@woodgrove.test",
        "Admin1",
        DirectoryRole::GlobalAdministrator,
    )
    .await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;

    let admin = app
        .browser()
        .sign_in("ADMIN1@woodgrove.test", PASSWORD)
        .await;
    assert_eq!(location(&admin), "/admin/users");
    let user = app
        .browser()
        .sign_in("user1@woodgrove.test", PASSWORD)
        .await;
    assert_eq!(location(&user), "/myaccess/access-packages");
    assert_eq!(
        audit_count(&app, "Sign-in succeeded", "user1@woodgrove.test").await,
        1
    );
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = spawn_app().await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let response = app
        .browser()
        .sign_in("user1@woodgrove.test", PASSWORD)
        .await;
    let cookie = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("gatehouse_session="))
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let wrong = app
        .browser()
        .sign_in("user1@woodgrove.test", "not the password")
        .await;
    let unknown = app
        .browser()
        .sign_in("nobody@woodgrove.test", PASSWORD)
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let (wrong, unknown) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    assert!(wrong.contains("The username or password is incorrect."));
    assert!(unknown.contains("The username or password is incorrect."));
    assert!(
        wrong.contains("value=\"user1@woodgrove.test\""),
        "the username is kept"
    );
    assert_eq!(
        audit_count(&app, "Sign-in failed", "user1@woodgrove.test").await,
        1
    );
    assert_eq!(
        audit_count(&app, "Sign-in failed", "nobody@woodgrove.test").await,
        1
    );
}

#[tokio::test]
async fn five_failures_lock_the_account_for_a_growing_while() {
    let app = spawn_app().await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let browser = app.browser();
    for _ in 0..5 {
        assert_eq!(
            browser
                .sign_in("user1@woodgrove.test", "guess guess guess")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password is refused while locked.
    let locked = browser.sign_in("user1@woodgrove.test", PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.text().await.unwrap().contains("Wait 30 seconds"));
    assert_eq!(
        audit_count(
            &app,
            "Sign-in blocked after repeated failures",
            "user1@woodgrove.test"
        )
        .await,
        1
    );

    app.clock.advance(Duration::seconds(31));
    // One more failure doubles the wait.
    assert_eq!(
        browser
            .sign_in("user1@woodgrove.test", "guess again guess")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let locked = browser.sign_in("user1@woodgrove.test", PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.text().await.unwrap().contains("Wait 60 seconds"));

    app.clock.advance(Duration::seconds(61));
    assert_eq!(
        browser
            .sign_in("user1@woodgrove.test", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_unknown_account_is_throttled_like_a_known_one() {
    let app = spawn_app().await;
    let browser = app.browser();
    for _ in 0..5 {
        browser
            .sign_in("nobody@woodgrove.test", "guess guess guess")
            .await;
    }
    assert_eq!(
        browser
            .sign_in("nobody@woodgrove.test", "guess guess guess")
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn many_failures_from_one_address_throttle_that_address() {
    let app = spawn_app().await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let browser = app.browser();
    // Four tries each at five accounts: no account is locked, but the address is.
    for n in 0..20 {
        let account = format!("target{}@woodgrove.test", n % 5);
        assert_eq!(
            browser
                .sign_in(&account, "guess guess guess")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let locked = browser.sign_in("user1@woodgrove.test", PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(Duration::minutes(16));
    assert_eq!(
        browser
            .sign_in("user1@woodgrove.test", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let disabled = admin
        .post(&format!("/admin/users/{user1}/disable"), &[])
        .await;
    assert_eq!(disabled.status(), StatusCode::SEE_OTHER);
    let refused = app
        .browser()
        .sign_in("user1@woodgrove.test", PASSWORD)
        .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("The username or password is incorrect.")
    );
    assert!(
        admin
            .get_html("/admin/audit?target=user1")
            .await
            .contains("account disabled"),
        "the audit log says why"
    );
}

#[tokio::test]
async fn a_session_ends_after_the_idle_timeout() {
    let app = spawn_app().await;
    let (user, _) = app
        .signed_in("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    app.clock.advance(Duration::hours(7));
    assert_eq!(
        user.get("/myaccess/access").await.status(),
        StatusCode::OK,
        "activity within 8 hours keeps it"
    );
    app.clock.advance(Duration::hours(7));
    assert_eq!(
        user.get("/myaccess/access").await.status(),
        StatusCode::OK,
        "idle time counts from the last request"
    );
    app.clock.advance(Duration::hours(8) + Duration::minutes(1));
    let expired = user.get("/myaccess/access").await;
    assert_eq!(expired.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&expired), "/?next=%2Fmyaccess%2Faccess");
    assert!(
        user.get_html("/")
            .await
            .contains("signed out after a period of inactivity")
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_even_for_a_copied_cookie() {
    let app = spawn_app().await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let user = app.browser();
    let signed_in = user.sign_in("user1@woodgrove.test", PASSWORD).await;
    let copied = session_cookie(&signed_in);
    let replay = || async {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(user.url("/myaccess/access"))
            .header(reqwest::header::COOKIE, copied.clone())
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(
        replay().await,
        StatusCode::OK,
        "the copy works while signed in"
    );

    let out = user.post("/sign-out", &[]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(user.get_html("/").await.contains("You have signed out."));
    assert_eq!(
        user.get("/myaccess/access").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        replay().await,
        StatusCode::SEE_OTHER,
        "the copied cookie no longer works"
    );
    assert_eq!(
        audit_count(&app, "Sign out", "user1@woodgrove.test").await,
        1
    );
}

fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("gatehouse_session="))
        .and_then(|c| c.split(';').next())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn parallel_guesses_are_throttled_like_sequential_ones() {
    let app = spawn_app().await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let browser = app.browser();
    let token = browser.csrf_token().await;
    let attempts = (0..12).map(|n| {
        let password = format!("guess number {n:02}");
        let fields = vec![
            ("csrf_token".to_owned(), token.clone()),
            ("username".to_owned(), "user1@woodgrove.test".to_owned()),
            ("password".to_owned(), password),
        ];
        let request = browser.client.post(browser.url("/")).form(&fields);
        async move { request.send().await.unwrap().status() }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(refused, 7, "{statuses:?}");
    assert_eq!(
        audit_count(&app, "Sign-in failed", "user1@woodgrove.test").await,
        5
    );
}

#[tokio::test]
async fn guesses_from_one_address_do_not_lock_the_owner_out_elsewhere() {
    let app = spawn_app_with(|settings| settings.trusted_proxy = Some("127.0.0.1".into())).await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let attacker = app.browser();
    let token = attacker.csrf_token().await;
    let attempt = |from: &'static str, password: &'static str| {
        let fields = [
            ("csrf_token", token.clone()),
            ("username", "user1@woodgrove.test".to_owned()),
            ("password", password.to_owned()),
        ];
        attacker
            .client
            .post(attacker.url("/"))
            .header("X-Forwarded-For", from)
            .form(&fields)
            .send()
    };
    for _ in 0..5 {
        assert_eq!(
            attempt("203.0.113.9", "guess guess guess")
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        attempt("203.0.113.9", PASSWORD).await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        attempt("198.51.100.7", PASSWORD).await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "the owner, elsewhere"
    );
    let (admin, _) = app.admin().await;
    assert!(
        admin
            .get_html("/admin/audit?target=user1")
            .await
            .contains("203.0.113.9"),
        "the audit log names the real client"
    );
}

#[tokio::test]
async fn after_sign_in_people_return_to_the_page_they_asked_for_but_never_to_another_site() {
    let app = spawn_app().await;
    app.create_user(
        "admin1@woodgrove.test",
        "Admin1",
        DirectoryRole::GlobalAdministrator,
    )
    .await;
    let browser = app.browser();
    let asked = browser.get("/admin/groups?page=1").await;
    assert_eq!(location(&asked), "/?next=%2Fadmin%2Fgroups%3Fpage%3D1");
    let token = browser.csrf_token().await;
    let fields = [
        ("csrf_token", token.as_str()),
        ("username", "admin1@woodgrove.test"),
        ("password", PASSWORD),
        ("next", "/admin/groups?page=1"),
    ];
    assert_eq!(
        location(&browser.post_raw("/", &fields).await),
        "/admin/groups?page=1"
    );

    let other = app.browser();
    let token = other.csrf_token().await;
    let fields = [
        ("csrf_token", token.as_str()),
        ("username", "admin1@woodgrove.test"),
        ("password", PASSWORD),
        ("next", "//evil.test/"),
    ];
    assert_eq!(
        location(&other.post_raw("/", &fields).await),
        "/admin/users"
    );
}

#[tokio::test]
async fn the_owner_signing_in_does_not_reset_the_count_of_guesses_from_elsewhere() {
    let app = spawn_app_with(|settings| settings.trusted_proxy = Some("127.0.0.1".into())).await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let attempt = async |browser: &Browser, from: &str, password: &str| {
        let fields = [
            ("csrf_token", browser.csrf_token().await),
            ("username", "user1@woodgrove.test".to_owned()),
            ("password", password.to_owned()),
        ];
        let response = browser
            .client
            .post(browser.url("/"))
            .header("X-Forwarded-For", from)
            .form(&fields)
            .send()
            .await;
        response.unwrap().status()
    };
    let (attacker, owner) = (app.browser(), app.browser());
    for _ in 0..4 {
        assert_eq!(
            attempt(&attacker, "203.0.113.9", "guess guess guess").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        attempt(&owner, "198.51.100.7", PASSWORD).await,
        StatusCode::SEE_OTHER,
        "the owner signs in from elsewhere"
    );
    assert_eq!(
        attempt(&attacker, "203.0.113.9", "guess guess guess").await,
        StatusCode::UNAUTHORIZED,
        "the fifth guess"
    );
    assert_eq!(
        attempt(&attacker, "203.0.113.9", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "five guesses from that address lock it, the owner's sign-in notwithstanding"
    );
}

#[tokio::test]
async fn the_owner_signing_in_clears_the_owners_own_earlier_mistakes() {
    let app = spawn_app().await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let browser = app.browser();
    for _ in 0..4 {
        browser
            .sign_in("user1@woodgrove.test", "typo typo typo")
            .await;
    }
    assert_eq!(
        browser
            .sign_in("user1@woodgrove.test", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let again = app.browser();
    for _ in 0..4 {
        assert_eq!(
            again
                .sign_in("user1@woodgrove.test", "typo typo typo")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn a_disabled_account_answers_the_same_to_a_right_and_a_wrong_password() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    admin
        .post(&format!("/admin/users/{user1}/disable"), &[])
        .await;
    let right = app
        .browser()
        .sign_in("user1@woodgrove.test", PASSWORD)
        .await;
    let wrong = app
        .browser()
        .sign_in("user1@woodgrove.test", "not the password")
        .await;
    let unknown = app
        .browser()
        .sign_in("nobody@woodgrove.test", PASSWORD)
        .await;
    assert_eq!(right.status(), wrong.status());
    assert_eq!(right.status(), unknown.status());
    let (right, wrong, unknown) = (
        right.text().await.unwrap(),
        wrong.text().await.unwrap(),
        unknown.text().await.unwrap(),
    );
    let message = |html: &str| {
        html.lines()
            .find(|line| line.contains("class=\"error") || line.contains("role=\"alert\""))
            .map(str::trim)
            .map(str::to_owned)
    };
    assert_eq!(message(&right), message(&wrong));
    assert_eq!(message(&right), message(&unknown));
    assert!(right.contains("The username or password is incorrect."));
    assert_eq!(
        audit_count(&app, "Sign-in failed", "user1@woodgrove.test").await,
        2,
        "the audit log still says why"
    );
}

#[tokio::test]
async fn attempts_blocked_while_locked_write_one_audit_row_per_lockout() {
    let app = spawn_app().await;
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let browser = app.browser();
    for _ in 0..5 {
        browser
            .sign_in("user1@woodgrove.test", "guess guess guess")
            .await;
    }
    for _ in 0..4 {
        assert_eq!(
            browser
                .sign_in("user1@woodgrove.test", PASSWORD)
                .await
                .status(),
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    let blocked = || {
        audit_count(
            &app,
            "Sign-in blocked after repeated failures",
            "user1@woodgrove.test",
        )
    };
    assert_eq!(blocked().await, 1);

    app.clock.advance(Duration::seconds(31));
    browser
        .sign_in("user1@woodgrove.test", "guess again guess")
        .await;
    for _ in 0..3 {
        assert_eq!(
            browser
                .sign_in("user1@woodgrove.test", PASSWORD)
                .await
                .status(),
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    assert_eq!(blocked().await, 2, "a new lockout, a new row");
}
