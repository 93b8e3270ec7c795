//! Who is calling the API: a bearer token (a person's own, or an app's from the token
//! endpoint), counted against its calls per minute.
use std::collections::HashMap;
use std::sync::Mutex;

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use futures_util::future::LocalBoxFuture;
use time::OffsetDateTime;

use super::error::GraphError;
use crate::auth::extract::client_ip;
use crate::domain::principal::Principal;
use crate::ids::ApiTokenId;
use crate::services::api_tokens;
use crate::state::AppState;

/// Calls per token in the current minute (fixed windows by the clock), for this instance.
#[derive(Default)]
pub struct CallCounter {
    windows: Mutex<HashMap<ApiTokenId, (i64, u32)>>,
}

impl CallCounter {
    /// Counts a call at `now`: `Err(seconds)` to wait when the token is over `limit`.
    pub fn count(&self, token: ApiTokenId, now: OffsetDateTime, limit: u32) -> Result<(), i64> {
        let minute = now.unix_timestamp().div_euclid(60);
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 10_000 {
            windows.retain(|_, (m, _)| *m == minute);
        }
        let entry = windows.entry(token).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        if entry.1 >= limit {
            return Err((minute + 1) * 60 - now.unix_timestamp());
        }
        entry.1 += 1;
        Ok(())
    }
}

/// A caller with a valid token, within its rate.
pub struct Caller {
    pub principal: Principal,
    pub token: ApiTokenId,
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

impl FromRequest for Caller {
    type Error = GraphError;
    type Future = LocalBoxFuture<'static, Result<Self, GraphError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| GraphError::from(sea_orm::DbErr::Custom("no state".into())))?;
            let Some(presented) = bearer(&req).filter(|t| !t.is_empty()) else {
                return Err(GraphError::unauthorized(
                    "Access token is empty. Send Authorization: Bearer <token>.",
                ));
            };
            let found = api_tokens::authenticate(
                &state.db,
                state.clock.as_ref(),
                &presented,
                client_ip(&req),
            )
            .await?;
            let Some((token, principal)) = found else {
                return Err(GraphError::unauthorized(
                    "Access token validation failure: unknown, expired or revoked.",
                ));
            };
            state
                .api_calls
                .count(token, state.clock.now(), state.config.api_calls_per_minute)
                .map_err(GraphError::too_many)?;
            Ok(Caller { principal, token })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_token_over_its_rate_waits_for_the_next_minute() {
        let counter = CallCounter::default();
        let token = ApiTokenId::new();
        let now = datetime!(2026-11-24 09:00:40 UTC);
        assert_eq!(counter.count(token, now, 2), Ok(()));
        assert_eq!(counter.count(token, now, 2), Ok(()));
        assert_eq!(counter.count(token, now, 2), Err(20));
        assert_eq!(counter.count(ApiTokenId::new(), now, 2), Ok(()));
        assert_eq!(
            counter.count(token, datetime!(2026-11-24 09:01:00 UTC), 2),
            Ok(())
        );
    }
}
