//! `Edit` a user's name, user principal name, email and directory role.
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;

use super::{RoleOption, UserForm, place_error, role_options};
use crate::auth::csrf::CsrfForm;
use crate::auth::extract::DirectoryAdmin;
use crate::auth::session::FlashKind;
use crate::domain::user::{DirectoryRole, DisplayName, Email, User, UserPrincipalName};
use crate::ids::UserId;
use crate::services::users::{self, UserChanges};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::form::FormErrors;
use crate::web::{html, layout::Chrome, parse_id, see_other};

#[derive(Template)]
#[template(path = "admin/users/edit.html")]
struct EditUserPage {
    chrome: Chrome,
    user: User,
    form: UserForm,
    errors: FormErrors,
    roles: Vec<RoleOption>,
}

/// The user, if this admin may change them: 404 for no such user, 403 for a Global
/// administrator when the admin is a User administrator.
pub(super) async fn manageable_user(
    state: &AppState,
    admin: &DirectoryAdmin,
    raw_id: &str,
) -> AppResult<User> {
    let id: UserId = parse_id(raw_id)?;
    Ok(users::get_manageable(&state.db, admin.principal(), id).await?)
}

fn page(
    admin: &DirectoryAdmin,
    user: User,
    form: UserForm,
    errors: FormErrors,
) -> AppResult<EditUserPage> {
    let roles = if admin.user().id == user.id {
        vec![RoleOption {
            value: user.role.as_str(),
            label: user.role.label(),
        }]
    } else {
        role_options(admin.user().role)
    };
    Ok(EditUserPage {
        chrome: Chrome::admin(admin.current(), "users")?,
        user,
        form,
        errors,
        roles,
    })
}

/// Directory administrators who may manage this user.
pub async fn form(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let user = manageable_user(&state, &admin, &id).await?;
    let form = UserForm::from_user(&user);
    html(
        StatusCode::OK,
        &page(&admin, user, form, FormErrors::default())?,
    )
}

pub async fn save(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
    form: CsrfForm<UserForm>,
) -> AppResult<HttpResponse> {
    let user = manageable_user(&state, &admin, &id).await?;
    let CsrfForm(form) = form;
    let mut errors = FormErrors::default();
    let display_name = errors.check("display_name", DisplayName::parse(&form.display_name));
    let user_principal_name = errors.check(
        "user_principal_name",
        UserPrincipalName::parse(&form.user_principal_name),
    );
    let email = errors.check("email", Email::parse(&form.email));
    let role = errors.check("directory_role", DirectoryRole::parse(&form.directory_role));
    if let (Some(display_name), Some(user_principal_name), Some(email), Some(role)) =
        (display_name, user_principal_name, email, role)
    {
        let changes = UserChanges {
            display_name,
            user_principal_name,
            email,
            role,
        };
        match users::update(
            &state.db,
            state.clock.as_ref(),
            admin.principal(),
            user.id,
            changes,
        )
        .await
        {
            Ok(updated) => {
                admin.current().session.flash(
                    FlashKind::Success,
                    format!("User updated: {}", updated.display_name),
                );
                return Ok(see_other(&format!("/admin/users/{}", updated.id)));
            }
            Err(err) => place_error(err, &mut errors)?,
        }
    }
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        &page(&admin, user, form, errors)?,
    )
}
