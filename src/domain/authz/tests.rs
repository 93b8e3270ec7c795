//! The authorization rules, one sentence each.
use super::*;
use crate::domain::catalog::CatalogRole;
use crate::domain::user::User;
use time::OffsetDateTime;

fn person(role: DirectoryRole, roles: Vec<(CatalogId, CatalogRole)>) -> Principal {
    let user = User {
        id: UserId::new(),
        user_principal_name: "someone@woodgrove.test".to_owned(),
        display_name: "Someone".to_owned(),
        email: None,
        role,
        enabled: true,
        security_stamp: String::new(),
        created_at: OffsetDateTime::UNIX_EPOCH,
        source_system: None,
    };
    Principal::session(&user, roles, None)
}

#[test]
fn a_catalog_role_of_another_catalog_does_not_reveal_this_one() {
    let (a, b) = (CatalogId::new(), CatalogId::new());
    let owner_of_b = person(DirectoryRole::User, vec![(b, CatalogRole::Owner)]);
    for action in [
        Action::ReadCatalog(a),
        Action::ManageCatalog(a),
        Action::ManagePackages(a),
        Action::ManageAssignments(a),
    ] {
        assert_eq!(authorize(&owner_of_b, action), Err(Denied::NotFound));
    }
    assert_eq!(authorize(&owner_of_b, Action::ManagePackages(b)), Ok(()));
}

#[test]
fn a_catalog_reader_sees_but_does_not_change() {
    let a = CatalogId::new();
    let reader = person(DirectoryRole::User, vec![(a, CatalogRole::Reader)]);
    assert_eq!(authorize(&reader, Action::ReadCatalog(a)), Ok(()));
    assert!(matches!(
        authorize(&reader, Action::ManagePackages(a)),
        Err(Denied::Forbidden { .. })
    ));
}

#[test]
fn catalog_owners_add_only_groups_they_own_and_no_other_catalogs_groups() {
    let a = CatalogId::new();
    let owner = person(DirectoryRole::User, vec![(a, CatalogRole::Owner)]);
    let add = |owned_by_principal, in_other_catalog| {
        authorize(
            &owner,
            Action::AddGroupToCatalog {
                catalog: a,
                group: GroupFacts {
                    owned_by_principal,
                    in_other_catalog,
                },
            },
        )
    };
    assert_eq!(add(true, false), Ok(()));
    assert!(matches!(
        add(false, false),
        Err(Denied::Forbidden {
            code: "not_group_owner",
            ..
        })
    ));
    assert!(matches!(
        add(true, true),
        Err(Denied::Forbidden {
            code: "group_in_other_catalog",
            ..
        })
    ));
    let admin = person(DirectoryRole::UserAdministrator, vec![]);
    let facts = GroupFacts {
        owned_by_principal: false,
        in_other_catalog: true,
    };
    assert_eq!(
        authorize(
            &admin,
            Action::AddGroupToCatalog {
                catalog: a,
                group: facts
            }
        ),
        Ok(())
    );
}

#[test]
fn nobody_decides_their_own_request() {
    let approver = person(DirectoryRole::GlobalAdministrator, vec![]);
    let me = approver.user_id.unwrap_or_default();
    let approvers = [me];
    assert!(matches!(
        authorize(
            &approver,
            Action::DecideRequest {
                approvers: &approvers,
                target: me
            }
        ),
        Err(Denied::Forbidden {
            code: "own_request",
            ..
        })
    ));
    let other = UserId::new();
    assert_eq!(
        authorize(
            &approver,
            Action::DecideRequest {
                approvers: &approvers,
                target: other
            }
        ),
        Ok(())
    );
    // Not an approver of the policy: even a Global administrator does not see it.
    assert_eq!(
        authorize(
            &approver,
            Action::DecideRequest {
                approvers: &[],
                target: other
            }
        ),
        Err(Denied::NotFound)
    );
}

#[test]
fn a_user_administrator_cannot_manage_a_global_administrator() {
    let ua = person(DirectoryRole::UserAdministrator, vec![]);
    assert!(
        authorize(
            &ua,
            Action::ManageUser {
                role: DirectoryRole::GlobalAdministrator
            }
        )
        .is_err()
    );
    assert_eq!(
        authorize(
            &ua,
            Action::ManageUser {
                role: DirectoryRole::User
            }
        ),
        Ok(())
    );
    let user = person(DirectoryRole::User, vec![]);
    assert!(
        authorize(
            &user,
            Action::ManageUser {
                role: DirectoryRole::User
            }
        )
        .is_err()
    );
}

#[test]
fn requests_need_an_enabled_catalog_and_policy_that_names_the_requestor() {
    let user = person(DirectoryRole::User, vec![]);
    let facts = RequestFacts {
        policy_lets_request: true,
        policy_enabled: true,
        catalog_enabled: true,
    };
    assert_eq!(authorize(&user, Action::RequestUnderPolicy(facts)), Ok(()));
    for refused in [
        RequestFacts {
            catalog_enabled: false,
            ..facts
        },
        RequestFacts {
            policy_enabled: false,
            ..facts
        },
        RequestFacts {
            policy_lets_request: false,
            ..facts
        },
    ] {
        assert_eq!(
            authorize(&user, Action::RequestUnderPolicy(refused)),
            Err(Denied::NotFound)
        );
    }
}

#[test]
fn the_scheduler_only_ends_assignments_and_the_console_never_decides() {
    let target = UserId::new();
    let catalog = CatalogId::new();
    let scheduler = Principal::scheduler();
    assert_eq!(
        authorize(&scheduler, Action::RemoveAssignment { catalog, target }),
        Ok(())
    );
    assert!(authorize(&scheduler, Action::ManageGroups).is_err());
    let console = Principal::console();
    assert_eq!(
        authorize(
            &console,
            Action::ManageUser {
                role: DirectoryRole::GlobalAdministrator
            }
        ),
        Ok(())
    );
    assert!(
        authorize(
            &console,
            Action::DecideRequest {
                approvers: &[],
                target
            }
        )
        .is_err()
    );
}

#[test]
fn an_api_token_is_limited_to_its_scopes() {
    let mut reader = person(DirectoryRole::GlobalAdministrator, vec![]);
    reader.via = Via::ApiToken {
        scopes: vec![Scope::EntitlementManagementRead],
    };
    let catalog = CatalogId::new();
    assert_eq!(authorize(&reader, Action::ReadCatalog(catalog)), Ok(()));
    assert!(matches!(
        authorize(&reader, Action::ManagePackages(catalog)),
        Err(Denied::Forbidden {
            code: "insufficient_scope",
            ..
        })
    ));
}

#[test]
fn only_a_global_administrator_manages_connected_systems() {
    let owner = person(
        DirectoryRole::User,
        vec![(CatalogId::new(), CatalogRole::Owner)],
    );
    for (who, allowed) in [
        (person(DirectoryRole::GlobalAdministrator, vec![]), true),
        (person(DirectoryRole::UserAdministrator, vec![]), false),
        (owner, false),
        (person(DirectoryRole::User, vec![]), false),
    ] {
        assert_eq!(
            authorize(&who, Action::ManageConnectedSystems).is_ok(),
            allowed,
            "{:?}",
            who.role
        );
    }
}

#[test]
fn provisioning_keeps_people_and_groups_in_step_and_nothing_else() {
    let provider = Principal::provisioning("Contoso Entra ID", None);
    assert_eq!(provider.name, "Contoso Entra ID (SCIM provisioning)");
    for allowed in [
        Action::ReadDirectory,
        Action::ManageGroups,
        Action::ManageUser {
            role: DirectoryRole::User,
        },
        Action::RemoveAssignment {
            catalog: CatalogId::new(),
            target: UserId::new(),
        },
    ] {
        assert_eq!(authorize(&provider, allowed), Ok(()), "{allowed:?}");
    }
    for role in [
        DirectoryRole::GlobalAdministrator,
        DirectoryRole::UserAdministrator,
    ] {
        assert!(matches!(
            authorize(&provider, Action::ManageUser { role }),
            Err(Denied::Forbidden {
                code: "provisioning_administrator",
                ..
            })
        ));
    }
    for refused in [
        Action::ManageConnectedSystems,
        Action::ReadAuditLog,
        Action::CreateCatalog,
        Action::ManagePackages(CatalogId::new()),
        Action::UseAdminPortal,
    ] {
        assert!(authorize(&provider, refused).is_err(), "{refused:?}");
    }
}

#[test]
fn a_read_scope_reads_ones_own_requests_but_never_manages_accounts_or_tokens() {
    let mut user = person(DirectoryRole::GlobalAdministrator, vec![]);
    let me = user.user_id.unwrap_or_default();
    user.via = Via::ApiToken {
        scopes: vec![Scope::EntitlementManagementRead, Scope::UserRead],
    };
    assert_eq!(authorize(&user, Action::ReadOwn { target: me }), Ok(()));
    assert_eq!(authorize(&user, Action::ReadDirectory), Ok(()));
    for action in [
        Action::ManageUser {
            role: DirectoryRole::User,
        },
        Action::ManageOwnTokens,
        Action::ManageApps,
        Action::ReadGroups,
        Action::CancelRequest { target: me },
    ] {
        assert!(authorize(&user, action).is_err(), "{action:?}");
    }
}

#[test]
fn an_app_acts_for_the_system_within_its_permissions_and_never_decides() {
    let app = Principal::application("Daemon", vec![Scope::EntitlementManagementReadWrite], None);
    let catalog = CatalogId::new();
    assert_eq!(authorize(&app, Action::ManagePackages(catalog)), Ok(()));
    assert_eq!(authorize(&app, Action::ManageAssignments(catalog)), Ok(()));
    assert!(
        authorize(&app, Action::ReadDirectory).is_err(),
        "no User.Read.All"
    );
    assert!(
        authorize(
            &app,
            Action::DecideRequest {
                approvers: &[],
                target: UserId::new()
            }
        )
        .is_err()
    );
    let admin_app = Principal::application("Daemon", Scope::ALL.to_vec(), None);
    assert!(authorize(&admin_app, Action::ManageApps).is_err());
    assert!(authorize(&admin_app, Action::ManageConnectedSystems).is_err());
}
