//! The Notifications page, `Send test email`, and the mail worker: sent once, retried,
//! given up, and said on the page.
use gatehouse::config::Mail;
use gatehouse::connectors::smtp::Mailer;
use gatehouse::entities::email;
use gatehouse::services::mail;
use reqwest::StatusCode;
use sea_orm::EntityTrait;

use super::SmtpServer;
use crate::helpers::{TestApp, audit_count, spawn_app, spawn_app_with};

const FROM: &str = "Gatehouse <gatehouse@woodgrove.test>";

async fn app_mailing_to(url: &str) -> TestApp {
    let url = url.to_owned();
    spawn_app_with(move |s| {
        s.smtp_url = Some(url);
        s.mail_from = Some(FROM.into());
    })
    .await
}

fn mailer(url: &str) -> Mailer {
    Mailer::new(&Mail {
        url: url.to_owned(),
        from: FROM.to_owned(),
        ca_pem: None,
    })
    .expect("a mailer")
}

#[tokio::test]
async fn a_test_email_goes_through_the_outbox_to_a_real_smtp_server() {
    let Some(server) = SmtpServer::start("email (aiosmtpd)") else {
        return;
    };
    let app = app_mailing_to(&server.url()).await;
    let (admin, _) = app.admin().await;
    let page = admin.get_html("/admin/notifications").await;
    assert!(
        page.contains(&format!("smtp://127.0.0.1:{}", server.port)),
        "{page}"
    );
    let sent = admin
        .post("/admin/notifications/test", &[("to", "it@woodgrove.test")])
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    // Written, not sent, by the handler.
    assert!(server.messages().is_empty());
    let page = admin.get_html("/admin/notifications").await;
    assert!(page.contains("Waiting"), "{page}");

    let report = mail::run_pass(&app.db, &app.clock, &mailer(&server.url()))
        .await
        .expect("a pass");
    assert_eq!(report.sent, 1);
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(message.header("To").as_deref(), Some("it@woodgrove.test"));
    assert_eq!(
        message.header("Subject").as_deref(),
        Some("Test email from Gatehouse")
    );
    assert!(
        message
            .header("From")
            .is_some_and(|f| f.contains("gatehouse@woodgrove.test"))
    );
    assert!(message.raw.contains("text/plain") && message.raw.contains("text/html"));
    assert!(
        message.body().contains("/admin/notifications"),
        "a link to the page"
    );
    let page = admin.get_html("/admin/notifications").await;
    assert!(page.contains("badge-success\">Sent"), "{page}");
    assert_eq!(
        audit_count(&app, "Send test email", "it@woodgrove.test").await,
        1
    );

    // A second pass, or a second instance, sends nothing again.
    let again = mail::run_pass(
        &app.second_instance_db().await,
        &app.clock,
        &mailer(&server.url()),
    )
    .await
    .expect("a pass");
    assert_eq!(again, mail::MailReport::default());
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test]
async fn two_instances_send_each_message_once() {
    let Some(server) = SmtpServer::start("email (aiosmtpd)") else {
        return;
    };
    let app = app_mailing_to(&server.url()).await;
    let (admin, _) = app.admin().await;
    for n in 0..30 {
        let to = format!("person{n}@woodgrove.test");
        let sent = admin
            .post("/admin/notifications/test", &[("to", &to)])
            .await;
        assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    }
    let other = app.second_instance_db().await;
    let (one, two) = (mailer(&server.url()), mailer(&server.url()));
    let (a, b) = tokio::join!(
        mail::run_pass(&app.db, &app.clock, &one),
        mail::run_pass(&other, &app.clock, &two)
    );
    let (a, b) = (a.expect("a pass"), b.expect("a pass"));
    assert_eq!(a.sent + b.sent, 30);
    assert_eq!(server.messages().len(), 30, "each once");
    // `Sent email` lists them newest first, 25 to a page.
    let page = admin.get_html("/admin/notifications").await;
    assert_eq!(page.matches("badge-success\">Sent").count(), 25);
    let next = crate::helpers::link(&page, "next").expect("a next page");
    let rest = admin.get_html(&format!("/admin/notifications{next}")).await;
    assert_eq!(rest.matches("badge-success\">Sent").count(), 5, "{rest}");
    for n in 0..30 {
        let to = format!(">person{n}@woodgrove.test<");
        assert_eq!(
            page.matches(&to).count() + rest.matches(&to).count(),
            1,
            "{to} once"
        );
    }
}

#[tokio::test]
async fn a_server_that_is_down_is_retried_then_given_up_and_said() {
    let down = "smtp://127.0.0.1:9";
    let app = app_mailing_to(down).await;
    let (admin, _) = app.admin().await;
    admin
        .post("/admin/notifications/test", &[("to", "it@woodgrove.test")])
        .await;
    let report = mail::run_pass(&app.db, &app.clock, &mailer(down))
        .await
        .expect("a pass");
    assert_eq!(report.retrying, 1);
    let row = &email::Entity::find().all(&app.db).await.unwrap()[0];
    assert_eq!(row.state, "pending");
    assert_eq!(row.attempts, 1);
    assert!(
        row.last_error
            .as_deref()
            .is_some_and(|e| e.contains("SMTP server"))
    );
    let page = admin.get_html("/admin/notifications").await;
    assert!(page.contains("1 tries"), "{page}");
    // Not due yet: nothing is tried.
    let early = mail::run_pass(&app.db, &app.clock, &mailer(down))
        .await
        .unwrap();
    assert_eq!(early, mail::MailReport::default());
    for _ in 0..7 {
        app.clock.advance(time::Duration::hours(1));
        mail::run_pass(&app.db, &app.clock, &mailer(down))
            .await
            .unwrap();
    }
    let row = &email::Entity::find().all(&app.db).await.unwrap()[0];
    assert_eq!(row.state, "failed");
    assert_eq!(row.attempts, 8);
    let page = admin.get_html("/admin/notifications").await;
    assert!(page.contains("badge-danger\">Failed"), "{page}");
}

#[tokio::test]
async fn with_email_off_the_page_says_how_to_turn_it_on() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let page = admin.get_html("/admin/notifications").await;
    assert!(page.contains("GATEHOUSE_SMTP_URL"), "{page}");
    let refused = admin
        .post("/admin/notifications/test", &[("to", "it@woodgrove.test")])
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(email::Entity::find().all(&app.db).await.unwrap().is_empty());
    let bad = app_mailing_to("smtp://127.0.0.1:9").await;
    let (admin, _) = bad.admin().await;
    let typo = admin
        .post("/admin/notifications/test", &[("to", "not an address")])
        .await;
    assert_eq!(typo.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        typo.text()
            .await
            .unwrap()
            .contains("Enter an email address")
    );
}

/// What the mail worker does on each tick: the timelines' messages into the outbox, then out.
async fn tick(app: &TestApp, server: &SmtpServer) {
    app.clock.advance(time::Duration::seconds(10));
    gatehouse::services::notify::run_pass(&app.db, &app.clock, &app.address)
        .await
        .expect("a notify pass");
    mail::run_pass(&app.db, &app.clock, &mailer(&server.url()))
        .await
        .expect("a mail pass");
}

fn by_subject<'a>(messages: &'a [super::Received], start: &str) -> Vec<&'a super::Received> {
    messages
        .iter()
        .filter(|m| m.header("Subject").is_some_and(|s| s.starts_with(start)))
        .collect()
}

#[tokio::test]
async fn approvers_are_told_a_request_waits_and_the_requestor_how_it_went() {
    use crate::builders::policy;
    use gatehouse::domain::lifecycle::Decision;
    use gatehouse::domain::user::DirectoryRole;
    use gatehouse::services::requests;
    let Some(server) = SmtpServer::start("email (aiosmtpd)") else {
        return;
    };
    let app = app_mailing_to(&server.url()).await;
    // Email is turned on now: what happened before is not mailed.
    gatehouse::services::notify::run_pass(&app.db, &app.clock, &app.address)
        .await
        .unwrap();
    let (approver_browser, approver) = app
        .signed_in("approver@woodgrove.test", "Approver", DirectoryRole::User)
        .await;
    let (user_browser, user1) = app
        .signed_in("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    app.set_email(approver, "approver@woodgrove.test").await;
    app.set_email(user1, "user1@woodgrove.test").await;
    let group = app.create_group("Marketing resources").await;
    let catalog = app.default_catalog().await;
    let package = app
        .create_package(catalog, "Marketing campaign", &[group])
        .await;
    app.create_policy(package, policy("Approval", &[user1], &[approver]))
        .await;

    // Step 4: User1 requests the package.
    let request = app.submit_request(user1, package).await;
    tick(&app, &server).await;
    let messages = server.messages();
    let waiting = by_subject(
        &messages,
        "Approve or deny: User1 requests Marketing campaign",
    );
    assert_eq!(waiting.len(), 1, "one message to the approver");
    assert_eq!(
        waiting[0].header("To").as_deref(),
        Some("approver@woodgrove.test")
    );
    let link = format!("/myaccess/approvals/{request}");
    assert!(
        waiting[0].body().contains(&link),
        "a link to the request pane"
    );
    assert!(
        waiting[0].body().contains("For the project"),
        "with the justification"
    );
    let submitted = by_subject(&messages, "Request submitted: Marketing campaign");
    assert_eq!(submitted.len(), 1);
    assert_eq!(
        submitted[0].header("To").as_deref(),
        Some("user1@woodgrove.test")
    );
    // The link opens the request for the approver, and for nobody else.
    assert_eq!(approver_browser.get(&link).await.status(), StatusCode::OK);
    assert_eq!(
        user_browser.get(&link).await.status(),
        StatusCode::NOT_FOUND
    );

    // Step 5: the approver approves; User1 hears, and gets the access.
    let principal = app.principal_of(approver).await;
    requests::decide(
        &app.db,
        &app.clock,
        &principal,
        request,
        Decision::Approve,
        "Welcome",
    )
    .await
    .unwrap();
    tick(&app, &server).await;
    let messages = server.messages();
    let approved = by_subject(&messages, "Request approved: Marketing campaign");
    assert_eq!(approved.len(), 1);
    assert!(
        approved[0].body().contains("Welcome"),
        "with the approver's words"
    );
    let delivered = by_subject(&messages, "Access delivered: Marketing campaign");
    assert_eq!(delivered.len(), 1);
    assert!(delivered[0].body().contains("/myaccess/access"));
    assert_eq!(
        user_browser.get("/myaccess/access").await.status(),
        StatusCode::OK
    );

    // Nothing twice, however often the worker runs.
    let count = messages.len();
    tick(&app, &server).await;
    tick(&app, &server).await;
    assert_eq!(server.messages().len(), count);

    // Step 7: an administrator removes the access; User1 is told once, and nobody else.
    let (admin, _) = app.admin().await;
    let assignments = format!("/admin/access-packages/{package}/assignments");
    let page = admin.get_html(&assignments).await;
    let remove = page
        .split("href=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.ends_with("/remove") && href.contains("/assignments/"))
        .expect("Remove access")
        .to_owned();
    let removed = admin.post(&remove, &[]).await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    tick(&app, &server).await;
    tick(&app, &server).await;
    let messages = server.messages();
    let gone = by_subject(&messages, "Access removed: Marketing campaign");
    assert_eq!(gone.len(), 1);
    assert_eq!(
        gone[0].header("To").as_deref(),
        Some("user1@woodgrove.test")
    );
    assert!(gone[0].body().contains("Access removed by Admin1"));
    assert_eq!(messages.len(), count + 1);
}

#[tokio::test]
async fn people_are_warned_before_their_access_ends() {
    use crate::builders::policy;
    use gatehouse::domain::user::DirectoryRole;
    use gatehouse::entities::assignment;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, QueryFilter};
    let Some(server) = SmtpServer::start("email (aiosmtpd)") else {
        return;
    };
    let app = app_mailing_to(&server.url()).await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    app.set_email(user1, "user1@woodgrove.test").await;
    // User2 turns the warnings off in My Access → Settings.
    let (user2_browser, user2) = app
        .signed_in("user2@woodgrove.test", "User2", DirectoryRole::User)
        .await;
    app.set_email(user2, "user2@woodgrove.test").await;
    let page = user2_browser.get_html("/myaccess/settings").await;
    assert!(page.contains("Warn me before my access ends") && page.contains(" checked"));
    let saved = user2_browser.post("/myaccess/settings", &[]).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert!(
        !user2_browser
            .get_html("/myaccess/settings")
            .await
            .contains(" checked")
    );
    let group = app.create_group("Marketing resources").await;
    let catalog = app.default_catalog().await;
    let package = app
        .create_package(catalog, "Marketing campaign", &[group])
        .await;
    app.create_policy(package, policy("No approval", &[user1, user2], &[]))
        .await;
    let end = gatehouse::clock::Clock::now(&app.clock) + time::Duration::days(20);
    for person in [user1, user2] {
        app.submit_request(person, package).await;
        let mut row: assignment::ActiveModel = assignment::Entity::find()
            .filter(assignment::Column::TargetId.eq(person))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .into();
        row.end_at = Set(Some(end));
        row.update(&app.db).await.unwrap();
    }
    let ending = |messages: &[super::Received], within: &str| {
        by_subject(
            messages,
            &format!("Access ends {within}: Marketing campaign"),
        )
        .len()
    };

    tick(&app, &server).await;
    assert_eq!(
        ending(&server.messages(), "within 14 days"),
        0,
        "20 days away"
    );
    app.clock.advance(time::Duration::days(7));
    tick(&app, &server).await;
    let messages = server.messages();
    assert_eq!(ending(&messages, "within 14 days"), 1);
    let warning = by_subject(&messages, "Access ends within 14 days")[0];
    assert!(warning.body().contains("/myaccess/access"));
    assert_eq!(ending(&messages, "within a day"), 0);
    tick(&app, &server).await;
    assert_eq!(ending(&server.messages(), "within 14 days"), 1, "once");
    app.clock
        .advance(time::Duration::days(12) + time::Duration::hours(12));
    tick(&app, &server).await;
    assert_eq!(ending(&server.messages(), "within a day"), 1);
    assert_eq!(ending(&server.messages(), "within 14 days"), 1);
    assert!(
        server
            .messages()
            .iter()
            .all(|m| m.header("To").as_deref() != Some("user2@woodgrove.test")),
        "User2 turned them off"
    );
}

#[tokio::test]
async fn approvers_are_reminded_once_unless_they_or_the_policy_turned_email_off() {
    use crate::builders::{PolicyOptions, policy};
    use gatehouse::domain::user::DirectoryRole;
    let Some(server) = SmtpServer::start("email (aiosmtpd)") else {
        return;
    };
    let app = app_mailing_to(&server.url()).await;
    gatehouse::services::notify::run_pass(&app.db, &app.clock, &app.address)
        .await
        .unwrap();
    let approver = app
        .create_user("approver@woodgrove.test", "Approver", DirectoryRole::User)
        .await;
    let quiet = app
        .create_user("quiet@woodgrove.test", "Quiet", DirectoryRole::User)
        .await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    for (id, address) in [
        (approver, "approver@woodgrove.test"),
        (quiet, "quiet@woodgrove.test"),
        (user1, "user1@woodgrove.test"),
    ] {
        app.set_email(id, address).await;
    }
    // Quiet turned the optional emails off: asked, but never reminded.
    mail::set_optional_email(&app.db, &app.clock, &app.principal_of(quiet).await, false)
        .await
        .unwrap();
    let group = app.create_group("Marketing resources").await;
    let catalog = app.default_catalog().await;
    let package = app
        .create_package(catalog, "Marketing campaign", &[group])
        .await;
    app.create_policy(
        package,
        policy("Approval", &[user1], &[approver, quiet]).reminded_after(2),
    )
    .await;
    let silent_group = app.create_group("Silent resources").await;
    let silent = app
        .create_package(catalog, "Silent package", &[silent_group])
        .await;
    app.create_policy(
        silent,
        policy("No email", &[user1], &[approver]).without_email(),
    )
    .await;

    let request = app.submit_request(user1, package).await;
    app.submit_request(user1, silent).await;
    tick(&app, &server).await;
    let messages = server.messages();
    assert_eq!(
        by_subject(&messages, "Approve or deny:").len(),
        2,
        "both asked"
    );
    assert!(
        by_subject(&messages, "Approve or deny: User1 requests Silent package").is_empty()
            && by_subject(&messages, "Request submitted: Silent package").is_empty(),
        "a policy with email off sends none"
    );

    app.clock.advance(time::Duration::days(1));
    tick(&app, &server).await;
    assert!(
        by_subject(&server.messages(), "Reminder:").is_empty(),
        "not yet"
    );
    app.clock.advance(time::Duration::days(1));
    tick(&app, &server).await;
    let messages = server.messages();
    let reminders = by_subject(
        &messages,
        "Reminder: approve or deny: User1 requests Marketing campaign",
    );
    assert_eq!(reminders.len(), 1);
    assert_eq!(
        reminders[0].header("To").as_deref(),
        Some("approver@woodgrove.test")
    );
    assert!(
        reminders[0]
            .body()
            .contains(&format!("/myaccess/approvals/{request}"))
    );
    assert!(reminders[0].body().contains("has waited 2 days"));
    // The package's Requests page puts it first.
    let (admin, _) = app.admin().await;
    let page = admin
        .get_html(&format!("/admin/access-packages/{package}/requests"))
        .await;
    assert!(
        page.contains("Waiting longer than the reminder time"),
        "{page}"
    );
    tick(&app, &server).await;
    app.clock.advance(time::Duration::days(3));
    tick(&app, &server).await;
    assert_eq!(by_subject(&server.messages(), "Reminder:").len(), 1, "once");
}

#[tokio::test]
async fn two_instances_write_and_send_each_request_email_once() {
    use crate::builders::policy;
    use gatehouse::domain::user::DirectoryRole;
    let Some(server) = SmtpServer::start("email (aiosmtpd)") else {
        return;
    };
    let app = app_mailing_to(&server.url()).await;
    gatehouse::services::notify::run_pass(&app.db, &app.clock, &app.address)
        .await
        .unwrap();
    let approver = app
        .create_user("approver@woodgrove.test", "Approver", DirectoryRole::User)
        .await;
    app.set_email(approver, "approver@woodgrove.test").await;
    let catalog = app.default_catalog().await;
    let group = app.create_group("Shared resources").await;
    let package = app.create_package(catalog, "Shared", &[group]).await;
    let mut people = Vec::new();
    for n in 0..12 {
        let upn = format!("person{n}@woodgrove.test");
        let id = app
            .create_user(&upn, &format!("Person {n}"), DirectoryRole::User)
            .await;
        app.set_email(id, &upn).await;
        people.push(id);
    }
    app.create_policy(package, policy("Approval", &people, &[approver]))
        .await;
    for person in &people {
        app.submit_request(*person, package).await;
    }
    app.clock.advance(time::Duration::seconds(10));
    let other = app.second_instance_db().await;
    let (a, b) = tokio::join!(
        gatehouse::services::notify::run_pass(&app.db, &app.clock, &app.address),
        gatehouse::services::notify::run_pass(&other, &app.clock, &app.address)
    );
    a.expect("a notify pass");
    b.expect("a notify pass");
    let (one, two) = (mailer(&server.url()), mailer(&server.url()));
    let (a, b) = tokio::join!(
        mail::run_pass(&app.db, &app.clock, &one),
        mail::run_pass(&other, &app.clock, &two)
    );
    let (a, b) = (a.expect("a pass"), b.expect("a pass"));
    // Twelve approvals asked and twelve requests acknowledged, each once.
    assert_eq!(a.sent + b.sent, 24);
    let messages = server.messages();
    assert_eq!(messages.len(), 24);
    assert_eq!(by_subject(&messages, "Approve or deny:").len(), 12);
    assert_eq!(by_subject(&messages, "Request submitted:").len(), 12);
}

#[tokio::test]
async fn mail_goes_over_starttls_and_smtps_trusting_the_configured_authority() {
    use super::Security;
    for (security, url) in [
        (Security::StartTls, "smtp://localhost:{port}?tls=required"),
        (Security::Smtps, "smtps://localhost:{port}"),
    ] {
        let Some(server) = SmtpServer::start_with("email over TLS (aiosmtpd)", security) else {
            return;
        };
        let url = url.replace("{port}", &server.port.to_string());
        let sent = |ca_pem: Option<String>| {
            let mailer = Mailer::new(&Mail {
                url: url.clone(),
                from: FROM.to_owned(),
                ca_pem,
            })
            .expect("a mailer");
            async move {
                mailer
                    .send(gatehouse::connectors::smtp::Outgoing {
                        to: "it@woodgrove.test",
                        subject: "Over TLS",
                        text: "Hello",
                        html: "<p>Hello</p>",
                    })
                    .await
            }
        };
        // A certificate nobody vouches for is refused, and nothing is delivered.
        let refused = sent(None).await;
        assert!(refused.is_err(), "{url}: an unknown authority is refused");
        assert!(server.messages().is_empty());
        // With the server's authority trusted, the message goes through encrypted.
        sent(server.certificate.clone()).await.expect(&url);
        let messages = server.messages();
        assert_eq!(messages.len(), 1, "{url}");
        assert_eq!(messages[0].header("Subject").as_deref(), Some("Over TLS"));
    }
}

/// The outbox alone (no SMTP server needed): what a denial, a timeout and a direct assignment
/// that settles a waiting request write, each once.
#[tokio::test]
async fn denied_expired_and_settled_requests_are_written_once_with_their_reasons() {
    use crate::builders::policy;
    use gatehouse::domain::lifecycle::Decision;
    use gatehouse::domain::user::DirectoryRole;
    use gatehouse::services::{notify, requests, scheduler};
    use sea_orm::{ColumnTrait, QueryFilter};
    let app = app_mailing_to("smtp://127.0.0.1:9").await;
    notify::run_pass(&app.db, &app.clock, &app.address)
        .await
        .unwrap();
    let approver = app
        .create_user("approver@woodgrove.test", "Approver", DirectoryRole::User)
        .await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    app.set_email(user1, "user1@woodgrove.test").await;
    let catalog = app.default_catalog().await;
    let mut packages = Vec::new();
    for name in ["Denied package", "Expiring package", "Settled package"] {
        let group = app.create_group(name).await;
        let package = app.create_package(catalog, name, &[group]).await;
        let policy_id = app
            .create_policy(package, policy("Approval", &[user1], &[approver]))
            .await;
        packages.push((package, policy_id));
    }
    let denied = app.submit_request(user1, packages[0].0).await;
    let deciding = app.principal_of(approver).await;
    requests::decide(
        &app.db,
        &app.clock,
        &deciding,
        denied,
        Decision::Deny,
        "Not this quarter",
    )
    .await
    .unwrap();
    app.submit_request(user1, packages[2].0).await;
    requests::assign_directly(
        &app.db,
        &app.clock,
        &gatehouse::domain::principal::Principal::console(),
        packages[2].0,
        packages[2].1,
        user1,
        None,
    )
    .await
    .unwrap();
    app.submit_request(user1, packages[1].0).await;
    app.clock.advance(time::Duration::days(15));
    scheduler::run_pass(&app.db, &app.clock).await.unwrap();
    for _ in 0..3 {
        app.clock.advance(time::Duration::seconds(10));
        notify::run_pass(&app.db, &app.clock, &app.address)
            .await
            .unwrap();
    }
    let written = email::Entity::find()
        .filter(email::Column::Recipient.eq("user1@woodgrove.test"))
        .all(&app.db)
        .await
        .unwrap();
    let subjects = |start: &str| {
        written
            .iter()
            .filter(|m| m.subject.starts_with(start))
            .collect::<Vec<_>>()
    };
    let no = subjects("Request denied: Denied package");
    assert_eq!(no.len(), 1);
    assert!(
        no[0].text_body.contains("Not this quarter"),
        "{}",
        no[0].text_body
    );
    assert_eq!(subjects("Request expired: Expiring package").len(), 1);
    let settled = subjects("Request canceled: Settled package");
    assert_eq!(settled.len(), 1);
    assert!(
        settled[0]
            .text_body
            .contains("assigned the package directly")
    );
    assert_eq!(subjects("Access delivered: Settled package").len(), 1);
    assert_eq!(
        subjects("Request submitted:").len(),
        3,
        "their own requests, not the direct assignment"
    );
}

#[tokio::test]
async fn a_server_that_wants_a_password_gets_the_one_in_the_url() {
    use super::Security;
    let Some(server) = SmtpServer::start_with(
        "email with a password (aiosmtpd)",
        Security::StartTlsWithPassword("gatehouse", "s3cret"),
    ) else {
        return;
    };
    let send = |credentials: &str| {
        let mailer = Mailer::new(&Mail {
            url: format!("smtp://{credentials}localhost:{}?tls=required", server.port),
            from: FROM.to_owned(),
            ca_pem: server.certificate.clone(),
        })
        .expect("a mailer");
        async move {
            mailer
                .send(gatehouse::connectors::smtp::Outgoing {
                    to: "it@woodgrove.test",
                    subject: "Signed in",
                    text: "Hello",
                    html: "<p>Hello</p>",
                })
                .await
        }
    };
    // Without a sign-in the server takes no mail.
    let refused = send("").await.expect_err("refused without a password");
    assert!(refused.contains("refused"), "{refused}");
    assert!(server.messages().is_empty());
    send("gatehouse:s3cret@").await.expect("signed in and sent");
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].header("Subject").as_deref(), Some("Signed in"));
}
