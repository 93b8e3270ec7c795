//! The My Access portal (`/myaccess`), for everyone signed in: `Access packages`,
//! `Request history`, `Approvals` and `My access`.
mod access;
mod approvals;
mod history;
mod packages;

use actix_web::{HttpResponse, web};

use super::see_other;
use crate::auth::extract::CurrentUser;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("", web::get().to(home))
        .route("/", web::get().to(home))
        .route("/access-packages", web::get().to(packages::list))
        .route(
            "/access-packages/request",
            web::get().to(packages::selected),
        )
        .route("/access-packages/{id}", web::get().to(packages::pane))
        .route("/access-packages/{id}", web::post().to(packages::submit))
        .route("/request-history", web::get().to(history::list))
        .route("/request-history/{id}", web::get().to(history::detail))
        .route(
            "/request-history/{id}/cancel",
            web::post().to(history::cancel),
        )
        .route("/approvals", web::get().to(approvals::pending))
        .route("/approvals/history", web::get().to(approvals::history))
        .route("/approvals/{id}", web::get().to(approvals::view))
        .route("/approvals/{id}", web::post().to(approvals::decide))
        .route("/access", web::get().to(access::list))
        .route("/access/{id}/remove", web::get().to(access::confirm_remove))
        .route("/access/{id}/remove", web::post().to(access::remove));
}

/// Anyone signed in starts at `Access packages`.
async fn home(_current: CurrentUser) -> HttpResponse {
    see_other("/myaccess/access-packages")
}
