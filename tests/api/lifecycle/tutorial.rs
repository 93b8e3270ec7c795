//! The tutorial's steps 4 to 7: User1 requests, Admin1 approves, access is checked and removed.
use crate::helpers::{PASSWORD, audit_count, ids_after, location};
use crate::packages::PACKAGE;

use super::{days_from_today, pending_request_id, request, spawn, today, world};

#[tokio::test]
async fn tutorial_steps_4_to_7_request_approve_validate_and_clean_up() {
    let app = spawn().await;
    let w = world(&app).await;
    let link = format!("/myaccess/access-packages/{}", w.package);

    // Step 4: User1 opens the My Access portal link, signs in, and requests access.
    let user = app.browser();
    let asked = user.get(&link).await;
    assert_eq!(
        location(&asked),
        format!("/?next=%2Fmyaccess%2Faccess-packages%2F{}", w.package)
    );
    let token = user.csrf_token().await;
    let signed_in = user
        .post_raw(
            "/",
            &[
                ("csrf_token", &token),
                ("username", "user1@woodgrove.test"),
                ("password", PASSWORD),
                ("next", &link),
            ],
        )
        .await;
    assert_eq!(location(&signed_in), link);
    let pane = user.get_html(&link).await;
    for words in [
        "Request access",
        PACKAGE,
        "Business justification",
        "Request for specific period",
        "Start date",
        "End date",
        ">Submit</button>",
    ] {
        assert!(pane.contains(words), "the request pane lacks {words}");
    }
    let listed = user.get_html("/myaccess/access-packages").await;
    assert!(
        listed.contains(PACKAGE)
            && listed.contains("<summary>Details</summary>")
            && listed.contains("Engineering Group (Group) · Member")
    );
    let (start, end) = (today(&app), days_from_today(&app, 1));
    let submitted = request(
        &user,
        &w.package,
        &[
            ("justification", "Working on web project"),
            ("specific_period", "yes"),
            ("start_date", &start),
            ("end_date", &end),
        ],
    )
    .await;
    assert_eq!(location(&submitted), "/myaccess/request-history");
    let history = user.get_html("/myaccess/request-history").await;
    assert!(history.contains(PACKAGE) && history.contains("Pending approval"));

    // Step 5: Admin1 approves on the Pending tab.
    let pending = w.admin.get_html("/myaccess/approvals").await;
    assert!(pending.contains("User1") && pending.contains(PACKAGE) && pending.contains(">View<"));
    let id = pending_request_id(&w.admin).await;
    let view = w.admin.get_html(&format!("/myaccess/approvals/{id}")).await;
    for words in [
        "Working on web project",
        "Internal user policy",
        " Approve</label>",
        " Deny</label>",
        ">Reason</label>",
        ">Submit</button>",
    ] {
        assert!(
            view.contains(words),
            "the access request pane lacks {words}"
        );
    }
    let approved = w
        .admin
        .post(
            &format!("/myaccess/approvals/{id}"),
            &[
                ("decision", "Approve"),
                ("reason", "Approved access for web project"),
            ],
        )
        .await;
    assert_eq!(location(&approved), "/myaccess/approvals");
    assert!(
        w.admin
            .get_html("/myaccess/approvals")
            .await
            .contains("No pending approvals")
    );
    assert!(
        w.admin
            .get_html("/myaccess/approvals/history")
            .await
            .contains("Approved access for web project")
    );

    // Step 6: Requests shows User1, Internal user policy, Fulfilled; the group has User1.
    let requests = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/requests", w.package))
        .await;
    assert!(
        requests.contains("User1")
            && requests.contains("Internal user policy")
            && requests.contains("Fulfilled")
    );
    let detail = w
        .admin
        .get_html(&format!(
            "/admin/access-packages/{}/requests/{id}",
            w.package
        ))
        .await;
    assert!(
        detail.contains("Approved by Admin1: “Approved access for web project”")
            && detail.contains("Access delivered: member of Engineering Group")
    );
    let members = w
        .admin
        .get_html(&format!("/admin/groups/{}/members", w.group))
        .await;
    assert!(
        members.contains("user1@woodgrove.test") && members.contains("Access package assignment")
    );
    let mine = user.get_html("/myaccess/access").await;
    assert!(
        mine.contains(PACKAGE) && mine.contains(&format!("{end} 23:59 UTC")),
        "ends at the end of tomorrow"
    );
    assert!(
        user.get_html("/myaccess/request-history")
            .await
            .contains("Fulfilled")
    );

    // Step 7: Remove access, then delete the policy, the resource role, the package, the users and the group.
    let assignments = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/assignments", w.package))
        .await;
    let assignment = ids_after(
        &assignments,
        &format!("/admin/access-packages/{}/assignments/", w.package),
    )[0]
    .clone();
    assert!(
        w.admin
            .get_html(&format!(
                "/admin/access-packages/{}/assignments/{assignment}/remove",
                w.package
            ))
            .await
            .contains("Remove access for User1?")
    );
    w.admin
        .post(
            &format!(
                "/admin/access-packages/{}/assignments/{assignment}/remove",
                w.package
            ),
            &[],
        )
        .await;
    let assignments = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/assignments", w.package))
        .await;
    assert!(assignments.contains("Access removed: User1") && assignments.contains("Removed"));
    assert!(
        w.admin
            .get_html(&format!("/admin/groups/{}/members", w.group))
            .await
            .contains("No members")
    );
    let policies = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/policies", w.package))
        .await;
    let policy = ids_after(
        &policies,
        &format!("/admin/access-packages/{}/policies/", w.package),
    )[0]
    .clone();
    w.admin
        .post(
            &format!(
                "/admin/access-packages/{}/policies/{policy}/delete",
                w.package
            ),
            &[],
        )
        .await;
    let policies = w
        .admin
        .get_html(&format!("/admin/access-packages/{}/policies", w.package))
        .await;
    assert!(
        policies.contains("Policy deleted: Internal user policy")
            && policies.contains("No policies")
    );
    let roles = w
        .admin
        .get_html(&format!(
            "/admin/access-packages/{}/resource-roles",
            w.package
        ))
        .await;
    let role = ids_after(
        &roles,
        &format!("/admin/access-packages/{}/resource-roles/", w.package),
    )[0]
    .clone();
    w.admin
        .post(
            &format!(
                "/admin/access-packages/{}/resource-roles/{role}/remove",
                w.package
            ),
            &[],
        )
        .await;
    let roles = w
        .admin
        .get_html(&format!(
            "/admin/access-packages/{}/resource-roles",
            w.package
        ))
        .await;
    assert!(
        roles.contains("Resource role removed: Engineering Group")
            && roles.contains("No resource roles")
    );
    assert_eq!(
        location(
            &w.admin
                .post(&format!("/admin/access-packages/{}/delete", w.package), &[])
                .await
        ),
        "/admin/access-packages"
    );
    assert_eq!(
        location(
            &w.admin
                .post(&format!("/admin/users/{}/delete", w.user1), &[])
                .await
        ),
        "/admin/users"
    );
    let catalogs = w.admin.get_html("/admin/catalogs").await;
    let catalog = ids_after(&catalogs, "href=\"/admin/catalogs/")[0].clone();
    w.admin
        .post(
            &format!("/admin/catalogs/{catalog}/resources/{}/remove", w.group),
            &[],
        )
        .await;
    assert!(
        w.admin
            .get_html(&format!("/admin/catalogs/{catalog}/resources"))
            .await
            .contains("Resource removed: Engineering Group")
    );
    assert_eq!(
        location(
            &w.admin
                .post(&format!("/admin/groups/{}/delete", w.group), &[])
                .await
        ),
        "/admin/groups"
    );
    assert_eq!(
        audit_count(&app, "Remove access package assignment", PACKAGE).await,
        1
    );
    let _ = w.admin1;
}
