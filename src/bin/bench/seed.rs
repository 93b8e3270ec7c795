//! Seeds a directory of a given size straight through the entities: bulk inserts in
//! transactions, one password hash shared by every user (hashing 100k passwords would take
//! half an hour and measures nothing).
use gatehouse::domain::audit as action;
use gatehouse::domain::user::Password;
use gatehouse::entities::{
    access_package, assignment, assignment_policy, assignment_request, audit_event,
    catalog_resource, group, group_member, policy_approver, policy_requestor, resource_role, user,
};
use gatehouse::ids::{
    AccessPackageId, AssignmentId, AuditEventId, CatalogResourceId, GroupId, MembershipId,
    PolicyApproverId, PolicyId, PolicyRequestorId, RequestId, ResourceRoleId, UserId,
};
use gatehouse::services::password;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, TransactionTrait};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

pub const PASSWORD: &str = "bench password, not a secret";

/// How big a directory to make.
#[derive(Clone, Copy, Debug)]
pub struct Size {
    pub users: usize,
    pub groups: usize,
    pub packages: usize,
    /// Assignments per user (the popular package's come on top).
    pub per_user: usize,
    /// Assignments of the one popular package.
    pub popular: usize,
    pub pending: usize,
    pub audit: usize,
}

impl Size {
    pub const SMALL: Size = Size {
        users: 1_000,
        groups: 100,
        packages: 100,
        per_user: 10,
        popular: 180,
        pending: 1_000,
        audit: 1_000,
    };
    pub const LARGE: Size = Size {
        users: 100_000,
        groups: 10_000,
        packages: 10_000,
        per_user: 10,
        popular: 18_000,
        pending: 1_000,
        audit: 100_000,
    };

    pub fn assignments(&self) -> usize {
        self.users * self.per_user + self.popular
    }
}

/// What the load needs to know of the seeded world.
pub struct World {
    pub admin: String,
    pub approver: String,
    pub requestor: String,
    pub popular: AccessPackageId,
}

const CHUNK: usize = 1_000;

async fn insert_all<A>(db: &DatabaseConnection, rows: Vec<A>) -> anyhow::Result<()>
where
    A: ActiveModelTrait + Send,
{
    let txn = db.begin().await?;
    let mut rows = rows;
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(CHUNK));
        <A::Entity as EntityTrait>::insert_many(std::mem::replace(&mut rows, rest))
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

fn person(n: usize, hash: &str, role: &str, now: OffsetDateTime) -> user::ActiveModel {
    user::Model {
        id: UserId::new(),
        user_principal_name: format!("user{n:06}@bench.test"),
        display_name: format!("User {n:06}"),
        email: None,
        directory_role: role.to_owned(),
        account_enabled: true,
        password_hash: hash.to_owned(),
        security_stamp: format!("stamp{n}"),
        created_at: now,
        updated_at: now,
        deleted_at: None,
        former_user_principal_name: None,
        source_system_id: None,
        external_id: None,
        disabled_by_source: false,
        scim_profile: None,
        sso_subject: None,
        optional_email: true,
    }
    .into()
}

/// Makes the directory; returns who to sign in as.
pub async fn seed(db: &DatabaseConnection, size: Size) -> anyhow::Result<World> {
    let now = OffsetDateTime::now_utc();
    let hash = password::hash(&Password::parse(PASSWORD)?).await?;
    let catalog = gatehouse::store::catalogs::default_catalog(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no Default catalog"))?
        .id;

    // People: user000000 is the Global administrator, user000001 approves, the rest request.
    let mut users = Vec::with_capacity(size.users);
    for n in 0..size.users {
        let role = if n == 0 {
            "globalAdministrator"
        } else {
            "user"
        };
        users.push(person(n, &hash, role, now));
    }
    let user_ids: Vec<UserId> = users.iter().map(|u| *u.id.as_ref()).collect();
    insert_all(db, users).await?;
    let approver = user_ids[1];

    let groups: Vec<group::ActiveModel> = (0..size.groups)
        .map(|n| {
            group::Model {
                id: GroupId::new(),
                display_name: format!("Group {n:05}"),
                name_key: format!("group {n:05}"),
                description: String::new(),
                membership_type: "assigned".into(),
                created_at: now,
                updated_at: now,
                source_system_id: None,
                external_id: None,
            }
            .into()
        })
        .collect();
    let group_ids: Vec<GroupId> = groups.iter().map(|g| *g.id.as_ref()).collect();
    insert_all(db, groups).await?;
    insert_all(
        db,
        group_ids
            .iter()
            .map(|g| {
                catalog_resource::Model {
                    id: CatalogResourceId::new(),
                    catalog_id: catalog,
                    group_id: *g,
                    created_at: now,
                }
                .into()
            })
            .collect::<Vec<catalog_resource::ActiveModel>>(),
    )
    .await?;

    // Packages, each granting one group, with one policy: every tenth open to all members,
    // the others to the members of one group; all approved by the approver.
    let mut packages = Vec::new();
    let mut roles = Vec::new();
    let mut policies = Vec::new();
    let mut requestors = Vec::new();
    let mut approvers = Vec::new();
    let mut package_ids = Vec::new();
    let mut policy_ids = Vec::new();
    for n in 0..size.packages {
        let id = AccessPackageId::new();
        let policy = PolicyId::new();
        let group = group_ids[n % group_ids.len()];
        package_ids.push(id);
        policy_ids.push(policy);
        packages.push(access_package::ActiveModel::from(access_package::Model {
            id,
            catalog_id: catalog,
            display_name: format!("Package {n:05}"),
            name_key: format!("package {n:05}"),
            description: "Seeded by the benchmark".into(),
            is_hidden: false,
            created_at: now,
            updated_at: now,
        }));
        roles.push(resource_role::ActiveModel::from(resource_role::Model {
            id: ResourceRoleId::new(),
            access_package_id: id,
            group_id: group,
            role: "member".into(),
            created_at: now,
        }));
        let open = n % 10 == 0;
        policies.push(assignment_policy::ActiveModel::from(
            assignment_policy::Model {
                id: policy,
                access_package_id: id,
                display_name: "Seeded policy".into(),
                description: String::new(),
                allowed_target_scope: if open {
                    "allMemberUsers"
                } else {
                    "specificDirectoryUsers"
                }
                .into(),
                is_approval_required: true,
                is_requestor_justification_required: false,
                is_approver_justification_required: false,
                approval_duration_days: 14,
                expiration_type: "afterDuration".into(),
                expiration_duration: Some("P30D".into()),
                expiration_end_date_time: None,
                can_requestor_specify_schedule: true,
                is_enabled: true,
                approval_reminder_days: None,
                is_email_enabled: true,
                can_extend: false,
                created_at: now,
                updated_at: now,
            },
        ));
        if !open {
            requestors.push(policy_requestor::ActiveModel::from(
                policy_requestor::Model {
                    id: PolicyRequestorId::new(),
                    policy_id: policy,
                    subject_kind: "group".into(),
                    user_id: None,
                    group_id: Some(group_ids[(n * 7) % group_ids.len()]),
                },
            ));
        }
        approvers.push(policy_approver::ActiveModel::from(policy_approver::Model {
            id: PolicyApproverId::new(),
            policy_id: policy,
            user_id: approver,
        }));
    }
    insert_all(db, packages).await?;
    insert_all(db, roles).await?;
    insert_all(db, policies).await?;
    insert_all(db, requestors).await?;
    insert_all(db, approvers).await?;

    // Direct memberships: everyone in two groups.
    let mut direct = Vec::with_capacity(size.users * 2);
    for (n, user) in user_ids.iter().enumerate() {
        for k in 0..2 {
            direct.push(group_member::ActiveModel::from(group_member::Model {
                id: MembershipId::new(),
                group_id: group_ids[(n * 2 + k) % group_ids.len()],
                user_id: *user,
                role: "member".into(),
                source_kind: "direct".into(),
                source_id: Uuid::nil(),
                created_at: now,
            }));
        }
    }
    insert_all(db, direct).await?;

    // Delivered assignments, each with its membership and the request that made it, written
    // in slices so that memory stays flat.
    let popular = 0usize;
    let mut plan: Vec<(usize, usize)> = (0..size.popular.min(user_ids.len()))
        .map(|u| (u, popular))
        .collect();
    for u in 0..user_ids.len() {
        for k in 0..size.per_user {
            let p = 1 + (u * 7 + k * 1013) % (size.packages - 1);
            plan.push((u, p));
        }
    }
    for slice in plan.chunks(50_000) {
        let mut assignments = Vec::with_capacity(slice.len());
        let mut memberships = Vec::with_capacity(slice.len());
        let mut requests = Vec::with_capacity(slice.len());
        for &(u, p) in slice {
            let id = AssignmentId::new();
            let target = user_ids[u];
            assignments.push(assignment::ActiveModel::from(assignment::Model {
                id,
                access_package_id: package_ids[p],
                policy_id: Some(policy_ids[p]),
                target_id: target,
                state: "delivered".into(),
                start_at: now - Duration::days(1),
                end_at: Some(now + Duration::days(29)),
                created_at: now - Duration::days(1),
                updated_at: now - Duration::days(1),
            }));
            memberships.push(group_member::ActiveModel::from(group_member::Model {
                id: MembershipId::new(),
                group_id: group_ids[p % group_ids.len()],
                user_id: target,
                role: "member".into(),
                source_kind: "assignment".into(),
                source_id: id.0,
                created_at: now,
            }));
            requests.push(assignment_request::ActiveModel::from(request(
                target,
                package_ids[p],
                policy_ids[p],
                Some(id),
                now - Duration::days(1),
            )));
        }
        insert_all(db, assignments).await?;
        insert_all(db, memberships).await?;
        insert_all(db, requests).await?;
    }

    // Requests waiting for the approver, from users who do not hold that package.
    let pending: Vec<assignment_request::ActiveModel> = (0..size.pending.min(user_ids.len() - 2))
        .map(|n| {
            let u = 2 + n;
            // A package the user does not hold (theirs are k = 0 .. per_user).
            let p = 1 + (u * 7 + size.per_user * 1013) % (size.packages - 1);
            let mut row = request(user_ids[u], package_ids[p], policy_ids[p], None, now);
            row.state = "pendingApproval".into();
            row.status = "Pending approval".into();
            row.completed_at = None;
            row.decide_by = Some(now + Duration::days(14));
            row.into()
        })
        .collect();
    insert_all(db, pending).await?;

    let audit: Vec<audit_event::ActiveModel> = (0..size.audit)
        .map(|n| {
            audit_event::Model {
                id: AuditEventId::new(),
                occurred_at: now - Duration::seconds((size.audit - n) as i64),
                actor_id: None,
                actor_name: "gatehouse bench".into(),
                action: action::ADD_USER.into(),
                target_type: action::TARGET_USER.into(),
                target_id: Some(user_ids[n % user_ids.len()].to_string()),
                target_name: format!("user{:06}@bench.test", n % user_ids.len()),
                detail: "{}".into(),
                client_ip: None,
            }
            .into()
        })
        .collect();
    insert_all(db, audit).await?;

    Ok(World {
        admin: "user000000@bench.test".into(),
        approver: "user000001@bench.test".into(),
        requestor: "user000002@bench.test".into(),
        popular: package_ids[popular],
    })
}

/// Who to sign in as in a directory seeded earlier (a cached copy).
pub async fn world(db: &DatabaseConnection) -> anyhow::Result<World> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let popular = access_package::Entity::find()
        .filter(access_package::Column::NameKey.eq("package 00000"))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the cached directory has no Package 00000"))?;
    Ok(World {
        admin: "user000000@bench.test".into(),
        approver: "user000001@bench.test".into(),
        requestor: "user000002@bench.test".into(),
        popular: popular.id,
    })
}

fn request(
    target: UserId,
    package: AccessPackageId,
    policy: PolicyId,
    assignment: Option<AssignmentId>,
    at: OffsetDateTime,
) -> assignment_request::Model {
    assignment_request::Model {
        id: RequestId::new(),
        request_type: "userAdd".into(),
        state: "delivered".into(),
        status: "Fulfilled".into(),
        requestor_id: Some(target),
        target_id: target,
        access_package_id: package,
        policy_id: Some(policy),
        assignment_id: assignment,
        justification: "Seeded".into(),
        schedule_start: None,
        schedule_end: None,
        decide_by: None,
        remind_at: None,
        created_at: at,
        completed_at: Some(at),
    }
}
