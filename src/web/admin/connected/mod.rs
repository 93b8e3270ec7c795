//! `Connected systems` (Global administrators): the list, `New connected system`, a
//! system's page with `Test connection`, edit and delete.
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::GlobalAdmin;
use crate::auth::session::FlashKind;
use crate::domain::connected::{
    MembershipAttribute, ScimUserMatch, Settings, SettingsInput, SystemKind, SystemName, UserMatch,
    parse_secret,
};
use crate::domain::directory::{RunKind, RunState};
use crate::ids::ConnectedSystemId;
use crate::services::connected::{self, ConnectedSystem, SecretChange, SystemInput};
use crate::services::error::ServiceError;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::filters;
use crate::web::form::FormErrors;
use crate::web::{RouteDef, get, html, layout::Chrome, parse_id, post, see_other};

mod provisioning;
mod runs;

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/admin/connected-systems", list),
        get("/admin/connected-systems/new", new_form),
        get(provisioning::PATH, provisioning::show),
        post(
            "/admin/connected-systems/scim-provisioning/tokens",
            provisioning::create_token,
        ),
        post(
            "/admin/connected-systems/scim-provisioning/tokens/{id}/revoke",
            provisioning::revoke_token,
        ),
        post(
            "/admin/connected-systems/scim-provisioning/settings",
            provisioning::save_settings,
        ),
        post("/admin/connected-systems/new", create),
        get("/admin/connected-systems/{id}", show),
        get("/admin/connected-systems/{id}/edit", edit_form),
        post("/admin/connected-systems/{id}/edit", save),
        post("/admin/connected-systems/{id}/test", test),
        post("/admin/connected-systems/{id}/log/{change}/resend", resend),
        get("/admin/connected-systems/{id}/sync", runs::show_sync),
        post("/admin/connected-systems/{id}/sync", runs::sync_now),
        get("/admin/connected-systems/{id}/drift", runs::show_drift),
        post("/admin/connected-systems/{id}/drift", runs::check_now),
        post(
            "/admin/connected-systems/{id}/drift/{group}/mode",
            runs::set_mode,
        ),
        get("/admin/connected-systems/{id}/delete", confirm_delete),
        post("/admin/connected-systems/{id}/delete", delete),
    ]
}

const ACTIVE: &str = "connected";

#[derive(Template, WebTemplate)]
#[template(path = "admin/connected/list.html")]
pub struct ListPage {
    chrome: Chrome,
    systems: Vec<ConnectedSystem>,
}

pub async fn list(state: web::Data<AppState>, admin: GlobalAdmin) -> AppResult<ListPage> {
    let systems = connected::list(&state.db, admin.principal()).await?;
    Ok(ListPage {
        chrome: Chrome::admin(admin.current(), ACTIVE)?,
        systems,
    })
}

/// The form of a new or existing system, as typed.
#[derive(Deserialize, Default)]
pub struct SystemForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    enabled: Option<String>,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    clear_secret: Option<String>,
    #[serde(flatten)]
    settings: SettingsInput,
}

#[derive(Deserialize)]
pub struct KindQuery {
    #[serde(default)]
    kind: String,
}

#[derive(Template)]
#[template(path = "admin/connected/choose.html")]
struct ChoosePage {
    chrome: Chrome,
    kinds: [SystemKind; 3],
}

#[derive(Template)]
#[template(path = "admin/connected/form.html")]
struct FormPage {
    chrome: Chrome,
    kind: SystemKind,
    /// `None` for a new system.
    system: Option<ConnectedSystem>,
    form: SystemForm,
    errors: FormErrors,
    user_matches: [UserMatch; 4],
    scim_matches: [ScimUserMatch; 2],
    memberships: [MembershipAttribute; 3],
}

impl FormPage {
    fn new(
        chrome: Chrome,
        kind: SystemKind,
        system: Option<ConnectedSystem>,
        form: SystemForm,
        errors: FormErrors,
    ) -> Self {
        Self {
            chrome,
            kind,
            system,
            form,
            errors,
            user_matches: UserMatch::ALL,
            scim_matches: ScimUserMatch::ALL,
            memberships: MembershipAttribute::ALL,
        }
    }

    fn action(&self) -> String {
        match &self.system {
            Some(system) => format!("/admin/connected-systems/{}/edit", system.id),
            None => "/admin/connected-systems/new".to_owned(),
        }
    }
}

/// Without `?kind=`, the choice of kind; with it, that kind's form.
pub async fn new_form(admin: GlobalAdmin, query: web::Query<KindQuery>) -> AppResult<HttpResponse> {
    let chrome = Chrome::admin(admin.current(), ACTIVE)?;
    let Ok(kind) = SystemKind::parse(&query.kind) else {
        return html(
            StatusCode::OK,
            &ChoosePage {
                chrome,
                kinds: SystemKind::ALL,
            },
        );
    };
    let form = SystemForm {
        kind: kind.as_str().to_owned(),
        enabled: Some("on".into()),
        settings: SettingsInput {
            user_match: match kind {
                SystemKind::Scim => ScimUserMatch::UserName.as_str().into(),
                _ => UserMatch::Uid.as_str().into(),
            },
            ..SettingsInput::defaults()
        },
        ..SystemForm::default()
    };
    html(
        StatusCode::OK,
        &FormPage::new(chrome, kind, None, form, FormErrors::default()),
    )
}

/// Checks the form: the system's input, or the messages per field.
fn read_form(
    form: &SystemForm,
    kind: SystemKind,
    editing: bool,
    errors: &mut FormErrors,
) -> Option<SystemInput> {
    let name = errors.check("display_name", SystemName::parse(&form.display_name));
    let settings = match form.settings.parse(kind) {
        Ok(settings) => Some(settings),
        Err(problems) => {
            for (field, invalid) in problems {
                errors.add(field, invalid.0);
            }
            None
        }
    };
    let secret = if form.clear_secret.is_some() {
        Some(SecretChange::Clear)
    } else if form.secret.is_empty() {
        if !editing && kind == SystemKind::Webhook {
            errors.add(
                "secret",
                "Enter a signing secret: the receiver checks each message with it.",
            );
        }
        Some(SecretChange::Keep)
    } else {
        errors
            .check("secret", parse_secret(&form.secret, kind))
            .map(SecretChange::Set)
    };
    match (name, settings, secret) {
        (Some(name), Some(settings), Some(secret)) if errors.is_empty() => Some(SystemInput {
            name,
            settings,
            enabled: form.enabled.is_some(),
            secret,
        }),
        _ => None,
    }
}

pub async fn create(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    form: CsrfForm<SystemForm>,
) -> AppResult<HttpResponse> {
    let CsrfForm(mut form) = form;
    let Ok(kind) = SystemKind::parse(&form.kind) else {
        return Ok(see_other("/admin/connected-systems/new"));
    };
    let mut errors = FormErrors::default();
    if let Some(input) = read_form(&form, kind, false, &mut errors) {
        match connected::create(
            &state.db,
            state.clock.as_ref(),
            &state.secrets,
            admin.principal(),
            input,
        )
        .await
        {
            Ok(system) => {
                admin.current().session.flash(
                    FlashKind::Success,
                    format!(
                        "Connected system added: {}. Use Test connection to check it.",
                        system.display_name
                    ),
                );
                return Ok(see_other(&format!(
                    "/admin/connected-systems/{}",
                    system.id
                )));
            }
            Err(err) => errors.place(err, "display_name")?,
        }
    }
    // A secret is never sent back to the browser, not even the one just typed.
    form.secret.clear();
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        &FormPage::new(
            Chrome::admin(admin.current(), ACTIVE)?,
            kind,
            None,
            form,
            errors,
        ),
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/connected/show.html")]
pub struct ShowPage {
    chrome: Chrome,
    system: ConnectedSystem,
    log: Vec<connected::LogLine>,
    /// A SCIM service provider's groups, read when the page is shown.
    remote_groups: Option<Result<Vec<connected::RemoteGroup>, String>>,
    /// An importing directory's newest sync.
    last_sync: Option<crate::services::sync::SyncRun>,
}

pub(super) async fn find(
    state: &AppState,
    admin: &GlobalAdmin,
    raw: &str,
) -> AppResult<ConnectedSystem> {
    let id: ConnectedSystemId = parse_id(raw)?;
    Ok(connected::get(&state.db, admin.principal(), id).await?)
}

/// What a page about one system needs: the layout and the system.
async fn page_of(
    state: &AppState,
    admin: &GlobalAdmin,
    raw: &str,
) -> AppResult<(Chrome, ConnectedSystem)> {
    let system = find(state, admin, raw).await?;
    Ok((Chrome::admin(admin.current(), ACTIVE)?, system))
}

pub async fn show(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    id: web::Path<String>,
) -> AppResult<ShowPage> {
    let (chrome, system) = page_of(&state, &admin, &id).await?;
    let log = connected::delivery_log(&state.db, admin.principal(), system.id, 50).await?;
    let remote_groups = if system.kind() == SystemKind::Scim && system.enabled {
        Some(connected::scim_groups(&state.db, &state.secrets, admin.principal(), system.id).await?)
    } else {
        None
    };
    let last_sync = match &system.settings {
        Settings::Ldap(ldap) if ldap.import => crate::services::sync::runs(
            &state.db,
            admin.principal(),
            system.id,
            crate::domain::directory::RunKind::Import,
            1,
        )
        .await?
        .into_iter()
        .next(),
        _ => None,
    };
    Ok(ShowPage {
        chrome,
        system,
        log,
        remote_groups,
        last_sync,
    })
}

pub async fn edit_form(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let system = find(&state, &admin, &id).await?;
    let form = SystemForm {
        display_name: system.display_name.clone(),
        kind: system.kind().as_str().to_owned(),
        enabled: system.enabled.then(|| "on".to_owned()),
        secret: String::new(),
        clear_secret: None,
        settings: SettingsInput::from_settings(&system.settings),
    };
    html(
        StatusCode::OK,
        &FormPage::new(
            Chrome::admin(admin.current(), ACTIVE)?,
            system.kind(),
            Some(system),
            form,
            FormErrors::default(),
        ),
    )
}

pub async fn save(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    id: web::Path<String>,
    form: CsrfForm<SystemForm>,
) -> AppResult<HttpResponse> {
    let CsrfForm(mut form) = form;
    let system = find(&state, &admin, &id).await?;
    let kind = system.kind();
    let mut errors = FormErrors::default();
    if let Some(input) = read_form(&form, kind, true, &mut errors) {
        match connected::update(
            &state.db,
            state.clock.as_ref(),
            &state.secrets,
            admin.principal(),
            system.id,
            input,
        )
        .await
        {
            Ok(saved) => {
                admin
                    .current()
                    .session
                    .flash(FlashKind::Success, format!("Saved {}.", saved.display_name));
                return Ok(see_other(&format!("/admin/connected-systems/{}", saved.id)));
            }
            Err(err) => errors.place(err, "display_name")?,
        }
    }
    form.secret.clear();
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        &FormPage::new(
            Chrome::admin(admin.current(), ACTIVE)?,
            kind,
            Some(system),
            form,
            errors,
        ),
    )
}

/// `Test connection`: the result is kept on the system's page.
pub async fn test(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let system = find(&state, &admin, &id).await?;
    let report = connected::test_connection(
        &state.db,
        state.clock.as_ref(),
        &state.secrets,
        admin.principal(),
        system.id,
    )
    .await?;
    let (kind, message) = if report.ok() {
        (
            FlashKind::Success,
            format!("Connection to {} works.", system.display_name),
        )
    } else {
        (
            FlashKind::Error,
            format!(
                "Connection to {} failed. The steps below say where.",
                system.display_name
            ),
        )
    };
    admin.current().session.flash(kind, message);
    Ok(see_other(&format!(
        "/admin/connected-systems/{}",
        system.id
    )))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/connected/delete.html")]
pub struct DeletePage {
    chrome: Chrome,
    system: ConnectedSystem,
}

pub async fn confirm_delete(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    id: web::Path<String>,
) -> AppResult<DeletePage> {
    let (chrome, system) = page_of(&state, &admin, &id).await?;
    Ok(DeletePage { chrome, system })
}

pub async fn delete(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let system = find(&state, &admin, &id).await?;
    let deleted = connected::delete(
        &state.db,
        state.clock.as_ref(),
        admin.principal(),
        system.id,
    )
    .await;
    match deleted {
        Ok(gone) => {
            admin.current().session.flash(
                FlashKind::Success,
                format!("Deleted {}.", gone.display_name),
            );
            Ok(see_other("/admin/connected-systems"))
        }
        // Still governing groups: said on the system's page.
        Err(ServiceError::Conflict { message, .. }) => {
            admin.current().session.flash(FlashKind::Error, message);
            Ok(see_other(&format!(
                "/admin/connected-systems/{}",
                system.id
            )))
        }
        Err(other) => Err(other.into()),
    }
}

/// `Resend` on a line of the delivery log.
pub async fn resend(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    path: web::Path<(String, String)>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let (id, change) = path.into_inner();
    let system = find(&state, &admin, &id).await?;
    let change: crate::ids::OutboxId = parse_id(&change)?;
    connected::resend(
        &state.db,
        state.clock.as_ref(),
        admin.principal(),
        system.id,
        change,
    )
    .await?;
    admin.current().session.flash(
        FlashKind::Success,
        "Sent again: it is in the delivery log below.",
    );
    Ok(see_other(&format!(
        "/admin/connected-systems/{}",
        system.id
    )))
}
