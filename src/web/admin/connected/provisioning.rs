//! `Connected systems` → `SCIM provisioning`: the address an identity provider provisions
//! to, its bearer tokens (made, shown once, revoked) and the domain for bare user names.
use actix_web::{HttpResponse, http::StatusCode, web};
use serde::Deserialize;

use super::ACTIVE;
use crate::auth::csrf::CsrfForm;
use crate::auth::extract::GlobalAdmin;
use crate::auth::session::FlashKind;
use crate::ids::ProvisioningTokenId;
use crate::services::provisioning::{self, Token, VALIDITY_DAYS};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::filters;
use crate::web::form::FormErrors;
use crate::web::{html_no_store, layout::Chrome, parse_id, see_other};

pub const PATH: &str = "/admin/connected-systems/scim-provisioning";

#[derive(askama::Template)]
#[template(path = "admin/connected/provisioning.html")]
struct ProvisioningPage {
    chrome: Chrome,
    endpoint: String,
    tokens: Vec<Token>,
    now: time::OffsetDateTime,
    upn_domain: String,
    form: TokenForm,
    errors: FormErrors,
    /// The token just made, shown this once.
    new_token: Option<(Token, String)>,
    /// The choices of `Valid for`: days, and how the form says it.
    validity: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    valid_days: String,
}

#[derive(Deserialize)]
pub struct DomainForm {
    #[serde(default)]
    upn_domain: String,
}

async fn render(
    state: &AppState,
    admin: &GlobalAdmin,
    status: StatusCode,
    form: TokenForm,
    errors: FormErrors,
    new_token: Option<(Token, String)>,
    domain_typed: Option<String>,
) -> AppResult<HttpResponse> {
    let (tokens, upn_domain) = provisioning::overview(&state.db, admin.principal()).await?;
    let page = ProvisioningPage {
        chrome: Chrome::admin(admin.current(), ACTIVE)?,
        endpoint: format!(
            "{}{}",
            state.config.public_url.trim_end_matches('/'),
            crate::web::scim::BASE_PATH
        ),
        tokens,
        now: state.clock.now(),
        upn_domain: domain_typed.or(upn_domain).unwrap_or_default(),
        form,
        errors,
        new_token,
        validity: crate::web::validity_choices(&VALIDITY_DAYS),
    };
    html_no_store(status, &page)
}

pub async fn show(state: web::Data<AppState>, admin: GlobalAdmin) -> AppResult<HttpResponse> {
    let form = TokenForm {
        valid_days: "365".to_owned(),
        ..TokenForm::default()
    };
    render(
        &state,
        &admin,
        StatusCode::OK,
        form,
        FormErrors::default(),
        None,
        None,
    )
    .await
}

/// `Create token`: the page again, with the token shown once.
pub async fn create_token(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    form: CsrfForm<TokenForm>,
) -> AppResult<HttpResponse> {
    let form = form.0;
    let made = provisioning::create_token(
        &state.db,
        state.clock.as_ref(),
        admin.principal(),
        &form.name,
        &form.valid_days,
    )
    .await;
    match made {
        Ok(made) => {
            let fresh = TokenForm {
                valid_days: form.valid_days,
                ..TokenForm::default()
            };
            render(
                &state,
                &admin,
                StatusCode::OK,
                fresh,
                FormErrors::default(),
                Some(made),
                None,
            )
            .await
        }
        Err(err) => {
            let mut errors = FormErrors::default();
            errors.place(err, "name")?;
            render(
                &state,
                &admin,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
                None,
                None,
            )
            .await
        }
    }
}

pub async fn revoke_token(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let id: ProvisioningTokenId = parse_id(&id)?;
    let revoked =
        provisioning::revoke_token(&state.db, state.clock.as_ref(), admin.principal(), id).await;
    match revoked {
        Ok(token) => admin.current().session.flash(
            FlashKind::Success,
            format!(
                "Revoked {}. The identity provider can no longer use it.",
                token.name
            ),
        ),
        Err(crate::services::error::ServiceError::Conflict { message, .. }) => {
            admin.current().session.flash(FlashKind::Error, message)
        }
        Err(other) => return Err(other.into()),
    }
    Ok(see_other(PATH))
}

pub async fn save_settings(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    form: CsrfForm<DomainForm>,
) -> AppResult<HttpResponse> {
    let typed = form.0.upn_domain;
    match provisioning::set_upn_domain(&state.db, state.clock.as_ref(), admin.principal(), &typed)
        .await
    {
        Ok(domain) => {
            let message = match domain {
                Some(domain) => {
                    format!("Saved. A user name without a domain becomes name@{domain}.")
                }
                None => "Saved. User names must be user principal names (name@domain).".to_owned(),
            };
            admin.current().session.flash(FlashKind::Success, message);
            Ok(see_other(PATH))
        }
        Err(err) => {
            let mut errors = FormErrors::default();
            errors.place(err, "upn_domain")?;
            let form = TokenForm {
                valid_days: "365".to_owned(),
                ..TokenForm::default()
            };
            render(
                &state,
                &admin,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
                None,
                Some(typed),
            )
            .await
        }
    }
}
