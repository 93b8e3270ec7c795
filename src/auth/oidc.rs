//! Single sign-on with an OpenID Connect provider, through the `openidconnect` crate: the
//! authorization code flow with PKCE, `state` and `nonce`, and the ID token checked against
//! the provider's discovered keys (signature, issuer, audience, expiry, nonce). Nothing here
//! is hand-written JWT or crypto; the provider is discovered on first use (so Gatehouse
//! starts while it is down) and again after a failure.
use base64::Engine as _;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use crate::config::{Oidc, OidcClaim};

/// The path the provider sends people back to.
pub const CALLBACK_PATH: &str = "/sign-in/oidc/callback";

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The provider, as configured, and its client once discovered.
pub struct OidcSignIn {
    pub config: Oidc,
    redirect: String,
    http: reqwest::Client,
    client: RwLock<Option<Client>>,
}

/// What a sign-in in flight keeps in the session between leaving for the provider and
/// coming back: used once.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pending {
    pub state: String,
    nonce: String,
    verifier: String,
    /// Where to go after signing in (a local path, already checked).
    pub next: Option<String>,
}

/// Who the provider says signed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The provider's subject: stable for the person there.
    pub subject: String,
    /// The configured claim's value (what names the Gatehouse user), when present.
    pub claim: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// Why single sign-on did not work, in words for the sign-in page.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("The identity provider could not be reached: {0}")]
    Unreachable(String),
    #[error("The identity provider turned the sign-in down: {0}")]
    Refused(String),
    #[error("This sign-in link was already used or has expired. Start again.")]
    Stale,
    #[error("The identity provider's answer could not be trusted: {0}")]
    Untrusted(String),
}

impl OidcSignIn {
    pub fn new(config: Oidc, public_url: &str) -> Self {
        let http = reqwest::Client::builder()
            // Never follow a redirect the provider sends to the back channel.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self {
            redirect: format!("{}{CALLBACK_PATH}", public_url.trim_end_matches('/')),
            config,
            http,
            client: RwLock::new(None),
        }
    }

    /// The button's words.
    pub fn button(&self) -> String {
        format!("Sign in with {}", self.config.name)
    }

    async fn client(&self) -> Result<Client, OidcError> {
        if let Some(client) = self.client.read().await.as_ref() {
            return Ok(client.clone());
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone())
            .map_err(|e| OidcError::Unreachable(e.to_string()))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::Unreachable(error_chain(&e)))?;
        let redirect = RedirectUrl::new(self.redirect.clone())
            .map_err(|e| OidcError::Unreachable(e.to_string()))?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(redirect);
        *self.client.write().await = Some(client.clone());
        Ok(client)
    }

    /// Forgets the discovered provider (its keys may have changed).
    async fn forget(&self) {
        *self.client.write().await = None;
    }

    /// Where to send the browser, and what to keep in the session until it comes back.
    pub async fn start(&self, next: Option<String>) -> Result<(String, Pending), OidcError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok((
            url.to_string(),
            Pending {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
                next,
            },
        ))
    }

    /// Redeems the code the provider sent back (once: the session no longer holds `pending`)
    /// and checks the ID token.
    pub async fn finish(&self, pending: Pending, code: &str) -> Result<Identity, OidcError> {
        let client = self.client().await?;
        let exchange = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Untrusted(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
            .request_async(&self.http)
            .await;
        let token = match exchange {
            Ok(token) => token,
            Err(openidconnect::RequestTokenError::ServerResponse(answer)) => {
                return Err(OidcError::Refused(
                    answer
                        .error_description()
                        .cloned()
                        .unwrap_or_else(|| answer.error().to_string()),
                ));
            }
            Err(openidconnect::RequestTokenError::Request(e)) => {
                return Err(OidcError::Unreachable(error_chain(&e)));
            }
            Err(other) => return Err(OidcError::Untrusted(error_chain(&other))),
        };
        let id_token = token
            .id_token()
            .ok_or_else(|| OidcError::Untrusted("no ID token".into()))?;
        let verified = id_token.claims(&client.id_token_verifier(), &Nonce::new(pending.nonce));
        let claims = match verified {
            Ok(claims) => claims,
            Err(e) => {
                // The keys may have been rotated: discover again next time.
                self.forget().await;
                return Err(OidcError::Untrusted(e.to_string()));
            }
        };
        // An address the provider says it has not verified names nobody: anyone could have
        // typed it into their profile there.
        let email = claims
            .email()
            .filter(|_| claims.email_verified() != Some(false))
            .map(|e| e.as_str().to_owned());
        let claim = match self.config.claim {
            OidcClaim::Email => email.clone(),
            OidcClaim::PreferredUsername => {
                claims.preferred_username().map(|u| u.as_str().to_owned())
            }
            // Not a standard claim: read from the (already verified) token's payload.
            OidcClaim::Upn => payload_claim(&id_token.to_string(), "upn"),
        };
        Ok(Identity {
            subject: claims.subject().as_str().to_owned(),
            claim,
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned()),
            email,
        })
    }
}

/// A string claim of a JWT's payload. Only for a token whose signature was checked.
fn payload_claim(jwt: &str, name: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    json.get(name)?.as_str().map(str::to_owned)
}

/// An error with its causes, in one line.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut words = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        words.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    words
}
