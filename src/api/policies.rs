//! `identityGovernance/entitlementManagement/assignmentPolicies`: an access package's policies
//! in Graph's shape, listed, read, created, replaced and deleted.
use actix_web::web;

#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Doc;

pub fn configure(_cfg: &mut web::ServiceConfig) {}
