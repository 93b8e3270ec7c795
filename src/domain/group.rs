//! Security groups: names, descriptions and membership types.
use time::OffsetDateTime;

use super::{Invalid, bounded_text, name_key};
use crate::ids::{GroupId, UserId};

/// A security group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub id: GroupId,
    pub display_name: String,
    pub description: String,
    pub membership_type: MembershipType,
    pub created_at: OffsetDateTime,
    /// The connected system the group was imported from.
    pub source_system: Option<crate::ids::ConnectedSystemId>,
}

/// A user in a group, with every source that puts them there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub user_id: UserId,
    pub display_name: String,
    pub user_principal_name: String,
    pub sources: Vec<MembershipSource>,
    pub since: OffsetDateTime,
}

impl Member {
    pub fn is_direct(&self) -> bool {
        self.sources.contains(&MembershipSource::Direct)
    }

    pub fn source_labels(&self) -> String {
        let mut sources = self.sources.clone();
        sources.sort_by_key(|s| *s != MembershipSource::Direct);
        sources.dedup();
        let labels: Vec<&str> = sources.iter().map(|s| s.label()).collect();
        labels.join(", ")
    }
}

/// A group's display name: 1–256 characters, unique regardless of case, width and spacing
/// (see [`name_key`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupName(String);

impl GroupName {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let name = bounded_text(input, "group name", 1, 256).map(Self)?;
        // Lower-casing and NFKC can lengthen text ("İ" becomes two characters); the key must
        // fit too.
        if name.key().chars().count() > 256 {
            return Err(Invalid::new(
                "The group name can be at most 256 characters.",
            ));
        }
        Ok(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key that uniqueness is checked on.
    pub fn key(&self) -> String {
        name_key(&self.0)
    }
}

/// A free-text description of up to 1,024 characters; may be empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Description(String);

impl Description {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        bounded_text(input, "description", 0, 1024).map(Self)
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// How members get into a group. Gatehouse has assigned membership only (no dynamic rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MembershipType {
    Assigned,
}

impl MembershipType {
    pub fn as_str(self) -> &'static str {
        "assigned"
    }

    pub fn label(self) -> &'static str {
        "Assigned"
    }

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        match input.trim() {
            "assigned" => Ok(Self::Assigned),
            _ => Err(Invalid::new("Choose a membership type.")),
        }
    }
}

/// The role a membership gives: member or owner of the group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberRole {
    Member,
    Owner,
}

impl MemberRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Owner => "owner",
        }
    }
}

/// Where a membership comes from. Removing one source never removes what another grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MembershipSource {
    /// Added by an administrator on the group's Members page.
    Direct,
    /// Granted by an access package assignment (stored with the assignment's id).
    Assignment,
}

impl MembershipSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Assignment => "assignment",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Direct => "Direct",
            Self::Assignment => "Access package assignment",
        }
    }

    pub fn from_stored(value: &str) -> Self {
        if value == "assignment" {
            Self::Assignment
        } else {
            Self::Direct
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_compare_without_case() {
        let a = GroupName::parse("Engineering Group").map(|n| n.key());
        let b = GroupName::parse(" engineering group ").map(|n| n.key());
        assert_eq!(a, b);
    }

    #[test]
    fn group_names_compare_without_width_spacing_or_invisible_characters() {
        let key = GroupName::parse("Engineering Group").map(|n| n.key());
        for lookalike in ["Engineering  Group", "ＥＮＧＩＮＥＥＲＩＮＧ\u{a0}Group"] {
            assert_eq!(GroupName::parse(lookalike).map(|n| n.key()), key);
        }
        assert_eq!(
            GroupName::parse("Engineering  Group").map(|n| n.as_str().to_owned()),
            Ok("Engineering  Group".to_owned()),
            "the name itself is kept as typed"
        );
        assert!(GroupName::parse("Engineering\u{200b} Group").is_err());
        assert!(GroupName::parse("Engineering\u{202e} Group").is_err());
        assert!(Description::parse("Members \u{2067}only").is_err());
    }

    #[test]
    fn a_group_name_is_required_and_at_most_256_characters() {
        assert!(GroupName::parse("  ").is_err());
        assert!(GroupName::parse(&"x".repeat(257)).is_err());
        assert_eq!(
            GroupName::parse("Engineering Group").map(|n| n.as_str().to_owned()),
            Ok("Engineering Group".to_owned())
        );
    }

    #[test]
    fn a_name_whose_lower_case_form_is_too_long_is_refused() {
        assert!(GroupName::parse(&"İ".repeat(256)).is_err());
        assert!(GroupName::parse(&"İ".repeat(128)).is_ok());
    }

    #[test]
    fn a_description_may_be_empty_but_not_endless() {
        assert!(Description::parse("").is_ok());
        assert!(Description::parse(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn only_assigned_membership_is_offered() {
        assert_eq!(
            MembershipType::parse("assigned"),
            Ok(MembershipType::Assigned)
        );
        assert!(MembershipType::parse("dynamic").is_err());
    }
}
