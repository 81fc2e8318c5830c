//! SNMP: the project's own access trait over async-snmp (v2c and v3 authPriv,
//! GET, GETNEXT/GETBULK walks), data-driven vendor profiles, and decoding of
//! OLT ONU tables and radio metrics with them.

pub mod client;
pub mod decode;
pub mod profile;

use std::{future::Future, time::Duration};

/// A value as the appliance uses it.
#[derive(Debug, Clone, PartialEq)]
pub enum SnmpValue {
    Int(i64),
    Text(Vec<u8>),
    Oid(String),
    /// No such object / instance, end of view, NULL.
    Missing,
}

impl SnmpValue {
    /// The value as text (integers in decimal, octets as lossy UTF-8).
    pub fn text(&self) -> String {
        match self {
            SnmpValue::Int(n) => n.to_string(),
            SnmpValue::Text(b) => String::from_utf8_lossy(b)
                .trim_end_matches('\0')
                .to_string(),
            SnmpValue::Oid(o) => o.clone(),
            SnmpValue::Missing => String::new(),
        }
    }

    /// The number in the value: an integer, or the first number in a text.
    pub fn number(&self) -> Option<f64> {
        match self {
            SnmpValue::Int(n) => Some(*n as f64),
            SnmpValue::Text(_) => first_number(&self.text()),
            _ => None,
        }
    }
}

/// The first decimal number in `text` (`"-21.45(dBm)"` → -21.45).
pub fn first_number(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let start = bytes.iter().enumerate().position(|(i, b)| {
        b.is_ascii_digit() || (*b == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
    })?;
    let end = bytes[start + 1..]
        .iter()
        .position(|b| !(b.is_ascii_digit() || *b == b'.'))
        .map_or(bytes.len(), |p| start + 1 + p);
    text[start..end].parse().ok()
}

/// How to authenticate.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    V2c {
        community: String,
    },
    V3 {
        user: String,
        /// `md5`, `sha`, `sha256`, `sha512`.
        auth_protocol: String,
        auth_password: String,
        /// `des`, `aes`, `aes256`.
        priv_protocol: String,
        priv_password: String,
    },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::V2c { .. } => f.write_str("V2c(..)"),
            Credentials::V3 { user, .. } => write!(f, "V3({user}, ..)"),
        }
    }
}

/// Where a device is.
#[derive(Debug, Clone)]
pub struct SnmpTarget {
    pub host: String,
    pub port: u16,
    pub credentials: Credentials,
    /// Per request.
    pub timeout: Duration,
    pub retries: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnmpError {
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("authentication failed: {0}")]
    Auth(String),
    #[error("{0}")]
    Other(String),
}

/// What the appliance asks of an SNMP agent.
pub trait SnmpSource: Send + Sync {
    /// One GET of several OIDs (numeric, no leading dot); missing → `Missing`.
    fn get(
        &self,
        oids: &[String],
    ) -> impl Future<Output = Result<Vec<SnmpValue>, SnmpError>> + Send;
    /// Every row under `root`: (index suffix after root, value). `bulk` uses
    /// GETBULK, otherwise GETNEXT.
    fn walk(
        &self,
        root: &str,
        bulk: bool,
    ) -> impl Future<Output = Result<Vec<(Vec<u32>, SnmpValue)>, SnmpError>> + Send;
}

pub const SYS_DESCR: &str = "1.3.6.1.2.1.1.1.0";
pub const SYS_OBJECT_ID: &str = "1.3.6.1.2.1.1.2.0";
pub const SYS_UPTIME: &str = "1.3.6.1.2.1.1.3.0";
pub const SYS_NAME: &str = "1.3.6.1.2.1.1.5.0";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_text() {
        assert_eq!(first_number("-21.45(dBm)"), Some(-21.45));
        assert_eq!(first_number("rx: -8.1 dBm"), Some(-8.1));
        assert_eq!(first_number("1200"), Some(1200.0));
        assert_eq!(first_number("N/A"), None);
        assert_eq!(first_number("-"), None);
        assert_eq!(SnmpValue::Text(b"-25.00\0".to_vec()).number(), Some(-25.0));
    }
}
