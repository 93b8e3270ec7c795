//! `New user`.
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;

use super::{RoleOption, UserForm, place_error, role_options};
use crate::auth::csrf::CsrfForm;
use crate::auth::extract::DirectoryAdmin;
use crate::auth::session::FlashKind;
use crate::domain::user::{DirectoryRole, DisplayName, Email, Password, UserPrincipalName};
use crate::services::users::{self, NewUser};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::form::FormErrors;
use crate::web::{html, layout::Chrome, see_other};

#[derive(Template)]
#[template(path = "admin/users/new.html")]
struct NewUserPage {
    chrome: Chrome,
    form: UserForm,
    errors: FormErrors,
    roles: Vec<RoleOption>,
}

fn page(admin: &DirectoryAdmin, form: UserForm, errors: FormErrors) -> AppResult<NewUserPage> {
    Ok(NewUserPage {
        chrome: Chrome::admin(admin.current(), "users")?,
        form,
        errors,
        roles: role_options(admin.user().role),
    })
}

/// Directory administrators.
pub async fn form(admin: DirectoryAdmin) -> AppResult<HttpResponse> {
    let form = UserForm {
        directory_role: DirectoryRole::User.as_str().to_owned(),
        ..UserForm::default()
    };
    html(StatusCode::OK, &page(&admin, form, FormErrors::default())?)
}

/// Directory administrators; a User administrator cannot create a Global administrator.
pub async fn create(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    form: CsrfForm<UserForm>,
) -> AppResult<HttpResponse> {
    let CsrfForm(mut form) = form;
    let mut errors = FormErrors::default();
    let display_name = errors.check("display_name", DisplayName::parse(&form.display_name));
    let user_principal_name = errors.check(
        "user_principal_name",
        UserPrincipalName::parse(&form.user_principal_name),
    );
    let email = errors.check("email", Email::parse(&form.email));
    let role = errors.check("directory_role", DirectoryRole::parse(&form.directory_role));
    let password = errors.check("password", Password::parse(&form.password));
    if let (
        Some(display_name),
        Some(user_principal_name),
        Some(email),
        Some(role),
        Some(password),
    ) = (display_name, user_principal_name, email, role, password)
    {
        let new = NewUser {
            display_name,
            user_principal_name,
            email,
            role,
            password,
        };
        match users::create(&state.db, state.clock.as_ref(), admin.principal(), new).await {
            Ok(user) => {
                admin.current().session.flash(
                    FlashKind::Success,
                    format!("User created: {}", user.display_name),
                );
                return Ok(see_other(&format!("/admin/users/{}", user.id)));
            }
            Err(err) => place_error(err, &mut errors)?,
        }
    }
    form.password.clear();
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        &page(&admin, form, errors)?,
    )
}
