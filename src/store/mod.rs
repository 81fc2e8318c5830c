//! Storage: the SQLite file, its connection pool and migrations, and one file per
//! aggregate. SQL lives in this module only; nothing here knows about HTTP.

pub mod api_clients;
pub mod auth_tokens;
mod db;
mod error;
pub mod maintenance;
pub mod migrations;
pub mod request_log;
pub mod staff_sessions;
pub mod staff_users;

pub use db::{Db, DB_FILE_NAME};
pub use error::StoreError;
