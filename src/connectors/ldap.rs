//! LDAP directories, through `ldap3`: connect (plain, LDAPS or StartTLS), bind, read.
use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::{LdapConnAsync, LdapConnSettings, LdapError, Scope, SearchEntry, SearchOptions};

use super::{Person, TIMEOUT, TestReport};
use crate::domain::connected::{LdapSettings, MembershipAttribute, UserMatch};
use crate::domain::directory::{Entry, normal_dn};

/// A result code in words (RFC 4511, appendix A).
pub fn result_code_words(rc: u32) -> &'static str {
    match rc {
        0 => "success",
        1 => "operations error",
        2 => "protocol error",
        3 => "time limit exceeded",
        4 => "size limit exceeded",
        7 => "authentication method not supported",
        8 => "stronger authentication required",
        10 => "referral",
        11 => "administrative limit exceeded",
        13 => "confidentiality required (use ldaps:// or StartTLS)",
        16 => "no such attribute",
        17 => "undefined attribute type",
        19 => "constraint violation",
        20 => "attribute or value exists",
        21 => "invalid attribute syntax",
        32 => "no such object",
        34 => "invalid DN syntax",
        48 => "inappropriate authentication",
        49 => "invalid credentials",
        50 => "insufficient access rights",
        51 => "busy",
        52 => "unavailable",
        53 => "unwilling to perform",
        64 => "naming violation",
        65 => "object class violation",
        68 => "entry already exists",
        _ => "error",
    }
}

/// An `ldap3` error in words, never with the password.
pub fn error_words(err: &LdapError) -> String {
    match err {
        LdapError::LdapResult { result } => {
            let mut words = format!("{} ({})", result_code_words(result.rc), result.rc);
            if !result.text.trim().is_empty() {
                words.push_str(&format!(": {}", result.text.trim()));
            }
            words
        }
        LdapError::Timeout { .. } => format!("no answer within {} seconds", TIMEOUT.as_secs()),
        other => other.to_string(),
    }
}

/// Connects and binds as the settings say; the connection is driven in the background until
/// the returned handle is dropped or unbound.
pub async fn connect(settings: &LdapSettings, password: &str) -> Result<ldap3::Ldap, Step> {
    let conn_settings = LdapConnSettings::new()
        .set_conn_timeout(TIMEOUT)
        .set_starttls(settings.starttls);
    let (conn, mut ldap) = LdapConnAsync::with_settings(conn_settings, &settings.url)
        .await
        .map_err(|e| Step::Connect(error_words(&e)))?;
    ldap3::drive!(conn);
    ldap.with_timeout(TIMEOUT);
    if settings.bind_dn.is_empty() {
        return Ok(ldap);
    }
    let bound = ldap
        .with_timeout(TIMEOUT)
        .simple_bind(&settings.bind_dn, password)
        .await
        .and_then(|r| r.success());
    match bound {
        Ok(_) => Ok(ldap),
        Err(e) => Err(Step::Bind(error_words(&e))),
    }
}

/// Where connecting failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Connect(String),
    Bind(String),
}

/// Connect, bind, then read each base DN and look for one entry its filter matches.
pub async fn test_connection(settings: &LdapSettings, password: &str) -> TestReport {
    let mut report = TestReport::default();
    let mut ldap = match connect(settings, password).await {
        Ok(ldap) => ldap,
        Err(Step::Connect(words)) => {
            report.fail(format!("Could not connect to {}: {words}", settings.url));
            return report;
        }
        Err(Step::Bind(words)) => {
            report.pass(format!("Connected to {}", settings.url));
            report.fail(format!("Bind as {} failed: {words}", settings.bind_dn));
            return report;
        }
    };
    report.pass(format!(
        "Connected to {}{}",
        settings.url,
        if settings.starttls { " (StartTLS)" } else { "" }
    ));
    if settings.bind_dn.is_empty() {
        report.pass("Bound anonymously");
    } else {
        report.pass(format!("Bound as {}", settings.bind_dn));
    }
    for (what, base, filter) in [
        ("people", &settings.users_base_dn, &settings.users_filter),
        ("groups", &settings.groups_base_dn, &settings.groups_filter),
    ] {
        let found = ldap
            .with_timeout(TIMEOUT)
            .with_search_options(SearchOptions::new().sizelimit(1))
            .search(base, Scope::Subtree, filter, vec!["1.1"])
            .await;
        match found {
            Ok(result) if result.1.rc == 0 || result.1.rc == 4 => {
                if let Some(entry) = result.0.into_iter().next() {
                    let dn = SearchEntry::construct(entry).dn;
                    report.pass(format!(
                        "Read {base}: {what} match {filter} (for example {dn})"
                    ));
                } else {
                    report.fail(format!(
                        "Read {base}, but no entry matches {filter}: check the filter"
                    ));
                }
            }
            Ok(result) => {
                let words = error_words(&LdapError::LdapResult { result: result.1 });
                report.fail(format!("Could not read {base}: {words}"));
            }
            Err(e) => report.fail(format!("Could not read {base}: {}", error_words(&e))),
        }
    }
    let _ = ldap.unbind().await;
    report
}

impl Person {
    /// The value the directory's matching attribute holds for this person.
    fn match_value(&self, attribute: UserMatch) -> String {
        match attribute {
            UserMatch::Uid | UserMatch::SamAccountName => self
                .user_principal_name
                .split('@')
                .next()
                .unwrap_or_default()
                .to_owned(),
            UserMatch::Mail => self
                .email
                .clone()
                .unwrap_or_else(|| self.user_principal_name.clone()),
            UserMatch::UserPrincipalName => self.user_principal_name.clone(),
        }
    }
}

/// A bound connection to a directory, for changing group members.
pub struct Directory {
    ldap: ldap3::Ldap,
    settings: LdapSettings,
}

impl Directory {
    pub async fn open(settings: &LdapSettings, password: &str) -> Result<Self, String> {
        match connect(settings, password).await {
            Ok(ldap) => Ok(Self {
                ldap,
                settings: settings.clone(),
            }),
            Err(Step::Connect(words)) => {
                Err(format!("could not connect to {}: {words}", settings.url))
            }
            Err(Step::Bind(words)) => Err(format!("bind as {} failed: {words}", settings.bind_dn)),
        }
    }

    /// What goes in a group's membership attribute for `person`: their DN, or their `uid`
    /// for `memberUid`. An error when the directory has no (or more than one) entry for
    /// them.
    async fn member_value(&mut self, person: &Person) -> Result<String, String> {
        let attribute = self.settings.user_match;
        let value = person.match_value(attribute);
        let filter = format!(
            "(&{}({}={}))",
            self.settings.users_filter,
            attribute.as_str(),
            ldap3::ldap_escape(&value)
        );
        let (entries, _) = self
            .ldap
            .with_timeout(TIMEOUT)
            .search(
                &self.settings.users_base_dn,
                Scope::Subtree,
                &filter,
                vec!["uid"],
            )
            .await
            .and_then(|r| r.success())
            .map_err(|e| format!("could not look up {value}: {}", error_words(&e)))?;
        let mut found = entries.into_iter().map(SearchEntry::construct);
        let (Some(entry), None) = (found.next(), found.next()) else {
            return Err(format!(
                "no single entry under {} has {}={value}",
                self.settings.users_base_dn,
                attribute.as_str()
            ));
        };
        Ok(match self.settings.membership {
            MembershipAttribute::MemberUid => entry
                .attrs
                .get("uid")
                .and_then(|v| v.first().cloned())
                .unwrap_or(value),
            MembershipAttribute::Member | MembershipAttribute::UniqueMember => entry.dn,
        })
    }

    /// Makes `person` a member of the group at `group_dn` (`present`) or not. Adding a
    /// member already there and removing one already gone both succeed.
    pub async fn set_member(
        &mut self,
        group_dn: &str,
        person: &Person,
        present: bool,
    ) -> Result<(), String> {
        let value = self.member_value(person).await?;
        self.set_member_value(group_dn, &value, present).await
    }

    /// What the group's membership attribute lists for `person`, in the normal spelling
    /// (a lower-case DN, or a lower-case user name for `memberUid`).
    pub async fn member_key(&mut self, person: &Person) -> Result<String, String> {
        let value = self.member_value(person).await?;
        Ok(match self.settings.membership {
            MembershipAttribute::MemberUid => value.to_lowercase(),
            _ => normal_dn(&value),
        })
    }

    /// Adds `value` to the group's membership attribute (`present`) or takes it away, as
    /// the directory spells it; idempotent like [`Self::set_member`].
    pub async fn set_member_value(
        &mut self,
        group_dn: &str,
        value: &str,
        present: bool,
    ) -> Result<(), String> {
        let attribute = self.settings.membership.as_str();
        let values = std::collections::HashSet::from([value]);
        let change = if present {
            ldap3::Mod::Add(attribute, values)
        } else {
            ldap3::Mod::Delete(attribute, values)
        };
        let result = self
            .ldap
            .with_timeout(TIMEOUT)
            .modify(group_dn, vec![change])
            .await
            .map_err(|e| error_words(&e))?;
        match (result.rc, present) {
            (0, _) | (20, true) | (16, false) => Ok(()),
            (65, false) => Err(format!(
                "{group_dn} refused to lose {value}: a groupOfNames must keep at least one member (object class violation)"
            )),
            _ => Err(format!(
                "changing {group_dn}: {}",
                error_words(&LdapError::LdapResult { result })
            )),
        }
    }

    /// Every entry under `base` that `filter` matches, with `attrs`, a page at a time when
    /// the settings say so.
    pub async fn read(
        &mut self,
        base: &str,
        filter: &str,
        attrs: Vec<String>,
    ) -> Result<Vec<Entry>, String> {
        let mut adapters: Vec<Box<dyn Adapter<'static, String, Vec<String>>>> =
            vec![Box::new(EntriesOnly::new())];
        if self.settings.page_size > 0 {
            let size = i32::try_from(self.settings.page_size).unwrap_or(i32::MAX);
            adapters.push(Box::new(PagedResults::new(size)));
        }
        let fail = |e: LdapError| format!("reading {base}: {}", error_words(&e));
        let mut stream = self
            .ldap
            .with_timeout(TIMEOUT)
            .streaming_search_with(adapters, base, Scope::Subtree, filter, attrs)
            .await
            .map_err(fail)?;
        let mut entries = Vec::new();
        while let Some(found) = stream.next().await.map_err(fail)? {
            let found = SearchEntry::construct(found);
            entries.push(Entry::new(found.dn, found.attrs));
        }
        let done = stream.finish().await;
        if done.rc != 0 {
            return Err(fail(LdapError::LdapResult { result: done }));
        }
        Ok(entries)
    }

    /// The members of the group at `dn`: each in the normal spelling, with the value as the
    /// directory holds it.
    pub async fn group_members(&mut self, dn: &str) -> Result<Vec<(String, String)>, String> {
        let attribute = self.settings.membership.as_str().to_owned();
        let (entries, _) = self
            .ldap
            .with_timeout(TIMEOUT)
            .search(dn, Scope::Base, "(objectClass=*)", vec![attribute.as_str()])
            .await
            .and_then(|r| r.success())
            .map_err(|e| format!("reading {dn}: {}", error_words(&e)))?;
        let Some(found) = entries.into_iter().next() else {
            return Err(format!("{dn} is not in the directory"));
        };
        let entry = SearchEntry::construct(found);
        let entry = Entry::new(entry.dn, entry.attrs);
        Ok(entry
            .all(&attribute)
            .iter()
            .map(|v| {
                let key = match self.settings.membership {
                    MembershipAttribute::MemberUid => v.trim().to_lowercase(),
                    _ => normal_dn(v),
                };
                (key, v.clone())
            })
            .collect())
    }

    pub fn settings(&self) -> &LdapSettings {
        &self.settings
    }

    pub async fn close(mut self) {
        let _ = self.ldap.unbind().await;
    }
}
