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

use crate::web::{RouteDef, get, post};

// One route a line, as a table reads.
#[rustfmt::skip]
pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/admin/access-packages", list::list),
        get("/admin/access-packages/new", wizard::start_by_link),
        post("/admin/access-packages/new", wizard::start),
        post("/admin/access-packages/new/{draft}/cancel", wizard::cancel),
        get("/admin/access-packages/new/{draft}/{tab}", wizard::show),
        post("/admin/access-packages/new/{draft}/{tab}", wizard::submit),
        get("/admin/access-packages/{id}", show::overview),
        get("/admin/access-packages/{id}/assignments", lifecycle::assignments),
        get("/admin/access-packages/{id}/requests", lifecycle::requests),
        get("/admin/access-packages/{id}/requests/{request}", lifecycle::request),
        post("/admin/access-packages/{id}/assignments/reprocess", lifecycle::reprocess_all),
        post("/admin/access-packages/{id}/assignments/{assignment}/reprocess", lifecycle::reprocess_one),
        get("/admin/access-packages/{id}/assignments/new", lifecycle::new_form),
        post("/admin/access-packages/{id}/assignments/new", lifecycle::create),
        get("/admin/access-packages/{id}/assignments/{assignment}/extend", lifecycle::confirm_extend),
        post("/admin/access-packages/{id}/assignments/{assignment}/extend", lifecycle::extend),
        get("/admin/access-packages/{id}/assignments/{assignment}/remove", lifecycle::confirm_remove),
        post("/admin/access-packages/{id}/assignments/{assignment}/remove", lifecycle::remove),
        get("/admin/access-packages/{id}/resource-roles", resource_roles::list),
        get("/admin/access-packages/{id}/resource-roles/add", resource_roles::picker),
        post("/admin/access-packages/{id}/resource-roles/add", resource_roles::add),
        get("/admin/access-packages/{id}/resource-roles/{role}/remove", resource_roles::confirm_remove),
        post("/admin/access-packages/{id}/resource-roles/{role}/remove", resource_roles::remove),
        get("/admin/access-packages/{id}/policies", policies::list),
        get("/admin/access-packages/{id}/policies/new", policies::new_form),
        post("/admin/access-packages/{id}/policies/new", policies::create),
        get("/admin/access-packages/{id}/policies/{policy}/edit", policies::edit_form),
        post("/admin/access-packages/{id}/policies/{policy}/edit", policies::save),
        get("/admin/access-packages/{id}/policies/{policy}/delete", policies::confirm_delete),
        post("/admin/access-packages/{id}/policies/{policy}/delete", policies::delete),
        get("/admin/access-packages/{id}/properties", properties::form),
        post("/admin/access-packages/{id}/properties", properties::save),
        get("/admin/access-packages/{id}/delete", properties::confirm_delete),
        post("/admin/access-packages/{id}/delete", properties::delete),
    ]
}
