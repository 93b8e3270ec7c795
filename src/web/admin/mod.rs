//! The admin portal (`/admin`): Global and User administrators.
pub mod audit;
pub mod groups;
pub mod users;

use actix_web::web;

use super::see_other;
use crate::auth::extract::DirectoryAdmin;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("", web::get().to(home))
        .route("/", web::get().to(home))
        .configure(users::routes)
        .configure(groups::routes)
        .route("/audit", web::get().to(audit::list));
}

/// Directory administrators; everyone else gets the 403 page.
async fn home(_admin: DirectoryAdmin) -> actix_web::HttpResponse {
    see_other("/admin/users")
}
