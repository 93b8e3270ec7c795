//! Users in the admin portal: list, `New user`, details, edit, enable/disable, reset
//! password, delete.
mod delete;
mod edit;
mod list;
mod new;
mod password;
mod show;
mod status;

use serde::Deserialize;

use crate::domain::user::{DirectoryRole, User};
use crate::services::error::ServiceError;
use crate::web::error::AppError;
use crate::web::form::FormErrors;
use crate::web::{RouteDef, get, post};

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/admin/users", list::list),
        get("/admin/users/new", new::form),
        post("/admin/users/new", new::create),
        get("/admin/users/{id}", show::show),
        get("/admin/users/{id}/edit", edit::form),
        post("/admin/users/{id}/edit", edit::save),
        post("/admin/users/{id}/disable", status::disable),
        post("/admin/users/{id}/enable", status::enable),
        get("/admin/users/{id}/reset-password", password::form),
        post("/admin/users/{id}/reset-password", password::reset),
        get("/admin/users/{id}/delete", delete::confirm),
        post("/admin/users/{id}/delete", delete::delete),
    ]
}

/// The fields of `New user` and the edit form, as typed.
#[derive(Deserialize, Default)]
pub struct UserForm {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub user_principal_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub directory_role: String,
    #[serde(default)]
    pub password: String,
}

impl UserForm {
    fn from_user(user: &User) -> Self {
        Self {
            display_name: user.display_name.clone(),
            user_principal_name: user.user_principal_name.clone(),
            email: user.email.clone().unwrap_or_default(),
            directory_role: user.role.as_str().to_owned(),
            password: String::new(),
        }
    }
}

/// A role the acting admin may hand out, for the `Directory role` drop-down.
pub struct RoleOption {
    pub value: &'static str,
    pub label: &'static str,
}

pub fn role_options(actor: DirectoryRole) -> Vec<RoleOption> {
    DirectoryRole::ALL
        .into_iter()
        .filter(|role| actor.can_manage(*role))
        .map(|role| RoleOption {
            value: role.as_str(),
            label: role.label(),
        })
        .collect()
}

/// Service refusals that belong next to a field go there; the rest become pages.
/// A role the admin may not hand out, or their own role, is refused next to the role.
fn place_error(err: ServiceError, errors: &mut FormErrors) -> Result<(), AppError> {
    match err {
        ServiceError::Forbidden { message, .. } => errors.add("directory_role", message),
        other => errors.place(other, "directory_role")?,
    }
    Ok(())
}
