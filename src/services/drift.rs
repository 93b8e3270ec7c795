//! Drift: a governed group's members in its connected system compared with what Gatehouse
//! expects there (its members from every source: direct, imported, and what assignments
//! grant). A member whose change is still in the outbox is on its way, not drift. Each
//! governed group either reports what it finds (`Report only`) or undoes it (`Revert`),
//! audited as done by the system.
use std::collections::{BTreeSet, HashMap, HashSet};

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;
use time::OffsetDateTime;

use super::audit::{self, Event};
use super::error::{ServiceError, ServiceResult};
use super::sync::{Stop, Tally, progress, succeed, system_of};
use crate::clock::Clock;
use crate::connectors::{Person, Target};
use crate::db::write_txn;
use crate::domain::audit as action;
use crate::domain::authz::{Action, authorize};
use crate::domain::connected::{MembershipAttribute, Settings};
use crate::domain::drift::{Direction, DriftMode, compare};
use crate::domain::group::{MemberRole, MembershipSource};
use crate::domain::outbox::{Change, OutboxState};
use crate::domain::principal::Principal;
use crate::entities::{
    connected_system, drift_finding, governed_group, group, group_member, outbox, sync_run, user,
};
use crate::ids::{ConnectedSystemId, DriftFindingId, GroupId, UserId};
use crate::secrets::SecretBox;
use crate::store::outbox::Governed;

/// A governed group as the Drift page lists it.
#[derive(Clone, Debug)]
pub struct GovernedGroup {
    pub group_id: GroupId,
    pub display_name: String,
    /// Where it is in the system: a DN, or a SCIM group id.
    pub external_id: String,
    pub mode: DriftMode,
}

/// A member changed outside Gatehouse.
#[derive(Clone, Debug)]
pub struct Finding {
    pub group_id: GroupId,
    pub group_name: String,
    /// The Gatehouse user, when the member is one: (display name, user principal name).
    pub user: Option<(String, String)>,
    pub member_value: String,
    pub direction: Direction,
    pub first_seen_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

/// The system's governed groups, by name.
pub async fn governed_groups(
    db: &DatabaseConnection,
    principal: &Principal,
    system: ConnectedSystemId,
) -> ServiceResult<Vec<GovernedGroup>> {
    authorize(principal, Action::ManageConnectedSystems)?;
    let links = governed_group::Entity::find()
        .filter(governed_group::Column::ConnectedSystemId.eq(system))
        .all(db)
        .await?;
    let names = group_names(db, links.iter().map(|l| l.group_id).collect()).await?;
    let mut groups: Vec<GovernedGroup> = links
        .into_iter()
        .map(|l| GovernedGroup {
            display_name: names.get(&l.group_id).cloned().unwrap_or_default(),
            group_id: l.group_id,
            external_id: l.external_id,
            mode: DriftMode::from_stored(&l.drift_mode),
        })
        .collect();
    groups.sort_by_key(|g| g.display_name.to_lowercase());
    Ok(groups)
}

async fn group_names(
    db: &impl ConnectionTrait,
    ids: Vec<GroupId>,
) -> Result<HashMap<GroupId, String>, sea_orm::DbErr> {
    crate::store::lookup::<group::Entity, _, _>(
        db,
        group::Column::Id,
        group::Column::DisplayName,
        ids,
    )
    .await
}

/// What the latest checks found, by group, then the way it drifted.
pub async fn findings(
    db: &DatabaseConnection,
    principal: &Principal,
    system: ConnectedSystemId,
) -> ServiceResult<Vec<Finding>> {
    authorize(principal, Action::ManageConnectedSystems)?;
    let rows = drift_finding::Entity::find()
        .filter(drift_finding::Column::ConnectedSystemId.eq(system))
        .order_by_asc(drift_finding::Column::FirstSeenAt)
        .limit(1000)
        .all(db)
        .await?;
    let names = group_names(db, rows.iter().map(|r| r.group_id).collect()).await?;
    let user_ids: Vec<UserId> = rows.iter().filter_map(|r| r.user_id).collect();
    let people: HashMap<UserId, (String, String)> = crate::store::users::by_ids(db, &user_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, (u.display_name, u.user_principal_name)))
        .collect();
    let mut found: Vec<Finding> = rows
        .into_iter()
        .map(|r| Finding {
            group_name: names.get(&r.group_id).cloned().unwrap_or_default(),
            group_id: r.group_id,
            user: r.user_id.and_then(|u| people.get(&u).cloned()),
            member_value: r.member_value,
            direction: Direction::from_stored(&r.direction),
            first_seen_at: r.first_seen_at,
            last_seen_at: r.last_seen_at,
        })
        .collect();
    found.sort_by(|a, b| {
        (a.group_name.to_lowercase(), a.direction, &a.member_value).cmp(&(
            b.group_name.to_lowercase(),
            b.direction,
            &b.member_value,
        ))
    });
    Ok(found)
}

/// `Report only` or `Revert` for one governed group.
#[tracing::instrument(skip_all, fields(principal = %principal.name, system = %system, group = %group_id))]
pub async fn set_mode(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    system: ConnectedSystemId,
    group_id: GroupId,
    mode: DriftMode,
) -> ServiceResult<()> {
    authorize(principal, Action::ManageConnectedSystems)?;
    let txn = write_txn(db).await?;
    let link = governed_group::Entity::find_by_id(group_id)
        .filter(governed_group::Column::ConnectedSystemId.eq(system))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let name = group_names(&txn, vec![group_id]).await?;
    let mut row: governed_group::ActiveModel = link.into();
    row.drift_mode = Set(mode.as_str().to_owned());
    sea_orm::ActiveModelTrait::update(row, &txn).await?;
    audit::record(
        &txn,
        clock.now(),
        principal,
        Event {
            action: action::SET_DRIFT_MODE,
            target_type: action::TARGET_GROUP,
            target_id: Some(group_id.to_string()),
            target_name: name.get(&group_id).map_or("", String::as_str),
            detail: json!({ "driftMode": mode.label() }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// One drift check of every group the system governs (a run the worker claimed).
pub(crate) async fn check(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    secrets: &SecretBox,
    run: &sync_run::Model,
) -> Result<(), Stop> {
    let (row, settings, secret) = system_of(db, secrets, run).await?;
    let mut target = Target::open(&settings, &secret)
        .await
        .map_err(|e| Stop::Failed(format!("{} could not be reached: {e}", row.display_name)))?;
    let checked = check_groups(db, clock, &mut target, &row, &settings, run).await;
    target.close().await;
    checked
}

/// How each Gatehouse user is spelled as a member in the system, looked up once a check.
struct Keys<'a> {
    target: &'a mut Target,
    system: ConnectedSystemId,
    /// A directory whose members are DNs: an imported person's DN is their member value.
    by_dn: bool,
    known: HashMap<UserId, Result<String, String>>,
}

impl Keys<'_> {
    async fn of(&mut self, person: &user::Model) -> Result<String, String> {
        if let Some(key) = self.known.get(&person.id) {
            return key.clone();
        }
        let key = match (&person.external_id, self.by_dn) {
            (Some(dn), true) if person.source_system_id == Some(self.system) => Ok(dn.clone()),
            _ => {
                self.target
                    .member_key(&Person {
                        user_principal_name: person.user_principal_name.clone(),
                        email: person.email.clone(),
                    })
                    .await
            }
        };
        self.known.insert(person.id, key.clone());
        key
    }
}

/// What one group's check found: drift, each with the Gatehouse user when known.
type Found = Vec<(Direction, String, Option<UserId>)>;

async fn check_groups(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    target: &mut Target,
    system: &connected_system::Model,
    settings: &Settings,
    run: &sync_run::Model,
) -> Result<(), Stop> {
    let principal = Principal::connector(&system.display_name);
    let links = governed_group::Entity::find()
        .filter(governed_group::Column::ConnectedSystemId.eq(system.id))
        .all(db)
        .await?;
    let groups: HashMap<GroupId, group::Model> = group::Entity::find()
        .filter(
            group::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(governed_group::Column::GroupId)
                    .from(governed_group::Entity)
                    .and_where(governed_group::Column::ConnectedSystemId.eq(system.id))
                    .to_owned(),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g))
        .collect();
    let on_the_way = pending(db, system.id).await?;
    let mut keys = Keys {
        target,
        system: system.id,
        by_dn: matches!(
            settings,
            Settings::Ldap(s) if s.membership != MembershipAttribute::MemberUid
        ),
        known: HashMap::new(),
    };
    let mut tally = Tally::default();
    let (mut added, mut removed, mut reverted) = (0usize, 0usize, 0usize);
    let total = links.len();
    for (done, link) in links.iter().enumerate() {
        let Some(group) = groups.get(&link.group_id) else {
            continue;
        };
        let name = group.display_name.clone();
        let found = match compare_group(db, &mut keys, link, group, &on_the_way).await? {
            Ok(found) => found,
            Err(why) => {
                // Nothing is reported, let alone reverted, from a partial picture.
                tally.error(format!("{name}: {why}"));
                continue;
            }
        };
        let (held, found) = found;
        let added_users = known_users(db, system.id, &found).await?;
        // Reverting talks to the system first; the transaction only records.
        let mode = DriftMode::from_stored(&link.drift_mode);
        let mut kept = Vec::new();
        let mut undone = Vec::new();
        for (direction, key, user) in found {
            let user = user.or_else(|| added_users.get(&key).copied());
            if mode == DriftMode::Revert {
                let outcome = match (direction, user) {
                    (Direction::Added, _) => {
                        let value = held.get(&key).cloned().unwrap_or_else(|| key.clone());
                        keys.target
                            .set_member_value(&link.external_id, &value, false)
                            .await
                    }
                    // Added back through the outbox, like any change Gatehouse makes.
                    (Direction::Removed, Some(_)) => Ok(()),
                    (Direction::Removed, None) => Err("not a Gatehouse user".to_owned()),
                };
                match outcome {
                    Ok(()) => {
                        undone.push((direction, key, user));
                        continue;
                    }
                    Err(e) => tally.error(format!("{name}: could not revert {key}: {e}")),
                }
            }
            match direction {
                Direction::Added => added += 1,
                Direction::Removed => removed += 1,
            }
            kept.push((direction, key, user));
        }
        let now = clock.now();
        let txn = write_txn(db).await?;
        for (direction, key, user) in &undone {
            if let (Direction::Removed, Some(user)) = (direction, user) {
                let change = Governed {
                    group: link.group_id,
                    user: *user,
                    system: system.id,
                    assignment: None,
                };
                crate::store::outbox::enqueue(&txn, now, &[change]).await?;
            }
            audit::record(
                &txn,
                now,
                &principal,
                Event {
                    action: action::REVERT_DRIFT,
                    target_type: action::TARGET_GROUP,
                    target_id: Some(link.group_id.to_string()),
                    target_name: &name,
                    detail: json!({
                        "member": key,
                        "drift": direction.label(),
                        "done": match direction {
                            Direction::Added => "removed from the group",
                            Direction::Removed => "added back to the group",
                        },
                    }),
                },
            )
            .await?;
        }
        reverted += undone.len();
        let (new, still) = keep_findings(&txn, now, system.id, link.group_id, kept).await?;
        tally.created += new as i64;
        tally.unchanged += still as i64;
        tally.updated = reverted as i64;
        progress(
            &txn,
            now,
            run,
            "Comparing members",
            (done + 1, total),
            &tally,
        )
        .await?;
        txn.commit().await?;
    }
    let summary = format!(
        "Checked {total} {}: {added} added outside Gatehouse, {removed} removed outside Gatehouse, {reverted} reverted",
        if total == 1 { "group" } else { "groups" }
    );
    let now = clock.now();
    let txn = write_txn(db).await?;
    // Groups no longer governed keep no findings.
    drift_finding::Entity::delete_many()
        .filter(drift_finding::Column::ConnectedSystemId.eq(system.id))
        .filter(
            drift_finding::Column::GroupId.not_in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(governed_group::Column::GroupId)
                    .from(governed_group::Entity)
                    .and_where(governed_group::Column::ConnectedSystemId.eq(system.id))
                    .to_owned(),
            ),
        )
        .exec(&txn)
        .await?;
    progress(&txn, now, run, &summary, (total, total), &tally).await?;
    succeed(&txn, now, run, &summary, None).await?;
    audit::record(
        &txn,
        now,
        &principal,
        Event {
            action: action::CHECK_DRIFT,
            target_type: action::TARGET_CONNECTED_SYSTEM,
            target_id: Some(system.id.to_string()),
            target_name: &system.display_name,
            detail: json!({
                "groups": total,
                "addedOutside": added,
                "removedOutside": removed,
                "reverted": reverted,
                "errors": tally.errors,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// One group: its members as the system holds them (by key), and the drift; or why the
/// group could not be compared.
async fn compare_group(
    db: &DatabaseConnection,
    keys: &mut Keys<'_>,
    link: &governed_group::Model,
    group: &group::Model,
    on_the_way: &HashMap<GroupId, HashSet<UserId>>,
) -> Result<Result<(HashMap<String, String>, Found), String>, sea_orm::DbErr> {
    let actual = match keys.target.members(&link.external_id).await {
        Ok(actual) => actual,
        Err(e) => return Ok(Err(e)),
    };
    let held: HashMap<String, String> = actual.into_iter().collect();
    // A group imported from this very directory takes its own members from there: only
    // what Gatehouse grants on top (assignments, direct members added here) can drift, and
    // members the directory added are the next import's to bring in.
    let imported_here = group.source_system_id == Some(keys.system);
    let mut expected: HashMap<String, UserId> = HashMap::new();
    for person in expected_people(db, link.group_id, imported_here.then_some(keys.system)).await? {
        match keys.of(&person).await {
            Ok(key) => {
                expected.insert(key, person.id);
            }
            Err(e) => {
                return Ok(Err(format!(
                    "{} could not be found there ({e})",
                    person.user_principal_name
                )));
            }
        }
    }
    let waiting_users: Vec<UserId> = on_the_way
        .get(&link.group_id)
        .into_iter()
        .flatten()
        .copied()
        .collect();
    let mut waiting = BTreeSet::new();
    for person in user::Entity::find()
        .filter(user::Column::Id.is_in(waiting_users))
        .all(db)
        .await?
    {
        if let Ok(key) = keys.of(&person).await {
            waiting.insert(key);
        }
    }
    let wanted: BTreeSet<String> = expected.keys().cloned().collect();
    let there: BTreeSet<String> = held.keys().cloned().collect();
    let found = compare(&wanted, &there, &waiting)
        .into_iter()
        .filter(|(direction, _)| !(imported_here && *direction == Direction::Added))
        .map(|(direction, key)| {
            let user = expected.get(&key).copied();
            (direction, key, user)
        })
        .collect();
    Ok(Ok((held, found)))
}

/// Who Gatehouse expects in the group there: its members from every source (but the
/// directory's own, for a group imported from `not_imported_from`).
async fn expected_people(
    db: &impl ConnectionTrait,
    group: GroupId,
    not_imported_from: Option<ConnectedSystemId>,
) -> Result<Vec<user::Model>, sea_orm::DbErr> {
    let mut query = group_member::Entity::find()
        .select_only()
        .column(group_member::Column::UserId)
        .filter(group_member::Column::GroupId.eq(group))
        .filter(group_member::Column::Role.eq(MemberRole::Member.as_str()));
    if let Some(system) = not_imported_from {
        query = query.filter(
            sea_orm::Condition::any()
                .add(group_member::Column::SourceKind.ne(MembershipSource::Direct.as_str()))
                .add(group_member::Column::SourceId.ne(system.0)),
        );
    }
    let ids: Vec<UserId> = query.distinct().into_tuple().all(db).await?;
    let mut people = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        people.extend(
            user::Entity::find()
                .filter(user::Column::Id.is_in(chunk.to_vec()))
                .all(db)
                .await?,
        );
    }
    Ok(people)
}

/// Memberships of the system's groups still waiting in the outbox, by group.
async fn pending(
    db: &impl ConnectionTrait,
    system: ConnectedSystemId,
) -> Result<HashMap<GroupId, HashSet<UserId>>, sea_orm::DbErr> {
    let payloads: Vec<String> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Payload)
        .filter(outbox::Column::ConnectedSystemId.eq(system))
        .filter(outbox::Column::Kind.eq("membership"))
        .filter(outbox::Column::State.eq(OutboxState::Pending.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    let mut waiting: HashMap<GroupId, HashSet<UserId>> = HashMap::new();
    for payload in payloads {
        if let Ok(Change::Membership { group, user }) = serde_json::from_str(&payload) {
            waiting.entry(group).or_default().insert(user);
        }
    }
    Ok(waiting)
}

/// The Gatehouse users among members added outside, for a directory whose members are the
/// DNs of imported people.
async fn known_users(
    db: &impl ConnectionTrait,
    system: ConnectedSystemId,
    found: &[(Direction, String, Option<UserId>)],
) -> Result<HashMap<String, UserId>, sea_orm::DbErr> {
    let values: Vec<String> = found
        .iter()
        .filter(|(d, _, u)| *d == Direction::Added && u.is_none())
        .map(|(_, k, _)| k.clone())
        .collect();
    let mut known = HashMap::new();
    for chunk in values.chunks(500) {
        let rows: Vec<(UserId, Option<String>)> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::ExternalId)
            .filter(user::Column::SourceSystemId.eq(system))
            .filter(user::Column::ExternalId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        known.extend(rows.into_iter().filter_map(|(id, e)| e.map(|e| (e, id))));
    }
    Ok(known)
}

/// Replaces the group's findings with `kept`, keeping when each was first seen: (new ones,
/// ones seen before).
async fn keep_findings(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    system: ConnectedSystemId,
    group: GroupId,
    kept: Vec<(Direction, String, Option<UserId>)>,
) -> Result<(usize, usize), sea_orm::DbErr> {
    let before: HashMap<(String, String), drift_finding::Model> = drift_finding::Entity::find()
        .filter(drift_finding::Column::GroupId.eq(group))
        .all(db)
        .await?
        .into_iter()
        .map(|f| ((f.direction.clone(), f.member_value.clone()), f))
        .collect();
    drift_finding::Entity::delete_many()
        .filter(drift_finding::Column::GroupId.eq(group))
        .exec(db)
        .await?;
    let (mut new, mut still) = (0, 0);
    let rows: Vec<drift_finding::ActiveModel> = kept
        .into_iter()
        .map(|(direction, value, user)| {
            let first = before
                .get(&(direction.as_str().to_owned(), value.clone()))
                .map(|f| f.first_seen_at);
            if first.is_some() {
                still += 1;
            } else {
                new += 1;
            }
            drift_finding::ActiveModel {
                id: Set(DriftFindingId::new()),
                connected_system_id: Set(system),
                group_id: Set(group),
                user_id: Set(user),
                member_value: Set(value.chars().take(1024).collect()),
                direction: Set(direction.as_str().to_owned()),
                first_seen_at: Set(first.unwrap_or(now)),
                last_seen_at: Set(now),
            }
        })
        .collect();
    for chunk in rows.chunks(500) {
        drift_finding::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok((new, still))
}
