//! `New group`.
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::DirectoryAdmin;
use crate::auth::session::FlashKind;
use crate::domain::group::{Description, GroupName, MembershipType};
use crate::services::groups::{self, NewGroup};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::form::FormErrors;
use crate::web::{html, layout::Chrome, see_other};

#[derive(Deserialize, Default)]
pub struct GroupForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    membership_type: String,
}

#[derive(Template)]
#[template(path = "admin/groups/new.html")]
struct NewGroupPage {
    chrome: Chrome,
    form: GroupForm,
    errors: FormErrors,
}

/// Directory administrators.
pub async fn form(admin: DirectoryAdmin) -> AppResult<HttpResponse> {
    let form = GroupForm {
        membership_type: MembershipType::Assigned.as_str().to_owned(),
        ..GroupForm::default()
    };
    html(
        StatusCode::OK,
        &NewGroupPage {
            chrome: Chrome::admin(admin.current(), "groups")?,
            form,
            errors: FormErrors::default(),
        },
    )
}

pub async fn create(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    form: CsrfForm<GroupForm>,
) -> AppResult<HttpResponse> {
    let CsrfForm(form) = form;
    let mut errors = FormErrors::default();
    let name = errors.check("display_name", GroupName::parse(&form.display_name));
    let description = errors.check("description", Description::parse(&form.description));
    let membership_type = errors.check(
        "membership_type",
        MembershipType::parse(&form.membership_type),
    );
    if let (Some(name), Some(description), Some(membership_type)) =
        (name, description, membership_type)
    {
        match groups::create(
            &state.db,
            state.clock.as_ref(),
            admin.principal(),
            NewGroup {
                name,
                description,
                membership_type,
            },
        )
        .await
        {
            Ok(group) => {
                admin.current().session.flash(
                    FlashKind::Success,
                    format!("Group created: {}", group.display_name),
                );
                return Ok(see_other(&format!("/admin/groups/{}", group.id)));
            }
            Err(err) => errors.place(err, "display_name")?,
        }
    }
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        &NewGroupPage {
            chrome: Chrome::admin(admin.current(), "groups")?,
            form,
            errors,
        },
    )
}
