//! Where webhooks may be sent: http(s) URLs only, and addresses by the
//! appliance's address policy ([`crate::net_policy`]) — loopback, link-local
//! and the appliance's own addresses refused unless allowed, private LAN
//! ranges allowed unless refused, multicast and broadcast never, IPv6 forms
//! carrying an IPv4 address judged by that address. Checked when a URL is
//! saved and again, by the resolver, on every address a delivery connects to.

use std::{
    net::{IpAddr, SocketAddr, ToSocketAddrs},
    time::Duration,
};

use poem::http::Uri;

pub use crate::net_policy::{Policy as AddressPolicy, PolicyResolver};

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
        crate::outbound::lookup(move || {
            lookup
                .to_socket_addrs()
                .map(|a| a.collect::<Vec<SocketAddr>>())
        }),
    )
    .await;
    if let Ok(Ok(Ok(addrs))) = resolved {
        for addr in addrs {
            if let Some(why) = policy.refusal(addr.ip()) {
                return Err(format!("{}: {why}", parts.host));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net_policy::Section;

    const STRICT: AddressPolicy = AddressPolicy {
        allow_loopback: false,
        allow_private: false,
        section: Section::Webhooks,
    };
    const DEFAULT: AddressPolicy = AddressPolicy {
        allow_loopback: false,
        allow_private: true,
        section: Section::Webhooks,
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
            section: Section::Webhooks,
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
        // IPv6 spellings of refused IPv4 addresses.
        for url in [
            "http://[::ffff:127.0.0.1]/",
            "http://[::127.0.0.1]/",
            "http://[64:ff9b::7f00:1]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://[2002:7f00:1::]/",
            "http://[64:ff9b:1::1]/",
        ] {
            let why = check_url(url, DEFAULT).await.unwrap_err();
            assert!(why.contains("[webhooks] allow_loopback"), "{url}: {why}");
        }
        assert!(check_url("http://[64:ff9b::808:808]/", DEFAULT)
            .await
            .is_ok());
    }
}
