//! Catalogs: their names, the roles people hold in them, and what each role allows.
use time::OffsetDateTime;

use super::user::DirectoryRole;
use super::{Invalid, bounded_text, name_key};
use crate::ids::CatalogId;

/// A catalog of resources and access packages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalog {
    pub id: CatalogId,
    pub display_name: String,
    pub description: String,
    pub is_enabled: bool,
    pub is_externally_visible: bool,
    pub is_default: bool,
    pub created_at: OffsetDateTime,
}

pub const DEFAULT_CATALOG_NAME: &str = "Default catalog";

/// A catalog's name: 1–256 characters, unique regardless of case, width and spacing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogName(String);

impl CatalogName {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let name = bounded_text(input, "catalog name", 1, 256).map(Self)?;
        if name.key().chars().count() > 256 {
            return Err(Invalid::new(
                "The catalog name can be at most 256 characters.",
            ));
        }
        Ok(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn key(&self) -> String {
        name_key(&self.0)
    }
}

/// Roles in one catalog, as in Entra ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CatalogRole {
    Owner,
    Reader,
    AccessPackageManager,
    AssignmentManager,
}

impl CatalogRole {
    pub const ALL: [CatalogRole; 4] = [
        CatalogRole::Owner,
        CatalogRole::Reader,
        CatalogRole::AccessPackageManager,
        CatalogRole::AssignmentManager,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "catalogOwner",
            Self::Reader => "catalogReader",
            Self::AccessPackageManager => "accessPackageManager",
            Self::AssignmentManager => "accessPackageAssignmentManager",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Owner => "Catalog owner",
            Self::Reader => "Catalog reader",
            Self::AccessPackageManager => "Access package manager",
            Self::AssignmentManager => "Access package assignment manager",
        }
    }

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == input.trim())
            .ok_or_else(|| Invalid::new("Choose a catalog role."))
    }
}

/// What someone may do in one catalog.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CatalogAccess {
    /// See the catalog, its resources, packages and policies.
    pub read: bool,
    /// Change the catalog's properties and roles, or delete it.
    pub manage_catalog: bool,
    /// Add and remove the catalog's resources (groups).
    pub manage_resources: bool,
    /// Create, change and delete access packages and their policies.
    pub manage_packages: bool,
    /// Assign users directly and remove assignments.
    pub manage_assignments: bool,
}

impl CatalogAccess {
    /// Global and User administrators may do everything; everyone else what their roles in
    /// this catalog allow.
    pub fn of(directory_role: DirectoryRole, roles: &[CatalogRole]) -> Self {
        if directory_role.is_directory_admin() || roles.contains(&CatalogRole::Owner) {
            return Self {
                read: true,
                manage_catalog: true,
                manage_resources: true,
                manage_packages: true,
                manage_assignments: true,
            };
        }
        let mut access = Self::default();
        for role in roles {
            access.read = true;
            match role {
                CatalogRole::AccessPackageManager => {
                    access.manage_packages = true;
                    access.manage_assignments = true;
                }
                CatalogRole::AssignmentManager => access.manage_assignments = true,
                CatalogRole::Owner | CatalogRole::Reader => {}
            }
        }
        access
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_admins_may_do_everything_in_every_catalog() {
        for role in [
            DirectoryRole::GlobalAdministrator,
            DirectoryRole::UserAdministrator,
        ] {
            let access = CatalogAccess::of(role, &[]);
            assert!(
                access.read
                    && access.manage_catalog
                    && access.manage_resources
                    && access.manage_packages
                    && access.manage_assignments
            );
        }
    }

    #[test]
    fn a_catalog_owner_manages_resources_packages_and_policies() {
        let access = CatalogAccess::of(DirectoryRole::User, &[CatalogRole::Owner]);
        assert!(access.manage_resources && access.manage_packages && access.manage_catalog);
    }

    #[test]
    fn an_access_package_manager_manages_packages_but_not_resources() {
        let access = CatalogAccess::of(DirectoryRole::User, &[CatalogRole::AccessPackageManager]);
        assert!(access.read && access.manage_packages && access.manage_assignments);
        assert!(!access.manage_resources && !access.manage_catalog);
    }

    #[test]
    fn a_catalog_reader_only_reads() {
        let access = CatalogAccess::of(DirectoryRole::User, &[CatalogRole::Reader]);
        assert_eq!(
            access,
            CatalogAccess {
                read: true,
                ..CatalogAccess::default()
            }
        );
    }

    #[test]
    fn a_plain_user_without_roles_sees_nothing() {
        assert_eq!(
            CatalogAccess::of(DirectoryRole::User, &[]),
            CatalogAccess::default()
        );
    }

    #[test]
    fn catalog_names_compare_without_width_spacing_or_invisible_characters() {
        assert_eq!(
            CatalogName::parse("Marketing  catalog").map(|n| n.key()),
            CatalogName::parse("marketing catalog").map(|n| n.key())
        );
        assert!(CatalogName::parse("Marketing\u{200b} catalog").is_err());
        assert!(
            CatalogName::parse(&"\u{fdfa}".repeat(20)).is_err(),
            "NFKC lengthens it"
        );
    }

    #[test]
    fn catalog_roles_round_trip_through_their_stored_value() {
        for role in CatalogRole::ALL {
            assert_eq!(CatalogRole::parse(role.as_str()), Ok(role));
        }
        assert!(CatalogRole::parse("admin").is_err());
    }
}
