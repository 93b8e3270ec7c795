//! Assignment policies as a Graph list: their properties as columns, scoped to catalogs.
use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Query as SqlQuery};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select, Value};
use time::OffsetDateTime;

use crate::domain::access_package::AccessPackage;
use crate::domain::graph::policies::POLICIES;
use crate::domain::odata::Query;
use crate::domain::policy::Subject;
use crate::entities::{access_package, assignment_policy};
use crate::ids::{AccessPackageId, CatalogId, PolicyId};
use crate::store::odata::{Column, ListError, ListPage, Listing, col, list};
use crate::store::packages::{PolicyRecord, policies_of};
use crate::store::{groups, users};

/// A policy as the API shows it: what the portal shows, when it last changed, its package,
/// and the names of the people and groups it names (Graph's `description` of a subject).
#[derive(Clone, Debug)]
pub struct GraphPolicy {
    pub record: PolicyRecord,
    pub modified_at: OffsetDateTime,
    pub package: AccessPackage,
    pub names: HashMap<uuid::Uuid, String>,
}

fn columns(property: &'static str) -> Option<Column> {
    use assignment_policy::Column as C;
    Some(match property {
        "id" => Column::Exact(col(C::Id)),
        "displayName" => Column::Text(col(C::DisplayName)),
        "description" => Column::Text(col(C::Description)),
        // Stored with Graph's spelling, which the parser has already made canonical.
        "allowedTargetScope" => Column::Exact(col(C::AllowedTargetScope)),
        "createdDateTime" => Column::Exact(col(C::CreatedAt)),
        "modifiedDateTime" => Column::Exact(col(C::UpdatedAt)),
        _ => return None,
    })
}

fn key(row: &assignment_policy::Model, property: &'static str) -> (uuid::Uuid, Value) {
    let value = match property {
        "createdDateTime" => row.created_at.into(),
        "modifiedDateTime" => row.updated_at.into(),
        _ => row.display_name.clone().into(),
    };
    (row.id.0, value)
}

const LISTING: Listing<assignment_policy::Entity> = Listing {
    resource: &POLICIES,
    columns,
    id: assignment_policy::Column::Id,
    key,
};

/// Policies whose package is in one of `visible` (None: all), as one query.
fn scoped(visible: Option<&[CatalogId]>) -> Select<assignment_policy::Entity> {
    let select = assignment_policy::Entity::find();
    let Some(catalogs) = visible else {
        return select;
    };
    let packages = SqlQuery::select()
        .column(access_package::Column::Id)
        .from(access_package::Entity)
        .and_where(Expr::col(access_package::Column::CatalogId).is_in(catalogs.iter().copied()))
        .to_owned();
    select.filter(assignment_policy::Column::AccessPackageId.in_subquery(packages))
}

/// One page of the policies in `visible` catalogs, of one `package` when given.
pub async fn policies(
    db: &impl ConnectionTrait,
    visible: Option<&[CatalogId]>,
    package: Option<AccessPackageId>,
    query: &Query,
) -> Result<ListPage<GraphPolicy>, ListError> {
    let mut select = scoped(visible);
    if let Some(package) = package {
        select = select.filter(assignment_policy::Column::AccessPackageId.eq(package));
    }
    let page = list(db, select, query, &LISTING).await?;
    let items = complete(db, page.items).await?;
    Ok(ListPage {
        items,
        count: page.count,
        next: page.next,
    })
}

/// The policy `id`, if its package is in one of `visible` (None: all).
pub async fn policy(
    db: &impl ConnectionTrait,
    visible: Option<&[CatalogId]>,
    id: PolicyId,
) -> Result<Option<GraphPolicy>, sea_orm::DbErr> {
    let row = scoped(visible)
        .filter(assignment_policy::Column::Id.eq(id))
        .one(db)
        .await?;
    Ok(complete(db, row.into_iter().collect()).await?.pop())
}

/// The package `id`, if it is in one of `visible` (None: all).
pub async fn package(
    db: &impl ConnectionTrait,
    visible: Option<&[CatalogId]>,
    id: AccessPackageId,
) -> Result<Option<AccessPackage>, sea_orm::DbErr> {
    let mut select = access_package::Entity::find_by_id(id);
    if let Some(catalogs) = visible {
        select = select.filter(access_package::Column::CatalogId.is_in(catalogs.iter().copied()));
    }
    Ok(select.one(db).await?.map(AccessPackage::from))
}

/// Rows with their settings, packages and subjects' names, in the rows' order. The settings
/// come from the portal's own reader, so both fronts show the same policy.
async fn complete(
    db: &impl ConnectionTrait,
    rows: Vec<assignment_policy::Model>,
) -> Result<Vec<GraphPolicy>, sea_orm::DbErr> {
    let mut package_ids: Vec<AccessPackageId> = rows.iter().map(|r| r.access_package_id).collect();
    package_ids.sort();
    package_ids.dedup();
    let mut records: HashMap<PolicyId, PolicyRecord> = policies_of(db, &package_ids)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let packages: HashMap<AccessPackageId, AccessPackage> = access_package::Entity::find()
        .filter(access_package::Column::Id.is_in(package_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, AccessPackage::from(p)))
        .collect();
    let mut user_ids = Vec::new();
    let mut group_ids = Vec::new();
    for record in rows.iter().filter_map(|r| records.get(&r.id)) {
        user_ids.extend(record.spec.approvers.iter().copied());
        for subject in &record.spec.requestors {
            match subject {
                Subject::User(id) => user_ids.push(*id),
                Subject::Group(id) => group_ids.push(*id),
            }
        }
    }
    user_ids.sort();
    user_ids.dedup();
    group_ids.sort();
    group_ids.dedup();
    let mut names: HashMap<uuid::Uuid, String> = HashMap::new();
    for user in users::by_ids(db, &user_ids).await? {
        names.insert(user.id.0, user.display_name);
    }
    for group in groups::by_ids(db, &group_ids).await? {
        names.insert(group.id.0, group.display_name);
    }
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let record = records.remove(&row.id)?;
            let package = packages.get(&row.access_package_id)?.clone();
            let own = record
                .spec
                .requestors
                .iter()
                .map(|s| match s {
                    Subject::User(id) => id.0,
                    Subject::Group(id) => id.0,
                })
                .chain(record.spec.approvers.iter().map(|id| id.0))
                .filter_map(|id| names.get(&id).map(|name| (id, name.clone())))
                .collect();
            Some(GraphPolicy {
                record,
                modified_at: row.updated_at,
                package,
                names: own,
            })
        })
        .collect())
}
