//! `New access package`: the tabs `Basics`, `Resource roles`, `Policy` and `Review + create`,
//! moved through with `Next` and `Previous`. Each tab is a server-rendered form; the draft
//! is kept in the database between tabs, so nothing typed is lost and no JavaScript is needed.
mod action;
mod create;
mod view;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use self::action::{Tab, WizardAction};
use self::view::{Screen, creatable_catalogs, render};
use super::policy_form::{self, PickerFields};
use crate::auth::csrf::{CsrfBody, CsrfForm};
use crate::auth::extract::EntitlementManager;
use crate::domain::policy::PolicyInput;
use crate::ids::{CatalogId, DraftId, GroupId};
use crate::state::AppState;
use crate::store;
use crate::web::error::{AppError, AppResult};
use crate::web::{parse_id, see_other};

/// The wizard's fields, kept as typed.
#[derive(Serialize, Deserialize, Default, Clone)]
#[serde(default)]
pub struct Draft {
    pub name: String,
    pub description: String,
    pub catalog_id: String,
    pub resources: Vec<DraftResource>,
    /// `later` ("Will create later") or `now`.
    pub policy_mode: String,
    pub policy: PolicyInput,
}

#[derive(Serialize, Deserialize, Default, Clone)]
pub struct DraftResource {
    pub group_id: String,
    pub role: String,
}

/// `Create the first policy`: now, or "Will create later".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyMode {
    Now,
    Later,
}

impl PolicyMode {
    /// The draft's choice, if it made a known one.
    pub fn of(draft: &Draft) -> Option<Self> {
        match draft.policy_mode.as_str() {
            "now" => Some(Self::Now),
            "later" => Some(Self::Later),
            _ => None,
        }
    }
}

impl Draft {
    /// The draft's catalog, if the manager may create packages in it.
    fn catalog(&self, manager: &EntitlementManager) -> Option<CatalogId> {
        self.catalog_id
            .parse()
            .ok()
            .filter(|id| manager.access(*id).manage_packages)
    }
}

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    catalog: String,
}

/// `New access package` is a button that posts (a link could be followed from another site);
/// an address typed in goes to the list, where the button is.
pub async fn start_by_link(_manager: EntitlementManager) -> HttpResponse {
    see_other("/admin/access-packages")
}

/// `New access package`: starts a draft in the chosen (or Default) catalog.
pub async fn start(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    form: CsrfForm<StartForm>,
) -> AppResult<HttpResponse> {
    let catalogs = creatable_catalogs(&state, &manager).await?;
    let wanted: Option<CatalogId> = form.0.catalog.parse().ok();
    let catalog = catalogs
        .iter()
        .find(|c| Some(c.id) == wanted)
        .or_else(|| catalogs.iter().find(|c| c.is_default))
        .or_else(|| catalogs.first())
        .ok_or(AppError::Forbidden)?;
    let draft = Draft {
        catalog_id: catalog.id.to_string(),
        policy_mode: "later".into(),
        ..Draft::default()
    };
    let data = serde_json::to_string(&draft).map_err(|e| AppError::Unexpected(e.into()))?;
    let id = store::drafts::create(&state.db, manager.user().id, data, state.clock.now()).await?;
    Ok(see_other(&format!(
        "/admin/access-packages/new/{id}/basics"
    )))
}

/// The draft, if it is this person's.
async fn load(
    state: &AppState,
    manager: &EntitlementManager,
    raw_id: &str,
) -> AppResult<(DraftId, Draft)> {
    let id: DraftId = parse_id(raw_id)?;
    let data = store::drafts::load(&state.db, manager.user().id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((id, serde_json::from_str(&data).unwrap_or_default()))
}

async fn save(
    state: &AppState,
    manager: &EntitlementManager,
    id: DraftId,
    draft: &Draft,
) -> AppResult<()> {
    let data = serde_json::to_string(draft).map_err(|e| AppError::Unexpected(e.into()))?;
    store::drafts::save(&state.db, manager.user().id, id, data, state.clock.now()).await?;
    Ok(())
}

fn tab_of(raw: &str) -> AppResult<Tab> {
    Tab::parse(raw).ok_or(AppError::NotFound)
}

/// The person who started the draft.
pub async fn show(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (raw_id, raw_tab) = path.into_inner();
    let tab = tab_of(&raw_tab)?;
    let (id, draft) = load(&state, &manager, &raw_id).await?;
    render(&state, &manager, id, draft, Screen::of(tab)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BasicsFields {
    display_name: String,
    description: String,
    catalog_id: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResourceFields {
    resource_group: Vec<String>,
    resource_role: Vec<String>,
    outside: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PolicyModeField {
    policy_mode: String,
}

/// Keeps what the tab's form says in the draft.
fn keep_tab(
    tab: Tab,
    body: &CsrfBody,
    manager: &EntitlementManager,
    draft: &mut Draft,
) -> AppResult<()> {
    match tab {
        Tab::Basics => {
            let basics: BasicsFields = body.parse()?;
            draft.name = basics.display_name;
            draft.description = basics.description;
            // Only a catalog the manager may create packages in is kept; anything else stays
            // empty and Next says so.
            draft.catalog_id = if basics
                .catalog_id
                .parse::<CatalogId>()
                .is_ok_and(|id| manager.access(id).manage_packages)
            {
                basics.catalog_id
            } else {
                String::new()
            };
        }
        Tab::Resources => {
            let resources: ResourceFields = body.parse()?;
            if resources.resource_group.len() != resources.resource_role.len() {
                return Err(AppError::BadRequest(
                    "The resource roles could not be read.".to_owned(),
                ));
            }
            draft.resources = resources
                .resource_group
                .into_iter()
                .zip(resources.resource_role)
                .map(|(group_id, role)| DraftResource { group_id, role })
                .collect();
        }
        Tab::Policy => {
            let mode: PolicyModeField = body.parse()?;
            draft.policy_mode = mode.policy_mode;
            draft.policy = body.parse()?;
        }
        Tab::Review => {}
    }
    Ok(())
}

/// A button that works inside the tab: the tab is shown again with its panes.
async fn act_in_tab(
    state: &AppState,
    manager: &EntitlementManager,
    tab: Tab,
    action: &WizardAction,
    body: &CsrfBody,
    fields: &PickerFields,
    draft: &mut Draft,
) -> AppResult<Screen> {
    let mut screen = Screen::of(tab);
    match (tab, action) {
        (Tab::Resources, WizardAction::OpenGroups) => {
            let resources: ResourceFields = body.parse()?;
            let outside = resources.outside == "yes";
            screen.group_picker =
                Some(view::group_picker(state, manager, draft, &fields.picker_q, outside).await?);
        }
        (Tab::Resources, WizardAction::SelectGroups) => {
            for pick in &fields.pick {
                if pick.parse::<GroupId>().is_ok()
                    && !draft.resources.iter().any(|r| &r.group_id == pick)
                {
                    draft.resources.push(DraftResource {
                        group_id: pick.clone(),
                        role: "member".into(),
                    });
                }
            }
        }
        (Tab::Resources, WizardAction::RemoveResource(group_id)) => {
            draft.resources.retain(|r| &r.group_id != group_id);
        }
        (Tab::Policy, WizardAction::Pane(pane)) => {
            screen.policy_picker =
                policy_form::apply(&state.db, &mut draft.policy, pane, fields).await?;
        }
        // A pane's `Cancel` elsewhere (the group pane) just closes it.
        _ => {}
    }
    Ok(screen)
}

/// Saves the tab, then does what the pressed button asks.
pub async fn submit(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String)>,
    body: CsrfBody,
) -> AppResult<HttpResponse> {
    let (raw_id, raw_tab) = path.into_inner();
    let tab = tab_of(&raw_tab)?;
    let (id, mut draft) = load(&state, &manager, &raw_id).await?;
    let fields: PickerFields = body.parse()?;
    let action = WizardAction::parse(&fields.action);
    let today = state.clock.now().date();
    keep_tab(tab, &body, &manager, &mut draft)?;
    if action.stays_on_tab() {
        let screen = act_in_tab(&state, &manager, tab, &action, &body, &fields, &mut draft).await?;
        save(&state, &manager, id, &draft).await?;
        return render(&state, &manager, id, draft, screen).await;
    }
    save(&state, &manager, id, &draft).await?;
    let go = |target: Tab| {
        Ok(see_other(&format!(
            "/admin/access-packages/new/{id}/{}",
            target.as_str()
        )))
    };
    match action {
        WizardAction::Previous => go(tab.previous()),
        WizardAction::Goto(target) => go(target),
        WizardAction::Next => {
            let catalogs = creatable_catalogs(&state, &manager).await?;
            let errors = create::check_tab(tab, &draft, &catalogs, today);
            if errors.is_empty() {
                go(tab.next())
            } else {
                render(&state, &manager, id, draft, Screen::refused(tab, errors)).await
            }
        }
        WizardAction::Create => create::create(&state, &manager, id, draft, today).await,
        _ => render(&state, &manager, id, draft, Screen::of(tab)).await,
    }
}

/// Leaving the wizard drops its draft.
pub async fn cancel(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let id: DraftId = parse_id(&id)?;
    // Someone else's draft (or one already gone) does not exist for this person.
    if !store::drafts::delete(&state.db, manager.user().id, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(see_other("/admin/access-packages"))
}
