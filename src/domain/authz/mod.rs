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
    /// See groups and their members (the API's `Group.Read.All`); the portal asks for
    /// `ReadDirectory`.
    ReadGroups,
    /// Create and delete groups, add and remove direct members.
    ManageGroups,
    ReadAuditLog,
    /// Connected systems (LDAP directories, SCIM service providers, webhooks): their
    /// settings, secrets and tests. Global administrators only.
    ManageConnectedSystems,
    /// A person's own API tokens: made and revoked only while signed in to the portal.
    ManageOwnTokens,
    /// App registrations for daemons and their client secrets. Global administrators only.
    ManageApps,
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
    /// The API token scopes that allow this action (any one of them); none means no token
    /// may do it, whoever its owner is.
    fn scopes(&self) -> &'static [Scope] {
        use Scope::*;
        match self {
            Self::ReadDirectory => &[UserRead],
            Self::ReadGroups => &[GroupRead, GroupReadWrite],
            Self::ManageGroups => &[GroupReadWrite],
            Self::ManageUser { .. }
            | Self::ManageOwnAccount
            | Self::ManageConnectedSystems
            | Self::ManageOwnTokens
            | Self::ManageApps
            | Self::ReadAuditLog => &[],
            Self::UseAdminPortal
            | Self::ReadCatalog(_)
            | Self::ReadRequestAsApprover { .. }
            | Self::ReadOwn { .. } => &[EntitlementManagementRead, EntitlementManagementReadWrite],
            _ => &[EntitlementManagementReadWrite],
        }
    }
}

/// Decides whether `principal` may do `action`.
pub fn authorize(principal: &Principal, action: Action<'_>) -> Result<(), Denied> {
    if let Some(scopes) = principal.scopes()
        && !action.scopes().iter().any(|s| scopes.contains(s))
    {
        return Err(Denied::forbidden(
            "insufficient_scope",
            "The API token does not have the permission this needs.",
        ));
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
        Action::ReadDirectory
        | Action::ReadGroups
        | Action::ManageGroups
        | Action::ReadAuditLog => allowed(admin),
        Action::CreateCatalog => allowed(admin),
        Action::ManageConnectedSystems | Action::ManageApps => {
            allowed(principal.role == DirectoryRole::GlobalAdministrator)
        }
        Action::ManageOwnTokens => allowed(principal.via == Via::Session),
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
            | Action::ManageOwnTokens
            | Action::RequestUnderPolicy(_)
            | Action::ReadRequestAsApprover { .. }
            | Action::ReadOwn { .. },
        ) => Err(Denied::NOT_ALLOWED),
        (Via::Scheduler, Action::RemoveAssignment { .. }) => Ok(()),
        (Via::Scheduler, _) => Err(Denied::NOT_ALLOWED),
        // An identity provider keeps people and groups in step; administrators' accounts are
        // Gatehouse's own (break-glass, as with a directory's sync), and everything else is
        // the portal's business.
        (Via::Provisioning, Action::ManageUser { role }) => {
            if role == DirectoryRole::User {
                Ok(())
            } else {
                Err(Denied::forbidden(
                    "provisioning_administrator",
                    "Provisioning does not change an administrator's account; change it in Gatehouse.",
                ))
            }
        }
        (
            Via::Provisioning,
            Action::ReadDirectory | Action::ManageGroups | Action::RemoveAssignment { .. },
        ) => Ok(()),
        (Via::Provisioning, _) => Err(Denied::NOT_ALLOWED),
        // An app does what its permissions name, and no more than a User administrator.
        (
            Via::Application { .. },
            Action::ManageConnectedSystems
            | Action::ManageApps
            | Action::ManageUser {
                role: DirectoryRole::GlobalAdministrator,
            },
        ) => Err(Denied::NOT_ALLOWED),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
