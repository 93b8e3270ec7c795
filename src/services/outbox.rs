//! The outbox worker: applies changes waiting in the outbox to connected systems. Every
//! instance runs it; each claims its rows first (a lease, and `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL), so two instances never apply a row at the same time, and a crash between
//! applying and recording only means the (idempotent) change is applied again.
use std::collections::BTreeMap;

use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::json;
use time::Duration;

use super::audit::{self, Event};
use super::connected::{ConnectedSystem, opened};
use super::error::{ServiceError, ServiceResult};
use crate::clock::Clock;
use crate::connectors::Person;
use crate::connectors::Target;
use crate::db::write_txn;
use crate::domain::audit as action;
use crate::domain::authz::{Action, authorize};
use crate::domain::connected::Settings;
use crate::domain::outbox::{Change, retry_after};
use crate::domain::principal::Principal;
use crate::entities::{governed_group, outbox, user};
use crate::ids::{AccessPackageId, AssignmentId, ConnectedSystemId};
use crate::secrets::SecretBox;
use crate::store;
use crate::store::outbox::Finish;

/// Rows a pass claims at most.
const BATCH: u64 = 100;
/// How long a claim holds: longer than a pass takes, short enough that a crashed
/// instance's rows come back soon.
const LEASE: Duration = Duration::minutes(5);
/// When a disabled system's changes are looked at again (without counting a try).
const DISABLED_WAIT: Duration = Duration::minutes(1);

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct OutboxReport {
    pub applied: usize,
    pub retrying: usize,
    pub failed: usize,
}

fn jitter() -> f64 {
    let mut byte = [0u8; 1];
    let _ = getrandom::fill(&mut byte);
    f64::from(byte[0]) / 255.0
}

/// Claims what is due and applies it, system by system, a batch at a time until nothing
/// due is left.
#[tracing::instrument(skip_all)]
pub async fn run_pass(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    secrets: &SecretBox,
) -> Result<OutboxReport, sea_orm::DbErr> {
    let mut total = OutboxReport::default();
    loop {
        let (report, claimed) = run_batch(db, clock, secrets).await?;
        total.applied += report.applied;
        total.retrying += report.retrying;
        total.failed += report.failed;
        if claimed < BATCH as usize {
            return Ok(total);
        }
    }
}

/// One batch: what was done, and how many rows were claimed.
async fn run_batch(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    secrets: &SecretBox,
) -> Result<(OutboxReport, usize), sea_orm::DbErr> {
    let now = clock.now();
    let txn = write_txn(db).await?;
    let claimed = store::outbox::claim(&txn, now, now + LEASE, BATCH).await?;
    txn.commit().await?;
    let count = claimed.len();
    let mut by_system: BTreeMap<ConnectedSystemId, Vec<outbox::Model>> = BTreeMap::new();
    for row in claimed {
        by_system
            .entry(row.connected_system_id)
            .or_default()
            .push(row);
    }
    let mut report = OutboxReport::default();
    for (system_id, rows) in by_system {
        let tries = apply_for_system(db, clock, secrets, system_id, &rows).await?;
        // The system's rows are recorded together: one transaction, not one a row.
        let now = clock.now();
        let txn = write_txn(db).await?;
        for (row, tried) in rows.iter().zip(tries) {
            let finish = match &tried.outcome {
                Outcome::Applied => {
                    report.applied += 1;
                    Finish::Done
                }
                Outcome::Postponed(why) => Finish::Postpone(now + DISABLED_WAIT, why.clone()),
                Outcome::Error(error) => match retry_after(row.attempts + 1, jitter()) {
                    Some(wait) => {
                        report.retrying += 1;
                        Finish::Retry(now + wait, error.clone())
                    }
                    None => {
                        report.failed += 1;
                        Finish::Failed(error.clone())
                    }
                },
            };
            let gave_up = matches!(finish, Finish::Failed(_));
            if store::outbox::finish(&txn, row, now, finish).await? {
                if !matches!(tried.outcome, Outcome::Postponed(_)) {
                    let attempt = store::outbox::Attempt {
                        succeeded: matches!(tried.outcome, Outcome::Applied),
                        status_code: tried.status_code,
                        latency_ms: tried.latency_ms,
                        error: match &tried.outcome {
                            Outcome::Error(e) => Some(e.clone()),
                            _ => None,
                        },
                    };
                    store::outbox::record_attempt(&txn, row, now, attempt).await?;
                }
                if gave_up {
                    delivery_failed(&txn, now, row, &tried).await?;
                }
            }
        }
        txn.commit().await?;
    }
    Ok((report, count))
}

/// A change given up: audited (which also tells webhooks), when it delivered an
/// assignment.
async fn delivery_failed(
    txn: &impl sea_orm::ConnectionTrait,
    now: time::OffsetDateTime,
    row: &outbox::Model,
    tried: &Tried,
) -> Result<(), sea_orm::DbErr> {
    let Some(assignment) = row.assignment_id else {
        return Ok(());
    };
    let Some(found) = crate::entities::assignment::Entity::find_by_id(assignment)
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let name = super::requests::package_name(txn, found.access_package_id).await?;
    let error = match &tried.outcome {
        Outcome::Error(e) => e.clone(),
        _ => String::new(),
    };
    // A line on the request that asked for it: the person sees it, and is told.
    use sea_orm::{ColumnTrait, QueryFilter};
    let origin = crate::entities::assignment_request::Entity::find()
        .filter(crate::entities::assignment_request::Column::AssignmentId.eq(assignment))
        .filter(
            crate::entities::assignment_request::Column::RequestType.is_in(["userAdd", "adminAdd"]),
        )
        .one(txn)
        .await?;
    if let Some(origin) = origin {
        super::requests::timeline(
            txn,
            origin.id,
            now,
            "deliveryFailed",
            format!("Delivery failed: {error}"),
        )
        .await?;
    }
    audit::record(
        txn,
        now,
        &Principal::scheduler(),
        Event {
            action: action::DELIVERY_FAILED,
            target_type: action::TARGET_PACKAGE,
            target_id: Some(found.access_package_id.to_string()),
            target_name: &name,
            detail: json!({
                "assignmentId": assignment.to_string(),
                "targetId": found.target_id.to_string(),
                "error": error,
                "attempts": row.attempts + 1,
            }),
        },
    )
    .await
}

enum Outcome {
    Applied,
    /// Not tried: the system is disabled.
    Postponed(String),
    Error(String),
}

/// One try of a row: how it ended, a webhook receiver's status code, how long it took.
struct Tried {
    outcome: Outcome,
    status_code: Option<u16>,
    latency_ms: u64,
}

impl Tried {
    fn untried(outcome: Outcome) -> Self {
        Self {
            outcome,
            status_code: None,
            latency_ms: 0,
        }
    }
}

/// Applies the rows of one system (over one connection, for a directory); a try per row,
/// in order.
async fn apply_for_system(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    secrets: &SecretBox,
    system_id: ConnectedSystemId,
    rows: &[outbox::Model],
) -> Result<Vec<Tried>, sea_orm::DbErr> {
    let all = |outcome: fn(String) -> Outcome, why: String| -> Vec<Tried> {
        rows.iter()
            .map(|_| Tried::untried(outcome(why.clone())))
            .collect()
    };
    let Some((row, secret)) = opened(db, secrets, system_id).await? else {
        return Ok(all(
            Outcome::Error,
            "the connected system was deleted".into(),
        ));
    };
    let system = match ConnectedSystem::try_from(row) {
        Ok(system) => system,
        Err(unreadable) => return Ok(all(Outcome::Error, unreadable.to_string())),
    };
    if !system.enabled {
        return Ok(all(
            Outcome::Postponed,
            format!("{} is disabled", system.display_name),
        ));
    }
    let secret = match secret {
        Ok(secret) => secret,
        Err(unreadable) => return Ok(all(Outcome::Error, unreadable.to_string())),
    };
    let target = match system.settings {
        Settings::Webhook(hook) => {
            let mut tries = Vec::with_capacity(rows.len());
            for row in rows {
                tries.push(match serde_json::from_str::<Change>(&row.payload) {
                    Ok(Change::Webhook {
                        message_id, body, ..
                    }) => post(&hook, &secret, message_id, body, clock).await,
                    _ => Tried::untried(Outcome::Error("not a webhook message".into())),
                });
            }
            return Ok(tries);
        }
        settings => match Target::open(&settings, &secret).await {
            Ok(target) => target,
            Err(words) => return Ok(all(Outcome::Error, words)),
        },
    };
    apply_memberships(db, target, rows).await
}

/// Applies membership changes to one target, a try per row, in order.
async fn apply_memberships(
    db: &DatabaseConnection,
    mut target: Target,
    rows: &[outbox::Model],
) -> Result<Vec<Tried>, sea_orm::DbErr> {
    let mut tries = Vec::with_capacity(rows.len());
    for row in rows {
        let started = std::time::Instant::now();
        let outcome = match membership(db, row).await? {
            Err(outcome) => outcome,
            Ok((group, person, present)) => match target.set_member(&group, &person, present).await
            {
                Ok(()) => Outcome::Applied,
                Err(words) => Outcome::Error(words),
            },
        };
        tries.push(Tried {
            outcome,
            status_code: None,
            latency_ms: millis_since(started),
        });
    }
    target.close().await;
    Ok(tries)
}

fn millis_since(started: std::time::Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// What a membership row asks of a system: (the group there, the person, member or not),
/// or the outcome when there is nothing to ask (no longer governed: done).
async fn membership(
    db: &DatabaseConnection,
    row: &outbox::Model,
) -> Result<Result<(String, Person, bool), Outcome>, sea_orm::DbErr> {
    let Ok(Change::Membership { group, user }) = serde_json::from_str::<Change>(&row.payload)
    else {
        return Ok(Err(Outcome::Error("not a membership change".into())));
    };
    let Some(link) = governed_group::Entity::find_by_id(group).one(db).await? else {
        return Ok(Err(Outcome::Applied));
    };
    let Some(person) = user::Entity::find_by_id(user).one(db).await? else {
        return Ok(Err(Outcome::Error("the user no longer exists".into())));
    };
    let present = store::outbox::is_member(db, group, user).await?;
    Ok(Ok((
        link.external_id,
        Person {
            user_principal_name: person.user_principal_name,
            email: person.email,
        },
        present,
    )))
}

/// Posts one signed webhook message; any 2xx answer is success.
async fn post(
    hook: &crate::domain::connected::WebhookSettings,
    secret: &str,
    id: String,
    body: String,
    clock: &dyn Clock,
) -> Tried {
    let message = crate::connectors::webhook::Message {
        id,
        timestamp: clock.now().unix_timestamp(),
        body,
    };
    let started = std::time::Instant::now();
    let answer = crate::connectors::webhook::send(hook, secret, &message).await;
    let latency_ms = millis_since(started);
    match answer {
        Ok(status) if status.is_success() => Tried {
            outcome: Outcome::Applied,
            status_code: Some(status.as_u16()),
            latency_ms,
        },
        Ok(status) => Tried {
            outcome: Outcome::Error(format!("the receiver answered {status}")),
            status_code: Some(status.as_u16()),
            latency_ms,
        },
        Err(words) => Tried {
            outcome: Outcome::Error(words),
            status_code: None,
            latency_ms,
        },
    }
}

/// `Reprocess`: the failed deliveries of one assignment of `package` (or of all its
/// assignments) are tried again from the first try. How many changes went back in line;
/// none is a conflict the page shows.
#[tracing::instrument(skip_all, fields(principal = %principal.name, package = %package))]
pub async fn reprocess(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    package: AccessPackageId,
    assignment: Option<AssignmentId>,
) -> ServiceResult<u64> {
    let found = store::packages::find(db, package)
        .await?
        .ok_or(ServiceError::NotFound)?;
    authorize(principal, Action::ManageAssignments(found.catalog_id))?;
    let now = clock.now();
    let txn = write_txn(db).await?;
    let failed = store::outbox::failed_assignments(&txn, package, assignment).await?;
    let count = store::outbox::reprocess(&txn, now, &failed).await?;
    if count == 0 {
        return Err(ServiceError::conflict(
            "nothing_to_reprocess",
            "No delivery has failed: there is nothing to reprocess.",
        ));
    }
    audit::record(
        &txn,
        now,
        principal,
        Event {
            action: action::REPROCESS_ASSIGNMENT,
            target_type: action::TARGET_PACKAGE,
            target_id: Some(package.to_string()),
            target_name: &found.display_name,
            detail: json!({
                "assignments": failed.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "changes": count,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(count)
}
