//! `identityGovernance/entitlementManagement/catalogs` with their resources and access
//! packages, and `resourceRequests` that add a group to a catalog.
use actix_web::web;

#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Doc;

pub fn configure(_cfg: &mut web::ServiceConfig) {}
