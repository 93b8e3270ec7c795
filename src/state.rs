//! What every handler can reach: the database, the clock and the settings.
use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::clock::SharedClock;
use crate::config::Config;
use crate::services::sign_in::SignInGate;

pub struct AppState {
    pub db: DatabaseConnection,
    pub clock: SharedClock,
    pub config: Arc<Config>,
    /// The one-time token of the first-administrator link, when the directory was empty
    /// at start.
    pub setup_token: Option<String>,
    pub sign_in_gate: SignInGate,
    /// Seals and opens connected systems' secrets.
    pub secrets: crate::secrets::SecretBox,
    /// Single sign-on, when an OpenID provider is configured.
    pub oidc: Option<Arc<crate::auth::oidc::OidcSignIn>>,
    /// API calls per token this minute.
    pub api_calls: crate::api::auth::CallCounter,
}
