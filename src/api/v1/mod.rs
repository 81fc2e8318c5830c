//! API v1 (`/api/auth/*`, `/api/v1/*`): bearer tokens from staff login or a v1
//! API client.

pub mod billing;
pub mod customers;
pub mod dashboard;
