//! Importing from an LDAP directory: what a directory entry becomes in Gatehouse (a user or a
//! group), and the rules of a sync run. Nothing here talks to the directory or the database.
use std::collections::HashMap;

use super::connected::{LdapSettings, MembershipAttribute, UserMatch};
use super::group::{Description, GroupName};
use super::user::{DisplayName, Email, UserPrincipalName};

/// An entry as the directory returned it: its DN and its attributes, names in lower case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    pub dn: String,
    pub attrs: HashMap<String, Vec<String>>,
}

impl Entry {
    pub fn new(dn: impl Into<String>, attrs: HashMap<String, Vec<String>>) -> Self {
        Self {
            dn: dn.into(),
            attrs: attrs
                .into_iter()
                .map(|(name, values)| (name.to_lowercase(), values))
                .collect(),
        }
    }

    /// The first non-empty value of `name`.
    pub fn first(&self, name: &str) -> Option<&str> {
        self.attrs
            .get(&name.to_lowercase())?
            .iter()
            .map(|v| v.trim())
            .find(|v| !v.is_empty())
    }

    pub fn all(&self, name: &str) -> &[String] {
        self.attrs
            .get(&name.to_lowercase())
            .map_or(&[], Vec::as_slice)
    }
}

/// A DN in one spelling, so that a group's `member` value finds the person's entry:
/// lower case, no spaces around `,` and `=`.
pub fn normal_dn(dn: &str) -> String {
    dn.split(',')
        .map(|part| match part.split_once('=') {
            Some((attr, value)) => format!("{}={}", attr.trim(), value.trim()),
            None => part.trim().to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
        .to_lowercase()
}

/// The attributes an import reads of a person.
pub fn person_attributes(settings: &LdapSettings) -> Vec<String> {
    let mut names: Vec<String> = ["uid", "cn", "displayName", "mail", "modifyTimestamp"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let matching = settings.user_match.as_str();
    if !names.iter().any(|n| n == matching) {
        names.push(matching.to_owned());
    }
    names
}

/// The attributes an import reads of a group.
pub fn group_attributes(settings: &LdapSettings) -> Vec<String> {
    vec![
        "cn".into(),
        "description".into(),
        settings.membership.as_str().into(),
        "modifyTimestamp".into(),
    ]
}

/// A person as the directory has them, ready to create or update a Gatehouse user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedPerson {
    /// The entry's DN in its normal spelling.
    pub external_id: String,
    pub user_principal_name: UserPrincipalName,
    pub display_name: DisplayName,
    pub email: Email,
    /// What `memberUid` groups list for them.
    pub uid: Option<String>,
    /// False when the directory's disabled filter matches them.
    pub enabled: bool,
}

/// The person an entry describes, or why it cannot be imported (in words naming the entry).
pub fn person(
    settings: &LdapSettings,
    entry: &Entry,
    disabled: bool,
) -> Result<ImportedPerson, String> {
    let matching = settings.user_match;
    let value = entry
        .first(matching.as_str())
        .ok_or_else(|| format!("{}: has no {}", entry.dn, matching.as_str()))?;
    let upn_text = match matching {
        UserMatch::Uid | UserMatch::SamAccountName => {
            let domain = settings.upn_domain();
            if domain.is_empty() {
                return Err(format!(
                    "{}: no domain for its user principal name (set one on the system's settings)",
                    entry.dn
                ));
            }
            format!("{value}@{domain}")
        }
        UserMatch::Mail | UserMatch::UserPrincipalName => value.to_owned(),
    };
    let user_principal_name = UserPrincipalName::parse(&upn_text).map_err(|e| {
        format!(
            "{}: {upn_text} is not a usable user principal name ({e})",
            entry.dn
        )
    })?;
    let name = entry
        .first("displayName")
        .or_else(|| entry.first("cn"))
        .unwrap_or(value);
    let display_name = DisplayName::parse(name).map_err(|e| format!("{}: {e}", entry.dn))?;
    // A malformed mail attribute is left out rather than refusing the person.
    let email = entry
        .first("mail")
        .and_then(|m| Email::parse(m).ok())
        .unwrap_or_else(Email::none);
    Ok(ImportedPerson {
        external_id: normal_dn(&entry.dn),
        user_principal_name,
        display_name,
        email,
        uid: entry.first("uid").map(str::to_lowercase),
        enabled: !disabled,
    })
}

/// A group as the directory has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedGroup {
    /// The entry's DN as the directory spells it (what delivery modifies).
    pub dn: String,
    /// The DN in its normal spelling.
    pub external_id: String,
    pub name: GroupName,
    pub description: Description,
    /// Its members as the membership attribute lists them: normal DNs, or lower-case
    /// user names for `memberUid`.
    pub members: Vec<String>,
}

pub fn group(settings: &LdapSettings, entry: &Entry) -> Result<ImportedGroup, String> {
    let cn = entry
        .first("cn")
        .ok_or_else(|| format!("{}: has no cn", entry.dn))?;
    let name = GroupName::parse(cn).map_err(|e| format!("{}: {e}", entry.dn))?;
    // Active Directory hands out a large group's members a range at a time
    // (`member;range=0-1499`); reading only the first range would drop the rest.
    let ranged = format!("{};range=", settings.membership.as_str().to_lowercase());
    if entry.attrs.keys().any(|k| k.starts_with(&ranged)) {
        return Err(format!(
            "{}: the directory sends its members in ranges (a very large group), which Gatehouse does not read yet; its members were left as they were",
            entry.dn
        ));
    }
    let description = entry.first("description").unwrap_or_default();
    let description = Description::parse(description)
        .or_else(|_| Description::parse(&description.chars().take(1024).collect::<String>()))
        .map_err(|e| format!("{}: {e}", entry.dn))?;
    let members = entry
        .all(settings.membership.as_str())
        .iter()
        .map(|v| match settings.membership {
            MembershipAttribute::MemberUid => v.trim().to_lowercase(),
            MembershipAttribute::Member | MembershipAttribute::UniqueMember => normal_dn(v),
        })
        .filter(|v| !v.is_empty())
        .collect();
    Ok(ImportedGroup {
        dn: entry.dn.clone(),
        external_id: normal_dn(&entry.dn),
        name,
        description,
        members,
    })
}

/// The later of two `modifyTimestamp` values (GeneralizedTime: `YYYYMMDDHHMMSSZ`, which
/// compares as text when both are in UTC, as directories write them).
pub fn later(a: Option<String>, b: Option<&str>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) if b > a.as_str() => Some(b.to_owned()),
        (None, Some(b)) => Some(b.to_owned()),
        (a, _) => a,
    }
}

/// The filter of an incremental read: entries `filter` matches that changed at or after
/// `since` (a `modifyTimestamp` the directory wrote).
pub fn changed_since(filter: &str, since: Option<&str>) -> String {
    match since {
        Some(since) => format!(
            "(&{filter}(modifyTimestamp>={}))",
            ldap3::ldap_escape(since)
        ),
        None => filter.to_owned(),
    }
}

/// What a sync run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunKind {
    Import,
    Drift,
}

impl RunKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Import => "import",
            Self::Drift => "drift",
        }
    }
}

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    pub fn from_stored(value: &str) -> Self {
        match value {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "succeeded" => Self::Succeeded,
            _ => Self::Failed,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "Waiting to start",
            Self::Running => "Running",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

/// How often a scheduled sync reads everything (and so finds entries that are gone), not
/// only what changed.
pub const FULL_SYNC_EVERY: time::Duration = time::Duration::hours(24);

/// Errors a run keeps word for word; past these it only counts them.
pub const KEPT_ERRORS: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::connected::{Settings, SettingsInput, SystemKind};

    fn settings() -> LdapSettings {
        let input = SettingsInput {
            url: "ldap://127.0.0.1:389".into(),
            users_base_dn: "ou=people,dc=Contoso,dc=com".into(),
            groups_base_dn: "ou=groups,dc=contoso,dc=com".into(),
            ..SettingsInput::defaults()
        };
        match input.parse(SystemKind::Ldap) {
            Ok(Settings::Ldap(s)) => s,
            other => panic!("not LDAP settings: {other:?}"),
        }
    }

    fn ok<T, E: std::fmt::Debug>(result: Result<T, E>) -> T {
        match result {
            Ok(value) => value,
            Err(err) => panic!("{err:?}"),
        }
    }

    fn entry(dn: &str, attrs: &[(&str, &[&str])]) -> Entry {
        Entry::new(
            dn,
            attrs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect()))
                .collect(),
        )
    }

    #[test]
    fn a_uid_person_gets_the_domain_of_the_base_dn() {
        let e = entry(
            "uid=Ada, ou=People,dc=contoso,dc=com",
            &[
                ("uid", &["Ada"]),
                ("CN", &["Ada Lovelace"]),
                ("mail", &["ada@contoso.com"]),
            ],
        );
        let p = ok(person(&settings(), &e, false));
        assert_eq!(p.user_principal_name.as_str(), "ada@contoso.com");
        assert_eq!(p.display_name.as_str(), "Ada Lovelace");
        assert_eq!(p.external_id, "uid=ada,ou=people,dc=contoso,dc=com");
        assert_eq!(p.uid.as_deref(), Some("ada"));
        assert!(p.enabled);
        assert!(!ok(person(&settings(), &e, true)).enabled);
    }

    #[test]
    fn a_set_domain_wins_and_display_name_comes_before_cn() {
        let mut s = settings();
        s.upn_domain = "Woodgrove.test".into();
        let e = entry(
            "uid=u1,ou=people,dc=contoso,dc=com",
            &[
                ("uid", &["u1"]),
                ("cn", &["U One"]),
                ("displayName", &["User1"]),
            ],
        );
        let p = ok(person(&s, &e, false));
        assert_eq!(p.user_principal_name.as_str(), "u1@woodgrove.test");
        assert_eq!(p.display_name.as_str(), "User1");
    }

    #[test]
    fn a_person_without_the_matching_attribute_is_an_error_naming_the_entry() {
        let mut s = settings();
        s.user_match = UserMatch::Mail;
        let e = entry("uid=x,ou=people,dc=contoso,dc=com", &[("uid", &["x"])]);
        let Err(err) = person(&s, &e, false) else {
            panic!("a person without mail was imported")
        };
        assert!(err.starts_with("uid=x,ou=people"), "{err}");
        assert!(err.contains("mail"), "{err}");
        let bad = entry(
            "uid=y,ou=people,dc=contoso,dc=com",
            &[("mail", &["not an address"])],
        );
        assert!(person(&s, &bad, false).is_err());
    }

    #[test]
    fn a_group_lists_its_members_in_the_normal_spelling() {
        let e = entry(
            "cn=Engineering Group,ou=groups,dc=contoso,dc=com",
            &[
                ("cn", &["Engineering Group"]),
                ("member", &["uid=Ada, ou=people,dc=contoso,dc=com", ""]),
            ],
        );
        let g = ok(group(&settings(), &e));
        assert_eq!(g.name.as_str(), "Engineering Group");
        assert_eq!(
            g.members,
            vec!["uid=ada,ou=people,dc=contoso,dc=com".to_owned()]
        );
        assert_eq!(g.dn, "cn=Engineering Group,ou=groups,dc=contoso,dc=com");
    }

    #[test]
    fn a_group_whose_members_come_in_ranges_is_refused_rather_than_emptied() {
        let e = entry(
            "cn=All staff,ou=groups,dc=contoso,dc=com",
            &[
                ("cn", &["All staff"]),
                (
                    "member;range=0-1499",
                    &["uid=a,ou=people,dc=contoso,dc=com"],
                ),
            ],
        );
        let Err(err) = group(&settings(), &e) else {
            panic!("a ranged group was read as complete")
        };
        assert!(err.contains("in ranges"), "{err}");
    }

    #[test]
    fn the_high_water_mark_only_moves_forward() {
        let hw = later(None, Some("20261126010203Z"));
        assert_eq!(hw.as_deref(), Some("20261126010203Z"));
        let hw = later(hw, Some("20261125000000Z"));
        assert_eq!(hw.as_deref(), Some("20261126010203Z"));
        let hw = later(hw, Some("20261127000000Z"));
        assert_eq!(hw.as_deref(), Some("20261127000000Z"));
        assert_eq!(
            changed_since("(objectClass=person)", hw.as_deref()),
            "(&(objectClass=person)(modifyTimestamp>=20261127000000Z))"
        );
        assert_eq!(
            changed_since("(objectClass=person)", None),
            "(objectClass=person)"
        );
    }
}
