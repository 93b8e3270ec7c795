//! A package's `Policies`: the list, `Add policy`, edit, and delete after confirming.
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use askama_web::WebTemplate;

use super::policy_form::{self, PaneAction, PickerFields, PolicyView};
use super::show::{Loaded, load};
use crate::auth::csrf::{CsrfBody, CsrfForm};
use crate::auth::extract::EntitlementManager;
use crate::auth::session::FlashKind;
use crate::domain::access_package::AccessPackage;
use crate::domain::authz::Action;
use crate::domain::catalog::{Catalog, CatalogAccess};
use crate::domain::policy::PolicyInput;
use crate::ids::PolicyId;
use crate::services::error::ServiceError;
use crate::services::policies;
use crate::state::AppState;
use crate::store::{self, packages::PolicyRecord};
use crate::web::error::{AppError, AppResult};
use crate::web::form::FormErrors;
use crate::web::{html, layout::Chrome, parse_id, require, see_other};

/// A policy row with names for its people.
pub struct PolicyRow {
    pub record: PolicyRecord,
    pub approvers: String,
    /// Approval is required but nobody who can sign in may give it.
    pub no_approver: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/packages/policies.html")]
pub struct PoliciesPage {
    chrome: Chrome,
    package: AccessPackage,
    catalog: Catalog,
    access: CatalogAccess,
    section: &'static str,
    policies: Vec<PolicyRow>,
}

/// Anyone who may see the package.
pub async fn list(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
) -> AppResult<PoliciesPage> {
    let Loaded {
        package,
        catalog,
        access,
    } = load(&state, &manager, &id).await?;
    let records = store::packages::policies(&state.db, package.id).await?;
    // Every approver's name in one query, not one per policy.
    let mut ids: Vec<_> = records
        .iter()
        .flat_map(|r| r.spec.approvers.iter().copied())
        .collect();
    ids.sort();
    ids.dedup();
    let people = store::users::by_ids(&state.db, &ids).await?;
    let policies = records
        .into_iter()
        .map(|record| {
            let active: Vec<&str> = record
                .spec
                .approvers
                .iter()
                .filter_map(|id| people.iter().find(|u| u.id == *id && u.enabled))
                .map(|u| u.display_name.as_str())
                .collect();
            let no_approver = record.spec.approval_required && active.is_empty();
            let approvers = active.join(", ");
            PolicyRow {
                record,
                approvers,
                no_approver,
            }
        })
        .collect();
    Ok(PoliciesPage {
        chrome: Chrome::admin(manager.current(), "packages")?,
        package,
        catalog,
        access,
        section: "policies",
        policies,
    })
}

#[derive(Template)]
#[template(path = "admin/packages/policy.html")]
struct PolicyPage {
    chrome: Chrome,
    package: AccessPackage,
    catalog: Catalog,
    access: CatalogAccess,
    section: &'static str,
    /// None for `Add policy`.
    policy_id: Option<PolicyId>,
    policy: PolicyView,
}

fn page(
    manager: &EntitlementManager,
    loaded: Loaded,
    policy_id: Option<PolicyId>,
    policy: PolicyView,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let Loaded {
        package,
        catalog,
        access,
    } = loaded;
    let page = PolicyPage {
        chrome: Chrome::admin(manager.current(), "packages")?,
        package,
        catalog,
        access,
        section: "policies",
        policy_id,
        policy,
    };
    html(status, &page)
}

fn manageable(manager: &EntitlementManager, loaded: &Loaded) -> AppResult<()> {
    require(
        manager.principal(),
        Action::ManagePackages(loaded.package.catalog_id),
    )
}

async fn find_policy(state: &AppState, loaded: &Loaded, raw: &str) -> AppResult<PolicyRecord> {
    let policy_id: PolicyId = parse_id(raw)?;
    let records = store::packages::policies(&state.db, loaded.package.id).await?;
    records
        .into_iter()
        .find(|p| p.id == policy_id)
        .ok_or(AppError::NotFound)
}

/// Access package managers, catalog owners and directory admins.
pub async fn new_form(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let loaded = load(&state, &manager, &id).await?;
    manageable(&manager, &loaded)?;
    let view = policy_form::view(
        &state.db,
        PolicyInput::default(),
        FormErrors::default(),
        None,
    )
    .await?;
    page(&manager, loaded, None, view, StatusCode::OK)
}

pub async fn edit_form(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, policy_id) = path.into_inner();
    let loaded = load(&state, &manager, &id).await?;
    manageable(&manager, &loaded)?;
    let record = find_policy(&state, &loaded, &policy_id).await?;
    let view = policy_form::view(
        &state.db,
        PolicyInput::from_spec(&record.spec),
        FormErrors::default(),
        None,
    )
    .await?;
    page(&manager, loaded, Some(record.id), view, StatusCode::OK)
}

/// Handles every post of the policy form: pane buttons show the form again; `Create` or
/// `Save` checks it and stores it.
async fn submit(
    state: &AppState,
    manager: &EntitlementManager,
    loaded: Loaded,
    policy_id: Option<PolicyId>,
    body: CsrfBody,
) -> AppResult<HttpResponse> {
    let mut input: PolicyInput = body.parse()?;
    let fields: PickerFields = body.parse()?;
    if let Some(action) = PaneAction::parse(&fields.action) {
        let picker = policy_form::apply(&state.db, &mut input, &action, &fields).await?;
        let view = policy_form::view(&state.db, input, FormErrors::default(), picker).await?;
        return page(manager, loaded, policy_id, view, StatusCode::OK);
    }
    let spec = match input.parse(state.clock.now().date()) {
        Ok(spec) => spec,
        Err(problems) => {
            let view =
                policy_form::view(&state.db, input, policy_form::errors_from(problems), None)
                    .await?;
            return page(
                manager,
                loaded,
                policy_id,
                view,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let package_id = loaded.package.id;
    let result = match policy_id {
        None => policies::create(
            &state.db,
            state.clock.as_ref(),
            manager.principal(),
            package_id,
            &spec,
        )
        .await
        .map(|_| "Policy created"),
        Some(id) => policies::update(
            &state.db,
            state.clock.as_ref(),
            manager.principal(),
            package_id,
            id,
            &spec,
        )
        .await
        .map(|_| "Policy updated"),
    };
    match result {
        Ok(done) => {
            manager
                .current()
                .session
                .flash(FlashKind::Success, format!("{done}: {}", spec.display_name));
            Ok(see_other(&format!(
                "/admin/access-packages/{package_id}/policies"
            )))
        }
        Err(err @ (ServiceError::Conflict { .. } | ServiceError::Invalid(_))) => {
            let mut errors = FormErrors::default();
            errors.place(err, "requestor")?;
            let view = policy_form::view(&state.db, input, errors, None).await?;
            page(
                manager,
                loaded,
                policy_id,
                view,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(err) => Err(AppError::from(err)),
    }
}

pub async fn create(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    body: CsrfBody,
) -> AppResult<HttpResponse> {
    let loaded = load(&state, &manager, &id).await?;
    manageable(&manager, &loaded)?;
    submit(&state, &manager, loaded, None, body).await
}

pub async fn save(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String)>,
    body: CsrfBody,
) -> AppResult<HttpResponse> {
    let (id, policy_id) = path.into_inner();
    let loaded = load(&state, &manager, &id).await?;
    manageable(&manager, &loaded)?;
    let record = find_policy(&state, &loaded, &policy_id).await?;
    submit(&state, &manager, loaded, Some(record.id), body).await
}

#[derive(Template)]
#[template(path = "admin/packages/delete_policy.html")]
struct DeletePolicyPage {
    chrome: Chrome,
    package: AccessPackage,
    catalog: Catalog,
    access: CatalogAccess,
    section: &'static str,
    policy: PolicyRecord,
}

pub async fn confirm_delete(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, policy_id) = path.into_inner();
    let loaded = load(&state, &manager, &id).await?;
    manageable(&manager, &loaded)?;
    let policy = find_policy(&state, &loaded, &policy_id).await?;
    let Loaded {
        package,
        catalog,
        access,
    } = loaded;
    html(
        StatusCode::OK,
        &DeletePolicyPage {
            chrome: Chrome::admin(manager.current(), "packages")?,
            package,
            catalog,
            access,
            section: "policies",
            policy,
        },
    )
}

pub async fn delete(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String)>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let (id, policy_id) = path.into_inner();
    let loaded = load(&state, &manager, &id).await?;
    let policy = find_policy(&state, &loaded, &policy_id).await?;
    let result = policies::delete(
        &state.db,
        state.clock.as_ref(),
        manager.principal(),
        loaded.package.id,
        policy.id,
    )
    .await;
    super::show::flash_result(
        &manager,
        result.map(|name| format!("Policy deleted: {name}")),
    )?;
    Ok(see_other(&format!(
        "/admin/access-packages/{}/policies",
        loaded.package.id
    )))
}
