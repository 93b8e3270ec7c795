//! A package's `Requests` and `Assignments`: request details with their timeline,
//! `Remove access`, and `New assignment` (a direct assignment, no approval).
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::show::{Loaded, load};
use crate::auth::csrf::CsrfForm;
use crate::auth::extract::EntitlementManager;
use crate::auth::session::FlashKind;
use crate::domain::access_package::AccessPackage;
use crate::domain::authz::Action;
use crate::domain::catalog::{Catalog, CatalogAccess};
use crate::domain::dates;
use crate::domain::page::KeysetPage;
use crate::domain::page::{Page, PageRequest};
use crate::domain::user::User;
use crate::entities::{request_decision, request_event};
use crate::ids::{AssignmentId, PolicyId, RequestId, UserId};
use crate::services::requests;
use crate::state::AppState;
use crate::store::{
    self,
    packages::PolicyRecord,
    requests::{AssignmentView, RequestView},
};
use crate::web::error::{AppError, AppResult};
use crate::web::form::FormErrors;
use crate::web::{
    CursorQuery, PER_PAGE, filters, flash_outcome, html, layout::Chrome, parse_id, require,
    search_text, see_other,
};

#[derive(Template, WebTemplate)]
#[template(path = "admin/packages/requests.html")]
pub struct RequestsPage {
    chrome: Chrome,
    package: AccessPackage,
    catalog: Catalog,
    access: CatalogAccess,
    section: &'static str,
    requests: KeysetPage<RequestView>,
    /// Pending past their reminder time, longest waiting first: shown above the rest.
    overdue: Vec<RequestView>,
}

/// Anyone who may see the package's catalog.
pub async fn requests(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    query: web::Query<CursorQuery>,
) -> AppResult<RequestsPage> {
    let Loaded {
        package,
        catalog,
        access,
    } = load(&state, &manager, &id).await?;
    let requests =
        store::requests::for_package(&state.db, package.id, query.cursor(), PER_PAGE).await?;
    let overdue = if requests.previous.is_none() {
        store::requests::overdue_for_package(&state.db, package.id, state.clock.now(), 50).await?
    } else {
        Vec::new()
    };
    Ok(RequestsPage {
        chrome: Chrome::admin(manager.current(), "packages")?,
        package,
        catalog,
        access,
        section: "requests",
        requests,
        overdue,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/packages/request.html")]
pub struct RequestPage {
    chrome: Chrome,
    package: AccessPackage,
    catalog: Catalog,
    access: CatalogAccess,
    section: &'static str,
    request: RequestView,
    events: Vec<request_event::Model>,
    decisions: Vec<request_decision::Model>,
}

/// One request of the package, with its timeline and decisions.
pub async fn request(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String)>,
) -> AppResult<RequestPage> {
    let (id, request_id) = path.into_inner();
    let Loaded {
        package,
        catalog,
        access,
    } = load(&state, &manager, &id).await?;
    let request_id: RequestId = parse_id(&request_id)?;
    let request = store::requests::find(&state.db, request_id)
        .await?
        .filter(|r| r.package_id == package.id)
        .ok_or(AppError::NotFound)?;
    let events = store::requests::events(&state.db, request.id).await?;
    let decisions = store::requests::decisions(&state.db, request.id).await?;
    Ok(RequestPage {
        chrome: Chrome::admin(manager.current(), "packages")?,
        package,
        catalog,
        access,
        section: "requests",
        request,
        events,
        decisions,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/packages/assignments.html")]
pub struct AssignmentsPage {
    chrome: Chrome,
    package: AccessPackage,
    catalog: Catalog,
    access: CatalogAccess,
    section: &'static str,
    assignments: KeysetPage<AssignmentView>,
    /// Some assignment of the package has a delivery that failed: `Reprocess failed`.
    any_failed: bool,
}

pub async fn assignments(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    query: web::Query<CursorQuery>,
) -> AppResult<AssignmentsPage> {
    let Loaded {
        package,
        catalog,
        access,
    } = load(&state, &manager, &id).await?;
    let assignments =
        store::requests::assignments_for_package(&state.db, package.id, query.cursor(), PER_PAGE)
            .await?;
    let any_failed = !store::outbox::failed_assignments(&state.db, package.id, None)
        .await?
        .is_empty();
    Ok(AssignmentsPage {
        chrome: Chrome::admin(manager.current(), "packages")?,
        package,
        catalog,
        access,
        section: "assignments",
        assignments,
        any_failed,
    })
}

/// `Reprocess` on one assignment whose delivery failed.
pub async fn reprocess_one(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String)>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let (id, assignment_id) = path.into_inner();
    let (loaded, assignment) = managed_assignment(&state, &manager, &id, &assignment_id).await?;
    reprocessed(&state, &manager, &loaded, Some(assignment.id)).await
}

/// `Reprocess failed`: every assignment of the package whose delivery failed.
pub async fn reprocess_all(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let loaded = load(&state, &manager, &id).await?;
    reprocessed(&state, &manager, &loaded, None).await
}

async fn reprocessed(
    state: &AppState,
    manager: &EntitlementManager,
    loaded: &Loaded,
    assignment: Option<AssignmentId>,
) -> AppResult<HttpResponse> {
    let result = crate::services::outbox::reprocess(
        &state.db,
        state.clock.as_ref(),
        manager.principal(),
        loaded.package.id,
        assignment,
    )
    .await;
    flash_outcome(
        &manager.current().session,
        result.map(|n| {
            format!(
                "Delivery will be tried again ({n} {}).",
                if n == 1 { "change" } else { "changes" }
            )
        }),
    )?;
    Ok(see_other(&format!(
        "/admin/access-packages/{}/assignments",
        loaded.package.id
    )))
}

async fn assignment_of(state: &AppState, loaded: &Loaded, raw: &str) -> AppResult<AssignmentView> {
    let id: AssignmentId = parse_id(raw)?;
    store::requests::find_assignment(&state.db, id)
        .await?
        .filter(|a| a.package_id == loaded.package.id)
        .ok_or(AppError::NotFound)
}

/// The package and one of its assignments, for someone who manages its assignments:
/// checked before the assignment is read.
async fn managed_assignment(
    state: &AppState,
    manager: &EntitlementManager,
    id: &str,
    assignment_id: &str,
) -> AppResult<(Loaded, AssignmentView)> {
    let loaded = load(state, manager, id).await?;
    require(
        manager.principal(),
        Action::ManageAssignments(loaded.package.catalog_id),
    )?;
    let assignment = assignment_of(state, &loaded, assignment_id).await?;
    Ok((loaded, assignment))
}

#[derive(Template)]
#[template(path = "admin/packages/remove_access.html")]
struct RemoveAccessPage {
    chrome: Chrome,
    package: AccessPackage,
    catalog: Catalog,
    access: CatalogAccess,
    section: &'static str,
    assignment: AssignmentView,
}

/// Assignment managers, access package managers, catalog owners and directory admins.
pub async fn confirm_remove(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, assignment_id) = path.into_inner();
    let (loaded, assignment) = managed_assignment(&state, &manager, &id, &assignment_id).await?;
    let Loaded {
        package,
        catalog,
        access,
    } = loaded;
    html(
        StatusCode::OK,
        &RemoveAccessPage {
            chrome: Chrome::admin(manager.current(), "packages")?,
            package,
            catalog,
            access,
            section: "assignments",
            assignment,
        },
    )
}

/// `Remove access`: an `adminRemove` request takes the membership away.
pub async fn remove(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String)>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let (id, assignment_id) = path.into_inner();
    let (loaded, assignment) = managed_assignment(&state, &manager, &id, &assignment_id).await?;
    let result = requests::remove_assignment(
        &state.db,
        state.clock.as_ref(),
        manager.principal(),
        assignment.id,
    )
    .await;
    flash_outcome(
        &manager.current().session,
        result.map(|()| format!("Access removed: {}", assignment.target_name)),
    )?;
    Ok(see_other(&format!(
        "/admin/access-packages/{}/assignments",
        loaded.package.id
    )))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExtendAssignmentForm {
    end_date: String,
}

#[derive(Template)]
#[template(path = "admin/packages/extend_assignment.html")]
struct ExtendAssignmentPage {
    chrome: Chrome,
    package: AccessPackage,
    catalog: Catalog,
    access: CatalogAccess,
    section: &'static str,
    assignment: AssignmentView,
    form: ExtendAssignmentForm,
    errors: FormErrors,
}

async fn extend_page(
    state: &AppState,
    manager: &EntitlementManager,
    (id, assignment_id): (&str, &str),
    form: ExtendAssignmentForm,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let (loaded, assignment) = managed_assignment(state, manager, id, assignment_id).await?;
    let Loaded {
        package,
        catalog,
        access,
    } = loaded;
    html(
        status,
        &ExtendAssignmentPage {
            chrome: Chrome::admin(manager.current(), "packages")?,
            package,
            catalog,
            access,
            section: "assignments",
            assignment,
            form,
            errors,
        },
    )
}

/// `Extend` on an assignment: its new end date.
pub async fn confirm_extend(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, assignment_id) = path.into_inner();
    extend_page(
        &state,
        &manager,
        (&id, &assignment_id),
        ExtendAssignmentForm::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `Extend`: an `adminUpdate` request moves the assignment's end, in place.
pub async fn extend(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    path: web::Path<(String, String)>,
    form: CsrfForm<ExtendAssignmentForm>,
) -> AppResult<HttpResponse> {
    let CsrfForm(form) = form;
    let (id, assignment_id) = path.into_inner();
    let (loaded, assignment) = managed_assignment(&state, &manager, &id, &assignment_id).await?;
    let mut errors = FormErrors::default();
    let end = errors
        .check("end_date", dates::parse_date(&form.end_date))
        .flatten();
    if errors.is_empty() {
        match requests::extend_assignment(
            &state.db,
            state.clock.as_ref(),
            manager.principal(),
            assignment.id,
            end,
        )
        .await
        {
            Ok(_) => {
                manager.current().session.flash(
                    FlashKind::Success,
                    format!("Access extended: {}", assignment.target_name),
                );
                return Ok(see_other(&format!(
                    "/admin/access-packages/{}/assignments",
                    loaded.package.id
                )));
            }
            Err(err) => errors.place(err, "end_date")?,
        }
    }
    extend_page(
        &state,
        &manager,
        (&id, &assignment_id),
        form,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewAssignmentForm {
    user_id: String,
    policy: String,
    end_date: String,
    q: String,
}

#[derive(Template)]
#[template(path = "admin/packages/new_assignment.html")]
struct NewAssignmentPage {
    chrome: Chrome,
    package: AccessPackage,
    catalog: Catalog,
    access: CatalogAccess,
    section: &'static str,
    policies: Vec<PolicyRecord>,
    candidates: Page<User>,
    form: NewAssignmentForm,
    errors: FormErrors,
}

async fn new_page(
    state: &AppState,
    manager: &EntitlementManager,
    loaded: Loaded,
    form: NewAssignmentForm,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let policies = store::packages::policies(&state.db, loaded.package.id).await?;
    let candidates = store::users::search(
        &state.db,
        &search_text(&form.q),
        PageRequest {
            page: 1,
            per_page: 25,
        },
    )
    .await?;
    let Loaded {
        package,
        catalog,
        access,
    } = loaded;
    html(
        status,
        &NewAssignmentPage {
            chrome: Chrome::admin(manager.current(), "packages")?,
            package,
            catalog,
            access,
            section: "assignments",
            policies,
            candidates,
            form,
            errors,
        },
    )
}

/// `New assignment`, with a search for the user.
pub async fn new_form(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    query: web::Query<NewAssignmentForm>,
) -> AppResult<HttpResponse> {
    let loaded = load(&state, &manager, &id).await?;
    require(
        manager.principal(),
        Action::ManageAssignments(loaded.package.catalog_id),
    )?;
    new_page(
        &state,
        &manager,
        loaded,
        query.into_inner(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    form: CsrfForm<NewAssignmentForm>,
) -> AppResult<HttpResponse> {
    let loaded = load(&state, &manager, &id).await?;
    require(
        manager.principal(),
        Action::ManageAssignments(loaded.package.catalog_id),
    )?;
    let CsrfForm(form) = form;
    let mut errors = FormErrors::default();
    let user: Option<UserId> = form.user_id.parse().ok();
    if user.is_none() {
        errors.add("user", "Choose a user.");
    }
    let policy: Option<PolicyId> = form.policy.parse().ok();
    if policy.is_none() {
        errors.add("policy", "Choose a policy.");
    }
    let end = errors
        .check("end_date", dates::parse_date(&form.end_date))
        .flatten();
    if let (Some(user), Some(policy), true) = (user, policy, errors.is_empty()) {
        match requests::assign_directly(
            &state.db,
            state.clock.as_ref(),
            manager.principal(),
            loaded.package.id,
            policy,
            user,
            end,
        )
        .await
        {
            Ok(_) => {
                manager
                    .current()
                    .session
                    .flash(FlashKind::Success, "Assignment created");
                return Ok(see_other(&format!(
                    "/admin/access-packages/{}/assignments",
                    loaded.package.id
                )));
            }
            Err(err) => errors.place(err, "user")?,
        }
    }
    new_page(
        &state,
        &manager,
        loaded,
        form,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}
