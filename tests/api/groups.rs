use gatehouse::domain::user::DirectoryRole;
use reqwest::StatusCode;

use crate::helpers::{audit_count, location, spawn_app};

#[tokio::test]
async fn group_names_are_required_and_unique() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let empty = admin
        .post(
            "/admin/groups/new",
            &[
                ("display_name", " "),
                ("description", "x"),
                ("membership_type", "assigned"),
            ],
        )
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.unwrap().contains("Enter a group name."));
    let created = admin
        .post(
            "/admin/groups/new",
            &[
                ("display_name", "Engineering Group"),
                ("membership_type", "assigned"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let twice = admin
        .post(
            "/admin/groups/new",
            &[
                ("display_name", "engineering group"),
                ("description", "again"),
                ("membership_type", "assigned"),
            ],
        )
        .await;
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = twice.text().await.unwrap();
    assert!(html.contains("A group with this name already exists."));
    assert!(html.contains(">again</textarea>"), "input kept");
    let dynamic = admin
        .post(
            "/admin/groups/new",
            &[("display_name", "Dynamic"), ("membership_type", "dynamic")],
        )
        .await;
    assert_eq!(dynamic.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn members_are_added_and_removed_directly() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let user1 = app
        .create_user("user1@woodgrove.test", "User1", DirectoryRole::User)
        .await;
    let group = app.create_group("Engineering Group").await;
    let members = format!("/admin/groups/{group}/members");

    let picker = admin.get_html(&format!("{members}/add?q=user1")).await;
    assert!(picker.contains("user1@woodgrove.test"));
    let added = admin
        .post(
            &format!("{members}/add"),
            &[("user_id", &user1.to_string())],
        )
        .await;
    assert_eq!(location(&added), members);
    let html = admin.get_html(&members).await;
    assert!(html.contains("Member added: User1"));
    assert!(html.contains("user1@woodgrove.test"));
    assert!(html.contains("Direct"));
    let again = admin.get_html(&format!("{members}/add?q=user1")).await;
    assert!(
        !again.contains("Add<span class=\"visually-hidden\"> User1</span>"),
        "not offered twice as a member"
    );
    assert!(
        again.contains("Add as owner<span class=\"visually-hidden\"> User1</span>"),
        "still offered as an owner"
    );

    let twice = admin
        .post(
            &format!("{members}/add"),
            &[("user_id", &user1.to_string())],
        )
        .await;
    assert_eq!(twice.status(), StatusCode::SEE_OTHER);
    assert!(
        admin
            .get_html(&members)
            .await
            .contains("User1 is already a direct member of this group.")
    );

    let removed = admin.post(&format!("{members}/{user1}/remove"), &[]).await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    let html = admin.get_html(&members).await;
    assert!(html.contains("Member removed: User1"));
    assert!(html.contains("No members"));
    assert_eq!(
        audit_count(&app, "Add member to group", "Engineering Group").await,
        1
    );
    assert_eq!(
        audit_count(&app, "Remove member from group", "Engineering Group").await,
        1
    );
}

#[tokio::test]
async fn deleting_a_group_asks_first() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let group = app.create_group("Engineering Group").await;
    assert!(
        admin
            .get_html(&format!("/admin/groups/{group}/delete"))
            .await
            .contains("Delete Engineering Group?")
    );
    let deleted = admin
        .post(&format!("/admin/groups/{group}/delete"), &[])
        .await;
    assert_eq!(location(&deleted), "/admin/groups");
    assert!(
        admin
            .get_html("/admin/groups")
            .await
            .contains("Group deleted: Engineering Group")
    );
    assert_eq!(
        admin.get(&format!("/admin/groups/{group}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        audit_count(&app, "Delete group", "Engineering Group").await,
        1
    );
}

#[tokio::test]
async fn a_group_name_cannot_pose_as_another_with_invisible_or_extra_spaces() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    app.create_group("Engineering Group").await;

    let hidden = admin
        .post(
            "/admin/groups/new",
            &[
                ("display_name", "Engineering\u{200b} Group"),
                ("membership_type", "assigned"),
            ],
        )
        .await;
    assert_eq!(hidden.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        hidden
            .text()
            .await
            .unwrap()
            .contains("The group name contains invisible characters")
    );

    for lookalike in [
        "Engineering  Group",
        "Engineering\u{a0}Group",
        "ＥＮＧＩＮＥＥＲＩＮＧ Group",
    ] {
        let twice = admin
            .post(
                "/admin/groups/new",
                &[
                    ("display_name", lookalike),
                    ("description", "a copy"),
                    ("membership_type", "assigned"),
                ],
            )
            .await;
        assert_eq!(
            twice.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{lookalike:?}"
        );
        let html = twice.text().await.unwrap();
        assert!(html.contains("A group with this name already exists."));
        assert!(html.contains(">a copy</textarea>"), "input kept");
    }
}

/// The Groups list counts each group's members in the same statement, exactly up to 1,000
/// and as "1,000+" beyond (a person with two memberships counts once).
#[tokio::test]
async fn the_groups_list_counts_members_exactly_up_to_a_thousand() {
    use gatehouse::clock::Clock;
    use gatehouse::entities::{group_member, user};
    use gatehouse::ids::{MembershipId, UserId};
    use sea_orm::EntityTrait;

    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    let small = app.create_group("Small group").await;
    let big = app.create_group("Big group").await;
    let now = app.clock.now();
    let people: Vec<user::ActiveModel> = (0..1_001)
        .map(|n| {
            user::Model {
                id: UserId::new(),
                user_principal_name: format!("member{n:04}@woodgrove.test"),
                display_name: format!("Member {n:04}"),
                email: None,
                directory_role: "user".into(),
                account_enabled: true,
                password_hash: "not a hash".into(),
                security_stamp: format!("stamp{n}"),
                created_at: now,
                updated_at: now,
                deleted_at: None,
                former_user_principal_name: None,
                source_system_id: None,
                external_id: None,
                disabled_by_source: false,
                scim_profile: None,
                sso_subject: None,
                optional_email: true,
            }
            .into()
        })
        .collect();
    let ids: Vec<UserId> = people.iter().map(|p| *p.id.as_ref()).collect();
    for chunk in people.chunks(200) {
        user::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&app.db)
            .await
            .unwrap();
    }
    let membership = |group, user: UserId, source: &str| -> group_member::ActiveModel {
        group_member::Model {
            id: MembershipId::new(),
            group_id: group,
            user_id: user,
            role: "member".into(),
            source_kind: source.into(),
            source_id: if source == "direct" {
                uuid::Uuid::nil()
            } else {
                uuid::Uuid::now_v7()
            },
            created_at: now,
        }
        .into()
    };
    // Three people in the small group, one of them twice (directly and by an assignment).
    let mut rows = vec![
        membership(small, ids[0], "direct"),
        membership(small, ids[1], "direct"),
        membership(small, ids[2], "direct"),
        membership(small, ids[2], "assignment"),
    ];
    rows.extend(ids.iter().map(|u| membership(big, *u, "direct")));
    for chunk in rows.chunks(200) {
        group_member::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&app.db)
            .await
            .unwrap();
    }

    let page = admin.get_html("/admin/groups").await;
    let row = |name: &str| {
        let start = page.find(name).expect("the group is listed");
        page[start..start + page[start..].find("</tr>").unwrap()].to_owned()
    };
    assert!(
        row("Small group").contains("<td>3</td>"),
        "{}",
        row("Small group")
    );
    assert!(
        row("Big group").contains("<td>1,000+</td>"),
        "{}",
        row("Big group")
    );
}
