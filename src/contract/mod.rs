//! What travels over HTTP and is shared by the API and the panel: request
//! bodies and their reader (per-field messages, the free-text rule, strict
//! JSON), money amounts, pagination, list filters and the fast JSON writer.

pub mod auth;
pub mod body;
pub mod clients;
pub mod field;
pub mod filters;
pub mod json_out;
pub mod logs;
pub mod money;
pub mod operators;
pub mod pagination;
pub mod registry;
pub mod schema;
pub mod session;
pub mod setup;
pub mod staff;
pub mod strict_json;
pub mod text;
