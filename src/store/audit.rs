//! Reading the audit log. There is no update or delete here, nor anywhere else.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use time::OffsetDateTime;

use super::contains_ci;
use crate::domain::page::{Cursor, KeysetPage, TimeKey};
use crate::entities::audit_event;
use crate::ids::AuditEventId;

/// Filters of the audit log page: words in the actor's or the target's name.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub actor: String,
    pub target: String,
}

pub async fn list(
    db: &impl ConnectionTrait,
    filter: &AuditFilter,
    cursor: Cursor<TimeKey>,
    per_page: usize,
) -> Result<KeysetPage<audit_event::Model>, sea_orm::DbErr> {
    let mut query = audit_event::Entity::find();
    if !filter.actor.trim().is_empty() {
        query = query.filter(contains_ci(
            Expr::col(audit_event::Column::ActorName),
            &filter.actor,
        ));
    }
    if !filter.target.trim().is_empty() {
        query = query.filter(contains_ci(
            Expr::col(audit_event::Column::TargetName),
            &filter.target,
        ));
    }
    // Newest first, a page at a time by (occurred_at, id): no count over the whole log.
    let rows = super::keyset_by_time(
        query,
        audit_event::Column::OccurredAt,
        audit_event::Column::Id,
        &cursor,
        true,
    )
    .limit(per_page as u64 + 1)
    .all(db)
    .await?;
    Ok(KeysetPage::from_rows(rows, cursor, per_page, |e| TimeKey {
        at: e.occurred_at,
        id: e.id.0,
    }))
}

/// Times and client addresses of `action` events about the account `upn` since `since`,
/// newest first.
pub async fn events_for_account(
    db: &impl ConnectionTrait,
    action: &str,
    upn: &str,
    since: OffsetDateTime,
) -> Result<Vec<(OffsetDateTime, Option<String>)>, sea_orm::DbErr> {
    audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::OccurredAt)
        .column(audit_event::Column::ClientIp)
        .filter(audit_event::Column::Action.eq(action))
        .filter(audit_event::Column::TargetName.eq(upn))
        .filter(audit_event::Column::OccurredAt.gt(since))
        .order_by_desc(audit_event::Column::OccurredAt)
        .limit(200)
        .into_tuple()
        .all(db)
        .await
}

/// Times of `action` events from the client address `ip` since `since`, newest first.
pub async fn times_from_ip(
    db: &impl ConnectionTrait,
    action: &str,
    ip: &str,
    since: OffsetDateTime,
) -> Result<Vec<OffsetDateTime>, sea_orm::DbErr> {
    audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::OccurredAt)
        .filter(audit_event::Column::Action.eq(action))
        .filter(audit_event::Column::ClientIp.eq(ip))
        .filter(audit_event::Column::OccurredAt.gt(since))
        .order_by_desc(audit_event::Column::OccurredAt)
        .limit(100)
        .into_tuple()
        .all(db)
        .await
}

/// Whether an `action` event about `account` (when given) from `client_ip` (when given;
/// `Some(None)` for no address) happened at or after `since`.
pub async fn seen_since(
    db: &impl ConnectionTrait,
    action: &str,
    account: Option<&str>,
    client_ip: Option<Option<&str>>,
    since: OffsetDateTime,
) -> Result<bool, sea_orm::DbErr> {
    let mut query = audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::Id)
        .filter(audit_event::Column::Action.eq(action))
        .filter(audit_event::Column::OccurredAt.gte(since));
    if let Some(account) = account {
        query = query.filter(audit_event::Column::TargetName.eq(account));
    }
    query = match client_ip {
        Some(Some(ip)) => query.filter(audit_event::Column::ClientIp.eq(ip)),
        Some(None) => query.filter(audit_event::Column::ClientIp.is_null()),
        None => query,
    };
    let found: Option<AuditEventId> = query.limit(1).into_tuple().one(db).await?;
    Ok(found.is_some())
}
