//! The `[webhooks]` section: retries, timeouts, concurrency, retention and the
//! addresses endpoints may have.

use serde::{Deserialize, Serialize};

use crate::net_policy::{Policy, WebhookAllow};

/// The `[webhooks]` section: webhook delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhooksConfig {
    /// Seconds to wait before each attempt: the first entry before the first
    /// attempt, each next one after a failed attempt. Its length is the number
    /// of attempts. A list, or comma-separated text (`ISPBILLS_WEBHOOK_RETRY_SCHEDULE=1,1,1`).
    #[serde(deserialize_with = "seconds_list")]
    pub retry_schedule: Vec<u64>,
    /// Seconds a delivery may take (connect, send, answer) before it fails.
    pub timeout_secs: u64,
    /// Deliveries in flight at once to one endpoint.
    pub concurrency_per_endpoint: usize,
    /// An endpoint whose every delivery failed for this many days is switched off.
    pub disable_after_days: u32,
    /// Days finished deliveries and their attempts are kept.
    pub delivery_retention_days: u32,
    /// Allow loopback, link-local and own-address targets (127.0.0.0/8, ::1,
    /// 169.254.0.0/16, fe80::/10, this machine's interfaces, 64:ff9b:1::/48).
    pub allow_loopback: bool,
    /// Allow private LAN targets (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10).
    pub allow_private: bool,
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        Self {
            retry_schedule: vec![0, 60, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400],
            timeout_secs: 10,
            concurrency_per_endpoint: 4,
            disable_after_days: 5,
            delivery_retention_days: 30,
            allow_loopback: false,
            allow_private: true,
        }
    }
}

impl WebhooksConfig {
    /// Between 1 and 50 delays; every count at least 1.
    pub fn check(&self) -> Result<(), String> {
        if self.retry_schedule.is_empty() || self.retry_schedule.len() > 50 {
            return Err("key `webhooks.retry_schedule`: give between 1 and 50 delays".into());
        }
        for (key, value) in [
            ("timeout_secs", self.timeout_secs),
            (
                "concurrency_per_endpoint",
                self.concurrency_per_endpoint as u64,
            ),
            ("disable_after_days", u64::from(self.disable_after_days)),
            (
                "delivery_retention_days",
                u64::from(self.delivery_retention_days),
            ),
        ] {
            if value == 0 {
                return Err(format!("key `webhooks.{key}`: must be at least 1"));
            }
        }
        Ok(())
    }

    /// The address policy of webhook endpoints.
    pub fn policy(&self) -> Policy {
        Policy::webhooks(self)
    }
}

impl From<&WebhooksConfig> for WebhookAllow {
    fn from(c: &WebhooksConfig) -> Self {
        Self {
            loopback: c.allow_loopback,
            private: c.allow_private,
        }
    }
}

/// A list of seconds, as a list or as comma-separated text.
fn seconds_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Form {
        List(Vec<u64>),
        One(u64),
        Text(String),
    }
    match Form::deserialize(d)? {
        Form::List(v) => Ok(v),
        Form::One(n) => Ok(vec![n]),
        Form::Text(t) => t
            .split(',')
            .map(|p| p.trim().parse::<u64>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| {
                serde::de::Error::custom(format!(
                    "`{t}` is not a comma-separated list of seconds such as 0,60,300"
                ))
            }),
    }
}
