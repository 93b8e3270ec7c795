//! Integration tests through HTTP: each test spawns Gatehouse on port 0 with a fresh
//! database (SQLite in a temp dir, or a fresh PostgreSQL database when
//! `TEST_DATABASE_URL` is set) and a clock the test controls.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod audit;
mod authorization;
mod builders;
mod catalogs;
mod cli;
mod connected;
mod constraints;
mod csrf;
mod graph;
mod groups;
mod headers;
mod helpers;
mod holes;
mod lifecycle;
mod mail;
mod matrix;
mod migrations;
mod packages;
mod paging;
mod roles;
mod scim;
mod setup;
mod sign_in;
mod tutorial;
mod users;
