//! The `[vpn]` section: the server side of the tunnels whose client configs the
//! appliance renders. Empty values mean "not configured"; a download that needs
//! one is refused with the key to set.

use serde::{Deserialize, Serialize};

use super::{is_cidr, is_wg_key};
use crate::net_policy::valid_host;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VpnConfig {
    pub wireguard: WireGuardConfig,
    pub openvpn: OpenVpnConfig,
    pub l2tp: L2tpConfig,
}

/// The WireGuard server (the peer of every client config).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WireGuardConfig {
    /// `host:port` clients connect to (`vpn.example.net:51820`).
    pub endpoint: String,
    /// The server's public key (base64, `wg pubkey`).
    pub server_public_key: String,
    /// DNS servers pushed to clients; empty: none.
    pub dns: Vec<String>,
    /// What clients route into the tunnel.
    pub allowed_ips: Vec<String>,
    /// Seconds between keepalives (0: off).
    pub persistent_keepalive: u32,
    /// Interface MTU on the client (0: the client's default).
    pub mtu: u32,
}

impl Default for WireGuardConfig {
    fn default() -> Self {
        Self {
            endpoint: String::new(),
            server_public_key: String::new(),
            dns: Vec::new(),
            allowed_ips: vec!["0.0.0.0/0".into(), "::/0".into()],
            persistent_keepalive: 25,
            mtu: 0,
        }
    }
}

/// The OpenVPN server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpenVpnConfig {
    /// Host name or address clients connect to.
    pub remote: String,
    pub port: u16,
    /// `udp` or `tcp` (or the 4/6 variants).
    pub proto: String,
    /// The CA certificate: PEM text, or the path of a PEM file.
    pub ca: String,
    /// Data channel cipher; empty: no `cipher` line.
    pub cipher: String,
    /// More lines written into every profile as they are.
    pub extra: Vec<String>,
}

impl Default for OpenVpnConfig {
    fn default() -> Self {
        Self {
            remote: String::new(),
            port: 1194,
            proto: "udp".into(),
            ca: String::new(),
            cipher: "AES-256-GCM".into(),
            extra: Vec::new(),
        }
    }
}

/// The L2TP/IPsec server.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct L2tpConfig {
    /// Host name or address clients connect to.
    pub server: String,
    /// The IPsec pre-shared key (a secret: keep the config file mode 0640).
    pub psk: String,
}

pub const OPENVPN_PROTOS: [&str; 6] = ["udp", "tcp", "udp4", "udp6", "tcp4", "tcp6"];

/// True for `host:port` / `[v6]:port` with a port from 1 to 65535.
pub fn valid_endpoint(text: &str) -> bool {
    let Some((host, port)) = text.rsplit_once(':') else {
        return false;
    };
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    valid_host(host) && port.parse::<u16>().is_ok_and(|p| p > 0)
}

fn one_line(text: &str) -> bool {
    !text.chars().any(char::is_control)
}

impl VpnConfig {
    pub fn check(&self) -> Result<(), String> {
        let wg = &self.wireguard;
        if !wg.endpoint.is_empty() && !valid_endpoint(&wg.endpoint) {
            return Err(format!(
                "key `vpn.wireguard.endpoint`: `{}` is not host:port such as vpn.example.net:51820",
                wg.endpoint
            ));
        }
        if !wg.server_public_key.is_empty() && !is_wg_key(&wg.server_public_key) {
            return Err(
                "key `vpn.wireguard.server_public_key`: not a WireGuard key (44 characters of base64, as `wg pubkey` prints)"
                    .into(),
            );
        }
        if let Some(bad) = wg.dns.iter().find(|d| d.is_empty() || !valid_host(d)) {
            return Err(format!(
                "key `vpn.wireguard.dns`: `{bad}` is not an address or a search domain"
            ));
        }
        if wg.allowed_ips.is_empty() {
            return Err("key `vpn.wireguard.allowed_ips`: give at least one network".into());
        }
        if let Some(bad) = wg.allowed_ips.iter().find(|a| !is_cidr(a)) {
            return Err(format!(
                "key `vpn.wireguard.allowed_ips`: `{bad}` is not a network such as 0.0.0.0/0"
            ));
        }
        if wg.mtu != 0 && !(576..=9000).contains(&wg.mtu) {
            return Err("key `vpn.wireguard.mtu`: 0 (the client's default) or 576 to 9000".into());
        }
        let ovpn = &self.openvpn;
        if !ovpn.remote.is_empty() && !valid_host(&ovpn.remote) {
            return Err(format!(
                "key `vpn.openvpn.remote`: `{}` is not a host name or an address",
                ovpn.remote
            ));
        }
        if ovpn.port == 0 {
            return Err("key `vpn.openvpn.port`: must be at least 1".into());
        }
        if !OPENVPN_PROTOS.contains(&ovpn.proto.as_str()) {
            return Err(format!(
                "key `vpn.openvpn.proto`: one of {}",
                OPENVPN_PROTOS.join(", ")
            ));
        }
        if ovpn
            .cipher
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err("key `vpn.openvpn.cipher`: one cipher name such as AES-256-GCM".into());
        }
        if ovpn.extra.iter().any(|l| !one_line(l)) {
            return Err(
                "key `vpn.openvpn.extra`: one directive per entry, without line breaks".into(),
            );
        }
        let l2tp = &self.l2tp;
        if !l2tp.server.is_empty() && !valid_host(&l2tp.server) {
            return Err(format!(
                "key `vpn.l2tp.server`: `{}` is not a host name or an address",
                l2tp.server
            ));
        }
        if !one_line(&l2tp.psk) {
            return Err("key `vpn.l2tp.psk`: one line without control characters".into());
        }
        Ok(())
    }
}
