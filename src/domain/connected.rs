//! Connected systems: the directories and applications where access is enforced (an LDAP
//! directory, a SCIM 2.0 service provider, a webhook receiver), and what a valid set of
//! settings for each is. Secrets (bind password, bearer token, signing secret) are not part
//! of the settings: they are kept apart, sealed, and never shown again.
use serde::{Deserialize, Serialize};

use super::{Invalid, bounded_text, name_key};

/// What kind of system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SystemKind {
    Ldap,
    Scim,
    Webhook,
}

impl SystemKind {
    pub const ALL: [Self; 3] = [Self::Ldap, Self::Scim, Self::Webhook];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ldap => "ldap",
            Self::Scim => "scim",
            Self::Webhook => "webhook",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Ldap => "LDAP directory",
            Self::Scim => "SCIM 2.0 service provider",
            Self::Webhook => "Webhook",
        }
    }

    /// What the system does, in a line, for the `New connected system` choice.
    pub fn blurb(self) -> &'static str {
        match self {
            Self::Ldap => {
                "OpenLDAP, FreeIPA, Samba or Active Directory, lldap: groups whose members Gatehouse adds and removes."
            }
            Self::Scim => {
                "An identity provider or application that speaks SCIM 2.0 (Okta, Entra, Keycloak, Authentik, Slack…)."
            }
            Self::Webhook => "Any other system: Gatehouse posts signed JSON events to a URL.",
        }
    }

    /// The secret's label on the form.
    pub fn secret_label(self) -> &'static str {
        match self {
            Self::Ldap => "Bind password",
            Self::Scim => "Bearer token",
            Self::Webhook => "Signing secret",
        }
    }

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == input.trim())
            .ok_or_else(|| Invalid::new("Choose the kind of system."))
    }
}

/// A connected system's name, unique among connected systems.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemName(String);

impl SystemName {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        bounded_text(input, "name", 1, 128).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn key(&self) -> String {
        name_key(&self.0)
    }
}

/// The attribute of a directory entry that holds what matches a Gatehouse user's user
/// principal name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserMatch {
    #[serde(rename = "uid")]
    Uid,
    #[serde(rename = "mail")]
    Mail,
    #[serde(rename = "userPrincipalName")]
    UserPrincipalName,
    #[serde(rename = "sAMAccountName")]
    SamAccountName,
}

impl UserMatch {
    pub const ALL: [Self; 4] = [
        Self::Uid,
        Self::Mail,
        Self::UserPrincipalName,
        Self::SamAccountName,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uid => "uid",
            Self::Mail => "mail",
            Self::UserPrincipalName => "userPrincipalName",
            Self::SamAccountName => "sAMAccountName",
        }
    }
}

/// How a directory group lists its members.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MembershipAttribute {
    /// `member` with DNs: groupOfNames, Active Directory.
    #[serde(rename = "member")]
    Member,
    /// `uniqueMember` with DNs: groupOfUniqueNames.
    #[serde(rename = "uniqueMember")]
    UniqueMember,
    /// `memberUid` with user names: posixGroup.
    #[serde(rename = "memberUid")]
    MemberUid,
}

impl MembershipAttribute {
    pub const ALL: [Self; 3] = [Self::Member, Self::UniqueMember, Self::MemberUid];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::UniqueMember => "uniqueMember",
            Self::MemberUid => "memberUid",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Member => "member (DNs: groupOfNames, Active Directory)",
            Self::UniqueMember => "uniqueMember (DNs: groupOfUniqueNames)",
            Self::MemberUid => "memberUid (user names: posixGroup)",
        }
    }
}

/// How to reach an LDAP directory and where its people and groups are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LdapSettings {
    /// `ldap://host:389` or `ldaps://host:636`.
    pub url: String,
    /// Upgrade an `ldap://` connection with StartTLS before binding.
    pub starttls: bool,
    /// Empty: an anonymous bind.
    pub bind_dn: String,
    pub users_base_dn: String,
    pub users_filter: String,
    pub user_match: UserMatch,
    pub groups_base_dn: String,
    pub groups_filter: String,
    pub membership: MembershipAttribute,
    /// Entries a page with the paged results control; 0 turns paging off.
    pub page_size: u32,
    /// Import the directory's people and groups into Gatehouse (and keep them in sync).
    #[serde(default)]
    pub import: bool,
    /// Minutes between scheduled syncs; 0: only on `Sync now`.
    #[serde(default = "default_sync_minutes")]
    pub sync_minutes: u32,
    /// Imported people whose matching attribute holds a bare name (`uid`,
    /// `sAMAccountName`) get `name@` this domain as their user principal name; empty: the
    /// `dc=` parts of the users base DN.
    #[serde(default)]
    pub upn_domain: String,
    /// People this filter matches (within the users filter) are disabled in Gatehouse; empty:
    /// none. Active Directory: `(userAccountControl:1.2.840.113556.1.4.803:=2)`.
    #[serde(default)]
    pub disabled_filter: String,
}

fn default_sync_minutes() -> u32 {
    60
}

impl LdapSettings {
    /// The domain of imported people's user principal names.
    pub fn upn_domain(&self) -> String {
        if !self.upn_domain.is_empty() {
            return self.upn_domain.to_lowercase();
        }
        self.users_base_dn
            .split(',')
            .filter_map(|part| part.split_once('='))
            .filter(|(attr, _)| attr.trim().eq_ignore_ascii_case("dc"))
            .map(|(_, value)| value.trim().to_lowercase())
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// How to reach a SCIM 2.0 service provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScimSettings {
    /// The base URL, before `/Users`, `/Groups` and `/ServiceProviderConfig`.
    pub base_url: String,
    pub user_match: ScimUserMatch,
}

/// What matches a Gatehouse user in a SCIM service provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScimUserMatch {
    #[serde(rename = "userName")]
    UserName,
    #[serde(rename = "email")]
    PrimaryEmail,
}

impl ScimUserMatch {
    pub const ALL: [Self; 2] = [Self::UserName, Self::PrimaryEmail];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::UserName => "userName",
            Self::PrimaryEmail => "email",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::UserName => "userName",
            Self::PrimaryEmail => "Primary email",
        }
    }
}

/// Where a webhook posts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSettings {
    pub url: String,
}

/// A system's settings, by kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Settings {
    Ldap(LdapSettings),
    Scim(ScimSettings),
    Webhook(WebhookSettings),
}

impl Settings {
    pub fn kind(&self) -> SystemKind {
        match self {
            Self::Ldap(_) => SystemKind::Ldap,
            Self::Scim(_) => SystemKind::Scim,
            Self::Webhook(_) => SystemKind::Webhook,
        }
    }

    /// Where the system is, for lists: its URL.
    pub fn address(&self) -> &str {
        match self {
            Self::Ldap(s) => &s.url,
            Self::Scim(s) => &s.base_url,
            Self::Webhook(s) => &s.url,
        }
    }
}

/// The settings as typed into the form: every field of every kind, as text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SettingsInput {
    pub url: String,
    pub starttls: Option<String>,
    pub bind_dn: String,
    pub users_base_dn: String,
    pub users_filter: String,
    pub user_match: String,
    pub groups_base_dn: String,
    pub groups_filter: String,
    pub membership: String,
    pub page_size: String,
    pub import: Option<String>,
    pub sync_minutes: String,
    pub upn_domain: String,
    pub disabled_filter: String,
}

impl SettingsInput {
    /// A new system's form: the usual values for an OpenLDAP directory.
    pub fn defaults() -> Self {
        Self {
            users_filter: "(objectClass=inetOrgPerson)".into(),
            user_match: UserMatch::Uid.as_str().into(),
            groups_filter: "(objectClass=groupOfNames)".into(),
            membership: MembershipAttribute::Member.as_str().into(),
            page_size: "500".into(),
            sync_minutes: default_sync_minutes().to_string(),
            ..Self::default()
        }
    }

    pub fn from_settings(settings: &Settings) -> Self {
        match settings {
            Settings::Ldap(s) => Self {
                url: s.url.clone(),
                starttls: s.starttls.then(|| "on".to_owned()),
                bind_dn: s.bind_dn.clone(),
                users_base_dn: s.users_base_dn.clone(),
                users_filter: s.users_filter.clone(),
                user_match: s.user_match.as_str().into(),
                groups_base_dn: s.groups_base_dn.clone(),
                groups_filter: s.groups_filter.clone(),
                membership: s.membership.as_str().into(),
                page_size: s.page_size.to_string(),
                import: s.import.then(|| "on".to_owned()),
                sync_minutes: s.sync_minutes.to_string(),
                upn_domain: s.upn_domain.clone(),
                disabled_filter: s.disabled_filter.clone(),
            },
            Settings::Scim(s) => Self {
                url: s.base_url.clone(),
                user_match: s.user_match.as_str().into(),
                ..Self::defaults()
            },
            Settings::Webhook(s) => Self {
                url: s.url.clone(),
                ..Self::defaults()
            },
        }
    }

    /// The settings of a `kind` system, or a message for each field that is wrong.
    pub fn parse(&self, kind: SystemKind) -> Result<Settings, Vec<(&'static str, Invalid)>> {
        let mut problems = Vec::new();
        let settings = match kind {
            SystemKind::Ldap => {
                let url = keep(&mut problems, "url", ldap_url(&self.url));
                let starttls = self.starttls.is_some();
                if starttls && url.starts_with("ldaps://") {
                    problems.push((
                        "starttls",
                        Invalid::new(
                            "StartTLS is for ldap:// addresses; an ldaps:// connection is encrypted from the start.",
                        ),
                    ));
                }
                let bind_dn = keep(
                    &mut problems,
                    "bind_dn",
                    distinguished_name(&self.bind_dn, "bind DN", 0),
                );
                let users_base_dn = keep(
                    &mut problems,
                    "users_base_dn",
                    distinguished_name(&self.users_base_dn, "users base DN", 1),
                );
                let users_filter = keep(
                    &mut problems,
                    "users_filter",
                    ldap_filter(&self.users_filter),
                );
                let groups_base_dn = keep(
                    &mut problems,
                    "groups_base_dn",
                    distinguished_name(&self.groups_base_dn, "groups base DN", 1),
                );
                let groups_filter = keep(
                    &mut problems,
                    "groups_filter",
                    ldap_filter(&self.groups_filter),
                );
                let user_match = UserMatch::ALL
                    .into_iter()
                    .find(|m| m.as_str() == self.user_match.trim());
                let membership = MembershipAttribute::ALL
                    .into_iter()
                    .find(|m| m.as_str() == self.membership.trim());
                let page_size = self
                    .page_size
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n <= 10_000);
                if user_match.is_none() {
                    problems.push((
                        "user_match",
                        Invalid::new("Choose the attribute that matches a Gatehouse user."),
                    ));
                }
                if membership.is_none() {
                    problems.push((
                        "membership",
                        Invalid::new("Choose how the directory's groups list their members."),
                    ));
                }
                let sync_minutes = match self.sync_minutes.trim() {
                    "" => Some(default_sync_minutes()),
                    typed => typed.parse::<u32>().ok().filter(|n| *n <= 10_080),
                };
                if sync_minutes.is_none() {
                    problems.push((
                        "sync_minutes",
                        Invalid::new(
                            "Enter the minutes between syncs, from 0 (only Sync now) to 10080 (a week).",
                        ),
                    ));
                }
                let upn_domain = keep(&mut problems, "upn_domain", domain_name(&self.upn_domain));
                let disabled_filter = if self.disabled_filter.trim().is_empty() {
                    String::new()
                } else {
                    keep(
                        &mut problems,
                        "disabled_filter",
                        ldap_filter(&self.disabled_filter),
                    )
                };
                if self.import.is_some()
                    && membership == Some(MembershipAttribute::MemberUid)
                    && !matches!(user_match, Some(UserMatch::Uid) | None)
                {
                    problems.push((
                        "user_match",
                        Invalid::new(
                            "Groups that list members by memberUid are imported with people matched on uid.",
                        ),
                    ));
                }
                if page_size.is_none() {
                    problems.push((
                        "page_size",
                        Invalid::new("Enter a page size from 0 (no paging) to 10000."),
                    ));
                }
                Settings::Ldap(LdapSettings {
                    url,
                    starttls,
                    bind_dn,
                    users_base_dn,
                    users_filter,
                    user_match: user_match.unwrap_or(UserMatch::Uid),
                    groups_base_dn,
                    groups_filter,
                    membership: membership.unwrap_or(MembershipAttribute::Member),
                    page_size: page_size.unwrap_or(0),
                    import: self.import.is_some(),
                    sync_minutes: sync_minutes.unwrap_or(0),
                    upn_domain,
                    disabled_filter,
                })
            }
            SystemKind::Scim => {
                let base_url = keep(&mut problems, "url", http_url(&self.url, "base URL"));
                let user_match = ScimUserMatch::ALL
                    .into_iter()
                    .find(|m| m.as_str() == self.user_match.trim());
                if user_match.is_none() {
                    problems.push((
                        "user_match",
                        Invalid::new("Choose what matches a Gatehouse user."),
                    ));
                }
                Settings::Scim(ScimSettings {
                    base_url: base_url.trim_end_matches('/').to_owned(),
                    user_match: user_match.unwrap_or(ScimUserMatch::UserName),
                })
            }
            SystemKind::Webhook => Settings::Webhook(WebhookSettings {
                url: keep(&mut problems, "url", http_url(&self.url, "URL")),
            }),
        };
        if problems.is_empty() {
            Ok(settings)
        } else {
            Err(problems)
        }
    }
}

/// The parsed value, or empty with the field's message noted.
fn keep(
    problems: &mut Vec<(&'static str, Invalid)>,
    field: &'static str,
    parsed: Result<String, Invalid>,
) -> String {
    parsed.unwrap_or_else(|e| {
        problems.push((field, e));
        String::new()
    })
}

/// A group's DN as typed for linking: `attr=value` pairs, under the directory's groups base
/// DN (compared without case or spaces around commas).
pub fn group_dn(input: &str, groups_base_dn: &str) -> Result<String, Invalid> {
    let dn = distinguished_name(input, "group DN", 1)?;
    let fold = |s: &str| {
        s.split(',')
            .map(|p| p.trim().to_lowercase())
            .collect::<Vec<_>>()
            .join(",")
    };
    let (folded, base) = (fold(&dn), fold(groups_base_dn));
    if !folded.ends_with(&format!(",{base}")) {
        return Err(Invalid::new(format!(
            "Enter the DN of a group under {groups_base_dn}, such as cn=Engineering Group,{groups_base_dn}."
        )));
    }
    Ok(dn)
}

/// A secret as typed: at most 1,024 characters, no line breaks.
pub fn parse_secret(input: &str, kind: SystemKind) -> Result<String, Invalid> {
    if input.chars().count() > 1024 {
        return Err(Invalid::new(format!(
            "The {} can be at most 1024 characters.",
            kind.secret_label().to_lowercase()
        )));
    }
    if input.chars().any(char::is_control) {
        return Err(Invalid::new(format!(
            "The {} contains characters that are not allowed.",
            kind.secret_label().to_lowercase()
        )));
    }
    Ok(input.to_owned())
}

fn ldap_url(input: &str) -> Result<String, Invalid> {
    let text = bounded_text(input, "URL", 1, 512)?;
    let parsed = url::Url::parse(&text).map_err(|_| {
        Invalid::new("Enter the directory's address, such as ldap://ldap.example.com:389.")
    })?;
    if !matches!(parsed.scheme(), "ldap" | "ldaps") {
        return Err(Invalid::new(
            "The address starts with ldap:// or ldaps://, such as ldaps://ldap.example.com:636.",
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Invalid::new(
            "The address names the directory's host, such as ldap://ldap.example.com.",
        ));
    }
    if !parsed.path().trim_matches('/').is_empty() || parsed.query().is_some() {
        return Err(Invalid::new(
            "Enter only the scheme, host and port; base DNs have their own fields.",
        ));
    }
    Ok(text.trim_end_matches('/').to_owned())
}

fn http_url(input: &str, what: &str) -> Result<String, Invalid> {
    let text = bounded_text(input, what, 1, 2048)?;
    let parsed = url::Url::parse(&text).map_err(|_| {
        Invalid::new(format!(
            "Enter the {what} with https://, such as https://scim.example.com/scim/v2."
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Invalid::new(format!(
            "The {what} starts with https:// (or http:// on a trusted network)."
        )));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Invalid::new(format!(
            "Leave credentials out of the {what}; put them in the secret field."
        )));
    }
    Ok(text)
}

/// A DN as typed: `attr=value` parts separated by commas. The directory checks the rest.
fn distinguished_name(input: &str, what: &str, min: usize) -> Result<String, Invalid> {
    let text = bounded_text(input, what, min, 1024)?;
    if text.is_empty() {
        return Ok(text);
    }
    let looks_right = text.split(',').all(|part| {
        part.split_once('=')
            .is_some_and(|(a, _)| !a.trim().is_empty())
    });
    if !looks_right {
        return Err(Invalid::new(format!(
            "Enter the {what} as attribute=value pairs, such as ou=people,dc=example,dc=com."
        )));
    }
    Ok(text)
}

/// A DNS domain such as `contoso.com`, or nothing.
fn domain_name(input: &str) -> Result<String, Invalid> {
    let text = bounded_text(input, "domain", 0, 253)?.to_lowercase();
    let valid = text.is_empty()
        || text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !valid {
        return Err(Invalid::new(
            "Enter a domain such as contoso.com, or leave it empty to use the users base DN's dc= parts.",
        ));
    }
    Ok(text)
}

/// An LDAP search filter: in parentheses, with balanced parentheses.
fn ldap_filter(input: &str) -> Result<String, Invalid> {
    let text = bounded_text(input, "filter", 1, 1024)?;
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            break;
        }
    }
    if !text.starts_with('(') || !text.ends_with(')') || depth != 0 {
        return Err(Invalid::new(
            "Enter a filter in parentheses, such as (objectClass=inetOrgPerson).",
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ldap_input() -> SettingsInput {
        SettingsInput {
            url: "ldap://ldap.example.com:389".into(),
            bind_dn: "cn=admin,dc=example,dc=com".into(),
            users_base_dn: "ou=people,dc=example,dc=com".into(),
            groups_base_dn: "ou=groups,dc=example,dc=com".into(),
            ..SettingsInput::defaults()
        }
    }

    #[test]
    fn import_settings_are_checked_and_have_defaults() {
        let plain = ldap_input().parse(SystemKind::Ldap);
        let Ok(Settings::Ldap(ldap)) = plain else {
            panic!("{plain:?}");
        };
        assert!(!ldap.import);
        assert_eq!(ldap.sync_minutes, 60);
        assert_eq!(ldap.upn_domain(), "example.com");
        let wrong = SettingsInput {
            import: Some("on".into()),
            sync_minutes: "a week".into(),
            upn_domain: "not a domain".into(),
            disabled_filter: "userAccountControl=2".into(),
            membership: MembershipAttribute::MemberUid.as_str().into(),
            user_match: UserMatch::Mail.as_str().into(),
            ..ldap_input()
        };
        let Err(problems) = wrong.parse(SystemKind::Ldap) else {
            panic!("wrong import settings were taken");
        };
        let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
        for field in [
            "sync_minutes",
            "upn_domain",
            "disabled_filter",
            "user_match",
        ] {
            assert!(fields.contains(&field), "{field} not refused: {problems:?}");
        }
    }

    #[test]
    fn an_ldap_directory_is_read_from_its_form() {
        let settings = ldap_input().parse(SystemKind::Ldap);
        let Ok(Settings::Ldap(ldap)) = settings else {
            panic!("{settings:?}");
        };
        assert_eq!(ldap.url, "ldap://ldap.example.com:389");
        assert_eq!(ldap.membership, MembershipAttribute::Member);
        assert_eq!(ldap.page_size, 500);
        assert!(!ldap.starttls);
        // And back to the form, unchanged.
        assert_eq!(
            SettingsInput::from_settings(&Settings::Ldap(ldap)),
            ldap_input()
        );
    }

    #[test]
    fn each_wrong_ldap_field_gets_its_own_message() {
        let input = SettingsInput {
            url: "http://ldap.example.com".into(),
            users_base_dn: "people".into(),
            groups_filter: "(objectClass=groupOfNames".into(),
            membership: "members".into(),
            page_size: "-1".into(),
            ..ldap_input()
        };
        let Err(problems) = input.parse(SystemKind::Ldap) else {
            panic!("accepted");
        };
        let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                "url",
                "users_base_dn",
                "groups_filter",
                "membership",
                "page_size"
            ]
        );
        let starttls_on_ldaps = SettingsInput {
            url: "ldaps://ldap.example.com".into(),
            starttls: Some("on".into()),
            ..ldap_input()
        };
        assert!(
            starttls_on_ldaps
                .parse(SystemKind::Ldap)
                .is_err_and(|p| p[0].0 == "starttls")
        );
    }

    #[test]
    fn urls_carry_no_credentials_and_the_right_scheme() {
        for bad in [
            "",
            "scim.example.com",
            "ftp://x.test",
            "https://user:pw@x.test/scim",
        ] {
            let input = SettingsInput {
                url: bad.into(),
                ..SettingsInput::defaults()
            };
            assert!(input.parse(SystemKind::Webhook).is_err(), "{bad:?}");
        }
        let scim = SettingsInput {
            url: "https://scim.example.com/scim/v2/".into(),
            user_match: "userName".into(),
            ..SettingsInput::defaults()
        };
        assert!(matches!(
            scim.parse(SystemKind::Scim),
            Ok(Settings::Scim(ScimSettings { base_url, .. })) if base_url == "https://scim.example.com/scim/v2"
        ));
    }

    #[test]
    fn a_linked_group_lies_under_the_groups_base() {
        let base = "ou=groups,dc=contoso,dc=com";
        assert_eq!(
            group_dn("cn=Sales, OU=Groups,dc=contoso,dc=com", base).as_deref(),
            Ok("cn=Sales, OU=Groups,dc=contoso,dc=com")
        );
        for outside in ["cn=Sales,ou=people,dc=contoso,dc=com", base, "Sales", ""] {
            assert!(group_dn(outside, base).is_err(), "{outside:?}");
        }
    }

    #[test]
    fn settings_keep_their_kind_in_json() {
        let Ok(settings) = ldap_input().parse(SystemKind::Ldap) else {
            panic!()
        };
        let json = serde_json::to_string(&settings).unwrap_or_default();
        assert!(json.contains(r#""kind":"ldap""#), "{json}");
        assert_eq!(serde_json::from_str::<Settings>(&json).ok(), Some(settings));
    }
}
