//! `App registrations` (Global administrators): daemons that call the Graph-compatible API
//! with a client id and secret, their application permissions, new secrets and deletion.
use actix_web::{HttpResponse, http::StatusCode, web};
use serde::Deserialize;

use super::super::{RouteDef, get, post};
use crate::auth::csrf::CsrfForm;
use crate::auth::extract::GlobalAdmin;
use crate::domain::principal::Scope;
use crate::ids::AppRegistrationId;
use crate::services::apps::{self, App, NewApp, SECRET_VALIDITY_DAYS};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::filters;
use crate::web::form::FormErrors;
use crate::web::{html_no_store, layout::Chrome, parse_id, see_other};

pub const PATH: &str = "/admin/app-registrations";
const ACTIVE: &str = "apps";

pub fn routes() -> Vec<RouteDef> {
    vec![
        get(PATH, show),
        post(PATH, create),
        post("/admin/app-registrations/{id}/secret", new_secret),
        post("/admin/app-registrations/{id}/delete", delete),
    ]
}

#[derive(askama::Template)]
#[template(path = "admin/apps.html")]
struct AppsPage {
    chrome: Chrome,
    apps: Vec<App>,
    now: time::OffsetDateTime,
    token_url: String,
    base_url: String,
    form: AppForm,
    errors: FormErrors,
    /// The app whose secret was just made, with the secret, shown this once.
    new_secret: Option<(App, String)>,
    validity: Vec<(String, String)>,
    permissions: Vec<(&'static str, &'static str, bool)>,
}

#[derive(Deserialize, Default)]
pub struct AppForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    valid_days: String,
    #[serde(default)]
    permission: Vec<String>,
}

#[derive(Deserialize)]
pub struct SecretForm {
    #[serde(default)]
    valid_days: String,
}

async fn render(
    state: &AppState,
    admin: &GlobalAdmin,
    status: StatusCode,
    form: AppForm,
    errors: FormErrors,
    new_secret: Option<(App, String)>,
) -> AppResult<HttpResponse> {
    let apps = apps::list(&state.db, admin.principal()).await?;
    let public = state.config.public_url.trim_end_matches('/');
    let permissions = Scope::ALL
        .iter()
        .map(|s| {
            let ticked = form.permission.iter().any(|p| p == s.as_str());
            (s.as_str(), s.description(), ticked)
        })
        .collect();
    let page = AppsPage {
        chrome: Chrome::admin(admin.current(), ACTIVE)?,
        apps,
        now: state.clock.now(),
        token_url: format!("{public}/gatehouse/oauth2/v2.0/token"),
        base_url: format!("{public}{}", crate::api::BASE_PATH),
        form,
        errors,
        new_secret,
        validity: crate::web::validity_choices(&SECRET_VALIDITY_DAYS),
        permissions,
    };
    html_no_store(status, &page)
}

pub async fn show(state: web::Data<AppState>, admin: GlobalAdmin) -> AppResult<HttpResponse> {
    let form = AppForm {
        valid_days: "180".to_owned(),
        ..AppForm::default()
    };
    render(
        &state,
        &admin,
        StatusCode::OK,
        form,
        FormErrors::default(),
        None,
    )
    .await
}

/// `Register`: the page again, with the client secret shown once.
pub async fn create(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    form: CsrfForm<AppForm>,
) -> AppResult<HttpResponse> {
    let form = form.0;
    let input = NewApp {
        name: form.name.clone(),
        valid_days: form.valid_days.clone(),
        permissions: form.permission.clone(),
    };
    match apps::create(&state.db, state.clock.as_ref(), admin.principal(), &input).await {
        Ok(made) => {
            let fresh = AppForm {
                valid_days: form.valid_days,
                ..AppForm::default()
            };
            render(
                &state,
                &admin,
                StatusCode::OK,
                fresh,
                FormErrors::default(),
                Some(made),
            )
            .await
        }
        Err(err) => {
            let mut errors = FormErrors::default();
            errors.place(err, "name")?;
            render(
                &state,
                &admin,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
                None,
            )
            .await
        }
    }
}

/// `New client secret`: replaces the secret, shown once.
pub async fn new_secret(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    id: web::Path<String>,
    form: CsrfForm<SecretForm>,
) -> AppResult<HttpResponse> {
    let id: AppRegistrationId = parse_id(&id)?;
    let made = apps::new_client_secret(
        &state.db,
        state.clock.as_ref(),
        admin.principal(),
        id,
        &form.0.valid_days,
    )
    .await?;
    let fresh = AppForm {
        valid_days: "180".to_owned(),
        ..AppForm::default()
    };
    render(
        &state,
        &admin,
        StatusCode::OK,
        fresh,
        FormErrors::default(),
        Some(made),
    )
    .await
}

pub async fn delete(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let id: AppRegistrationId = parse_id(&id)?;
    let gone = apps::delete(&state.db, state.clock.as_ref(), admin.principal(), id).await;
    crate::web::flash_outcome(
        &admin.current().session,
        gone.map(|app| {
            format!(
                "Deleted {}. Its client secret and tokens no longer work.",
                app.display_name
            )
        }),
    )?;
    Ok(see_other(PATH))
}
