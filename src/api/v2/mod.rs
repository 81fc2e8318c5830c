//! API v2 (`/api/v2/*`): client-credentials tokens.

pub mod auth;
pub mod logs;
pub mod staff;
