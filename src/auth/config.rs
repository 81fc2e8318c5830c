//! The `[api]` section. It lives with auth, below the API and the service
//! layer, because the limits are applied to an authenticated caller
//! (`rate_limit`) and the whole configuration (`crate::config::Config`) sits
//! below the operations that read it.

use serde::{Deserialize, Serialize};

use crate::domain::staff::Role;

/// The `[api]` section: the public API's per-caller request limits
/// ([`super::rate_limit::RateLimits`]) and how long its request log is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiConfig {
    /// Days the API request log is kept.
    pub request_log_retention_days: u32,
    /// Rows the API request log keeps at most; the oldest are dropped first.
    /// A row is one request of a known caller, or a count of one address's
    /// rejected requests in a minute.
    pub request_log_max_rows: u64,
    /// Requests per minute per caller, by API version and client tier.
    pub v1_standard_per_minute: u32,
    pub v1_high_volume_per_minute: u32,
    pub v2_standard_per_minute: u32,
    pub v2_high_volume_per_minute: u32,
    /// Requests per minute per customer on the customer API (`/api/v2/me`).
    pub customer_per_minute: u32,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            request_log_retention_days: 30,
            request_log_max_rows: 1_000_000,
            v1_standard_per_minute: 60,
            v1_high_volume_per_minute: 120,
            v2_standard_per_minute: 120,
            v2_high_volume_per_minute: 300,
            customer_per_minute: 60,
        }
    }
}

impl ApiConfig {
    /// Every limit is at least 1 per minute.
    pub fn check(&self) -> Result<(), String> {
        if self.request_log_max_rows == 0 {
            return Err("key `api.request_log_max_rows`: must be at least 1".into());
        }
        for (key, value) in [
            ("v1_standard_per_minute", self.v1_standard_per_minute),
            ("v1_high_volume_per_minute", self.v1_high_volume_per_minute),
            ("v2_standard_per_minute", self.v2_standard_per_minute),
            ("v2_high_volume_per_minute", self.v2_high_volume_per_minute),
            ("customer_per_minute", self.customer_per_minute),
        ] {
            if value == 0 {
                return Err(format!("key `api.{key}`: must be at least 1"));
            }
        }
        Ok(())
    }
}

/// The `[security]` section: which staff roles must log in with a second
/// factor (TOTP). A user of such a role who has not enrolled is sent to
/// enrol at their next panel login and can do nothing else until then.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    /// Role names: `admin`, `operator_staff`, `support`.
    pub require_2fa_for: Vec<String>,
}

impl SecurityConfig {
    /// Every name is a role.
    pub fn check(&self) -> Result<(), String> {
        for name in &self.require_2fa_for {
            name.parse::<Role>().map_err(|_| {
                format!(
                    "key `security.require_2fa_for`: `{name}` is not a role (admin, operator_staff, support)"
                )
            })?;
        }
        Ok(())
    }

    /// The roles that must use a second factor.
    pub fn roles(&self) -> Vec<Role> {
        self.require_2fa_for
            .iter()
            .filter_map(|n| n.parse().ok())
            .collect()
    }
}
