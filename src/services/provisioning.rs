//! Identity comes in over SCIM: the provisioning tokens a Global administrator makes for an
//! identity provider, and the users and groups that provider creates, changes, disables and
//! deletes at `/scim/v2`. The provider acts as a [`Principal::provisioning`]: every change is
//! authorized and audited as done by its token.
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashSet;

use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::audit::{self, Event};
use super::error::{ServiceError, ServiceResult};
use super::is_unique_violation;
use crate::clock::Clock;
use crate::domain::audit as action;
use crate::domain::authz::{Action, authorize};
use crate::domain::group::{GroupName, MemberRole, MembershipSource, MembershipType};
use crate::domain::principal::Principal;
use crate::domain::scim::filter::Filter;
use crate::domain::scim::{GroupInput, UserInput, version};
use crate::domain::user::{DirectoryRole, DisplayName, Email, UserPrincipalName};
use crate::entities::{group, group_member, provisioning_token, system_state, user};
use crate::ids::{ConnectedSystemId, GroupId, ProvisioningTokenId, UserId};
use crate::services::password::new_token;

const SOURCE: ConnectedSystemId = ConnectedSystemId::SCIM_PROVISIONING;
const UPN_DOMAIN_KEY: &str = "scim_upn_domain";
/// What every provisioning token starts with, so that secret scanners can find a leaked one.
pub const TOKEN_PREFIX: &str = "gatehouse_scim_";
/// How long a token may be valid, in days, as the form offers it.
pub const VALIDITY_DAYS: [u32; 4] = [90, 180, 365, 730];

/// A provisioning token as the admin portal lists it (never the token itself).
#[derive(Clone, Debug)]
pub struct Token {
    pub id: ProvisioningTokenId,
    pub name: String,
    pub hint: String,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

impl Token {
    /// `Active`, `Expired` or `Revoked` at `now`.
    pub fn status(&self, now: OffsetDateTime) -> &'static str {
        if self.revoked_at.is_some() {
            "Revoked"
        } else if self.expires_at.is_some_and(|e| e <= now) {
            "Expired"
        } else {
            "Active"
        }
    }
}

impl From<provisioning_token::Model> for Token {
    fn from(m: provisioning_token::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            hint: m.hint,
            created_by: m.created_by,
            created_at: m.created_at,
            expires_at: m.expires_at,
            last_used_at: m.last_used_at,
            revoked_at: m.revoked_at,
        }
    }
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Every token, newest first, with the user principal name domain for bare user names.
pub async fn overview(
    db: &DatabaseConnection,
    principal: &Principal,
) -> ServiceResult<(Vec<Token>, Option<String>)> {
    authorize(principal, Action::ManageConnectedSystems)?;
    let tokens = provisioning_token::Entity::find()
        .order_by_desc(provisioning_token::Column::CreatedAt)
        .order_by_desc(provisioning_token::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Token::from)
        .collect();
    Ok((tokens, upn_domain(db).await?))
}

/// Makes a token valid for `valid_days`; the token itself is returned this once.
#[tracing::instrument(skip_all, fields(principal = %principal.name))]
pub async fn create_token(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    name: &str,
    valid_days: &str,
) -> ServiceResult<(Token, String)> {
    authorize(principal, Action::ManageConnectedSystems)?;
    let name = crate::domain::connected::SystemName::parse(name)
        .map_err(|e| ServiceError::invalid("name", e))?;
    let days = valid_days
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| VALIDITY_DAYS.contains(d))
        .ok_or_else(|| {
            ServiceError::field(
                "valid_days",
                "invalid",
                "Choose how long the token is valid.",
            )
        })?;
    let secret = format!("{TOKEN_PREFIX}{}", new_token());
    let now = clock.now();
    let row = provisioning_token::ActiveModel {
        id: Set(ProvisioningTokenId::new()),
        name: Set(name.as_str().to_owned()),
        token_hash: Set(digest(&secret)),
        hint: Set(secret[secret.len() - 4..].to_owned()),
        created_by: Set(principal.name.clone()),
        created_at: Set(now),
        expires_at: Set(Some(now + time::Duration::days(i64::from(days)))),
        last_used_at: Set(None),
        revoked_at: Set(None),
    };
    let txn = crate::db::write_txn(db).await?;
    let token = Token::from(row.insert(&txn).await?);
    let event = Event {
        action: action::ADD_PROVISIONING_TOKEN,
        target_type: action::TARGET_PROVISIONING_TOKEN,
        target_id: Some(token.id.to_string()),
        target_name: &token.name,
        detail: json!({ "validDays": days, "hint": token.hint }),
    };
    audit::record(&txn, now, principal, event).await?;
    txn.commit().await?;
    Ok((token, secret))
}

/// Revokes the token at once: the identity provider's next call is refused.
#[tracing::instrument(skip_all, fields(principal = %principal.name, token = %id))]
pub async fn revoke_token(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: ProvisioningTokenId,
) -> ServiceResult<Token> {
    authorize(principal, Action::ManageConnectedSystems)?;
    let txn = crate::db::write_txn(db).await?;
    let found = provisioning_token::Entity::find_by_id(id)
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
    let mut row: provisioning_token::ActiveModel = found.into();
    row.revoked_at = Set(Some(now));
    let token = Token::from(row.update(&txn).await?);
    let event = Event {
        action: action::REVOKE_PROVISIONING_TOKEN,
        target_type: action::TARGET_PROVISIONING_TOKEN,
        target_id: Some(token.id.to_string()),
        target_name: &token.name,
        detail: json!({ "hint": token.hint }),
    };
    audit::record(&txn, now, principal, event).await?;
    txn.commit().await?;
    Ok(token)
}

/// The domain that bare user names (`jdoe`) get to become user principal names, if set.
pub async fn upn_domain(db: &impl ConnectionTrait) -> Result<Option<String>, sea_orm::DbErr> {
    Ok(system_state::Entity::find_by_id(UPN_DOMAIN_KEY.to_owned())
        .one(db)
        .await?
        .map(|row| row.value)
        .filter(|v| !v.is_empty()))
}

/// Sets (or, empty, clears) the domain for bare user names.
#[tracing::instrument(skip_all, fields(principal = %principal.name))]
pub async fn set_upn_domain(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    domain: &str,
) -> ServiceResult<Option<String>> {
    authorize(principal, Action::ManageConnectedSystems)?;
    let domain = domain.trim().trim_start_matches('@').to_lowercase();
    if !domain.is_empty() && UserPrincipalName::parse(&format!("user@{domain}")).is_err() {
        return Err(ServiceError::field(
            "upn_domain",
            "invalid",
            "Enter a domain like contoso.com, or leave it empty.",
        ));
    }
    let now = clock.now();
    let txn = crate::db::write_txn(db).await?;
    system_state::Entity::delete_by_id(UPN_DOMAIN_KEY.to_owned())
        .exec(&txn)
        .await?;
    if !domain.is_empty() {
        system_state::ActiveModel {
            key: Set(UPN_DOMAIN_KEY.to_owned()),
            value: Set(domain.clone()),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    let event = Event {
        action: action::UPDATE_PROVISIONING_SETTINGS,
        target_type: action::TARGET_PROVISIONING_TOKEN,
        target_id: None,
        target_name: "SCIM provisioning",
        detail: json!({ "userPrincipalNameDomain": domain }),
    };
    audit::record(&txn, now, principal, event).await?;
    txn.commit().await?;
    Ok(Some(domain).filter(|d| !d.is_empty()))
}

/// The principal a presented bearer token stands for, when it is valid now. The token's
/// last use is written at most once a minute.
pub async fn authenticate(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    presented: &str,
    client_ip: Option<String>,
) -> Result<Option<Principal>, sea_orm::DbErr> {
    if !presented.starts_with(TOKEN_PREFIX) || presented.len() > 200 {
        return Ok(None);
    }
    let Some(found) = provisioning_token::Entity::find()
        .filter(provisioning_token::Column::TokenHash.eq(digest(presented)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let now = clock.now();
    let token = Token::from(found.clone());
    if token.status(now) != "Active" {
        return Ok(None);
    }
    if found
        .last_used_at
        .is_none_or(|at| now - at >= time::Duration::minutes(1))
    {
        let mut row: provisioning_token::ActiveModel = found.into();
        row.last_used_at = Set(Some(now));
        // Best effort: a busy database must not turn the provider's request into an error.
        if let Err(err) = row.update(db).await {
            tracing::warn!(error = %err, "could not note a provisioning token's last use");
        }
    }
    Ok(Some(Principal::provisioning(&token.name, client_ip)))
}

// ---------------------------------------------------------------------------------------
// Users and groups

/// The user principal name a SCIM `userName` stands for.
fn upn_for(user_name: &str, domain: Option<&str>) -> ServiceResult<UserPrincipalName> {
    let bad = |message: String| ServiceError::field("userName", "invalid", message);
    if user_name.contains('@') {
        return UserPrincipalName::parse(user_name).map_err(|e| bad(e.0));
    }
    match domain {
        Some(domain) => {
            UserPrincipalName::parse(&format!("{user_name}@{domain}")).map_err(|e| bad(e.0))
        }
        None => Err(bad(format!(
            "userName \"{user_name}\" is not a user principal name (name@domain). Send one, or set \
             a user principal name domain under Connected systems → SCIM provisioning."
        ))),
    }
}

/// The `userName` to show: as the provider sent it while it still names the same account.
pub fn user_name_of(row: &user::Model, domain: Option<&str>) -> String {
    row.scim_profile
        .as_deref()
        .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
        .and_then(|p| {
            p.get("userName")
                .and_then(|u| u.as_str())
                .map(str::to_owned)
        })
        .filter(|sent| {
            upn_for(sent, domain).is_ok_and(|upn| upn.as_str() == row.user_principal_name)
        })
        .unwrap_or_else(|| row.user_principal_name.clone())
}

fn precondition(if_match: Option<&str>, modified: OffsetDateTime) -> ServiceResult<()> {
    match if_match.map(str::trim) {
        None | Some("*") => Ok(()),
        Some(tags) if tags.split(',').any(|t| t.trim() == version(modified)) => Ok(()),
        Some(_) => Err(ServiceError::conflict(
            "precondition_failed",
            "The resource changed since you read it (its ETag no longer matches).",
        )),
    }
}

/// A group the provider may change: only one it pushed. A group made in Gatehouse may be
/// granted by access packages; members pushed into it would skip their approvals.
fn pushed_here(source: Option<ConnectedSystemId>) -> ServiceResult<()> {
    match source {
        Some(s) if s == SOURCE => Ok(()),
        None => Err(ServiceError::Forbidden {
            code: "group_made_in_gatehouse",
            message: "This group was made in Gatehouse; provisioning changes only the groups it created. \
                      Push the group under another name, or change it in Gatehouse."
                .to_owned(),
        }),
        Some(other) => owned_here(Some(other), "group"),
    }
}

/// Only what Gatehouse or this provider owns: a directory's people and groups are changed
/// by that directory's sync.
fn owned_here(source: Option<ConnectedSystemId>, what: &str) -> ServiceResult<()> {
    match source {
        None => Ok(()),
        Some(s) if s == SOURCE => Ok(()),
        Some(_) => Err(ServiceError::Forbidden {
            code: "imported_from_directory",
            message: format!(
                "This {what} is imported from a connected directory; change it there."
            ),
        }),
    }
}

fn parse_id<T: std::str::FromStr>(id: &str) -> ServiceResult<T> {
    id.parse().map_err(|_| ServiceError::NotFound)
}

fn invalid_filter(message: String) -> ServiceError {
    ServiceError::field("filter", "invalid_filter", message)
}

/// A value no stored text can hold (PostgreSQL refuses NUL in text): it matches nothing.
fn unmatchable(value: &str) -> bool {
    value.contains('\0')
}

fn user_condition(filter: &Filter, domain: Option<&str>) -> ServiceResult<Condition> {
    let equal = |attr: &str, value: &str| -> ServiceResult<Condition> {
        let none = Condition::all().add(Expr::val(1).eq(0));
        if unmatchable(value) {
            return Ok(none);
        }
        Ok(match attr {
            "id" => match value.parse::<UserId>() {
                Ok(id) => Condition::all().add(user::Column::Id.eq(id)),
                Err(_) => none,
            },
            "username" => match upn_for(value, domain) {
                Ok(upn) => Condition::all().add(user::Column::UserPrincipalName.eq(upn.as_str())),
                Err(_) => none,
            },
            "externalid" => Condition::all()
                .add(user::Column::SourceSystemId.eq(SOURCE))
                .add(user::Column::ExternalId.eq(value)),
            "displayname" => Condition::all().add(user::Column::DisplayName.eq(value)),
            "emails.value" | "emails" => Condition::all().add(user::Column::Email.eq(value)),
            "active" => match value {
                "true" => Condition::all().add(user::Column::AccountEnabled.eq(true)),
                "false" => Condition::all().add(user::Column::AccountEnabled.eq(false)),
                _ => none,
            },
            other => {
                return Err(invalid_filter(format!(
                    "Users can be filtered on userName, externalId, displayName, emails.value, active and id, not {other}."
                )));
            }
        })
    };
    match filter {
        Filter::Eq { attr, value } => equal(attr, value),
        Filter::And(parts) => {
            let mut all = Condition::all();
            for part in parts {
                all = all.add(user_condition(part, domain)?);
            }
            Ok(all)
        }
    }
}

/// A page of users (`start` counts from 1), and how many match in all.
pub async fn list_users(
    db: &DatabaseConnection,
    principal: &Principal,
    filter: Option<&Filter>,
    start: u64,
    count: u64,
) -> ServiceResult<(u64, Vec<user::Model>, Option<String>)> {
    authorize(principal, Action::ReadDirectory)?;
    let domain = upn_domain(db).await?;
    let mut query = user::Entity::find().filter(user::Column::DeletedAt.is_null());
    if let Some(filter) = filter {
        query = query.filter(user_condition(filter, domain.as_deref())?);
    }
    let total = query.clone().count(db).await?;
    let rows = if count == 0 {
        Vec::new()
    } else {
        query
            .order_by_asc(user::Column::Id)
            .offset(start.saturating_sub(1))
            .limit(count)
            .all(db)
            .await?
    };
    Ok((total, rows, domain))
}

async fn live_user(db: &impl ConnectionTrait, id: &str) -> ServiceResult<user::Model> {
    user::Entity::find_by_id(parse_id::<UserId>(id)?)
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub async fn get_user(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
) -> ServiceResult<(user::Model, Option<String>)> {
    authorize(principal, Action::ReadDirectory)?;
    Ok((live_user(db, id).await?, upn_domain(db).await?))
}

/// What a user input turns into, checked.
struct CheckedUser {
    upn: UserPrincipalName,
    display_name: DisplayName,
    email: Option<String>,
    profile: String,
}

fn check_user(input: &UserInput, domain: Option<&str>) -> ServiceResult<CheckedUser> {
    let upn = upn_for(&input.user_name, domain)?;
    let display_name = DisplayName::parse(&input.shown_name())
        .map_err(|e| ServiceError::field("displayName", "invalid", e.0))?;
    let email = match input.email() {
        Some(address) => Email::parse(&address)
            .map_err(|e| ServiceError::field("emails", "invalid", e.0))?
            .into_inner(),
        None => None,
    };
    check_external_id(input.external_id.as_deref())?;
    Ok(CheckedUser {
        upn,
        display_name,
        email,
        profile: input.profile().to_string(),
    })
}

fn check_external_id(external_id: Option<&str>) -> ServiceResult<()> {
    let Some(external_id) = external_id else {
        return Ok(());
    };
    if external_id.chars().count() > 1024 {
        return Err(ServiceError::field(
            "externalId",
            "invalid",
            "externalId can be at most 1024 characters.",
        ));
    }
    if external_id.chars().any(char::is_control) {
        return Err(ServiceError::field(
            "externalId",
            "invalid",
            "externalId cannot hold control characters.",
        ));
    }
    Ok(())
}

/// Another user or group of the provider already has `external_id` (the provider's own
/// name for it): said as such, not as a clash of names.
async fn external_id_taken<E>(
    db: &impl ConnectionTrait,
    columns: (E::Column, E::Column, E::Column),
    external_id: Option<&str>,
    except: uuid::Uuid,
) -> ServiceResult<()>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let (source, external, id) = columns;
    let Some(external_id) = external_id else {
        return Ok(());
    };
    let clash = E::find()
        .filter(source.eq(SOURCE))
        .filter(external.eq(external_id))
        .filter(id.ne(except))
        .count(db)
        .await?;
    if clash > 0 {
        return Err(ServiceError::field(
            "externalId",
            "taken",
            "Another resource already has this externalId.",
        ));
    }
    Ok(())
}

const USER_SOURCE: (user::Column, user::Column, user::Column) = (
    user::Column::SourceSystemId,
    user::Column::ExternalId,
    user::Column::Id,
);
const GROUP_SOURCE: (group::Column, group::Column, group::Column) = (
    group::Column::SourceSystemId,
    group::Column::ExternalId,
    group::Column::Id,
);

fn taken(err: sea_orm::DbErr, what: &'static str) -> ServiceError {
    if is_unique_violation(&err) {
        ServiceError::field(
            what,
            "taken",
            format!("Another resource already has this {what}."),
        )
    } else {
        err.into()
    }
}

/// A new user from the identity provider: no password (they sign in through the provider)
/// and the directory role User.
#[tracing::instrument(skip_all, fields(principal = %principal.name))]
pub async fn create_user(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    input: UserInput,
) -> ServiceResult<user::Model> {
    authorize(
        principal,
        Action::ManageUser {
            role: DirectoryRole::User,
        },
    )?;
    let domain = upn_domain(db).await?;
    let checked = check_user(&input, domain.as_deref())?;
    let active = input.active.unwrap_or(true);
    let now = clock.now();
    let txn = crate::db::write_txn(db).await?;
    external_id_taken::<user::Entity>(
        &txn,
        USER_SOURCE,
        input.external_id.as_deref(),
        uuid::Uuid::nil(),
    )
    .await?;
    let mut row = crate::services::users::new_row(
        &checked.upn,
        &checked.display_name,
        checked.email,
        DirectoryRole::User,
        now,
    );
    row.account_enabled = Set(active);
    row.source_system_id = Set(Some(SOURCE));
    row.external_id = Set(input.external_id.clone());
    row.disabled_by_source = Set(!active);
    row.scim_profile = Set(Some(checked.profile));
    let created = row.insert(&txn).await.map_err(|e| taken(e, "userName"))?;
    let event = Event {
        action: action::ADD_USER,
        target_type: action::TARGET_USER,
        target_id: Some(created.id.to_string()),
        target_name: &created.user_principal_name,
        detail: json!({
            "displayName": created.display_name,
            "userPrincipalName": created.user_principal_name,
            "directoryRole": DirectoryRole::User.label(),
            "accountEnabled": active,
            "externalId": created.external_id,
        }),
    };
    audit::record(&txn, now, principal, event).await?;
    txn.commit().await?;
    Ok(created)
}

/// Replaces what the provider owns of the user (PUT, and PATCH once applied): a changed
/// `userName` or email updates the same account; `active: false` disables it, and with that
/// every assignment is removed and every waiting request denied.
#[tracing::instrument(skip_all, fields(principal = %principal.name, user = %id))]
pub async fn replace_user(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: &str,
    input: UserInput,
    if_match: Option<&str>,
) -> ServiceResult<user::Model> {
    authorize(principal, Action::ReadDirectory)?;
    let domain = upn_domain(db).await?;
    let checked = check_user(&input, domain.as_deref())?;
    let txn = crate::db::write_txn(db).await?;
    // Locked until the change is written: two requests for one user take turns.
    let before = user::Entity::find_by_id(parse_id::<UserId>(id)?)
        .filter(user::Column::DeletedAt.is_null())
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    authorize(
        principal,
        Action::ManageUser {
            role: DirectoryRole::from_stored(&before.directory_role),
        },
    )?;
    owned_here(before.source_system_id, "user")?;
    precondition(if_match, before.updated_at)?;
    external_id_taken::<user::Entity>(&txn, USER_SOURCE, input.external_id.as_deref(), before.id.0)
        .await?;
    let now = clock.now();
    // An account made in Gatehouse that the provider matched becomes the provider's: said.
    let adopted = before.source_system_id != Some(SOURCE);
    let changed = adopted
        || before.user_principal_name != checked.upn.as_str()
        || before.display_name != checked.display_name.as_str()
        || before.email != checked.email;
    let mut detail = json!({
        "before": { "displayName": before.display_name, "userPrincipalName": before.user_principal_name, "email": before.email },
        "after": { "displayName": checked.display_name.as_str(), "userPrincipalName": checked.upn.as_str(), "email": checked.email },
    });
    if adopted {
        detail["source"] = json!("now provisioned over SCIM");
    }
    let was_enabled = before.account_enabled;
    let disabled_by_source = before.disabled_by_source;
    let mut row: user::ActiveModel = before.into();
    row.user_principal_name = Set(checked.upn.as_str().to_owned());
    row.display_name = Set(checked.display_name.as_str().to_owned());
    row.email = Set(checked.email.clone());
    row.source_system_id = Set(Some(SOURCE));
    row.external_id = Set(input.external_id.clone());
    row.scim_profile = Set(Some(checked.profile));
    row.updated_at = Set(now);
    let mut updated = row.update(&txn).await.map_err(|e| taken(e, "userName"))?;
    if changed {
        let event = Event {
            action: action::UPDATE_USER,
            target_type: action::TARGET_USER,
            target_id: Some(updated.id.to_string()),
            target_name: &updated.user_principal_name,
            detail,
        };
        audit::record(&txn, now, principal, event).await?;
    }
    // The provider enables again only whom a provider or directory disabled: an
    // administrator's disable stands.
    let enable = match input.active {
        Some(false) if was_enabled => Some(false),
        Some(true) if !was_enabled && disabled_by_source => Some(true),
        _ => None,
    };
    if let Some(enable) = enable {
        let source = principal.name.clone();
        crate::services::users::change_enabled(
            &txn,
            now,
            principal,
            updated,
            enable,
            Some(&source),
        )
        .await?;
        updated = live_user(&txn, id).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Deletes the user as the admin portal does: access ends, history stays.
pub async fn delete_user(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: &str,
    if_match: Option<&str>,
) -> ServiceResult<()> {
    authorize(principal, Action::ReadDirectory)?;
    let found = live_user(db, id).await?;
    owned_here(found.source_system_id, "user")?;
    precondition(if_match, found.updated_at)?;
    crate::services::users::delete(db, clock, principal, found.id).await?;
    Ok(())
}

fn group_condition(filter: &Filter) -> ServiceResult<Condition> {
    let none = || Condition::all().add(Expr::val(1).eq(0));
    match filter {
        Filter::Eq { value, .. } if unmatchable(value) => Ok(none()),
        Filter::Eq { attr, value } => Ok(match attr.as_str() {
            "id" => match value.parse::<GroupId>() {
                Ok(id) => Condition::all().add(group::Column::Id.eq(id)),
                Err(_) => none(),
            },
            "displayname" => {
                Condition::all().add(group::Column::NameKey.eq(crate::domain::name_key(value)))
            }
            "externalid" => Condition::all()
                .add(group::Column::SourceSystemId.eq(SOURCE))
                .add(group::Column::ExternalId.eq(value.as_str())),
            "members.value" | "members" => match value.parse::<UserId>() {
                Ok(member) => Condition::all().add(
                    group::Column::Id.in_subquery(
                        sea_orm::sea_query::Query::select()
                            .column(group_member::Column::GroupId)
                            .from(group_member::Entity)
                            .and_where(group_member::Column::UserId.eq(member))
                            .cond_where(provider_membership())
                            .to_owned(),
                    ),
                ),
                Err(_) => none(),
            },
            other => {
                return Err(invalid_filter(format!(
                    "Groups can be filtered on displayName, externalId, members and id, not {other}."
                )));
            }
        }),
        Filter::And(parts) => {
            let mut all = Condition::all();
            for part in parts {
                all = all.add(group_condition(part)?);
            }
            Ok(all)
        }
    }
}

/// Memberships the provider pushed: direct members with the provider as their source.
fn provider_membership() -> Condition {
    Condition::all()
        .add(group_member::Column::Role.eq(MemberRole::Member.as_str()))
        .add(group_member::Column::SourceKind.eq(MembershipSource::Direct.as_str()))
        .add(group_member::Column::SourceId.eq(SOURCE.0))
}

async fn provider_members(
    db: &impl ConnectionTrait,
    group_id: GroupId,
) -> Result<Vec<UserId>, sea_orm::DbErr> {
    group_member::Entity::find()
        .select_only()
        .column(group_member::Column::UserId)
        .filter(group_member::Column::GroupId.eq(group_id))
        .filter(provider_membership())
        .order_by_asc(group_member::Column::UserId)
        .into_tuple()
        .all(db)
        .await
}

/// A group with the members the provider pushed, when asked for.
pub type GroupWithMembers = (group::Model, Option<Vec<UserId>>);

pub async fn list_groups(
    db: &DatabaseConnection,
    principal: &Principal,
    filter: Option<&Filter>,
    start: u64,
    count: u64,
    with_members: bool,
) -> ServiceResult<(u64, Vec<GroupWithMembers>)> {
    authorize(principal, Action::ReadDirectory)?;
    let mut query = group::Entity::find();
    if let Some(filter) = filter {
        query = query.filter(group_condition(filter)?);
    }
    let total = query.clone().count(db).await?;
    let rows = if count == 0 {
        Vec::new()
    } else {
        query
            .order_by_asc(group::Column::Id)
            .offset(start.saturating_sub(1))
            .limit(count)
            .all(db)
            .await?
    };
    // The page's members in one query, not one a group.
    let mut members: std::collections::HashMap<GroupId, Vec<UserId>> =
        std::collections::HashMap::new();
    if with_members && !rows.is_empty() {
        let pairs: Vec<(GroupId, UserId)> = group_member::Entity::find()
            .select_only()
            .column(group_member::Column::GroupId)
            .column(group_member::Column::UserId)
            .filter(group_member::Column::GroupId.is_in(rows.iter().map(|g| g.id)))
            .filter(provider_membership())
            .order_by_asc(group_member::Column::UserId)
            .into_tuple()
            .all(db)
            .await?;
        for (group, user) in pairs {
            members.entry(group).or_default().push(user);
        }
    }
    let page = rows
        .into_iter()
        .map(|row| {
            let of_group = with_members.then(|| members.remove(&row.id).unwrap_or_default());
            (row, of_group)
        })
        .collect();
    Ok((total, page))
}

async fn find_group(db: &impl ConnectionTrait, id: &str) -> ServiceResult<group::Model> {
    group::Entity::find_by_id(parse_id::<GroupId>(id)?)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub async fn get_group(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
    with_members: bool,
) -> ServiceResult<GroupWithMembers> {
    authorize(principal, Action::ReadDirectory)?;
    let found = find_group(db, id).await?;
    let members = if with_members {
        Some(provider_members(db, found.id).await?)
    } else {
        None
    };
    Ok((found, members))
}

/// How a request changes the provider's members of a group.
pub enum Members {
    /// Exactly these (PUT, POST).
    Replace(Vec<String>),
    /// These in and these out, whoever else is in (PATCH): two PATCHes at once both count.
    Change {
        add: Vec<String>,
        remove: Vec<String>,
    },
}

/// The users `ids` name, all of them live.
async fn member_ids(db: &impl ConnectionTrait, ids: &[String]) -> ServiceResult<Vec<UserId>> {
    let mut parsed = Vec::with_capacity(ids.len());
    for id in ids {
        match id.parse::<UserId>() {
            Ok(user) => parsed.push(user),
            Err(_) => {
                return Err(ServiceError::field(
                    "members",
                    "invalid",
                    format!("No user has the id \"{id}\"."),
                ));
            }
        }
    }
    parsed.sort();
    parsed.dedup();
    let mut found: Vec<UserId> = Vec::with_capacity(parsed.len());
    for chunk in parsed.chunks(500) {
        let some: Vec<UserId> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::Id.is_in(chunk.to_vec()))
            .filter(user::Column::DeletedAt.is_null())
            .into_tuple()
            .all(db)
            .await?;
        found.extend(some);
    }
    let found: HashSet<UserId> = found.into_iter().collect();
    if let Some(missing) = parsed.iter().find(|id| !found.contains(id)) {
        return Err(ServiceError::field(
            "members",
            "invalid",
            format!("No user has the id \"{missing}\"."),
        ));
    }
    Ok(parsed)
}

/// Puts the provider's members of `group` in step with `change`, audited and delivered to
/// the systems that govern the group.
async fn change_members(
    txn: &impl ConnectionTrait,
    now: OffsetDateTime,
    principal: &Principal,
    target: &group::Model,
    change: Members,
) -> ServiceResult<bool> {
    let have: HashSet<UserId> = provider_members(txn, target.id)
        .await?
        .into_iter()
        .collect();
    let (joining, leaving): (Vec<UserId>, Vec<UserId>) = match change {
        Members::Replace(ids) => {
            let wanted: HashSet<UserId> = member_ids(txn, &ids).await?.into_iter().collect();
            (
                wanted.difference(&have).copied().collect(),
                have.difference(&wanted).copied().collect(),
            )
        }
        Members::Change { add, remove } => {
            // Someone already gone is simply not a member any more.
            let remove: HashSet<UserId> = remove.iter().filter_map(|r| r.parse().ok()).collect();
            let add: HashSet<UserId> = member_ids(txn, &add).await?.into_iter().collect();
            (
                add.iter()
                    .filter(|u| !have.contains(u) && !remove.contains(u))
                    .copied()
                    .collect(),
                remove.intersection(&have).copied().collect(),
            )
        }
    };
    if joining.is_empty() && leaving.is_empty() {
        return Ok(false);
    }
    crate::store::groups::add_sourced_members(txn, target.id, &joining, SOURCE.0, now).await?;
    crate::store::groups::remove_sourced_members(txn, target.id, &leaving, SOURCE.0).await?;
    let moved: Vec<_> = joining
        .iter()
        .chain(leaving.iter())
        .map(|&u| (target.id, u, None))
        .collect();
    let changes = crate::store::outbox::governed_among(txn, &moved).await?;
    crate::store::outbox::enqueue(txn, now, &changes).await?;
    let names = crate::store::lookup::<user::Entity, _, _>(
        txn,
        user::Column::Id,
        user::Column::UserPrincipalName,
        moved.iter().map(|(_, u, _)| *u).collect(),
    )
    .await?;
    let events = joining
        .iter()
        .map(|u| (action::ADD_MEMBER, u))
        .chain(leaving.iter().map(|u| (action::REMOVE_MEMBER, u)))
        .map(|(what, u)| Event {
            action: what,
            target_type: action::TARGET_GROUP,
            target_id: Some(target.id.to_string()),
            target_name: &target.display_name,
            detail: json!({
                "member": names.get(u).map_or("", String::as_str),
                "source": "SCIM provisioning",
                "role": MemberRole::Member.label(),
            }),
        })
        .collect();
    audit::record_many(txn, now, principal, events).await?;
    Ok(true)
}

fn check_group(input: &GroupInput) -> ServiceResult<GroupName> {
    check_external_id(input.external_id.as_deref())?;
    GroupName::parse(&input.display_name)
        .map_err(|e| ServiceError::field("displayName", "invalid", e.0))
}

#[tracing::instrument(skip_all, fields(principal = %principal.name))]
pub async fn create_group(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    input: GroupInput,
) -> ServiceResult<GroupWithMembers> {
    authorize(principal, Action::ManageGroups)?;
    let name = check_group(&input)?;
    let now = clock.now();
    let txn = crate::db::write_txn(db).await?;
    external_id_taken::<group::Entity>(
        &txn,
        GROUP_SOURCE,
        input.external_id.as_deref(),
        uuid::Uuid::nil(),
    )
    .await?;
    let row = group::ActiveModel {
        id: Set(GroupId::new()),
        display_name: Set(name.as_str().to_owned()),
        name_key: Set(name.key()),
        description: Set(String::new()),
        membership_type: Set(MembershipType::Assigned.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        source_system_id: Set(Some(SOURCE)),
        external_id: Set(input.external_id.clone()),
    };
    let created = row
        .insert(&txn)
        .await
        .map_err(|e| taken(e, "displayName"))?;
    let event = Event {
        action: action::ADD_GROUP,
        target_type: action::TARGET_GROUP,
        target_id: Some(created.id.to_string()),
        target_name: &created.display_name,
        detail: json!({ "membershipType": MembershipType::Assigned.label(), "externalId": created.external_id }),
    };
    audit::record(&txn, now, principal, event).await?;
    change_members(
        &txn,
        now,
        principal,
        &created,
        Members::Replace(input.members),
    )
    .await?;
    let members = provider_members(&txn, created.id).await?;
    txn.commit().await?;
    Ok((created, Some(members)))
}

/// Renames the group, sets its external id and changes the provider's members. A PATCH
/// passes the group as it read it (`read`): the name and external id change only when the
/// PATCH changed them, so that it does not undo a change made in between.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all, fields(principal = %principal.name, group = %id))]
pub async fn replace_group(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: &str,
    input: GroupInput,
    members: Members,
    if_match: Option<&str>,
    read: Option<&GroupInput>,
) -> ServiceResult<GroupWithMembers> {
    authorize(principal, Action::ManageGroups)?;
    check_group(&input)?;
    let txn = crate::db::write_txn(db).await?;
    // Locked until the change is written: two requests for one group take turns.
    let before = group::Entity::find_by_id(parse_id::<GroupId>(id)?)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    pushed_here(before.source_system_id)?;
    precondition(if_match, before.updated_at)?;
    let display_name = match read {
        Some(read) if read.display_name == input.display_name => before.display_name.clone(),
        _ => input.display_name.clone(),
    };
    let external_id = match read {
        Some(read) if read.external_id == input.external_id => before.external_id.clone(),
        _ => input.external_id.clone(),
    };
    let name = GroupName::parse(&display_name)
        .map_err(|e| ServiceError::field("displayName", "invalid", e.0))?;
    external_id_taken::<group::Entity>(&txn, GROUP_SOURCE, external_id.as_deref(), before.id.0)
        .await?;
    let now = clock.now();
    let renamed = before.display_name != name.as_str();
    let old_name = before.display_name.clone();
    let mut row: group::ActiveModel = before.into();
    row.display_name = Set(name.as_str().to_owned());
    row.name_key = Set(name.key());
    row.external_id = Set(external_id);
    row.updated_at = Set(now);
    let updated = row
        .update(&txn)
        .await
        .map_err(|e| taken(e, "displayName"))?;
    if renamed {
        let event = Event {
            action: action::UPDATE_GROUP,
            target_type: action::TARGET_GROUP,
            target_id: Some(updated.id.to_string()),
            target_name: &updated.display_name,
            detail: json!({ "before": { "displayName": old_name }, "after": { "displayName": updated.display_name } }),
        };
        audit::record(&txn, now, principal, event).await?;
    }
    change_members(&txn, now, principal, &updated, members).await?;
    let current = provider_members(&txn, updated.id).await?;
    txn.commit().await?;
    Ok((updated, Some(current)))
}

pub async fn delete_group(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: &str,
    if_match: Option<&str>,
) -> ServiceResult<()> {
    authorize(principal, Action::ManageGroups)?;
    let found = find_group(db, id).await?;
    pushed_here(found.source_system_id)?;
    precondition(if_match, found.updated_at)?;
    crate::services::groups::delete(db, clock, principal, found.id).await?;
    Ok(())
}
