//! Background workers: each one a tokio task, registered here, stopping on one
//! shared shutdown signal after finishing what it holds.

pub mod auth_epoch;
pub mod auth_notify;
pub mod billing;
pub mod online_payments;
pub mod reminders;
pub mod request_log;
pub mod retention;
pub mod search_index;

// The worker set and its stop signal live low in the crate (`crate::shutdown`);
// named here too for the workers that import them from `jobs`.
pub use crate::shutdown::{stopped, StopSignal, Workers};
