//! Gatehouse: self-hosted entitlement management (access packages, approvals and
//! time-bound group membership) in one server.
pub mod api;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod connectors;
pub mod db;
pub mod domain;
pub mod entities;
pub mod ids;
pub mod secrets;
pub mod services;
pub mod startup;
pub mod state;
pub mod store;
pub mod web;
