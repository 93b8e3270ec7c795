//! Signing in: throttling, password check, and an audit event for every attempt.
use sea_orm::DatabaseConnection;
use serde_json::json;

use super::audit::{self, Actor, Event};
use crate::auth::password;
use crate::clock::Clock;
use crate::domain::audit as action;
use crate::domain::throttle::{self, PER_ACCOUNT, PER_CLIENT};
use crate::domain::user::User;
use crate::store;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("wrong user name or password")]
    InvalidCredentials,
    #[error("account disabled")]
    Disabled,
    #[error("too many failed attempts; retry in {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },
    #[error(transparent)]
    Unexpected(#[from] sea_orm::DbErr),
}

pub async fn sign_in(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    username: &str,
    password_text: &str,
    client_ip: Option<String>,
) -> Result<User, SignInError> {
    let now = clock.now();
    let account: String = username.trim().to_lowercase().chars().take(256).collect();
    let anonymous = Actor {
        id: None,
        name: account.clone(),
        client_ip: client_ip.clone(),
    };

    let last_success = store::audit::last_sign_in(db, &account, action::SIGN_IN_SUCCEEDED).await?;
    let account_since = last_success.map_or(now - PER_ACCOUNT.window, |t| {
        t.max(now - PER_ACCOUNT.window)
    });
    let account_failures =
        store::audit::times_for_account(db, action::SIGN_IN_FAILED, &account, account_since)
            .await?;
    let client_failures = match client_ip.as_deref() {
        Some(ip) => {
            store::audit::times_from_ip(db, action::SIGN_IN_FAILED, ip, now - PER_CLIENT.window)
                .await?
        }
        None => Vec::new(),
    };
    let locked_until = [
        PER_ACCOUNT.locked_until(&account_failures),
        PER_CLIENT.locked_until(&client_failures),
    ]
    .into_iter()
    .flatten()
    .max()
    .filter(|until| *until > now);
    if let Some(until) = locked_until {
        let retry_after_secs = throttle::seconds_until(now, until);
        let event = Event {
            action: action::SIGN_IN_THROTTLED,
            target_type: action::TARGET_USER,
            target_id: None,
            target_name: &account,
            detail: json!({ "retryAfterSeconds": retry_after_secs }),
        };
        audit::record(db, now, &anonymous, event).await?;
        return Err(SignInError::Throttled { retry_after_secs });
    }

    let found = store::users::find_credentials(db, &account).await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let matches = password::verify(password_text, hash).await;
    let failure = match (&user, matches) {
        (Some(user), true) if user.enabled => None,
        (Some(_), true) => Some(("account disabled", SignInError::Disabled)),
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
        audit::record(db, now, &anonymous, event).await?;
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
    audit::record(db, now, &actor, event).await?;
    Ok(user)
}
