//! Reading groups and their members.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::contains_ci;
use crate::domain::group::{Group, Member, MemberRole, MembershipSource, MembershipType};
use crate::domain::page::{Cursor, KeysetPage, NameKey, Page, PageRequest};
use crate::entities::{group, group_member, user};
use crate::ids::{GroupId, UserId};

impl From<group::Model> for Group {
    fn from(m: group::Model) -> Self {
        Group {
            id: m.id,
            display_name: m.display_name,
            description: m.description,
            membership_type: MembershipType::Assigned,
            created_at: m.created_at,
            source_system: m.source_system_id,
        }
    }
}

pub async fn find_by_id(
    db: &impl ConnectionTrait,
    id: GroupId,
) -> Result<Option<Group>, sea_orm::DbErr> {
    Ok(group::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Group::from))
}

/// How many people are members of a group, as the Groups list shows it: exact up to
/// [`MemberCount::CAP`], "1,000+" above (counting a big group exactly on every view of the
/// list costs as much as reading all its memberships; its own Members page pages them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberCount {
    Exact(u64),
    MoreThanCap,
}

impl MemberCount {
    pub const CAP: u64 = 1_000;
}

impl std::fmt::Display for MemberCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Exact(n) => write!(f, "{n}"),
            Self::MoreThanCap => f.write_str("1,000+"),
        }
    }
}

#[derive(sea_orm::FromQueryResult)]
struct GroupRow {
    id: GroupId,
    display_name: String,
    name_key: String,
    description: String,
    membership_type: String,
    created_at: time::OffsetDateTime,
    updated_at: time::OffsetDateTime,
    source_system_id: Option<crate::ids::ConnectedSystemId>,
    /// Distinct members among the first `CAP + 1` membership rows; -1 when there are more.
    members: i64,
}

/// A page of groups with their member counts, in one statement: each count reads at most
/// `CAP + 1` entries of the membership index.
pub async fn list(
    db: &impl ConnectionTrait,
    search: &str,
    cursor: Cursor<NameKey>,
    per_page: usize,
) -> Result<KeysetPage<(Group, MemberCount)>, sea_orm::DbErr> {
    let mut query = group::Entity::find().column_as(
        Expr::cust(format!(
            "(SELECT CASE WHEN COUNT(*) > {cap} THEN -1 ELSE COUNT(DISTINCT capped.user_id) END \
             FROM (SELECT m.user_id FROM group_members m \
             WHERE m.group_id = groups.id AND m.role = 'member' LIMIT {limit}) capped)",
            cap = MemberCount::CAP,
            limit = MemberCount::CAP + 1,
        )),
        "members",
    );
    if !search.trim().is_empty() {
        query = query.filter(contains_ci(Expr::col(group::Column::DisplayName), search));
    }
    // By name key, a page at a time: no count over every group.
    let rows = super::keyset_by_name(query, group::Column::NameKey, group::Column::Id, &cursor)
        .limit(per_page as u64 + 1)
        .into_model::<GroupRow>()
        .all(db)
        .await?;
    let items: Vec<(String, Group, MemberCount)> = rows
        .into_iter()
        .map(|row| {
            let count =
                u64::try_from(row.members).map_or(MemberCount::MoreThanCap, MemberCount::Exact);
            let group = group::Model {
                id: row.id,
                display_name: row.display_name,
                name_key: row.name_key.clone(),
                description: row.description,
                membership_type: row.membership_type,
                created_at: row.created_at,
                updated_at: row.updated_at,
                source_system_id: row.source_system_id,
                external_id: None,
            };
            (row.name_key, Group::from(group), count)
        })
        .collect();
    let page = KeysetPage::from_rows(items, cursor, per_page, |(key, g, _)| NameKey {
        name: key.clone(),
        id: g.id.0,
    });
    Ok(KeysetPage {
        items: page.items.into_iter().map(|(_, g, n)| (g, n)).collect(),
        next: page.next,
        previous: page.previous,
    })
}

/// Everyone in the group as a member, each once, with all their sources.
pub async fn members(
    db: &impl ConnectionTrait,
    id: GroupId,
) -> Result<Vec<Member>, sea_orm::DbErr> {
    with_role(db, id, MemberRole::Member).await
}

/// The group's owners, each once, with all their sources.
pub async fn owners(db: &impl ConnectionTrait, id: GroupId) -> Result<Vec<Member>, sea_orm::DbErr> {
    with_role(db, id, MemberRole::Owner).await
}

async fn with_role(
    db: &impl ConnectionTrait,
    id: GroupId,
    role: MemberRole,
) -> Result<Vec<Member>, sea_orm::DbErr> {
    let rows = group_member::Entity::find()
        .filter(group_member::Column::GroupId.eq(id))
        .filter(group_member::Column::Role.eq(role.as_str()))
        .find_also_related(user::Entity)
        .order_by_asc(group_member::Column::CreatedAt)
        .all(db)
        .await?;
    let mut members: Vec<Member> = Vec::new();
    for (row, person) in rows {
        let Some(person) = person else { continue };
        let source = MembershipSource::from_stored(&row.source_kind);
        match members.iter_mut().find(|m| m.user_id == row.user_id) {
            Some(member) => member.sources.push(source),
            None => members.push(Member {
                user_id: person.id,
                display_name: person.display_name,
                user_principal_name: person.user_principal_name,
                sources: vec![source],
                since: row.created_at,
            }),
        }
    }
    members.sort_by_key(|m| m.display_name.to_lowercase());
    Ok(members)
}

/// Which of `users` are direct members and direct owners of the group.
pub async fn direct_roles(
    db: &impl ConnectionTrait,
    id: GroupId,
    users: &[UserId],
) -> Result<Vec<(UserId, MemberRole)>, sea_orm::DbErr> {
    let rows = group_member::Entity::find()
        .filter(group_member::Column::GroupId.eq(id))
        .filter(group_member::Column::UserId.is_in(users.iter().copied()))
        .filter(group_member::Column::SourceKind.eq(MembershipSource::Direct.as_str()))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.user_id, MemberRole::from_stored(&r.role)))
        .collect())
}

/// Groups `user` is a member of, by name.
pub async fn of_user(
    db: &impl ConnectionTrait,
    user: UserId,
) -> Result<Vec<Group>, sea_orm::DbErr> {
    let rows = group::Entity::find()
        .inner_join(group_member::Entity)
        .filter(group_member::Column::UserId.eq(user))
        .filter(group_member::Column::Role.eq("member"))
        .distinct()
        .order_by_asc(group::Column::NameKey)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Group::from).collect())
}

/// The groups with these ids that still exist, by name.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[GroupId],
) -> Result<Vec<Group>, sea_orm::DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = group::Entity::find()
        .filter(group::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(group::Column::NameKey)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Group::from).collect())
}

/// Groups whose name contains `search`, by name: a page for pickers.
pub async fn search(
    db: &impl ConnectionTrait,
    search: &str,
    page: PageRequest,
) -> Result<Page<Group>, sea_orm::DbErr> {
    let mut query = group::Entity::find();
    if !search.is_empty() {
        query = query.filter(contains_ci(Expr::col(group::Column::DisplayName), search));
    }
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_asc(group::Column::NameKey)
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    Ok(Page {
        items: rows.into_iter().map(Group::from).collect(),
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

/// Adds `users` to `group` as direct members that `source` (a connected system or the SCIM
/// provider) put there, in batches; the caller has checked that none is one already.
pub async fn add_sourced_members(
    db: &impl ConnectionTrait,
    group_id: GroupId,
    users: &[UserId],
    source: uuid::Uuid,
    now: time::OffsetDateTime,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::ActiveValue::Set;
    for chunk in users.chunks(500) {
        let rows: Vec<group_member::ActiveModel> = chunk
            .iter()
            .map(|&user_id| group_member::ActiveModel {
                id: Set(crate::ids::MembershipId::new()),
                group_id: Set(group_id),
                user_id: Set(user_id),
                role: Set(MemberRole::Member.as_str().to_owned()),
                source_kind: Set(MembershipSource::Direct.as_str().to_owned()),
                source_id: Set(source),
                created_at: Set(now),
            })
            .collect();
        group_member::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Takes out of `group` the direct memberships of `users` that `source` put there (others
/// stay: an administrator's, an assignment's).
pub async fn remove_sourced_members(
    db: &impl ConnectionTrait,
    group_id: GroupId,
    users: &[UserId],
    source: uuid::Uuid,
) -> Result<(), sea_orm::DbErr> {
    for chunk in users.chunks(500) {
        group_member::Entity::delete_many()
            .filter(group_member::Column::GroupId.eq(group_id))
            .filter(group_member::Column::UserId.is_in(chunk.to_vec()))
            .filter(group_member::Column::Role.eq(MemberRole::Member.as_str()))
            .filter(group_member::Column::SourceKind.eq(MembershipSource::Direct.as_str()))
            .filter(group_member::Column::SourceId.eq(source))
            .exec(db)
            .await?;
    }
    Ok(())
}
