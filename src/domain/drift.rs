//! Drift: members of a governed group changed in its connected system outside Gatehouse.
use std::collections::BTreeSet;

/// What a drift check does about a governed group's drift.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DriftMode {
    /// List it on the Drift page (the default).
    Report,
    /// Undo it: remove members added outside, add back members removed outside.
    Revert,
}

impl DriftMode {
    pub const ALL: [Self; 2] = [Self::Report, Self::Revert];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Report => "report",
            Self::Revert => "revert",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Report => "Report only",
            Self::Revert => "Revert",
        }
    }

    pub fn from_stored(value: &str) -> Self {
        if value == "revert" {
            Self::Revert
        } else {
            Self::Report
        }
    }

    pub fn parse(input: &str) -> Result<Self, super::Invalid> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == input.trim())
            .ok_or_else(|| super::Invalid::new("Choose Report only or Revert."))
    }
}

/// Which way a member drifted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direction {
    /// In the system, not expected by Gatehouse.
    Added,
    /// Expected by Gatehouse, not in the system.
    Removed,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
        }
    }

    pub fn from_stored(value: &str) -> Self {
        if value == "removed" {
            Self::Removed
        } else {
            Self::Added
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Added => "Added outside Gatehouse",
            Self::Removed => "Removed outside Gatehouse",
        }
    }
}

/// The drift between what a group's members are in the system (`actual`) and what Gatehouse
/// expects (`expected`), both as the system spells members; `pending` are members whose
/// change is still on its way through the outbox, which is not drift.
pub fn compare(
    expected: &BTreeSet<String>,
    actual: &BTreeSet<String>,
    pending: &BTreeSet<String>,
) -> Vec<(Direction, String)> {
    let added = actual
        .difference(expected)
        .filter(|m| !pending.contains(*m))
        .map(|m| (Direction::Added, m.clone()));
    let removed = expected
        .difference(actual)
        .filter(|m| !pending.contains(*m))
        .map(|m| (Direction::Removed, m.clone()));
    added.chain(removed).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn members_on_either_side_only_are_drift_unless_a_change_is_on_its_way() {
        let found = compare(
            &set(&["a", "b", "c"]),
            &set(&["b", "c", "x", "y"]),
            &set(&["y"]),
        );
        assert_eq!(
            found,
            vec![
                (Direction::Added, "x".to_owned()),
                (Direction::Removed, "a".to_owned()),
            ]
        );
        assert!(compare(&set(&["a"]), &set(&["a"]), &set(&[])).is_empty());
    }

    #[test]
    fn modes_read_back_what_they_store() {
        for mode in DriftMode::ALL {
            assert_eq!(DriftMode::from_stored(mode.as_str()), mode);
            assert_eq!(DriftMode::parse(mode.as_str()), Ok(mode));
        }
        assert!(DriftMode::parse("ignore").is_err());
    }
}
