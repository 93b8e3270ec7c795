//! Role extractors: a handler that takes `DirectoryAdmin` cannot run for anyone else.
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::Method, web};
use futures_util::future::LocalBoxFuture;

use super::session::TypedSession;
use crate::domain::catalog::{CatalogAccess, CatalogRole};
use crate::domain::user::User;
use crate::error::AppError;
use crate::ids::CatalogId;
use crate::services::audit::Actor;
use crate::state::AppState;
use crate::store;
use crate::web::layout::ChromeUser;

/// Anyone who is signed in, with an account that is still enabled.
pub struct CurrentUser {
    pub user: User,
    pub session: TypedSession,
    pub client_ip: Option<String>,
    /// Every role the user holds in a catalog.
    pub catalog_roles: Vec<(CatalogId, CatalogRole)>,
}

impl CurrentUser {
    /// What the user may do in `catalog`.
    pub fn catalog_access(&self, catalog: CatalogId) -> CatalogAccess {
        let roles: Vec<CatalogRole> = self
            .catalog_roles
            .iter()
            .filter(|(c, _)| *c == catalog)
            .map(|(_, r)| *r)
            .collect();
        CatalogAccess::of(self.user.role, &roles)
    }

    /// Directory admins and catalog role holders work in the admin portal.
    pub fn uses_admin_portal(&self) -> bool {
        self.user.role.is_directory_admin() || !self.catalog_roles.is_empty()
    }

    /// The catalogs the user may see: None means all of them.
    pub fn visible_catalogs(&self) -> Option<Vec<CatalogId>> {
        if self.user.role.is_directory_admin() {
            return None;
        }
        let mut ids: Vec<CatalogId> = self.catalog_roles.iter().map(|(c, _)| *c).collect();
        ids.sort();
        ids.dedup();
        Some(ids)
    }

    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.user.id),
            name: self.user.user_principal_name.clone(),
            client_ip: self.client_ip.clone(),
        }
    }
}

/// The client's address: the connecting peer, or, when that peer is the configured trusted
/// proxy, the last address the proxy appended to X-Forwarded-For.
pub fn client_ip(req: &HttpRequest) -> Option<String> {
    let peer = req.peer_addr()?.ip();
    let trusted = req
        .app_data::<web::Data<AppState>>()
        .and_then(|s| s.config.trusted_proxy);
    if trusted == Some(peer) {
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|part| part.trim().parse::<std::net::IpAddr>().ok())
            .last();
        if let Some(client) = forwarded {
            return Some(client.to_string());
        }
    }
    Some(peer.to_string())
}

/// Only a GET can be repeated after sign-in; a post lands on its page instead.
fn return_path(req: &HttpRequest) -> Option<String> {
    (req.method() == Method::GET).then(|| {
        req.uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".to_owned())
    })
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let session = TypedSession::from_request(&req, payload);
        Box::pin(async move {
            let session = session.await?;
            let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| {
                AppError::Unexpected(anyhow::anyhow!("application state missing"))
            })?;
            let sign_in_again = || AppError::SignInRequired {
                next: return_path(&req),
            };
            let Some(signed_in) = session.signed_in() else {
                return Err(sign_in_again());
            };
            let now = state.clock.now();
            if now - signed_in.last_seen > state.config.idle_timeout {
                session.end_with_message(
                    "You were signed out after a period of inactivity. Sign in again to continue.",
                );
                return Err(sign_in_again());
            }
            let user = store::users::find_by_id(&state.db, signed_in.user_id).await?;
            let Some(user) =
                user.filter(|u| u.enabled && u.security_stamp == signed_in.security_stamp)
            else {
                session.sign_out();
                return Err(sign_in_again());
            };
            // Refreshing the cookie once a minute is enough for an idle timeout in minutes.
            if now - signed_in.last_seen >= time::Duration::minutes(1) {
                session.touch(now)?;
            }
            let catalog_roles = store::catalogs::roles_of(&state.db, user.id).await?;
            let current = CurrentUser {
                user,
                session,
                client_ip: client_ip(&req),
                catalog_roles,
            };
            // Error pages later in this request show who is signed in (see web::errors).
            req.extensions_mut().insert(ChromeUser::of(&current)?);
            Ok(current)
        })
    }
}

/// Anyone who works in the admin portal's Entitlement management: directory admins and
/// holders of a catalog role. What they may do in each catalog is still checked per catalog.
pub struct EntitlementManager(CurrentUser);

impl EntitlementManager {
    pub fn current(&self) -> &CurrentUser {
        &self.0
    }

    pub fn user(&self) -> &User {
        &self.0.user
    }

    pub fn actor(&self) -> Actor {
        self.0.actor()
    }

    pub fn access(&self, catalog: CatalogId) -> CatalogAccess {
        self.0.catalog_access(catalog)
    }

    /// New catalogs are for directory admins.
    pub fn can_create_catalogs(&self) -> bool {
        self.0.user.role.is_directory_admin()
    }
}

impl FromRequest for EntitlementManager {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let current = CurrentUser::from_request(req, payload);
        Box::pin(async move {
            let current = current.await?;
            if current.uses_admin_portal() {
                Ok(EntitlementManager(current))
            } else {
                Err(AppError::Forbidden)
            }
        })
    }
}

/// A Global administrator or User administrator.
pub struct DirectoryAdmin(CurrentUser);

impl DirectoryAdmin {
    pub fn current(&self) -> &CurrentUser {
        &self.0
    }

    pub fn user(&self) -> &User {
        &self.0.user
    }

    pub fn actor(&self) -> Actor {
        self.0.actor()
    }
}

impl FromRequest for DirectoryAdmin {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let current = CurrentUser::from_request(req, payload);
        Box::pin(async move {
            let current = current.await?;
            if current.user.role.is_directory_admin() {
                Ok(DirectoryAdmin(current))
            } else {
                Err(AppError::Forbidden)
            }
        })
    }
}
