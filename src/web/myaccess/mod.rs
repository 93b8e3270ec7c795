//! The My Access portal (`/myaccess`), for everyone signed in: `Access packages`,
//! `Request history`, `Approvals` and `My access`.
mod access;
mod approvals;
mod history;
mod packages;
mod settings;
mod tokens;

use actix_web::HttpResponse;

use super::{RouteDef, get, post, see_other};
use crate::auth::extract::CurrentUser;

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/myaccess", home),
        get("/myaccess/", home),
        get("/myaccess/access-packages", packages::list),
        get("/myaccess/access-packages/request", packages::selected),
        get("/myaccess/access-packages/{id}", packages::pane),
        post("/myaccess/access-packages/{id}", packages::submit),
        get("/myaccess/request-history", history::list),
        get("/myaccess/request-history/{id}", history::detail),
        post("/myaccess/request-history/{id}/cancel", history::cancel),
        get("/myaccess/approvals", approvals::pending),
        get("/myaccess/approvals/history", approvals::history),
        get("/myaccess/approvals/{id}", approvals::view),
        post("/myaccess/approvals/{id}", approvals::decide),
        get("/myaccess/access", access::list),
        get("/myaccess/access/{id}/extend", access::extend_pane),
        post("/myaccess/access/{id}/extend", access::extend),
        get("/myaccess/access/{id}/remove", access::confirm_remove),
        post("/myaccess/access/{id}/remove", access::remove),
        get("/myaccess/settings", settings::show),
        post("/myaccess/settings", settings::save),
        get("/myaccess/api-tokens", tokens::show),
        post("/myaccess/api-tokens", tokens::create),
        post("/myaccess/api-tokens/{id}/revoke", tokens::revoke),
    ]
}

/// Anyone signed in starts at `Access packages`.
async fn home(_current: CurrentUser) -> HttpResponse {
    see_other("/myaccess/access-packages")
}
