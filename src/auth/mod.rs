//! Who is asking: passwords, sessions, CSRF tokens and the role extractors.
pub mod csrf;
pub mod extract;
pub mod password;
pub mod session;
