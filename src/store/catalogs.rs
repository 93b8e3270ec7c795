//! Reading catalogs, their resources and the roles people hold in them.
use std::collections::BTreeMap;

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::contains_ci;
use crate::domain::catalog::{Catalog, CatalogRole};
use crate::domain::group::Group;
use crate::domain::group::MemberRole;
use crate::domain::page::{Page, PageRequest};
use crate::domain::user::User;
use crate::entities::{
    access_package, catalog, catalog_resource, catalog_role, group, group_member, user,
};
use crate::ids::{CatalogId, GroupId, UserId};

impl From<catalog::Model> for Catalog {
    fn from(m: catalog::Model) -> Self {
        Catalog {
            id: m.id,
            display_name: m.display_name,
            description: m.description,
            is_enabled: m.is_enabled,
            is_externally_visible: m.is_externally_visible,
            is_default: m.is_default,
            created_at: m.created_at,
        }
    }
}

/// A catalog row in a list, with its counts.
#[derive(Clone, Debug)]
pub struct CatalogSummary {
    pub catalog: Catalog,
    pub resources: u64,
    pub packages: u64,
}

pub async fn find(
    db: &impl ConnectionTrait,
    id: CatalogId,
) -> Result<Option<Catalog>, sea_orm::DbErr> {
    Ok(catalog::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Catalog::from))
}

pub async fn default_catalog(db: &impl ConnectionTrait) -> Result<Option<Catalog>, sea_orm::DbErr> {
    Ok(catalog::Entity::find()
        .filter(catalog::Column::IsDefault.eq(true))
        .one(db)
        .await?
        .map(Catalog::from))
}

/// Every catalog role `user` holds.
pub async fn roles_of(
    db: &impl ConnectionTrait,
    user: UserId,
) -> Result<Vec<(CatalogId, CatalogRole)>, sea_orm::DbErr> {
    let rows = catalog_role::Entity::find()
        .filter(catalog_role::Column::UserId.eq(user))
        .all(db)
        .await?;
    Ok(role_pairs(rows))
}

/// Catalog-role rows as (catalog, role); a role no one knows is left out.
pub(crate) fn role_pairs(rows: Vec<catalog_role::Model>) -> Vec<(CatalogId, CatalogRole)> {
    rows.into_iter()
        .filter_map(|r| {
            CatalogRole::parse(&r.role)
                .ok()
                .map(|role| (r.catalog_id, role))
        })
        .collect()
}

/// Catalogs by name; `only` limits them to these (None: all catalogs).
pub async fn list(
    db: &impl ConnectionTrait,
    only: Option<&[CatalogId]>,
    search: &str,
    page: PageRequest,
) -> Result<Page<CatalogSummary>, sea_orm::DbErr> {
    let mut query = catalog::Entity::find();
    if let Some(ids) = only {
        query = query.filter(catalog::Column::Id.is_in(ids.iter().copied()));
    }
    if !search.is_empty() {
        query = query.filter(contains_ci(Expr::col(catalog::Column::DisplayName), search));
    }
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_desc(catalog::Column::IsDefault)
        .order_by_asc(catalog::Column::NameKey)
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    let ids: Vec<CatalogId> = rows.iter().map(|c| c.id).collect();
    let resources = count_by_catalog(
        catalog_resource::Entity::find()
            .select_only()
            .column(catalog_resource::Column::CatalogId)
            .filter(catalog_resource::Column::CatalogId.is_in(ids.clone()))
            .into_tuple()
            .all(db)
            .await?,
    );
    let packages = count_by_catalog(
        access_package::Entity::find()
            .select_only()
            .column(access_package::Column::CatalogId)
            .filter(access_package::Column::CatalogId.is_in(ids))
            .into_tuple()
            .all(db)
            .await?,
    );
    let items = rows
        .into_iter()
        .map(|c| CatalogSummary {
            resources: resources.get(&c.id).copied().unwrap_or(0),
            packages: packages.get(&c.id).copied().unwrap_or(0),
            catalog: Catalog::from(c),
        })
        .collect();
    Ok(Page {
        items,
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

fn count_by_catalog(ids: Vec<CatalogId>) -> BTreeMap<CatalogId, u64> {
    let mut counts = BTreeMap::new();
    for id in ids {
        *counts.entry(id).or_default() += 1;
    }
    counts
}

/// The catalog's groups, by name.
pub async fn resources(
    db: &impl ConnectionTrait,
    id: CatalogId,
) -> Result<Vec<Group>, sea_orm::DbErr> {
    let rows = group::Entity::find()
        .inner_join(catalog_resource::Entity)
        .filter(catalog_resource::Column::CatalogId.eq(id))
        .order_by_asc(group::Column::NameKey)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Group::from).collect())
}

pub async fn has_resource(
    db: &impl ConnectionTrait,
    id: CatalogId,
    group_id: GroupId,
) -> Result<bool, sea_orm::DbErr> {
    let found = catalog_resource::Entity::find()
        .filter(catalog_resource::Column::CatalogId.eq(id))
        .filter(catalog_resource::Column::GroupId.eq(group_id))
        .count(db)
        .await?;
    Ok(found > 0)
}

/// Groups that are not yet resources of the catalog, for its pickers. With `owned_by`,
/// only groups in no catalog at all that this person owns (what a catalog owner may add).
pub async fn groups_outside(
    db: &impl ConnectionTrait,
    id: CatalogId,
    owned_by: Option<UserId>,
    search: &str,
    page: PageRequest,
) -> Result<Page<Group>, sea_orm::DbErr> {
    let mut in_catalogs = Query::select()
        .column(catalog_resource::Column::GroupId)
        .from(catalog_resource::Entity)
        .to_owned();
    if owned_by.is_none() {
        in_catalogs.and_where(Expr::col(catalog_resource::Column::CatalogId).eq(id));
    }
    let mut query = group::Entity::find().filter(group::Column::Id.not_in_subquery(in_catalogs));
    if let Some(owner) = owned_by {
        query = query.filter(
            group::Column::Id.in_subquery(
                Query::select()
                    .column(group_member::Column::GroupId)
                    .from(group_member::Entity)
                    .and_where(Expr::col(group_member::Column::UserId).eq(owner))
                    .and_where(Expr::col(group_member::Column::Role).eq(MemberRole::Owner.as_str()))
                    .to_owned(),
            ),
        );
    }
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

/// Who holds which role in the catalog, by role then name.
pub async fn role_holders(
    db: &impl ConnectionTrait,
    id: CatalogId,
) -> Result<Vec<(CatalogRole, User)>, sea_orm::DbErr> {
    let rows = catalog_role::Entity::find()
        .filter(catalog_role::Column::CatalogId.eq(id))
        .find_also_related(user::Entity)
        .all(db)
        .await?;
    let mut holders: Vec<(CatalogRole, User)> = rows
        .into_iter()
        .filter_map(|(row, person)| {
            Some((CatalogRole::parse(&row.role).ok()?, User::from(person?)))
        })
        .collect();
    holders.sort_by(|a, b| {
        (a.0, a.1.display_name.to_lowercase()).cmp(&(b.0, b.1.display_name.to_lowercase()))
    });
    Ok(holders)
}

/// Whether `user` is an owner of `group` (from any source).
pub async fn is_group_owner(
    db: &impl ConnectionTrait,
    group_id: GroupId,
    user_id: UserId,
) -> Result<bool, sea_orm::DbErr> {
    let found = group_member::Entity::find()
        .filter(group_member::Column::GroupId.eq(group_id))
        .filter(group_member::Column::UserId.eq(user_id))
        .filter(group_member::Column::Role.eq(MemberRole::Owner.as_str()))
        .count(db)
        .await?;
    Ok(found > 0)
}

/// Whether a catalog other than `except` lists `group` as a resource.
pub async fn in_other_catalog(
    db: &impl ConnectionTrait,
    group_id: GroupId,
    except: CatalogId,
) -> Result<bool, sea_orm::DbErr> {
    let found = catalog_resource::Entity::find()
        .filter(catalog_resource::Column::GroupId.eq(group_id))
        .filter(catalog_resource::Column::CatalogId.ne(except))
        .count(db)
        .await?;
    Ok(found > 0)
}

/// Which catalogs list `group` as a resource, by name.
pub async fn catalogs_with_resource(
    db: &impl ConnectionTrait,
    group_id: GroupId,
) -> Result<Vec<String>, sea_orm::DbErr> {
    let rows = catalog::Entity::find()
        .filter(
            catalog::Column::Id.in_subquery(
                Query::select()
                    .column(catalog_resource::Column::CatalogId)
                    .from(catalog_resource::Entity)
                    .and_where(Expr::col(catalog_resource::Column::GroupId).eq(group_id))
                    .to_owned(),
            ),
        )
        .order_by_asc(catalog::Column::NameKey)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|c| c.display_name).collect())
}
