//! The cookie session, through typed accessors instead of string keys.
use crate::services::password::new_token;
use std::future::{Ready, ready};

use actix_session::{Session, SessionExt};
use actix_web::{FromRequest, HttpRequest, dev::Payload};
use anyhow::anyhow;
use time::OffsetDateTime;

use crate::ids::UserId;
use crate::web::error::AppError;

const USER_ID: &str = "uid";
const STAMP: &str = "stamp";
const LAST_SEEN: &str = "seen";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";
const OIDC: &str = "oidc";

/// Who the session belongs to, as stored in the cookie.
pub struct SignedIn {
    pub user_id: UserId,
    pub security_stamp: String,
    pub last_seen: OffsetDateTime,
}

#[derive(Clone)]
pub struct TypedSession(Session);

fn session_error(err: impl std::fmt::Display) -> AppError {
    AppError::Unexpected(anyhow!("session: {err}"))
}

impl TypedSession {
    pub fn signed_in(&self) -> Option<SignedIn> {
        let user_id = self.0.get::<UserId>(USER_ID).ok().flatten()?;
        let security_stamp = self.0.get::<String>(STAMP).ok().flatten()?;
        let seen = self.0.get::<i64>(LAST_SEEN).ok().flatten()?;
        let last_seen = OffsetDateTime::from_unix_timestamp(seen).ok()?;
        Some(SignedIn {
            user_id,
            security_stamp,
            last_seen,
        })
    }

    /// Starts a fresh session for `user_id` (a new cookie and a new CSRF token), so nothing
    /// from before sign-in carries over.
    pub fn sign_in(
        &self,
        user_id: UserId,
        security_stamp: &str,
        now: OffsetDateTime,
    ) -> Result<(), AppError> {
        // clear + renew, not purge: a purged session stays purged, whatever is inserted.
        self.0.clear();
        self.0.renew();
        self.0.insert(USER_ID, user_id).map_err(session_error)?;
        self.0
            .insert(STAMP, security_stamp)
            .map_err(session_error)?;
        self.0
            .insert(LAST_SEEN, now.unix_timestamp())
            .map_err(session_error)?;
        self.0.insert(CSRF, new_token()).map_err(session_error)?;
        Ok(())
    }

    pub fn touch(&self, now: OffsetDateTime) -> Result<(), AppError> {
        self.0
            .insert(LAST_SEEN, now.unix_timestamp())
            .map_err(session_error)
    }

    pub fn sign_out(&self) {
        self.0.purge();
    }

    /// Ends the sign-in but keeps the cookie, to carry a message to the sign-in page.
    pub fn end_with_message(&self, message: &str) {
        self.0.clear();
        self.flash(FlashKind::Info, message);
    }

    /// The session's CSRF token, made on first use.
    pub fn csrf_token(&self) -> Result<String, AppError> {
        if let Some(token) = self.0.get::<String>(CSRF).ok().flatten() {
            return Ok(token);
        }
        let token = new_token();
        self.0.insert(CSRF, &token).map_err(session_error)?;
        Ok(token)
    }

    pub fn stored_csrf_token(&self) -> Option<String> {
        self.0.get::<String>(CSRF).ok().flatten()
    }

    /// Keeps a single sign-on in flight until the provider sends the browser back.
    pub fn start_oidc(&self, pending: &crate::auth::oidc::Pending) -> Result<(), AppError> {
        self.0.insert(OIDC, pending).map_err(session_error)
    }

    /// The single sign-on in flight, taken out: a second use of the same answer finds none.
    pub fn take_oidc(&self) -> Option<crate::auth::oidc::Pending> {
        self.0
            .remove_as::<crate::auth::oidc::Pending>(OIDC)
            .and_then(Result::ok)
    }

    /// A one-time message for the next page ("User created").
    pub fn flash(&self, kind: FlashKind, message: impl Into<String>) {
        let _ = self.0.insert(FLASH, (kind.as_str(), message.into()));
    }

    pub fn take_flash(&self) -> Option<(String, String)> {
        self.0
            .remove_as::<(String, String)>(FLASH)
            .and_then(Result::ok)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashKind {
    Success,
    Error,
    Info,
}

impl FlashKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Error => "error",
            Self::Info => "info",
        }
    }
}

impl FromRequest for TypedSession {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self(req.get_session())))
    }
}

#[cfg(test)]
mod tests {
    use crate::services::password::new_token;

    #[test]
    fn tokens_are_long_and_different_each_time() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
