//! The tutorial "Create your first access package", steps 1 to 7, in real headless Chromium
//! against the real `gatehouse` binary, finding fields, links and buttons by the words on
//! them. Needs Chromium, chromedriver and axe-core (`.ci/run` installs them), so it is
//! ignored by a plain `cargo test`; run it with
//! `cargo test --test browser -- --ignored`.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod harness;
#[path = "../api/connected/slapd.rs"]
#[allow(dead_code)]
mod slapd;
mod sso;
mod tutorial;
