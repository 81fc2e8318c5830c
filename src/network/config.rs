//! The `[routers]` section.

use serde::{Deserialize, Serialize};

use crate::drivers::routeros::reconcile::SuspendMode;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RoutersConfig {
    /// Seconds between polls of a reachable router (a router that is down is
    /// polled less often, up to 5 minutes apart).
    pub poll_interval_secs: u64,
    /// Seconds to wait for a router to connect or answer.
    pub timeout_secs: u64,
    /// Seconds between full reconciliations of a router's logins (changes are
    /// pushed at once anyway).
    pub sync_interval_secs: u64,
    /// Seconds between usage samples of online customers.
    pub usage_interval_secs: u64,
    /// What suspension does: `disable`, `profile` or `address-list`.
    pub suspend_mode: String,
    /// The profile suspended customers are switched to (`profile` mode).
    pub suspend_profile: String,
    /// The firewall address-list suspended sessions are added to (`address-list` mode).
    pub suspend_address_list: String,
    /// Days router logs and usage samples are kept.
    pub retention_days: u32,
    /// UDP address of the built-in syslog receiver (e.g. "0.0.0.0:5514"); empty = off.
    pub syslog_listen: String,
}

impl Default for RoutersConfig {
    fn default() -> Self {
        Self {
            poll_interval_secs: 30,
            timeout_secs: 5,
            sync_interval_secs: 300,
            usage_interval_secs: 300,
            suspend_mode: "disable".into(),
            suspend_profile: "suspended".into(),
            suspend_address_list: "ispbills-suspended".into(),
            retention_days: 30,
            syslog_listen: String::new(),
        }
    }
}

impl RoutersConfig {
    /// The suspension mode (checked when the configuration is loaded).
    pub fn suspend(&self) -> SuspendMode {
        match self.suspend_mode.as_str() {
            "profile" => SuspendMode::Profile(self.suspend_profile.clone()),
            "address-list" => SuspendMode::AddressList(self.suspend_address_list.clone()),
            _ => SuspendMode::Disable,
        }
    }

    pub fn check(&self) -> Result<(), String> {
        if !["disable", "profile", "address-list"].contains(&self.suspend_mode.as_str()) {
            return Err("key `routers.suspend_mode`: disable, profile or address-list".into());
        }
        for (key, v) in [
            ("poll_interval_secs", self.poll_interval_secs),
            ("timeout_secs", self.timeout_secs),
            ("sync_interval_secs", self.sync_interval_secs),
            ("usage_interval_secs", self.usage_interval_secs),
        ] {
            if v == 0 {
                return Err(format!("key `routers.{key}`: must be at least 1"));
            }
        }
        if !self.syslog_listen.is_empty()
            && self.syslog_listen.parse::<std::net::SocketAddr>().is_err()
        {
            return Err(format!(
                "key `routers.syslog_listen`: `{}` is not an address such as 0.0.0.0:5514",
                self.syslog_listen
            ));
        }
        Ok(())
    }
}
