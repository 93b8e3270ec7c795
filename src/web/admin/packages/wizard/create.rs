//! `Next`'s checks of each tab, and `Create` on `Review + create`: every tab checked, then
//! the package, its resource roles and first policy created in one transaction.
use actix_web::HttpResponse;

use super::action::Tab;
use super::view::{Screen, creatable_catalogs, render};
use super::{Draft, PolicyMode};
use crate::auth::extract::EntitlementManager;
use crate::auth::session::FlashKind;
use crate::domain::access_package::PackageName;
use crate::domain::catalog::Catalog;
use crate::domain::group::{Description, MemberRole};
use crate::ids::{CatalogId, DraftId, GroupId};
use crate::services::error::ServiceError;
use crate::services::packages::{self, NewPackage};
use crate::state::AppState;
use crate::web::admin::packages::policy_form;
use crate::web::error::AppResult;
use crate::web::form::FormErrors;
use crate::web::see_other;

/// Checks one tab; messages keyed by field.
pub fn check_tab(tab: Tab, draft: &Draft, catalogs: &[Catalog], today: time::Date) -> FormErrors {
    let mut errors = FormErrors::default();
    match tab {
        Tab::Basics => {
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
        Tab::Resources => {
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
        Tab::Policy => match PolicyMode::of(draft) {
            Some(PolicyMode::Later) => {}
            Some(PolicyMode::Now) => {
                if let Err(problems) = draft.policy.parse(today) {
                    errors = policy_form::errors_from(problems);
                }
            }
            None => errors.add(
                "policy_mode",
                "Choose whether to create the first policy now or later.",
            ),
        },
        Tab::Review => {}
    }
    errors
}

/// Where a service's refusal is fixed: the tab it is shown under on `Review + create`.
fn problems_from(err: ServiceError) -> Result<Vec<(&'static str, String)>, ServiceError> {
    let mut problems = Vec::new();
    match err {
        ServiceError::Invalid(fields) => {
            for field in fields {
                let (tab, prefix) = match field.field {
                    "display_name" => (Tab::Basics, "Basics: "),
                    "approver" | "requestor" | "policy" => (Tab::Policy, ""),
                    _ => (Tab::Resources, ""),
                };
                problems.push((tab.as_str(), format!("{prefix}{}", field.message)));
            }
        }
        ServiceError::Conflict { code, message } => {
            let tab = if code == "subject_gone" {
                Tab::Policy
            } else {
                Tab::Resources
            };
            problems.push((tab.as_str(), message));
        }
        ServiceError::Forbidden { code, message }
            if code == "group_in_other_catalog" || code == "not_group_owner" =>
        {
            problems.push((Tab::Resources.as_str(), message));
        }
        other => return Err(other),
    }
    Ok(problems)
}

pub async fn create(
    state: &AppState,
    manager: &EntitlementManager,
    id: DraftId,
    draft: Draft,
    today: time::Date,
) -> AppResult<HttpResponse> {
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    let catalogs = creatable_catalogs(state, manager).await?;
    for tab in [Tab::Basics, Tab::Resources, Tab::Policy] {
        let errors = check_tab(tab, &draft, &catalogs, today);
        if !errors.is_empty() {
            problems.push((
                tab.as_str(),
                format!(
                    "{}: {}",
                    tab.label(),
                    errors.first_message().unwrap_or_default()
                ),
            ));
        }
    }
    let parsed = parse_package(&draft, today, id);
    if problems.is_empty() && parsed.is_none() {
        problems.push((
            Tab::Basics.as_str(),
            "The access package could not be read: check each tab.".to_owned(),
        ));
    }
    let new = match (problems.is_empty(), parsed) {
        (true, Some(new)) => new,
        _ => return render(state, manager, id, draft, Screen::problems(problems)).await,
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
            let problems = problems_from(err)?;
            render(state, manager, id, draft, Screen::problems(problems)).await
        }
    }
}

fn parse_package(draft: &Draft, today: time::Date, draft_id: DraftId) -> Option<NewPackage> {
    let policy = match PolicyMode::of(draft)? {
        PolicyMode::Now => Some(draft.policy.parse(today).ok()?),
        PolicyMode::Later => None,
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
