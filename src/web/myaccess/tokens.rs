//! My Access → `API tokens`: a person's own tokens for the Graph-compatible API (made with
//! the permissions chosen, shown once, revoked).
use actix_web::{HttpResponse, http::StatusCode, web};
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::CurrentUser;
use crate::domain::principal::Scope;
use crate::ids::ApiTokenId;
use crate::services::api_tokens::{self, ApiToken, NewToken, VALIDITY_DAYS};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::filters;
use crate::web::form::FormErrors;
use crate::web::{html_no_store, layout::Chrome, parse_id, see_other};

pub const PATH: &str = "/myaccess/api-tokens";

#[derive(askama::Template)]
#[template(path = "myaccess/tokens.html")]
struct TokensPage {
    chrome: Chrome,
    base_url: String,
    tokens: Vec<ApiToken>,
    now: time::OffsetDateTime,
    form: TokenForm,
    errors: FormErrors,
    /// The token just made, shown this once.
    new_token: Option<(ApiToken, String)>,
    validity: Vec<(String, String)>,
    /// Every permission: its name, what it allows, and whether the form has it ticked.
    scopes: Vec<(&'static str, &'static str, bool)>,
}

#[derive(Deserialize, Default)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    valid_days: String,
    #[serde(default)]
    scope: Vec<String>,
}

async fn render(
    state: &AppState,
    current: &CurrentUser,
    status: StatusCode,
    form: TokenForm,
    errors: FormErrors,
    new_token: Option<(ApiToken, String)>,
) -> AppResult<HttpResponse> {
    let tokens = api_tokens::list_own(&state.db, current.principal()).await?;
    let scopes = Scope::ALL
        .iter()
        .map(|s| {
            (
                s.as_str(),
                s.description(),
                form.scope.iter().any(|f| f == s.as_str()),
            )
        })
        .collect();
    let page = TokensPage {
        chrome: Chrome::my_access(current, "tokens")?,
        base_url: format!(
            "{}{}",
            state.config.public_url.trim_end_matches('/'),
            crate::api::BASE_PATH
        ),
        tokens,
        now: state.clock.now(),
        form,
        errors,
        new_token,
        validity: crate::web::validity_choices(&VALIDITY_DAYS),
        scopes,
    };
    html_no_store(status, &page)
}

pub async fn show(state: web::Data<AppState>, current: CurrentUser) -> AppResult<HttpResponse> {
    let form = TokenForm {
        valid_days: "30".to_owned(),
        scope: vec![Scope::EntitlementManagementRead.as_str().to_owned()],
        ..TokenForm::default()
    };
    render(
        &state,
        &current,
        StatusCode::OK,
        form,
        FormErrors::default(),
        None,
    )
    .await
}

/// `Create token`: the page again, with the token shown once.
pub async fn create(
    state: web::Data<AppState>,
    current: CurrentUser,
    form: CsrfForm<TokenForm>,
) -> AppResult<HttpResponse> {
    let form = form.0;
    let input = NewToken {
        name: form.name.clone(),
        valid_days: form.valid_days.clone(),
        scopes: form.scope.clone(),
    };
    match api_tokens::create(&state.db, state.clock.as_ref(), current.principal(), &input).await {
        Ok(made) => {
            let fresh = TokenForm {
                valid_days: form.valid_days,
                scope: form.scope,
                ..TokenForm::default()
            };
            render(
                &state,
                &current,
                StatusCode::OK,
                fresh,
                FormErrors::default(),
                Some(made),
            )
            .await
        }
        Err(err) => {
            let mut errors = FormErrors::default();
            errors.place(err, "name")?;
            render(
                &state,
                &current,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
                None,
            )
            .await
        }
    }
}

pub async fn revoke(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let id: ApiTokenId = parse_id(&id)?;
    let revoked =
        api_tokens::revoke(&state.db, state.clock.as_ref(), current.principal(), id).await;
    crate::web::flash_outcome(
        &current.session,
        revoked.map(|t| format!("Revoked {}. Scripts can no longer use it.", t.name)),
    )?;
    Ok(see_other(PATH))
}
