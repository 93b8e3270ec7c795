//! A package's `Properties` (name, description, hidden) and `Delete`.
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::show::{Loaded, load};
use crate::auth::csrf::CsrfForm;
use crate::auth::extract::EntitlementManager;
use crate::auth::session::FlashKind;
use crate::domain::access_package::{AccessPackage, PackageName};
use crate::domain::authz::Action;
use crate::domain::catalog::{Catalog, CatalogAccess};
use crate::domain::group::Description;
use crate::services::error::ServiceError;
use crate::services::packages;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::form::FormErrors;
use crate::web::{html, layout::Chrome, require, see_other};

#[derive(Deserialize)]
pub struct PropertiesForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    is_hidden: String,
}

#[derive(Template)]
#[template(path = "admin/packages/properties.html")]
struct PropertiesPage {
    chrome: Chrome,
    package: AccessPackage,
    catalog: Catalog,
    access: CatalogAccess,
    section: &'static str,
    form: PropertiesForm,
    errors: FormErrors,
}

fn page(
    manager: &EntitlementManager,
    loaded: Loaded,
    form: PropertiesForm,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let Loaded {
        package,
        catalog,
        access,
    } = loaded;
    html(
        status,
        &PropertiesPage {
            chrome: Chrome::admin(manager.current(), "packages")?,
            package,
            catalog,
            access,
            section: "properties",
            form,
            errors,
        },
    )
}

/// Anyone who may see the package; managers may change it.
pub async fn form(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let loaded = load(&state, &manager, &id).await?;
    let form = PropertiesForm {
        display_name: loaded.package.display_name.clone(),
        description: loaded.package.description.clone(),
        is_hidden: if loaded.package.is_hidden {
            "yes"
        } else {
            "no"
        }
        .to_owned(),
    };
    page(
        &manager,
        loaded,
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
}

pub async fn save(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    form: CsrfForm<PropertiesForm>,
) -> AppResult<HttpResponse> {
    let loaded = load(&state, &manager, &id).await?;
    require(
        manager.principal(),
        Action::ManagePackages(loaded.package.catalog_id),
    )?;
    let CsrfForm(form) = form;
    let mut errors = FormErrors::default();
    let name = errors.check("display_name", PackageName::parse(&form.display_name));
    let description = errors.check("description", Description::parse(&form.description));
    if let (Some(name), Some(description)) = (name, description) {
        match packages::update(
            &state.db,
            state.clock.as_ref(),
            manager.principal(),
            loaded.package.id,
            name,
            description,
            form.is_hidden == "yes",
        )
        .await
        {
            Ok(updated) => {
                manager.current().session.flash(
                    FlashKind::Success,
                    format!("Access package updated: {}", updated.display_name),
                );
                return Ok(see_other(&format!("/admin/access-packages/{}", updated.id)));
            }
            Err(err) => errors.place(err, "display_name")?,
        }
    }
    page(
        &manager,
        loaded,
        form,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

#[derive(Template)]
#[template(path = "admin/packages/delete.html")]
struct DeletePage {
    chrome: Chrome,
    package: AccessPackage,
    catalog: Catalog,
    access: CatalogAccess,
    section: &'static str,
}

/// Access package managers, catalog owners and directory admins.
pub async fn confirm_delete(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let Loaded {
        package,
        catalog,
        access,
    } = load(&state, &manager, &id).await?;
    require(
        manager.principal(),
        Action::ManagePackages(package.catalog_id),
    )?;
    html(
        StatusCode::OK,
        &DeletePage {
            chrome: Chrome::admin(manager.current(), "packages")?,
            package,
            catalog,
            access,
            section: "delete",
        },
    )
}

pub async fn delete(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let loaded = load(&state, &manager, &id).await?;
    match packages::delete(
        &state.db,
        state.clock.as_ref(),
        manager.principal(),
        loaded.package.id,
    )
    .await
    {
        Ok(gone) => manager.current().session.flash(
            FlashKind::Success,
            format!("Access package deleted: {}", gone.display_name),
        ),
        Err(ServiceError::Conflict {
            message: reason, ..
        }) => {
            manager.current().session.flash(FlashKind::Error, reason);
            return Ok(see_other(&format!(
                "/admin/access-packages/{}",
                loaded.package.id
            )));
        }
        Err(err) => return Err(AppError::from(err)),
    }
    Ok(see_other("/admin/access-packages"))
}
