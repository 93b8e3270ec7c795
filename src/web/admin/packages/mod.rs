//! Access packages in the admin portal: the list, the `New access package` wizard, and each
//! package's pages.
mod list;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/access-packages", web::get().to(list::list));
}
