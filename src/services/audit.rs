//! Writing audit events, always inside the transaction of the change they describe.
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde_json::Value;
use time::OffsetDateTime;

use crate::domain::principal::Principal;
use crate::entities::audit_event;
use crate::ids::{AuditEventId, UserId};

/// Who did it, and from where.
#[derive(Clone, Debug)]
pub struct Actor {
    pub id: Option<UserId>,
    pub name: String,
    pub client_ip: Option<String>,
}

impl From<&Principal> for Actor {
    fn from(principal: &Principal) -> Self {
        Self {
            id: principal.user_id,
            name: principal.name.clone(),
            client_ip: principal.client_ip.clone(),
        }
    }
}

/// What happened to which object.
pub struct Event<'a> {
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Option<String>,
    pub target_name: &'a str,
    pub detail: Value,
}

fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Records what `principal` did.
pub async fn record(
    db: &impl ConnectionTrait,
    at: OffsetDateTime,
    principal: &Principal,
    event: Event<'_>,
) -> Result<(), sea_orm::DbErr> {
    record_as(db, at, &Actor::from(principal), event).await
}

/// Records many events by `principal` at once (the scheduler's batches).
pub async fn record_many(
    db: &impl ConnectionTrait,
    at: OffsetDateTime,
    principal: &Principal,
    events: Vec<Event<'_>>,
) -> Result<(), sea_orm::DbErr> {
    let actor = Actor::from(principal);
    let messages: Vec<Message> = events
        .iter()
        .filter_map(|e| webhook_message(at, &actor, e))
        .collect();
    let rows: Vec<audit_event::ActiveModel> =
        events.into_iter().map(|e| row(at, &actor, e)).collect();
    for chunk in rows.chunks(500) {
        audit_event::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    crate::store::outbox::enqueue_webhooks(db, at, &messages).await
}

/// A webhook message: its event type and body.
pub type Message = (&'static str, String);

/// The webhook message an audited activity makes, if webhooks carry it: Standard Webhooks'
/// `type`, `timestamp` and `data`, with Microsoft Graph's names for the objects.
fn webhook_message(at: OffsetDateTime, actor: &Actor, event: &Event<'_>) -> Option<Message> {
    let event_type = crate::domain::outbox::webhook_event(event.action)?;
    let detail = &event.detail;
    let mut data = serde_json::json!({
        "activity": event.action,
        "initiatedBy": { "id": actor.id.map(|id| id.to_string()), "displayName": actor.name },
        "accessPackage": { "id": event.target_id, "displayName": event.target_name },
        "target": { "id": detail.get("targetId") },
        "detail": detail,
    });
    if let Some(request) = detail.get("requestId") {
        data["accessPackageAssignmentRequest"] =
            serde_json::json!({ "id": request, "requestType": detail.get("requestType") });
    }
    if let Some(assignment) = detail.get("assignmentId").filter(|a| !a.is_null()) {
        data["accessPackageAssignment"] = serde_json::json!({ "id": assignment });
    }
    let body = serde_json::json!({
        "type": event_type,
        "timestamp": at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        "data": data,
    });
    Some((event_type, body.to_string()))
}

fn row(at: OffsetDateTime, actor: &Actor, event: Event<'_>) -> audit_event::ActiveModel {
    audit_event::ActiveModel {
        id: Set(AuditEventId::new()),
        occurred_at: Set(at),
        actor_id: Set(actor.id),
        actor_name: Set(clip(&actor.name, 256)),
        action: Set(event.action.to_owned()),
        target_type: Set(event.target_type.to_owned()),
        target_id: Set(event.target_id),
        target_name: Set(clip(event.target_name, 256)),
        detail: Set(event.detail.to_string()),
        client_ip: Set(actor.client_ip.clone()),
    }
}

/// Records an event whose actor is not a principal (a sign-in attempt, say).
pub async fn record_as(
    db: &impl ConnectionTrait,
    at: OffsetDateTime,
    actor: &Actor,
    event: Event<'_>,
) -> Result<(), sea_orm::DbErr> {
    let message = webhook_message(at, actor, &event);
    audit_event::Entity::insert(row(at, actor, event))
        .exec_without_returning(db)
        .await?;
    match message {
        Some(message) => crate::store::outbox::enqueue_webhooks(db, at, &[message]).await,
        None => Ok(()),
    }
}
