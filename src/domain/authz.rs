//! The one answer to "may this principal do this to that object". Services call
//! `authorize` before they read or write; handlers call it only to choose which buttons to
//! show.
use super::principal::{Principal, Scope, Via};
use super::user::DirectoryRole;
use crate::ids::{CatalogId, UserId};

/// Something a principal wants to do.
#[derive(Clone, Copy, Debug)]
pub enum Action<'a> {
    /// Any page of the admin portal (directory admins and catalog role holders).
    UseAdminPortal,
    /// See users and groups in the admin portal.
    ReadDirectory,
    /// Create, change, disable, reset or delete a user who has (or would get) `role`.
    ManageUser {
        role: DirectoryRole,
    },
    /// Change one's own account's role, status or existence.
    ManageOwnAccount,
    /// Create and delete groups, add and remove direct members.
    ManageGroups,
    ReadAuditLog,
    CreateCatalog,
    ReadCatalog(CatalogId),
    /// Properties, roles and deletion of a catalog.
    ManageCatalog(CatalogId),
    /// Add and remove a catalog's resources.
    ManageResources(CatalogId),
    /// Bring a group into `catalog` as a resource.
    AddGroupToCatalog {
        catalog: CatalogId,
        group: GroupFacts,
    },
    /// Access packages, their resource roles and policies.
    ManagePackages(CatalogId),
    /// Direct assignments and `Remove access` in a catalog.
    ManageAssignments(CatalogId),
    /// Request access for oneself under a policy.
    RequestUnderPolicy(RequestFacts),
    /// Approve or deny a request.
    DecideRequest {
        approvers: &'a [UserId],
        target: UserId,
    },
    /// See a request as one of its policy's approvers (own requests included: the page
    /// says why they cannot be decided).
    ReadRequestAsApprover {
        approvers: &'a [UserId],
    },
    /// See one's own request or assignment.
    ReadOwn {
        target: UserId,
    },
    /// Withdraw a request nobody has decided yet.
    CancelRequest {
        target: UserId,
    },
    /// End an assignment: its own user (`userRemove`) or an assignment manager.
    RemoveAssignment {
        catalog: CatalogId,
        target: UserId,
    },
}

/// What authorization needs to know of a group being added to a catalog.
#[derive(Clone, Copy, Debug, Default)]
pub struct GroupFacts {
    /// The principal is an owner of the group.
    pub owned_by_principal: bool,
    /// The group is a resource of another catalog, governed there.
    pub in_other_catalog: bool,
}

/// What authorization needs to know of a request under a policy.
#[derive(Clone, Copy, Debug)]
pub struct RequestFacts {
    /// The policy names the principal (directly, through a group, or all members).
    pub policy_lets_request: bool,
    pub policy_enabled: bool,
    pub catalog_enabled: bool,
}

/// Why an action was refused. `NotFound` when the principal may not even know the object
/// exists, so that refusals do not reveal it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("not found")]
    NotFound,
    #[error("{message}")]
    Forbidden {
        code: &'static str,
        message: &'static str,
    },
}

impl Denied {
    const fn forbidden(code: &'static str, message: &'static str) -> Self {
        Self::Forbidden { code, message }
    }

    const NOT_ALLOWED: Denied = Denied::forbidden(
        "forbidden",
        "Your role does not allow this. If you need access, ask an administrator.",
    );
}

impl Action<'_> {
    /// The API token scope this action needs: reads need a read scope or its write form.
    fn scope(&self) -> (Scope, Option<Scope>) {
        use Scope::*;
        match self {
            Self::ReadDirectory | Self::ManageUser { .. } | Self::ManageOwnAccount => {
                (UserReadWrite, None)
            }
            Self::ManageGroups => (GroupReadWrite, None),
            Self::UseAdminPortal | Self::ReadAuditLog | Self::ReadCatalog(_) => (
                EntitlementManagementRead,
                Some(EntitlementManagementReadWrite),
            ),
            _ => (EntitlementManagementReadWrite, None),
        }
    }
}

/// Decides whether `principal` may do `action`.
pub fn authorize(principal: &Principal, action: Action<'_>) -> Result<(), Denied> {
    if let Via::ApiToken { scopes } = &principal.via {
        let (needed, or) = action.scope();
        if !scopes.iter().any(|s| *s == needed || Some(*s) == or) {
            return Err(Denied::forbidden(
                "insufficient_scope",
                "The API token does not have the scope this needs.",
            ));
        }
    }
    if principal.is_system() {
        return system(principal, action);
    }
    let admin = principal.role.is_directory_admin();
    let allowed = |yes: bool| {
        if yes {
            Ok(())
        } else {
            Err(Denied::NOT_ALLOWED)
        }
    };
    // Catalog actions: someone who cannot read the catalog is told it does not exist.
    let in_catalog = |catalog: CatalogId, allowed: fn(&super::catalog::CatalogAccess) -> bool| {
        let access = principal.catalog_access(catalog);
        if !access.read {
            Err(Denied::NotFound)
        } else if allowed(&access) {
            Ok(())
        } else {
            Err(Denied::NOT_ALLOWED)
        }
    };
    match action {
        Action::UseAdminPortal => allowed(principal.uses_admin_portal()),
        Action::ReadDirectory | Action::ManageGroups | Action::ReadAuditLog => allowed(admin),
        Action::CreateCatalog => allowed(admin),
        Action::ManageUser { role } => {
            if !admin {
                Err(Denied::NOT_ALLOWED)
            } else if principal.role.can_manage(role) {
                Ok(())
            } else {
                Err(Denied::forbidden(
                    "cannot_manage_global_administrator",
                    "A User administrator cannot create, change or delete a Global administrator.",
                ))
            }
        }
        Action::ManageOwnAccount => Err(Denied::forbidden(
            "not_for_yourself",
            "You cannot change your own directory role, disable or delete your own account.",
        )),
        Action::ReadCatalog(catalog) => in_catalog(catalog, |a| a.read),
        Action::ManageCatalog(catalog) => in_catalog(catalog, |a| a.manage_catalog),
        Action::ManageResources(catalog) => in_catalog(catalog, |a| a.manage_resources),
        Action::ManagePackages(catalog) => in_catalog(catalog, |a| a.manage_packages),
        Action::ManageAssignments(catalog) => in_catalog(catalog, |a| a.manage_assignments),
        Action::AddGroupToCatalog { catalog, group } => {
            in_catalog(catalog, |a| a.manage_resources)?;
            // As in Entra: catalog owners bring in only groups they own, and never one that
            // another catalog governs.
            if admin {
                Ok(())
            } else if group.in_other_catalog {
                Err(Denied::forbidden(
                    "group_in_other_catalog",
                    "That group is a resource of another catalog. Only an administrator can add it here.",
                ))
            } else if !group.owned_by_principal {
                Err(Denied::forbidden(
                    "not_group_owner",
                    "Only an owner of that group (or an administrator) can add it to a catalog.",
                ))
            } else {
                Ok(())
            }
        }
        Action::RequestUnderPolicy(facts) => {
            if facts.catalog_enabled && facts.policy_enabled && facts.policy_lets_request {
                Ok(())
            } else {
                Err(Denied::NotFound)
            }
        }
        Action::DecideRequest { approvers, target } => {
            let Some(me) = principal.user_id else {
                return Err(Denied::NotFound);
            };
            if !approvers.contains(&me) {
                Err(Denied::NotFound)
            } else if target == me {
                // Written once: nobody decides their own request.
                Err(Denied::forbidden(
                    "own_request",
                    "You cannot approve your own request",
                ))
            } else {
                Ok(())
            }
        }
        Action::ReadRequestAsApprover { approvers } => {
            if principal.user_id.is_some_and(|me| approvers.contains(&me)) {
                Ok(())
            } else {
                Err(Denied::NotFound)
            }
        }
        Action::CancelRequest { target } | Action::ReadOwn { target } => {
            if principal.is(target) {
                Ok(())
            } else {
                Err(Denied::NotFound)
            }
        }
        Action::RemoveAssignment { catalog, target } => {
            if principal.is(target) {
                Ok(())
            } else {
                in_catalog(catalog, |a| a.manage_assignments)
            }
        }
    }
}

/// The console may do what a Global administrator may; the scheduler only ends, starts and
/// times out what rules say (it never decides a request or requests access).
fn system(principal: &Principal, action: Action<'_>) -> Result<(), Denied> {
    match (&principal.via, action) {
        (
            _,
            Action::DecideRequest { .. }
            | Action::RequestUnderPolicy(_)
            | Action::ReadRequestAsApprover { .. }
            | Action::ReadOwn { .. },
        ) => Err(Denied::NOT_ALLOWED),
        (Via::Scheduler, Action::RemoveAssignment { .. }) => Ok(()),
        (Via::Scheduler, _) => Err(Denied::NOT_ALLOWED),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
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
}
