//! The tutorial, step by step, as a person would do it.
use fantoccini::Locator;
use fantoccini::key::Key;

use crate::harness::{
    Page, Step, StepError, axe_source, browser, start_chromedriver, start_gatehouse,
};
use crate::slapd;

const ADMIN_PASSWORD: &str = "Admin1 password for the tutorial";
const USER_PASSWORD: &str = "User1 password for the tutorial";
const PACKAGE: &str = "Web project access package";

/// After a step: on failure, saves the page and stops with the step's name and the reason.
pub(crate) async fn check<T>(page: &Page, name: &str, result: Step<T>) -> T {
    match result {
        Ok(value) => value,
        Err(StepError(why)) => {
            page.save_failure(name).await;
            panic!(
                "{name}: {why} (the page is saved as target/screenshots/FAILED-{name}.png and .html)"
            );
        }
    }
}

async fn sign_in(p: &mut Page, upn: &str, password: &str) -> Step {
    p.fill("Username", upn).await?;
    p.fill("Password", password).await?;
    p.press("Sign in").await
}

async fn sign_out(p: &mut Page) -> Step {
    p.press("Sign out").await?;
    p.expect_text("You have signed out.").await
}

async fn step1(p: &mut Page, setup: &str) -> Step {
    p.open(setup).await?;
    p.screenshot("setup").await?;
    p.fill("Display name", "Admin1").await?;
    p.fill("User principal name", "admin1@woodgrove.test")
        .await?;
    p.fill("Password", ADMIN_PASSWORD).await?;
    p.fill("Confirm password", ADMIN_PASSWORD).await?;
    p.press("Create administrator").await?;
    p.expect_text("You are the first Global administrator")
        .await?;
    sign_out(p).await?;
    p.screenshot("sign-in").await?;
    sign_in(p, "admin1@woodgrove.test", ADMIN_PASSWORD).await?;
    p.nav("Users").await?;
    p.follow("", "New user").await?;
    p.fill("Display name", "User1").await?;
    p.fill("User principal name", "user1@woodgrove.test")
        .await?;
    p.select("Directory role", "User").await?;
    p.fill("Password", USER_PASSWORD).await?;
    p.press("Create").await?;
    p.expect_text("User created: User1").await?;
    p.nav("Users").await?;
    p.expect_text("Global administrator").await?;
    p.screenshot("users").await?;
    p.nav("Groups").await?;
    p.follow("", "New group").await?;
    p.fill("Group name", "Engineering Group").await?;
    p.select("Membership type", "Assigned").await?;
    p.press("Create").await?;
    p.expect_text("Group created: Engineering Group").await?;
    p.follow("//nav[contains(@class,'tabs')]", "Members")
        .await?;
    p.expect_text("No members").await?;
    p.screenshot("engineering-group").await
}

async fn step2(p: &mut Page) -> Step {
    p.nav("Access packages").await?;
    p.press("New access package").await?;
    p.fill("Name", PACKAGE).await?;
    p.fill(
        "Description",
        "Access package for the Engineering web project",
    )
    .await?;
    p.screenshot("basics").await?;
    p.press("Next").await?;
    p.press("Groups").await?;
    // Ticking the box shows the groups outside the catalog at once: no Search to press.
    p.choose(None, "See groups not yet in the Default catalog catalog")
        .await?;
    p.choose(None, "Engineering Group").await?;
    p.screenshot("select-groups").await?;
    p.press("Select").await?;
    p.select("Role for Engineering Group", "Member").await?;
    p.screenshot("resource-roles").await?;
    p.press("Next").await?;
    p.expect_chosen("Create first policy", "Will create later")
        .await?;
    p.screenshot("policy").await?;
    p.press("Next").await?;
    p.screenshot("review").await?;
    p.press("Create").await?;
    p.expect_text("Users cannot see or request it until it has an enabled policy")
        .await
}

/// Only the settings the tutorial names; the rest keep the form's defaults, and step 4 still
/// works as written.
async fn step3(p: &mut Page) -> Step<String> {
    p.subnav("Policies").await?;
    p.follow("", "Add policy").await?;
    p.fill("Name", "Internal user policy").await?;
    p.fill(
        "Description",
        "Allows users in this directory to request access to web project resources",
    )
    .await?;
    p.choose(
        Some("Users who can request access"),
        "For users in your directory",
    )
    .await?;
    p.press("Add users and groups").await?;
    p.choose(None, "User1 user1@woodgrove.test").await?;
    p.press("Select").await?;
    p.press("Add approvers").await?;
    p.choose(None, "Admin1 admin1@woodgrove.test").await?;
    p.press("Select").await?;
    p.choose(Some("Access package assignments expire"), "Number of days")
        .await?;
    p.fill("Assignments expire after (days)", "30").await?;
    // Not in the tutorial: User1 will extend access before it ends.
    p.choose(Some("Allow users to extend access"), "Yes")
        .await?;
    p.choose(Some("Enable policy"), "Yes").await?;
    p.screenshot("add-policy").await?;
    p.press("Create").await?;
    p.expect_text("Policy created: Internal user policy")
        .await?;
    p.subnav("Overview").await?;
    p.screenshot("overview").await?;
    let link = p
        .field("My Access portal link")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    if !link.contains("/myaccess/access-packages/") {
        return Err(StepError(format!(
            "the My Access portal link reads “{link}”"
        )));
    }
    sign_out(p).await?;
    Ok(link)
}

/// Step 4 with the keyboard alone: Tab, arrows, typing and Enter.
async fn step4(p: &mut Page, link: &str, today: time::Date) -> Step {
    p.open(link).await?;
    sign_in(p, "user1@woodgrove.test", USER_PASSWORD).await?;
    p.expect_text("Request access").await?;
    p.tab_to("#justification", "Business justification").await?;
    p.client
        .active_element()
        .await?
        .send_keys("Working on web project")
        .await?;
    p.tab_to("input[name=specific_period]", "Request for specific period")
        .await?;
    // The group's checked radio (No) has focus: the arrow key moves to Yes.
    p.key(Key::Up).await?;
    let tomorrow = today
        .next_day()
        .ok_or_else(|| StepError("no tomorrow".into()))?;
    for (css, date) in [("#start_date", today), ("#end_date", tomorrow)] {
        p.tab_to(css, css).await?;
        let typed = format!(
            "{:02}{:02}{}",
            u8::from(date.month()),
            date.day(),
            date.year()
        );
        p.client.active_element().await?.send_keys(&typed).await?;
    }
    p.screenshot("request-access").await?;
    p.tab_to("button[type=submit].btn-primary", "Submit")
        .await?;
    p.key(Key::Enter).await?;
    p.check_page("submitting the request").await?;
    p.expect_text("Request submitted").await?;
    p.nav("Request history").await?;
    p.expect_text("Pending approval").await?;
    p.screenshot("request-history").await
}

async fn phone_sign_in(p: &mut Page) -> Step {
    p.open("/").await?;
    sign_in(p, "user1@woodgrove.test", USER_PASSWORD).await
}

/// My Access at phone width, for the record.
async fn phone_pages(p: &mut Page) -> Step {
    for (path, label) in [
        ("/myaccess/access-packages", "phone-access-packages"),
        ("/myaccess/request-history", "phone-request-history"),
        ("/myaccess/approvals", "phone-approvals"),
        ("/myaccess/access", "phone-my-access"),
    ] {
        p.open(path).await?;
        p.screenshot(label).await?;
    }
    Ok(())
}

async fn step5(p: &mut Page) -> Step {
    sign_in(p, "admin1@woodgrove.test", ADMIN_PASSWORD).await?;
    p.nav("My Access").await?;
    p.nav("Approvals").await?;
    p.follow("//nav[contains(@class,'tabs')]", "Pending")
        .await?;
    p.expect_text("User1").await?;
    let view = p
        .client
        .find(fantoccini::Locator::XPath(
            "//tr[contains(., 'User1')]//a[starts-with(normalize-space(), 'View')]",
        ))
        .await;
    view.map_err(|_| StepError("could not find View for User1".into()))?
        .click()
        .await?;
    p.check_page("opening the request").await?;
    p.choose(Some("Decision"), "Approve").await?;
    p.fill("Reason", "Approved access for web project").await?;
    p.screenshot("approve").await?;
    p.press("Submit").await?;
    p.expect_text("Request approved").await
}

/// Not in the tutorial: User1's access ends tomorrow, so My access says so and offers
/// `Extend`; User1 asks for as long as the policy gives.
async fn extend_request(p: &mut Page, today: time::Date) -> Step {
    p.nav("My access").await?;
    p.expect_text("Ends in").await?;
    p.screenshot("my-access-ending-soon").await?;
    p.follow("", "Extend: Web project access package").await?;
    p.expect_text("Extend access").await?;
    p.fill("Business justification", "The project runs two more weeks")
        .await?;
    // The new end date starts as the latest the policy gives (30 days from today).
    let until = (today + time::Duration::days(30)).to_string();
    let offered = p
        .field("New end date")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    if offered != until {
        return Err(StepError(format!(
            "the new end date offered is “{offered}”, not {until}"
        )));
    }
    p.screenshot("extend-access").await?;
    p.press("Submit").await?;
    p.expect_text("Extension requested").await?;
    p.expect_text("Pending approval").await?;
    p.client.set_window_size(390, 844).await?;
    p.open("/myaccess/access").await?;
    p.expect_text("Extension waiting for approval").await?;
    p.screenshot("my-access-extension-waiting-phone").await?;
    p.client.set_window_size(1280, 900).await?;
    Ok(())
}

/// Admin1 sees one request waiting next to `Approvals`, and approves the extension.
async fn approve_extension(p: &mut Page) -> Step {
    p.open("/myaccess/access-packages").await?;
    let count = p
        .client
        .find(fantoccini::Locator::Css(".sidenav .nav-count"))
        .await
        .map_err(|_| StepError("no count next to Approvals".into()))?
        .text()
        .await?;
    if count != "1" {
        return Err(StepError(format!("Approvals counts {count}, not 1")));
    }
    p.nav("Approvals").await?;
    p.screenshot("approvals-count").await?;
    let view = p
        .client
        .find(fantoccini::Locator::XPath(
            "//tr[contains(., 'User1')]//a[starts-with(normalize-space(), 'View')]",
        ))
        .await;
    view.map_err(|_| StepError("could not find View for User1's extension".into()))?
        .click()
        .await?;
    p.check_page("opening the extension").await?;
    p.expect_text("The project runs two more weeks").await?;
    p.choose(Some("Decision"), "Approve").await?;
    p.press("Submit").await?;
    p.expect_text("Request approved").await
}

async fn step6(p: &mut Page) -> Step {
    p.nav("Admin portal").await?;
    p.nav("Access packages").await?;
    p.follow("", PACKAGE).await?;
    p.subnav("Requests").await?;
    p.expect_text("Internal user policy").await?;
    p.expect_text("Fulfilled").await?;
    p.expect_text("Extend access").await?;
    p.screenshot("requests").await?;
    p.follow("", "User1").await?;
    p.expect_text("Approved by Admin1").await?;
    p.screenshot("request-details").await?;
    p.nav("Groups").await?;
    p.follow("", "Engineering Group").await?;
    p.follow("//nav[contains(@class,'tabs')]", "Members")
        .await?;
    p.expect_text("user1@woodgrove.test").await?;
    p.screenshot("group-members").await
}

async fn step7(p: &mut Page) -> Step {
    p.nav("Access packages").await?;
    p.follow("", PACKAGE).await?;
    p.subnav("Assignments").await?;
    p.follow("", "Remove access: User1").await?;
    p.press("Remove access").await?;
    p.expect_text("Access removed: User1").await?;
    p.subnav("Policies").await?;
    p.follow("", "Delete Internal user policy").await?;
    p.press("Delete").await?;
    p.expect_text("Policy deleted").await?;
    p.subnav("Resource roles").await?;
    p.follow("", "Remove resource role: Engineering Group")
        .await?;
    p.press("Remove resource role").await?;
    p.expect_text("Resource role removed").await?;
    p.subnav("Delete").await?;
    p.press("Delete").await?;
    p.expect_text("Access package deleted").await?;
    p.nav("Users").await?;
    p.follow("", "User1").await?;
    p.follow("", "Delete").await?;
    p.press("Delete").await?;
    p.expect_text("User deleted: User1").await?;
    p.nav("Catalogs").await?;
    p.follow("", "Default catalog").await?;
    p.follow("//nav[contains(@class,'tabs')]", "Resources")
        .await?;
    let remove = p
        .client
        .find(fantoccini::Locator::XPath(
            "//button[normalize-space()='Remove Engineering Group']",
        ))
        .await;
    remove
        .map_err(|_| StepError("could not find Remove for Engineering Group".into()))?
        .click()
        .await?;
    p.client.accept_alert().await?;
    p.check_page("removing the resource").await?;
    p.expect_text("Resource removed: Engineering Group").await?;
    p.nav("Groups").await?;
    p.follow("", "Engineering Group").await?;
    p.follow("", "Delete").await?;
    p.press("Delete").await?;
    p.expect_text("Group deleted: Engineering Group").await?;
    p.screenshot("cleaned-up").await
}

/// Beyond the tutorial: a Global administrator adds a webhook under `Connected systems`
/// and tests it (nothing listens at its address, so the test says where it failed), and
/// looks at the LDAP form; the same pages at phone width.
async fn connected_systems(p: &mut Page) -> Step {
    p.nav("Connected systems").await?;
    p.expect_text("No connected systems yet").await?;
    p.follow("", "New connected system").await?;
    p.screenshot("connected-choose").await?;
    p.follow("", "Add LDAP directory").await?;
    p.fill("Name", "Contoso directory").await?;
    p.fill("URL", "ldap://ldap.contoso.test:389").await?;
    p.screenshot("connected-ldap-form").await?;
    p.fill("Bind DN", "cn=gatehouse,ou=services,dc=contoso,dc=com")
        .await?;
    p.fill("Bind password", "directory password").await?;
    p.fill("Users base DN", "ou=people,dc=contoso,dc=com")
        .await?;
    p.fill("Groups base DN", "ou=groups,dc=contoso,dc=com")
        .await?;
    p.press("Add").await?;
    p.expect_text("Connected system added: Contoso directory")
        .await?;
    p.nav("Groups").await?;
    p.follow("", "New group").await?;
    p.fill("Group name", "Sales Group").await?;
    p.press("Create").await?;
    p.fill(
        "Group in the system",
        "cn=Sales,ou=groups,dc=contoso,dc=com",
    )
    .await?;
    p.press("Link").await?;
    p.expect_text("Linked to cn=Sales,ou=groups,dc=contoso,dc=com in Contoso directory.")
        .await?;
    p.screenshot("group-linked").await?;
    p.nav("Connected systems").await?;
    p.follow("", "New connected system").await?;
    p.follow("", "Add Webhook").await?;
    p.fill("Name", "Ticketing hook").await?;
    p.fill("URL", "http://127.0.0.1:9/hook").await?;
    p.fill("Signing secret", "whsec_c2lnbmluZyBzZWNyZXQ=")
        .await?;
    p.press("Add").await?;
    p.expect_text("Connected system added: Ticketing hook")
        .await?;
    p.press("Test connection").await?;
    p.expect_text("Connection to Ticketing hook failed.")
        .await?;
    p.expect_text("Could not reach http://127.0.0.1:9/hook")
        .await?;
    p.screenshot("connected-webhook-tested").await?;
    p.client.set_window_size(390, 844).await?;
    p.screenshot("connected-webhook-phone").await?;
    p.client.set_window_size(1280, 900).await?;
    p.nav("Connected systems").await?;
    p.expect_text("Failed").await?;
    p.screenshot("connected-list").await
}

/// An identity provider provisions over SCIM: a Global administrator makes a token (shown
/// once), the provider (here, plain HTTP calls) creates a person with it, and the person's
/// page says where they came from.
async fn scim_provisioning(p: &mut Page) -> Step {
    p.nav("Connected systems").await?;
    p.follow("", "SCIM provisioning").await?;
    p.expect_text("No tokens yet").await?;
    p.fill("Name", "Contoso Entra ID").await?;
    p.press("Create token").await?;
    p.expect_text("Token created: Contoso Entra ID").await?;
    let token = p
        .client
        .find(Locator::Id("new-token"))
        .await?
        .prop("value")
        .await?
        .ok_or_else(|| StepError("the token is not shown".into()))?;
    p.screenshot("scim-token-created").await?;
    let client = reqwest::Client::new();
    let created = client
        .post(format!("{}/scim/v2/Users", p.base))
        .bearer_auth(&token)
        .header("Content-Type", "application/scim+json")
        .body(
            r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada.lovelace@woodgrove.test","displayName":"Ada Lovelace","emails":[{"value":"ada.lovelace@woodgrove.test","type":"work","primary":true}],"active":true}"#,
        )
        .send()
        .await
        .map_err(|e| StepError(format!("POST /scim/v2/Users: {e}")))?;
    if created.status() != reqwest::StatusCode::CREATED {
        return Err(StepError(format!(
            "POST /scim/v2/Users answered {}",
            created.status()
        )));
    }
    p.nav("Users").await?;
    p.follow("", "Ada Lovelace").await?;
    p.expect_text("Provisioned by your identity provider (SCIM)")
        .await?;
    p.screenshot("scim-provisioned-user").await?;
    p.nav("Connected systems").await?;
    p.follow("", "SCIM provisioning").await?;
    p.expect_text("Active").await?;
    p.screenshot("scim-provisioning").await?;
    p.client.set_window_size(390, 844).await?;
    p.screenshot("scim-provisioning-phone").await?;
    p.client.set_window_size(1280, 900).await?;
    // Email is off on this server: the Notifications page says how to turn it on.
    p.nav("Notifications").await?;
    p.expect_text("Gatehouse sends no email").await?;
    p.screenshot("notifications-off").await?;
    p.open("/myaccess/settings").await?;
    p.expect_text("Warn me before my access ends").await?;
    p.press("Save").await?;
    p.expect_text("Your settings are saved.").await?;
    p.screenshot("myaccess-settings").await?;
    p.open("/admin/users").await?;
    Ok(())
}

/// User1 makes an API token in My Access and a script reads their access with it.
async fn api_token(p: &mut Page) -> Step {
    p.nav("API tokens").await?;
    p.expect_text("No tokens yet").await?;
    p.fill("Name", "Onboarding script").await?;
    p.press("Create token").await?;
    p.expect_text("Token created: Onboarding script").await?;
    let token = p
        .client
        .find(Locator::Id("new-token"))
        .await?
        .prop("value")
        .await?
        .ok_or_else(|| StepError("the token is not shown".into()))?;
    p.screenshot("api-token-created").await?;
    let answer = reqwest::Client::new()
        .get(format!(
            "{}/v1.0/identityGovernance/entitlementManagement/assignments/filterByCurrentUser(on='target')",
            p.base
        ))
        .bearer_auth(&token)
        .send()
        .await
        .map_err(|e| StepError(format!("GET assignments: {e}")))?;
    if answer.status() != reqwest::StatusCode::OK {
        return Err(StepError(format!("the API answered {}", answer.status())));
    }
    p.open("/myaccess/api-tokens").await?;
    p.expect_text("Active").await?;
    p.client.set_window_size(390, 844).await?;
    p.screenshot("api-tokens-phone").await?;
    p.client.set_window_size(1280, 900).await?;
    p.follow("", "API reference").await?;
    p.expect_text("Assignment requests").await?;
    p.screenshot("api-reference").await?;
    p.open("/myaccess/access").await
}

/// Admin1 registers a daemon and gets its client secret once.
async fn app_registration(p: &mut Page) -> Step {
    p.nav("App registrations").await?;
    p.expect_text("No app registrations yet").await?;
    p.fill("Name", "HR onboarding daemon").await?;
    p.choose(Some("Application permissions"), "User.Read.All Read users")
        .await?;
    p.press("Register").await?;
    p.expect_text("Client secret for HR onboarding daemon")
        .await?;
    p.screenshot("app-registration-created").await?;
    p.client.set_window_size(390, 844).await?;
    p.screenshot("app-registrations-phone").await?;
    p.client.set_window_size(1280, 900).await?;
    Ok(())
}

/// People and groups come in from a real OpenLDAP directory: Sync now, the run's progress
/// and summary, then drift made outside Gatehouse and found by Check now.
async fn directory_sync(p: &mut Page, directory: &slapd::Slapd) -> Step {
    p.nav("Connected systems").await?;
    p.follow("", "New connected system").await?;
    p.follow("", "Add LDAP directory").await?;
    p.fill("Name", "Woodgrove directory").await?;
    p.fill("URL", &directory.url).await?;
    p.fill("Bind DN", slapd::ADMIN_DN).await?;
    p.fill("Bind password", slapd::ADMIN_PASSWORD).await?;
    p.fill("Users base DN", "ou=people,dc=gatehouse,dc=test")
        .await?;
    p.fill("Groups base DN", "ou=groups,dc=gatehouse,dc=test")
        .await?;
    p.choose(Some("Import"), "Import people and groups").await?;
    p.fill("User principal name domain", "woodgrove.test")
        .await?;
    p.screenshot("directory-import-form").await?;
    p.press("Add").await?;
    p.expect_text("Connected system added: Woodgrove directory")
        .await?;
    p.press("Sync now").await?;
    // The schedule may have queued a first sync as soon as the system was added; if it is
    // still running, the page says so and follows that one.
    let said = p.text().await?;
    if !said.contains("Sync of Woodgrove directory started.")
        && !said.contains("A sync of this system is already running")
    {
        return Err(StepError(format!(
            "Sync now said neither that it started nor that a sync runs: {said}"
        )));
    }
    // The server's sync worker picks the run up within seconds; the page follows it. (The
    // hourly schedule may have run a first sync as soon as the system was added: that one
    // is listed under Earlier syncs.)
    p.wait_for_text("Read 2 people and 1 group", 60).await?;
    p.expect_text("Succeeded").await?;
    p.screenshot("directory-synced").await?;
    p.client.set_window_size(390, 844).await?;
    p.screenshot("directory-synced-phone").await?;
    p.client.set_window_size(1280, 900).await?;
    // Admin1 adds User1 to the imported Engineering Group; the server delivers it to the
    // directory, where someone then takes User1 out again.
    const ENGINEERING: &str = "cn=Engineering Group,ou=groups,dc=gatehouse,dc=test";
    const USER1: &str = "uid=user1,ou=people,dc=gatehouse,dc=test";
    p.nav("Groups").await?;
    p.follow("", "Engineering Group").await?;
    p.expect_text("Imported from Woodgrove directory").await?;
    p.follow("//nav[contains(@class,'tabs')]", "Members")
        .await?;
    p.follow("", "Add members").await?;
    p.press("Add User1").await?;
    let mut delivered = false;
    for _ in 0..120 {
        if slapd::members(&directory.url, ENGINEERING)
            .await
            .iter()
            .any(|m| m == USER1)
        {
            delivered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    if !delivered {
        return Err(StepError("User1 never reached the directory group".into()));
    }
    slapd::modify(
        &directory.url,
        ENGINEERING,
        vec![ldap3::Mod::Delete(
            "member",
            std::collections::HashSet::from([USER1]),
        )],
    )
    .await;
    p.nav("Connected systems").await?;
    p.follow("", "Woodgrove directory").await?;
    p.follow("", "Drift").await?;
    p.press("Check now").await?;
    p.wait_for_text("Checked 1 group", 60).await?;
    p.expect_text("Removed outside Gatehouse").await?;
    p.screenshot("directory-drift").await?;
    p.client.set_window_size(390, 844).await?;
    p.screenshot("directory-drift-phone").await?;
    p.client.set_window_size(1280, 900).await?;
    Ok(())
}

#[tokio::test]
#[ignore = "needs Chromium, chromedriver and axe-core: run `cargo test --test browser -- --ignored` (see README)"]
async fn the_tutorial_in_a_real_browser() {
    let data = tempfile::tempdir().expect("a data dir");
    let (_server, base, setup) = start_gatehouse(data.path());
    let (_driver, driver) = start_chromedriver().await;
    let axe = axe_source();
    let today = time::OffsetDateTime::now_utc().date();

    let mut admin = Page {
        client: browser(&driver, 1280, 900).await,
        base: base.clone(),
        driver: driver.clone(),
        axe: axe.clone(),
        name: "admin",
        shots: 0,
    };
    let done = step1(&mut admin, &setup).await;
    check(&admin, "step-1-users-and-group", done).await;
    let done = step2(&mut admin).await;
    check(&admin, "step-2-access-package", done).await;
    let done = step3(&mut admin).await;
    let link = check(&admin, "step-3-policy", done).await;

    let mut user = Page {
        client: browser(&driver, 1280, 900).await,
        base: base.clone(),
        driver: driver.clone(),
        axe: axe.clone(),
        name: "user",
        shots: 0,
    };
    let done = step4(&mut user, &link, today).await;
    check(&user, "step-4-request-access", done).await;
    let mut phone = Page {
        client: browser(&driver, 390, 844).await,
        base: base.clone(),
        driver: driver.clone(),
        axe: axe.clone(),
        name: "phone",
        shots: 0,
    };
    let done = phone_sign_in(&mut phone).await;
    check(&phone, "phone-sign-in", done).await;
    let done = phone_pages(&mut phone).await;
    check(&phone, "phone-my-access", done).await;

    let done = api_token(&mut user).await;
    check(&user, "api-token", done).await;

    let done = step5(&mut admin).await;
    check(&admin, "step-5-approve", done).await;
    let done = extend_request(&mut user, today).await;
    check(&user, "extend-request", done).await;
    let done = approve_extension(&mut admin).await;
    check(&admin, "extend-approve", done).await;
    let done = step6(&mut admin).await;
    check(&admin, "step-6-validate", done).await;
    let done = step7(&mut admin).await;
    check(&admin, "step-7-clean-up", done).await;
    let done = connected_systems(&mut admin).await;
    check(&admin, "connected-systems", done).await;
    let done = scim_provisioning(&mut admin).await;
    check(&admin, "scim-provisioning", done).await;
    let done = app_registration(&mut admin).await;
    check(&admin, "app-registration", done).await;
    if let Some(directory) = slapd::Slapd::start("the directory sync in a browser") {
        let done = directory_sync(&mut admin, &directory).await;
        check(&admin, "directory-sync", done).await;
    }

    for page in [admin, user, phone] {
        let _ = page.client.close().await;
    }
}
