//! ispbills: billing, customer and network management for small ISPs, in one binary.
//!
//! The binary (`src/main.rs`) only calls [`cli::run`]; everything else lives here so
//! that integration tests can start the real server in-process.

pub mod admin;
pub mod api;
pub mod app;
pub mod auth;
pub mod cards;
pub mod cli;
pub mod clock;
pub mod cluster;
pub mod config;
pub mod contract;
pub mod demo;
pub mod domain;
pub mod drivers;
pub mod error;
pub mod events;
pub mod http;
pub mod http_security;
pub mod jobs;
pub mod logging;
pub mod metrics;
pub mod monitoring;
pub mod net_policy;
pub mod network;
pub mod ops;
pub mod outbound;
pub mod portal_pages;
pub mod radius;
pub mod server;
pub mod shutdown;
pub mod sms;
pub mod state;
pub mod store;
pub mod vpn;
pub mod web;

/// The version printed by `--version`, `/health` and the OpenAPI document.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
