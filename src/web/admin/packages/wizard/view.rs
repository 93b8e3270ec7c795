//! How a wizard tab is shown: the catalogs to choose from, the picked resources with their
//! names, the open panes and the problems found on `Review + create`.
use actix_web::{HttpResponse, http::StatusCode};
use askama::Template;

use super::action::{Tab, tab_strip};
use super::{Draft, DraftResource};
use crate::auth::extract::EntitlementManager;
use crate::domain::catalog::Catalog;
use crate::domain::group::Group;
use crate::domain::page::PageRequest;
use crate::ids::{CatalogId, DraftId, GroupId};
use crate::services::packages;
use crate::state::AppState;
use crate::store;
use crate::web::admin::packages::policy_form::{self, PickerView, PolicyView};
use crate::web::error::AppResult;
use crate::web::form::FormErrors;
use crate::web::{html, layout::Chrome, search_text};

/// Catalogs in which the manager may create packages, for the `Catalog` drop-down.
pub async fn creatable_catalogs(
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

/// What to show on a tab besides the draft.
pub struct Screen {
    pub tab: Tab,
    pub errors: FormErrors,
    pub group_picker: Option<GroupPicker>,
    pub policy_picker: Option<PickerView>,
    /// `Review + create`'s problems, each with the tab that can fix it.
    pub problems: Vec<(&'static str, String)>,
    pub status: StatusCode,
}

impl Screen {
    pub fn of(tab: Tab) -> Self {
        Self {
            tab,
            errors: FormErrors::default(),
            group_picker: None,
            policy_picker: None,
            problems: Vec::new(),
            status: StatusCode::OK,
        }
    }

    /// The tab again with its messages, as a form with errors (422).
    pub fn refused(tab: Tab, errors: FormErrors) -> Self {
        Self {
            errors,
            status: StatusCode::UNPROCESSABLE_ENTITY,
            ..Self::of(tab)
        }
    }

    /// `Review + create` with what stops `Create`.
    pub fn problems(problems: Vec<(&'static str, String)>) -> Self {
        Self {
            problems,
            status: StatusCode::UNPROCESSABLE_ENTITY,
            ..Self::of(Tab::Review)
        }
    }
}

pub async fn render(
    state: &AppState,
    manager: &EntitlementManager,
    draft_id: DraftId,
    draft: Draft,
    screen: Screen,
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
    let (page_errors, policy_errors) = if screen.tab == Tab::Policy {
        (FormErrors::default(), screen.errors)
    } else {
        (screen.errors, FormErrors::default())
    };
    let policy = policy_form::view(
        &state.db,
        draft.policy.clone(),
        policy_errors,
        screen.policy_picker,
    )
    .await?;
    let page = WizardPage {
        chrome: Chrome::admin(manager.current(), "packages")?,
        draft_id,
        tab: screen.tab.as_str(),
        tabs: tab_strip(),
        draft,
        errors: page_errors,
        catalogs,
        catalog_name,
        resources,
        group_picker: screen.group_picker,
        policy,
        problems: screen.problems,
    };
    html(screen.status, &page)
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

/// The `Select groups` pane: the one group picker of the resource roles, without the groups
/// already picked.
pub async fn group_picker(
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
