//! Runs against connected systems that take a while: imports from an LDAP directory and
//! drift checks. `Sync now` and `Check now` queue a run; the scheduler queues them too. Every
//! instance's worker claims queued runs (a conditional update with a lease, so each run
//! happens once; a run whose instance stopped is taken over when its lease runs out) and
//! records its progress as it goes, so the portal can show it.
use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::audit::{self, Event};
use super::connected::opened;
use super::error::{ServiceError, ServiceResult};
use super::is_unique_violation;
use crate::clock::Clock;
use crate::connectors::ldap::Directory;
use crate::db::write_txn;
use crate::domain::audit as action;
use crate::domain::authz::{Action, authorize};
use crate::domain::connected::{LdapSettings, MembershipAttribute, Settings, SystemKind};
use crate::domain::directory::{
    self, FULL_SYNC_EVERY, ImportedGroup, ImportedPerson, KEPT_ERRORS, RunKind, RunState,
    changed_since, later, normal_dn,
};
use crate::domain::drift::DriftMode;
use crate::domain::group::{MemberRole, MembershipSource};
use crate::domain::principal::Principal;
use crate::entities::{connected_system, governed_group, group, group_member, sync_run, user};
use crate::ids::{ConnectedSystemId, GroupId, SyncRunId, UserId};
use crate::secrets::SecretBox;

/// How long a claim on a run holds without news; each batch renews it.
const LEASE: Duration = Duration::minutes(5);
/// People written a transaction.
const PEOPLE_BATCH: usize = 500;
/// Groups written a transaction (each with its members).
const GROUP_BATCH: usize = 20;
/// How often a governed system is checked for drift without `Check now`.
pub const DRIFT_EVERY: Duration = Duration::hours(1);

/// A run as the portal shows it.
#[derive(Clone, Debug)]
pub struct SyncRun {
    pub id: SyncRunId,
    pub system_id: ConnectedSystemId,
    pub kind: RunKind,
    pub full: bool,
    pub state: RunState,
    pub phase: String,
    pub total: i64,
    pub done: i64,
    pub created: i64,
    pub updated: i64,
    pub disabled: i64,
    pub unchanged: i64,
    pub errors: i64,
    pub error_lines: Vec<String>,
    pub message: Option<String>,
    pub requested_by: String,
    pub created_at: OffsetDateTime,
    pub started_at: Option<OffsetDateTime>,
    pub finished_at: Option<OffsetDateTime>,
}

impl SyncRun {
    /// How far a running run is, 0 to 100.
    pub fn percent(&self) -> i64 {
        if self.state.is_finished() {
            100
        } else if self.total <= 0 {
            0
        } else {
            (self.done * 100 / self.total).clamp(0, 100)
        }
    }

    pub fn is_finished(&self) -> bool {
        self.state.is_finished()
    }
}

impl From<sync_run::Model> for SyncRun {
    fn from(m: sync_run::Model) -> Self {
        Self {
            id: m.id,
            system_id: m.connected_system_id,
            kind: if m.kind == RunKind::Drift.as_str() {
                RunKind::Drift
            } else {
                RunKind::Import
            },
            full: m.full,
            state: RunState::from_stored(&m.state),
            phase: m.phase,
            total: m.total,
            done: m.done,
            created: m.created,
            updated: m.updated,
            disabled: m.disabled,
            unchanged: m.unchanged,
            errors: m.errors,
            error_lines: serde_json::from_str(&m.error_lines).unwrap_or_default(),
            message: m.message,
            requested_by: m.requested_by,
            created_at: m.created_at,
            started_at: m.started_at,
            finished_at: m.finished_at,
        }
    }
}

/// What a run did so far.
#[derive(Debug, Default, Clone)]
pub(crate) struct Tally {
    pub created: i64,
    pub updated: i64,
    pub disabled: i64,
    pub unchanged: i64,
    pub errors: i64,
    pub lines: Vec<String>,
}

impl Tally {
    pub fn error(&mut self, line: String) {
        self.errors += 1;
        if self.lines.len() < KEPT_ERRORS {
            self.lines.push(line);
        }
    }
}

/// Why a run stopped before its end, in words for the run's page.
pub(crate) enum Stop {
    Failed(String),
    Db(sea_orm::DbErr),
}

impl From<sea_orm::DbErr> for Stop {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Db(err)
    }
}

/// Queues a run of `kind` for the system (`Sync now`, `Check now`): an import reads
/// everything, so that it also finds the entries that are gone.
#[tracing::instrument(skip_all, fields(principal = %principal.name, system = %system_id))]
pub async fn request_run(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    system_id: ConnectedSystemId,
    kind: RunKind,
) -> ServiceResult<SyncRun> {
    let system = super::connected::get(db, principal, system_id).await?;
    if !system.enabled {
        return Err(ServiceError::conflict(
            "system_disabled",
            format!("{} is turned off. Enable it first.", system.display_name),
        ));
    }
    match (kind, &system.settings) {
        (RunKind::Import, Settings::Ldap(s)) if !s.import => {
            return Err(ServiceError::conflict(
                "import_off",
                "Turn on Import people and groups in the settings first.",
            ));
        }
        (RunKind::Import, Settings::Ldap(_)) => {}
        (RunKind::Import, _) => {
            return Err(ServiceError::conflict(
                "import_unsupported",
                "Only LDAP directories are imported from.",
            ));
        }
        (RunKind::Drift, Settings::Webhook(_)) => {
            return Err(ServiceError::conflict(
                "drift_unsupported",
                "A webhook has no members to compare.",
            ));
        }
        (RunKind::Drift, _) => {}
    }
    let queued = queue(
        db,
        clock.now(),
        system_id,
        kind,
        true,
        &principal.name,
        None,
    )
    .await?;
    queued.map(SyncRun::from).ok_or_else(|| {
        ServiceError::conflict(
            "run_unfinished",
            match kind {
                RunKind::Import => {
                    "A sync of this system is already running: its progress is below."
                }
                RunKind::Drift => "A drift check of this system is already running.",
            },
        )
    })
}

/// Inserts a queued run; `None` when one of that kind is already queued or running.
async fn queue(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    system_id: ConnectedSystemId,
    kind: RunKind,
    full: bool,
    requested_by: &str,
    follows: Option<uuid::Uuid>,
) -> Result<Option<sync_run::Model>, sea_orm::DbErr> {
    let row = sync_run::Model {
        id: SyncRunId::new(),
        connected_system_id: system_id,
        kind: kind.as_str().to_owned(),
        full,
        state: RunState::Queued.as_str().to_owned(),
        phase: "Waiting to start".to_owned(),
        total: 0,
        done: 0,
        created: 0,
        updated: 0,
        disabled: 0,
        unchanged: 0,
        errors: 0,
        error_lines: "[]".to_owned(),
        message: None,
        high_water: None,
        requested_by: requested_by.chars().take(256).collect(),
        created_at: now,
        started_at: None,
        finished_at: None,
        lease_until: None,
        claimed_by: None,
        follows,
    };
    let active: sync_run::ActiveModel = row.clone().into();
    match sync_run::Entity::insert(active)
        .exec_without_returning(db)
        .await
    {
        Ok(_) => Ok(Some(row)),
        Err(err) if is_unique_violation(&err) => Ok(None),
        Err(err) => Err(err),
    }
}

/// The system's latest runs of `kind`, newest first.
pub async fn runs(
    db: &DatabaseConnection,
    principal: &Principal,
    system_id: ConnectedSystemId,
    kind: RunKind,
    limit: u64,
) -> ServiceResult<Vec<SyncRun>> {
    authorize(principal, Action::ManageConnectedSystems)?;
    Ok(sync_run::Entity::find()
        .filter(sync_run::Column::ConnectedSystemId.eq(system_id))
        .filter(sync_run::Column::Kind.eq(kind.as_str()))
        .order_by_desc(sync_run::Column::CreatedAt)
        .order_by_desc(sync_run::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(SyncRun::from)
        .collect())
}

/// What one pass of the worker did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SyncReport {
    pub queued: usize,
    pub succeeded: usize,
    pub failed: usize,
}

/// Queues the scheduled runs that are due, then runs what is queued, one run at a time.
#[tracing::instrument(skip_all)]
pub async fn run_pass(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    secrets: &SecretBox,
) -> Result<SyncReport, sea_orm::DbErr> {
    let mut report = SyncReport {
        queued: schedule(db, clock.now()).await?,
        ..SyncReport::default()
    };
    while let Some(run) = claim_next(db, clock.now()).await? {
        let kind = if run.kind == RunKind::Drift.as_str() {
            RunKind::Drift
        } else {
            RunKind::Import
        };
        let outcome = match kind {
            RunKind::Import => import(db, clock, secrets, &run).await,
            RunKind::Drift => super::drift::check(db, clock, secrets, &run).await,
        };
        match outcome {
            Ok(()) => report.succeeded += 1,
            Err(Stop::Failed(message)) => {
                // A run another instance took over is that instance's to end.
                let _ = fail(db, clock.now(), &run, &message).await;
                report.failed += 1;
            }
            Err(Stop::Db(sea_orm::DbErr::RecordNotUpdated)) => {
                tracing::warn!(run = %run.id, "another instance took the run over");
            }
            Err(Stop::Db(err)) => {
                // Said on the run's page too, when the database still answers.
                let _ = fail(db, clock.now(), &run, "The database failed during the run.").await;
                return Err(err);
            }
        }
    }
    Ok(report)
}

/// Queues the scheduled runs that are due: imports of LDAP systems with import on, every
/// `sync_minutes` (incremental, and in full once a day), and drift checks of systems that
/// govern groups, every [`DRIFT_EVERY`].
async fn schedule(db: &DatabaseConnection, now: OffsetDateTime) -> Result<usize, sea_orm::DbErr> {
    let systems = connected_system::Entity::find()
        .filter(connected_system::Column::IsEnabled.eq(true))
        .filter(connected_system::Column::Kind.ne(SystemKind::Webhook.as_str()))
        .all(db)
        .await?;
    let mut queued = 0;
    for row in systems {
        let Ok(settings) = serde_json::from_str::<Settings>(&row.settings) else {
            continue;
        };
        let mut due: Vec<(RunKind, Duration)> = Vec::new();
        if let Settings::Ldap(s) = &settings
            && s.import
            && s.sync_minutes > 0
        {
            due.push((
                RunKind::Import,
                Duration::minutes(i64::from(s.sync_minutes)),
            ));
        }
        let governs = governed_group::Entity::find()
            .filter(governed_group::Column::ConnectedSystemId.eq(row.id))
            .one(db)
            .await?
            .is_some();
        if governs {
            due.push((RunKind::Drift, DRIFT_EVERY));
        }
        for (kind, every) in due {
            let last = latest(db, row.id, kind, None).await?;
            if last.as_ref().is_some_and(|r| r.created_at > now - every) {
                continue;
            }
            let full = match kind {
                RunKind::Import => {
                    let last_full = latest(db, row.id, kind, Some(true)).await?;
                    // Full unless a full run finished within the last day.
                    last_full
                        .is_none_or(|r| r.finished_at.is_none_or(|at| at <= now - FULL_SYNC_EVERY))
                }
                RunKind::Drift => true,
            };
            let follows = last.map_or(uuid::Uuid::nil(), |r| r.id.0);
            if queue(
                db,
                now,
                row.id,
                kind,
                full,
                "Gatehouse (scheduler)",
                Some(follows),
            )
            .await?
            .is_some()
            {
                queued += 1;
            }
        }
    }
    Ok(queued)
}

/// The system's latest run of `kind` (that succeeded and was full, with `Some(true)`).
async fn latest(
    db: &impl ConnectionTrait,
    system: ConnectedSystemId,
    kind: RunKind,
    succeeded_full: Option<bool>,
) -> Result<Option<sync_run::Model>, sea_orm::DbErr> {
    let mut query = sync_run::Entity::find()
        .filter(sync_run::Column::ConnectedSystemId.eq(system))
        .filter(sync_run::Column::Kind.eq(kind.as_str()));
    if succeeded_full.is_some() {
        query = query
            .filter(sync_run::Column::State.eq(RunState::Succeeded.as_str()))
            .filter(sync_run::Column::Full.eq(true));
    }
    query
        .order_by_desc(sync_run::Column::CreatedAt)
        .one(db)
        .await
}

/// Claims the oldest queued run, or a running one whose instance stopped renewing it.
async fn claim_next(
    db: &DatabaseConnection,
    now: OffsetDateTime,
) -> Result<Option<sync_run::Model>, sea_orm::DbErr> {
    let claimable = Condition::any()
        .add(sync_run::Column::State.eq(RunState::Queued.as_str()))
        .add(
            Condition::all()
                .add(sync_run::Column::State.eq(RunState::Running.as_str()))
                .add(sync_run::Column::LeaseUntil.lt(now)),
        );
    let candidates = sync_run::Entity::find()
        .filter(claimable.clone())
        .order_by_asc(sync_run::Column::CreatedAt)
        .limit(5)
        .all(db)
        .await?;
    for mut candidate in candidates {
        let token = uuid::Uuid::new_v4();
        let claimed = sync_run::Entity::update_many()
            .col_expr(sync_run::Column::ClaimedBy, Expr::value(Some(token)))
            .col_expr(
                sync_run::Column::State,
                Expr::value(RunState::Running.as_str()),
            )
            .col_expr(sync_run::Column::LeaseUntil, Expr::value(Some(now + LEASE)))
            .col_expr(sync_run::Column::StartedAt, Expr::value(Some(now)))
            .col_expr(sync_run::Column::Phase, Expr::value("Starting"))
            .filter(sync_run::Column::Id.eq(candidate.id))
            .filter(claimable.clone())
            .exec(db)
            .await?;
        if claimed.rows_affected == 1 {
            candidate.claimed_by = Some(token);
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}

/// Records how far the run is and renews its claim; `RecordNotUpdated` when another
/// instance took the run over (its lease had run out), so that this one stops.
pub(crate) async fn progress(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    run: &sync_run::Model,
    phase: &str,
    (done, total): (usize, usize),
    tally: &Tally,
) -> Result<(), sea_orm::DbErr> {
    let updated = sync_run::Entity::update_many()
        .col_expr(sync_run::Column::Phase, Expr::value(phase))
        .col_expr(sync_run::Column::Done, Expr::value(done as i64))
        .col_expr(sync_run::Column::Total, Expr::value(total as i64))
        .col_expr(sync_run::Column::Created, Expr::value(tally.created))
        .col_expr(sync_run::Column::Updated, Expr::value(tally.updated))
        .col_expr(sync_run::Column::Disabled, Expr::value(tally.disabled))
        .col_expr(sync_run::Column::Unchanged, Expr::value(tally.unchanged))
        .col_expr(sync_run::Column::Errors, Expr::value(tally.errors))
        .col_expr(
            sync_run::Column::ErrorLines,
            Expr::value(serde_json::to_string(&tally.lines).unwrap_or_else(|_| "[]".into())),
        )
        .col_expr(sync_run::Column::LeaseUntil, Expr::value(Some(now + LEASE)))
        .filter(sync_run::Column::Id.eq(run.id))
        .filter(sync_run::Column::ClaimedBy.eq(run.claimed_by))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(sea_orm::DbErr::RecordNotUpdated);
    }
    Ok(())
}

/// Ends the run as succeeded, with what it read last and the high-water mark for the next.
pub(crate) async fn succeed(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    run: &sync_run::Model,
    summary: &str,
    high_water: Option<String>,
) -> Result<(), sea_orm::DbErr> {
    finish(db, now, run, RunState::Succeeded, summary, None, high_water).await
}

async fn fail(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    run: &sync_run::Model,
    message: &str,
) -> Result<(), sea_orm::DbErr> {
    finish(
        db,
        now,
        run,
        RunState::Failed,
        "Stopped",
        Some(message),
        None,
    )
    .await
}

async fn finish(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    run: &sync_run::Model,
    state: RunState,
    phase: &str,
    message: Option<&str>,
    high_water: Option<String>,
) -> Result<(), sea_orm::DbErr> {
    let updated = sync_run::Entity::update_many()
        .col_expr(sync_run::Column::State, Expr::value(state.as_str()))
        .col_expr(sync_run::Column::Phase, Expr::value(phase))
        .col_expr(sync_run::Column::Message, Expr::value(message))
        .col_expr(sync_run::Column::HighWater, Expr::value(high_water))
        .col_expr(sync_run::Column::FinishedAt, Expr::value(Some(now)))
        .col_expr(
            sync_run::Column::LeaseUntil,
            Expr::value(None::<OffsetDateTime>),
        )
        .filter(sync_run::Column::Id.eq(run.id))
        .filter(sync_run::Column::ClaimedBy.eq(run.claimed_by))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(sea_orm::DbErr::RecordNotUpdated);
    }
    Ok(())
}

/// The system's row, settings and open secret, for a run; a run of a system that was
/// turned off or changed kind stops with words saying so.
pub(crate) async fn system_of(
    db: &DatabaseConnection,
    secrets: &SecretBox,
    run: &sync_run::Model,
) -> Result<(connected_system::Model, Settings, String), Stop> {
    let Some((row, secret)) = opened(db, secrets, run.connected_system_id).await? else {
        return Err(Stop::Failed("The connected system was deleted.".into()));
    };
    if !row.is_enabled {
        return Err(Stop::Failed(format!("{} is turned off.", row.display_name)));
    }
    let settings: Settings = serde_json::from_str(&row.settings)
        .map_err(|e| Stop::Failed(format!("The settings are not readable: {e}")))?;
    let secret = secret.map_err(|_| {
        Stop::Failed(
            "The saved secret does not open with this server's key: enter it again on Edit.".into(),
        )
    })?;
    Ok((row, settings, secret))
}

/// The high-water marks of people and groups, `people;groups` as stored: each incremental
/// read starts from its own, so that what changed between the two reads is read again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Marks {
    people: Option<String>,
    groups: Option<String>,
}

impl Marks {
    fn parse(stored: Option<&str>) -> Self {
        let Some((people, groups)) = stored.and_then(|s| s.split_once(';')) else {
            return Self::default();
        };
        let mark = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Self {
            people: mark(people),
            groups: mark(groups),
        }
    }

    fn stored(&self) -> Option<String> {
        (self.people.is_some() || self.groups.is_some()).then(|| {
            format!(
                "{};{}",
                self.people.as_deref().unwrap_or_default(),
                self.groups.as_deref().unwrap_or_default()
            )
        })
    }
}

/// A full run stops rather than disable more than this share of the people it imported
/// before (and more than [`SAFE_DISABLES`] of them): a base DN or filter gone wrong looks
/// just like everyone leaving.
const MAX_SHARE_GONE: f64 = 0.5;
const SAFE_DISABLES: usize = 10;

/// One import: reads the directory's people and groups (all of them, or those changed since
/// the last run), then writes them a batch a transaction, recording progress as it goes.
async fn import(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    secrets: &SecretBox,
    run: &sync_run::Model,
) -> Result<(), Stop> {
    let (row, settings, secret) = system_of(db, secrets, run).await?;
    let Settings::Ldap(settings) = settings else {
        return Err(Stop::Failed(
            "Only LDAP directories are imported from.".into(),
        ));
    };
    if !settings.import {
        return Err(Stop::Failed(
            "Import people and groups is turned off in the settings.".into(),
        ));
    }
    let system = row.id;
    let principal = Principal::connector(&row.display_name);
    let since = if run.full {
        Marks::default()
    } else {
        Marks::parse(last_high_water(db, system, run.id).await?.as_deref())
    };
    // Without marks to read from, everything is read: as good as a full run.
    let full = since == Marks::default();
    let mut tally = Tally::default();
    progress(
        db,
        clock.now(),
        run,
        "Reading the directory",
        (0, 0),
        &tally,
    )
    .await?;
    let mut directory = Directory::open(&settings, &secret)
        .await
        .map_err(|e| Stop::Failed(format!("The directory could not be read: {e}")))?;
    let read = read_directory(&mut directory, &settings, &since).await;
    directory.close().await;
    let (people, disabled, groups) = read.map_err(Stop::Failed)?;
    let total = people.len() + groups.len();
    let mut marks = since.clone();
    for entry in &people {
        marks.people = later(marks.people, entry.first("modifyTimestamp"));
    }
    for entry in &groups {
        marks.groups = later(marks.groups, entry.first("modifyTimestamp"));
    }
    let seen: HashSet<String> = people.iter().map(|e| normal_dn(&e.dn)).collect();
    let before = imported_people(db, system).await?;

    // A directory that answers with nobody, or without most of the people it had, is more
    // likely misconfigured than emptied: a full run would disable them all.
    let gone: Vec<UserId> = before
        .iter()
        .filter(|(_, external, enabled)| *enabled && !seen.contains(external))
        .map(|(id, _, _)| *id)
        .collect();
    let enabled_before = before.iter().filter(|p| p.2).count();
    if full
        && !gone.is_empty()
        && (people.is_empty()
            || (gone.len() > SAFE_DISABLES
                && gone.len() as f64 > enabled_before as f64 * MAX_SHARE_GONE))
    {
        return Err(Stop::Failed(format!(
            "The directory returned {} people under {} matching {}, so {} of the {} people imported before would be disabled. Nothing was changed: check the users base DN and filter.",
            people.len(),
            settings.users_base_dn,
            settings.users_filter,
            gone.len(),
            enabled_before,
        )));
    }

    let context = Context {
        principal: &principal,
        system,
        system_name: &row.display_name,
        // Another entry of this directory may hand its name over to a new one only when a
        // full read shows the old entry is gone (a rename).
        read_in_full: full.then_some(&seen),
    };
    let mut upns_taken: HashSet<String> = HashSet::with_capacity(people.len());
    let mut done = 0;
    for chunk in people.chunks(PEOPLE_BATCH) {
        let txn = write_txn(db).await?;
        let now = clock.now();
        let mut batch = Vec::with_capacity(chunk.len());
        let mut unreadable_disabled = Vec::new();
        for entry in chunk {
            let dn = normal_dn(&entry.dn);
            let is_disabled = disabled.contains(&dn);
            match directory::person(&settings, entry, is_disabled) {
                Ok(person) => {
                    if upns_taken.insert(person.user_principal_name.as_str().to_owned()) {
                        batch.push(person);
                    } else {
                        tally.error(format!(
                            "{}: another entry already has the user principal name {}",
                            entry.dn,
                            person.user_principal_name.as_str()
                        ));
                    }
                }
                Err(line) => {
                    tally.error(line);
                    // Unreadable now, but disabled there: whoever it was loses access.
                    if is_disabled {
                        unreadable_disabled.push(dn);
                    }
                }
            }
        }
        write_people(&txn, now, &context, batch, &mut tally).await?;
        disable_entries(&txn, now, &context, unreadable_disabled, &mut tally).await?;
        done += chunk.len();
        progress(&txn, now, run, "Importing people", (done, total), &tally).await?;
        txn.commit().await?;
    }

    if full {
        for ids in gone.chunks(PEOPLE_BATCH) {
            let txn = write_txn(db).await?;
            let now = clock.now();
            let rows = user::Entity::find()
                .filter(user::Column::Id.is_in(ids.to_vec()))
                .filter(user::Column::AccountEnabled.eq(true))
                .all(&txn)
                .await?;
            let source = format!(
                "{} (the entry is no longer in the directory)",
                row.display_name
            );
            for before in rows {
                disable(&txn, now, &context, before, &source, &mut tally).await?;
            }
            progress(
                &txn,
                now,
                run,
                "Disabling people no longer in the directory",
                (done, total),
                &tally,
            )
            .await?;
            txn.commit().await?;
        }
    }

    let group_dns: HashSet<String> = groups.iter().map(|e| normal_dn(&e.dn)).collect();
    let group_context = Context {
        read_in_full: full.then_some(&group_dns),
        ..context
    };
    let mut names_taken: HashSet<String> = HashSet::new();
    // The groups linked to this directory before the run, by the DN they point at: read
    // once, not once a group (each link this run makes is for the group it is writing).
    let mut links: HashMap<String, Vec<GroupId>> = HashMap::new();
    for link in governed_group::Entity::find()
        .filter(governed_group::Column::ConnectedSystemId.eq(system))
        .all(db)
        .await?
    {
        links
            .entry(normal_dn(&link.external_id))
            .or_default()
            .push(link.group_id);
    }
    for chunk in groups.chunks(GROUP_BATCH) {
        let txn = write_txn(db).await?;
        let now = clock.now();
        for entry in chunk {
            match directory::group(&settings, entry) {
                Ok(found) if !names_taken.insert(found.name.key()) => tally.error(format!(
                    "{}: another group of the directory is also named {}",
                    found.dn,
                    found.name.as_str()
                )),
                Ok(found) => {
                    write_group(
                        &txn,
                        now,
                        &group_context,
                        &settings,
                        &links,
                        found,
                        &mut tally,
                    )
                    .await?;
                }
                Err(line) => tally.error(line),
            }
        }
        done += chunk.len();
        progress(&txn, now, run, "Importing groups", (done, total), &tally).await?;
        txn.commit().await?;
    }

    let summary = format!(
        "Read {} {} and {} {}{}",
        crate::domain::thousands(people.len() as i64),
        if people.len() == 1 {
            "person"
        } else {
            "people"
        },
        crate::domain::thousands(groups.len() as i64),
        if groups.len() == 1 { "group" } else { "groups" },
        if full {
            ""
        } else {
            " changed since the last sync"
        },
    );
    let txn = write_txn(db).await?;
    let now = clock.now();
    progress(&txn, now, run, &summary, (total, total), &tally).await?;
    succeed(&txn, now, run, &summary, marks.stored()).await?;
    audit::record(
        &txn,
        now,
        &principal,
        Event {
            action: action::SYNC_CONNECTED_SYSTEM,
            target_type: action::TARGET_CONNECTED_SYSTEM,
            target_id: Some(system.to_string()),
            target_name: &row.display_name,
            detail: json!({
                "full": full,
                "created": tally.created,
                "updated": tally.updated,
                "disabled": tally.disabled,
                "unchanged": tally.unchanged,
                "errors": tally.errors,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Who imports, from where, and what a full read saw.
#[derive(Clone, Copy)]
struct Context<'a> {
    principal: &'a Principal,
    system: ConnectedSystemId,
    system_name: &'a str,
    /// The normal DNs a full read returned; `None` for an incremental read.
    read_in_full: Option<&'a HashSet<String>>,
}

impl Context<'_> {
    /// Whether an entry may be matched to a Gatehouse object by its name, given where that
    /// object came from: never another system's; this directory's only when its own entry
    /// is gone (a rename, seen by a full read).
    fn may_take_over(&self, source: Option<ConnectedSystemId>, external: Option<&str>) -> bool {
        match source {
            None => true,
            Some(s) if s != self.system => false,
            Some(_) => self
                .read_in_full
                .is_some_and(|seen| external.is_none_or(|e| !seen.contains(e))),
        }
    }
}

/// Disables someone because the directory says so, unless they are a Global administrator
/// (a directory must not be able to lock everyone out of Gatehouse).
async fn disable(
    txn: &impl ConnectionTrait,
    now: OffsetDateTime,
    context: &Context<'_>,
    before: user::Model,
    source: &str,
    tally: &mut Tally,
) -> Result<(), sea_orm::DbErr> {
    if before.directory_role == crate::domain::user::DirectoryRole::GlobalAdministrator.as_str() {
        tally.error(format!(
            "{}: not disabled, being a Global administrator; disable them in Gatehouse if that is meant",
            before.user_principal_name
        ));
        return Ok(());
    }
    super::users::change_enabled(txn, now, context.principal, before, false, Some(source)).await?;
    tally.disabled += 1;
    Ok(())
}

/// Disables the people imported from these entries (whose entries no longer read).
async fn disable_entries(
    txn: &impl ConnectionTrait,
    now: OffsetDateTime,
    context: &Context<'_>,
    dns: Vec<String>,
    tally: &mut Tally,
) -> Result<(), sea_orm::DbErr> {
    if dns.is_empty() {
        return Ok(());
    }
    let rows = user::Entity::find()
        .filter(user::Column::SourceSystemId.eq(context.system))
        .filter(user::Column::ExternalId.is_in(dns))
        .filter(user::Column::AccountEnabled.eq(true))
        .filter(user::Column::DeletedAt.is_null())
        .all(txn)
        .await?;
    for before in rows {
        disable(txn, now, context, before, context.system_name, tally).await?;
    }
    Ok(())
}

/// The high-water marks of the system's latest successful import other than `this`.
async fn last_high_water(
    db: &impl ConnectionTrait,
    system: ConnectedSystemId,
    this: SyncRunId,
) -> Result<Option<String>, sea_orm::DbErr> {
    Ok(sync_run::Entity::find()
        .filter(sync_run::Column::ConnectedSystemId.eq(system))
        .filter(sync_run::Column::Kind.eq(RunKind::Import.as_str()))
        .filter(sync_run::Column::State.eq(RunState::Succeeded.as_str()))
        .filter(sync_run::Column::Id.ne(this))
        .order_by_desc(sync_run::Column::FinishedAt)
        .one(db)
        .await?
        .and_then(|r| r.high_water))
}

type Read = (
    Vec<directory::Entry>,
    HashSet<String>,
    Vec<directory::Entry>,
);

/// People, the DNs of those the disabled filter matches, and groups.
async fn read_directory(
    directory: &mut Directory,
    settings: &LdapSettings,
    since: &Marks,
) -> Result<Read, String> {
    let people = directory
        .read(
            &settings.users_base_dn,
            &changed_since(&settings.users_filter, since.people.as_deref()),
            directory::person_attributes(settings),
        )
        .await?;
    let disabled = if settings.disabled_filter.is_empty() {
        HashSet::new()
    } else {
        let filter = format!("(&{}{})", settings.users_filter, settings.disabled_filter);
        directory
            .read(
                &settings.users_base_dn,
                &changed_since(&filter, since.people.as_deref()),
                vec!["1.1".to_owned()],
            )
            .await?
            .into_iter()
            .map(|e| normal_dn(&e.dn))
            .collect()
    };
    let groups = directory
        .read(
            &settings.groups_base_dn,
            &changed_since(&settings.groups_filter, since.groups.as_deref()),
            directory::group_attributes(settings),
        )
        .await?;
    Ok((people, disabled, groups))
}

/// Everyone imported from the system: id, entry, enabled.
async fn imported_people(
    db: &impl ConnectionTrait,
    system: ConnectedSystemId,
) -> Result<Vec<(UserId, String, bool)>, sea_orm::DbErr> {
    let rows: Vec<(UserId, Option<String>, bool)> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::ExternalId)
        .column(user::Column::AccountEnabled)
        .filter(user::Column::SourceSystemId.eq(system))
        .filter(user::Column::DeletedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, external, enabled)| (id, external.unwrap_or_default(), enabled))
        .collect())
}

/// Creates, updates, disables or enables the people of one batch.
async fn write_people(
    txn: &impl ConnectionTrait,
    now: OffsetDateTime,
    context: &Context<'_>,
    batch: Vec<ImportedPerson>,
    tally: &mut Tally,
) -> Result<(), sea_orm::DbErr> {
    if batch.is_empty() {
        return Ok(());
    }
    let (principal, system, system_name) = (context.principal, context.system, context.system_name);
    let externals: Vec<String> = batch.iter().map(|p| p.external_id.clone()).collect();
    let upns: Vec<String> = batch
        .iter()
        .map(|p| p.user_principal_name.as_str().to_owned())
        .collect();
    let existing = user::Entity::find()
        .filter(user::Column::DeletedAt.is_null())
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(user::Column::SourceSystemId.eq(system))
                        .add(user::Column::ExternalId.is_in(externals)),
                )
                .add(user::Column::UserPrincipalName.is_in(upns)),
        )
        .all(txn)
        .await?;
    let by_external: HashMap<String, user::Model> = existing
        .iter()
        .filter(|u| u.source_system_id == Some(system))
        .filter_map(|u| u.external_id.clone().map(|e| (e, u.clone())))
        .collect();
    let by_upn: HashMap<String, user::Model> = existing
        .into_iter()
        .map(|u| (u.user_principal_name.clone(), u))
        .collect();
    let mut new_rows = Vec::new();
    let mut created_events: Vec<(UserId, String, String)> = Vec::new();
    for person in batch {
        let upn = person.user_principal_name.as_str();
        let holder = by_upn.get(upn);
        let found = by_external.get(&person.external_id).or(holder);
        let Some(before) = found else {
            // No password: people from a directory sign in through it (or are given one).
            let mut row = crate::services::users::new_row(
                &person.user_principal_name,
                &person.display_name,
                person.email.clone().into_inner(),
                crate::domain::user::DirectoryRole::User,
                now,
            );
            let id = *row.id.as_ref();
            row.account_enabled = Set(person.enabled);
            row.source_system_id = Set(Some(system));
            row.external_id = Set(Some(person.external_id.clone()));
            row.disabled_by_source = Set(!person.enabled);
            new_rows.push(row);
            created_events.push((id, upn.to_owned(), person.display_name.as_str().to_owned()));
            tally.created += 1;
            continue;
        };
        let by_entry = by_external.contains_key(&person.external_id);
        if !by_entry
            && !context.may_take_over(before.source_system_id, before.external_id.as_deref())
        {
            tally.error(format!(
                "{}: {upn} belongs to {}",
                person.external_id,
                match before.source_system_id {
                    Some(s) if s == system => {
                        "another entry of this directory (a full sync settles a rename)"
                    }
                    _ => "a user imported from another connected system",
                }
            ));
            continue;
        }
        if !by_entry
            && before.source_system_id.is_none()
            && before.directory_role != crate::domain::user::DirectoryRole::User.as_str()
        {
            // An administrator's account is never handed to a directory entry.
            tally.error(format!(
                "{}: {upn} is a Gatehouse administrator's account and is not linked to the directory",
                person.external_id
            ));
            continue;
        }
        if holder.is_some_and(|h| h.id != before.id) {
            tally.error(format!(
                "{}: the user principal name {upn} belongs to another Gatehouse user",
                person.external_id
            ));
            continue;
        }
        let mut changed = Vec::new();
        let mut row: user::ActiveModel = before.clone().into();
        if before.user_principal_name != upn {
            row.user_principal_name = Set(upn.to_owned());
            changed.push("userPrincipalName");
        }
        if before.display_name != person.display_name.as_str() {
            row.display_name = Set(person.display_name.as_str().to_owned());
            changed.push("displayName");
        }
        let email = person.email.clone().into_inner();
        if before.email != email {
            row.email = Set(email);
            changed.push("mail");
        }
        if before.source_system_id != Some(system)
            || before.external_id.as_deref() != Some(person.external_id.as_str())
        {
            row.source_system_id = Set(Some(system));
            row.external_id = Set(Some(person.external_id.clone()));
            changed.push("source");
        }
        let updated = if changed.is_empty() {
            before.clone()
        } else {
            row.updated_at = Set(now);
            let saved = row.update(txn).await?;
            audit::record(
                txn,
                now,
                principal,
                Event {
                    action: action::UPDATE_USER,
                    target_type: action::TARGET_USER,
                    target_id: Some(saved.id.to_string()),
                    target_name: &saved.user_principal_name,
                    detail: json!({ "changed": changed, "source": system_name }),
                },
            )
            .await?;
            saved
        };
        if !person.enabled && updated.account_enabled {
            disable(txn, now, context, updated, system_name, tally).await?;
        } else if person.enabled && !updated.account_enabled && updated.disabled_by_source {
            super::users::change_enabled(txn, now, principal, updated, true, Some(system_name))
                .await?;
            tally.updated += 1;
        } else if changed.is_empty() {
            tally.unchanged += 1;
        } else {
            tally.updated += 1;
        }
    }
    if !new_rows.is_empty() {
        user::Entity::insert_many(new_rows)
            .exec_without_returning(txn)
            .await?;
        let events = created_events
            .iter()
            .map(|(id, upn, name)| Event {
                action: action::ADD_USER,
                target_type: action::TARGET_USER,
                target_id: Some(id.to_string()),
                target_name: upn,
                detail: json!({
                    "displayName": name,
                    "userPrincipalName": upn,
                    "directoryRole": "User",
                    "source": system_name,
                }),
            })
            .collect();
        audit::record_many(txn, now, principal, events).await?;
    }
    Ok(())
}

/// Creates or updates one group, links it to the system (when no system governs it yet),
/// and makes its directory members its members from this source.
async fn write_group(
    txn: &impl ConnectionTrait,
    now: OffsetDateTime,
    context: &Context<'_>,
    settings: &LdapSettings,
    links: &HashMap<String, Vec<GroupId>>,
    found: ImportedGroup,
    tally: &mut Tally,
) -> Result<(), sea_orm::DbErr> {
    let (principal, system) = (context.principal, context.system);
    let key = found.name.key();
    // A group an admin already linked to this very directory group is that group.
    let linked: Vec<GroupId> = links.get(&found.external_id).cloned().unwrap_or_default();
    let existing = group::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(group::Column::SourceSystemId.eq(system))
                        .add(group::Column::ExternalId.eq(found.external_id.clone())),
                )
                .add(group::Column::NameKey.eq(key.clone()))
                .add(group::Column::Id.is_in(linked.clone())),
        )
        .all(txn)
        .await?;
    let by_external = existing
        .iter()
        .find(|g| {
            g.source_system_id == Some(system)
                && g.external_id.as_deref() == Some(&found.external_id)
        })
        .or_else(|| existing.iter().find(|g| linked.contains(&g.id)));
    let by_name = existing.iter().find(|g| g.name_key == key);
    if let (None, Some(named)) = (by_external, by_name) {
        let link = governed_group::Entity::find_by_id(named.id)
            .one(txn)
            .await?;
        // Linked to this directory group, or to its own former entry (a rename): fine.
        let linked_elsewhere = link.is_some_and(|l| {
            let at = normal_dn(&l.external_id);
            l.connected_system_id != system
                || (at != found.external_id && named.external_id.as_deref() != Some(&at))
        });
        if linked_elsewhere
            || !context.may_take_over(named.source_system_id, named.external_id.as_deref())
        {
            tally.error(format!(
                "{}: a Gatehouse group named {} is already linked to another group or imported from another entry",
                found.dn,
                found.name.as_str()
            ));
            return Ok(());
        }
    }
    let name = found.name.as_str();
    let description = found.description.clone().into_inner();
    let previous_entry = by_external.or(by_name).and_then(|g| g.external_id.clone());
    let (group_id, mut changed) = match by_external.or(by_name) {
        None => {
            let id = GroupId::new();
            group::ActiveModel {
                id: Set(id),
                display_name: Set(name.to_owned()),
                name_key: Set(key.clone()),
                description: Set(description.clone()),
                membership_type: Set("assigned".to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
                source_system_id: Set(Some(system)),
                external_id: Set(Some(found.external_id.clone())),
            }
            .insert(txn)
            .await?;
            audit::record(
                txn,
                now,
                principal,
                Event {
                    action: action::ADD_GROUP,
                    target_type: action::TARGET_GROUP,
                    target_id: Some(id.to_string()),
                    target_name: name,
                    detail: json!({ "description": description, "source": found.dn }),
                },
            )
            .await?;
            tally.created += 1;
            (id, true)
        }
        Some(before) => {
            if by_name.is_some_and(|n| n.id != before.id) {
                tally.error(format!(
                    "{}: another Gatehouse group is already named {name}",
                    found.dn
                ));
                return Ok(());
            }
            let mut row: group::ActiveModel = before.clone().into();
            let mut changed = false;
            if before.display_name != name {
                row.display_name = Set(name.to_owned());
                row.name_key = Set(key.clone());
                changed = true;
            }
            if before.description != description {
                row.description = Set(description.clone());
                changed = true;
            }
            if before.source_system_id != Some(system)
                || before.external_id.as_deref() != Some(&found.external_id)
            {
                row.source_system_id = Set(Some(system));
                row.external_id = Set(Some(found.external_id.clone()));
                changed = true;
            }
            if changed {
                row.updated_at = Set(now);
                row.update(txn).await?;
            }
            (before.id, changed)
        }
    };

    // Imported groups are governed where they live, unless another system governs them.
    let governed = governed_group::Entity::find_by_id(group_id)
        .one(txn)
        .await?;
    let delivered_elsewhere = match governed {
        None => {
            governed_group::Entity::insert(governed_group::ActiveModel {
                group_id: Set(group_id),
                connected_system_id: Set(system),
                external_id: Set(found.dn.clone()),
                created_at: Set(now),
                drift_mode: Set(DriftMode::Report.as_str().to_owned()),
            })
            .exec_without_returning(txn)
            .await?;
            false
        }
        Some(g) if g.connected_system_id == system => {
            // Its own directory group, renamed: the link follows it.
            let at = normal_dn(&g.external_id);
            let renamed = at != found.external_id && previous_entry.as_deref() == Some(&at);
            if renamed {
                let mut row: governed_group::ActiveModel = g.into();
                row.external_id = Set(found.dn.clone());
                row.update(txn).await?;
            }
            false
        }
        Some(_) => true,
    };

    let wanted = member_ids(txn, system, settings, &found.members).await?;
    let have: HashSet<UserId> = group_member::Entity::find()
        .select_only()
        .column(group_member::Column::UserId)
        .filter(group_member::Column::GroupId.eq(group_id))
        .filter(group_member::Column::Role.eq(MemberRole::Member.as_str()))
        .filter(group_member::Column::SourceKind.eq(MembershipSource::Direct.as_str()))
        .filter(group_member::Column::SourceId.eq(system.0))
        .into_tuple()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let joining: Vec<UserId> = wanted.difference(&have).copied().collect();
    let leaving: Vec<UserId> = have.difference(&wanted).copied().collect();
    if !joining.is_empty() || !leaving.is_empty() {
        changed = true;
    }
    crate::store::groups::add_sourced_members(txn, group_id, &joining, system.0, now).await?;
    crate::store::groups::remove_sourced_members(txn, group_id, &leaving, system.0).await?;
    if delivered_elsewhere {
        // Governed in another system: these members go there like any direct member.
        let moved: Vec<_> = joining
            .iter()
            .chain(leaving.iter())
            .map(|&u| (group_id, u, None))
            .collect();
        let changes = crate::store::outbox::governed_among(txn, &moved).await?;
        crate::store::outbox::enqueue(txn, now, &changes).await?;
    }
    let names: HashMap<UserId, String> = crate::store::lookup::<user::Entity, _, _>(
        txn,
        user::Column::Id,
        user::Column::UserPrincipalName,
        joining.iter().chain(leaving.iter()).copied().collect(),
    )
    .await?;
    let events = joining
        .iter()
        .map(|u| (action::ADD_MEMBER, u))
        .chain(leaving.iter().map(|u| (action::REMOVE_MEMBER, u)))
        .map(|(what, u)| Event {
            action: what,
            target_type: action::TARGET_GROUP,
            target_id: Some(group_id.to_string()),
            target_name: name,
            detail: json!({
                "member": names.get(u).map_or("", String::as_str),
                "source": found.dn,
                "role": MemberRole::Member.label(),
            }),
        })
        .collect();
    audit::record_many(txn, now, principal, events).await?;
    if changed && by_external.or(by_name).is_some() {
        tally.updated += 1;
    } else if !changed {
        tally.unchanged += 1;
    }
    Ok(())
}

/// The Gatehouse users the group's member values name, among those imported from the
/// system: by DN, or by user name for `memberUid`.
async fn member_ids(
    db: &impl ConnectionTrait,
    system: ConnectedSystemId,
    settings: &LdapSettings,
    members: &[String],
) -> Result<HashSet<UserId>, sea_orm::DbErr> {
    let mut ids = HashSet::new();
    for chunk in members.chunks(500) {
        let condition = match settings.membership {
            MembershipAttribute::MemberUid => {
                let domain = settings.upn_domain();
                user::Column::UserPrincipalName
                    .is_in(chunk.iter().map(|uid| format!("{uid}@{domain}")))
            }
            _ => user::Column::ExternalId.is_in(chunk.to_vec()),
        };
        let found: Vec<UserId> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::SourceSystemId.eq(system))
            .filter(user::Column::DeletedAt.is_null())
            .filter(condition)
            .into_tuple()
            .all(db)
            .await?;
        ids.extend(found);
    }
    Ok(ids)
}
