//! What travels over HTTP and is shared by the API and the panel: request
//! bodies and their reader (per-field messages, the free-text rule, strict
//! JSON), the answer shapes and their shared wrappers (`answer`), money
//! amounts, pagination, list filters and the fast JSON writer.

pub mod answer;
pub mod auth;
pub mod billing_run;
pub mod bills;
pub mod body;
pub mod cards;
pub mod clients;
pub mod common;
pub mod complaints;
pub mod customers;
pub mod dashboard;
pub mod devices;
pub mod field;
pub mod filters;
pub mod json_out;
pub mod logs;
pub mod money;
pub mod monitoring;
pub mod operators;
pub mod packages;
pub mod pagination;
pub mod payments;
pub mod portal;
pub mod radius;
pub mod refunds;
pub mod registry;
pub mod routers;
pub mod schema;
pub mod session;
pub mod setup;
pub mod sms;
pub mod staff;
pub mod strict_json;
pub mod text;
pub mod vpn;
pub mod webhooks;
pub mod zabbix;
