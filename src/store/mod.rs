//! Storage: the database (the embedded SQLite file, or PostgreSQL), its
//! connection pool and migrations, and one file per aggregate. SQL lives in this module only; nothing here knows about HTTP.

pub mod api_clients;
pub mod audit;
pub mod audit_rows;
pub mod audited;
pub mod auth_tokens;
pub mod backups;
pub mod billing_preview;
pub mod billing_run;
pub mod bills;
mod checkpointer;
pub mod complaints;
pub mod copy;
pub mod customers;
mod db;
mod error;
pub mod events;
pub mod idempotency;
pub mod inventory;
pub mod invoices;
pub mod leases;
pub mod maintenance;
pub mod migrations;
pub mod monitoring;
pub mod names;
pub mod online_payments;
pub mod onus;
pub mod operators;
pub mod packages;
pub mod payments;
pub mod pg_schema;
pub mod portal;
pub mod prepaid;
pub(crate) mod private;
pub mod radius;
pub mod radius_coa;
pub mod radius_sessions;
pub mod recharge_cards;
pub mod refunds;
pub mod reminders;
pub mod request_log;
pub mod router_data;
pub mod routers;
mod rows;
pub mod sms;
pub mod snmp_devices;
pub mod sql;
pub mod staff_sessions;
pub mod staff_two_factor;
pub mod staff_users;
pub mod subscriptions;
pub mod test_database;
#[cfg(test)]
mod vm_steps;
pub mod vpn_accounts;
pub mod webhook_deliveries;
pub mod webhooks;
mod writer;

pub use db::{Db, DB_FILE_NAME};
pub(crate) use error::Problems;
pub use error::StoreError;
pub use writer::{WriterStats, BUSY};

/// A write transaction as the store's functions take it. Code above the store
/// names it only through this alias, never the engine's own type.
pub type Tx<'a> = sql::Transaction<'a>;
