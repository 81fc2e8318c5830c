//! The address policy of every outbound connection the appliance makes:
//! routers (RouterOS API and REST), SNMP devices, status checks, Zabbix, the
//! SMS gateway and webhooks. An address is classified after unwrapping the
//! IPv6 forms that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`,
//! IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`), so a
//! refused IPv4 address cannot be reached through its IPv6 spelling.
//!
//! Classes:
//! - local: loopback, unspecified (`0.0.0.0/8`, `::`), link-local
//!   (`169.254/16`, `fe80::/10`, with or without a zone id), the appliance's
//!   own interface addresses, and the whole local-use NAT64 prefix
//!   `64:ff9b:1::/48` (RFC 8215: where its IPv4 address sits depends on a
//!   prefix length only the network's operator knows, so it cannot be
//!   checked). Refused unless the section's `allow_loopback` is on.
//! - private: `10/8`, `172.16/12`, `192.168/16`, `100.64/10`, `fc00::/7`,
//!   `fec0::/10`. Devices live there; webhooks refuse it with
//!   `[webhooks] allow_private = false`.
//! - never: multicast, broadcast and `240/4`, refused whatever the settings.
//! - public: everything else.
//!
//! The check runs when an address is saved (a literal, or every address a
//! name has then) and again on every address dialled, since a name may
//! resolve differently later.

use std::{
    collections::HashSet,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs},
    sync::RwLock,
    time::{Duration, Instant},
};

use ureq::{
    config::Config,
    http,
    unversioned::{
        resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver},
        transport::NextTimeout,
    },
};

/// Which settings open a policy (named in its refusals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `[network] allow_loopback`: devices, checks, Zabbix, SMS.
    Network,
    /// `[webhooks] allow_loopback` / `allow_private`.
    Webhooks,
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Section::Network => "network",
            Section::Webhooks => "webhooks",
        }
    }
}

/// What a policy lets through besides public addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Loopback, unspecified, link-local, local-use NAT64 and the
    /// appliance's own addresses.
    pub allow_loopback: bool,
    /// Private LAN ranges.
    pub allow_private: bool,
    pub section: Section,
}

/// The class of an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Public,
    Private,
    Local,
    Never,
}

/// What an address is, in words (for refusals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Loopback,
    Unspecified,
    LinkLocal,
    Own,
    LocalNat64,
    Private,
    Multicast,
    Broadcast,
    Reserved,
    Public,
}

impl Kind {
    fn class(self) -> Class {
        match self {
            Kind::Loopback | Kind::Unspecified | Kind::LinkLocal | Kind::Own | Kind::LocalNat64 => {
                Class::Local
            }
            Kind::Private => Class::Private,
            Kind::Multicast | Kind::Broadcast | Kind::Reserved => Class::Never,
            Kind::Public => Class::Public,
        }
    }

    fn words(self) -> &'static str {
        match self {
            Kind::Loopback => "loopback",
            Kind::Unspecified => "unspecified address",
            Kind::LinkLocal => "link-local",
            Kind::Own => "one of this appliance's own addresses",
            Kind::LocalNat64 => {
                "local-use NAT64 prefix 64:ff9b:1::/48, whose IPv4 address cannot be known"
            }
            Kind::Private => "private network",
            Kind::Multicast => "multicast",
            Kind::Broadcast => "broadcast",
            Kind::Reserved => "reserved range 240.0.0.0/4",
            Kind::Public => "public",
        }
    }
}

/// The IPv4 address an IPv6 address carries, when its form carries one:
/// IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d` (not `::` and
/// `::1`), NAT64 `64:ff9b::a.b.c.d` (the last 32 bits, RFC 6052 /96) and
/// 6to4 `2002:AABB:CCDD::/48` (bits 16..48).
pub fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let last = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if s[..5] == [0; 5] && s[5] == 0xffff {
        return Some(last);
    }
    if s[..6] == [0; 6] && !(s[6] == 0 && s[7] <= 1) {
        return Some(last);
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(last);
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ));
    }
    None
}

fn kind_v4(ip: Ipv4Addr) -> Kind {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Kind::Loopback
    } else if a == 0 {
        Kind::Unspecified
    } else if ip.is_link_local() {
        Kind::LinkLocal
    } else if ip.is_broadcast() {
        Kind::Broadcast
    } else if ip.is_multicast() {
        Kind::Multicast
    } else if a >= 240 {
        Kind::Reserved
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        Kind::Private
    } else {
        Kind::Public
    }
}

fn kind_v6(ip: Ipv6Addr) -> Kind {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Kind::Loopback
    } else if ip.is_unspecified() {
        Kind::Unspecified
    } else if (first & 0xffc0) == 0xfe80 {
        Kind::LinkLocal
    } else if ip.is_multicast() {
        Kind::Multicast
    } else if ip.segments()[..3] == [0x64, 0xff9b, 1] {
        Kind::LocalNat64
    } else if (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfec0 {
        Kind::Private
    } else {
        Kind::Public
    }
}

/// What `ip` is, looking through an embedded IPv4 address; `own` says
/// whether an address is one of the appliance's. Returns the kind and the
/// IPv4 address it was judged by, if it was.
fn kind_of(ip: IpAddr, own: &dyn Fn(IpAddr) -> bool) -> (Kind, Option<Ipv4Addr>) {
    let (judged, inner) = match ip {
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => (IpAddr::V4(v4), Some(v4)),
            None => (ip, None),
        },
        v4 => (v4, None),
    };
    let kind = match judged {
        IpAddr::V4(v4) => kind_v4(v4),
        IpAddr::V6(v6) => kind_v6(v6),
    };
    if matches!(kind, Kind::Public | Kind::Private) && (own(ip) || own(judged)) {
        return (Kind::Own, inner);
    }
    (kind, inner)
}

/// The class of `ip` (the appliance's own addresses count as local).
pub fn class(ip: IpAddr) -> Class {
    kind_of(ip, &is_own).0.class()
}

/// What `[webhooks]` allows of endpoint addresses (the section itself is
/// `events::config::WebhooksConfig`, above this module).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookAllow {
    /// Loopback, link-local and the appliance's own addresses.
    pub loopback: bool,
    /// Private LAN addresses.
    pub private: bool,
}

impl Policy {
    /// Devices, status checks, Zabbix and the SMS gateway: LAN addresses are
    /// fine, local ones only with `[network] allow_loopback`.
    pub fn network(allow_loopback: bool) -> Self {
        Self {
            allow_loopback,
            allow_private: true,
            section: Section::Network,
        }
    }

    /// Webhook endpoints: `[webhooks] allow_loopback` and `allow_private`
    /// (`&WebhooksConfig` converts into them).
    pub fn webhooks(allow: impl Into<WebhookAllow>) -> Self {
        let allow = allow.into();
        Self {
            allow_loopback: allow.loopback,
            allow_private: allow.private,
            section: Section::Webhooks,
        }
    }

    /// Why `ip` may not be dialled, if it may not.
    pub fn refusal(&self, ip: IpAddr) -> Option<String> {
        self.refusal_among(ip, &is_own)
    }

    /// [`Policy::refusal`] with the appliance's addresses given by `own`.
    pub fn refusal_among(&self, ip: IpAddr, own: &dyn Fn(IpAddr) -> bool) -> Option<String> {
        let (kind, inner) = kind_of(ip, own);
        let what = match inner {
            Some(v4) => format!("it carries {v4}: {}", kind.words()),
            None => kind.words().to_string(),
        };
        let section = self.section.name();
        match kind.class() {
            Class::Public => None,
            Class::Never => Some(format!(
                "address {ip} is refused by the address policy ({what}; never allowed)"
            )),
            Class::Local if !self.allow_loopback => Some(format!(
                "address {ip} is refused by the address policy ({what}); set [{section}] allow_loopback to allow it"
            )),
            Class::Private if !self.allow_private => Some(format!(
                "address {ip} is refused by the address policy ({what}); set [{section}] allow_private to allow it"
            )),
            Class::Local | Class::Private => None,
        }
    }

    /// The addresses of `addrs` this policy allows, or why none is (`addrs`
    /// is not empty).
    fn filter(
        &self,
        host: &str,
        addrs: impl IntoIterator<Item = SocketAddr>,
    ) -> Result<Vec<SocketAddr>, String> {
        let mut kept = Vec::new();
        let mut refused = None;
        for addr in addrs {
            match self.refusal(addr.ip()) {
                None => kept.push(addr),
                Some(why) => refused = refused.or(Some(why)),
            }
        }
        match refused {
            Some(why) if kept.is_empty() => Err(if host.parse::<IpAddr>().is_ok() {
                why
            } else {
                format!("{host}: {why}")
            }),
            _ => Ok(kept),
        }
    }

    /// Resolves `host` (a name, an address, or an IPv6 address with a zone
    /// id) and keeps the addresses this policy allows (blocking).
    pub fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, ResolveError> {
        if let Some(HostForm::Ip(ip)) = parse_host(host) {
            if let Some(why) = self.refusal(ip) {
                return Err(ResolveError::Refused(why));
            }
        }
        let found: Vec<SocketAddr> = (host, port)
            .to_socket_addrs()
            .map_err(|e| ResolveError::Lookup(format!("{host}: {e}")))?
            .collect();
        if found.is_empty() {
            return Err(ResolveError::Lookup(format!("{host} has no address")));
        }
        self.filter(host, found).map_err(ResolveError::Refused)
    }

    /// [`Policy::resolve`] off the async runtime.
    pub async fn resolve_async(
        &self,
        host: &str,
        port: u16,
    ) -> Result<Vec<SocketAddr>, ResolveError> {
        let (policy, name) = (*self, host.to_string());
        crate::outbound::lookup(move || policy.resolve(&name, port))
            .await
            .map_err(ResolveError::Lookup)?
    }

    /// Checks a host being saved: a literal address by its class, a name by
    /// every address it has now (a name that does not resolve yet is
    /// accepted; every dial checks again).
    pub async fn check_host(&self, host: &str, port: u16) -> Result<(), String> {
        match parse_host(host) {
            Some(HostForm::Ip(ip)) => self.refusal(ip).map_or(Ok(()), Err),
            Some(HostForm::Name(_)) | None => {
                let lookup = (*self, host.to_string());
                let resolved = tokio::time::timeout(
                    Duration::from_secs(3),
                    crate::outbound::lookup(move || {
                        let (policy, host) = lookup;
                        (host.as_str(), port).to_socket_addrs().map(|found| {
                            found
                                .map(|a| a.ip())
                                .find_map(|ip| policy.refusal(ip))
                                .map(|why| format!("{host}: {why}"))
                        })
                    }),
                )
                .await;
                match resolved {
                    Ok(Ok(Ok(Some(why)))) => Err(why),
                    _ => Ok(()),
                }
            }
        }
    }
}

/// Why no address could be dialled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// The name does not resolve.
    Lookup(String),
    /// Every address is refused by the policy.
    Refused(String),
}

impl std::fmt::Display for ResolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResolveError::Lookup(why) => write!(f, "cannot resolve {why}"),
            ResolveError::Refused(why) => f.write_str(why),
        }
    }
}

/// A host as written in the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostForm {
    /// An address; an IPv6 address with a zone id (`fe80::1%eth0`) gives the
    /// address without it.
    Ip(IpAddr),
    Name(String),
}

/// A host name or an address as the appliance accepts one anywhere (routers,
/// SNMP devices, VPN endpoints): no spaces, quotes or control characters.
pub fn valid_host(host: &str) -> bool {
    parse_host(host).is_some()
}

/// Pieces of [`HOST_PATTERN`] (macros, so `concat!` can join them).
macro_rules! h16 {
    () => {
        "[0-9A-Fa-f]{1,4}"
    };
}
macro_rules! octet {
    () => {
        "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
    };
}
macro_rules! ls32 {
    () => {
        concat!(
            "(?:",
            h16!(),
            ":",
            h16!(),
            "|",
            octet!(),
            "(?:\\.",
            octet!(),
            "){3})"
        )
    };
}
macro_rules! ipv6 {
    () => {
        concat!(
            "(?:",
            "(?:",
            h16!(),
            ":){6}",
            ls32!(),
            "|::(?:",
            h16!(),
            ":){5}",
            ls32!(),
            "|(?:",
            h16!(),
            ")?::(?:",
            h16!(),
            ":){4}",
            ls32!(),
            "|(?:(?:",
            h16!(),
            ":){0,1}",
            h16!(),
            ")?::(?:",
            h16!(),
            ":){3}",
            ls32!(),
            "|(?:(?:",
            h16!(),
            ":){0,2}",
            h16!(),
            ")?::(?:",
            h16!(),
            ":){2}",
            ls32!(),
            "|(?:(?:",
            h16!(),
            ":){0,3}",
            h16!(),
            ")?::",
            h16!(),
            ":",
            ls32!(),
            "|(?:(?:",
            h16!(),
            ":){0,4}",
            h16!(),
            ")?::",
            ls32!(),
            "|(?:(?:",
            h16!(),
            ":){0,5}",
            h16!(),
            ")?::",
            h16!(),
            "|(?:(?:",
            h16!(),
            ":){0,6}",
            h16!(),
            ")?::",
            ")"
        )
    };
}

/// What [`valid_host`] accepts, as a regular expression (for the API's
/// schema; its length limit, 253, is said apart): a host name or an address
/// (letters, digits, `.`, `:`, `-`, `_`), or an IPv6 address with a zone id.
pub const HOST_PATTERN: &str = concat!("^(?:[A-Za-z0-9.:_-]+|", ipv6!(), "%[A-Za-z0-9._-]{1,64})$");

/// Reads a host: an IPv4 or IPv6 address (with an optional `%zone`), or a
/// host name (letters, digits, `.`, `-`, `_`); `None` when it is neither.
pub fn parse_host(host: &str) -> Option<HostForm> {
    if host.is_empty() || host.len() > 253 {
        return None;
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(HostForm::Ip(ip));
    }
    if let Some((addr, zone)) = host.split_once('%') {
        let zone_ok = !zone.is_empty()
            && zone.len() <= 64
            && zone
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        return match addr.parse::<Ipv6Addr>() {
            Ok(v6) if zone_ok => Some(HostForm::Ip(IpAddr::V6(v6))),
            _ => None,
        };
    }
    host.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'))
        .then(|| HostForm::Name(host.to_string()))
}

/// How long the list of the appliance's own addresses is trusted.
const OWN_REFRESH: Duration = Duration::from_secs(30);

static OWN: RwLock<Option<(Instant, HashSet<IpAddr>)>> = RwLock::new(None);

fn read_own() -> HashSet<IpAddr> {
    match if_addrs::get_if_addrs() {
        Ok(list) => list.into_iter().map(|i| i.ip()).collect(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read this machine's interface addresses");
            HashSet::new()
        }
    }
}

/// Reads the appliance's interface addresses now (at start; then they are
/// read again when older than 30 seconds).
pub fn refresh_own_addresses() -> HashSet<IpAddr> {
    let own = read_own();
    let mut slot = OWN.write().unwrap_or_else(|e| e.into_inner());
    *slot = Some((Instant::now(), own.clone()));
    own
}

/// Whether `ip` is one of the appliance's own interface addresses.
pub fn is_own(ip: IpAddr) -> bool {
    {
        let slot = OWN.read().unwrap_or_else(|e| e.into_inner());
        if let Some((at, own)) = slot.as_ref() {
            if at.elapsed() < OWN_REFRESH {
                return own.contains(&ip);
            }
        }
    }
    refresh_own_addresses().contains(&ip)
}

/// An I/O error saying a dial was refused by the policy (what ureq's
/// resolver hands back).
#[derive(Debug)]
pub struct Refusal(pub String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

/// The policy's refusal inside a ureq error, if that is what it is.
pub fn refusal_in(e: &ureq::Error) -> Option<String> {
    match e {
        ureq::Error::Io(io) => io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<Refusal>())
            .map(|r| r.0.clone()),
        _ => None,
    }
}

/// ureq's resolver, keeping only the addresses the policy allows.
#[derive(Debug)]
pub struct PolicyResolver {
    policy: Policy,
    inner: DefaultResolver,
}

impl PolicyResolver {
    pub fn new(policy: Policy) -> Self {
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
        if found.is_empty() {
            return Ok(found);
        }
        let host = uri.host().unwrap_or_default().trim_matches(['[', ']']);
        match self.policy.filter(host, found.iter().copied()) {
            Ok(allowed) => {
                let mut kept = self.inner.empty();
                for addr in allowed {
                    kept.push(addr);
                }
                Ok(kept)
            }
            Err(why) => Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                Refusal(why),
            ))),
        }
    }
}

/// A ureq agent whose every dial goes through `policy`.
pub fn agent(config: ureq::config::Config, policy: Policy) -> ureq::Agent {
    ureq::Agent::with_parts(
        config,
        ureq::unversioned::transport::DefaultConnector::default(),
        PolicyResolver::new(policy),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pattern the API states for a host accepts exactly what
    /// `valid_host` accepts: on fixed samples and on many generated ones.
    #[test]
    fn the_host_pattern_is_valid_host() {
        let re = regex::Regex::new(HOST_PATTERN).unwrap();
        let agree = |h: &str| {
            assert_eq!(
                re.is_match(h),
                valid_host(h) && h.len() <= 253,
                "{h:?}: pattern and valid_host disagree"
            )
        };
        for h in [
            "192.168.88.1",
            "router-1.lan",
            "olt_2",
            "::1",
            "fe80::1%eth0",
            "fe80::1%",
            "1.2.3.4%eth0",
            "::ffff:1.2.3.4%en0",
            "1:2:3:4:5:6:7:8%x",
            "1:2:3:4:5:6:7:8:9%x",
            "1::2::3%x",
            "::01.2.3.4%x",
            "::1.2.3.256%x",
            "12345::%x",
            "a b",
            "",
            "%eth0",
            "1:2:3:4:5:6::1.2.3.4%x",
            "1:2:3:4:5::1.2.3.4%x",
            "1.2.3.4::%x",
            ":::%x",
        ] {
            agree(h);
        }
        // A small deterministic generator: address-like text with zones.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let parts = [
            "0", "1", "ff", "FFFF", "12345", "a", "g", ":", "::", ".", "1.2.3.4", "255", "256",
            "01", "%", "%eth0", "%a.b-c_d", "_", "-",
        ];
        for _ in 0..200_000 {
            let mut h = String::new();
            for _ in 0..=next(12) {
                h.push_str(parts[next(parts.len() as u64) as usize]);
            }
            agree(&h);
        }
    }

    const DEVICES: Policy = Policy {
        allow_loopback: false,
        allow_private: true,
        section: Section::Network,
    };
    const DEVICES_OPEN: Policy = Policy {
        allow_loopback: true,
        allow_private: true,
        section: Section::Network,
    };
    const HOOKS_STRICT: Policy = Policy {
        allow_loopback: false,
        allow_private: false,
        section: Section::Webhooks,
    };

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn own(ip: IpAddr) -> bool {
        ip == IpAddr::from([192, 168, 88, 5]) || ip == "2001:db8::5".parse::<IpAddr>().unwrap()
    }

    #[test]
    fn embedded_ipv4_forms_are_unwrapped() {
        for (v6, v4) in [
            ("::ffff:127.0.0.1", Some("127.0.0.1")),
            ("::127.0.0.1", Some("127.0.0.1")),
            ("::a9fe:a9fe", Some("169.254.169.254")),
            ("64:ff9b::7f00:1", Some("127.0.0.1")),
            ("64:ff9b::a9fe:a9fe", Some("169.254.169.254")),
            ("64:ff9b::808:808", Some("8.8.8.8")),
            ("2002:7f00:1::", Some("127.0.0.1")),
            ("2002:c0a8:5801:1::9", Some("192.168.88.1")),
            ("::", None),
            ("::1", None),
            ("2001:db8::1", None),
            ("64:ff9b:1::7f00:1", None),
            ("fe80::1", None),
        ] {
            assert_eq!(
                embedded_v4(v6.parse().unwrap()),
                v4.map(|a| a.parse().unwrap()),
                "{v6}"
            );
        }
    }

    /// (address, refused for devices by default, refused for devices with
    /// allow_loopback, refused for webhooks with allow_private = false).
    const TABLE: &[(&str, bool, bool, bool)] = &[
        // Loopback, unspecified, link-local, in every spelling.
        ("127.0.0.1", true, false, true),
        ("127.8.9.10", true, false, true),
        ("::1", true, false, true),
        ("0.0.0.0", true, false, true),
        ("0.1.2.3", true, false, true),
        ("::", true, false, true),
        ("169.254.169.254", true, false, true),
        ("fe80::1", true, false, true),
        ("febf::1", true, false, true),
        ("::ffff:127.0.0.1", true, false, true),
        ("::127.0.0.1", true, false, true),
        ("64:ff9b::7f00:1", true, false, true),
        ("64:ff9b::a9fe:a9fe", true, false, true),
        ("2002:7f00:1::", true, false, true),
        ("2002:a9fe:a9fe::1", true, false, true),
        ("::ffff:0.0.0.0", true, false, true),
        ("64:ff9b:1::1", true, false, true),
        ("64:ff9b:1:ffff::8.8.8.8", true, false, true),
        // The appliance's own addresses, and their embedded forms.
        ("192.168.88.5", true, false, true),
        ("2001:db8::5", true, false, true),
        ("::ffff:192.168.88.5", true, false, true),
        ("64:ff9b::c0a8:5805", true, false, true),
        ("2002:c0a8:5805::", true, false, true),
        // Never: multicast, broadcast, 240/4, whatever the settings.
        ("224.0.0.1", true, true, true),
        ("255.255.255.255", true, true, true),
        ("240.0.0.1", true, true, true),
        ("ff02::1", true, true, true),
        ("::ffff:224.0.0.1", true, true, true),
        ("64:ff9b::e000:1", true, true, true),
        // The LAN: fine for devices, refused by a strict webhook policy.
        ("192.168.88.1", false, false, true),
        ("10.0.0.5", false, false, true),
        ("172.16.1.1", false, false, true),
        ("100.64.0.1", false, false, true),
        ("fd00::1", false, false, true),
        ("::ffff:10.1.2.3", false, false, true),
        ("64:ff9b::a01:203", false, false, true),
        ("2002:a01:203::", false, false, true),
        // Public.
        ("203.0.113.7", false, false, false),
        ("8.8.8.8", false, false, false),
        ("172.32.0.1", false, false, false),
        ("100.128.0.1", false, false, false),
        ("2001:db8::1", false, false, false),
        ("::ffff:8.8.8.8", false, false, false),
        ("64:ff9b::808:808", false, false, false),
        ("2002:808:808::", false, false, false),
    ];

    #[test]
    fn every_form_is_classified() {
        for &(addr, devices, devices_open, strict) in TABLE {
            let a = ip(addr);
            assert_eq!(
                DEVICES.refusal_among(a, &own).is_some(),
                devices,
                "{addr} devices: {:?}",
                DEVICES.refusal_among(a, &own)
            );
            assert_eq!(
                DEVICES_OPEN.refusal_among(a, &own).is_some(),
                devices_open,
                "{addr} devices with allow_loopback"
            );
            assert_eq!(
                HOOKS_STRICT.refusal_among(a, &own).is_some(),
                strict,
                "{addr} strict webhooks"
            );
        }
    }

    #[test]
    fn refusals_say_what_and_which_key_opens_it() {
        let why = DEVICES.refusal_among(ip("127.0.0.1"), &own).unwrap();
        assert_eq!(
            why,
            "address 127.0.0.1 is refused by the address policy (loopback); set [network] allow_loopback to allow it"
        );
        let why = DEVICES.refusal_among(ip("::ffff:127.0.0.1"), &own).unwrap();
        assert!(why.contains("it carries 127.0.0.1: loopback"), "{why}");
        let why = DEVICES.refusal_among(ip("192.168.88.5"), &own).unwrap();
        assert!(why.contains("own addresses"), "{why}");
        let why = HOOKS_STRICT.refusal_among(ip("10.0.0.5"), &own).unwrap();
        assert!(why.contains("[webhooks] allow_private"), "{why}");
        let why = DEVICES_OPEN.refusal_among(ip("224.0.0.1"), &own).unwrap();
        assert!(why.contains("never allowed"), "{why}");
    }

    #[test]
    fn the_machines_own_interface_addresses_are_refused() {
        let found = refresh_own_addresses();
        assert!(
            found.contains(&ip("127.0.0.1")),
            "the interface list is read: {found:?}"
        );
        for addr in found {
            assert!(is_own(addr));
            assert!(DEVICES.refusal(addr).is_some(), "{addr}");
            assert!(DEVICES_OPEN.refusal(addr).is_none(), "{addr}");
        }
    }

    #[test]
    fn hosts_are_read_with_zone_ids() {
        assert_eq!(
            parse_host("fe80::1%eth0"),
            Some(HostForm::Ip(ip("fe80::1")))
        );
        assert_eq!(parse_host("10.0.0.1"), Some(HostForm::Ip(ip("10.0.0.1"))));
        assert_eq!(
            parse_host("core-1.lan"),
            Some(HostForm::Name("core-1.lan".into()))
        );
        for bad in ["", "bad host!", "10.0.0.1%eth0", "fe80::1%", "fe80::1%a b"] {
            assert_eq!(parse_host(bad), None, "{bad}");
        }
        let HostForm::Ip(zoned) = parse_host("fe80::1%eth0").unwrap() else {
            panic!()
        };
        assert!(DEVICES.refusal(zoned).is_some());
    }

    #[tokio::test]
    async fn saved_hosts_and_dials_are_checked() {
        assert!(DEVICES.check_host("127.0.0.1", 8728).await.is_err());
        assert!(DEVICES.check_host("fe80::1%eth0", 8728).await.is_err());
        let why = DEVICES.check_host("localhost", 8728).await.unwrap_err();
        assert!(why.starts_with("localhost: address"), "{why}");
        assert!(DEVICES.check_host("192.168.88.1", 8728).await.is_ok());
        assert!(DEVICES_OPEN.check_host("localhost", 8728).await.is_ok());
        assert!(matches!(
            DEVICES.resolve("localhost", 8728),
            Err(ResolveError::Refused(_))
        ));
        assert!(matches!(
            DEVICES.resolve("::ffff:127.0.0.1", 8728),
            Err(ResolveError::Refused(_))
        ));
        let ok = DEVICES_OPEN.resolve("127.0.0.1", 8728).unwrap();
        assert_eq!(ok, vec![SocketAddr::from(([127, 0, 0, 1], 8728))]);
    }
}
