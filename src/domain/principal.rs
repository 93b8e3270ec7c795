//! Who acts, and how: the one value every service is given instead of a web extractor.
use super::catalog::{CatalogAccess, CatalogRole};
use super::user::{DirectoryRole, User};
use crate::ids::{CatalogId, UserId};

/// How a principal reaches Gatehouse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    /// A person signed in to the portal.
    Session,
    /// A script with a person's own API token: what the person may do, within its scopes.
    ApiToken { scopes: Vec<Scope> },
    /// A daemon with an app registration's token: the system, within its application
    /// permissions (never deciding or requesting for itself: that takes a person).
    Application { scopes: Vec<Scope> },
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    EntitlementManagementRead,
    EntitlementManagementReadWrite,
    UserRead,
    GroupRead,
    GroupReadWrite,
}

impl Scope {
    /// Every scope, in the order forms list them.
    pub const ALL: [Scope; 5] = [
        Self::EntitlementManagementRead,
        Self::EntitlementManagementReadWrite,
        Self::UserRead,
        Self::GroupRead,
        Self::GroupReadWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::EntitlementManagementRead => "EntitlementManagement.Read.All",
            Self::EntitlementManagementReadWrite => "EntitlementManagement.ReadWrite.All",
            Self::UserRead => "User.Read.All",
            Self::GroupRead => "Group.Read.All",
            Self::GroupReadWrite => "Group.ReadWrite.All",
        }
    }

    /// What the permission lets a script do, in words for the forms.
    pub fn description(self) -> &'static str {
        match self {
            Self::EntitlementManagementRead => {
                "Read catalogs, access packages, policies, requests and assignments"
            }
            Self::EntitlementManagementReadWrite => {
                "Also create and change them, request access, approve and remove access"
            }
            Self::UserRead => "Read users",
            Self::GroupRead => "Read groups and their members",
            Self::GroupReadWrite => "Also add and remove group members",
        }
    }

    /// A permission name, as Graph spells it (case-insensitive).
    pub fn parse(name: &str) -> Option<Scope> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// Space-separated names, as stored.
    pub fn join(scopes: &[Scope]) -> String {
        scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Stored names back to scopes; unknown names are dropped.
    pub fn split(stored: &str) -> Vec<Scope> {
        let mut scopes: Vec<Scope> = stored.split_whitespace().filter_map(Self::parse).collect();
        scopes.sort();
        scopes.dedup();
        scopes
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

    /// A person's own API token: acts as that person, within `scopes`.
    pub fn api_token(
        user: &User,
        catalog_roles: Vec<(CatalogId, CatalogRole)>,
        token_name: &str,
        scopes: Vec<Scope>,
        client_ip: Option<String>,
    ) -> Self {
        Self {
            name: format!("{} (API token “{token_name}”)", user.user_principal_name),
            via: Via::ApiToken { scopes },
            ..Self::session(user, catalog_roles, client_ip)
        }
    }

    /// An app registration's token, named after the app.
    pub fn application(app_name: &str, scopes: Vec<Scope>, client_ip: Option<String>) -> Self {
        Self {
            client_ip,
            ..Self::system(&format!("{app_name} (app)"), Via::Application { scopes })
        }
    }

    /// The console and the scheduler act for the system, not for a person.
    pub fn is_system(&self) -> bool {
        matches!(
            self.via,
            Via::Console
                | Via::Scheduler
                | Via::Connector
                | Via::Provisioning
                | Via::Application { .. }
        )
    }

    /// The scopes that limit an API token or an app, if this principal has one.
    pub fn scopes(&self) -> Option<&[Scope]> {
        match &self.via {
            Via::ApiToken { scopes } | Via::Application { scopes } => Some(scopes),
            _ => None,
        }
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
