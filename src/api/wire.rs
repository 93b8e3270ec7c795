//! Graph's JSON shapes of what Gatehouse serves, with the schemas the OpenAPI document
//! gives them. Every property may be left out (`$select`), so none is required.
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::entities::{catalog, group, user};

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
