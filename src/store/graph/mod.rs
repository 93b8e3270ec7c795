//! The Graph API's lists: each resource's properties as columns, and the scoped selects
//! that [`super::odata::list`] pages.
pub mod policies;
pub mod requests;
use sea_orm::sea_query::{Expr, ExprTrait, Query as SqlQuery};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Value};

use super::odata::{Column, ListError, ListPage, Listing, col, list};
use crate::domain::graph;
use crate::domain::odata::Query;
use crate::entities::{access_package, catalog, catalog_resource, group, group_member, user};
use crate::ids::{CatalogId, GroupId};

fn user_columns(property: &'static str) -> Option<Column> {
    use user::Column as C;
    Some(match property {
        "id" => Column::Exact(col(C::Id)),
        "displayName" => Column::Text(col(C::DisplayName)),
        "userPrincipalName" => Column::Folded(col(C::UserPrincipalName)),
        "mail" => Column::Text(col(C::Email)),
        "accountEnabled" => Column::Exact(col(C::AccountEnabled)),
        "createdDateTime" => Column::Exact(col(C::CreatedAt)),
        _ => return None,
    })
}

fn user_key(row: &user::Model, property: &'static str) -> (uuid::Uuid, Value) {
    let value = match property {
        "userPrincipalName" => row.user_principal_name.clone().into(),
        "createdDateTime" => row.created_at.into(),
        _ => row.display_name.clone().into(),
    };
    (row.id.0, value)
}

const USERS: Listing<user::Entity> = Listing {
    resource: &graph::USERS,
    columns: user_columns,
    id: user::Column::Id,
    key: user_key,
};

/// Users (not deleted).
pub async fn users(
    db: &impl ConnectionTrait,
    query: &Query,
) -> Result<ListPage<user::Model>, ListError> {
    let select = user::Entity::find().filter(user::Column::DeletedAt.is_null());
    list(db, select, query, &USERS).await
}

/// The people who are members of `group` (from any source, each once).
pub async fn members(
    db: &impl ConnectionTrait,
    group: GroupId,
    query: &Query,
) -> Result<ListPage<user::Model>, ListError> {
    let member_ids = SqlQuery::select()
        .column(group_member::Column::UserId)
        .from(group_member::Entity)
        .and_where(Expr::col(group_member::Column::GroupId).eq(group))
        .and_where(Expr::col(group_member::Column::Role).eq("member"))
        .to_owned();
    let select = user::Entity::find()
        .filter(user::Column::DeletedAt.is_null())
        .filter(user::Column::Id.in_subquery(member_ids));
    list(db, select, query, &USERS).await
}

fn group_columns(property: &'static str) -> Option<Column> {
    use group::Column as C;
    Some(match property {
        "id" => Column::Exact(col(C::Id)),
        "displayName" => Column::Text(col(C::DisplayName)),
        "description" => Column::Text(col(C::Description)),
        "createdDateTime" => Column::Exact(col(C::CreatedAt)),
        _ => return None,
    })
}

fn group_key(row: &group::Model, property: &'static str) -> (uuid::Uuid, Value) {
    let value = match property {
        "createdDateTime" => row.created_at.into(),
        _ => row.display_name.clone().into(),
    };
    (row.id.0, value)
}

const GROUPS: Listing<group::Entity> = Listing {
    resource: &graph::GROUPS,
    columns: group_columns,
    id: group::Column::Id,
    key: group_key,
};

pub async fn groups(
    db: &impl ConnectionTrait,
    query: &Query,
) -> Result<ListPage<group::Model>, ListError> {
    list(db, group::Entity::find(), query, &GROUPS).await
}

fn published(value: &str) -> Option<Value> {
    match value {
        "published" => Some(true.into()),
        "unpublished" => Some(false.into()),
        _ => None,
    }
}

fn catalog_columns(property: &'static str) -> Option<Column> {
    use catalog::Column as C;
    Some(match property {
        "id" => Column::Exact(col(C::Id)),
        "displayName" => Column::Text(col(C::DisplayName)),
        "description" => Column::Text(col(C::Description)),
        "state" => Column::Mapped(col(C::IsEnabled), published),
        "isExternallyVisible" => Column::Exact(col(C::IsExternallyVisible)),
        "createdDateTime" => Column::Exact(col(C::CreatedAt)),
        "modifiedDateTime" => Column::Exact(col(C::UpdatedAt)),
        _ => return None,
    })
}

fn catalog_key(row: &catalog::Model, property: &'static str) -> (uuid::Uuid, Value) {
    let value = match property {
        "createdDateTime" => row.created_at.into(),
        "modifiedDateTime" => row.updated_at.into(),
        _ => row.display_name.clone().into(),
    };
    (row.id.0, value)
}

const CATALOGS: Listing<catalog::Entity> = Listing {
    resource: &graph::CATALOGS,
    columns: catalog_columns,
    id: catalog::Column::Id,
    key: catalog_key,
};

/// Catalogs, limited to `visible` when it is given.
pub async fn catalogs(
    db: &impl ConnectionTrait,
    visible: Option<&[CatalogId]>,
    query: &Query,
) -> Result<ListPage<catalog::Model>, ListError> {
    let mut select = catalog::Entity::find();
    if let Some(ids) = visible {
        select = select.filter(catalog::Column::Id.is_in(ids.iter().copied()));
    }
    list(db, select, query, &CATALOGS).await
}

fn resource_group_columns(property: &'static str) -> Option<Column> {
    use group::Column as C;
    Some(match property {
        "displayName" => Column::Text(col(C::DisplayName)),
        "description" => Column::Text(col(C::Description)),
        "originId" => Column::Exact(col(C::Id)),
        _ => return None,
    })
}

const RESOURCE_GROUPS: Listing<group::Entity> = Listing {
    resource: &graph::CATALOG_RESOURCES,
    columns: resource_group_columns,
    id: group::Column::Id,
    key: group_key,
};

/// A catalog's resources: its groups (by the group's columns), each with its row in the
/// catalog.
pub async fn catalog_resources(
    db: &impl ConnectionTrait,
    catalog: CatalogId,
    query: &Query,
) -> Result<ListPage<(catalog_resource::Model, group::Model)>, ListError> {
    let in_catalog = SqlQuery::select()
        .column(catalog_resource::Column::GroupId)
        .from(catalog_resource::Entity)
        .and_where(Expr::col(catalog_resource::Column::CatalogId).eq(catalog))
        .to_owned();
    let select = group::Entity::find().filter(group::Column::Id.in_subquery(in_catalog));
    let page = list(db, select, query, &RESOURCE_GROUPS).await?;
    let ids: Vec<GroupId> = page.items.iter().map(|g| g.id).collect();
    let rows = catalog_resource::Entity::find()
        .filter(catalog_resource::Column::CatalogId.eq(catalog))
        .filter(catalog_resource::Column::GroupId.is_in(ids))
        .all(db)
        .await?;
    let mut items = Vec::with_capacity(page.items.len());
    for group in page.items {
        if let Some(row) = rows.iter().find(|r| r.group_id == group.id) {
            items.push((row.clone(), group));
        }
    }
    Ok(ListPage {
        items,
        count: page.count,
        next: page.next,
    })
}

fn package_columns(property: &'static str) -> Option<Column> {
    use access_package::Column as C;
    Some(match property {
        "id" => Column::Exact(col(C::Id)),
        "displayName" => Column::Text(col(C::DisplayName)),
        "description" => Column::Text(col(C::Description)),
        "isHidden" => Column::Exact(col(C::IsHidden)),
        "createdDateTime" => Column::Exact(col(C::CreatedAt)),
        "modifiedDateTime" => Column::Exact(col(C::UpdatedAt)),
        _ => return None,
    })
}

fn package_key(row: &access_package::Model, property: &'static str) -> (uuid::Uuid, Value) {
    let value = match property {
        "createdDateTime" => row.created_at.into(),
        "modifiedDateTime" => row.updated_at.into(),
        _ => row.display_name.clone().into(),
    };
    (row.id.0, value)
}

const PACKAGES: Listing<access_package::Entity> = Listing {
    resource: &graph::ACCESS_PACKAGES,
    columns: package_columns,
    id: access_package::Column::Id,
    key: package_key,
};

/// Access packages in `visible` catalogs (all when None), or in one catalog.
pub async fn packages(
    db: &impl ConnectionTrait,
    visible: Option<&[CatalogId]>,
    catalog: Option<CatalogId>,
    query: &Query,
) -> Result<ListPage<access_package::Model>, ListError> {
    let mut select = access_package::Entity::find();
    if let Some(ids) = visible {
        select = select.filter(access_package::Column::CatalogId.is_in(ids.iter().copied()));
    }
    if let Some(catalog) = catalog {
        select = select.filter(access_package::Column::CatalogId.eq(catalog));
    }
    list(db, select, query, &PACKAGES).await
}
