//! Access packages in the admin portal: the list, the `New access package` wizard, and each
//! package's pages.
mod lifecycle;
mod list;
mod policies;
mod policy_form;
mod properties;
mod resource_roles;
mod show;
mod wizard;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/access-packages", web::get().to(list::list))
        .route("/access-packages/new", web::get().to(wizard::start_by_link))
        .route("/access-packages/new", web::post().to(wizard::start))
        .route(
            "/access-packages/new/{draft}/cancel",
            web::post().to(wizard::cancel),
        )
        .route(
            "/access-packages/new/{draft}/{tab}",
            web::get().to(wizard::show),
        )
        .route(
            "/access-packages/new/{draft}/{tab}",
            web::post().to(wizard::submit),
        )
        .route("/access-packages/{id}", web::get().to(show::overview))
        .route(
            "/access-packages/{id}/assignments",
            web::get().to(lifecycle::assignments),
        )
        .route(
            "/access-packages/{id}/requests",
            web::get().to(lifecycle::requests),
        )
        .route(
            "/access-packages/{id}/requests/{request}",
            web::get().to(lifecycle::request),
        )
        .route(
            "/access-packages/{id}/assignments/new",
            web::get().to(lifecycle::new_form),
        )
        .route(
            "/access-packages/{id}/assignments/new",
            web::post().to(lifecycle::create),
        )
        .route(
            "/access-packages/{id}/assignments/{assignment}/remove",
            web::get().to(lifecycle::confirm_remove),
        )
        .route(
            "/access-packages/{id}/assignments/{assignment}/remove",
            web::post().to(lifecycle::remove),
        )
        .route(
            "/access-packages/{id}/resource-roles",
            web::get().to(resource_roles::list),
        )
        .route(
            "/access-packages/{id}/resource-roles/add",
            web::get().to(resource_roles::picker),
        )
        .route(
            "/access-packages/{id}/resource-roles/add",
            web::post().to(resource_roles::add),
        )
        .route(
            "/access-packages/{id}/resource-roles/{role}/remove",
            web::get().to(resource_roles::confirm_remove),
        )
        .route(
            "/access-packages/{id}/resource-roles/{role}/remove",
            web::post().to(resource_roles::remove),
        )
        .route(
            "/access-packages/{id}/policies",
            web::get().to(policies::list),
        )
        .route(
            "/access-packages/{id}/policies/new",
            web::get().to(policies::new_form),
        )
        .route(
            "/access-packages/{id}/policies/new",
            web::post().to(policies::create),
        )
        .route(
            "/access-packages/{id}/policies/{policy}/edit",
            web::get().to(policies::edit_form),
        )
        .route(
            "/access-packages/{id}/policies/{policy}/edit",
            web::post().to(policies::save),
        )
        .route(
            "/access-packages/{id}/policies/{policy}/delete",
            web::get().to(policies::confirm_delete),
        )
        .route(
            "/access-packages/{id}/policies/{policy}/delete",
            web::post().to(policies::delete),
        )
        .route(
            "/access-packages/{id}/properties",
            web::get().to(properties::form),
        )
        .route(
            "/access-packages/{id}/properties",
            web::post().to(properties::save),
        )
        .route(
            "/access-packages/{id}/delete",
            web::get().to(properties::confirm_delete),
        )
        .route(
            "/access-packages/{id}/delete",
            web::post().to(properties::delete),
        );
}
