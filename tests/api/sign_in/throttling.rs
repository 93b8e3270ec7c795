//! Throttled guessing: lockouts per account and per address, in sequence or in parallel.
use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;
use time::Duration;

use crate::helpers::{Browser, PASSWORD, audit_count, spawn_app, spawn_app_with};

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
