//! Where webhooks may be sent: http(s) URLs only, and addresses by class —
//! loopback and link-local refused unless allowed, private LAN ranges allowed
//! unless refused, multicast and broadcast never. Checked when a URL is saved
//! and again, by the resolver, on every address a delivery connects to.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs},
    time::Duration,
};

use poem::http::Uri;
use ureq::{
    config::Config,
    http,
    unversioned::{
        resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver},
        transport::NextTimeout,
    },
};

use crate::config::WebhooksConfig;

/// Which address classes may be targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressPolicy {
    pub allow_loopback: bool,
    pub allow_private: bool,
}

impl AddressPolicy {
    pub fn from_config(c: &WebhooksConfig) -> Self {
        Self {
            allow_loopback: c.allow_loopback,
            allow_private: c.allow_private,
        }
    }

    /// Why `ip` may not be a target, if it may not.
    pub fn refusal(&self, ip: IpAddr) -> Option<String> {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match class(ip) {
            Class::Public => None,
            Class::Never => Some(format!(
                "{ip} is a multicast or broadcast address and cannot receive webhooks"
            )),
            Class::Loopback if !self.allow_loopback => Some(format!(
                "{ip} is a loopback or link-local address; set webhooks.allow_loopback to allow it"
            )),
            Class::Private if !self.allow_private => Some(format!(
                "{ip} is a private network address; set webhooks.allow_private to allow it"
            )),
            Class::Loopback | Class::Private => None,
        }
    }
}

enum Class {
    Public,
    Private,
    Loopback,
    Never,
}

fn class(ip: IpAddr) -> Class {
    match ip {
        IpAddr::V4(v4) => class_v4(v4),
        IpAddr::V6(v6) => class_v6(v6),
    }
}

fn class_v4(ip: Ipv4Addr) -> Class {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() || ip.is_link_local() || ip.is_unspecified() || a == 0 {
        Class::Loopback
    } else if ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        Class::Never
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        Class::Private
    } else {
        Class::Public
    }
}

fn class_v6(ip: Ipv6Addr) -> Class {
    let first = ip.segments()[0];
    if ip.is_loopback() || ip.is_unspecified() || (first & 0xffc0) == 0xfe80 {
        Class::Loopback
    } else if ip.is_multicast() {
        Class::Never
    } else if (first & 0xfe00) == 0xfc00 {
        Class::Private
    } else {
        Class::Public
    }
}

/// A URL's host and port, once it is known to be a usable http(s) URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts {
    pub host: String,
    pub port: u16,
}

pub const MAX_URL_LEN: usize = 2000;

/// Checks the form of a webhook URL.
pub fn parse_url(url: &str) -> Result<UrlParts, String> {
    if url.len() > MAX_URL_LEN {
        return Err(format!(
            "The URL may not be longer than {MAX_URL_LEN} characters."
        ));
    }
    let uri: Uri = url
        .parse()
        .map_err(|_| "The URL is not a valid absolute http or https URL.".to_string())?;
    let port = match uri.scheme_str() {
        Some("http") => 80,
        Some("https") => 443,
        _ => return Err("The URL must start with http:// or https://.".into()),
    };
    let authority = uri
        .authority()
        .ok_or_else(|| "The URL must name a host.".to_string())?;
    if authority.as_str().contains('@') {
        return Err(
            "The URL may not carry a user name or password; put a token in its path or query instead."
                .into(),
        );
    }
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    if host.is_empty() {
        return Err("The URL must name a host.".into());
    }
    Ok(UrlParts {
        host: host.to_string(),
        port: authority.port_u16().unwrap_or(port),
    })
}

/// Checks a URL being saved: its form, and every address its host has now
/// (a host that does not resolve yet is accepted; delivery checks again).
pub async fn check_url(url: &str, policy: AddressPolicy) -> Result<(), String> {
    let parts = parse_url(url)?;
    if let Ok(ip) = parts.host.parse::<IpAddr>() {
        return policy.refusal(ip).map_or(Ok(()), Err);
    }
    let lookup = format!("{}:{}", parts.host, parts.port);
    let resolved = tokio::time::timeout(
        Duration::from_secs(3),
        tokio::task::spawn_blocking(move || {
            lookup
                .to_socket_addrs()
                .map(|a| a.collect::<Vec<SocketAddr>>())
        }),
    )
    .await;
    if let Ok(Ok(Ok(addrs))) = resolved {
        for addr in addrs {
            if let Some(why) = policy.refusal(addr.ip()) {
                return Err(format!("{} resolves to {why}", parts.host));
            }
        }
    }
    Ok(())
}

/// ureq's resolver, keeping only the addresses the policy allows.
#[derive(Debug)]
pub struct PolicyResolver {
    policy: AddressPolicy,
    inner: DefaultResolver,
}

impl PolicyResolver {
    pub fn new(policy: AddressPolicy) -> Self {
        Self {
            policy,
            inner: DefaultResolver::default(),
        }
    }
}

impl Resolver for PolicyResolver {
    fn resolve(
        &self,
        uri: &http::Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let found = self.inner.resolve(uri, config, timeout)?;
        let mut kept = self.inner.empty();
        let mut refused = None;
        for addr in found.iter() {
            match self.policy.refusal(addr.ip()) {
                None => kept.push(*addr),
                Some(why) => refused = Some(why),
            }
        }
        match refused {
            Some(why) if kept.is_empty() => Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!("refused: {why}"),
            ))),
            _ => Ok(kept),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: AddressPolicy = AddressPolicy {
        allow_loopback: false,
        allow_private: false,
    };
    const DEFAULT: AddressPolicy = AddressPolicy {
        allow_loopback: false,
        allow_private: true,
    };

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn address_classes() {
        for refused in [
            "127.0.0.1",
            "127.8.9.10",
            "0.0.0.0",
            "169.254.169.254",
            "::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            assert!(DEFAULT.refusal(ip(refused)).is_some(), "{refused}");
        }
        for lan in [
            "10.0.0.5",
            "172.16.1.1",
            "192.168.88.1",
            "100.64.0.1",
            "fd00::1",
        ] {
            assert!(DEFAULT.refusal(ip(lan)).is_none(), "{lan}");
            assert!(STRICT.refusal(ip(lan)).is_some(), "{lan}");
        }
        for public in [
            "203.0.113.7",
            "8.8.8.8",
            "2001:db8::1",
            "172.32.0.1",
            "100.128.0.1",
        ] {
            assert!(STRICT.refusal(ip(public)).is_none(), "{public}");
        }
        let open = AddressPolicy {
            allow_loopback: true,
            allow_private: true,
        };
        assert!(open.refusal(ip("127.0.0.1")).is_none());
        for never in ["224.0.0.1", "255.255.255.255", "ff02::1"] {
            assert!(open.refusal(ip(never)).is_some(), "{never}");
        }
    }

    #[test]
    fn url_forms() {
        assert_eq!(
            parse_url("https://hooks.example/ispbills?k=1").unwrap(),
            UrlParts {
                host: "hooks.example".into(),
                port: 443
            }
        );
        assert_eq!(parse_url("http://[::1]:8000/x").unwrap().host, "::1");
        assert_eq!(parse_url("http://10.0.0.2:81/").unwrap().port, 81);
        for bad in [
            "ftp://x.example/",
            "hooks.example/path",
            "/relative",
            "https://user:pw@x.example/",
            "http://",
            "not a url",
            "",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn saved_urls_are_checked_by_their_addresses() {
        assert!(check_url("http://127.0.0.1:9/", DEFAULT).await.is_err());
        assert!(check_url("http://localhost:9/", DEFAULT).await.is_err());
        assert!(check_url("http://192.168.1.10/", DEFAULT).await.is_ok());
        assert!(check_url("http://192.168.1.10/", STRICT).await.is_err());
        assert!(check_url("https://203.0.113.9/", STRICT).await.is_ok());
    }
}
