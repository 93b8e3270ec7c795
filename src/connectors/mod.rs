//! Talking to connected systems: LDAP directories (`ldap3`), SCIM 2.0 service providers and
//! webhook receivers (`reqwest`). Nothing here knows about Gatehouse's own HTTP side or its
//! database; services call these with settings and an opened secret.
pub mod ldap;
pub mod scim;
pub mod smtp;
pub mod webhook;

use std::time::Duration;

use crate::domain::connected::Settings;

/// Who a Gatehouse user is, for finding them in a connected system.
#[derive(Clone, Debug)]
pub struct Person {
    pub user_principal_name: String,
    pub email: Option<String>,
}

/// How long one call to a connected system may take before it counts as down.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// One step of a connection test, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub ok: bool,
    pub text: String,
}

/// What `Test connection` found: the steps that worked, then the one that did not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestReport {
    pub checks: Vec<Check>,
}

impl TestReport {
    pub fn pass(&mut self, text: impl Into<String>) {
        self.checks.push(Check {
            ok: true,
            text: text.into(),
        });
    }

    pub fn fail(&mut self, text: impl Into<String>) {
        self.checks.push(Check {
            ok: false,
            text: text.into(),
        });
    }

    /// Every step worked.
    pub fn ok(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.ok)
    }

    /// The steps as lines, `✓` or `✗` first: what the page and the audit log keep.
    pub fn summary(&self) -> String {
        self.checks
            .iter()
            .map(|c| format!("{} {}", if c.ok { "✓" } else { "✗" }, c.text))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Tests the connection to a system with these settings and (opened) secret, empty when
/// none is saved.
pub async fn test_connection(
    settings: &Settings,
    secret: &str,
    now: time::OffsetDateTime,
) -> TestReport {
    match settings {
        Settings::Ldap(ldap) => ldap::test_connection(ldap, secret).await,
        Settings::Scim(scim) => scim::test_connection(scim, secret).await,
        Settings::Webhook(hook) => webhook::test_connection(hook, secret, now).await,
    }
}

/// An HTTP client for connected systems: rustls, a timeout, no redirects followed (a
/// bearer token must not travel to wherever a redirect points).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Gatehouse/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// A reqwest error in words (never a header: the bearer token stays out).
pub(crate) fn http_error_words(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        format!("no answer within {} seconds", TIMEOUT.as_secs())
    } else if err.is_connect() {
        let mut source: Option<&dyn std::error::Error> = Some(err);
        let mut deepest = String::from("could not connect");
        while let Some(e) = source {
            deepest = e.to_string();
            source = e.source();
        }
        format!("could not connect ({deepest})")
    } else if err.is_decode() {
        "the answer is not the JSON expected".to_owned()
    } else {
        err.to_string()
    }
}

/// Where membership changes go: a bound directory connection or a SCIM service provider.
/// Members are spelled as the target spells them, in a normal form: a lower-case DN or user
/// name for a directory, a user id for SCIM.
pub enum Target {
    Directory(Box<ldap::Directory>),
    Scim(scim::Provider),
}

impl Target {
    /// Connects to the system the settings describe; a webhook is no target.
    pub async fn open(
        settings: &crate::domain::connected::Settings,
        secret: &str,
    ) -> Result<Self, String> {
        use crate::domain::connected::Settings;
        match settings {
            Settings::Ldap(ldap) => Ok(Self::Directory(Box::new(
                ldap::Directory::open(ldap, secret).await?,
            ))),
            Settings::Scim(scim) => Ok(Self::Scim(scim::Provider::new(scim, secret))),
            Settings::Webhook(_) => Err("a webhook has no groups".into()),
        }
    }

    pub async fn set_member(
        &mut self,
        group: &str,
        person: &Person,
        present: bool,
    ) -> Result<(), String> {
        match self {
            Self::Directory(directory) => directory.set_member(group, person, present).await,
            Self::Scim(provider) => provider.set_member(group, person, present).await,
        }
    }

    /// The group's members: each in its normal form, with the value as the system holds it.
    pub async fn members(&mut self, group: &str) -> Result<Vec<(String, String)>, String> {
        match self {
            Self::Directory(directory) => directory.group_members(group).await,
            Self::Scim(provider) => provider.group_members(group).await,
        }
    }

    /// How the group lists `person`, in the normal form.
    pub async fn member_key(&mut self, person: &Person) -> Result<String, String> {
        match self {
            Self::Directory(directory) => directory.member_key(person).await,
            Self::Scim(provider) => provider.find_user(person).await,
        }
    }

    /// Adds or takes away a member by the value the system holds.
    pub async fn set_member_value(
        &mut self,
        group: &str,
        value: &str,
        present: bool,
    ) -> Result<(), String> {
        match self {
            Self::Directory(directory) => directory.set_member_value(group, value, present).await,
            Self::Scim(provider) => provider.set_member_value(group, value, present).await,
        }
    }

    pub async fn close(self) {
        if let Self::Directory(directory) = self {
            (*directory).close().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_ok_only_when_every_step_worked() {
        let mut report = TestReport::default();
        assert!(!report.ok(), "an empty report proves nothing");
        report.pass("Connected");
        assert!(report.ok());
        report.fail("Bind failed");
        assert!(!report.ok());
        assert_eq!(report.summary(), "✓ Connected\n✗ Bind failed");
    }
}
