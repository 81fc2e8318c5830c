//! The appliance's routers: the hub that reaches them (one lock per router, so
//! a reconciliation never runs twice at once), the poller that keeps their
//! state, logins, pools, logs and usage, the syslog receiver, and the rules of
//! a router's fields.

pub mod config;
pub mod hub;
pub mod poller;
pub mod pools;
pub mod radius_config;
pub mod radius_policy;
pub mod rules;
pub mod syslog;
