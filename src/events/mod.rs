//! Webhooks: the signed request for an event, the outbound address policy, the
//! HTTP sender and the delivery worker that reads the outbox (`store::events`).

pub mod config;
pub mod schedule;
pub mod sender;
pub mod signing;
pub mod target;
pub mod worker;
