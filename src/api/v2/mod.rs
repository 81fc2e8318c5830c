//! API v2 (`/api/v2/*`): client-credentials tokens.

pub mod billing;
pub mod complaints;
pub mod customers;
pub mod packages;
pub mod webhooks;
