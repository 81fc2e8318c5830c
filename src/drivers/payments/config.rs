//! The `[payments]` section: online payments' currency and timing, and each
//! gateway's merchant credentials. Secrets may be given in the file or, better,
//! as the path of a file holding them (`*_file`, readable by the service
//! only); they are never printed in logs (`Debug` shows them masked).

use std::{fmt, path::PathBuf};

use serde::{Deserialize, Serialize};

/// A secret value: shown as `***` by `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "***" })
    }
}

/// A secret from the file or from the file it names (trailing newline cut).
fn resolve(inline: &Secret, file: &Option<PathBuf>, key: &str) -> Result<String, String> {
    match file {
        Some(path) => std::fs::read_to_string(path)
            .map(|s| s.trim_end_matches(['\r', '\n']).to_string())
            .map_err(|e| format!("key `{key}_file`: cannot read {}: {e}", path.display())),
        None => Ok(inline.0.clone()),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaymentsConfig {
    /// The currency online payments are made in.
    pub currency: String,
    /// Minutes a started payment waits for the customer before it expires.
    pub pending_minutes: u32,
    /// Seconds after which a pending payment whose callback has not come is
    /// looked up at the gateway.
    pub status_check_secs: u64,
    /// Days a payment link (in a reminder SMS, or made by staff) can be used.
    pub link_days: u32,
    pub bkash: BkashConfig,
    pub sslcommerz: SslCommerzConfig,
    pub manual: ManualConfig,
}

impl Default for PaymentsConfig {
    fn default() -> Self {
        Self {
            currency: "BDT".into(),
            pending_minutes: 30,
            status_check_secs: 120,
            link_days: 30,
            bkash: BkashConfig::default(),
            sslcommerz: SslCommerzConfig::default(),
            manual: ManualConfig::default(),
        }
    }
}

/// bKash Tokenized Checkout: the merchant's app key and secret and the
/// API user's name and password, as bKash hands them out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BkashConfig {
    pub enabled: bool,
    /// `https://tokenized.sandbox.bka.sh/v1.2.0-beta` (sandbox) or
    /// `https://tokenized.pay.bka.sh/v1.2.0-beta` (production).
    pub base_url: String,
    pub app_key: String,
    pub app_secret: Secret,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_secret_file: Option<PathBuf>,
    pub username: String,
    pub password: Secret,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_file: Option<PathBuf>,
    /// Seconds one call to bKash may take.
    pub timeout_secs: u64,
}

impl Default for BkashConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            base_url: "https://tokenized.sandbox.bka.sh/v1.2.0-beta".into(),
            app_key: String::new(),
            app_secret: Secret::default(),
            app_secret_file: None,
            username: String::new(),
            password: Secret::default(),
            password_file: None,
            timeout_secs: 30,
        }
    }
}

/// SSLCommerz (API v4): the store id and store password SSLCommerz hands
/// out, and what its payment page asks of every customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SslCommerzConfig {
    pub enabled: bool,
    /// `https://sandbox.sslcommerz.com` (sandbox) or
    /// `https://securepay.sslcommerz.com` (production).
    pub base_url: String,
    pub store_id: String,
    pub store_passwd: Secret,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_passwd_file: Option<PathBuf>,
    /// SSLCommerz requires a city and country for every customer; ours
    /// are rarely on file, so the ISP's own are sent.
    pub city: String,
    pub country: String,
    /// Seconds one call to SSLCommerz may take.
    pub timeout_secs: u64,
}

impl Default for SslCommerzConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            base_url: "https://sandbox.sslcommerz.com".into(),
            store_id: String::new(),
            store_passwd: Secret::default(),
            store_passwd_file: None,
            city: "Dhaka".into(),
            country: "Bangladesh".into(),
            timeout_secs: 30,
        }
    }
}

impl SslCommerzConfig {
    /// The store password, read from its file if it names one.
    pub fn password(&self) -> Result<String, String> {
        resolve(
            &self.store_passwd,
            &self.store_passwd_file,
            "payments.sslcommerz.store_passwd",
        )
    }
}

/// Manual send-money: the ISP's own personal or agent numbers customers
/// send money to (empty: not offered for that service). Claims wait for
/// staff to compare them with the wallet's statement.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ManualConfig {
    pub bkash_number: String,
    pub nagad_number: String,
    pub rocket_number: String,
}

impl ManualConfig {
    /// The services offered, with the number to send to.
    pub fn numbers(&self) -> Vec<(&'static str, &str)> {
        [
            ("bkash", self.bkash_number.as_str()),
            ("nagad", self.nagad_number.as_str()),
            ("rocket", self.rocket_number.as_str()),
        ]
        .into_iter()
        .filter(|(_, n)| !n.trim().is_empty())
        .collect()
    }
}

/// bKash's credentials, read.
#[derive(Clone, PartialEq, Eq)]
pub struct BkashCredentials {
    pub app_key: String,
    pub app_secret: String,
    pub username: String,
    pub password: String,
}

impl fmt::Debug for BkashCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BkashCredentials")
            .field("app_key", &self.app_key)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl BkashConfig {
    /// The credentials, secrets read from their files.
    pub fn credentials(&self) -> Result<BkashCredentials, String> {
        Ok(BkashCredentials {
            app_key: self.app_key.clone(),
            app_secret: resolve(
                &self.app_secret,
                &self.app_secret_file,
                "payments.bkash.app_secret",
            )?,
            username: self.username.clone(),
            password: resolve(
                &self.password,
                &self.password_file,
                "payments.bkash.password",
            )?,
        })
    }
}

impl PaymentsConfig {
    /// Checks the values serde cannot (called when the config is loaded).
    pub fn check(&self) -> Result<(), String> {
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err("key `payments.currency`: a three-letter code such as BDT".into());
        }
        if !(1..=10_080).contains(&self.pending_minutes) {
            return Err("key `payments.pending_minutes`: 1 to 10080 (a week)".into());
        }
        if !(1..=86_400).contains(&self.status_check_secs) {
            return Err("key `payments.status_check_secs`: 1 to 86400 (a day)".into());
        }
        let b = &self.bkash;
        if b.enabled {
            if !(b.base_url.starts_with("https://") || b.base_url.starts_with("http://")) {
                return Err("key `payments.bkash.base_url`: an https:// URL".into());
            }
            let c = b.credentials()?;
            for (key, value) in [
                ("app_key", &c.app_key),
                ("app_secret", &c.app_secret),
                ("username", &c.username),
                ("password", &c.password),
            ] {
                if value.is_empty() {
                    return Err(format!(
                        "key `payments.bkash.{key}`: needed when payments.bkash.enabled is true"
                    ));
                }
            }
        }
        if !(1..=365).contains(&self.link_days) {
            return Err("key `payments.link_days`: 1 to 365".into());
        }
        for (method, number) in self.manual.numbers() {
            if crate::domain::customer::normalise_phone(number).is_none() {
                return Err(format!(
                    "key `payments.manual.{method}_number`: a mobile number such as 01712345678"
                ));
            }
        }
        let s = &self.sslcommerz;
        if s.enabled {
            if !(s.base_url.starts_with("https://") || s.base_url.starts_with("http://")) {
                return Err("key `payments.sslcommerz.base_url`: an https:// URL".into());
            }
            if s.store_id.is_empty() || s.password()?.is_empty() {
                return Err("keys `payments.sslcommerz.store_id` and `store_passwd`: \
                     needed when payments.sslcommerz.enabled is true"
                    .into());
            }
        }
        Ok(())
    }
}
