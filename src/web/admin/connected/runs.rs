//! A connected system's long runs in the portal: `Sync now` and the import's progress and
//! summary (LDAP), `Check now` and the Drift page with each governed group's setting.
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::{ACTIVE, find};
use crate::auth::csrf::CsrfForm;
use crate::auth::extract::GlobalAdmin;
use crate::domain::directory::{RunKind, RunState};
use crate::domain::drift::Direction;
use crate::domain::drift::DriftMode;
use crate::ids::GroupId;
use crate::services::connected::ConnectedSystem;
use crate::services::drift::{self, Finding, GovernedGroup};
use crate::services::sync::{self, SyncRun};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::filters;
use crate::web::{flash_outcome, layout::Chrome, parse_id, see_other};

#[derive(Template, WebTemplate)]
#[template(path = "admin/connected/sync.html")]
pub struct SyncPage {
    chrome: Chrome,
    system: ConnectedSystem,
    runs: Vec<SyncRun>,
}

impl SyncPage {
    /// The run shown at the top: the newest.
    fn current(&self) -> Option<&SyncRun> {
        self.runs.first()
    }
}

/// The sync page: the newest run (its progress while it runs, then its summary) and the
/// runs before it.
pub async fn show_sync(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    id: web::Path<String>,
) -> AppResult<SyncPage> {
    let system = find(&state, &admin, &id).await?;
    let runs = sync::runs(&state.db, admin.principal(), system.id, RunKind::Import, 20).await?;
    Ok(SyncPage {
        chrome: Chrome::admin(admin.current(), ACTIVE)?,
        system,
        runs,
    })
}

/// `Sync now`: a full import, queued for the worker.
pub async fn sync_now(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let system = find(&state, &admin, &id).await?;
    let queued = sync::request_run(
        &state.db,
        state.clock.as_ref(),
        admin.principal(),
        system.id,
        RunKind::Import,
    )
    .await
    .map(|_| {
        format!(
            "Sync of {} started. Its progress shows below.",
            system.display_name
        )
    });
    flash_outcome(&admin.current().session, queued)?;
    Ok(see_other(&format!(
        "/admin/connected-systems/{}/sync",
        system.id
    )))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/connected/drift.html")]
pub struct DriftPage {
    chrome: Chrome,
    system: ConnectedSystem,
    groups: Vec<GovernedGroup>,
    findings: Vec<Finding>,
    last: Option<SyncRun>,
    modes: [DriftMode; 2],
}

pub async fn show_drift(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    id: web::Path<String>,
) -> AppResult<DriftPage> {
    let system = find(&state, &admin, &id).await?;
    let principal = admin.principal();
    let groups = drift::governed_groups(&state.db, principal, system.id).await?;
    let findings = drift::findings(&state.db, principal, system.id).await?;
    let last = sync::runs(&state.db, principal, system.id, RunKind::Drift, 1)
        .await?
        .into_iter()
        .next();
    Ok(DriftPage {
        chrome: Chrome::admin(admin.current(), ACTIVE)?,
        system,
        groups,
        findings,
        last,
        modes: DriftMode::ALL,
    })
}

/// `Check now`.
pub async fn check_now(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    queue(&state, &admin, &id, RunKind::Drift).await
}

/// Queues a run of `kind` and goes to the page that shows it.
async fn queue(
    state: &AppState,
    admin: &GlobalAdmin,
    id: &str,
    kind: RunKind,
) -> AppResult<HttpResponse> {
    let system = find(state, admin, id).await?;
    let queued = sync::request_run(
        &state.db,
        state.clock.as_ref(),
        admin.principal(),
        system.id,
        kind,
    )
    .await
    .map(|_| match kind {
        RunKind::Import => format!(
            "Sync of {} started. Its progress shows below.",
            system.display_name
        ),
        RunKind::Drift => "Drift check started. What it finds shows below.".to_owned(),
    });
    flash_outcome(&admin.current().session, queued)?;
    let page = match kind {
        RunKind::Import => "sync",
        RunKind::Drift => "drift",
    };
    Ok(see_other(&format!(
        "/admin/connected-systems/{}/{page}",
        system.id
    )))
}

#[derive(Deserialize)]
pub struct ModeForm {
    #[serde(default)]
    mode: String,
}

/// `Report only` or `Revert` for one governed group.
pub async fn set_mode(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    path: web::Path<(String, String)>,
    form: CsrfForm<ModeForm>,
) -> AppResult<HttpResponse> {
    let (id, group) = path.into_inner();
    let system = find(&state, &admin, &id).await?;
    let group: GroupId = parse_id(&group)?;
    let back = format!("/admin/connected-systems/{}/drift", system.id);
    let Ok(mode) = DriftMode::parse(&form.0.mode) else {
        return Ok(see_other(&back));
    };
    let saved = drift::set_mode(
        &state.db,
        state.clock.as_ref(),
        admin.principal(),
        system.id,
        group,
        mode,
    )
    .await
    .map(|()| match mode {
        DriftMode::Report => "Saved: drift in this group is reported.".to_owned(),
        DriftMode::Revert => "Saved: drift in this group is reverted at the next check.".to_owned(),
    });
    flash_outcome(&admin.current().session, saved)?;
    Ok(see_other(&back))
}
