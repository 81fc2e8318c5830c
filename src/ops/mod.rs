//! The service layer: what the appliance does, one module per resource.
//!
//! An operation takes a [`Ctx`] (the database, the clock, the configuration),
//! the [`Caller`] (who, with which scopes, seeing whose customers) and an input
//! already checked for form by its contract; it checks the rules that need the
//! database or the caller, runs one transaction that writes the rows and their
//! events, and returns domain rows or an [`Error`]. It never sees HTTP: the
//! adapters (`api/`, `admin/`, `cli/`) parse, call one operation and map its
//! result to their answer.

pub mod billing_run;
pub mod bills;
mod caller;
pub mod cards;
pub mod clients;
pub mod collections;
pub mod complaints;
pub mod customers;
pub mod dashboard;
pub mod denials;
pub mod devices;
mod error;
pub mod exports;
pub mod logs;
pub mod monitoring;
mod once;
pub mod online_payments;
pub mod operators;
pub mod packages;
pub mod payment_links;
pub mod payments;
pub mod portal;
pub mod radius;
pub mod reminders;
pub mod routers;
pub mod sms;
pub mod staff;
pub mod system;
pub mod two_factor;
pub mod vpn;
pub mod webhooks;
pub mod zabbix;

pub use caller::{Actor, Caller};
pub use error::{Error, OpResult};
pub use once::Once;

use std::sync::Arc;

use crate::{clock::Clock, config::Config, store::Db};

/// What an operation may use: cheap to clone (three reference counts).
#[derive(Clone)]
pub struct Ctx {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
}

impl Ctx {
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: Arc<Config>) -> Self {
        Self { db, clock, config }
    }

    /// The clock's time as stored (`YYYY-MM-DD HH:MM:SS`, UTC).
    pub fn now_text(&self) -> String {
        crate::clock::format_timestamp(self.clock.now())
    }

    /// The ISP's local date now.
    pub fn today(&self) -> time::Date {
        self.clock.now().to_offset(self.config.isp.offset()).date()
    }
}
