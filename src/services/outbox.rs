//! The outbox worker: applies changes waiting in the outbox to connected systems. Every
//! instance runs it; each claims its rows first (a lease, and `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL), so two instances never apply a row at the same time, and a crash between
//! applying and recording only means the (idempotent) change is applied again.
use std::collections::BTreeMap;

use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::json;
use time::Duration;

use super::audit::{self, Event};
use super::error::{ServiceError, ServiceResult};
use crate::domain::audit as action;
use crate::domain::authz::{Action, authorize};
use crate::domain::principal::Principal;
use crate::ids::{AccessPackageId, AssignmentId};

use crate::clock::Clock;
use crate::connectors::ldap::{Directory, Person};
use crate::db::write_txn;
use crate::domain::connected::Settings;
use crate::domain::outbox::{Change, retry_after};
use crate::entities::{connected_system, governed_group, outbox, user};
use crate::ids::ConnectedSystemId;
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

/// Claims what is due and applies it, system by system.
#[tracing::instrument(skip_all)]
pub async fn run_pass(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    secrets: &SecretBox,
) -> Result<OutboxReport, sea_orm::DbErr> {
    let now = clock.now();
    let txn = write_txn(db).await?;
    let claimed = store::outbox::claim(&txn, now, now + LEASE, BATCH).await?;
    txn.commit().await?;
    let mut by_system: BTreeMap<ConnectedSystemId, Vec<outbox::Model>> = BTreeMap::new();
    for row in claimed {
        by_system
            .entry(row.connected_system_id)
            .or_default()
            .push(row);
    }
    let mut report = OutboxReport::default();
    for (system_id, rows) in by_system {
        let outcomes = apply_for_system(db, secrets, system_id, &rows).await?;
        let now = clock.now();
        for (row, outcome) in rows.iter().zip(outcomes) {
            let finish = match outcome {
                Outcome::Applied => {
                    report.applied += 1;
                    Finish::Done
                }
                Outcome::Postponed(why) => Finish::Postpone(now + DISABLED_WAIT, why),
                Outcome::Error(error) => match retry_after(row.attempts + 1, jitter()) {
                    Some(wait) => {
                        report.retrying += 1;
                        Finish::Retry(now + wait, error)
                    }
                    None => {
                        report.failed += 1;
                        Finish::Failed(error)
                    }
                },
            };
            store::outbox::finish(db, row, now, finish).await?;
        }
    }
    Ok(report)
}

enum Outcome {
    Applied,
    /// Not tried: the system is disabled.
    Postponed(String),
    Error(String),
}

/// Applies the rows of one system over one connection; an outcome per row, in order.
async fn apply_for_system(
    db: &DatabaseConnection,
    secrets: &SecretBox,
    system_id: ConnectedSystemId,
    rows: &[outbox::Model],
) -> Result<Vec<Outcome>, sea_orm::DbErr> {
    let all = |outcome: fn(String) -> Outcome, why: String| -> Vec<Outcome> {
        rows.iter().map(|_| outcome(why.clone())).collect()
    };
    let Some(system) = connected_system::Entity::find_by_id(system_id)
        .one(db)
        .await?
    else {
        return Ok(all(
            Outcome::Error,
            "the connected system was deleted".into(),
        ));
    };
    if !system.is_enabled {
        return Ok(all(
            Outcome::Postponed,
            format!("{} is disabled", system.display_name),
        ));
    }
    let secret = match system.secret.as_deref() {
        Some(sealed) => match secrets.open(&system_id.to_string(), sealed) {
            Ok(secret) => secret,
            Err(unreadable) => return Ok(all(Outcome::Error, unreadable.to_string())),
        },
        None => String::new(),
    };
    let settings: Settings = match serde_json::from_str(&system.settings) {
        Ok(settings) => settings,
        Err(e) => return Ok(all(Outcome::Error, format!("unreadable settings: {e}"))),
    };
    let Settings::Ldap(ldap) = settings else {
        return Ok(all(
            Outcome::Error,
            format!("delivery to a {} is not built yet", settings.kind().label()),
        ));
    };
    let mut directory = match Directory::open(&ldap, &secret).await {
        Ok(directory) => directory,
        Err(words) => return Ok(all(Outcome::Error, words)),
    };
    let mut outcomes = Vec::with_capacity(rows.len());
    for row in rows {
        let outcome = match serde_json::from_str::<Change>(&row.payload) {
            Err(e) => Outcome::Error(format!("unreadable change: {e}")),
            Ok(Change::Membership { group, user }) => {
                let link = governed_group::Entity::find_by_id(group).one(db).await?;
                let person = user::Entity::find_by_id(user).one(db).await?;
                match (link, person) {
                    // No longer governed there (or the group is gone): nothing to change.
                    (None, _) => Outcome::Applied,
                    (Some(_), None) => Outcome::Error("the user no longer exists".into()),
                    (Some(link), Some(person)) => {
                        let present = store::outbox::is_member(db, group, user).await?;
                        let person = Person {
                            user_principal_name: person.user_principal_name,
                            email: person.email,
                        };
                        match directory
                            .set_member(&link.external_id, &person, present)
                            .await
                        {
                            Ok(()) => Outcome::Applied,
                            Err(words) => Outcome::Error(words),
                        }
                    }
                }
            }
        };
        outcomes.push(outcome);
    }
    directory.close().await;
    Ok(outcomes)
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
