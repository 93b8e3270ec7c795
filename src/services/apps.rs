//! App registrations: daemons a Global administrator registers, which trade their client id
//! and secret at the token endpoint (OAuth 2.0 client credentials) for a short-lived API
//! token with the app's application permissions.
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use uuid::Uuid;

use super::api_tokens::{APP_PREFIX, digest, new_secret};
use super::audit::{self, Actor, Event};
use super::error::{FieldError, ServiceError, ServiceResult};
use super::sign_in::SignInGate;
use crate::clock::Clock;
use crate::domain::audit as action;
use crate::domain::authz::{Action, authorize};
use crate::domain::principal::{Principal, Scope};
use crate::entities::{api_token, app_registration};
use crate::ids::{ApiTokenId, AppRegistrationId};

/// What every client secret starts with.
pub const SECRET_PREFIX: &str = "gatehouse_secret_";
/// How long a client secret may be valid, in days, as the form offers it.
pub const SECRET_VALIDITY_DAYS: [u32; 4] = [90, 180, 365, 730];
/// How long a token from the token endpoint lasts, as Entra's do.
pub const TOKEN_LIFETIME: time::Duration = time::Duration::hours(1);

/// An app registration as the admin portal lists it (never its secret).
#[derive(Clone, Debug)]
pub struct App {
    pub id: AppRegistrationId,
    pub client_id: Uuid,
    pub display_name: String,
    pub secret_hint: String,
    pub secret_expires_at: OffsetDateTime,
    pub permissions: Vec<Scope>,
    pub created_by: String,
    pub created_at: OffsetDateTime,
}

impl App {
    pub fn permission_names(&self) -> String {
        self.permissions
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn secret_expired(&self, now: OffsetDateTime) -> bool {
        self.secret_expires_at <= now
    }
}

impl From<app_registration::Model> for App {
    fn from(m: app_registration::Model) -> Self {
        Self {
            id: m.id,
            client_id: m.client_id,
            permissions: Scope::split(&m.permissions),
            display_name: m.display_name,
            secret_hint: m.secret_hint,
            secret_expires_at: m.secret_expires_at,
            created_by: m.created_by,
            created_at: m.created_at,
        }
    }
}

/// Every app registration, newest first.
pub async fn list(db: &DatabaseConnection, principal: &Principal) -> ServiceResult<Vec<App>> {
    authorize(principal, Action::ManageApps)?;
    Ok(app_registration::Entity::find()
        .order_by_desc(app_registration::Column::CreatedAt)
        .order_by_desc(app_registration::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(App::from)
        .collect())
}

/// What the `New registration` form asks for.
#[derive(Clone, Debug, Default)]
pub struct NewApp {
    pub name: String,
    pub valid_days: String,
    pub permissions: Vec<String>,
}

fn validity(valid_days: &str) -> Result<u32, FieldError> {
    valid_days
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| SECRET_VALIDITY_DAYS.contains(d))
        .ok_or_else(|| FieldError {
            field: "valid_days",
            code: "invalid",
            message: "Choose how long the client secret is valid.".to_owned(),
        })
}

/// Registers an app; its client secret is returned this once.
#[tracing::instrument(skip_all, fields(principal = %principal.name))]
pub async fn create(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    input: &NewApp,
) -> ServiceResult<(App, String)> {
    authorize(principal, Action::ManageApps)?;
    let mut errors = Vec::new();
    let name = crate::domain::connected::SystemName::parse(&input.name);
    if let Err(e) = &name {
        errors.push(FieldError {
            field: "name",
            code: "invalid",
            message: e.0.clone(),
        });
    }
    let days = validity(&input.valid_days).map_err(|e| errors.push(e)).ok();
    let mut permissions: Vec<Scope> = input
        .permissions
        .iter()
        .filter_map(|s| Scope::parse(s))
        .collect();
    permissions.sort();
    permissions.dedup();
    if permissions.is_empty() || permissions.len() != input.permissions.len() {
        errors.push(FieldError {
            field: "permissions",
            code: "invalid",
            message: "Choose at least one permission from the list.".to_owned(),
        });
    }
    let (Ok(name), Some(days), true) = (name, days, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let now = clock.now();
    let (secret, hint) = new_secret(SECRET_PREFIX);
    let row = app_registration::ActiveModel {
        id: Set(AppRegistrationId::new()),
        client_id: Set(Uuid::new_v4()),
        display_name: Set(name.as_str().to_owned()),
        secret_hash: Set(digest(&secret)),
        secret_hint: Set(hint),
        secret_expires_at: Set(now + time::Duration::days(i64::from(days))),
        permissions: Set(Scope::join(&permissions)),
        created_by: Set(principal.name.clone()),
        created_at: Set(now),
    };
    let txn = crate::db::write_txn(db).await?;
    let app = App::from(row.insert(&txn).await?);
    let event = Event {
        action: action::ADD_APP_REGISTRATION,
        target_type: action::TARGET_APP,
        target_id: Some(app.id.to_string()),
        target_name: &app.display_name,
        detail: json!({
            "appId": app.client_id.to_string(),
            "permissions": app.permissions.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            "secretValidDays": days,
        }),
    };
    audit::record(&txn, now, principal, event).await?;
    txn.commit().await?;
    Ok((app, secret))
}

/// Replaces the app's client secret; the old one stops working at once, tokens already
/// issued run out within the hour. The new secret is returned this once.
#[tracing::instrument(skip_all, fields(principal = %principal.name, app = %id))]
pub async fn new_client_secret(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: AppRegistrationId,
    valid_days: &str,
) -> ServiceResult<(App, String)> {
    authorize(principal, Action::ManageApps)?;
    let days = validity(valid_days).map_err(|e| ServiceError::Invalid(vec![e]))?;
    let txn = crate::db::write_txn(db).await?;
    let found = app_registration::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let now = clock.now();
    let (secret, hint) = new_secret(SECRET_PREFIX);
    let mut row: app_registration::ActiveModel = found.into();
    row.secret_hash = Set(digest(&secret));
    row.secret_hint = Set(hint);
    row.secret_expires_at = Set(now + time::Duration::days(i64::from(days)));
    let app = App::from(row.update(&txn).await?);
    let event = Event {
        action: action::ADD_APP_SECRET,
        target_type: action::TARGET_APP,
        target_id: Some(app.id.to_string()),
        target_name: &app.display_name,
        detail: json!({ "hint": app.secret_hint, "validDays": days }),
    };
    audit::record(&txn, now, principal, event).await?;
    txn.commit().await?;
    Ok((app, secret))
}

/// Deletes the registration and every token it holds: the daemon's next call is refused.
#[tracing::instrument(skip_all, fields(principal = %principal.name, app = %id))]
pub async fn delete(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: AppRegistrationId,
) -> ServiceResult<App> {
    authorize(principal, Action::ManageApps)?;
    let txn = crate::db::write_txn(db).await?;
    let found = app_registration::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let app = App::from(found);
    api_token::Entity::delete_many()
        .filter(api_token::Column::AppId.eq(id))
        .exec(&txn)
        .await?;
    app_registration::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    let event = Event {
        action: action::DELETE_APP_REGISTRATION,
        target_type: action::TARGET_APP,
        target_id: Some(app.id.to_string()),
        target_name: &app.display_name,
        detail: json!({ "appId": app.client_id.to_string() }),
    };
    audit::record(&txn, clock.now(), principal, event).await?;
    txn.commit().await?;
    Ok(app)
}

/// Why the token endpoint refused, as RFC 6749 section 5.2 names it.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("{0}")]
    InvalidRequest(&'static str),
    #[error("unsupported grant type")]
    UnsupportedGrantType,
    /// Unknown client, wrong or expired secret: one answer for all.
    #[error("invalid client")]
    InvalidClient,
    #[error("{0}")]
    InvalidScope(&'static str),
    #[error("too many failed attempts; retry in {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },
    #[error(transparent)]
    Unexpected(#[from] sea_orm::DbErr),
}

impl TokenError {
    /// The `error` value of the answer.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) | Self::Throttled { .. } => "invalid_request",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidClient => "invalid_client",
            Self::InvalidScope(_) => "invalid_scope",
            Self::Unexpected(_) => "server_error",
        }
    }
}

/// What the daemon posted to the token endpoint.
#[derive(Clone, Debug, Default)]
pub struct TokenRequest {
    pub grant_type: String,
    pub client_id: String,
    pub client_secret: String,
    pub scope: String,
}

/// A token issued: the bearer token itself, its id and how long it lasts.
#[derive(Debug)]
pub struct Issued {
    pub id: ApiTokenId,
    pub access_token: String,
    pub expires_in: i64,
}

/// The client credentials grant. Wrong secrets count against the client id (and the
/// caller's address) exactly as wrong passwords count against an account.
#[tracing::instrument(skip_all, fields(client_id = %input.client_id))]
pub async fn issue_token(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    gate: &SignInGate,
    input: &TokenRequest,
    client_ip: Option<String>,
) -> Result<Issued, TokenError> {
    if input.grant_type != "client_credentials" {
        return Err(if input.grant_type.is_empty() {
            TokenError::InvalidRequest("grant_type is missing.")
        } else {
            TokenError::UnsupportedGrantType
        });
    }
    if input.client_id.is_empty() || input.client_secret.is_empty() {
        return Err(TokenError::InvalidRequest(
            "client_id and client_secret are required.",
        ));
    }
    // Graph's form: `https://graph.microsoft.com/.default` (any resource, ending in .default).
    if !input.scope.trim().ends_with(".default") {
        return Err(TokenError::InvalidScope(
            "scope must be the resource's .default scope, e.g. https://graph.microsoft.com/.default.",
        ));
    }
    let account: String = input
        .client_id
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect::<String>()
        .to_lowercase();
    let anonymous = Actor {
        id: None,
        name: account.clone(),
        client_ip: client_ip.clone(),
    };
    let _turn = gate.enter(format!("account:{account}")).await;
    let now = clock.now();
    if let Some(retry_after_secs) =
        super::sign_in::throttled(db, gate, now, &account, &anonymous).await?
    {
        return Err(TokenError::Throttled { retry_after_secs });
    }
    let found = match account.parse::<Uuid>() {
        Ok(client_id) => {
            app_registration::Entity::find()
                .filter(app_registration::Column::ClientId.eq(client_id))
                .one(db)
                .await?
        }
        Err(_) => None,
    };
    let presented = digest(&input.client_secret);
    let failure = match &found {
        None => Some("unknown client"),
        Some(app) if !bool::from(app.secret_hash.as_bytes().ct_eq(presented.as_bytes())) => {
            Some("wrong client secret")
        }
        Some(app) if app.secret_expires_at <= now => Some("client secret expired"),
        Some(_) => None,
    };
    if let Some(reason) = failure {
        let event = Event {
            action: action::SIGN_IN_FAILED,
            target_type: action::TARGET_APP,
            target_id: found.as_ref().map(|a| a.id.to_string()),
            target_name: &account,
            detail: json!({ "reason": reason }),
        };
        audit::record_as(db, now, &anonymous, event).await?;
        return Err(TokenError::InvalidClient);
    }
    let Some(app) = found else {
        return Err(TokenError::InvalidClient);
    };
    let (secret, hint) = new_secret(APP_PREFIX);
    let txn = crate::db::write_txn(db)
        .await
        .map_err(TokenError::Unexpected)?;
    // Tokens that ran out a day ago are of no more use, even to the audit trail.
    api_token::Entity::delete_many()
        .filter(api_token::Column::AppId.eq(app.id))
        .filter(api_token::Column::ExpiresAt.lt(now - time::Duration::days(1)))
        .exec(&txn)
        .await?;
    let id = ApiTokenId::new();
    api_token::ActiveModel {
        id: Set(id),
        name: Set(app.display_name.clone()),
        token_hash: Set(digest(&secret)),
        hint: Set(hint),
        owner_id: Set(None),
        app_id: Set(Some(app.id)),
        scopes: Set(app.permissions.clone()),
        created_at: Set(now),
        expires_at: Set(now + TOKEN_LIFETIME),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let actor = Actor {
        id: None,
        name: format!("{} (app)", app.display_name),
        client_ip,
    };
    let event = Event {
        action: action::SIGN_IN_SUCCEEDED,
        target_type: action::TARGET_APP,
        target_id: Some(app.id.to_string()),
        target_name: &account,
        detail: json!({ "grantType": "client_credentials" }),
    };
    audit::record_as(&txn, now, &actor, event).await?;
    txn.commit().await?;
    Ok(Issued {
        id,
        access_token: secret,
        expires_in: TOKEN_LIFETIME.whole_seconds(),
    })
}
