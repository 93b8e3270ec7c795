//! Users: sign-in names, display names, passwords and directory roles.
use std::fmt;

use time::OffsetDateTime;

use super::{Invalid, bounded_text};
use crate::ids::UserId;

/// A person who can sign in, as the rest of the program sees them (no password hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub user_principal_name: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: DirectoryRole,
    pub enabled: bool,
    pub security_stamp: String,
    pub created_at: OffsetDateTime,
    /// The connected system the user was imported from.
    pub source_system: Option<crate::ids::ConnectedSystemId>,
}

/// A user principal name such as `admin1@woodgrove.test`, kept in lower case so that
/// uniqueness and sign-in are case-insensitive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserPrincipalName(String);

impl UserPrincipalName {
    pub const MAX_LEN: usize = 256;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = input.trim().to_lowercase();
        let refuse = || Invalid::new("Enter a user principal name like name@domain.");
        if value.is_empty() {
            return Err(Invalid::new("Enter a user principal name."));
        }
        if value.chars().count() > Self::MAX_LEN {
            return Err(Invalid::new(format!(
                "The user principal name can be at most {} characters.",
                Self::MAX_LEN
            )));
        }
        let (local, domain) = value.split_once('@').ok_or_else(refuse)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._%+-'!#$&*/=?^`{|}~".contains(c));
        let domain_ok = !domain.is_empty()
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok {
            Ok(Self(value))
        } else {
            Err(refuse())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserPrincipalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name shown in lists and approvals: 1–256 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        bounded_text(input, "display name", 1, 256).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An optional contact address; empty input means none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(Option<String>);

impl Email {
    /// No address.
    pub fn none() -> Self {
        Self(None)
    }

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = input.trim();
        if value.is_empty() {
            return Ok(Self(None));
        }
        let refuse =
            || Invalid::new("Enter an email address like name@example.com, or leave it empty.");
        let parsed = UserPrincipalName::parse(value).map_err(|_| refuse())?;
        if !parsed
            .as_str()
            .split_once('@')
            .is_some_and(|(_, d)| d.contains('.'))
        {
            return Err(refuse());
        }
        Ok(Self(Some(value.to_owned())))
    }

    pub fn into_inner(self) -> Option<String> {
        self.0
    }
}

/// A new password: 12 to 256 characters. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_LEN: usize = 12;
    pub const MAX_LEN: usize = 256;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let len = input.chars().count();
        if len < Self::MIN_LEN {
            return Err(Invalid::new(format!(
                "The password must be at least {} characters.",
                Self::MIN_LEN
            )));
        }
        if len > Self::MAX_LEN {
            return Err(Invalid::new(format!(
                "The password can be at most {} characters.",
                Self::MAX_LEN
            )));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Directory roles, as in Entra ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DirectoryRole {
    GlobalAdministrator,
    UserAdministrator,
    User,
}

impl DirectoryRole {
    pub const ALL: [DirectoryRole; 3] = [
        DirectoryRole::GlobalAdministrator,
        DirectoryRole::UserAdministrator,
        DirectoryRole::User,
    ];

    /// The value stored in the database and sent by forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GlobalAdministrator => "globalAdministrator",
            Self::UserAdministrator => "userAdministrator",
            Self::User => "user",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::GlobalAdministrator => "Global administrator",
            Self::UserAdministrator => "User administrator",
            Self::User => "User",
        }
    }

    /// A stored value that is not a known role grants nothing.
    pub fn from_stored(value: &str) -> Self {
        Self::parse(value).unwrap_or(Self::User)
    }

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == input.trim())
            .ok_or_else(|| Invalid::new("Choose a directory role."))
    }

    /// Global and User administrators run the admin portal.
    pub fn is_directory_admin(self) -> bool {
        matches!(self, Self::GlobalAdministrator | Self::UserAdministrator)
    }

    /// Whether someone in this role may create, change or delete a user who has (or would
    /// get) `target`. As in Entra, a User administrator cannot touch a Global administrator.
    pub fn can_manage(self, target: DirectoryRole) -> bool {
        match self {
            Self::GlobalAdministrator => true,
            Self::UserAdministrator => target != Self::GlobalAdministrator,
            Self::User => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_principal_name_is_kept_in_lower_case() {
        let upn = UserPrincipalName::parse("  Admin1@WoodGrove.test ").map(|u| u.to_string());
        assert_eq!(upn, Ok("admin1@woodgrove.test".to_owned()));
    }

    #[test]
    fn a_user_principal_name_needs_a_name_and_a_domain() {
        for bad in [
            "",
            "admin1",
            "@woodgrove.test",
            "admin1@",
            "a b@woodgrove.test",
            "a@b..c",
            "a@-b.c",
            ".a@b.c",
        ] {
            assert!(
                UserPrincipalName::parse(bad).is_err(),
                "{bad:?} was accepted"
            );
        }
        assert!(UserPrincipalName::parse("first.last+tag@sub.woodgrove.test").is_ok());
    }

    #[test]
    fn a_very_long_user_principal_name_is_refused() {
        let long = format!("a@{}.test", "b".repeat(300));
        assert!(UserPrincipalName::parse(&long).is_err());
    }

    #[test]
    fn a_display_name_is_trimmed_and_between_1_and_256_characters() {
        assert_eq!(
            DisplayName::parse("  User1 ").map(DisplayName::into_inner),
            Ok("User1".to_owned())
        );
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"é".repeat(256)).is_ok());
        assert!(DisplayName::parse(&"é".repeat(257)).is_err());
    }

    #[test]
    fn an_email_is_optional_but_must_look_like_an_address() {
        assert_eq!(Email::parse("").map(Email::into_inner), Ok(None));
        assert!(Email::parse("user1@woodgrove.test").is_ok());
        assert!(Email::parse("user1@localhost").is_err());
        assert!(Email::parse("not an email").is_err());
    }

    #[test]
    fn a_password_has_at_least_12_characters_and_is_never_printed() {
        assert!(Password::parse("short-pass1").is_err());
        let password = Password::parse("long enough pass");
        assert!(password.is_ok());
        assert_eq!(format!("{:?}", password), "Ok(Password(***))");
    }

    #[test]
    fn roles_round_trip_through_their_stored_value() {
        for role in DirectoryRole::ALL {
            assert_eq!(DirectoryRole::parse(role.as_str()), Ok(role));
        }
        assert!(DirectoryRole::parse("superuser").is_err());
    }

    #[test]
    fn a_user_administrator_cannot_manage_a_global_administrator() {
        use DirectoryRole::*;
        assert!(GlobalAdministrator.can_manage(GlobalAdministrator));
        assert!(UserAdministrator.can_manage(User));
        assert!(UserAdministrator.can_manage(UserAdministrator));
        assert!(!UserAdministrator.can_manage(GlobalAdministrator));
        assert!(!User.can_manage(User));
    }
}
