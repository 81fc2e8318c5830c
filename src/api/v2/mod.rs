//! API v2 (`/api/v2/*`): client-credentials tokens.

pub mod auth;
pub mod billing;
pub mod customers;
pub mod logs;
pub mod packages;
pub mod staff;
