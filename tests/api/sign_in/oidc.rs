//! Single sign-on against a real, certified OpenID provider: panva's `oidc-provider` from
//! the npm registry, run by Node on a free port with a client registered for the test
//! (`tests/oidc/provider.mjs`; `.ci/run` installs it with `npm ci --prefix tests/oidc`).
use std::io::Write;
use std::process::Stdio;

use gatehouse::config::Settings;
use gatehouse::domain::user::DirectoryRole;
use gatehouse::entities::{audit_event, user};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::helpers::{Browser, PASSWORD, TestApp, location, spawn_app_with};

const CLIENT_ID: &str = "gatehouse";
const CLIENT_SECRET: &str = "gatehouse-test-secret";

/// The provider, killed when dropped (and gone when its stdin closes).
struct Provider {
    issuer: String,
    _child: tokio::process::Child,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn provider_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// Whether Node and the provider's packages are there; says how to get them when not.
fn available(suite: &str) -> bool {
    let installed = provider_dir().join("node_modules/oidc-provider").is_dir()
        && std::process::Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    if !installed {
        let required = std::env::var("GATEHOUSE_REAL_SERVERS").is_ok_and(|v| v == "required");
        assert!(
            !required,
            "{suite}: the OpenID provider is not installed (npm ci --prefix tests/oidc)"
        );
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {suite}: needs Node.js and oidc-provider. Install it with \
             `npm ci --prefix tests/oidc` (`.ci/run` does) and run cargo test again."
        );
    }
    installed
}

impl Provider {
    async fn start(port: u16, redirect_uri: &str) -> Self {
        let mut child = tokio::process::Command::new("node")
            .arg(provider_dir().join("provider.mjs"))
            .env("OIDC_PORT", port.to_string())
            .env("OIDC_CLIENT_ID", CLIENT_ID)
            .env("OIDC_CLIENT_SECRET", CLIENT_SECRET)
            .env("OIDC_REDIRECT_URI", redirect_uri)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts");
        let mut lines = BufReader::new(child.stdout.take().expect("its output")).lines();
        let issuer = loop {
            let line = lines
                .next_line()
                .await
                .expect("a line")
                .expect("the provider said it listens");
            if let Some(issuer) = line.strip_prefix("listening ") {
                break issuer.to_owned();
            }
        };
        Self {
            issuer,
            _child: child,
        }
    }

    /// Changes a test account's claims at the provider, as an admin there renames someone.
    async fn change_account(&self, sub: &str, claims: &[(&str, &str)]) {
        let mut form = vec![("sub", sub)];
        form.extend_from_slice(claims);
        reqwest::Client::new()
            .post(format!("{}/__test/account", self.issuer))
            .form(&form)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .expect("the test hook answers");
    }

    /// How the provider's token endpoint spoils the next ID tokens (`normal` to stop).
    async fn spoil_id_tokens(&self, mode: &str) {
        reqwest::Client::new()
            .post(format!("{}/__test/id_token_mode", self.issuer))
            .form(&[("mode", mode)])
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .expect("the test hook answers");
    }
}

/// Gatehouse with single sign-on to a fresh provider (on ports chosen first, since each must
/// know the other's address), with `change` made to its settings.
async fn with_provider(
    suite: &str,
    change: impl FnOnce(&mut Settings),
) -> Option<(Provider, TestApp)> {
    if !available(suite) {
        return None;
    }
    let (app_port, idp_port) = (free_port(), free_port());
    let issuer = format!("http://127.0.0.1:{idp_port}");
    let app = spawn_app_with(|s| {
        s.bind = format!("127.0.0.1:{app_port}");
        s.public_url = Some(format!("http://127.0.0.1:{app_port}"));
        s.oidc_issuer = Some(issuer);
        s.oidc_client_id = Some(CLIENT_ID.into());
        s.oidc_client_secret = Some(CLIENT_SECRET.into());
        s.oidc_name = "Contoso".into();
        change(s);
    })
    .await;
    let provider =
        Provider::start(idp_port, &format!("{}/sign-in/oidc/callback", app.address)).await;
    Some((provider, app))
}

/// What a person's browser does: `Sign in with Contoso`, the provider's login form, and
/// back; returns the browser and the path (with query) the provider sent it back to.
async fn through_provider(app: &TestApp, login: &str, password: &str) -> (Browser, String) {
    let browser = app.browser();
    let started = browser.get("/sign-in/oidc").await;
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    let mut url = url::Url::parse(&location(&started)).expect("the provider's URL");
    let idp = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for _ in 0..10 {
        if url.as_str().starts_with(&app.address) {
            let back = format!("{}?{}", url.path(), url.query().unwrap_or_default());
            return (browser, back);
        }
        let answer = if url.path().starts_with("/interaction/") {
            idp.post(url.clone())
                .form(&[
                    ("prompt", "login"),
                    ("login", login),
                    ("password", password),
                ])
                .send()
                .await
        } else {
            idp.get(url.clone()).send().await
        }
        .expect("the provider answers");
        let to = answer
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no redirect from {url}"))
            .to_owned();
        url = url.join(&to).expect("a URL");
    }
    panic!("the provider never sent the browser back");
}

async fn audit_rows(app: &TestApp, action: &str) -> Vec<audit_event::Model> {
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq(action))
        .all(&app.db)
        .await
        .expect("audit")
}

#[tokio::test]
async fn a_first_sign_in_creates_the_user_and_a_returning_one_is_the_same_user() {
    let Some((_provider, app)) =
        with_provider("OIDC just in time", |s| s.oidc_new_users = "create".into()).await
    else {
        return;
    };
    // The button is above the password form.
    let page = app.browser().get("/").await.text().await.expect("page");
    let button = page.find("Sign in with Contoso").expect("the button");
    assert!(
        button < page.find("id=\"password\"").expect("the form"),
        "{page}"
    );

    let (browser, back) = through_provider(&app, "alice", "password").await;
    let landed = browser.get(&back).await;
    assert_eq!(landed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&landed), "/myaccess/access-packages");
    let html = browser.get_html("/myaccess/access-packages").await;
    assert!(html.contains("Alice Example"), "{html}");
    let alice = user::Entity::find()
        .filter(user::Column::UserPrincipalName.eq("alice@example.test"))
        .one(&app.db)
        .await
        .expect("query")
        .expect("Alice was created");
    assert_eq!(alice.directory_role, "user");
    assert_eq!(alice.email.as_deref(), Some("alice@example.test"));
    let added = audit_rows(&app, "Add user").await;
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].actor_name, "Contoso (single sign-on)");
    let signed = audit_rows(&app, "Sign-in succeeded").await;
    assert!(
        signed
            .iter()
            .any(|e| e.detail.contains("\"provider\":\"Contoso\"")
                && e.detail.contains("\"subject\":\"alice\"")),
        "{signed:?}"
    );

    // Signing out ends the session; coming back is the same account.
    browser.post("/sign-out", &[]).await;
    assert_eq!(
        browser.get("/myaccess/access-packages").await.status(),
        StatusCode::SEE_OTHER
    );
    let (again, back) = through_provider(&app, "alice", "password").await;
    assert_eq!(again.get(&back).await.status(), StatusCode::SEE_OTHER);
    let count = user::Entity::find()
        .filter(user::Column::UserPrincipalName.eq("alice@example.test"))
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(count, 1);
}

#[tokio::test]
async fn someone_without_an_account_is_refused_and_a_known_user_gets_in() {
    let Some((_provider, app)) = with_provider("OIDC refusal", |_| {}).await else {
        return;
    };
    let (browser, back) = through_provider(&app, "alice", "password").await;
    let refused = browser.get(&back).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let html = refused.text().await.expect("page");
    assert!(
        html.contains("There is no Gatehouse account for alice@example.test."),
        "{html}"
    );
    assert_eq!(
        browser.get("/myaccess/access-packages").await.status(),
        StatusCode::SEE_OTHER,
        "not signed in"
    );
    let failed = audit_rows(&app, "Sign-in failed").await;
    assert!(
        failed[0].detail.contains("no Gatehouse account"),
        "{failed:?}"
    );

    // Once an admin adds Alice, the same sign-in works, as her account.
    let alice = app
        .create_user("alice@example.test", "Alice", DirectoryRole::User)
        .await;
    let (browser, back) = through_provider(&app, "alice", "password").await;
    assert_eq!(browser.get(&back).await.status(), StatusCode::SEE_OTHER);
    let html = browser.get_html("/myaccess/access-packages").await;
    assert!(html.contains("Alice"), "{html}");
    let signed = audit_rows(&app, "Sign-in succeeded").await;
    assert_eq!(signed[0].actor_id, Some(alice));
}

#[tokio::test]
async fn a_wrong_state_a_replayed_code_and_spoiled_id_tokens_are_refused() {
    let Some((provider, app)) = with_provider("OIDC refusals", |s| {
        s.oidc_new_users = "create".into();
    })
    .await
    else {
        return;
    };
    // Another state than the one this browser started with.
    let (browser, back) = through_provider(&app, "alice", "password").await;
    let forged = back.replace("state=", "state=forged");
    let refused = browser.get(&forged).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let html = refused.text().await.expect("page");
    assert!(html.contains("already used or has expired"), "{html}");

    // A code used once cannot be used again, in this browser or another.
    let (browser, back) = through_provider(&app, "alice", "password").await;
    assert_eq!(browser.get(&back).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        browser.get(&back).await.status(),
        StatusCode::BAD_REQUEST,
        "replayed"
    );
    let stranger = app.browser();
    assert_eq!(stranger.get(&back).await.status(), StatusCode::BAD_REQUEST);

    // ID tokens the provider's keys did not sign as they are, or that ran out, are refused.
    for (mode, words) in [
        ("tampered", "could not be trusted"),
        ("bad_signature", "could not be trusted"),
        ("expired", "could not be trusted"),
        ("wrong_aud", "could not be trusted"),
        ("wrong_nonce", "could not be trusted"),
    ] {
        provider.spoil_id_tokens(mode).await;
        let (browser, back) = through_provider(&app, "bob", "password").await;
        let refused = browser.get(&back).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{mode}");
        let html = refused.text().await.expect("page");
        assert!(html.contains(words), "{mode}: {html}");
        assert_eq!(
            browser.get("/myaccess/access-packages").await.status(),
            StatusCode::SEE_OTHER,
            "{mode}: not signed in"
        );
    }
    provider.spoil_id_tokens("normal").await;
    // Bob's address is one the provider has not verified: it names nobody.
    let (browser, back) = through_provider(&app, "bob", "password").await;
    let refused = browser.get(&back).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let html = refused.text().await.expect("page");
    assert!(html.contains("did not say who you are (email"), "{html}");
    let bob = user::Entity::find()
        .filter(user::Column::UserPrincipalName.eq("bob@example.test"))
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(bob, 0, "nobody was created from a spoiled token");

    // A wrong password at the provider comes back as its refusal, in words.
    let (browser, back) = through_provider(&app, "alice", "wrong").await;
    let refused = browser.get(&back).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let html = refused.text().await.expect("page");
    assert!(html.contains("Contoso did not sign you in"), "{html}");
}

#[tokio::test]
async fn a_provider_that_is_down_gets_a_clear_page() {
    if !available("OIDC provider down") {
        return;
    }
    let app = spawn_app_with(|s| {
        s.oidc_issuer = Some(format!("http://127.0.0.1:{}", free_port()));
        s.oidc_client_id = Some(CLIENT_ID.into());
        s.oidc_client_secret = Some(CLIENT_SECRET.into());
        s.oidc_name = "Contoso".into();
    })
    .await;
    let browser = app.browser();
    let answer = browser.get("/sign-in/oidc").await;
    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
    let html = answer.text().await.expect("page");
    assert!(
        html.contains("The identity provider could not be reached"),
        "{html}"
    );
    // Passwords still work meanwhile.
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let signed = browser.sign_in("user1@woodgrove.test", PASSWORD).await;
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn password_sign_in_can_be_kept_for_admins_or_turned_off() {
    let Some((_provider, app)) =
        with_provider("OIDC local sign-in", |s| s.local_sign_in = "admins".into()).await
    else {
        return;
    };
    let page = app.browser().get("/").await.text().await.expect("page");
    assert!(
        page.contains("Global administrators can also sign in with a password"),
        "{page}"
    );
    app.create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let user = app.browser();
    let refused = user.sign_in("user1@woodgrove.test", PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let html = refused.text().await.expect("page");
    assert!(html.contains("kept for Global administrators"), "{html}");
    let (admin, _) = app.admin().await;
    assert_eq!(
        admin.get("/admin/users").await.status(),
        StatusCode::OK,
        "a Global administrator still signs in with a password"
    );

    let Some((_provider, off)) =
        with_provider("OIDC local sign-in off", |s| s.local_sign_in = "off".into()).await
    else {
        return;
    };
    let page = off.browser().get("/").await.text().await.expect("page");
    assert!(page.contains("Sign in with Contoso"), "{page}");
    assert!(!page.contains("id=\"password\""), "{page}");
    let refused = off
        .browser()
        .post_raw(
            "/",
            &[
                ("username", "admin1@woodgrove.test"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn someone_renamed_at_the_provider_keeps_their_account_and_history() {
    let Some((provider, app)) =
        with_provider("OIDC movers", |s| s.oidc_new_users = "create".into()).await
    else {
        return;
    };
    let (browser, back) = through_provider(&app, "alice", "password").await;
    assert_eq!(browser.get(&back).await.status(), StatusCode::SEE_OTHER);
    let first = user::Entity::find()
        .filter(user::Column::UserPrincipalName.eq("alice@example.test"))
        .one(&app.db)
        .await
        .expect("query")
        .expect("Alice was created");

    // Alice marries; her address (the claim Gatehouse matches on) changes at the provider.
    provider
        .change_account("alice", &[("email", "alice.smith@example.test")])
        .await;
    let (browser, back) = through_provider(&app, "alice", "password").await;
    assert_eq!(browser.get(&back).await.status(), StatusCode::SEE_OTHER);
    let after = user::Entity::find_by_id(first.id)
        .one(&app.db)
        .await
        .expect("query")
        .expect("the same account");
    assert_eq!(after.user_principal_name, "alice.smith@example.test");
    assert_eq!(after.email.as_deref(), Some("alice.smith@example.test"));
    assert_eq!(user::Entity::find().count(&app.db).await.expect("count"), 1);
    let updated = audit_rows(&app, "Update user").await;
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0].actor_name, "Contoso (single sign-on)");
    assert!(
        updated[0].detail.contains("alice@example.test"),
        "before and after"
    );
    let signed = audit_rows(&app, "Sign-in succeeded").await;
    assert!(signed.iter().all(|e| e.actor_id == Some(first.id)));
}

#[tokio::test]
async fn a_name_handed_to_someone_else_does_not_open_the_old_account() {
    let Some((provider, app)) = with_provider("OIDC reassigned names", |s| {
        s.oidc_new_users = "create".into();
        s.oidc_claim = "preferred_username".into();
    })
    .await
    else {
        return;
    };
    provider
        .change_account("alice", &[("preferred_username", "finance@example.test")])
        .await;
    let (browser, back) = through_provider(&app, "alice", "password").await;
    assert_eq!(browser.get(&back).await.status(), StatusCode::SEE_OTHER);

    // The provider gives the name to Bob (Alice was renamed there, but has not signed in).
    provider
        .change_account("alice", &[("preferred_username", "alice@example.test")])
        .await;
    provider
        .change_account("bob", &[("preferred_username", "finance@example.test")])
        .await;
    let (browser, back) = through_provider(&app, "bob", "password").await;
    let refused = browser.get(&back).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let html = refused.text().await.expect("page");
    assert!(html.contains("belongs to someone else"), "{html}");
    assert_eq!(
        browser.get("/myaccess/access-packages").await.status(),
        StatusCode::SEE_OTHER,
        "not signed in"
    );
}
