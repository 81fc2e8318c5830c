//! MikroTik RouterOS: the API wire codec and client (8728/8729), the v7 REST
//! transport, both behind [`RouterApi`]; and what the appliance does with a
//! router (read its state, reconcile PPP secrets and hotspot users). No
//! permissively licensed RouterOS crate exists, so the codec is ours.

pub mod client;
pub mod codec;
pub mod radius_setup;
pub mod reconcile;
pub mod reply;
pub mod rest;
pub mod tls;

use std::time::Duration;

pub use reply::Row;

/// Where a router is and how to log in.
#[derive(Clone)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password: String,
    /// API over TLS (8729) or REST over HTTPS.
    pub tls: bool,
    /// Check the router's certificate against public roots and its name.
    pub tls_verify: bool,
    pub rest: bool,
    /// Connect and per-read timeout.
    pub timeout: Duration,
    /// Which addresses may be dialled.
    pub policy: crate::net_policy::Policy,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("tls", &self.tls)
            .field("rest", &self.rest)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouterError {
    #[error("cannot connect: {0}")]
    Connect(String),
    /// Every address of the host is refused by the address policy.
    #[error("{0}")]
    Refused(String),
    #[error("no answer from the router within {0:?}")]
    Timeout(Duration),
    #[error("login refused: {0}")]
    Login(String),
    #[error("the router refused: {message}")]
    Trap {
        message: String,
        category: Option<u8>,
    },
    #[error("the router ended the session: {0}")]
    Fatal(String),
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error("{0}")]
    Io(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("HTTP {status}: {message}")]
    Rest { status: u16, message: String },
}

/// What the appliance asks of a router, over either transport. Queries are
/// equalities (`name=value`), which both transports express.
pub trait RouterApi: Send {
    fn print(
        &mut self,
        path: &str,
        proplist: &[&str],
        query: &[(&str, &str)],
    ) -> Result<Vec<Row>, RouterError>;
    /// Adds an item; returns its `.id`.
    fn add(&mut self, path: &str, attrs: &[(&str, &str)]) -> Result<String, RouterError>;
    fn set(&mut self, path: &str, id: &str, attrs: &[(&str, &str)]) -> Result<(), RouterError>;
    /// Sets a menu that has no items, only settings (`/ppp/aaa`,
    /// `/radius/incoming`).
    fn set_settings(&mut self, path: &str, attrs: &[(&str, &str)]) -> Result<(), RouterError>;
    fn remove(&mut self, path: &str, id: &str) -> Result<(), RouterError>;
}

/// A client for `target` over its transport.
pub fn connect(target: Target) -> Box<dyn RouterApi> {
    if target.rest {
        Box::new(rest::RestClient::new(&target))
    } else {
        Box::new(client::ApiClient::new(target))
    }
}
