//! Signing in through a real OpenID provider (panva's `oidc-provider`, as in the API suite)
//! in headless Chromium: the button on Gatehouse's page, the provider's own login form, and
//! back into My Access as the person the provider vouched for (created just in time).
use std::process::{Command, Stdio};

use fantoccini::Locator;

use crate::harness::{
    Page, Process, Step, StepError, axe_source, browser, free_port, start_chromedriver,
    start_gatehouse_with,
};

/// The provider on `port`, sending people back to `redirect_uri`; `None` when Node or the
/// package is missing (and the run does not require it).
fn start_provider(port: u16, redirect_uri: &str) -> Option<Process> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc");
    if !dir.join("node_modules/oidc-provider").is_dir() {
        let required = std::env::var("GATEHOUSE_REAL_SERVERS").is_ok_and(|v| v == "required");
        assert!(
            !required,
            "the OpenID provider is not installed (npm ci --prefix tests/oidc)"
        );
        eprintln!("SKIPPED single sign-on in a browser: run `npm ci --prefix tests/oidc` first");
        return None;
    }
    let mut child = Command::new("node")
        .arg(dir.join("provider.mjs"))
        .env("OIDC_PORT", port.to_string())
        .env("OIDC_CLIENT_ID", "gatehouse")
        .env("OIDC_CLIENT_SECRET", "gatehouse-test-secret")
        .env("OIDC_REDIRECT_URI", redirect_uri)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node starts");
    let out = child.stdout.take().expect("its output");
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(out));
    let ready = lines.any(|l| l.is_ok_and(|l| l.starts_with("listening ")));
    assert!(ready, "the OpenID provider did not start");
    std::thread::spawn(move || for _ in lines {});
    Some(Process(child))
}

async fn fill_provider_login(p: &mut Page) -> Step {
    let login = p
        .client
        .wait()
        .for_element(Locator::Css("input[name=login]"))
        .await
        .map_err(|_| StepError("the provider's login form did not show".into()))?;
    login.clear().await?;
    login.send_keys("alice").await?;
    let password = p.client.find(Locator::Css("input[name=password]")).await?;
    password.clear().await?;
    password.send_keys("password").await?;
    Ok(())
}

async fn sign_in_with_contoso(p: &mut Page) -> Step {
    p.client.goto(&format!("{}/", p.base)).await?;
    p.check_page("opening the sign-in page").await?;
    p.expect_text("Sign in with Contoso").await?;
    p.screenshot("sso-sign-in").await?;
    // Off to the provider, whose page is not Gatehouse's to check.
    p.client
        .find(Locator::LinkText("Sign in with Contoso"))
        .await?
        .click()
        .await?;
    // The provider's own login form. It may be drawn again as its page settles (an element
    // found a moment before is then stale): fill it again, a few times at most.
    let mut filled = Err(StepError("the provider's login form did not show".into()));
    for _ in 0..5 {
        filled = fill_provider_login(p).await;
        if filled.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    filled?;
    p.screenshot("sso-provider-login").await?;
    p.client
        .find(Locator::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    p.wait_for_text("Alice Example", 20).await?;
    // The provider's page loaded fonts it could not reach here; that is its business.
    p.forget_console().await?;
    p.client.refresh().await?;
    p.check_page("coming back from the provider").await?;
    p.screenshot("sso-signed-in").await
}

#[tokio::test]
#[ignore = "needs Chromium, chromedriver, axe-core and the OpenID provider: run `cargo test --test browser -- --ignored` (see README)"]
async fn signing_in_through_the_identity_provider() {
    let (app_port, idp_port) = (free_port(), free_port());
    let base = format!("http://127.0.0.1:{app_port}");
    let Some(_provider) = start_provider(idp_port, &format!("{base}/sign-in/oidc/callback")) else {
        return;
    };
    let data = tempfile::tempdir().expect("a data dir");
    let (_server, base, _setup) = start_gatehouse_with(
        data.path(),
        app_port,
        &[
            ("GATEHOUSE_PUBLIC_URL", base.clone()),
            (
                "GATEHOUSE_OIDC_ISSUER",
                format!("http://127.0.0.1:{idp_port}"),
            ),
            ("GATEHOUSE_OIDC_CLIENT_ID", "gatehouse".into()),
            (
                "GATEHOUSE_OIDC_CLIENT_SECRET",
                "gatehouse-test-secret".into(),
            ),
            ("GATEHOUSE_OIDC_NAME", "Contoso".into()),
            ("GATEHOUSE_OIDC_NEW_USERS", "create".into()),
        ],
    );
    let (_driver, driver) = start_chromedriver().await;
    let mut page = Page {
        client: browser(&driver, 1280, 900).await,
        base,
        driver,
        axe: axe_source(),
        name: "sso",
        shots: 0,
    };
    let done = sign_in_with_contoso(&mut page).await;
    crate::tutorial::check(&page, "single-sign-on", done).await;
    let _ = page.client.close().await;
}
