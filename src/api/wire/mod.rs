//! Graph's JSON shapes of what Gatehouse serves, with the schemas the OpenAPI document
//! gives them. Every property may be left out (`$select`), so none is required.
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

mod requests;

pub use requests::*;

use crate::domain::access_package::ResourceRole;
use crate::entities::{access_package, catalog, catalog_resource, group, user};

/// `2026-11-24T09:00:00Z`
pub fn iso(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// A collection: one page of items.
#[derive(Serialize, ToSchema)]
pub struct Collection<T> {
    #[serde(rename = "@odata.context")]
    pub context: String,
    /// With `$count=true`: how many items match, on every page.
    #[serde(rename = "@odata.count")]
    pub count: Option<i64>,
    pub value: Vec<T>,
    /// The next page, when there is one.
    #[serde(rename = "@odata.nextLink")]
    pub next_link: Option<String>,
}

#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct User {
    #[serde(rename = "@odata.type")]
    pub odata_type: &'static str,
    #[schema(format = Uuid)]
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
    pub mail: Option<String>,
    pub account_enabled: bool,
    #[schema(format = DateTime)]
    pub created_date_time: String,
    /// Always `Member`: Gatehouse has no guests.
    pub user_type: &'static str,
}

impl From<user::Model> for User {
    fn from(m: user::Model) -> Self {
        Self {
            odata_type: "#microsoft.graph.user",
            id: m.id.to_string(),
            display_name: m.display_name,
            user_principal_name: m.user_principal_name,
            mail: m.email,
            account_enabled: m.account_enabled,
            created_date_time: iso(m.created_at),
            user_type: "Member",
        }
    }
}

#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Group {
    #[serde(rename = "@odata.type")]
    pub odata_type: &'static str,
    #[schema(format = Uuid)]
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    #[schema(format = DateTime)]
    pub created_date_time: String,
    /// Always true: Gatehouse's groups are security groups.
    pub security_enabled: bool,
    pub mail_enabled: bool,
    /// Always empty: assigned membership.
    pub group_types: Vec<String>,
}

impl From<group::Model> for Group {
    fn from(m: group::Model) -> Self {
        Self {
            odata_type: "#microsoft.graph.group",
            id: m.id.to_string(),
            display_name: m.display_name,
            description: Some(m.description).filter(|d| !d.is_empty()),
            created_date_time: iso(m.created_at),
            security_enabled: true,
            mail_enabled: false,
            group_types: Vec::new(),
        }
    }
}

/// `accessPackageCatalog`
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Catalog {
    #[schema(format = Uuid)]
    pub id: String,
    pub display_name: String,
    pub description: String,
    /// `userManaged`, or `serviceDefault` for the General catalog.
    pub catalog_type: &'static str,
    /// `published` (enabled) or `unpublished`.
    pub state: &'static str,
    pub is_externally_visible: bool,
    #[schema(format = DateTime)]
    pub created_date_time: String,
    #[schema(format = DateTime)]
    pub modified_date_time: String,
}

impl From<catalog::Model> for Catalog {
    fn from(m: catalog::Model) -> Self {
        Self {
            id: m.id.to_string(),
            display_name: m.display_name,
            description: m.description,
            catalog_type: if m.is_default {
                "serviceDefault"
            } else {
                "userManaged"
            },
            state: if m.is_enabled {
                "published"
            } else {
                "unpublished"
            },
            is_externally_visible: m.is_externally_visible,
            created_date_time: iso(m.created_at),
            modified_date_time: iso(m.updated_at),
        }
    }
}

/// `accessPackageResource`: a group in a catalog.
#[derive(Serialize, ToSchema, Default, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct PackageResource {
    #[schema(format = Uuid)]
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    /// The group's id.
    #[schema(format = Uuid)]
    pub origin_id: String,
    /// Always `AadGroup`.
    pub origin_system: &'static str,
    #[schema(format = DateTime)]
    pub created_date_time: Option<String>,
}

impl PackageResource {
    pub fn of(row: &catalog_resource::Model, group: &group::Model) -> Self {
        Self {
            id: row.id.to_string(),
            display_name: group.display_name.clone(),
            description: Some(group.description.clone()).filter(|d| !d.is_empty()),
            origin_id: group.id.to_string(),
            origin_system: "AadGroup",
            created_date_time: Some(iso(row.created_at)),
        }
    }
}

/// `accessPackageResourceRequest`: adding a group to a catalog, or removing it.
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceRequest {
    #[schema(format = Uuid)]
    pub id: String,
    /// `adminAdd` or `adminRemove`.
    pub request_type: String,
    /// Always `delivered`: the change is made before the answer.
    pub state: &'static str,
    #[schema(format = DateTime)]
    pub created_date_time: String,
    pub catalog: Option<CatalogRef>,
    pub resource: Option<PackageResource>,
}

/// `{"id": …}`
#[derive(Serialize, ToSchema, Default)]
#[serde(default)]
pub struct CatalogRef {
    #[schema(format = Uuid)]
    pub id: String,
}

/// `accessPackage`
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct AccessPackage {
    #[schema(format = Uuid)]
    pub id: String,
    pub display_name: String,
    pub description: String,
    pub is_hidden: bool,
    #[schema(format = DateTime)]
    pub created_date_time: String,
    #[schema(format = DateTime)]
    pub modified_date_time: String,
    /// With `$expand=catalog`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog: Option<Catalog>,
    /// With `$expand=resourceRoleScopes`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_role_scopes: Option<Vec<RoleScope>>,
}

impl From<access_package::Model> for AccessPackage {
    fn from(m: access_package::Model) -> Self {
        Self {
            id: m.id.to_string(),
            display_name: m.display_name,
            description: m.description,
            is_hidden: m.is_hidden,
            created_date_time: iso(m.created_at),
            modified_date_time: iso(m.updated_at),
            catalog: None,
            resource_role_scopes: None,
        }
    }
}

/// `accessPackageResourceRole`: `Member` or `Owner` of a group.
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceRoleWire {
    #[schema(format = Uuid)]
    pub id: String,
    pub display_name: &'static str,
    /// `Member_{groupId}` or `Owner_{groupId}`.
    pub origin_id: String,
    pub origin_system: &'static str,
}

/// `accessPackageResourceScope`: the whole group.
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceScope {
    #[schema(format = Uuid)]
    pub id: String,
    pub display_name: String,
    /// The group's id.
    #[schema(format = Uuid)]
    pub origin_id: String,
    pub origin_system: &'static str,
    pub is_root_scope: bool,
}

/// `accessPackageResourceRoleScope`: what a package grants in one group.
#[derive(Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleScope {
    #[schema(format = Uuid)]
    pub id: String,
    pub role: Option<ResourceRoleWire>,
    pub scope: Option<ResourceScope>,
}

impl From<&ResourceRole> for RoleScope {
    fn from(r: &ResourceRole) -> Self {
        let label = r.role.label();
        Self {
            id: r.id.to_string(),
            role: Some(ResourceRoleWire {
                id: r.id.to_string(),
                display_name: label,
                origin_id: format!("{label}_{}", r.group_id),
                origin_system: "AadGroup",
            }),
            scope: Some(ResourceScope {
                id: r.group_id.to_string(),
                display_name: r.group_name.clone(),
                origin_id: r.group_id.to_string(),
                origin_system: "AadGroup",
                is_root_scope: true,
            }),
        }
    }
}
