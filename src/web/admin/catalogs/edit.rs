//! `New catalog` and editing a catalog's properties.
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::EntitlementManager;
use crate::auth::session::FlashKind;
use crate::domain::authz::Action;
use crate::domain::catalog::{Catalog, CatalogName};
use crate::domain::group::Description;
use crate::services::catalogs::{self, CatalogFields};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::form::FormErrors;
use crate::web::{html, layout::Chrome, require, see_other};

#[derive(Deserialize)]
pub struct CatalogForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    is_enabled: String,
    #[serde(default)]
    is_externally_visible: String,
}

impl CatalogForm {
    fn from_catalog(catalog: &Catalog) -> Self {
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
        Self {
            display_name: catalog.display_name.clone(),
            description: catalog.description.clone(),
            is_enabled: yes_no(catalog.is_enabled),
            is_externally_visible: yes_no(catalog.is_externally_visible),
        }
    }

    fn parse(&self, errors: &mut FormErrors) -> Option<CatalogFields> {
        let name = errors.check("display_name", CatalogName::parse(&self.display_name));
        let description = errors.check("description", Description::parse(&self.description));
        Some(CatalogFields {
            name: name?,
            description: description?,
            is_enabled: self.is_enabled == "yes",
            is_externally_visible: self.is_externally_visible == "yes",
        })
    }
}

#[derive(Template)]
#[template(path = "admin/catalogs/form.html")]
struct CatalogFormPage {
    chrome: Chrome,
    /// None for `New catalog`.
    catalog: Option<Catalog>,
    form: CatalogForm,
    errors: FormErrors,
}

fn page(
    manager: &EntitlementManager,
    catalog: Option<Catalog>,
    form: CatalogForm,
    errors: FormErrors,
) -> AppResult<CatalogFormPage> {
    Ok(CatalogFormPage {
        chrome: Chrome::admin(manager.current(), "catalogs")?,
        catalog,
        form,
        errors,
    })
}

/// Directory administrators.
pub async fn new_form(manager: EntitlementManager) -> AppResult<HttpResponse> {
    require(manager.principal(), Action::CreateCatalog)?;
    let form = CatalogForm {
        display_name: String::new(),
        description: String::new(),
        is_enabled: "yes".into(),
        is_externally_visible: "yes".into(),
    };
    html(
        StatusCode::OK,
        &page(&manager, None, form, FormErrors::default())?,
    )
}

pub async fn create(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    form: CsrfForm<CatalogForm>,
) -> AppResult<HttpResponse> {
    require(manager.principal(), Action::CreateCatalog)?;
    let CsrfForm(form) = form;
    let mut errors = FormErrors::default();
    if let Some(fields) = form.parse(&mut errors) {
        match catalogs::create(&state.db, state.clock.as_ref(), manager.principal(), fields).await {
            Ok(catalog) => {
                manager.current().session.flash(
                    FlashKind::Success,
                    format!("Catalog created: {}", catalog.display_name),
                );
                return Ok(see_other(&format!("/admin/catalogs/{}", catalog.id)));
            }
            Err(err) => errors.place(err, "display_name")?,
        }
    }
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        &page(&manager, None, form, errors)?,
    )
}

/// Catalog owners and directory administrators.
pub async fn edit_form(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (catalog, _) = super::load(&state, &manager, &id).await?;
    require(manager.principal(), Action::ManageCatalog(catalog.id))?;
    let form = CatalogForm::from_catalog(&catalog);
    html(
        StatusCode::OK,
        &page(&manager, Some(catalog), form, FormErrors::default())?,
    )
}

pub async fn save(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    form: CsrfForm<CatalogForm>,
) -> AppResult<HttpResponse> {
    let (catalog, _) = super::load(&state, &manager, &id).await?;
    require(manager.principal(), Action::ManageCatalog(catalog.id))?;
    let CsrfForm(form) = form;
    let mut errors = FormErrors::default();
    if let Some(fields) = form.parse(&mut errors) {
        match catalogs::update(
            &state.db,
            state.clock.as_ref(),
            manager.principal(),
            catalog.id,
            fields,
        )
        .await
        {
            Ok(updated) => {
                manager.current().session.flash(
                    FlashKind::Success,
                    format!("Catalog updated: {}", updated.display_name),
                );
                return Ok(see_other(&format!("/admin/catalogs/{}", updated.id)));
            }
            Err(err) => errors.place(err, "display_name")?,
        }
    }
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        &page(&manager, Some(catalog), form, errors)?,
    )
}
