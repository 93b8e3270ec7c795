//! The admin portal (`/admin`): Global and User administrators.
pub mod audit;
pub mod catalogs;
pub mod groups;
pub mod packages;
pub mod users;

use actix_web::web;

use super::see_other;
use crate::auth::extract::EntitlementManager;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("", web::get().to(home))
        .route("/", web::get().to(home))
        .configure(users::routes)
        .configure(groups::routes)
        .configure(catalogs::routes)
        .configure(packages::routes)
        .route("/audit", web::get().to(audit::list));
}

/// Directory administrators start at Users, catalog role holders at Catalogs; everyone
/// else gets the 403 page.
async fn home(manager: EntitlementManager) -> actix_web::HttpResponse {
    if manager.user().role.is_directory_admin() {
        see_other("/admin/users")
    } else {
        see_other("/admin/catalogs")
    }
}
