//! Who is asking: sessions, CSRF tokens and the role extractors.
pub mod csrf;
pub mod extract;
pub mod oidc;
pub mod session;
