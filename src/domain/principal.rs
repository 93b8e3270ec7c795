//! Who acts, and how: the one value every service is given instead of a web extractor.
use super::catalog::{CatalogAccess, CatalogRole};
use super::user::{DirectoryRole, User};
use crate::ids::{CatalogId, UserId};

/// How a principal reaches Gatehouse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    /// A person signed in to the portal.
    Session,
    /// A script with a personal API token, limited to its scopes.
    ApiToken { scopes: Vec<Scope> },
    /// `gatehouse` on the machine's console: trusted.
    Console,
    /// The background scheduler: only system transitions.
    Scheduler,
    /// A connected system's sync: imports from a directory, drift reverted.
    Connector,
    /// An identity provider at Gatehouse's SCIM endpoint, with a provisioning token: users
    /// and groups only, never a Global administrator.
    Provisioning,
}

/// What an API token may do, named as Microsoft Graph's permissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    EntitlementManagementRead,
    EntitlementManagementReadWrite,
    UserReadWrite,
    GroupReadWrite,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EntitlementManagementRead => "EntitlementManagement.Read.All",
            Self::EntitlementManagementReadWrite => "EntitlementManagement.ReadWrite.All",
            Self::UserReadWrite => "User.ReadWrite.All",
            Self::GroupReadWrite => "Group.ReadWrite.All",
        }
    }
}

/// A person (or the system) acting on Gatehouse.
#[derive(Clone, Debug)]
pub struct Principal {
    /// None for the console and the scheduler.
    pub user_id: Option<UserId>,
    pub display_name: String,
    /// The user principal name, or the system's name; what the audit log shows as the actor.
    pub name: String,
    pub role: DirectoryRole,
    /// Every role the person holds in a catalog.
    pub catalog_roles: Vec<(CatalogId, CatalogRole)>,
    pub via: Via,
    pub client_ip: Option<String>,
}

impl Principal {
    /// A signed-in person.
    pub fn session(
        user: &User,
        catalog_roles: Vec<(CatalogId, CatalogRole)>,
        client_ip: Option<String>,
    ) -> Self {
        Self {
            user_id: Some(user.id),
            display_name: user.display_name.clone(),
            name: user.user_principal_name.clone(),
            role: user.role,
            catalog_roles,
            via: Via::Session,
            client_ip,
        }
    }

    /// `gatehouse user add`, `gatehouse demo` and other console commands.
    pub fn console() -> Self {
        Self::system("gatehouse (command line)", Via::Console)
    }

    /// The scheduler's passes.
    pub fn scheduler() -> Self {
        Self::system("Gatehouse (scheduler)", Via::Scheduler)
    }

    /// A connected system's sync and drift checks, named after the system.
    pub fn connector(system_name: &str) -> Self {
        Self::system(&format!("{system_name} (connected system)"), Via::Connector)
    }

    /// An identity provider provisioning over SCIM, named after its token.
    pub fn provisioning(token_name: &str, client_ip: Option<String>) -> Self {
        Self {
            client_ip,
            ..Self::system(
                &format!("{token_name} (SCIM provisioning)"),
                Via::Provisioning,
            )
        }
    }

    fn system(name: &str, via: Via) -> Self {
        Self {
            user_id: None,
            display_name: name.to_owned(),
            name: name.to_owned(),
            role: DirectoryRole::User,
            catalog_roles: Vec::new(),
            via,
            client_ip: None,
        }
    }

    /// The console and the scheduler act for the system, not for a person.
    pub fn is_system(&self) -> bool {
        matches!(
            self.via,
            Via::Console | Via::Scheduler | Via::Connector | Via::Provisioning
        )
    }

    /// Whether this principal is the person `id`.
    pub fn is(&self, id: UserId) -> bool {
        self.user_id == Some(id)
    }

    pub fn is_directory_admin(&self) -> bool {
        self.is_system() || self.role.is_directory_admin()
    }

    /// What the principal may do in `catalog`.
    pub fn catalog_access(&self, catalog: CatalogId) -> CatalogAccess {
        if self.is_system() {
            return CatalogAccess::of(DirectoryRole::GlobalAdministrator, &[]);
        }
        let roles: Vec<CatalogRole> = self
            .catalog_roles
            .iter()
            .filter(|(c, _)| *c == catalog)
            .map(|(_, r)| *r)
            .collect();
        CatalogAccess::of(self.role, &roles)
    }

    /// Directory admins and catalog role holders work in the admin portal.
    pub fn uses_admin_portal(&self) -> bool {
        self.is_directory_admin() || !self.catalog_roles.is_empty()
    }

    /// The catalogs the principal may see: None means all of them.
    pub fn visible_catalogs(&self) -> Option<Vec<CatalogId>> {
        if self.is_directory_admin() {
            return None;
        }
        let mut ids: Vec<CatalogId> = self.catalog_roles.iter().map(|(c, _)| *c).collect();
        ids.sort();
        ids.dedup();
        Some(ids)
    }
}
