//! Deleting a catalog, after a confirmation page.
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::EntitlementManager;
use crate::auth::session::FlashKind;
use crate::domain::authz::Action;
use crate::domain::catalog::Catalog;
use crate::services::catalogs;
use crate::services::error::ServiceError;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::{html, layout::Chrome, require, see_other};

#[derive(Template)]
#[template(path = "admin/catalogs/delete.html")]
struct DeleteCatalogPage {
    chrome: Chrome,
    catalog: Catalog,
    error: Option<String>,
}

/// Catalog owners and directory administrators.
pub async fn confirm(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (catalog, _) = super::load(&state, &manager, &id).await?;
    require(manager.principal(), Action::ManageCatalog(catalog.id))?;
    let error = catalog
        .is_default
        .then(|| "The Default catalog cannot be deleted.".to_owned());
    html(
        StatusCode::OK,
        &DeleteCatalogPage {
            chrome: Chrome::admin(manager.current(), "catalogs")?,
            catalog,
            error,
        },
    )
}

pub async fn delete(
    state: web::Data<AppState>,
    manager: EntitlementManager,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let (catalog, _) = super::load(&state, &manager, &id).await?;
    match catalogs::delete(
        &state.db,
        state.clock.as_ref(),
        manager.principal(),
        catalog.id,
    )
    .await
    {
        Ok(gone) => {
            manager.current().session.flash(
                FlashKind::Success,
                format!("Catalog deleted: {}", gone.display_name),
            );
            Ok(see_other("/admin/catalogs"))
        }
        Err(ServiceError::Conflict {
            message: reason, ..
        }) => html(
            StatusCode::CONFLICT,
            &DeleteCatalogPage {
                chrome: Chrome::admin(manager.current(), "catalogs")?,
                catalog,
                error: Some(reason),
            },
        ),
        Err(err) => Err(err.into()),
    }
}
