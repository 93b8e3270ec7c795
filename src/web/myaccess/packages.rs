//! `Access packages`: what this user may request, and the `Request access` pane.
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;
use time::Date;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::CurrentUser;
use crate::auth::session::FlashKind;
use crate::domain::access_package::{AccessPackage, ResourceRole};
use crate::domain::dates;
use crate::domain::lifecycle::AssignmentState;
use crate::domain::page::KeysetPage;
use crate::ids::AccessPackageId;
use crate::services::requests::{self, NewRequest};
use crate::state::AppState;
use crate::store::{self, packages::PolicyRecord};
use crate::web::error::{AppError, AppResult};
use crate::web::form::FormErrors;
use crate::web::{html, layout::Chrome, parse_id, see_other};

/// A package this user may request, with where they stand with it.
pub struct Offer {
    pub package: AccessPackage,
    pub resource_roles: Vec<ResourceRole>,
    /// Where the user stands when they already asked for or have it.
    pub standing: Option<Standing>,
}

/// Where a user stands with a package they may request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Waiting,
    Scheduled,
    Delivered,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Self::Waiting => "Pending approval",
            Self::Scheduled => "Scheduled",
            Self::Delivered => "Delivered",
        }
    }

    pub fn is_waiting(self) -> bool {
        self == Self::Waiting
    }

    pub fn is_delivered(self) -> bool {
        self == Self::Delivered
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "myaccess/packages.html")]
pub struct PackagesPage {
    chrome: Chrome,
    offers: Vec<Offer>,
    /// Where the neighbouring pages start (its items are the offers).
    pager: KeysetPage<()>,
}

/// Where the user stands with a package: what they hold (package, assignment state) wins
/// over what they asked for.
fn standing_of(
    package: AccessPackageId,
    held: &[(AccessPackageId, AssignmentState)],
    open_requests: &[AccessPackageId],
) -> Option<Standing> {
    if let Some((_, state)) = held.iter().find(|(p, _)| *p == package) {
        return Some(if *state == AssignmentState::Delivered {
            Standing::Delivered
        } else {
            Standing::Scheduled
        });
    }
    open_requests
        .contains(&package)
        .then_some(Standing::Waiting)
}

async fn standing(
    state: &AppState,
    current: &CurrentUser,
    package: AccessPackageId,
) -> AppResult<Option<Standing>> {
    let (held, open) =
        store::requests::held_and_asked(&state.db, current.user.id, &[package]).await?;
    Ok(standing_of(package, &held, &open))
}

/// Anyone signed in: packages an enabled policy lets them request (hidden ones only by
/// link), by name, a page at a time.
pub async fn list(
    state: web::Data<AppState>,
    current: CurrentUser,
    query: web::Query<crate::web::CursorQuery>,
) -> AppResult<PackagesPage> {
    let cursor = query.cursor();
    let page =
        store::requests::requestable_page(&state.db, current.user.id, cursor, crate::web::PER_PAGE)
            .await?;
    let ids: Vec<AccessPackageId> = page.items.iter().map(|p| p.id).collect();
    let roles = store::packages::resource_roles_of(&state.db, &ids).await?;
    let (held, open) = store::requests::held_and_asked(&state.db, current.user.id, &ids).await?;
    let offers = page
        .items
        .into_iter()
        .map(|package| Offer {
            resource_roles: roles
                .iter()
                .filter(|(id, _)| *id == package.id)
                .map(|(_, r)| r.clone())
                .collect(),
            standing: standing_of(package.id, &held, &open),
            package,
        })
        .collect();
    Ok(PackagesPage {
        chrome: Chrome::my_access(&current, "packages")?,
        offers,
        pager: KeysetPage {
            items: Vec::new(),
            next: page.next,
            previous: page.previous,
        },
    })
}

#[derive(Deserialize)]
pub struct SelectedQuery {
    #[serde(default)]
    package: String,
}

/// The list's `Request access` button: opens the pane of the selected package.
pub async fn selected(
    current: CurrentUser,
    query: web::Query<SelectedQuery>,
) -> AppResult<HttpResponse> {
    match query.package.parse::<AccessPackageId>() {
        Ok(id) => Ok(see_other(&format!("/myaccess/access-packages/{id}"))),
        Err(_) => {
            current
                .session
                .flash(FlashKind::Error, "Select an access package first.");
            Ok(see_other("/myaccess/access-packages"))
        }
    }
}

/// The pane's fields, as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RequestForm {
    policy: String,
    justification: String,
    specific_period: String,
    start_date: String,
    end_date: String,
}

#[derive(Template)]
#[template(path = "myaccess/request.html")]
struct RequestPage {
    chrome: Chrome,
    package: AccessPackage,
    resource_roles: Vec<ResourceRole>,
    policies: Vec<PolicyRecord>,
    form: RequestForm,
    errors: FormErrors,
    /// Set when the user already has, or already asked for, this package.
    standing: Option<Standing>,
    justification_hint: &'static str,
    period_allowed: bool,
}

async fn page(
    state: &AppState,
    current: &CurrentUser,
    raw_id: &str,
    form: RequestForm,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let id: AccessPackageId = parse_id(raw_id)?;
    let (package, policies) = store::requests::requestable(&state.db, current.user.id, id)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let resource_roles = store::packages::resource_roles(&state.db, package.id).await?;
    let standing = standing(state, current, package.id).await?;
    let page = RequestPage {
        chrome: Chrome::my_access(current, "packages")?,
        justification_hint: if policies
            .iter()
            .any(|p| p.spec.requestor_justification_required)
        {
            "Required. Up to 1,000 characters."
        } else {
            "Optional. Up to 1,000 characters."
        },
        period_allowed: policies.iter().any(|p| p.spec.custom_schedule),
        package,
        resource_roles,
        policies,
        form,
        errors,
        standing,
    };
    html(status, &page)
}

/// The `Request access` pane, also where the My Access portal link leads.
pub async fn pane(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    page(
        &state,
        &current,
        &id,
        RequestForm {
            specific_period: "no".into(),
            ..RequestForm::default()
        },
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

fn parse_date(raw: &str, field: &'static str, errors: &mut FormErrors) -> Option<Date> {
    errors.check(field, dates::parse_date(raw)).flatten()
}

/// `Submit`: the checks of `services::requests::submit`, with each problem next to its field.
pub async fn submit(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<String>,
    form: CsrfForm<RequestForm>,
) -> AppResult<HttpResponse> {
    let CsrfForm(form) = form;
    let package: AccessPackageId = parse_id(&id)?;
    let mut errors = FormErrors::default();
    let specific_period = form.specific_period == "yes";
    let (start, end) = if specific_period {
        (
            parse_date(&form.start_date, "start_date", &mut errors),
            parse_date(&form.end_date, "end_date", &mut errors),
        )
    } else {
        (None, None)
    };
    let policy = match form.policy.trim() {
        "" => None,
        raw => match raw.parse() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add("policy", "Choose a policy.");
                None
            }
        },
    };
    if errors.is_empty() {
        let new = NewRequest {
            package,
            policy,
            justification: form.justification.clone(),
            specific_period,
            start,
            end,
        };
        match requests::submit(&state.db, state.clock.as_ref(), current.principal(), new).await {
            Ok(_) => {
                current.session.flash(
                    FlashKind::Success,
                    "Request submitted. You can follow it here.",
                );
                return Ok(see_other("/myaccess/request-history"));
            }
            Err(err) => errors.place(err, "package")?,
        }
    }
    page(
        &state,
        &current,
        &id,
        form,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}
