//! Reading users.
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::contains_ci;
use crate::domain::catalog::CatalogRole;
use crate::domain::page::{Cursor, KeysetPage, NameKey, Page, PageRequest};
use crate::domain::user::{DirectoryRole, User};
use crate::entities::{group_member, user};
use crate::ids::{CatalogId, GroupId, UserId};

impl From<user::Model> for User {
    fn from(m: user::Model) -> Self {
        User {
            id: m.id,
            role: DirectoryRole::from_stored(&m.directory_role),
            user_principal_name: m.user_principal_name,
            display_name: m.display_name,
            email: m.email,
            enabled: m.account_enabled,
            security_stamp: m.security_stamp,
            created_at: m.created_at,
            source_system: m.source_system_id,
        }
    }
}

pub async fn find_by_id(
    db: &impl ConnectionTrait,
    id: UserId,
) -> Result<Option<User>, sea_orm::DbErr> {
    Ok(user::Entity::find_by_id(id)
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .map(User::from))
}

/// The signed-in user (not deleted) with their catalog roles, in one statement: every page
/// a signed-in person opens starts with this.
pub async fn signed_in(
    db: &impl ConnectionTrait,
    id: UserId,
) -> Result<Option<(User, Vec<(CatalogId, CatalogRole)>)>, sea_orm::DbErr> {
    let found = user::Entity::find_by_id(id)
        .filter(user::Column::DeletedAt.is_null())
        .find_with_related(crate::entities::catalog_role::Entity)
        .all(db)
        .await?;
    Ok(found
        .into_iter()
        .next()
        .map(|(person, roles)| (User::from(person), super::catalogs::role_pairs(roles))))
}

/// The user and their password hash, for signing in.
pub async fn find_credentials(
    db: &impl ConnectionTrait,
    upn: &str,
) -> Result<Option<(User, String)>, sea_orm::DbErr> {
    let found = user::Entity::find()
        .filter(user::Column::UserPrincipalName.eq(upn.trim().to_lowercase()))
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?;
    Ok(found.map(|m| {
        let hash = m.password_hash.clone();
        (User::from(m), hash)
    }))
}

/// Whether anyone has an account (one row read, not a count).
pub async fn any(db: &impl ConnectionTrait) -> Result<bool, sea_orm::DbErr> {
    Ok(live()
        .select_only()
        .column(user::Column::Id)
        .limit(1)
        .into_tuple::<UserId>()
        .one(db)
        .await?
        .is_some())
}

/// Users who have not been deleted.
fn live() -> sea_orm::Select<user::Entity> {
    user::Entity::find().filter(user::Column::DeletedAt.is_null())
}

fn search_condition(search: &str) -> Condition {
    if search.trim().is_empty() {
        return Condition::all();
    }
    Condition::any()
        .add(contains_ci(Expr::col(user::Column::DisplayName), search))
        .add(contains_ci(
            Expr::col(user::Column::UserPrincipalName),
            search,
        ))
        .add(contains_ci(Expr::col(user::Column::Email), search))
}

/// Users whose name, user principal name or email contains `search`, by display name, a
/// page at a time by keyset (no count: a page reads about as many rows as it shows).
pub async fn list(
    db: &impl ConnectionTrait,
    search: &str,
    cursor: Cursor<NameKey>,
    per_page: usize,
) -> Result<KeysetPage<User>, sea_orm::DbErr> {
    let query = super::keyset_by_name(
        live().filter(search_condition(search)),
        user::Column::DisplayName,
        user::Column::Id,
        &cursor,
    );
    let rows = query.limit(per_page as u64 + 1).all(db).await?;
    let users: Vec<User> = rows.into_iter().map(User::from).collect();
    Ok(KeysetPage::from_rows(users, cursor, per_page, |u| {
        NameKey {
            name: u.display_name.clone(),
            id: u.id.0,
        }
    }))
}

/// Users whose name, user principal name or email contains `search`: the first page of a
/// picker, with the count of all matches.
pub async fn search(
    db: &impl ConnectionTrait,
    search: &str,
    page: PageRequest,
) -> Result<Page<User>, sea_orm::DbErr> {
    let query = live().filter(search_condition(search));
    let total = query.clone().count(db).await?;
    let items = query
        .order_by_asc(user::Column::DisplayName)
        .order_by_asc(user::Column::Id)
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    Ok(Page {
        items: items.into_iter().map(User::from).collect(),
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

/// Candidates for a group's `Add members` picker: matching users who are not yet direct
/// members of `group`.
pub async fn list_not_direct_members(
    db: &impl ConnectionTrait,
    group: GroupId,
    search: &str,
    page: PageRequest,
) -> Result<Page<User>, sea_orm::DbErr> {
    // Someone who is already both a direct member and a direct owner has nothing to add.
    let direct = |role: &str| {
        Query::select()
            .column(group_member::Column::UserId)
            .from(group_member::Entity)
            .and_where(Expr::col(group_member::Column::GroupId).eq(group))
            .and_where(Expr::col(group_member::Column::SourceKind).eq("direct"))
            .and_where(Expr::col(group_member::Column::Role).eq(role.to_owned()))
            .to_owned()
    };
    let direct_members = direct("member")
        .and_where(Expr::col(group_member::Column::UserId).in_subquery(direct("owner")))
        .to_owned();
    let query = live()
        .filter(search_condition(search))
        .filter(user::Column::Id.not_in_subquery(direct_members));
    let total = query.clone().count(db).await?;
    let items = query
        .order_by_asc(user::Column::DisplayName)
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    Ok(Page {
        items: items.into_iter().map(User::from).collect(),
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

/// The users with these ids that still exist, by display name.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[UserId],
) -> Result<Vec<User>, sea_orm::DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = live()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(user::Column::DisplayName)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(User::from).collect())
}
