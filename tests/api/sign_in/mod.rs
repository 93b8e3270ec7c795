//! Signing in and out: the page and where it leads, refusals, throttled guesses, sessions.
mod landing;
mod oidc;
mod refusals;
mod sessions;
mod throttling;
