//! Connected systems: adding, changing and deleting them, and `Test connection`. Global
//! administrators only. Secrets are sealed before they are stored, never returned, never
//! logged and never in the audit log (which says only that one was set or changed).
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use time::OffsetDateTime;

use super::audit::{self, Event};
use super::error::{ServiceError, ServiceResult};
use super::is_unique_violation;
use crate::clock::Clock;
use crate::connectors::{self, TestReport};
use crate::db::write_txn;
use crate::domain::audit as action;
use crate::domain::authz::{Action, authorize};
use crate::domain::connected::{Settings, SystemKind, SystemName};
use crate::domain::outbox::OutboxState;
use crate::domain::principal::Principal;
use crate::entities::{connected_system, governed_group, group_member};
use crate::ids::{ConnectedSystemId, GroupId};
use crate::secrets::{SecretBox, Unreadable};
use crate::store;

/// A connected system as the portal shows it: everything but the secret, of which only
/// whether one is set.
#[derive(Clone, Debug)]
pub struct ConnectedSystem {
    pub id: ConnectedSystemId,
    pub display_name: String,
    pub settings: Settings,
    pub has_secret: bool,
    pub enabled: bool,
    pub last_test: Option<LastTest>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl ConnectedSystem {
    pub fn kind(&self) -> SystemKind {
        self.settings.kind()
    }
}

/// The latest `Test connection`.
#[derive(Clone, Debug)]
pub struct LastTest {
    pub at: OffsetDateTime,
    pub ok: bool,
    pub summary: String,
}

impl TryFrom<connected_system::Model> for ConnectedSystem {
    type Error = ServiceError;

    fn try_from(row: connected_system::Model) -> Result<Self, ServiceError> {
        let settings: Settings = serde_json::from_str(&row.settings).map_err(|e| {
            ServiceError::Unexpected(anyhow::anyhow!(
                "the settings of connected system {} are not readable: {e}",
                row.id
            ))
        })?;
        let last_test = match (row.last_test_at, row.last_test_ok) {
            (Some(at), Some(ok)) => Some(LastTest {
                at,
                ok,
                summary: row.last_test_summary.unwrap_or_default(),
            }),
            _ => None,
        };
        Ok(Self {
            id: row.id,
            display_name: row.display_name,
            settings,
            has_secret: row.secret.as_deref().is_some_and(|s| !s.is_empty()),
            enabled: row.is_enabled,
            last_test,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// A checked `New connected system` or edit form.
#[derive(Debug)]
pub struct SystemInput {
    pub name: SystemName,
    pub settings: Settings,
    pub enabled: bool,
    pub secret: SecretChange,
}

/// What to do with the stored secret. Forms leave the field empty to keep it.
#[derive(Debug)]
pub enum SecretChange {
    Keep,
    Set(String),
    Clear,
}

fn name_taken_or(err: sea_orm::DbErr) -> ServiceError {
    if is_unique_violation(&err) {
        ServiceError::field(
            "display_name",
            "taken",
            "A connected system with this name already exists.",
        )
    } else {
        err.into()
    }
}

/// The system `id` and its secret, opened: empty when none is saved, `Err` when it does
/// not open (saved under another server key).
pub(crate) async fn opened(
    db: &impl sea_orm::ConnectionTrait,
    secrets: &SecretBox,
    id: ConnectedSystemId,
) -> Result<Option<(connected_system::Model, Result<String, Unreadable>)>, sea_orm::DbErr> {
    let Some(row) = connected_system::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let secret = match row.secret.as_deref() {
        Some(sealed) => secrets.open(&id.to_string(), sealed),
        None => Ok(String::new()),
    };
    Ok(Some((row, secret)))
}

fn serialize(settings: &Settings) -> ServiceResult<String> {
    serde_json::to_string(settings).map_err(|e| ServiceError::Unexpected(e.into()))
}

/// Every connected system, by name.
pub async fn list(
    db: &DatabaseConnection,
    principal: &Principal,
) -> ServiceResult<Vec<ConnectedSystem>> {
    authorize(principal, Action::ManageConnectedSystems)?;
    connected_system::Entity::find()
        .order_by_asc(connected_system::Column::NameKey)
        .all(db)
        .await?
        .into_iter()
        .map(ConnectedSystem::try_from)
        .collect()
}

pub async fn get(
    db: &DatabaseConnection,
    principal: &Principal,
    id: ConnectedSystemId,
) -> ServiceResult<ConnectedSystem> {
    authorize(principal, Action::ManageConnectedSystems)?;
    connected_system::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?
        .try_into()
}

/// `New connected system`.
#[tracing::instrument(skip_all, fields(principal = %principal.name, system = %input.name.as_str()))]
pub async fn create(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    secrets: &SecretBox,
    principal: &Principal,
    input: SystemInput,
) -> ServiceResult<ConnectedSystem> {
    authorize(principal, Action::ManageConnectedSystems)?;
    let now = clock.now();
    let id = ConnectedSystemId::new();
    let secret = match &input.secret {
        SecretChange::Set(secret) if !secret.is_empty() => {
            Some(secrets.seal(&id.to_string(), secret))
        }
        _ => None,
    };
    let row = connected_system::ActiveModel {
        id: Set(id),
        kind: Set(input.settings.kind().as_str().to_owned()),
        display_name: Set(input.name.as_str().to_owned()),
        name_key: Set(input.name.key()),
        settings: Set(serialize(&input.settings)?),
        secret: Set(secret),
        is_enabled: Set(input.enabled),
        last_test_at: Set(None),
        last_test_ok: Set(None),
        last_test_summary: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let txn = write_txn(db).await?;
    let created = ConnectedSystem::try_from(row.insert(&txn).await.map_err(name_taken_or)?)?;
    audit::record(
        &txn,
        now,
        principal,
        Event {
            action: action::ADD_CONNECTED_SYSTEM,
            target_type: action::TARGET_CONNECTED_SYSTEM,
            target_id: Some(id.to_string()),
            target_name: &created.display_name,
            detail: json!({
                "kind": created.kind().label(),
                "settings": created.settings,
                "enabled": created.enabled,
                "secretSet": created.has_secret,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Saves the edit form. The kind does not change.
#[tracing::instrument(skip_all, fields(principal = %principal.name, system = %id))]
pub async fn update(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    secrets: &SecretBox,
    principal: &Principal,
    id: ConnectedSystemId,
    input: SystemInput,
) -> ServiceResult<ConnectedSystem> {
    authorize(principal, Action::ManageConnectedSystems)?;
    let now = clock.now();
    let txn = write_txn(db).await?;
    let row = connected_system::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let before = ConnectedSystem::try_from(row.clone())?;
    if before.kind() != input.settings.kind() {
        return Err(ServiceError::conflict(
            "kind_changed",
            "A connected system keeps its kind. Add a new one instead.",
        ));
    }
    let mut active = row.into_active_model();
    active.display_name = Set(input.name.as_str().to_owned());
    active.name_key = Set(input.name.key());
    active.settings = Set(serialize(&input.settings)?);
    active.is_enabled = Set(input.enabled);
    let secret_change = match input.secret {
        SecretChange::Keep => "kept",
        SecretChange::Set(secret) => {
            active.secret = Set(Some(secrets.seal(&id.to_string(), &secret)));
            "changed"
        }
        SecretChange::Clear => {
            active.secret = Set(None);
            "removed"
        }
    };
    active.updated_at = Set(now);
    let after = ConnectedSystem::try_from(active.update(&txn).await.map_err(name_taken_or)?)?;
    audit::record(
        &txn,
        now,
        principal,
        Event {
            action: action::UPDATE_CONNECTED_SYSTEM,
            target_type: action::TARGET_CONNECTED_SYSTEM,
            target_id: Some(id.to_string()),
            target_name: &after.display_name,
            detail: json!({
                "before": { "name": before.display_name, "settings": before.settings, "enabled": before.enabled },
                "after": { "name": after.display_name, "settings": after.settings, "enabled": after.enabled },
                "secret": secret_change,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Deletes a connected system.
#[tracing::instrument(skip_all, fields(principal = %principal.name, system = %id))]
pub async fn delete(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    id: ConnectedSystemId,
) -> ServiceResult<ConnectedSystem> {
    authorize(principal, Action::ManageConnectedSystems)?;
    let now = clock.now();
    let txn = write_txn(db).await?;
    let gone = ConnectedSystem::try_from(
        connected_system::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(ServiceError::NotFound)?,
    )?;
    // The links its import made go with it; links an admin made must be undone first.
    let imported_groups = sea_orm::sea_query::Query::select()
        .column(crate::entities::group::Column::Id)
        .from(crate::entities::group::Entity)
        .and_where(crate::entities::group::Column::SourceSystemId.eq(id))
        .to_owned();
    governed_group::Entity::delete_many()
        .filter(governed_group::Column::ConnectedSystemId.eq(id))
        .filter(governed_group::Column::GroupId.in_subquery(imported_groups))
        .exec(&txn)
        .await?;
    let linked = governed_group::Entity::find()
        .filter(governed_group::Column::ConnectedSystemId.eq(id))
        .count(&txn)
        .await?;
    if linked > 0 {
        return Err(ServiceError::conflict(
            "system_in_use",
            format!(
                "{} governs {linked} {}. Unlink {} on the group's page first.",
                gone.display_name,
                if linked == 1 { "group" } else { "groups" },
                if linked == 1 { "it" } else { "them" },
            ),
        ));
    }
    // What it imported stays, as Gatehouse's own users and groups.
    let detached_users = crate::entities::user::Entity::update_many()
        .col_expr(
            crate::entities::user::Column::SourceSystemId,
            sea_orm::sea_query::Expr::value(None::<uuid::Uuid>),
        )
        .col_expr(
            crate::entities::user::Column::ExternalId,
            sea_orm::sea_query::Expr::value(None::<String>),
        )
        .filter(crate::entities::user::Column::SourceSystemId.eq(id))
        .exec(&txn)
        .await?
        .rows_affected;
    let detached_groups = crate::entities::group::Entity::update_many()
        .col_expr(
            crate::entities::group::Column::SourceSystemId,
            sea_orm::sea_query::Expr::value(None::<uuid::Uuid>),
        )
        .col_expr(
            crate::entities::group::Column::ExternalId,
            sea_orm::sea_query::Expr::value(None::<String>),
        )
        .filter(crate::entities::group::Column::SourceSystemId.eq(id))
        .exec(&txn)
        .await?
        .rows_affected;
    connected_system::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        now,
        principal,
        Event {
            action: action::DELETE_CONNECTED_SYSTEM,
            target_type: action::TARGET_CONNECTED_SYSTEM,
            target_id: Some(id.to_string()),
            target_name: &gone.display_name,
            detail: json!({
                "kind": gone.kind().label(),
                "settings": gone.settings,
                "importedUsersKept": detached_users,
                "importedGroupsKept": detached_groups,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(gone)
}

/// `Test connection`: talks to the system (outside any transaction: it may take seconds),
/// then keeps the result on the system and in the audit log.
#[tracing::instrument(skip_all, fields(principal = %principal.name, system = %id))]
pub async fn test_connection(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    secrets: &SecretBox,
    principal: &Principal,
    id: ConnectedSystemId,
) -> ServiceResult<TestReport> {
    authorize(principal, Action::ManageConnectedSystems)?;
    let (row, secret) = opened(db, secrets, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let system = ConnectedSystem::try_from(row)?;
    let report = match secret {
        Err(unreadable) => {
            let mut report = TestReport::default();
            report.fail(unreadable.to_string());
            report
        }
        Ok(secret) => connectors::test_connection(&system.settings, &secret, clock.now()).await,
    };
    let now = clock.now();
    let txn = write_txn(db).await?;
    let Some(row) = connected_system::Entity::find_by_id(id).one(&txn).await? else {
        // Deleted meanwhile: the report still says what was found.
        return Ok(report);
    };
    let mut active = row.into_active_model();
    active.last_test_at = Set(Some(now));
    active.last_test_ok = Set(Some(report.ok()));
    active.last_test_summary = Set(Some(report.summary()));
    active.update(&txn).await?;
    audit::record(
        &txn,
        now,
        principal,
        Event {
            action: action::TEST_CONNECTED_SYSTEM,
            target_type: action::TARGET_CONNECTED_SYSTEM,
            target_id: Some(id.to_string()),
            target_name: &system.display_name,
            detail: json!({ "succeeded": report.ok(), "result": report.summary() }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(report)
}

/// Where a group's members live, when it is governed in a connected system.
#[derive(Clone, Debug)]
pub struct Governance {
    pub system_id: ConnectedSystemId,
    pub system_name: String,
    /// The group in the system: its DN in a directory.
    pub external_id: String,
}

/// Where `group`'s members live, for anyone who may see the directory.
pub async fn governance(
    db: &DatabaseConnection,
    principal: &Principal,
    group: GroupId,
) -> ServiceResult<Option<Governance>> {
    authorize(principal, Action::ReadDirectory)?;
    let Some(link) = governed_group::Entity::find_by_id(group).one(db).await? else {
        return Ok(None);
    };
    let system = connected_system::Entity::find_by_id(link.connected_system_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(Some(Governance {
        system_id: system.id,
        system_name: system.display_name,
        external_id: link.external_id,
    }))
}

/// Where a user or group came from, in words (`Imported from Contoso directory`), for anyone
/// who may see the directory.
pub async fn source_name(
    db: &DatabaseConnection,
    principal: &Principal,
    source: Option<ConnectedSystemId>,
) -> ServiceResult<Option<String>> {
    authorize(principal, Action::ReadDirectory)?;
    let Some(id) = source else {
        return Ok(None);
    };
    if id == ConnectedSystemId::SCIM_PROVISIONING {
        return Ok(Some(
            "Provisioned by your identity provider (SCIM)".to_owned(),
        ));
    }
    Ok(connected_system::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|s| format!("Imported from {}", s.display_name)))
}

/// Links `group` to its group in a directory: from now on its members are delivered there,
/// starting with those it has now. A group is governed by one system at a time.
#[tracing::instrument(skip_all, fields(principal = %principal.name, group = %group))]
pub async fn govern(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    secrets: &SecretBox,
    principal: &Principal,
    group: GroupId,
    system_id: ConnectedSystemId,
    external_id: &str,
) -> ServiceResult<Governance> {
    authorize(principal, Action::ManageConnectedSystems)?;
    let (row, secret) = opened(db, secrets, system_id).await?.ok_or_else(|| {
        ServiceError::field(
            "connected_system",
            "unknown_system",
            "Choose a connected system.",
        )
    })?;
    let system = ConnectedSystem::try_from(row)?;
    // The group there: a DN under a directory's groups base, or a SCIM group found by its
    // id or display name (asked before the transaction: it may take seconds).
    let dn = match &system.settings {
        Settings::Ldap(ldap) => {
            crate::domain::connected::group_dn(external_id, &ldap.groups_base_dn)
                .map_err(|e| ServiceError::invalid("external_id", e))?
        }
        Settings::Scim(scim) => {
            let token = secret.map_err(|e| {
                ServiceError::field("external_id", "unreadable_secret", e.to_string())
            })?;
            let wanted = external_id.trim();
            if wanted.is_empty() {
                return Err(ServiceError::field(
                    "external_id",
                    "required",
                    "Enter the group's id or display name in the service provider.",
                ));
            }
            crate::connectors::scim::Provider::new(scim, &token)
                .find_group(wanted)
                .await
                .map_err(|words| ServiceError::field("external_id", "scim_group", words))?
                .0
        }
        Settings::Webhook(_) => {
            return Err(ServiceError::field(
                "connected_system",
                "not_a_directory",
                "A webhook cannot hold a group's members: choose a directory or a SCIM service provider.",
            ));
        }
    };
    let now = clock.now();
    let txn = write_txn(db).await?;
    let target = store::groups::find_by_id(&txn, group)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if governed_group::Entity::find_by_id(group)
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(ServiceError::conflict(
            "already_governed",
            "This group is already linked to a connected system. Unlink it first.",
        ));
    }
    governed_group::Entity::insert(governed_group::ActiveModel {
        group_id: Set(group),
        connected_system_id: Set(system_id),
        external_id: Set(dn.clone()),
        created_at: Set(now),
        drift_mode: Set(crate::domain::drift::DriftMode::Report.as_str().to_owned()),
    })
    .exec_without_returning(&txn)
    .await?;
    let members = store::outbox::governed_pairs(
        &txn,
        Condition::all().add(group_member::Column::GroupId.eq(group)),
    )
    .await?;
    store::outbox::enqueue(&txn, now, &members).await?;
    audit::record(
        &txn,
        now,
        principal,
        Event {
            action: action::GOVERN_GROUP,
            target_type: action::TARGET_GROUP,
            target_id: Some(group.to_string()),
            target_name: &target.display_name,
            detail: json!({ "connectedSystem": system.display_name, "externalId": dn, "membersToDeliver": members.len() }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Governance {
        system_id,
        system_name: system.display_name,
        external_id: dn,
    })
}

/// Unlinks `group`: Gatehouse stops changing its members in the system (what is there
/// stays there).
#[tracing::instrument(skip_all, fields(principal = %principal.name, group = %group))]
pub async fn ungovern(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    group: GroupId,
) -> ServiceResult<()> {
    authorize(principal, Action::ManageConnectedSystems)?;
    let now = clock.now();
    let txn = write_txn(db).await?;
    let target = store::groups::find_by_id(&txn, group)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let Some(link) = governed_group::Entity::find_by_id(group).one(&txn).await? else {
        return Err(ServiceError::conflict(
            "not_governed",
            "This group is not linked to a connected system.",
        ));
    };
    governed_group::Entity::delete_by_id(group)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        now,
        principal,
        Event {
            action: action::UNGOVERN_GROUP,
            target_type: action::TARGET_GROUP,
            target_id: Some(group.to_string()),
            target_name: &target.display_name,
            detail: json!({ "externalId": link.external_id }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A line of a connected system's delivery log: one change and how its latest try went.
#[derive(Clone, Debug)]
pub struct LogLine {
    pub id: crate::ids::OutboxId,
    pub created_at: OffsetDateTime,
    /// The webhook event, or `Membership` for a directory change.
    pub what: String,
    pub state: String,
    pub attempts: i32,
    pub status_code: Option<i32>,
    pub latency_ms: Option<i32>,
    pub error: Option<String>,
    /// A webhook message can be sent again; a failed change can be tried again.
    pub can_resend: bool,
}

/// The latest `limit` changes for a system, newest first.
pub async fn delivery_log(
    db: &DatabaseConnection,
    principal: &Principal,
    system: ConnectedSystemId,
    limit: u64,
) -> ServiceResult<Vec<LogLine>> {
    use crate::entities::{outbox, outbox_attempt};
    use sea_orm::{QueryFilter, QuerySelect};
    authorize(principal, Action::ManageConnectedSystems)?;
    let rows = outbox::Entity::find()
        .filter(outbox::Column::ConnectedSystemId.eq(system))
        .order_by_desc(outbox::Column::CreatedAt)
        .order_by_desc(outbox::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let attempts = outbox_attempt::Entity::find()
        .filter(outbox_attempt::Column::OutboxId.is_in(rows.iter().map(|r| r.id)))
        .order_by_desc(outbox_attempt::Column::Attempt)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let latest = attempts.iter().find(|a| a.outbox_id == row.id);
            let change = serde_json::from_str::<crate::domain::outbox::Change>(&row.payload);
            let (what, webhook) = match change {
                Ok(crate::domain::outbox::Change::Webhook { event_type, .. }) => (event_type, true),
                _ => ("Membership".to_owned(), false),
            };
            LogLine {
                id: row.id,
                created_at: row.created_at,
                what,
                can_resend: webhook || row.state == OutboxState::Failed.as_str(),
                state: row.state,
                attempts: row.attempts,
                status_code: latest.and_then(|a| a.status_code),
                latency_ms: latest.map(|a| a.latency_ms),
                error: row.last_error,
            }
        })
        .collect())
}

/// `Resend`: a webhook message goes out again (with the same `webhook-id`, so that a
/// receiver that has it already can drop the copy); a failed directory change is tried
/// again.
#[tracing::instrument(skip_all, fields(principal = %principal.name, system = %system))]
pub async fn resend(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    system: ConnectedSystemId,
    row: crate::ids::OutboxId,
) -> ServiceResult<()> {
    use crate::entities::outbox;
    authorize(principal, Action::ManageConnectedSystems)?;
    let now = clock.now();
    let txn = write_txn(db).await?;
    let found = outbox::Entity::find_by_id(row)
        .one(&txn)
        .await?
        .filter(|r| r.connected_system_id == system)
        .ok_or(ServiceError::NotFound)?;
    let name = connected_system::Entity::find_by_id(system)
        .one(&txn)
        .await?
        .map(|s| s.display_name)
        .unwrap_or_default();
    store::outbox::resend(&txn, now, &found).await?;
    audit::record(
        &txn,
        now,
        principal,
        Event {
            action: action::RESEND_TO_CONNECTED_SYSTEM,
            target_type: action::TARGET_CONNECTED_SYSTEM,
            target_id: Some(system.to_string()),
            target_name: &name,
            detail: json!({ "change": row.to_string(), "kind": found.kind }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A group of a SCIM service provider, to link a Gatehouse group to.
#[derive(Clone, Debug)]
pub struct RemoteGroup {
    pub id: String,
    pub display_name: String,
    pub members: usize,
}

/// The first 100 groups of a SCIM service provider, or what went wrong in words.
pub async fn scim_groups(
    db: &DatabaseConnection,
    secrets: &SecretBox,
    principal: &Principal,
    id: ConnectedSystemId,
) -> ServiceResult<Result<Vec<RemoteGroup>, String>> {
    authorize(principal, Action::ManageConnectedSystems)?;
    let (row, secret) = opened(db, secrets, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let system = ConnectedSystem::try_from(row)?;
    let Settings::Scim(scim) = &system.settings else {
        return Ok(Ok(Vec::new()));
    };
    let token = match secret {
        Ok(token) => token,
        Err(unreadable) => return Ok(Err(unreadable.to_string())),
    };
    Ok(crate::connectors::scim::Provider::new(scim, &token)
        .groups(100)
        .await
        .map(|groups| {
            groups
                .into_iter()
                .map(|(id, display_name, members)| RemoteGroup {
                    id,
                    display_name,
                    members,
                })
                .collect()
        }))
}
