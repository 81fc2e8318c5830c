//! The rules of a router's fields: the port that follows the transport and
//! TLS, and a patch applied over what the router is. Pure: no database, no
//! sealing.

use crate::store::routers::{RouterFields, RouterRow};

/// The fields a caller sent, already checked for form; `None` = not sent.
#[derive(Debug, Default)]
pub struct RouterPatch {
    pub name: Option<String>,
    pub host: Option<String>,
    pub port: Option<i64>,
    pub username: Option<String>,
    /// In the clear; the caller seals it (and takes it out before `apply`).
    pub password: Option<String>,
    pub transport: Option<String>,
    pub use_tls: Option<bool>,
    pub tls_verify: Option<bool>,
    /// In the clear; the caller seals it. `Some(None)`: remove it.
    pub radius_secret: Option<Option<String>>,
    /// `Some(None)`: the NAS sends from `host`.
    pub nas_ip: Option<Option<String>>,
    pub radius_require_message_authenticator: Option<bool>,
    pub coa_port: Option<i64>,
    /// `secrets` or `radius`.
    pub auth_mode: Option<String>,
    /// `Some(None)`: no router pool.
    pub address_pool: Option<Option<String>>,
}

/// The port a router listens on for a transport: API 8728 (8729 over TLS),
/// REST 80 (443 over HTTPS).
pub fn default_port(transport: &str, tls: bool) -> i64 {
    match (transport, tls) {
        ("rest", true) => 443,
        ("rest", false) => 80,
        (_, true) => 8729,
        (_, false) => 8728,
    }
}

impl RouterPatch {
    /// The fields to store: what was sent over what the router is (or the
    /// defaults of a new one). A port left alone follows a change of
    /// transport or TLS unless it was set by hand.
    pub fn apply(self, base: Option<RouterRow>) -> RouterFields {
        let transport = self
            .transport
            .or_else(|| base.as_ref().map(|b| b.transport.clone()))
            .unwrap_or_else(|| "api".into());
        let use_tls = self
            .use_tls
            .or(base.as_ref().map(|b| b.use_tls))
            .unwrap_or(false);
        let port = self.port.unwrap_or_else(|| match &base {
            Some(b) if b.port != default_port(&b.transport, b.use_tls) => b.port,
            _ => default_port(&transport, use_tls),
        });
        RouterFields {
            name: self
                .name
                .or_else(|| base.as_ref().map(|b| b.name.clone()))
                .unwrap_or_default(),
            host: self
                .host
                .or_else(|| base.as_ref().map(|b| b.host.clone()))
                .unwrap_or_default(),
            port,
            username: self
                .username
                .or_else(|| base.as_ref().map(|b| b.username.clone()))
                .unwrap_or_default(),
            tls_verify: self
                .tls_verify
                .or(base.as_ref().map(|b| b.tls_verify))
                .unwrap_or(false),
            transport,
            use_tls,
            nas_ip: match self.nas_ip {
                Some(v) => v,
                None => base.as_ref().and_then(|b| b.nas_ip.clone()),
            },
            radius_require_message_authenticator: self
                .radius_require_message_authenticator
                .or(base
                    .as_ref()
                    .map(|b| b.radius_require_message_authenticator))
                .unwrap_or(true),
            coa_port: self
                .coa_port
                .or(base.as_ref().map(|b| b.coa_port))
                .unwrap_or(3799),
            auth_mode: self
                .auth_mode
                .or_else(|| base.as_ref().map(|b| b.auth_mode.clone()))
                .unwrap_or_else(|| "secrets".into()),
            address_pool: match self.address_pool {
                Some(v) => v,
                None => base.as_ref().and_then(|b| b.address_pool.clone()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_follows_transport_and_tls() {
        let fields = RouterPatch {
            transport: Some("rest".into()),
            use_tls: Some(true),
            ..RouterPatch::default()
        }
        .apply(None);
        assert_eq!((fields.transport.as_str(), fields.port), ("rest", 443));
        assert_eq!(RouterPatch::default().apply(None).port, 8728);
        assert_eq!(default_port("api", true), 8729);
        assert_eq!(default_port("rest", false), 80);
    }
}
