//! The admin portal (`/admin`): Global and User administrators.
pub mod apps;
pub mod audit;
pub mod catalogs;
pub mod connected;
pub mod groups;
pub mod notifications;
pub mod packages;
pub mod users;

use super::{RouteDef, get, see_other};
use crate::auth::extract::EntitlementManager;

pub fn routes() -> Vec<RouteDef> {
    let mut table = vec![get("/admin", home), get("/admin/", home)];
    table.extend(users::routes());
    table.extend(groups::routes());
    table.extend(catalogs::routes());
    table.extend(packages::routes());
    table.extend(connected::routes());
    table.extend(apps::routes());
    table.push(get("/admin/audit", audit::list));
    table.extend(notifications::routes());
    table
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
