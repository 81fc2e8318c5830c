//! The `[radius]` section (the built-in RADIUS server, `crate::radius`).

use serde::{Deserialize, Serialize};

use super::radius_policy::{Rules, SuspendedGets};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RadiusConfig {
    /// Run the built-in RADIUS server (off unless set; the packaged
    /// configuration turns it on).
    pub enabled: bool,
    /// UDP address of the authentication listener.
    pub auth_listen: String,
    /// UDP address of the accounting listener.
    pub acct_listen: String,
    /// What a suspended or expired customer gets: `address-list` (let in,
    /// into `[routers] suspend_address_list` and `suspended_pool`, so that
    /// the router can send them to the payment page) or `reject`.
    pub suspended: String,
    /// The router's IP pool suspended customers get their address from in
    /// `address-list` mode; empty: their usual one.
    pub suspended_pool: String,
    /// Seconds between a session's interim accounting updates
    /// (`Acct-Interim-Interval`).
    pub interim_interval_secs: u32,
    /// Days ended sessions are kept.
    pub retention_days: u32,
    /// The address routers send RADIUS to, written into a router's `/radius`
    /// entry by a sync in RADIUS mode. Empty: the listener's address when it
    /// is bound to one, else this server's address on the route to the router.
    pub server_address: String,
}

impl Default for RadiusConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            auth_listen: "0.0.0.0:1812".into(),
            acct_listen: "0.0.0.0:1813".into(),
            suspended: "address-list".into(),
            suspended_pool: "ispbills-suspended".into(),
            interim_interval_secs: 300,
            retention_days: 180,
            server_address: String::new(),
        }
    }
}

impl RadiusConfig {
    pub fn check(&self) -> Result<(), String> {
        if !["address-list", "reject"].contains(&self.suspended.as_str()) {
            return Err("key `radius.suspended`: address-list or reject".into());
        }
        for (key, value, example) in [
            ("auth_listen", &self.auth_listen, "0.0.0.0:1812"),
            ("acct_listen", &self.acct_listen, "0.0.0.0:1813"),
        ] {
            if value.parse::<std::net::SocketAddr>().is_err() {
                return Err(format!(
                    "key `radius.{key}`: an address and port, like {example}"
                ));
            }
        }
        if !self.server_address.is_empty()
            && self.server_address.parse::<std::net::IpAddr>().is_err()
        {
            return Err("key `radius.server_address`: an IP address, or empty".into());
        }
        if self.retention_days == 0 {
            return Err("key `radius.retention_days`: must be at least 1".into());
        }
        if !(60..=86_400).contains(&self.interim_interval_secs) {
            return Err("key `radius.interim_interval_secs`: 60 to 86400".into());
        }
        Ok(())
    }

    /// The decision rules, with the address list suspended customers go to.
    pub fn rules(&self, suspend_address_list: &str) -> Rules {
        Rules {
            suspended: if self.suspended == "reject" {
                SuspendedGets::Reject
            } else {
                SuspendedGets::AddressList {
                    list: suspend_address_list.to_string(),
                    pool: Some(self.suspended_pool.clone()).filter(|p| !p.is_empty()),
                }
            },
            interim_interval_secs: self.interim_interval_secs,
        }
    }
}
