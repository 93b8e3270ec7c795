//! When repeated sign-in failures make Gatehouse refuse to try more passwords for a while.
use time::{Duration, OffsetDateTime};

/// After `threshold` failures within `window`, sign-in is refused for `base_delay`, doubling
/// with each further failure up to `max_delay`.
#[derive(Clone, Copy, Debug)]
pub struct ThrottlePolicy {
    pub threshold: usize,
    pub window: Duration,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

/// No lockout lasts longer than this.
pub const MAX_LOCKOUT: Duration = Duration::minutes(15);

/// Per account and client address: five wrong passwords, then 30 s, 1 min, 2 min … up to
/// 15 min. Someone guessing from elsewhere does not lock the owner out this way.
pub const PER_ACCOUNT_FROM_CLIENT: ThrottlePolicy = ThrottlePolicy {
    threshold: 5,
    window: Duration::minutes(15),
    base_delay: Duration::seconds(30),
    max_delay: MAX_LOCKOUT,
};

/// Per account from anywhere: a guessing attack spread over many addresses.
pub const PER_ACCOUNT: ThrottlePolicy = ThrottlePolicy {
    threshold: 50,
    window: Duration::minutes(15),
    base_delay: Duration::seconds(30),
    max_delay: MAX_LOCKOUT,
};

/// Per client address: more room, since many people may share one address.
pub const PER_CLIENT: ThrottlePolicy = ThrottlePolicy {
    threshold: 20,
    window: Duration::minutes(15),
    base_delay: Duration::seconds(30),
    max_delay: MAX_LOCKOUT,
};

/// Which count locked sign-in. Each has lockouts of its own: one audit row per lockout is
/// written, and later attempts refused in the same lockout are only counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockedBy {
    /// Failures at this account from this address.
    AccountFromClient,
    /// Failures at this account from anywhere.
    Account,
    /// Failures from this address at any account.
    Client,
}

impl LockedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccountFromClient => "accountFromClient",
            Self::Account => "account",
            Self::Client => "client",
        }
    }
}

/// Sign-in refused from the failure at `since` until `until`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lockout {
    pub by: LockedBy,
    pub since: OffsetDateTime,
    pub until: OffsetDateTime,
}

impl Lockout {
    /// The lockout in force at `now`, if any: the one that lasts longest.
    pub fn longest(
        now: OffsetDateTime,
        candidates: impl IntoIterator<Item = Option<Lockout>>,
    ) -> Option<Lockout> {
        candidates
            .into_iter()
            .flatten()
            .filter(|lockout| lockout.until > now)
            .max_by_key(|lockout| lockout.until)
    }
}

impl ThrottlePolicy {
    /// The lockout these failures (newest first) cause, if any; it begins at the newest.
    pub fn lockout(
        &self,
        by: LockedBy,
        failures_newest_first: &[OffsetDateTime],
    ) -> Option<Lockout> {
        Some(Lockout {
            by,
            since: *failures_newest_first.first()?,
            until: self.locked_until(failures_newest_first)?,
        })
    }

    /// Until when sign-in is refused, given the failures in the window (newest first).
    pub fn locked_until(&self, failures_newest_first: &[OffsetDateTime]) -> Option<OffsetDateTime> {
        let newest = *failures_newest_first.first()?;
        let beyond = failures_newest_first.len().checked_sub(self.threshold)?;
        let factor = 1i64 << beyond.min(20);
        let delay = (self.base_delay * factor as f64).min(self.max_delay);
        Some(newest + delay)
    }
}

/// The failures that still count: a successful sign-in from an address clears the earlier
/// (or simultaneous) failures from that address only, so the owner signing in never wipes the count of
/// someone guessing from elsewhere. Each entry is a time and a client address; both lists
/// newest first, and so is the answer.
pub fn uncleared_failures(
    failures: &[(OffsetDateTime, Option<String>)],
    successes: &[(OffsetDateTime, Option<String>)],
) -> Vec<(OffsetDateTime, Option<String>)> {
    failures
        .iter()
        .filter(|(at, ip)| {
            !successes
                .iter()
                .any(|(success_at, success_ip)| success_ip == ip && success_at >= at)
        })
        .cloned()
        .collect()
}

/// Whole seconds to wait, rounded up, for the message.
pub fn seconds_until(now: OffsetDateTime, until: OffsetDateTime) -> i64 {
    let wait = until - now;
    let secs = wait.whole_seconds();
    if wait.subsec_nanoseconds() > 0 {
        secs + 1
    } else {
        secs
    }
    .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn failures(n: usize) -> Vec<OffsetDateTime> {
        let newest = datetime!(2026-11-24 10:00 UTC);
        (0..n)
            .map(|i| newest - Duration::seconds(i as i64))
            .collect()
    }

    #[test]
    fn four_failures_do_not_lock_an_account() {
        assert_eq!(PER_ACCOUNT_FROM_CLIENT.locked_until(&failures(4)), None);
        assert_eq!(PER_ACCOUNT.locked_until(&[]), None);
    }

    #[test]
    fn the_delay_doubles_with_each_failure_past_the_threshold() {
        let at = datetime!(2026-11-24 10:00 UTC);
        assert_eq!(
            PER_ACCOUNT_FROM_CLIENT.locked_until(&failures(5)),
            Some(at + Duration::seconds(30))
        );
        assert_eq!(
            PER_ACCOUNT_FROM_CLIENT.locked_until(&failures(6)),
            Some(at + Duration::seconds(60))
        );
        assert_eq!(
            PER_ACCOUNT_FROM_CLIENT.locked_until(&failures(7)),
            Some(at + Duration::seconds(120))
        );
    }

    #[test]
    fn an_account_from_anywhere_takes_fifty_failures() {
        assert_eq!(PER_ACCOUNT.locked_until(&failures(49)), None);
        assert!(PER_ACCOUNT.locked_until(&failures(50)).is_some());
    }

    #[test]
    fn the_delay_never_exceeds_fifteen_minutes() {
        let at = datetime!(2026-11-24 10:00 UTC);
        assert_eq!(
            PER_ACCOUNT_FROM_CLIENT.locked_until(&failures(60)),
            Some(at + Duration::minutes(15))
        );
    }

    #[test]
    fn a_success_clears_only_the_earlier_failures_from_its_own_address() {
        let at = datetime!(2026-11-24 10:00 UTC);
        let from = |ip: &str| Some(ip.to_owned());
        let failures = vec![
            (at + Duration::seconds(30), from("203.0.113.9")),
            (at + Duration::seconds(5), from("198.51.100.7")),
            (at, from("203.0.113.9")),
            (at - Duration::seconds(5), from("198.51.100.7")),
        ];
        let successes = vec![(at + Duration::seconds(10), from("198.51.100.7"))];
        assert_eq!(
            uncleared_failures(&failures, &successes),
            vec![
                (at + Duration::seconds(30), from("203.0.113.9")),
                (at, from("203.0.113.9")),
            ]
        );
        assert_eq!(uncleared_failures(&failures, &[]), failures);
    }

    #[test]
    fn the_longest_lockout_in_force_wins() {
        let now = datetime!(2026-11-24 10:00 UTC);
        let by_account = PER_ACCOUNT_FROM_CLIENT.lockout(LockedBy::AccountFromClient, &failures(6));
        let by_client = PER_CLIENT.lockout(LockedBy::Client, &failures(20));
        assert_eq!(
            by_account.map(|l| (l.since, l.until)),
            Some((now, now + Duration::seconds(60)))
        );
        assert_eq!(
            Lockout::longest(now, [by_account, by_client, None]),
            by_account
        );
        assert_eq!(
            Lockout::longest(now + Duration::seconds(60), [by_account, by_client]),
            None,
            "over"
        );
    }

    #[test]
    fn waits_are_rounded_up_to_whole_seconds() {
        let now = datetime!(2026-11-24 10:00 UTC);
        assert_eq!(seconds_until(now, now + Duration::milliseconds(29_001)), 30);
        assert_eq!(seconds_until(now, now + Duration::seconds(30)), 30);
    }
}
