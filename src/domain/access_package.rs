//! Access packages: names, and the group roles they grant.
use time::OffsetDateTime;

use super::group::MemberRole;
use super::{Invalid, bounded_text, name_key};
use crate::ids::{AccessPackageId, CatalogId, GroupId, ResourceRoleId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessPackage {
    pub id: AccessPackageId,
    pub catalog_id: CatalogId,
    pub display_name: String,
    pub description: String,
    pub is_hidden: bool,
    pub created_at: OffsetDateTime,
}

/// An access package's name: 1–256 characters, unique within its catalog regardless of case,
/// width and spacing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageName(String);

impl PackageName {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let name = bounded_text(input, "name", 1, 256).map(Self)?;
        if name.key().chars().count() > 256 {
            return Err(Invalid::new("The name can be at most 256 characters."));
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

/// A group and the role in it that a package grants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceRole {
    pub id: ResourceRoleId,
    pub group_id: GroupId,
    pub group_name: String,
    pub role: MemberRole,
}

impl MemberRole {
    pub fn label(self) -> &'static str {
        match self {
            Self::Member => "Member",
            Self::Owner => "Owner",
        }
    }

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        match input.trim() {
            "member" => Ok(Self::Member),
            "owner" => Ok(Self::Owner),
            _ => Err(Invalid::new("Choose a role: Member or Owner.")),
        }
    }

    pub fn from_stored(value: &str) -> Self {
        if value == "owner" {
            Self::Owner
        } else {
            Self::Member
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_are_required_and_compared_without_case() {
        assert!(PackageName::parse(" ").is_err());
        assert_eq!(
            PackageName::parse("Web project access package").map(|n| n.key()),
            PackageName::parse("WEB PROJECT ACCESS PACKAGE").map(|n| n.key())
        );
        assert_eq!(
            PackageName::parse("Web project\taccess package").map(|n| n.key()),
            PackageName::parse("Web project access package").map(|n| n.key())
        );
        assert!(PackageName::parse("Web project\u{2066} access package").is_err());
    }

    #[test]
    fn resource_roles_are_member_or_owner() {
        assert_eq!(MemberRole::parse("member"), Ok(MemberRole::Member));
        assert_eq!(MemberRole::parse("owner"), Ok(MemberRole::Owner));
        assert!(MemberRole::parse("admin").is_err());
    }
}
