//! The `[monitoring]` section.

use serde::{Deserialize, Serialize};

/// One infrastructure check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    pub name: String,
    /// `tcp` (host:port), `http` (a URL; 2xx/3xx is up) or `icmp` (a host;
    /// checked by TCP to port 80 when the appliance may not send ICMP).
    pub kind: String,
    pub target: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MonitoringConfig {
    /// Seconds between SNMP poll rounds.
    pub poll_interval_secs: u64,
    /// Milliseconds to wait for each SNMP answer.
    pub snmp_timeout_ms: u64,
    /// SNMP retries after a timeout.
    pub snmp_retries: u32,
    /// Devices polled at once.
    pub concurrency: usize,
    /// ONUs below this rx power (dBm) count as low.
    pub low_rx_dbm: f64,
    /// Days rx power / signal history and the access log are kept.
    pub retention_days: u32,
    /// Seconds between status check rounds.
    pub check_interval_secs: u64,
    /// Milliseconds a status check may take.
    pub check_timeout_ms: u64,
    pub checks: Vec<CheckConfig>,
}

impl Default for MonitoringConfig {
    fn default() -> Self {
        Self {
            poll_interval_secs: 60,
            snmp_timeout_ms: 2000,
            snmp_retries: 1,
            concurrency: 32,
            low_rx_dbm: -27.0,
            retention_days: 30,
            check_interval_secs: 30,
            check_timeout_ms: 3000,
            checks: Vec::new(),
        }
    }
}

impl MonitoringConfig {
    pub fn check(&self) -> Result<(), String> {
        for (key, v) in [
            ("poll_interval_secs", self.poll_interval_secs),
            ("snmp_timeout_ms", self.snmp_timeout_ms),
            ("concurrency", self.concurrency as u64),
            ("check_interval_secs", self.check_interval_secs),
            ("check_timeout_ms", self.check_timeout_ms),
        ] {
            if v == 0 {
                return Err(format!("key `monitoring.{key}`: must be at least 1"));
            }
        }
        let mut names = std::collections::BTreeSet::new();
        for c in &self.checks {
            if !["tcp", "http", "icmp"].contains(&c.kind.as_str()) {
                return Err(format!(
                    "key `monitoring.checks`: `{}` has kind `{}` (tcp, http or icmp)",
                    c.name, c.kind
                ));
            }
            if c.name.trim().is_empty() || !names.insert(c.name.clone()) {
                return Err("key `monitoring.checks`: every check needs its own name".into());
            }
        }
        Ok(())
    }
}
