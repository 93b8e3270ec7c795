//! Reading access packages, their resource roles and their policies.
use std::collections::BTreeMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::contains_ci;
use crate::domain::access_package::{AccessPackage, ResourceRole};
use crate::domain::group::MemberRole;
use crate::domain::page::{Page, PageRequest};
use crate::domain::policy::{Expiration, PolicySpec, Subject, TargetScope};
use crate::entities::{
    access_package, assignment_policy, catalog, group, policy_approver, policy_requestor,
    resource_role,
};
use crate::ids::{AccessPackageId, CatalogId, PolicyId};

impl From<access_package::Model> for AccessPackage {
    fn from(m: access_package::Model) -> Self {
        AccessPackage {
            id: m.id,
            catalog_id: m.catalog_id,
            display_name: m.display_name,
            description: m.description,
            is_hidden: m.is_hidden,
            created_at: m.created_at,
        }
    }
}

/// A package row in a list.
#[derive(Clone, Debug)]
pub struct PackageSummary {
    pub package: AccessPackage,
    pub catalog_name: String,
    pub policies: u64,
    pub enabled_policies: u64,
    /// Whether the person looking may change it (set by the page).
    pub can_manage: bool,
}

pub async fn find(
    db: &impl ConnectionTrait,
    id: AccessPackageId,
) -> Result<Option<AccessPackage>, sea_orm::DbErr> {
    Ok(access_package::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(AccessPackage::from))
}

/// Packages by name; `only` limits them to these catalogs (None: all), `in_catalog` to one.
pub async fn list(
    db: &impl ConnectionTrait,
    only: Option<&[CatalogId]>,
    in_catalog: Option<CatalogId>,
    search: &str,
    page: PageRequest,
) -> Result<Page<PackageSummary>, sea_orm::DbErr> {
    let mut query = access_package::Entity::find();
    if let Some(ids) = only {
        query = query.filter(access_package::Column::CatalogId.is_in(ids.iter().copied()));
    }
    if let Some(id) = in_catalog {
        query = query.filter(access_package::Column::CatalogId.eq(id));
    }
    if !search.is_empty() {
        query = query.filter(contains_ci(
            Expr::col(access_package::Column::DisplayName),
            search,
        ));
    }
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_asc(access_package::Column::NameKey)
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    let catalog_ids: Vec<CatalogId> = rows.iter().map(|p| p.catalog_id).collect();
    let names: BTreeMap<CatalogId, String> = catalog::Entity::find()
        .filter(catalog::Column::Id.is_in(catalog_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.display_name))
        .collect();
    let package_ids: Vec<AccessPackageId> = rows.iter().map(|p| p.id).collect();
    let policies: Vec<(AccessPackageId, bool)> = assignment_policy::Entity::find()
        .select_only()
        .column(assignment_policy::Column::AccessPackageId)
        .column(assignment_policy::Column::IsEnabled)
        .filter(assignment_policy::Column::AccessPackageId.is_in(package_ids))
        .into_tuple()
        .all(db)
        .await?;
    let items = rows
        .into_iter()
        .map(|p| {
            let own: Vec<bool> = policies
                .iter()
                .filter(|(id, _)| *id == p.id)
                .map(|(_, enabled)| *enabled)
                .collect();
            PackageSummary {
                catalog_name: names.get(&p.catalog_id).cloned().unwrap_or_default(),
                policies: own.len() as u64,
                enabled_policies: own.iter().filter(|e| **e).count() as u64,
                can_manage: false,
                package: AccessPackage::from(p),
            }
        })
        .collect();
    Ok(Page {
        items,
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

/// The groups and roles a package grants, by group name.
pub async fn resource_roles(
    db: &impl ConnectionTrait,
    id: AccessPackageId,
) -> Result<Vec<ResourceRole>, sea_orm::DbErr> {
    Ok(resource_roles_of(db, &[id])
        .await?
        .into_iter()
        .map(|(_, role)| role)
        .collect())
}

/// The resource roles of several packages at once, each with its package, by group name.
pub async fn resource_roles_of(
    db: &impl ConnectionTrait,
    packages: &[AccessPackageId],
) -> Result<Vec<(AccessPackageId, ResourceRole)>, sea_orm::DbErr> {
    let rows = resource_role::Entity::find()
        .filter(resource_role::Column::AccessPackageId.is_in(packages.iter().copied()))
        .find_also_related(group::Entity)
        .all(db)
        .await?;
    let mut roles: Vec<(AccessPackageId, ResourceRole)> = rows
        .into_iter()
        .filter_map(|(row, g)| {
            let role = ResourceRole {
                id: row.id,
                group_id: row.group_id,
                group_name: g?.display_name,
                role: MemberRole::from_stored(&row.role),
            };
            Some((row.access_package_id, role))
        })
        .collect();
    roles.sort_by_key(|(_, r)| (r.group_name.to_lowercase(), r.role.as_str()));
    Ok(roles)
}

/// A package's policies, by name.
pub async fn policies(
    db: &impl ConnectionTrait,
    id: AccessPackageId,
) -> Result<Vec<PolicyRecord>, sea_orm::DbErr> {
    policies_of(db, &[id]).await
}

/// The policies of several packages at once, oldest first.
pub async fn policies_of(
    db: &impl ConnectionTrait,
    packages: &[AccessPackageId],
) -> Result<Vec<PolicyRecord>, sea_orm::DbErr> {
    let rows = assignment_policy::Entity::find()
        .filter(assignment_policy::Column::AccessPackageId.is_in(packages.iter().copied()))
        .order_by_asc(assignment_policy::Column::CreatedAt)
        .all(db)
        .await?;
    let ids: Vec<PolicyId> = rows.iter().map(|p| p.id).collect();
    let requestors = policy_requestor::Entity::find()
        .filter(policy_requestor::Column::PolicyId.is_in(ids.clone()))
        .all(db)
        .await?;
    let approvers = policy_approver::Entity::find()
        .filter(policy_approver::Column::PolicyId.is_in(ids))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let spec = PolicySpec {
                display_name: row.display_name.clone(),
                description: row.description.clone(),
                scope: TargetScope::from_stored(&row.allowed_target_scope),
                requestors: requestors
                    .iter()
                    .filter(|r| r.policy_id == row.id)
                    .filter_map(|r| match (r.user_id, r.group_id) {
                        (Some(user), _) => Some(Subject::User(user)),
                        (None, Some(group)) => Some(Subject::Group(group)),
                        _ => None,
                    })
                    .collect(),
                approval_required: row.is_approval_required,
                requestor_justification_required: row.is_requestor_justification_required,
                approvers: approvers
                    .iter()
                    .filter(|a| a.policy_id == row.id)
                    .map(|a| a.user_id)
                    .collect(),
                approval_days: u32::try_from(row.approval_duration_days).unwrap_or(14),
                approver_justification_required: row.is_approver_justification_required,
                expiration: Expiration::from_stored(
                    &row.expiration_type,
                    row.expiration_duration.as_deref(),
                    row.expiration_end_date_time,
                ),
                custom_schedule: row.can_requestor_specify_schedule,
                enabled: row.is_enabled,
                reminder_days: row
                    .approval_reminder_days
                    .and_then(|d| u32::try_from(d).ok()),
                email: row.is_email_enabled,
                extend: row.can_extend,
            };
            PolicyRecord {
                id: row.id,
                access_package_id: row.access_package_id,
                spec,
                created_at: row.created_at,
            }
        })
        .collect())
}

/// A stored policy.
#[derive(Clone, Debug)]
pub struct PolicyRecord {
    pub id: PolicyId,
    pub access_package_id: AccessPackageId,
    pub spec: PolicySpec,
    pub created_at: time::OffsetDateTime,
}
