//! Role extractors: a handler that takes `DirectoryAdmin` cannot run for anyone else.
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::Method, web};
use futures_util::future::LocalBoxFuture;

use super::session::TypedSession;
use crate::domain::authz::{Action, authorize};
use crate::domain::catalog::CatalogAccess;
use crate::domain::principal::Principal;
use crate::domain::user::User;
use crate::ids::CatalogId;
use crate::state::AppState;
use crate::store;
use crate::web::error::AppError;
use crate::web::layout::ChromeUser;

/// Anyone who is signed in, with an account that is still enabled.
pub struct CurrentUser {
    pub user: User,
    pub session: TypedSession,
    /// Who acts, for the services.
    pub principal: Principal,
    /// On My Access pages: how many requests wait for this person's decision (up to 100).
    pub pending_approvals: Option<u64>,
}

impl CurrentUser {
    /// What the user may do in `catalog` (for choosing which buttons to show).
    pub fn catalog_access(&self, catalog: CatalogId) -> CatalogAccess {
        self.principal.catalog_access(catalog)
    }

    /// Directory admins and catalog role holders work in the admin portal.
    pub fn uses_admin_portal(&self) -> bool {
        self.principal.uses_admin_portal()
    }

    /// The catalogs the user may see: None means all of them.
    pub fn visible_catalogs(&self) -> Option<Vec<CatalogId>> {
        self.principal.visible_catalogs()
    }

    pub fn principal(&self) -> &Principal {
        &self.principal
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

/// Counted up to this; the navigation says `99+` beyond.
pub const PENDING_COUNT_CAP: u64 = 100;

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
            let found = store::users::signed_in(&state.db, signed_in.user_id).await?;
            let Some((user, catalog_roles)) =
                found.filter(|(u, _)| u.enabled && u.security_stamp == signed_in.security_stamp)
            else {
                session.sign_out();
                return Err(sign_in_again());
            };
            // Refreshing the cookie once a minute is enough for an idle timeout in minutes.
            if now - signed_in.last_seen >= time::Duration::minutes(1) {
                session.touch(now)?;
            }
            let principal = Principal::session(&user, catalog_roles, client_ip(&req));
            // The number next to `Approvals`, on the pages that show it; a page still shows
            // when it cannot be counted.
            let pending_approvals = if req.method() == actix_web::http::Method::GET
                && req.path().starts_with("/myaccess")
            {
                store::requests::pending_count_for_approver(&state.db, user.id, PENDING_COUNT_CAP)
                    .await
                    .inspect_err(|err| tracing::warn!(%err, "pending approvals not counted"))
                    .ok()
            } else {
                None
            };
            let current = CurrentUser {
                user,
                session,
                principal,
                pending_approvals,
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

    pub fn principal(&self) -> &Principal {
        &self.0.principal
    }

    pub fn access(&self, catalog: CatalogId) -> CatalogAccess {
        self.0.catalog_access(catalog)
    }

    /// New catalogs are for directory admins.
    pub fn can_create_catalogs(&self) -> bool {
        authorize(&self.0.principal, Action::CreateCatalog).is_ok()
    }
}

impl FromRequest for EntitlementManager {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        gated(req, payload, Action::UseAdminPortal, EntitlementManager)
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

    pub fn principal(&self) -> &Principal {
        &self.0.principal
    }
}

impl FromRequest for DirectoryAdmin {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        gated(req, payload, Action::ReadDirectory, DirectoryAdmin)
    }
}

/// A Global administrator: connected systems and other server-wide settings.
pub struct GlobalAdmin(CurrentUser);

impl GlobalAdmin {
    pub fn current(&self) -> &CurrentUser {
        &self.0
    }

    pub fn principal(&self) -> &Principal {
        &self.0.principal
    }
}

impl FromRequest for GlobalAdmin {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        gated(req, payload, Action::ManageConnectedSystems, GlobalAdmin)
    }
}

/// The signed-in person, if `action` is theirs to do (else the 403 page), wrapped as `T`.
fn gated<T: 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    action: Action<'static>,
    wrap: fn(CurrentUser) -> T,
) -> LocalBoxFuture<'static, Result<T, AppError>> {
    let current = CurrentUser::from_request(req, payload);
    Box::pin(async move {
        let current = current.await?;
        authorize(&current.principal, action).map_err(|_| AppError::Forbidden)?;
        Ok(wrap(current))
    })
}
