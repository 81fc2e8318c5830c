//! VPN accounts' client configs: WireGuard key pairs (x25519, generated here),
//! and the files a customer or a router imports: a WireGuard `.conf`, an
//! OpenVPN `.ovpn` profile with the CA inline, an L2TP/IPsec instruction sheet.
//! Rendering is pure: the caller opens the sealed secrets and hands them in.

pub mod account;
pub mod config;

use std::net::IpAddr;

use base64::{engine::general_purpose::STANDARD, Engine};
use x25519_dalek::{PublicKey, StaticSecret};

use self::config::{L2tpConfig, OpenVpnConfig, WireGuardConfig};

/// Purposes the secrets are sealed for (bound into the sealed value).
pub const PRIVATE_KEY_PURPOSE: &str = "vpn.wireguard.private_key";
pub const PASSWORD_PURPOSE: &str = "vpn.password";

pub const PROTOCOLS: [&str; 3] = ["wireguard", "openvpn", "l2tp"];

/// A WireGuard key pair, base64 as `wg genkey` / `wg pubkey` write them.
pub struct KeyPair {
    pub private_key: String,
    pub public_key: String,
}

/// A fresh key pair from the OS's randomness (clamped as `wg genkey` does).
pub fn generate_keypair() -> Result<KeyPair, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness from the OS: {e}"))?;
    bytes[0] &= 248;
    bytes[31] &= 127;
    bytes[31] |= 64;
    let secret = StaticSecret::from(bytes);
    let public = PublicKey::from(&secret);
    Ok(KeyPair {
        private_key: STANDARD.encode(secret.to_bytes()),
        public_key: STANDARD.encode(public.as_bytes()),
    })
}

/// The public half of a base64 private key.
pub fn public_key_of(private_key: &str) -> Option<String> {
    let bytes: [u8; 32] = STANDARD.decode(private_key).ok()?.try_into().ok()?;
    Some(STANDARD.encode(PublicKey::from(&StaticSecret::from(bytes)).as_bytes()))
}

/// True for a WireGuard key: 32 bytes in standard base64 (44 characters).
pub fn is_wg_key(text: &str) -> bool {
    text.len() == 44 && STANDARD.decode(text).is_ok_and(|b| b.len() == 32)
}

/// `10.66.0.2/32`, `fd66::2/128`, or an address alone.
pub fn is_cidr(text: &str) -> bool {
    parse_cidr(text).is_some()
}

/// The address and prefix of `text`; an address alone is a host (/32, /128).
pub fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let addr: IpAddr = addr.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        Some(p) if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => p.parse().ok()?,
        Some(_) => return None,
        None => max,
    };
    (prefix <= max).then_some((addr, prefix))
}

/// Normalises a comma-separated list of tunnel addresses to `a/n, b/m`;
/// `Err` names the first entry that is not an address.
pub fn normalize_addresses(text: &str) -> Result<String, String> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (addr, prefix) = parse_cidr(part).ok_or_else(|| part.to_string())?;
        out.push(format!("{addr}/{prefix}"));
    }
    Ok(out.join(", "))
}

/// A file name from the account name: ASCII letters, digits, `-` and `_`
/// (anything else becomes `_`), at most `max` characters, never empty.
pub fn safe_file_stem(name: &str, max: usize) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(max)
        .collect();
    if stem.chars().all(|c| c == '_') {
        "vpn".into()
    } else {
        stem
    }
}

/// A rendered client config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFile {
    pub content_type: &'static str,
    pub filename: String,
    pub body: String,
}

pub const TEXT_PLAIN: &str = "text/plain; charset=utf-8";
pub const OPENVPN_PROFILE: &str = "application/x-openvpn-profile";

/// What an account brings to its config.
pub struct AccountView<'a> {
    pub name: &'a str,
    pub addresses: &'a str,
    pub username: Option<&'a str>,
}

fn not_configured(server: &str, keys: &[&str]) -> String {
    let keys: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    format!(
        "The {server} server is not configured: set {} in the [vpn] section of the config file.",
        keys.join(" and ")
    )
}

/// A WireGuard `.conf` for wg-quick and the WireGuard apps. The file name is at
/// most 15 characters, so `wg-quick up ./<file>` can name the interface after it.
pub fn wireguard(
    cfg: &WireGuardConfig,
    account: &AccountView<'_>,
    private_key: &str,
) -> Result<ClientFile, String> {
    let mut missing = Vec::new();
    if cfg.endpoint.is_empty() {
        missing.push("vpn.wireguard.endpoint");
    }
    if cfg.server_public_key.is_empty() {
        missing.push("vpn.wireguard.server_public_key");
    }
    if !missing.is_empty() {
        return Err(not_configured("WireGuard", &missing));
    }
    if account.addresses.is_empty() {
        return Err("The account has no tunnel addresses; set its `addresses` first.".into());
    }
    let mut out = String::new();
    out.push_str(&format!("# WireGuard: {}\n", account.name));
    out.push_str("[Interface]\n");
    out.push_str(&format!("PrivateKey = {private_key}\n"));
    out.push_str(&format!("Address = {}\n", account.addresses));
    if !cfg.dns.is_empty() {
        out.push_str(&format!("DNS = {}\n", cfg.dns.join(", ")));
    }
    if cfg.mtu > 0 {
        out.push_str(&format!("MTU = {}\n", cfg.mtu));
    }
    out.push_str("\n[Peer]\n");
    out.push_str(&format!("PublicKey = {}\n", cfg.server_public_key));
    out.push_str(&format!("Endpoint = {}\n", cfg.endpoint));
    out.push_str(&format!("AllowedIPs = {}\n", cfg.allowed_ips.join(", ")));
    if cfg.persistent_keepalive > 0 {
        out.push_str(&format!(
            "PersistentKeepalive = {}\n",
            cfg.persistent_keepalive
        ));
    }
    Ok(ClientFile {
        content_type: TEXT_PLAIN,
        filename: format!("{}.conf", safe_file_stem(account.name, 15)),
        body: out,
    })
}

/// The CA as PEM: the key's text, or the file it names.
fn ca_pem(ca: &str) -> Result<String, String> {
    let ca = ca.trim();
    let pem = if ca.starts_with("-----BEGIN") {
        ca.to_string()
    } else {
        std::fs::read_to_string(ca).map_err(|e| {
            format!(
                "The OpenVPN CA file {ca} (config key `vpn.openvpn.ca`) could not be read: {e}."
            )
        })?
    };
    if !pem.contains("-----BEGIN CERTIFICATE-----") || !pem.contains("-----END CERTIFICATE-----") {
        return Err(
            "The config key `vpn.openvpn.ca` holds no PEM certificate (-----BEGIN CERTIFICATE-----)."
                .into(),
        );
    }
    Ok(pem.trim().replace("\r\n", "\n"))
}

/// An OpenVPN client profile (`.ovpn`) with the CA inline; `auth-user-pass`
/// (the client asks for the login) when the account has a username.
pub fn openvpn(cfg: &OpenVpnConfig, account: &AccountView<'_>) -> Result<ClientFile, String> {
    let mut missing = Vec::new();
    if cfg.remote.is_empty() {
        missing.push("vpn.openvpn.remote");
    }
    if cfg.ca.trim().is_empty() {
        missing.push("vpn.openvpn.ca");
    }
    if !missing.is_empty() {
        return Err(not_configured("OpenVPN", &missing));
    }
    let ca = ca_pem(&cfg.ca)?;
    let mut out = String::new();
    out.push_str(&format!("# OpenVPN: {}\n", account.name));
    if let Some(user) = account.username {
        out.push_str(&format!("# Username: {user}\n"));
    }
    for line in [
        "client".to_string(),
        "dev tun".into(),
        format!("proto {}", cfg.proto),
        format!("remote {} {}", cfg.remote, cfg.port),
        "resolv-retry infinite".into(),
        "nobind".into(),
        "persist-key".into(),
        "persist-tun".into(),
        "remote-cert-tls server".into(),
    ] {
        out.push_str(&line);
        out.push('\n');
    }
    if !cfg.cipher.is_empty() {
        out.push_str(&format!("cipher {}\n", cfg.cipher));
    }
    if account.username.is_some() {
        out.push_str("auth-user-pass\n");
    }
    out.push_str("verb 3\n");
    for line in &cfg.extra {
        out.push_str(line.trim());
        out.push('\n');
    }
    out.push_str("<ca>\n");
    out.push_str(&ca);
    out.push_str("\n</ca>\n");
    Ok(ClientFile {
        content_type: OPENVPN_PROFILE,
        filename: format!("{}.ovpn", safe_file_stem(account.name, 64)),
        body: out,
    })
}

/// A RouterOS value in double quotes.
fn ros_quote(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        if matches!(c, '"' | '\\' | '$' | '?') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// An instruction sheet for an L2TP/IPsec (PSK) connection: the settings and
/// short steps for Windows, Android and MikroTik.
pub fn l2tp(
    cfg: &L2tpConfig,
    account: &AccountView<'_>,
    password: &str,
) -> Result<ClientFile, String> {
    let mut missing = Vec::new();
    if cfg.server.is_empty() {
        missing.push("vpn.l2tp.server");
    }
    if cfg.psk.is_empty() {
        missing.push("vpn.l2tp.psk");
    }
    if !missing.is_empty() {
        return Err(not_configured("L2TP/IPsec", &missing));
    }
    let username = account.username.unwrap_or_default();
    let title = format!("L2TP/IPsec VPN: {}", account.name);
    let mut out = String::new();
    out.push_str(&title);
    out.push('\n');
    out.push_str(&"=".repeat(title.chars().count()));
    out.push_str("\n\n");
    out.push_str(&format!("Server:          {}\n", cfg.server));
    out.push_str(&format!("Username:        {username}\n"));
    out.push_str(&format!("Password:        {password}\n"));
    out.push_str(&format!("Pre-shared key:  {}\n", cfg.psk));
    out.push_str("Type:            L2TP/IPsec with pre-shared key\n");
    if !account.addresses.is_empty() {
        out.push_str(&format!("Tunnel address:  {}\n", account.addresses));
    }
    out.push_str("\nKeep this sheet private: it holds the password and the pre-shared key.\n");
    out.push_str(&format!(
        "\nWindows 10/11\n\
         1. Settings > Network & internet > VPN > Add VPN.\n\
         2. VPN provider: Windows (built-in). Connection name: {name}. Server name or address: {server}.\n\
         3. VPN type: L2TP/IPsec with pre-shared key. Pre-shared key: as above.\n\
         4. Type of sign-in info: User name and password; enter the username and password above.\n\
         5. Save, then Connect. (Behind NAT Windows may need the registry value\n\
            HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent\\AssumeUDPEncapsulationContextOnSendRule = 2.)\n",
        name = account.name,
        server = cfg.server
    ));
    out.push_str(&format!(
        "\nAndroid (up to 11; later versions dropped L2TP: use WireGuard or OpenVPN)\n\
         1. Settings > Network & internet > VPN > Add (+).\n\
         2. Name: {name}. Type: L2TP/IPSec PSK. Server address: {server}.\n\
         3. IPSec pre-shared key: as above. Username and password: as above.\n\
         4. Save, then tap the profile to connect.\n",
        name = account.name,
        server = cfg.server
    ));
    out.push_str(&format!(
        "\nMikroTik RouterOS (terminal)\n\
         /interface l2tp-client add name={iface} connect-to={server} user={user} password={pw} use-ipsec=yes ipsec-secret={psk} disabled=no\n",
        iface = ros_quote(&format!("l2tp-{}", safe_file_stem(account.name, 40))),
        server = ros_quote(&cfg.server),
        user = ros_quote(username),
        pw = ros_quote(password),
        psk = ros_quote(&cfg.psk),
    ));
    Ok(ClientFile {
        content_type: TEXT_PLAIN,
        filename: format!("{}-l2tp.txt", safe_file_stem(account.name, 64)),
        body: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_wireguard_keys_and_pair_up() {
        let a = generate_keypair().unwrap();
        let b = generate_keypair().unwrap();
        assert_ne!(a.private_key, b.private_key);
        assert!(is_wg_key(&a.private_key) && is_wg_key(&a.public_key));
        assert_eq!(public_key_of(&a.private_key).unwrap(), a.public_key);
        // RFC 7748 test vector (Alice's key pair).
        let alice = STANDARD.encode([
            0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1, 0x72, 0x51, 0xb2,
            0x66, 0x45, 0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0, 0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5,
            0x1d, 0xb9, 0x2c, 0x2a,
        ]);
        let alice_pub = STANDARD.encode([
            0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d, 0xdc, 0xb4, 0x3e,
            0xf7, 0x5a, 0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38, 0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e,
            0xaa, 0x9b, 0x4e, 0x6a,
        ]);
        assert_eq!(public_key_of(&alice).unwrap(), alice_pub);
    }

    #[test]
    fn addresses_and_file_names() {
        assert_eq!(
            normalize_addresses(" 10.66.0.2/32,fd66::2 ,, 10.1.0.0/16").unwrap(),
            "10.66.0.2/32, fd66::2/128, 10.1.0.0/16"
        );
        assert_eq!(
            normalize_addresses("10.0.0.1/33").unwrap_err(),
            "10.0.0.1/33"
        );
        assert_eq!(normalize_addresses("10.0.0.1/").unwrap_err(), "10.0.0.1/");
        assert_eq!(normalize_addresses("host").unwrap_err(), "host");
        assert_eq!(safe_file_stem("Rahim's phone/1", 64), "Rahim_s_phone_1");
        assert_eq!(
            safe_file_stem("a-very-long-name-indeed", 15),
            "a-very-long-nam"
        );
        assert_eq!(safe_file_stem("..", 15), "vpn");
        assert_eq!(safe_file_stem("রহিম", 15), "vpn");
    }

    #[test]
    fn unconfigured_servers_name_the_keys_to_set() {
        let acct = AccountView {
            name: "x",
            addresses: "10.0.0.2/32",
            username: Some("u"),
        };
        let err = wireguard(&WireGuardConfig::default(), &acct, "k").unwrap_err();
        assert!(
            err.contains("vpn.wireguard.endpoint")
                && err.contains("vpn.wireguard.server_public_key")
        );
        let err = openvpn(&OpenVpnConfig::default(), &acct).unwrap_err();
        assert!(err.contains("vpn.openvpn.remote") && err.contains("vpn.openvpn.ca"));
        let err = l2tp(&L2tpConfig::default(), &acct, "p").unwrap_err();
        assert!(err.contains("vpn.l2tp.server") && err.contains("vpn.l2tp.psk"));
        let cfg = OpenVpnConfig {
            remote: "vpn.example.net".into(),
            ca: "/nonexistent/ca.pem".into(),
            ..OpenVpnConfig::default()
        };
        assert!(openvpn(&cfg, &acct).unwrap_err().contains("vpn.openvpn.ca"));
    }

    #[test]
    fn routeros_values_are_quoted() {
        assert_eq!(ros_quote("a\"b$c\\"), "\"a\\\"b\\$c\\\\\"");
    }
}
