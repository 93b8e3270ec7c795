//! A person's own API tokens for the Graph-compatible API, made in My Access, and the one
//! place a presented bearer token (a person's or an app's) becomes a [`Principal`].
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::audit::{self, Event};
use super::error::{ServiceError, ServiceResult};
use crate::clock::Clock;
use crate::domain::audit as action;
use crate::domain::authz::{Action, authorize};
use crate::domain::principal::{Principal, Scope};
use crate::entities::{api_token, app_registration};
use crate::ids::{ApiTokenId, UserId};
use crate::services::password::new_token;
use crate::store;

/// What a person's token starts with, so that secret scanners can find a leaked one.
pub const PERSONAL_PREFIX: &str = "gatehouse_pat_";
/// What a token from the token endpoint starts with.
pub const APP_PREFIX: &str = "gatehouse_app_";
/// How long a personal token may be valid, in days, as the form offers it.
pub const VALIDITY_DAYS: [u32; 5] = [7, 30, 90, 180, 365];
/// Active tokens one person may hold at once.
pub const MAX_ACTIVE_PER_PERSON: u64 = 25;

/// An API token as My Access lists it (never the token itself).
#[derive(Clone, Debug)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub name: String,
    pub hint: String,
    pub scopes: Vec<Scope>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

impl ApiToken {
    pub fn is_active(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }

    /// `Active`, `Expired` or `Revoked` at `now`.
    pub fn status(&self, now: OffsetDateTime) -> &'static str {
        if self.revoked_at.is_some() {
            "Revoked"
        } else if self.expires_at <= now {
            "Expired"
        } else {
            "Active"
        }
    }

    /// The scopes as Graph names them, comma-separated.
    pub fn scope_names(&self) -> String {
        self.scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl From<api_token::Model> for ApiToken {
    fn from(m: api_token::Model) -> Self {
        Self {
            id: m.id,
            scopes: Scope::split(&m.scopes),
            name: m.name,
            hint: m.hint,
            created_at: m.created_at,
            expires_at: m.expires_at,
            last_used_at: m.last_used_at,
            revoked_at: m.revoked_at,
        }
    }
}

pub(crate) fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random secret with `prefix`, and its hint.
pub(crate) fn new_secret(prefix: &str) -> (String, String) {
    let secret = format!("{prefix}{}", new_token());
    let hint = secret[secret.len() - 4..].to_owned();
    (secret, hint)
}

fn me(principal: &Principal) -> ServiceResult<UserId> {
    authorize(principal, Action::ManageOwnTokens)?;
    principal.user_id.ok_or(ServiceError::NotFound)
}

/// The principal's own tokens, newest first (the last 100).
pub async fn list_own(
    db: &DatabaseConnection,
    principal: &Principal,
) -> ServiceResult<Vec<ApiToken>> {
    let me = me(principal)?;
    Ok(api_token::Entity::find()
        .filter(api_token::Column::OwnerId.eq(me))
        .order_by_desc(api_token::Column::CreatedAt)
        .order_by_desc(api_token::Column::Id)
        .paginate(db, 100)
        .fetch_page(0)
        .await?
        .into_iter()
        .map(ApiToken::from)
        .collect())
}

/// What the `New token` form asks for.
#[derive(Clone, Debug, Default)]
pub struct NewToken {
    pub name: String,
    pub valid_days: String,
    pub scopes: Vec<String>,
}

/// Makes a token for the principal; the token itself is returned this once.
#[tracing::instrument(skip_all, fields(principal = %principal.name))]
pub async fn create(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    input: &NewToken,
) -> ServiceResult<(ApiToken, String)> {
    let me = me(principal)?;
    let mut errors = Vec::new();
    let name = crate::domain::connected::SystemName::parse(&input.name);
    if let Err(e) = &name {
        errors.push(super::error::FieldError {
            field: "name",
            code: "invalid",
            message: e.0.clone(),
        });
    }
    let days = input
        .valid_days
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| VALIDITY_DAYS.contains(d));
    if days.is_none() {
        errors.push(super::error::FieldError {
            field: "valid_days",
            code: "invalid",
            message: "Choose how long the token is valid.".to_owned(),
        });
    }
    let mut scopes: Vec<Scope> = input
        .scopes
        .iter()
        .filter_map(|s| Scope::parse(s))
        .collect();
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() || scopes.len() != input.scopes.len() {
        errors.push(super::error::FieldError {
            field: "scopes",
            code: "invalid",
            message: "Choose at least one permission from the list.".to_owned(),
        });
    }
    let (Ok(name), Some(days), true) = (name, days, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let now = clock.now();
    let txn = crate::db::write_txn(db).await?;
    let active = api_token::Entity::find()
        .filter(api_token::Column::OwnerId.eq(me))
        .filter(api_token::Column::RevokedAt.is_null())
        .filter(api_token::Column::ExpiresAt.gt(now))
        .count(&txn)
        .await?;
    if active >= MAX_ACTIVE_PER_PERSON {
        return Err(ServiceError::conflict(
            "too_many_tokens",
            format!(
                "You already have {MAX_ACTIVE_PER_PERSON} active tokens. Revoke one you no longer use first."
            ),
        ));
    }
    let (secret, hint) = new_secret(PERSONAL_PREFIX);
    let row = api_token::ActiveModel {
        id: Set(ApiTokenId::new()),
        name: Set(name.as_str().to_owned()),
        token_hash: Set(digest(&secret)),
        hint: Set(hint),
        owner_id: Set(Some(me)),
        app_id: Set(None),
        scopes: Set(Scope::join(&scopes)),
        created_at: Set(now),
        expires_at: Set(now + time::Duration::days(i64::from(days))),
        last_used_at: Set(None),
        revoked_at: Set(None),
    };
    let token = ApiToken::from(row.insert(&txn).await?);
    let event = Event {
        action: action::ADD_API_TOKEN,
        target_type: action::TARGET_API_TOKEN,
        target_id: Some(token.id.to_string()),
        target_name: &token.name,
        detail: json!({
            "validDays": days,
            "hint": token.hint,
            "scopes": token.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        }),
    };
    audit::record(&txn, now, principal, event).await?;
    txn.commit().await?;
    Ok((token, secret))
}

/// Revokes one of the principal's own tokens: the next call with it is refused.
#[tracing::instrument(skip_all, fields(principal = %principal.name, token = %id))]
pub async fn revoke(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: ApiTokenId,
) -> ServiceResult<ApiToken> {
    let me = me(principal)?;
    let txn = crate::db::write_txn(db).await?;
    let found = api_token::Entity::find_by_id(id)
        .filter(api_token::Column::OwnerId.eq(me))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if found.revoked_at.is_some() {
        return Err(ServiceError::conflict(
            "already_revoked",
            "This token was already revoked.",
        ));
    }
    let now = clock.now();
    let mut row: api_token::ActiveModel = found.into();
    row.revoked_at = Set(Some(now));
    let token = ApiToken::from(row.update(&txn).await?);
    let event = Event {
        action: action::REVOKE_API_TOKEN,
        target_type: action::TARGET_API_TOKEN,
        target_id: Some(token.id.to_string()),
        target_name: &token.name,
        detail: json!({ "hint": token.hint }),
    };
    audit::record(&txn, now, principal, event).await?;
    txn.commit().await?;
    Ok(token)
}

/// Who a presented bearer token acts for, when it is valid now: its id (for rate limits)
/// and the principal. A person's token is refused once the person is disabled or deleted;
/// the token's last use is written at most once a minute.
pub async fn authenticate(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    presented: &str,
    client_ip: Option<String>,
) -> Result<Option<(ApiTokenId, Principal)>, sea_orm::DbErr> {
    if !(presented.starts_with(PERSONAL_PREFIX) || presented.starts_with(APP_PREFIX))
        || presented.len() > 200
    {
        return Ok(None);
    }
    let Some(found) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(digest(presented)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let now = clock.now();
    if found.revoked_at.is_some() || found.expires_at <= now {
        return Ok(None);
    }
    let scopes = Scope::split(&found.scopes);
    let principal = match (found.owner_id, found.app_id) {
        (Some(owner), _) => match store::users::signed_in(db, owner).await? {
            Some((user, roles)) if user.enabled => {
                Principal::api_token(&user, roles, &found.name, scopes, client_ip)
            }
            _ => return Ok(None),
        },
        (None, Some(app)) => match app_registration::Entity::find_by_id(app).one(db).await? {
            Some(app) => Principal::application(&app.display_name, scopes, client_ip),
            None => return Ok(None),
        },
        (None, None) => return Ok(None),
    };
    let id = found.id;
    if found
        .last_used_at
        .is_none_or(|at| now - at >= time::Duration::minutes(1))
    {
        let mut row: api_token::ActiveModel = found.into();
        row.last_used_at = Set(Some(now));
        // Best effort: a busy database must not turn the script's call into an error.
        if let Err(err) = row.update(db).await {
            tracing::warn!(error = %err, "could not note an API token's last use");
        }
    }
    Ok(Some((id, principal)))
}
