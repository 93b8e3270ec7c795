//! `New access package`: the tabs `Basics`, `Resource roles`, `Policy` and `Review + create`,
//! moved through with `Next` and `Previous`. Each tab is a server-rendered form; the draft
//! is kept in the database between tabs, so nothing typed is lost and no JavaScript is needed.
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::policy_form::{self, PickerFields, PolicyView};
use crate::auth::csrf::{CsrfBody, CsrfForm};
use crate::auth::extract::EntitlementManager;
use crate::auth::session::FlashKind;
use crate::domain::access_package::PackageName;
use crate::domain::catalog::Catalog;
use crate::domain::group::{Description, Group, MemberRole};
use crate::domain::page::PageRequest;
use crate::domain::policy::{PolicyInput, PolicySpec};
use crate::ids::{CatalogId, DraftId, GroupId};
use crate::services::error::ServiceError;
use crate::services::packages::{self, NewPackage};
use crate::state::AppState;
use crate::store;
use crate::web::error::{AppError, AppResult};
use crate::web::form::FormErrors;
use crate::web::{html, layout::Chrome, parse_id, search_text, see_other};

pub const TABS: [(&str, &str); 4] = [
    ("basics", "Basics"),
    ("resources", "Resource roles"),
    ("policy", "Policy"),
    ("review", "Review + create"),
];

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

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    catalog: String,
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

/// Catalogs in which the manager may create packages, for the `Catalog` drop-down.
async fn creatable_catalogs(
    state: &AppState,
    manager: &EntitlementManager,
) -> AppResult<Vec<Catalog>> {
    let only = manager.current().visible_catalogs();
    let page = PageRequest {
        page: 1,
        per_page: 500,
    };
    let all = store::catalogs::list(&state.db, only.as_deref(), "", page).await?;
    Ok(all
        .items
        .into_iter()
        .map(|s| s.catalog)
        .filter(|c| manager.access(c.id).manage_packages)
        .collect())
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

/// A picked resource with its group's name.
pub struct ResourceRow {
    pub group_id: String,
    pub group_name: String,
    pub role: String,
    pub in_catalog: bool,
}

/// The open `Select groups` pane.
pub struct GroupPicker {
    pub q: String,
    pub outside: bool,
    pub can_add_outside: bool,
    pub groups: Vec<Group>,
}

#[derive(Template)]
#[template(path = "admin/packages/wizard.html")]
struct WizardPage {
    chrome: Chrome,
    draft_id: DraftId,
    tab: &'static str,
    tabs: [(&'static str, &'static str); 4],
    draft: Draft,
    errors: FormErrors,
    catalogs: Vec<Catalog>,
    catalog_name: String,
    resources: Vec<ResourceRow>,
    group_picker: Option<GroupPicker>,
    policy: PolicyView,
    problems: Vec<(&'static str, String)>,
}

fn tab_name(raw: &str) -> AppResult<&'static str> {
    TABS.iter()
        .map(|(t, _)| *t)
        .find(|t| *t == raw)
        .ok_or(AppError::NotFound)
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    manager: &EntitlementManager,
    draft_id: DraftId,
    tab: &'static str,
    draft: Draft,
    errors: FormErrors,
    group_picker: Option<GroupPicker>,
    policy_picker: Option<policy_form::PickerView>,
    problems: Vec<(&'static str, String)>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let catalogs = creatable_catalogs(state, manager).await?;
    let catalog_id = draft.catalog(manager);
    let catalog_name = catalogs
        .iter()
        .find(|c| Some(c.id) == catalog_id)
        .map(|c| c.display_name.clone())
        .unwrap_or_default();
    let resources = resource_rows(state, catalog_id, &draft.resources).await?;
    // The policy tab's messages belong to the policy fields.
    let (page_errors, policy_errors) = if tab == "policy" {
        (FormErrors::default(), errors)
    } else {
        (errors, FormErrors::default())
    };
    let policy = policy_form::view(
        &state.db,
        draft.policy.clone(),
        policy_errors,
        policy_picker,
    )
    .await?;
    let page = WizardPage {
        chrome: Chrome::admin(manager.current(), "packages")?,
        draft_id,
        tab,
        tabs: TABS,
        draft,
        errors: page_errors,
        catalogs,
        catalog_name,
        resources,
        group_picker,
        policy,
        problems,
    };
    html(status, &page)
}

async fn resource_rows(
    state: &AppState,
    catalog: Option<CatalogId>,
    picked: &[DraftResource],
) -> AppResult<Vec<ResourceRow>> {
    let ids: Vec<GroupId> = picked
        .iter()
        .filter_map(|r| r.group_id.parse().ok())
        .collect();
    let groups = store::groups::by_ids(&state.db, &ids).await?;
    let in_catalog = match catalog {
        Some(id) => store::catalogs::resources(&state.db, id)
            .await?
            .into_iter()
            .map(|g| g.id)
            .collect(),
        None => Vec::new(),
    };
    Ok(picked
        .iter()
        .filter_map(|r| {
            let group = groups.iter().find(|g| g.id.to_string() == r.group_id)?;
            Some(ResourceRow {
                group_id: r.group_id.clone(),
                group_name: group.display_name.clone(),
                role: r.role.clone(),
                in_catalog: in_catalog.contains(&group.id),
            })
        })
        .collect())
}

/// The person who started the draft.
pub async fn show(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (raw_id, raw_tab) = path.into_inner();
    let tab = tab_name(&raw_tab)?;
    let (id, draft) = load(&state, &manager, &raw_id).await?;
    render(
        &state,
        &manager,
        id,
        tab,
        draft,
        FormErrors::default(),
        None,
        None,
        Vec::new(),
        StatusCode::OK,
    )
    .await
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

/// Checks one tab; messages keyed by field.
fn check_tab(tab: &str, draft: &Draft, catalogs: &[Catalog], today: time::Date) -> FormErrors {
    let mut errors = FormErrors::default();
    match tab {
        "basics" => {
            errors.check("display_name", PackageName::parse(&draft.name));
            errors.check("description", Description::parse(&draft.description));
            let allowed = draft
                .catalog_id
                .parse::<CatalogId>()
                .ok()
                .is_some_and(|id| catalogs.iter().any(|c| c.id == id));
            if !allowed {
                errors.add("catalog_id", "Choose a catalog you manage.");
            }
        }
        "resources" => {
            for resource in &draft.resources {
                if resource.group_id.parse::<GroupId>().is_err() {
                    errors.add(
                        "resources",
                        "A resource could not be read: remove it and pick it again.",
                    );
                }
                if MemberRole::parse(&resource.role).is_err() {
                    errors.add(
                        "resources",
                        "Choose a role, Member or Owner, for every resource.",
                    );
                }
            }
        }
        "policy" => match draft.policy_mode.as_str() {
            "later" => {}
            "now" => {
                if let Err(problems) = draft.policy.parse(today) {
                    errors = policy_form::errors_from(problems);
                }
            }
            _ => errors.add(
                "policy_mode",
                "Choose whether to create the first policy now or later.",
            ),
        },
        _ => {}
    }
    errors
}

/// Saves the tab, then does what the pressed button asks.
pub async fn submit(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String)>,
    body: CsrfBody,
) -> AppResult<HttpResponse> {
    let (raw_id, raw_tab) = path.into_inner();
    let tab = tab_name(&raw_tab)?;
    let (id, mut draft) = load(&state, &manager, &raw_id).await?;
    let fields: PickerFields = body.parse()?;
    let today = state.clock.now().date();
    let mut group_picker = None;
    let mut policy_picker = None;
    let mut pane_action = false;

    match tab {
        "basics" => {
            let basics: BasicsFields = body.parse()?;
            draft.name = basics.display_name;
            draft.description = basics.description;
            // Only a catalog the manager may create packages in is kept; anything else stays
            // as it was and Next says so.
            if basics
                .catalog_id
                .parse::<CatalogId>()
                .is_ok_and(|id| manager.access(id).manage_packages)
            {
                draft.catalog_id = basics.catalog_id;
            } else {
                draft.catalog_id = String::new();
            }
        }
        "resources" => {
            let resources: ResourceFields = body.parse()?;
            if resources.resource_group.len() != resources.resource_role.len() {
                return Err(AppError::BadRequest(
                    "The resource roles could not be read.".to_owned(),
                ));
            }
            draft.resources = resources
                .resource_group
                .iter()
                .zip(resources.resource_role.iter())
                .map(|(group_id, role)| DraftResource {
                    group_id: group_id.clone(),
                    role: role.clone(),
                })
                .collect();
            pane_action = true;
            match fields.action.as_str() {
                "open_groups" | "search_groups" => {
                    group_picker = Some(
                        group_picker_view(
                            &state,
                            &manager,
                            &draft,
                            &fields.picker_q,
                            resources.outside == "yes",
                        )
                        .await?,
                    );
                }
                "select_groups" => {
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
                "cancel_picker" => {}
                other => match other.strip_prefix("remove_resource:") {
                    Some(group_id) => draft.resources.retain(|r| r.group_id != group_id),
                    None => pane_action = false,
                },
            }
        }
        "policy" => {
            let mode: PolicyModeField = body.parse()?;
            draft.policy_mode = mode.policy_mode;
            draft.policy = body.parse()?;
            let (applied, picker) =
                policy_form::apply(&state.db, &mut draft.policy, &fields).await?;
            pane_action = applied;
            policy_picker = picker;
        }
        _ => {}
    }
    save(&state, &manager, id, &draft).await?;
    if pane_action {
        return render(
            &state,
            &manager,
            id,
            tab,
            draft,
            FormErrors::default(),
            group_picker,
            policy_picker,
            Vec::new(),
            StatusCode::OK,
        )
        .await;
    }

    let position = TABS.iter().position(|(t, _)| *t == tab).unwrap_or(0);
    let go = |target: &str| {
        Ok(see_other(&format!(
            "/admin/access-packages/new/{id}/{target}"
        )))
    };
    match fields.action.as_str() {
        "previous" => go(TABS[position.saturating_sub(1)].0),
        "next" => {
            let errors = check_tab(
                tab,
                &draft,
                &creatable_catalogs(&state, &manager).await?,
                today,
            );
            if errors.is_empty() {
                go(TABS[(position + 1).min(TABS.len() - 1)].0)
            } else {
                render(
                    &state,
                    &manager,
                    id,
                    tab,
                    draft,
                    errors,
                    None,
                    None,
                    Vec::new(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
        }
        "create" => create(&state, &manager, id, draft, today).await,
        other => match other
            .strip_prefix("goto:")
            .and_then(|t| TABS.iter().find(|(name, _)| *name == t))
        {
            Some((target, _)) => go(target),
            None => {
                render(
                    &state,
                    &manager,
                    id,
                    tab,
                    draft,
                    FormErrors::default(),
                    None,
                    None,
                    Vec::new(),
                    StatusCode::OK,
                )
                .await
            }
        },
    }
}

async fn group_picker_view(
    state: &AppState,
    manager: &EntitlementManager,
    draft: &Draft,
    raw_q: &str,
    outside: bool,
) -> AppResult<GroupPicker> {
    let q = search_text(raw_q);
    let picked: Vec<&str> = draft
        .resources
        .iter()
        .map(|r| r.group_id.as_str())
        .collect();
    let (mut groups, can_add_outside) = match draft.catalog(manager) {
        Some(catalog) => {
            packages::pickable_groups(&state.db, manager.principal(), catalog, &q, outside).await?
        }
        None => (Vec::new(), false),
    };
    let outside = outside && can_add_outside;
    groups.retain(|g| !picked.contains(&g.id.to_string().as_str()));
    Ok(GroupPicker {
        q,
        outside,
        can_add_outside,
        groups,
    })
}

/// `Create` on `Review + create`: checks every tab, then creates it all in one transaction.
async fn create(
    state: &AppState,
    manager: &EntitlementManager,
    id: DraftId,
    draft: Draft,
    today: time::Date,
) -> AppResult<HttpResponse> {
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    let catalogs = creatable_catalogs(state, manager).await?;
    for (tab, label) in TABS.iter().take(3) {
        let errors = check_tab(tab, &draft, &catalogs, today);
        if !errors.is_empty() {
            problems.push((
                tab,
                format!("{label}: {}", errors.first_message().unwrap_or_default()),
            ));
        }
    }
    let parsed = parse_package(&draft, today, id);
    if problems.is_empty() && parsed.is_none() {
        problems.push((
            "basics",
            "The access package could not be read: check each tab.".to_owned(),
        ));
    }
    let new = match (problems.is_empty(), parsed) {
        (true, Some(new)) => new,
        _ => {
            return render(
                state,
                manager,
                id,
                "review",
                draft,
                FormErrors::default(),
                None,
                None,
                problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let has_policy = new.policy.as_ref().is_some_and(|p| p.enabled);
    match packages::create(&state.db, state.clock.as_ref(), manager.principal(), new).await {
        Ok(package) => {
            let session = &manager.current().session;
            if has_policy {
                session.flash(
                    FlashKind::Success,
                    format!("Access package created: {}", package.display_name),
                );
            } else {
                session.flash(
                    FlashKind::Info,
                    format!("Access package created: {}. Users cannot see or request it until it has an enabled policy.", package.display_name),
                );
            }
            Ok(see_other(&format!("/admin/access-packages/{}", package.id)))
        }
        Err(err) => {
            // Each refusal is shown on Review + create under the tab that can fix it.
            match err {
                ServiceError::Invalid(fields) => {
                    for field in fields {
                        let tab = match field.field {
                            "display_name" => "basics",
                            "approver" | "requestor" | "policy" => "policy",
                            _ => "resources",
                        };
                        let prefix = if tab == "basics" { "Basics: " } else { "" };
                        problems.push((tab, format!("{prefix}{}", field.message)));
                    }
                }
                ServiceError::Conflict { code, message } => {
                    let tab = if code == "subject_gone" {
                        "policy"
                    } else {
                        "resources"
                    };
                    problems.push((tab, message));
                }
                ServiceError::Forbidden { code, message }
                    if code == "group_in_other_catalog" || code == "not_group_owner" =>
                {
                    problems.push(("resources", message));
                }
                other => return Err(other.into()),
            }
            render(
                state,
                manager,
                id,
                "review",
                draft,
                FormErrors::default(),
                None,
                None,
                problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

fn parse_package(draft: &Draft, today: time::Date, draft_id: DraftId) -> Option<NewPackage> {
    let policy: Option<PolicySpec> = match draft.policy_mode.as_str() {
        "now" => Some(draft.policy.parse(today).ok()?),
        _ => None,
    };
    Some(NewPackage {
        name: PackageName::parse(&draft.name).ok()?,
        description: Description::parse(&draft.description).ok()?,
        catalog_id: draft.catalog_id.parse().ok()?,
        resources: draft
            .resources
            .iter()
            .map(|r| Some((r.group_id.parse().ok()?, MemberRole::parse(&r.role).ok()?)))
            .collect::<Option<Vec<_>>>()?,
        policy,
        draft: Some(draft_id),
    })
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
