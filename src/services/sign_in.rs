//! Signing in: throttling, password check, and an audit event for every attempt (one per
//! lockout for attempts refused while locked).
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::json;
use time::OffsetDateTime;
use tokio::sync::OwnedMutexGuard;

use super::audit::{self, Actor, Event};
use crate::clock::Clock;
use crate::domain::audit as action;
use crate::domain::throttle::{
    self, LockedBy, Lockout, PER_ACCOUNT, PER_ACCOUNT_FROM_CLIENT, PER_CLIENT,
};
use crate::domain::user::User;
use crate::entities::user;
use crate::services::password::{self, new_token};
use crate::store;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("wrong user name or password")]
    InvalidCredentials,
    #[error("too many failed attempts; retry in {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },
    /// The right password, but passwords are only for Global administrators here.
    #[error("password sign-in is turned off for this account")]
    PasswordsOff,
    #[error(transparent)]
    Unexpected(#[from] sea_orm::DbErr),
}

/// One sign-in at a time per account and per client address, so that parallel guesses
/// each see the failures before them instead of all passing the throttle at once.
#[derive(Default)]
pub struct SignInGate {
    locks: Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>,
    /// Attempts refused in each lockout (by when it began), for the log: the audit log gets
    /// one row per lockout, not one per attempt.
    blocked: Mutex<HashMap<String, (OffsetDateTime, u64)>>,
}

impl SignInGate {
    /// Counts one more refused attempt in the lockout `key` that began at `since`.
    fn count_blocked(&self, key: String, since: OffsetDateTime, now: OffsetDateTime) -> u64 {
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        if blocked.len() > 4096 {
            // A lockout lasts at most the longest delay; older counts are finished.
            blocked.retain(|_, (began, _)| *began > now - throttle::MAX_LOCKOUT);
        }
        let entry = blocked.entry(key).or_insert((since, 0));
        if entry.0 != since {
            *entry = (since, 0);
        }
        entry.1 += 1;
        entry.1
    }

    pub(crate) async fn enter(&self, key: String) -> OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
            if locks.len() > 4096 {
                locks.retain(|_, lock| lock.strong_count() > 0);
            }
            match locks.get(&key).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    let lock = Arc::new(tokio::sync::Mutex::new(()));
                    locks.insert(key, Arc::downgrade(&lock));
                    lock
                }
            }
        };
        lock.lock_owned().await
    }
}

/// The lockout refusing sign-in to `account` from `client_ip`, if there is one.
async fn lockout(
    db: &DatabaseConnection,
    now: OffsetDateTime,
    account: &str,
    client_ip: Option<&str>,
) -> Result<Option<Lockout>, sea_orm::DbErr> {
    let since = now - PER_ACCOUNT.window;
    let failures =
        store::audit::events_for_account(db, action::SIGN_IN_FAILED, account, since).await?;
    let successes =
        store::audit::events_for_account(db, action::SIGN_IN_SUCCEEDED, account, since).await?;
    let failures = throttle::uncleared_failures(&failures, &successes);
    let all: Vec<OffsetDateTime> = failures.iter().map(|(t, _)| *t).collect();
    let from_here: Vec<OffsetDateTime> = failures
        .iter()
        .filter(|(_, ip)| ip.as_deref() == client_ip)
        .map(|(t, _)| *t)
        .collect();
    let from_client = match client_ip {
        Some(ip) => {
            store::audit::times_from_ip(db, action::SIGN_IN_FAILED, ip, now - PER_CLIENT.window)
                .await?
        }
        None => Vec::new(),
    };
    Ok(Lockout::longest(
        now,
        [
            PER_ACCOUNT_FROM_CLIENT.lockout(LockedBy::AccountFromClient, &from_here),
            PER_ACCOUNT.lockout(LockedBy::Account, &all),
            PER_CLIENT.lockout(LockedBy::Client, &from_client),
        ],
    ))
}

/// Records a refused attempt: one audit row for the first in each lockout, a count in the
/// log for the rest, so that a script hammering a locked account cannot flood the audit log.
async fn record_blocked(
    db: &DatabaseConnection,
    gate: &SignInGate,
    now: OffsetDateTime,
    actor: &Actor,
    account: &str,
    lockout: Lockout,
    retry_after_secs: i64,
) -> Result<(), sea_orm::DbErr> {
    let ip = actor.client_ip.as_deref();
    let (key, of_account, from_ip) = match lockout.by {
        LockedBy::AccountFromClient => (
            format!("account:{account} client:{}", ip.unwrap_or("-")),
            Some(account),
            Some(ip),
        ),
        LockedBy::Account => (format!("account:{account}"), Some(account), None),
        LockedBy::Client => (format!("client:{}", ip.unwrap_or("-")), None, Some(ip)),
    };
    let refused = gate.count_blocked(key, lockout.since, now);
    tracing::info!(
        account,
        client_ip = ip,
        locked_by = lockout.by.as_str(),
        locked_until = %lockout.until,
        refused_in_this_lockout = refused,
        "sign-in refused: too many failures"
    );
    let action = action::SIGN_IN_THROTTLED;
    if store::audit::seen_since(db, action, of_account, from_ip, lockout.since).await? {
        return Ok(());
    }
    let event = Event {
        action,
        target_type: action::TARGET_USER,
        target_id: None,
        target_name: account,
        detail: json!({
            "retryAfterSeconds": retry_after_secs,
            "lockedBy": lockout.by.as_str(),
        }),
    };
    audit::record_as(db, now, actor, event).await
}

/// Whether another kind of secret (an app's client secret) for `account` is refused now:
/// the same rules and counts as passwords. Records the refusal, and answers how many
/// seconds to wait.
pub(crate) async fn throttled(
    db: &DatabaseConnection,
    gate: &SignInGate,
    now: OffsetDateTime,
    account: &str,
    actor: &Actor,
) -> Result<Option<i64>, sea_orm::DbErr> {
    let Some(lockout) = lockout(db, now, account, actor.client_ip.as_deref()).await? else {
        return Ok(None);
    };
    let retry_after_secs = throttle::seconds_until(now, lockout.until);
    record_blocked(db, gate, now, actor, account, lockout, retry_after_secs).await?;
    Ok(Some(retry_after_secs))
}

/// Signs in with a password. With `admins_only` (single sign-on is the way in, passwords are
/// kept for break-glass), only Global administrators may.
pub async fn sign_in(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    gate: &SignInGate,
    username: &str,
    password_text: &str,
    client_ip: Option<String>,
    admins_only: bool,
) -> Result<User, SignInError> {
    let account: String = username
        .chars()
        .filter(|c| !c.is_control())
        .take(256)
        .collect();
    let account = account.trim().to_lowercase();
    let anonymous = Actor {
        id: None,
        name: account.clone(),
        client_ip: client_ip.clone(),
    };
    // Always in this order (account, then address), so two sign-ins never wait on each other
    // in a circle.
    let _account_turn = gate.enter(format!("account:{account}")).await;
    let _client_turn = match &client_ip {
        Some(ip) => Some(gate.enter(format!("client:{ip}")).await),
        None => None,
    };
    let now = clock.now();
    if let Some(lockout) = lockout(db, now, &account, client_ip.as_deref()).await? {
        let retry_after_secs = throttle::seconds_until(now, lockout.until);
        record_blocked(
            db,
            gate,
            now,
            &anonymous,
            &account,
            lockout,
            retry_after_secs,
        )
        .await?;
        return Err(SignInError::Throttled { retry_after_secs });
    }

    let found = store::users::find_credentials(db, &account).await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let matches = password::verify(password_text, hash).await;
    let failure = match (&user, matches) {
        (Some(user), true)
            if user.enabled
                && admins_only
                && user.role != crate::domain::user::DirectoryRole::GlobalAdministrator =>
        {
            Some((
                "password sign-in is for Global administrators only",
                SignInError::PasswordsOff,
            ))
        }
        (Some(user), true) if user.enabled => None,
        // The same answer as a wrong password: telling "disabled" only to the right password
        // would confirm a guess. The audit log keeps the real reason.
        (Some(_), true) => Some(("account disabled", SignInError::InvalidCredentials)),
        (Some(_), false) => Some(("wrong password", SignInError::InvalidCredentials)),
        (None, _) => Some(("unknown user", SignInError::InvalidCredentials)),
    };
    if let Some((reason, error)) = failure {
        let event = Event {
            action: action::SIGN_IN_FAILED,
            target_type: action::TARGET_USER,
            target_id: user.as_ref().map(|u| u.id.to_string()),
            target_name: &account,
            detail: json!({ "reason": reason }),
        };
        audit::record_as(db, now, &anonymous, event).await?;
        return Err(error);
    }
    let Some(user) = user else {
        return Err(SignInError::InvalidCredentials);
    };
    let actor = Actor {
        id: Some(user.id),
        name: user.user_principal_name.clone(),
        client_ip,
    };
    let event = Event {
        action: action::SIGN_IN_SUCCEEDED,
        target_type: action::TARGET_USER,
        target_id: Some(user.id.to_string()),
        target_name: &account,
        detail: json!({}),
    };
    audit::record_as(db, now, &actor, event).await?;
    Ok(user)
}

/// Signs the user out everywhere: a new security stamp makes every session cookie issued
/// before it worthless, including copies of this one.
pub async fn sign_out(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    user: &User,
    actor: &Actor,
) -> Result<(), sea_orm::DbErr> {
    let txn = crate::db::write_txn(db).await?;
    let now = clock.now();
    user::Entity::update_many()
        .col_expr(user::Column::SecurityStamp, Expr::value(new_token()))
        .filter(user::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    let event = Event {
        action: action::SIGN_OUT,
        target_type: action::TARGET_USER,
        target_id: Some(user.id.to_string()),
        target_name: &user.user_principal_name,
        detail: json!({}),
    };
    audit::record_as(&txn, now, actor, event).await?;
    txn.commit().await
}

/// Someone an identity provider vouched for.
pub struct Federated<'a> {
    /// The provider's name, for the audit log.
    pub provider: &'a str,
    /// The provider's issuer and the person's subject there: who they are, whatever their
    /// name or address becomes.
    pub issuer: &'a str,
    pub subject: &'a str,
    /// The claim that names the Gatehouse user (`email`, `preferred_username` or `upn`), and
    /// its value when the provider sent one.
    pub claim_name: &'a str,
    pub claim: Option<&'a str>,
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
}

/// Why someone the provider vouched for is still not let in, in words for the sign-in page.
#[derive(Debug, thiserror::Error)]
pub enum FederatedError {
    #[error(
        "The identity provider did not say who you are ({0} is missing or not a user principal name). Ask your administrator."
    )]
    NoClaim(String),
    #[error("There is no Gatehouse account for {0}. Ask your administrator for access.")]
    NoAccount(String),
    #[error("Your Gatehouse account is disabled. Ask your administrator.")]
    Disabled,
    #[error(
        "The Gatehouse account {0} belongs to someone else at your identity provider. Ask your administrator."
    )]
    LinkedElsewhere(String),
    #[error(transparent)]
    Unexpected(#[from] sea_orm::DbErr),
}

/// What identifies a person at a provider: its issuer and their subject there, as a
/// fixed-length digest (subjects may be long).
fn subject_key(issuer: &str, subject: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(issuer.trim_end_matches('/').as_bytes());
    hash.update([0]);
    hash.update(subject.as_bytes());
    hex::encode(hash.finalize())
}

/// A returning person whose user principal name or address changed at the provider: the
/// same account takes the new ones (same id, same history), audited. A name that another
/// account holds, or an account a directory or SCIM owns, is left as it is.
async fn follow_mover(
    db: &DatabaseConnection,
    now: time::OffsetDateTime,
    who: &Federated<'_>,
    row: user::Model,
    upn: &crate::domain::user::UserPrincipalName,
) -> Result<user::Model, sea_orm::DbErr> {
    if row.source_system_id.is_some() || !row.account_enabled {
        return Ok(row);
    }
    let email = who
        .email
        .and_then(|e| crate::domain::user::Email::parse(e).ok())
        .and_then(crate::domain::user::Email::into_inner);
    let new_upn = upn.as_str() != row.user_principal_name;
    let new_email = email.is_some() && email != row.email;
    if !new_upn && !new_email {
        return Ok(row);
    }
    let taken = new_upn
        && user::Entity::find()
            .filter(user::Column::UserPrincipalName.eq(upn.as_str()))
            .one(db)
            .await?
            .is_some();
    if taken && !new_email {
        return Ok(row);
    }
    let txn = crate::db::write_txn(db).await?;
    let before = row.clone();
    let mut changed: user::ActiveModel = row.into();
    if new_upn && !taken {
        changed.user_principal_name = sea_orm::ActiveValue::Set(upn.as_str().to_owned());
    }
    if new_email {
        changed.email = sea_orm::ActiveValue::Set(email);
    }
    changed.updated_at = sea_orm::ActiveValue::Set(now);
    let after = sea_orm::ActiveModelTrait::update(changed, &txn).await?;
    let by = Actor {
        id: None,
        name: format!("{} (single sign-on)", who.provider),
        client_ip: None,
    };
    let event = Event {
        action: action::UPDATE_USER,
        target_type: action::TARGET_USER,
        target_id: Some(after.id.to_string()),
        target_name: &after.user_principal_name,
        detail: json!({
            "before": { "userPrincipalName": before.user_principal_name, "email": before.email },
            "after": { "userPrincipalName": after.user_principal_name, "email": after.email },
            "provider": who.provider,
            "subject": who.subject,
        }),
    };
    audit::record_as(&txn, now, &by, event).await?;
    txn.commit().await?;
    Ok(after)
}

/// Signs in someone the provider vouched for: their Gatehouse user is the one whose user
/// principal name the claim holds; unknown people are created as Users when `create_users`,
/// refused otherwise. Every outcome is audited with the provider and its subject.
pub async fn sign_in_federated(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    who: Federated<'_>,
    create_users: bool,
    client_ip: Option<String>,
) -> Result<User, FederatedError> {
    use crate::domain::user::{DirectoryRole, DisplayName, Email, UserPrincipalName};
    let now = clock.now();
    let detail = json!({ "provider": who.provider, "subject": who.subject });
    let named = who.claim.and_then(|c| UserPrincipalName::parse(c).ok());
    let account = named
        .as_ref()
        .map_or_else(|| who.subject.to_owned(), |u| u.as_str().to_owned());
    let anonymous = Actor {
        id: None,
        name: account.clone(),
        client_ip: client_ip.clone(),
    };
    let failed = |reason: &str| {
        let mut detail = detail.clone();
        detail["reason"] = json!(reason);
        detail
    };
    let Some(upn) = named else {
        let event = Event {
            action: action::SIGN_IN_FAILED,
            target_type: action::TARGET_USER,
            target_id: None,
            target_name: &account,
            detail: failed(&format!("no usable {} claim", who.claim_name)),
        };
        audit::record_as(db, now, &anonymous, event).await?;
        return Err(FederatedError::NoClaim(who.claim_name.to_owned()));
    };
    let key = subject_key(who.issuer, who.subject);
    let by_subject = user::Entity::find()
        .filter(user::Column::SsoSubject.eq(key.as_str()))
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?;
    let found = match by_subject {
        // Known by who they are: a new name or address at the provider follows them here.
        Some(row) => Some(follow_mover(db, now, &who, row, &upn).await?),
        None => {
            let by_name = user::Entity::find()
                .filter(user::Column::UserPrincipalName.eq(upn.as_str()))
                .filter(user::Column::DeletedAt.is_null())
                .one(db)
                .await?;
            match by_name {
                // The name now belongs to another person at the provider (reassigned):
                // never hand them this account.
                Some(row) if row.sso_subject.is_some() => {
                    let event = Event {
                        action: action::SIGN_IN_FAILED,
                        target_type: action::TARGET_USER,
                        target_id: Some(row.id.to_string()),
                        target_name: &account,
                        detail: failed("the account is linked to another subject"),
                    };
                    audit::record_as(db, now, &anonymous, event).await?;
                    return Err(FederatedError::LinkedElsewhere(account));
                }
                // The first single sign-on of an existing account links it.
                Some(row) if row.account_enabled => {
                    let mut linked: user::ActiveModel = row.into();
                    linked.sso_subject = sea_orm::ActiveValue::Set(Some(key.clone()));
                    Some(sea_orm::ActiveModelTrait::update(linked, db).await?)
                }
                other => other,
            }
        }
    };
    let person = match found {
        Some(row) if !row.account_enabled => {
            let event = Event {
                action: action::SIGN_IN_FAILED,
                target_type: action::TARGET_USER,
                target_id: Some(row.id.to_string()),
                target_name: &account,
                detail: failed("account disabled"),
            };
            audit::record_as(db, now, &anonymous, event).await?;
            return Err(FederatedError::Disabled);
        }
        Some(row) => User::from(row),
        None if create_users => {
            let display = who
                .name
                .and_then(|n| DisplayName::parse(n).ok())
                .unwrap_or_else(|| {
                    DisplayName::parse(upn.as_str()).unwrap_or_else(|_| unreachable!())
                });
            let email = who
                .email
                .and_then(|e| Email::parse(e).ok())
                .unwrap_or_else(Email::none);
            // No password: this person signs in through the provider.
            let mut row = crate::services::users::new_row(
                &upn,
                &display,
                email.into_inner(),
                DirectoryRole::User,
                now,
            );
            row.sso_subject = sea_orm::ActiveValue::Set(Some(key));
            let created = User::from(sea_orm::ActiveModelTrait::insert(row, db).await?);
            let by = Actor {
                id: None,
                name: format!("{} (single sign-on)", who.provider),
                client_ip: client_ip.clone(),
            };
            let event = Event {
                action: action::ADD_USER,
                target_type: action::TARGET_USER,
                target_id: Some(created.id.to_string()),
                target_name: &created.user_principal_name,
                detail: json!({
                    "displayName": created.display_name,
                    "userPrincipalName": created.user_principal_name,
                    "directoryRole": created.role.label(),
                    "provider": who.provider,
                    "subject": who.subject,
                }),
            };
            audit::record_as(db, now, &by, event).await?;
            created
        }
        None => {
            let event = Event {
                action: action::SIGN_IN_FAILED,
                target_type: action::TARGET_USER,
                target_id: None,
                target_name: &account,
                detail: failed("no Gatehouse account"),
            };
            audit::record_as(db, now, &anonymous, event).await?;
            return Err(FederatedError::NoAccount(account));
        }
    };
    let actor = Actor {
        id: Some(person.id),
        name: person.user_principal_name.clone(),
        client_ip,
    };
    let event = Event {
        action: action::SIGN_IN_SUCCEEDED,
        target_type: action::TARGET_USER,
        target_id: Some(person.id.to_string()),
        target_name: &account,
        detail,
    };
    audit::record_as(db, now, &actor, event).await?;
    Ok(person)
}
