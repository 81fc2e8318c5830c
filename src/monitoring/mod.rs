//! SNMP polling of OLTs, ONUs, radios and other devices, infrastructure status
//! checks, and the device access log.

pub mod checks;
pub mod config;
pub mod poller;
pub mod zabbix;
pub mod zabbix_map;

use crate::store::{monitoring::Access, Db};

/// Writes an access-log entry (errors are logged, never returned: the log
/// must not make the action it records fail).
pub fn log_access(db: &Db, access: Access, now: &str) {
    if let Err(e) = db.write(|tx| crate::store::monitoring::log_access(tx, &access, now)) {
        tracing::error!(error = %e, "device access log: write failed");
    }
}
