//! Connected systems: the forms, secrets at rest, and `Test connection` against real
//! systems (OpenLDAP's slapd, a webhook receiver that checks signatures).
mod delivery;
mod import;
mod scim_server;
mod slapd;

use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine as _;
use gatehouse::entities::{audit_event, connected_system};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use sha2::Sha256;

use gatehouse::clock::Clock;

use crate::helpers::{Browser, TestApp, location, spawn_app};
use slapd::{ADMIN_DN, ADMIN_PASSWORD, Slapd};

/// The fields of an LDAP directory pointing at `url`.
fn ldap_fields<'a>(name: &'a str, url: &'a str, password: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", "ldap"),
        ("display_name", name),
        ("url", url),
        ("bind_dn", ADMIN_DN),
        ("secret", password),
        ("users_base_dn", "ou=people,dc=gatehouse,dc=test"),
        ("users_filter", "(objectClass=inetOrgPerson)"),
        ("user_match", "uid"),
        ("groups_base_dn", "ou=groups,dc=gatehouse,dc=test"),
        ("groups_filter", "(objectClass=groupOfNames)"),
        ("membership", "member"),
        ("page_size", "500"),
        ("enabled", "on"),
    ]
}

/// The fields of a SCIM service provider at `url` with the bearer token `token`.
fn scim_fields<'a>(url: &'a str, token: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", "scim"),
        ("display_name", "Contoso SCIM"),
        ("url", url),
        ("secret", token),
        ("user_match", "userName"),
        ("enabled", "on"),
    ]
}

async fn add(admin: &Browser, fields: &[(&str, &str)]) -> String {
    let added = admin.post("/admin/connected-systems/new", fields).await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    location(&added)
}

/// `Test connection`, then the system's page.
pub(super) async fn test_connection(admin: &Browser, page: &str) -> String {
    let tested = admin.post(&format!("{page}/test"), &[]).await;
    assert_eq!(tested.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&tested), page);
    admin.get_html(page).await
}

async fn stored(app: &TestApp, name: &str) -> connected_system::Model {
    connected_system::Entity::find()
        .filter(connected_system::Column::DisplayName.eq(name))
        .one(&app.db)
        .await
        .expect("query")
        .expect("the connected system")
}

#[tokio::test]
async fn an_ldap_directory_is_tested_against_a_real_slapd_and_says_what_failed() {
    let Some(directory) = Slapd::start("LDAP connection test") else {
        return;
    };
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let page = add(
        &admin,
        &ldap_fields("Contoso directory", &directory.url, ADMIN_PASSWORD),
    )
    .await;
    let html = test_connection(&admin, &page).await;
    assert!(
        html.contains("Connection to Contoso directory works."),
        "{html}"
    );
    for line in [
        format!("✓ Connected to {}", directory.url),
        format!("✓ Bound as {ADMIN_DN}"),
        "✓ Read ou=people,dc=gatehouse,dc=test: people match (objectClass=inetOrgPerson) (for example uid=user1,ou=people,dc=gatehouse,dc=test)".to_owned(),
        "✓ Read ou=groups,dc=gatehouse,dc=test: groups match (objectClass=groupOfNames) (for example cn=Engineering Group,ou=groups,dc=gatehouse,dc=test)".to_owned(),
    ] {
        assert!(html.contains(&line), "{line} in {html}");
    }

    // A wrong password: the bind fails, in the directory's words.
    let mut wrong = ldap_fields("Contoso directory", &directory.url, "not the password");
    let edit = format!("{page}/edit");
    let saved = admin.post(&edit, &wrong).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let html = test_connection(&admin, &page).await;
    assert!(
        html.contains("Connection to Contoso directory failed."),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "✗ Bind as {ADMIN_DN} failed: invalid credentials (49)"
        )),
        "{html}"
    );

    // The right password, a groups base that does not exist.
    wrong = ldap_fields("Contoso directory", &directory.url, ADMIN_PASSWORD);
    for field in &mut wrong {
        if field.0 == "groups_base_dn" {
            field.1 = "ou=nowhere,dc=gatehouse,dc=test";
        }
    }
    admin.post(&edit, &wrong).await;
    let html = test_connection(&admin, &page).await;
    assert!(
        html.contains("✗ Could not read ou=nowhere,dc=gatehouse,dc=test: no such object (32)"),
        "{html}"
    );

    // The directory is down: a clear line, no 500.
    drop(directory);
    let html = test_connection(&admin, &page).await;
    assert!(
        html.contains("✗ Could not connect to ldap://127.0.0.1:"),
        "{html}"
    );
    let row = stored(&app, "Contoso directory").await;
    assert_eq!(row.last_test_ok, Some(false));
}

#[tokio::test]
async fn a_wrong_form_comes_back_with_a_message_per_field_and_without_the_secret() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let mut fields = ldap_fields(
        "Contoso directory",
        "http://ldap.contoso.test",
        "hunter2 secret",
    );
    fields.retain(|(k, _)| *k != "users_base_dn");
    fields.push(("users_base_dn", "people"));
    let answer = admin.post("/admin/connected-systems/new", &fields).await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = answer.text().await.expect("body");
    assert!(
        html.contains("2 fields need your attention. Nothing was saved."),
        "{html}"
    );
    assert!(
        html.contains("The address starts with ldap:// or ldaps://"),
        "{html}"
    );
    assert!(
        html.contains("Enter the users base DN as attribute=value pairs"),
        "{html}"
    );
    assert!(!html.contains("hunter2"), "the secret came back: {html}");
    // What was typed stays.
    assert!(html.contains("value=\"Contoso directory\""), "{html}");
    let count = connected_system::Entity::find()
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(count, 0);

    // Two systems cannot share a name.
    add(
        &admin,
        &ldap_fields("Contoso directory", "ldap://ldap.contoso.test", "pw"),
    )
    .await;
    let again = admin
        .post(
            "/admin/connected-systems/new",
            &ldap_fields("CONTOSO  directory", "ldap://other.test", "pw"),
        )
        .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = again.text().await.expect("body");
    assert!(
        html.contains("A connected system with this name already exists."),
        "{html}"
    );
}

#[tokio::test]
async fn secrets_are_sealed_at_rest_never_shown_and_never_audited() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let secret = "whsec_dG9wIHNlY3JldCBzaWduaW5nIGtleQ==";
    let page = add(
        &admin,
        &[
            ("kind", "webhook"),
            ("display_name", "Ticketing hook"),
            ("url", "https://hooks.contoso.test/gatehouse"),
            ("secret", secret),
            ("enabled", "on"),
        ],
    )
    .await;
    let row = stored(&app, "Ticketing hook").await;
    let sealed = row.secret.clone().expect("a sealed secret");
    assert!(sealed.starts_with("v1."), "{sealed}");
    assert!(!sealed.contains("dG9wIHNlY3JldC"));
    for path in [
        page.clone(),
        format!("{page}/edit"),
        "/admin/connected-systems".into(),
    ] {
        let html = admin.get_html(&path).await;
        assert!(!html.contains("dG9wIHNlY3JldC"), "{path} shows the secret");
    }
    let html = admin.get_html(&page).await;
    assert!(html.contains("Saved (encrypted)"), "{html}");

    // Saving with the field left empty keeps the secret as it was.
    let edit = format!("{page}/edit");
    let keep = [
        ("kind", "webhook"),
        ("display_name", "Ticketing hook"),
        ("url", "https://hooks.contoso.test/v2"),
        ("secret", ""),
        ("enabled", "on"),
    ];
    assert_eq!(
        admin.post(&edit, &keep).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(stored(&app, "Ticketing hook").await.secret, Some(sealed));
    // `Remove the saved signing secret` removes it.
    let mut clear = keep.to_vec();
    clear.push(("clear_secret", "on"));
    assert_eq!(
        admin.post(&edit, &clear).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(stored(&app, "Ticketing hook").await.secret, None);

    let details: Vec<String> = audit_event::Entity::find()
        .filter(audit_event::Column::TargetName.eq("Ticketing hook"))
        .all(&app.db)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| format!("{} {}", e.action, e.detail))
        .collect();
    assert_eq!(details.len(), 3, "{details:?}");
    assert!(
        details[0].starts_with("Add connected system"),
        "{details:?}"
    );
    assert!(details[2].contains(r#""secret":"removed""#), "{details:?}");
    assert!(
        details
            .iter()
            .all(|d| !d.contains("dG9wIHNlY3JldC") && !d.contains("v1.")),
        "{details:?}"
    );
}

/// What the receiver got: the three Standard Webhooks headers and the body.
#[derive(Clone, Debug)]
struct Delivery {
    id: String,
    timestamp: String,
    body: String,
    valid: bool,
}

/// A webhook receiver on a free port that checks each message's signature with `key` and
/// answers 204 when it is right, 401 when not.
async fn receiver(key: Vec<u8>) -> (String, Arc<Mutex<Vec<Delivery>>>) {
    let got: Arc<Mutex<Vec<Delivery>>> = Arc::default();
    let kept = got.clone();
    let server = HttpServer::new(move || {
        let kept = kept.clone();
        let key = key.clone();
        App::new().route(
            "/hook",
            web::post().to(move |req: HttpRequest, body: String| {
                let kept = kept.clone();
                let key = key.clone();
                async move {
                    let header = |name: &str| {
                        req.headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned()
                    };
                    let (id, timestamp) = (header("webhook-id"), header("webhook-timestamp"));
                    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("a key");
                    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
                    let expected = format!(
                        "v1,{}",
                        base64::engine::general_purpose::STANDARD
                            .encode(mac.finalize().into_bytes())
                    );
                    let valid = header("webhook-signature")
                        .split(' ')
                        .any(|s| s == expected);
                    kept.lock().expect("lock").push(Delivery {
                        id,
                        timestamp,
                        body,
                        valid,
                    });
                    if valid {
                        HttpResponse::NoContent().finish()
                    } else {
                        HttpResponse::Unauthorized().finish()
                    }
                }
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .expect("bind");
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    (format!("http://127.0.0.1:{port}/hook"), got)
}

#[tokio::test]
async fn a_webhook_ping_is_signed_as_standard_webhooks_say() {
    let key = b"receiver's signing key".to_vec();
    let secret = format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(&key)
    );
    let (url, got) = receiver(key).await;
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let mut fields = vec![
        ("kind", "webhook"),
        ("display_name", "Ticketing hook"),
        ("url", url.as_str()),
        ("secret", secret.as_str()),
        ("enabled", "on"),
    ];
    let page = add(&admin, &fields).await;
    let html = test_connection(&admin, &page).await;
    assert!(
        html.contains("Connection to Ticketing hook works."),
        "{html}"
    );
    assert!(
        html.contains("✓ The receiver answered 204 No Content"),
        "{html}"
    );
    let first = got.lock().expect("lock")[0].clone();
    assert!(first.valid, "{first:?}");
    assert!(first.id.starts_with("msg_"), "{first:?}");
    assert_eq!(
        first.timestamp,
        app.clock.now().unix_timestamp().to_string(),
        "the ping is stamped with Gatehouse's clock"
    );
    assert!(
        first.body.contains(r#""type":"gatehouse.ping""#),
        "{first:?}"
    );

    // Another secret: the receiver refuses, and the page says what to check.
    fields[3] = ("secret", "whsec_b3RoZXIga2V5");
    admin.post(&format!("{page}/edit"), &fields).await;
    let html = test_connection(&admin, &page).await;
    assert!(
        html.contains(
            "✗ The receiver answered 401 Unauthorized: does it have the same signing secret?"
        ),
        "{html}"
    );
    assert!(!got.lock().expect("lock")[1].valid);
}

#[tokio::test]
async fn requests_and_assignments_reach_a_webhook_signed_and_can_be_sent_again() {
    use crate::builders::{PolicyOptions, policy};
    use gatehouse::domain::user::DirectoryRole;
    use gatehouse::services::outbox as worker;

    let key = b"events signing key".to_vec();
    let secret = format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(&key)
    );
    let (url, got) = receiver(key).await;
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let page = add(
        &admin,
        &[
            ("kind", "webhook"),
            ("display_name", "Ticketing hook"),
            ("url", url.as_str()),
            ("secret", secret.as_str()),
            ("enabled", "on"),
        ],
    )
    .await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let group = app.create_group("Engineering Group").await;
    let catalog = app.default_catalog().await;
    let package = app.create_package(catalog, "Web project", &[group]).await;
    app.create_policy(
        package,
        policy("Internal users", &[user1], &[]).without_approval(),
    )
    .await;
    let request = app.submit_request(user1, package).await;

    let report = worker::run_pass(&app.db, &app.clock, &app.secrets)
        .await
        .expect("outbox pass");
    assert_eq!(report.applied, 2, "{report:?}");
    let sent = got.lock().expect("lock").clone();
    assert!(sent.iter().all(|d| d.valid), "{sent:?}");
    let bodies: Vec<serde_json::Value> = sent
        .iter()
        .map(|d| serde_json::from_str(&d.body).expect("JSON"))
        .collect();
    let types: Vec<&str> = bodies.iter().filter_map(|b| b["type"].as_str()).collect();
    assert_eq!(
        types,
        [
            "accessPackageAssignmentRequest.submitted",
            "accessPackageAssignment.delivered"
        ]
    );
    assert_eq!(
        bodies[0]["data"]["accessPackage"]["displayName"],
        "Web project"
    );
    assert_eq!(
        bodies[0]["data"]["accessPackageAssignmentRequest"]["id"],
        request.to_string()
    );
    assert_eq!(bodies[1]["data"]["target"]["id"], user1.to_string());

    // The delivery log shows both, with the receiver's answer; Resend sends the first again
    // under the same webhook-id.
    let html = admin.get_html(&page).await;
    assert!(html.contains("accessPackageAssignment.delivered"), "{html}");
    assert!(html.contains("<td class=\"hide-sm\">204</td>"), "{html}");
    let first = gatehouse::entities::outbox::Entity::find()
        .all(&app.db)
        .await
        .expect("rows")
        .into_iter()
        .min_by_key(|r| r.id)
        .expect("a row");
    let resent = admin
        .post(&format!("{page}/log/{}/resend", first.id), &[])
        .await;
    assert_eq!(location(&resent), page);
    let report = worker::run_pass(&app.db, &app.clock, &app.secrets)
        .await
        .expect("outbox pass");
    assert_eq!(report.applied, 1);
    let sent = got.lock().expect("lock").clone();
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[2].id, sent[0].id, "the same webhook-id");
    assert!(sent[2].valid);
}
