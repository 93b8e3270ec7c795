//! `Extend`: a user keeps access that ends soon (approved like a new request, or at once),
//! an administrator extends it from the Assignments page; the assignment, its memberships
//! and its history stay; the number of waiting approvals shows next to `Approvals`; and the
//! mail outbox says each step once.
use gatehouse::domain::lifecycle::Decision;
use gatehouse::domain::user::DirectoryRole;
use gatehouse::entities::{assignment, assignment_request, email, group_member};
use gatehouse::ids::{AccessPackageId, UserId};
use gatehouse::services::{notify, requests};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use time::Duration;

use super::{user1, world_with};
use crate::builders::PolicyOptions;
use crate::helpers::{TestApp, audit_count, location, spawn_app};

/// The mail worker's first half: what the timelines call for, into the outbox.
async fn notify_pass(app: &TestApp) {
    app.clock.advance(Duration::seconds(10));
    notify::run_pass(&app.db, &app.clock, &app.address)
        .await
        .expect("a notify pass");
}

/// The subjects written to `address`, in order.
async fn subjects_to(app: &TestApp, address: &str) -> Vec<String> {
    let mut rows = email::Entity::find()
        .filter(email::Column::Recipient.eq(address))
        .all(&app.db)
        .await
        .unwrap();
    rows.sort_by_key(|r| r.created_at);
    rows.into_iter().map(|r| r.subject).collect()
}

async fn the_assignment(
    app: &TestApp,
    user: UserId,
    package: AccessPackageId,
) -> assignment::Model {
    let rows = assignment::Entity::find()
        .filter(assignment::Column::TargetId.eq(user))
        .filter(assignment::Column::AccessPackageId.eq(package))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "one assignment, extended in place");
    rows.into_iter().next().unwrap()
}

/// Admin1 signs in again (a clock moved by days ends sessions).
async fn admin1(app: &TestApp) -> crate::helpers::Browser {
    let browser = app.browser();
    let signed_in = browser
        .sign_in("admin1@woodgrove.test", crate::helpers::PASSWORD)
        .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    browser
}

async fn memberships(app: &TestApp, user: UserId) -> usize {
    group_member::Entity::find()
        .filter(group_member::Column::UserId.eq(user))
        .all(&app.db)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_user_extends_access_that_ends_soon_and_an_approver_approves_it() {
    let app = spawn_app().await;
    let world = world_with(&app, |_, policy| policy.extendable()).await;
    // Email is on from here: what happened before is not mailed.
    notify::run_pass(&app.db, &app.clock, &app.address)
        .await
        .unwrap();
    app.set_email(world.user1, "user1@woodgrove.test").await;
    app.set_email(world.admin1, "admin1@woodgrove.test").await;
    let request = app.submit_request(world.user1, world.package).await;
    // Approvers are asked while the request waits (a request decided before the worker
    // came round needs no one's decision).
    notify_pass(&app).await;
    let approver = app.principal_of(world.admin1).await;
    requests::decide(
        &app.db,
        &app.clock,
        &approver,
        request,
        Decision::Approve,
        "",
    )
    .await
    .unwrap();
    let before = the_assignment(&app, world.user1, world.package).await;
    let end = before.end_at.expect("30 days of access");
    let held = memberships(&app, world.user1).await;
    assert_eq!(held, 1);

    // A month away from the end: no `Extend` yet.
    let browser = user1(&app).await;
    let extend_path = format!("/myaccess/access/{}/extend", before.id);
    let page = browser.get_html("/myaccess/access").await;
    assert!(!page.contains(&extend_path), "{page}");
    assert!(!page.contains("Ends in"), "{page}");
    let early = browser.get(&extend_path).await;
    assert_eq!(location(&early), "/myaccess/access");
    assert!(
        browser
            .get_html("/myaccess/access")
            .await
            .contains("it must end within 14 days")
    );

    // Three days before the end it shows how soon, and `Extend`.
    app.clock.advance(Duration::days(27));
    let browser = user1(&app).await;
    let page = browser.get_html("/myaccess/access").await;
    assert!(page.contains("Ends in 3 days"), "{page}");
    assert!(page.contains(&extend_path), "{page}");
    let pane = browser.get_html(&extend_path).await;
    assert!(
        pane.contains("Extend access") && pane.contains("New end date"),
        "{pane}"
    );

    // The justification is required by this policy; a date beyond the policy is refused.
    let refused = browser
        .post(&extend_path, &[("justification", ""), ("end_date", "")])
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Enter a business justification")
    );
    let too_far = (gatehouse::clock::Clock::now(&app.clock) + Duration::days(60))
        .date()
        .to_string();
    let refused = browser
        .post(
            &extend_path,
            &[
                ("justification", "Still on the project"),
                ("end_date", &too_far),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.unwrap();
    assert!(body.contains("The policy allows access until"), "{body}");
    let bad = browser
        .post(
            &extend_path,
            &[
                ("justification", "Still on the project"),
                ("end_date", "31/12/2026"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let new_end = (gatehouse::clock::Clock::now(&app.clock) + Duration::days(20)).date();
    let asked = browser
        .post(
            &extend_path,
            &[
                ("justification", "Still on the project"),
                ("end_date", &new_end.to_string()),
            ],
        )
        .await;
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    let extension: gatehouse::ids::RequestId = location(&asked)
        .trim_start_matches("/myaccess/request-history/")
        .parse()
        .expect("the request's page");
    let row = assignment_request::Entity::find_by_id(extension)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            row.request_type.as_str(),
            row.state.as_str(),
            row.assignment_id
        ),
        ("userExtend", "pendingApproval", Some(before.id))
    );
    // It waits until the access ends at most, and approvers are reminded halfway there.
    assert_eq!(row.decide_by, Some(end));
    let asked_at = row.created_at;
    assert_eq!(row.remind_at, Some(asked_at + (end - asked_at) / 2));
    // Until decided, access is as it was; a second extension waits for this one.
    assert_eq!(
        the_assignment(&app, world.user1, world.package)
            .await
            .end_at,
        Some(end)
    );
    let page = browser.get_html("/myaccess/access").await;
    assert!(page.contains("Extension waiting for approval"), "{page}");
    assert!(!page.contains(&extend_path), "{page}");
    let history = browser.get_html(&location(&asked)).await;
    assert!(history.contains("Extend access"), "{history}");

    notify_pass(&app).await;
    // The approver sees it waiting, counted next to `Approvals`, and approves.
    let admin = admin1(&app).await;
    let admin_pending = admin.get_html("/myaccess/approvals").await;
    assert!(
        admin_pending.contains("<span class=\"nav-count\" aria-label=\"1 pending\">1</span>"),
        "{admin_pending}"
    );
    assert!(
        admin_pending.contains("<div class=\"cell-sub\">Extend access</div>"),
        "the approver sees it is an extension"
    );
    requests::decide(
        &app.db,
        &app.clock,
        &approver,
        extension,
        Decision::Approve,
        "",
    )
    .await
    .unwrap();
    let after = the_assignment(&app, world.user1, world.package).await;
    assert_eq!(after.id, before.id);
    assert_eq!(after.end_at.map(|e| e.date()), Some(new_end));
    assert_eq!(after.state, "delivered");
    assert_eq!(
        memberships(&app, world.user1).await,
        held,
        "no second membership"
    );
    assert!(
        !admin
            .get_html("/myaccess/approvals")
            .await
            .contains("nav-count")
    );
    assert_eq!(
        audit_count(
            &app,
            "Extend access package assignment",
            "Web project access package"
        )
        .await,
        1
    );

    // The old end passes: nothing expires, and the membership never left.
    app.clock.advance(Duration::days(4));
    let report = gatehouse::services::scheduler::run_pass(&app.db, &app.clock)
        .await
        .unwrap();
    assert_eq!(report.expired, 0);
    assert_eq!(memberships(&app, world.user1).await, held);

    notify_pass(&app).await;
    assert_eq!(
        subjects_to(&app, "user1@woodgrove.test").await,
        [
            "Request submitted: Web project access package",
            "Request approved: Web project access package",
            "Access delivered: Web project access package",
            "Extension submitted: Web project access package",
            "Access ends within 14 days: Web project access package",
            "Extension approved: Web project access package",
            "Access extended: Web project access package",
        ]
    );
    assert_eq!(
        subjects_to(&app, "admin1@woodgrove.test").await,
        [
            "Approve or deny: User1 requests Web project access package",
            "Approve or deny: User1 asks to extend Web project access package",
        ]
    );
}

#[tokio::test]
async fn without_approval_an_extension_is_made_at_once_and_the_warning_links_to_it() {
    let app = spawn_app().await;
    let world = world_with(&app, |_, policy| {
        policy
            .without_approval()
            .extendable()
            .custom_schedule(false)
    })
    .await;
    notify::run_pass(&app.db, &app.clock, &app.address)
        .await
        .unwrap();
    app.set_email(world.user1, "user1@woodgrove.test").await;
    app.submit_request(world.user1, world.package).await;
    let before = the_assignment(&app, world.user1, world.package).await;
    app.clock.advance(Duration::days(20));
    notify_pass(&app).await;
    let browser = user1(&app).await;
    let warning = email::Entity::find()
        .filter(email::Column::Kind.eq("accessEnding"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("a warning 10 days before the end");
    let extend_path = format!("/myaccess/access/{}/extend", before.id);
    assert!(
        warning.text_body.contains(&extend_path),
        "{}",
        warning.text_body
    );
    assert!(
        warning.html_body.contains(">Extend<"),
        "{}",
        warning.html_body
    );

    // The policy gives 30 days from today; the user doesn't choose.
    let pane = browser.get_html(&extend_path).await;
    assert!(!pane.contains("New end date"), "{pane}");
    assert!(pane.contains("extended at once"), "{pane}");
    let done = browser
        .post(
            &extend_path,
            &[("justification", "More work"), ("end_date", "")],
        )
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let after = the_assignment(&app, world.user1, world.package).await;
    assert_eq!(after.id, before.id);
    assert_eq!(
        after.end_at,
        Some(gatehouse::clock::Clock::now(&app.clock) + Duration::days(30))
    );
    // Warned again before the new end, once.
    app.clock.advance(Duration::days(17));
    notify_pass(&app).await;
    notify_pass(&app).await;
    let warnings = email::Entity::find()
        .filter(email::Column::Kind.eq("accessEnding"))
        .filter(email::Column::Subject.starts_with("Access ends within 14 days"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(warnings.len(), 2, "once per end");

    // A policy that does not allow it: no `Extend`, and a post is refused.
    let other = app.create_group("Other").await;
    let catalog = app.default_catalog().await;
    let package = app.create_package(catalog, "Plain", &[other]).await;
    app.create_policy(
        package,
        crate::builders::policy("No extending", &[world.user1], &[]),
    )
    .await;
    app.submit_request(world.user1, package).await;
    let plain = the_assignment(&app, world.user1, package).await;
    app.clock.advance(Duration::days(25));
    let browser = user1(&app).await;
    let page = browser.get_html("/myaccess/access").await;
    assert!(!page.contains(&format!("/myaccess/access/{}/extend", plain.id)));
    let refused = browser
        .post(
            &format!("/myaccess/access/{}/extend", plain.id),
            &[("justification", "x"), ("end_date", "")],
        )
        .await;
    assert_eq!(location(&refused), "/myaccess/access");
    assert!(
        browser
            .get_html("/myaccess/access")
            .await
            .contains("its policy must allow it")
    );
    assert_eq!(
        the_assignment(&app, world.user1, package).await.end_at,
        plain.end_at
    );
    // Nor can anyone extend someone else's.
    let (stranger, _) = app
        .signed_in("user2@woodgrove.test", "User2", DirectoryRole::User)
        .await;
    assert_eq!(
        stranger.get(&extend_path).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_administrator_extends_an_assignment_from_the_assignments_page() {
    let app = spawn_app().await;
    let world = world_with(&app, |_, policy| policy.without_approval()).await;
    app.submit_request(world.user1, world.package).await;
    let before = the_assignment(&app, world.user1, world.package).await;
    let page_path = format!("/admin/access-packages/{}/assignments", world.package);
    let extend_path = format!("{page_path}/{}/extend", before.id);
    let page = world.admin.get_html(&page_path).await;
    assert!(page.contains(&extend_path), "{page}");
    let form = world.admin.get_html(&extend_path).await;
    assert!(form.contains("New end date"), "{form}");

    for (typed, says) in [
        ("", "Enter the date the assignment should end."),
        ("not a date", "Enter a date like"),
        ("2020-01-01", "Choose a date after"),
    ] {
        let refused = world.admin.post(&extend_path, &[("end_date", typed)]).await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{typed}"
        );
        let body = refused.text().await.unwrap();
        assert!(body.contains(says), "{typed}: {body}");
    }
    // Within the policy's 30 days from today, and after the current end.
    app.clock.advance(Duration::days(10));
    let admin = admin1(&app).await;
    let chosen = (gatehouse::clock::Clock::now(&app.clock) + Duration::days(25)).date();
    let done = admin
        .post(&extend_path, &[("end_date", &chosen.to_string())])
        .await;
    assert_eq!(location(&done), page_path);
    let after = the_assignment(&app, world.user1, world.package).await;
    assert_eq!(after.end_at.map(|e| e.date()), Some(chosen));
    let request = assignment_request::Entity::find()
        .filter(assignment_request::Column::RequestType.eq("adminUpdate"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("an adminUpdate request");
    assert_eq!(request.assignment_id, Some(after.id));
    assert_eq!(request.state, "delivered");
    // A user without a catalog role cannot.
    let user = user1(&app).await;
    assert_eq!(
        user.post(&extend_path, &[("end_date", &chosen.to_string())])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

/// User1's request approved by Admin1 and delivered (30 days), then 25 days on: the
/// assignment, and Admin1 as the services see them.
async fn delivered_then_25_days(
    app: &TestApp,
    world: &super::World,
) -> (assignment::Model, gatehouse::domain::principal::Principal) {
    let request = app.submit_request(world.user1, world.package).await;
    let approver = app.principal_of(world.admin1).await;
    requests::decide(
        &app.db,
        &app.clock,
        &approver,
        request,
        Decision::Approve,
        "",
    )
    .await
    .unwrap();
    let held = the_assignment(app, world.user1, world.package).await;
    app.clock.advance(Duration::days(25));
    (held, approver)
}

/// `user` asks to extend `assignment` to the end of `end` (none: as the policy gives).
async fn ask_extension(
    app: &TestApp,
    user: UserId,
    assignment: gatehouse::ids::AssignmentId,
    end: Option<time::Date>,
) -> gatehouse::ids::RequestId {
    let principal = app.principal_of(user).await;
    let extension = requests::Extension {
        assignment,
        justification: "More time".into(),
        end,
    };
    requests::request_extension(&app.db, &app.clock, &principal, extension)
        .await
        .expect("an extension waits")
}

#[tokio::test]
async fn removing_access_cancels_the_extension_waiting_for_it() {
    let app = spawn_app().await;
    let world = world_with(&app, |_, policy| policy.extendable()).await;
    let (held, approver) = delivered_then_25_days(&app, &world).await;
    let extension = ask_extension(&app, world.user1, held.id, None).await;
    let admin = app.principal_of(world.admin1).await;
    requests::remove_assignment(&app.db, &app.clock, &admin, held.id)
        .await
        .unwrap();
    let row = assignment_request::Entity::find_by_id(extension)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.state, "canceled");
    // Nothing is left to approve.
    let approved = requests::decide(
        &app.db,
        &app.clock,
        &approver,
        extension,
        Decision::Approve,
        "",
    )
    .await;
    assert!(approved.is_err());
    assert_eq!(
        the_assignment(&app, world.user1, world.package).await.state,
        "removed"
    );
}

#[tokio::test]
async fn an_extension_never_shortens_access_someone_extended_meanwhile() {
    let app = spawn_app().await;
    let world = world_with(&app, |_, policy| policy.extendable()).await;
    let (held, approver) = delivered_then_25_days(&app, &world).await;
    let now = gatehouse::clock::Clock::now(&app.clock);
    let extension = ask_extension(
        &app,
        world.user1,
        held.id,
        Some((now + Duration::days(10)).date()),
    )
    .await;
    // Meanwhile the access came to last longer than the extension asks.
    let later = now + Duration::days(20);
    let mut row: assignment::ActiveModel = the_assignment(&app, world.user1, world.package)
        .await
        .into();
    row.end_at = Set(Some(later));
    row.update(&app.db).await.unwrap();
    let approved = requests::decide(
        &app.db,
        &app.clock,
        &approver,
        extension,
        Decision::Approve,
        "",
    )
    .await;
    let message = format!("{:?}", approved.expect_err("refused"));
    assert!(message.contains("already lasts until"), "{message}");
    assert_eq!(
        the_assignment(&app, world.user1, world.package)
            .await
            .end_at,
        Some(later),
        "not shortened"
    );
    let row = assignment_request::Entity::find_by_id(extension)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.state, "pendingApproval",
        "nothing changed: it can be denied"
    );
}

#[tokio::test]
async fn every_assignment_ending_at_the_same_moment_is_warned_however_many() {
    use gatehouse::entities::user;
    let app = spawn_app().await;
    let world = world_with(&app, |_, policy| policy.without_approval()).await;
    notify::run_pass(&app.db, &app.clock, &app.address)
        .await
        .unwrap();
    app.submit_request(world.user1, world.package).await;
    let template = the_assignment(&app, world.user1, world.package).await;
    let person = user::Entity::find_by_id(world.user1)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    // 450 people whose access ends at the same moment: more than two batches of a pass.
    let end = gatehouse::clock::Clock::now(&app.clock) + Duration::days(20);
    for n in 0..450 {
        let id = UserId::new();
        let mut someone = person.clone();
        someone.id = id;
        someone.user_principal_name = format!("p{n}@woodgrove.test");
        someone.email = Some(format!("p{n}@woodgrove.test"));
        someone.sso_subject = None;
        user::Entity::insert(user::ActiveModel::from(someone))
            .exec_without_returning(&app.db)
            .await
            .unwrap();
        let mut theirs = template.clone();
        theirs.id = gatehouse::ids::AssignmentId::new();
        theirs.target_id = id;
        theirs.end_at = Some(end);
        assignment::Entity::insert(assignment::ActiveModel::from(theirs))
            .exec_without_returning(&app.db)
            .await
            .unwrap();
    }
    app.clock.advance(Duration::days(7));
    for _ in 0..4 {
        notify_pass(&app).await;
    }
    let warned = email::Entity::find()
        .filter(email::Column::Kind.eq("accessEnding"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(warned.len(), 450);
}
