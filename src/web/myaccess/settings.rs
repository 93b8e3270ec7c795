//! My Access → `Settings`: which optional emails the person wants.
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::CurrentUser;
use crate::auth::session::FlashKind;
use crate::services::mail;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::{layout::Chrome, see_other};

#[derive(Template, WebTemplate)]
#[template(path = "myaccess/settings.html")]
pub struct SettingsPage {
    chrome: Chrome,
    optional_email: bool,
    email: Option<String>,
    mail_on: bool,
}

pub async fn show(state: web::Data<AppState>, current: CurrentUser) -> AppResult<SettingsPage> {
    let optional_email = mail::optional_email(&state.db, current.principal()).await?;
    Ok(SettingsPage {
        chrome: Chrome::my_access(&current, "settings")?,
        optional_email,
        email: current.user.email.clone(),
        mail_on: state.config.mail.is_some(),
    })
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    optional_email: Option<String>,
}

pub async fn save(
    state: web::Data<AppState>,
    current: CurrentUser,
    form: CsrfForm<SettingsForm>,
) -> AppResult<HttpResponse> {
    let on = form.0.optional_email.is_some();
    mail::set_optional_email(&state.db, state.clock.as_ref(), current.principal(), on).await?;
    current
        .session
        .flash(FlashKind::Success, "Your settings are saved.");
    Ok(see_other("/myaccess/settings"))
}
