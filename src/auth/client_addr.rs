//! The client's address, the one answer used by the login throttle and the
//! request log: the TCP peer, unless the peer is one of `[server]
//! trusted_proxies`; then `X-Forwarded-For` is read from the right, skipping
//! trusted hops, and the first untrusted hop is the client. A header sent by
//! anyone else is ignored (it is the sender's to invent).

use std::net::IpAddr;

use poem::http::HeaderMap;

/// One `address/prefix` range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// `10.0.0.0/8`, `fd00::/8`, or an address alone (one host).
    fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: IpAddr = addr.parse().ok()?;
        let addr = addr.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => {
                p.parse::<u8>().ok()?
            }
            Some(_) => return None,
            None => max,
        };
        (prefix <= max).then_some(Self { addr, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The client's address of an admitted API request, as the gate found it
/// (trusted proxies applied), for the operations' audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

/// `[server] trusted_proxies`, parsed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// Parses the configured ranges; `Err` names the first that is not one.
    pub fn parse(list: &[String]) -> Result<Self, String> {
        list.iter()
            .map(|s| Cidr::parse(s).ok_or_else(|| s.clone()))
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client's address of a request (see [`TrustedProxies::client_ip`]).
    pub fn client_of(&self, req: &poem::Request) -> Option<IpAddr> {
        self.client_ip(
            req.remote_addr().as_socket_addr().map(|a| a.ip()),
            req.headers(),
        )
    }

    /// The client's address: the peer, or, when the peer is a trusted proxy,
    /// the rightmost `X-Forwarded-For` hop that is not one (all headers of that
    /// name, in order, as one list). A hop that does not parse ends the walk at
    /// the proxy that added it.
    pub fn client_ip(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let mut client = peer?.to_canonical();
        if self.0.is_empty() || !self.contains(client) {
            return Some(client);
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .collect();
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.contains(client) {
                break;
            }
        }
        Some(client)
    }
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:5678`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    hop.parse::<std::net::SocketAddr>()
        .ok()
        .map(|s| s.ip().to_canonical())
}

/// The throttle's name for an address: IPv4 as is, IPv6 by its /64 (one
/// subscriber's network, whose addresses are theirs to rotate through).
pub fn throttle_key(ip: Option<IpAddr>) -> String {
    match ip.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V4(v4)) => format!("ip:{v4}"),
        Some(IpAddr::V6(v6)) => {
            let net = u128::from(v6) & (u128::MAX << 64);
            format!("ip:{}/64", std::net::Ipv6Addr::from(net))
        }
        None => "ip:unknown".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::http::HeaderValue;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn ranges_parse_and_match() {
        assert!(TrustedProxies::parse(&["10.0.0.0/8".into(), "::1".into()]).is_ok());
        for bad in ["10.0.0.0/33", "10.0.0/8", "fe80::/129", "x", "10.0.0.0/"] {
            assert_eq!(
                TrustedProxies::parse(&[bad.to_string()]).unwrap_err(),
                bad,
                "{bad}"
            );
        }
        let p = proxies(&["10.0.0.0/8", "192.168.1.7", "fd00::/8", "0.0.0.0/0"]);
        assert!(p.contains("10.200.3.4".parse().unwrap()));
        assert!(p.contains("::ffff:10.1.1.1".parse().unwrap()));
        assert!(p.contains("fd12::1".parse().unwrap()));
        assert!(!p.contains("fe80::1".parse().unwrap()));
        let p = proxies(&["192.168.1.7"]);
        assert!(p.contains("192.168.1.7".parse().unwrap()));
        assert!(!p.contains("192.168.1.8".parse().unwrap()));
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_peer() {
        let none = TrustedProxies::default();
        let h = headers(&["203.0.113.9"]);
        assert_eq!(none.client_ip(ip("10.0.0.2"), &h), ip("10.0.0.2"));
        let p = proxies(&["10.0.0.0/8"]);
        // Untrusted peer: the header is the sender's invention.
        assert_eq!(p.client_ip(ip("192.0.2.1"), &h), ip("192.0.2.1"));
        // Trusted peer: the hop it saw.
        assert_eq!(p.client_ip(ip("10.0.0.2"), &h), ip("203.0.113.9"));
        // The rightmost untrusted hop wins; what the client wrote left of it does not.
        let h = headers(&["1.1.1.1, 203.0.113.9", "10.0.0.3"]);
        assert_eq!(p.client_ip(ip("10.0.0.2"), &h), ip("203.0.113.9"));
        // Garbage stops the walk at the proxy that added it.
        let h = headers(&["203.0.113.9, nonsense, 10.0.0.5"]);
        assert_eq!(p.client_ip(ip("10.0.0.2"), &h), ip("10.0.0.5"));
        // Ports and brackets.
        let h = headers(&["[2001:db8::7]:443"]);
        assert_eq!(p.client_ip(ip("10.0.0.2"), &h), ip("2001:db8::7"));
        // No header: the proxy itself.
        assert_eq!(
            p.client_ip(ip("10.0.0.2"), &HeaderMap::new()),
            ip("10.0.0.2")
        );
        assert_eq!(p.client_ip(None, &h), None);
    }

    #[test]
    fn ipv6_addresses_share_a_key_per_64() {
        assert_eq!(throttle_key(ip("192.0.2.1")), "ip:192.0.2.1");
        assert_eq!(throttle_key(ip("::ffff:192.0.2.1")), "ip:192.0.2.1");
        assert_eq!(
            throttle_key(ip("2001:db8:1:2:aaaa::1")),
            throttle_key(ip("2001:db8:1:2:bbbb::9"))
        );
        assert_ne!(
            throttle_key(ip("2001:db8:1:2::1")),
            throttle_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(throttle_key(None), "ip:unknown");
    }
}
