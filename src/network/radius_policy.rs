//! The built-in RADIUS server's decisions (`crate::radius`): who an
//! Access-Request lets in, and with what: the customer a login name
//! means on this NAS, the checks in the order that reveals least (the
//! password before anything about the account), and the reply attributes
//! from the customer and their package. Pure: no I/O, no clock of its own.

use time::OffsetDateTime;

use crate::{
    clock::parse_timestamp,
    store::{radius::LoginRow, recharge_cards::VoucherRow},
};

/// Why an Access-Request is refused: the Reply-Message the NAS shows (and
/// logs), and the reason's name in `/metrics` and the PPP-auth log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    UnknownUser,
    NotAPppLogin,
    WrongNas,
    WrongPassword,
    NoPassword,
    /// No PAP, CHAP or MS-CHAPv2 credentials in the request.
    NoMethod,
    Disabled,
    Suspended,
    /// A voucher asked with CHAP or MS-CHAP: its PIN is kept hashed, so only
    /// PAP can be checked.
    VoucherNeedsPap,
    VoucherExpired,
    /// Voided, or redeemed as a payment.
    VoucherUsed,
}

impl Refusal {
    pub const ALL: [Refusal; 11] = [
        Refusal::UnknownUser,
        Refusal::NotAPppLogin,
        Refusal::WrongNas,
        Refusal::WrongPassword,
        Refusal::NoPassword,
        Refusal::NoMethod,
        Refusal::Disabled,
        Refusal::Suspended,
        Refusal::VoucherNeedsPap,
        Refusal::VoucherExpired,
        Refusal::VoucherUsed,
    ];

    /// The reason's name (metrics label, log).
    pub fn name(self) -> &'static str {
        match self {
            Refusal::UnknownUser => "unknown_user",
            Refusal::NotAPppLogin => "not_ppp_login",
            Refusal::WrongNas => "wrong_nas",
            Refusal::WrongPassword => "wrong_password",
            Refusal::NoPassword => "no_password",
            Refusal::NoMethod => "no_credentials",
            Refusal::Disabled => "disabled",
            Refusal::Suspended => "suspended",
            Refusal::VoucherNeedsPap => "voucher_needs_pap",
            Refusal::VoucherExpired => "voucher_expired",
            Refusal::VoucherUsed => "voucher_used",
        }
    }

    /// The Reply-Message.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::UnknownUser => "Unknown user.",
            Refusal::NotAPppLogin => "This account is not a PPPoE or hotspot login.",
            Refusal::WrongNas => "This login belongs to another router.",
            Refusal::WrongPassword => "Wrong password.",
            Refusal::NoPassword => "This login has no password set.",
            Refusal::NoMethod => "No supported credentials (PAP, CHAP or MS-CHAPv2).",
            Refusal::Disabled => "This account is disabled.",
            Refusal::Suspended => {
                "This account is suspended. Please pay your bill or call your ISP."
            }
            Refusal::VoucherNeedsPap => "Vouchers log in with PAP (hotspot login-by http-pap).",
            Refusal::VoucherExpired => "This voucher has expired.",
            Refusal::VoucherUsed => "This voucher is no longer valid.",
        }
    }
}

/// What a suspended or expired customer gets (`[radius] suspended`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuspendedGets {
    Reject,
    /// Let in, into this firewall address list (and pool, when set), so
    /// that the router can send their web traffic to the payment page.
    AddressList {
        list: String,
        pool: Option<String>,
    },
}

/// The settings a decision needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub suspended: SuspendedGets,
    pub interim_interval_secs: u32,
}

/// The login a request names on this NAS: one on this router, else one on
/// no router. A name known only on other routers is [`Refusal::WrongNas`].
pub fn pick(logins: Vec<LoginRow>, nas_router: i64) -> Result<LoginRow, Refusal> {
    if logins.is_empty() {
        return Err(Refusal::UnknownUser);
    }
    let mut chosen = None;
    for l in logins {
        match l.router_id {
            Some(r) if r == nas_router => {
                chosen = Some(l);
                break;
            }
            None if chosen.is_none() => chosen = Some(l),
            _ => {}
        }
    }
    let login = chosen.ok_or(Refusal::WrongNas)?;
    if !matches!(login.connection_type.as_str(), "pppoe" | "hotspot") {
        return Err(Refusal::NotAPppLogin);
    }
    Ok(login)
}

/// What an accepted customer gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// `customer N` or `voucher N`: who was let in (the log's words).
    pub who: String,
    /// `Mikrotik-Rate-Limit`: `<upload>/<download>` as the router reads it
    /// (rx/tx from its side: what it receives from the subscriber first).
    pub rate_limit: Option<String>,
    pub session_timeout: Option<u32>,
    pub interim_interval: u32,
    /// `Class`: the customer's id, echoed back in accounting.
    pub class: String,
    pub address_list: Option<String>,
    /// `Framed-IP-Address`: the customer's static address.
    pub framed_ip: Option<std::net::Ipv4Addr>,
    pub framed_pool: Option<String>,
    /// `Framed-IPv6-Pool`.
    pub ipv6_pool: Option<String>,
    /// `Delegated-IPv6-Prefix`: (prefix length, the prefix's bytes).
    pub delegated_prefix: Option<(u8, std::net::Ipv6Addr)>,
    /// `Delegated-IPv6-Prefix-Pool`.
    pub ipv6_pd_pool: Option<String>,
    pub suspended: bool,
}

/// MikroTik burst, in the package's terms: (download, upload) each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Burst {
    pub rate: (i64, i64),
    pub threshold: (i64, i64),
    pub time_secs: i64,
}

impl Burst {
    /// The package's burst, when all of it is set.
    pub fn of(
        down: Option<i64>,
        up: Option<i64>,
        threshold_down: Option<i64>,
        threshold_up: Option<i64>,
        time_secs: Option<i64>,
    ) -> Option<Burst> {
        Some(Burst {
            rate: (down?, up?),
            threshold: (threshold_down?, threshold_up?),
            time_secs: time_secs?,
        })
    }
}

/// A prefix written `2001:db8:100::/56`: a length of 1 to 128 and no bit
/// set past it (`2001:db8::1/56` is no prefix).
pub fn parse_prefix(text: &str) -> Option<(u8, std::net::Ipv6Addr)> {
    let (addr, len) = text.split_once('/')?;
    let len: u8 = len.parse().ok().filter(|l| (1..=128).contains(l))?;
    let addr: std::net::Ipv6Addr = addr.parse().ok()?;
    let host = if len == 128 { 0 } else { u128::MAX >> len };
    (u128::from(addr) & host == 0).then_some((len, addr))
}

/// The decision for a login whose password was right.
pub fn grant(login: &LoginRow, rules: &Rules, now: OffsetDateTime) -> Result<Grant, Refusal> {
    if login.status == "inactive" {
        return Err(Refusal::Disabled);
    }
    let prepaid_until = login
        .expires_at
        .as_deref()
        .filter(|_| login.billing_cycle.as_deref() == Some("days"))
        .and_then(parse_timestamp);
    let lapsed = prepaid_until.is_some_and(|until| until <= now);
    let suspended = matches!(login.status.as_str(), "suspended" | "expired") || lapsed;
    let mut g = Grant {
        who: format!("customer {}", login.customer_id),
        rate_limit: rate_limit(
            login.speed_up_kbps,
            login.speed_down_kbps,
            Burst::of(
                login.burst_down_kbps,
                login.burst_up_kbps,
                login.burst_threshold_down_kbps,
                login.burst_threshold_up_kbps,
                login.burst_time_secs,
            ),
        ),
        session_timeout: None,
        interim_interval: rules.interim_interval_secs,
        class: format!("ispbills:customer:{}", login.customer_id),
        address_list: None,
        framed_ip: login.static_ip.as_deref().and_then(|ip| ip.parse().ok()),
        framed_pool: login.address_pool.clone(),
        ipv6_pool: login.ipv6_pool.clone(),
        delegated_prefix: login.ipv6_prefix.as_deref().and_then(parse_prefix),
        ipv6_pd_pool: login.ipv6_pd_pool.clone(),
        suspended,
    };
    if suspended {
        match &rules.suspended {
            SuspendedGets::Reject => return Err(Refusal::Suspended),
            SuspendedGets::AddressList { list, pool } => {
                g.address_list = Some(list.clone());
                // The suspended pool, when there is one, instead of the
                // customer's own addressing.
                if pool.is_some() {
                    g.framed_pool = pool.clone();
                    g.framed_ip = None;
                }
            }
        }
    } else if let Some(until) = prepaid_until {
        let secs = (until - now).whole_seconds().clamp(1, i64::from(u32::MAX));
        g.session_timeout = u32::try_from(secs).ok();
    }
    Ok(g)
}

/// The decision for a voucher whose PIN was right: its grant, and when it
/// must be activated, the end of its time (the first login starts it).
pub fn voucher_grant(
    v: &VoucherRow,
    rules: &Rules,
    now: OffsetDateTime,
) -> Result<(Grant, Option<OffsetDateTime>), Refusal> {
    let (until, activate) = match (v.status.as_str(), v.activated_at.as_deref()) {
        ("unused", None) => {
            let until = now + time::Duration::days(v.validity_days.max(1));
            (until, Some(until))
        }
        (_, Some(_)) => {
            let until = v
                .expires_at
                .as_deref()
                .and_then(parse_timestamp)
                .ok_or(Refusal::VoucherExpired)?;
            (until, None)
        }
        _ => return Err(Refusal::VoucherUsed),
    };
    if until <= now {
        return Err(Refusal::VoucherExpired);
    }
    let secs = (until - now).whole_seconds().clamp(1, i64::from(u32::MAX));
    let grant = Grant {
        who: format!("voucher {}", v.id),
        rate_limit: rate_limit(
            Some(v.speed_up_kbps),
            Some(v.speed_down_kbps),
            Burst::of(
                v.burst_down_kbps,
                v.burst_up_kbps,
                v.burst_threshold_down_kbps,
                v.burst_threshold_up_kbps,
                v.burst_time_secs,
            ),
        ),
        session_timeout: u32::try_from(secs).ok(),
        interim_interval: rules.interim_interval_secs,
        class: format!("ispbills:voucher:{}", v.id),
        address_list: None,
        framed_ip: None,
        framed_pool: v.address_pool.clone(),
        ipv6_pool: None,
        delegated_prefix: None,
        ipv6_pd_pool: None,
        suspended: false,
    };
    Ok((grant, activate))
}

/// `Mikrotik-Rate-Limit` for a package's speeds: upload first (the rate
/// the router receives), then download, in kbit/s; with burst, MikroTik's
/// `rx/tx rx-burst/tx-burst rx-threshold/tx-threshold rx-time/tx-time` in
/// the same order. `None` when the package sets neither speed.
pub fn rate_limit(
    up_kbps: Option<i64>,
    down_kbps: Option<i64>,
    burst: Option<Burst>,
) -> Option<String> {
    let up = up_kbps.filter(|v| *v > 0);
    let down = down_kbps.filter(|v| *v > 0);
    if up.is_none() && down.is_none() {
        return None;
    }
    let mut text = format!("{}k/{}k", up.unwrap_or(0), down.unwrap_or(0));
    if let Some(b) = burst {
        text.push_str(&format!(
            " {}k/{}k {}k/{}k {}/{}",
            b.rate.1, b.rate.0, b.threshold.1, b.threshold.0, b.time_secs, b.time_secs
        ));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn login(id: i64, router: Option<i64>) -> LoginRow {
        LoginRow {
            customer_id: id,
            router_id: router,
            connection_type: "pppoe".into(),
            status: "active".into(),
            password_sealed: Some("sealed".into()),
            expires_at: None,
            package_id: Some(1),
            speed_down_kbps: Some(20_480),
            speed_up_kbps: Some(5_120),
            billing_cycle: Some("monthly".into()),
            static_ip: None,
            ipv6_prefix: None,
            address_pool: None,
            ipv6_pool: None,
            ipv6_pd_pool: None,
            burst_down_kbps: None,
            burst_up_kbps: None,
            burst_threshold_down_kbps: None,
            burst_threshold_up_kbps: None,
            burst_time_secs: None,
        }
    }

    fn rules() -> Rules {
        Rules {
            suspended: SuspendedGets::AddressList {
                list: "ispbills-suspended".into(),
                pool: Some("suspended-pool".into()),
            },
            interim_interval_secs: 300,
        }
    }

    const NOW: OffsetDateTime = datetime!(2026-12-02 10:00 UTC);

    #[test]
    fn the_login_of_this_router_wins_then_one_on_no_router() {
        assert_eq!(pick(vec![], 1), Err(Refusal::UnknownUser));
        let got = pick(vec![login(1, None), login(2, Some(5))], 5).unwrap();
        assert_eq!(got.customer_id, 2);
        assert_eq!(pick(vec![login(1, None)], 5).unwrap().customer_id, 1);
        assert_eq!(pick(vec![login(2, Some(7))], 5), Err(Refusal::WrongNas));
        let mut static_ip = login(3, None);
        static_ip.connection_type = "static".into();
        assert_eq!(pick(vec![static_ip], 5), Err(Refusal::NotAPppLogin));
    }

    #[test]
    fn rate_limit_is_upload_then_download() {
        let g = grant(&login(1, None), &rules(), NOW).unwrap();
        assert_eq!(g.rate_limit.as_deref(), Some("5120k/20480k"));
        assert_eq!(g.class, "ispbills:customer:1");
        assert_eq!(g.who, "customer 1");
        assert_eq!(g.interim_interval, 300);
        assert_eq!((g.session_timeout, g.suspended), (None, false));
        assert_eq!(rate_limit(None, Some(0), None), None);
    }

    fn voucher() -> VoucherRow {
        VoucherRow {
            id: 9,
            pin_hash: "h".into(),
            status: "unused".into(),
            activated_at: None,
            expires_at: None,
            validity_days: 1,
            speed_down_kbps: 4096,
            speed_up_kbps: 1024,
            address_pool: Some("hs-pool".into()),
            burst_down_kbps: None,
            burst_up_kbps: None,
            burst_threshold_down_kbps: None,
            burst_threshold_up_kbps: None,
            burst_time_secs: None,
        }
    }

    #[test]
    fn a_voucher_starts_at_its_first_login_and_ends_with_its_time() {
        let (g, activate) = voucher_grant(&voucher(), &rules(), NOW).unwrap();
        assert_eq!(activate, Some(NOW + time::Duration::days(1)));
        assert_eq!(g.session_timeout, Some(86_400));
        assert_eq!(g.rate_limit.as_deref(), Some("1024k/4096k"));
        assert_eq!(g.class, "ispbills:voucher:9");
        assert_eq!(g.framed_pool.as_deref(), Some("hs-pool"));
        let mut active = voucher();
        active.status = "used".into();
        active.activated_at = Some("2026-12-02T09:00:00Z".into());
        active.expires_at = Some("2026-12-02T10:30:00Z".into());
        let (g, activate) = voucher_grant(&active, &rules(), NOW).unwrap();
        assert_eq!((g.session_timeout, activate), (Some(1_800), None));
        active.expires_at = Some("2026-12-02T10:00:00Z".into());
        assert_eq!(
            voucher_grant(&active, &rules(), NOW),
            Err(Refusal::VoucherExpired)
        );
        let mut paid = voucher();
        paid.status = "used".into();
        assert_eq!(
            voucher_grant(&paid, &rules(), NOW),
            Err(Refusal::VoucherUsed)
        );
        paid.status = "void".into();
        assert_eq!(
            voucher_grant(&paid, &rules(), NOW),
            Err(Refusal::VoucherUsed)
        );
    }

    #[test]
    fn burst_follows_the_same_upload_first_order() {
        let mut l = login(1, None);
        l.burst_down_kbps = Some(40_960);
        l.burst_up_kbps = Some(10_240);
        l.burst_threshold_down_kbps = Some(15_360);
        l.burst_threshold_up_kbps = Some(4_096);
        l.burst_time_secs = Some(16);
        let g = grant(&l, &rules(), NOW).unwrap();
        assert_eq!(
            g.rate_limit.as_deref(),
            Some("5120k/20480k 10240k/40960k 4096k/15360k 16/16")
        );
        // Part of a burst is no burst.
        l.burst_time_secs = None;
        let g = grant(&l, &rules(), NOW).unwrap();
        assert_eq!(g.rate_limit.as_deref(), Some("5120k/20480k"));
    }

    #[test]
    fn addresses_come_from_the_customer_and_the_package() {
        let mut l = login(1, None);
        l.static_ip = Some("100.64.1.9".into());
        l.address_pool = Some("pool-home".into());
        l.ipv6_pool = Some("v6".into());
        l.ipv6_pd_pool = Some("v6-pd".into());
        l.ipv6_prefix = Some("2001:db8:100::/56".into());
        let g = grant(&l, &rules(), NOW).unwrap();
        assert_eq!(g.framed_ip, Some("100.64.1.9".parse().unwrap()));
        assert_eq!(g.framed_pool.as_deref(), Some("pool-home"));
        assert_eq!(g.ipv6_pool.as_deref(), Some("v6"));
        assert_eq!(g.ipv6_pd_pool.as_deref(), Some("v6-pd"));
        assert_eq!(
            g.delegated_prefix,
            Some((56, "2001:db8:100::".parse().unwrap()))
        );
        // Suspended into the suspended pool: not their own address.
        l.status = "suspended".into();
        let g = grant(&l, &rules(), NOW).unwrap();
        assert_eq!(g.framed_ip, None);
        assert_eq!(g.framed_pool.as_deref(), Some("suspended-pool"));
    }

    #[test]
    fn prepaid_customers_get_the_time_left() {
        let mut l = login(1, None);
        l.billing_cycle = Some("days".into());
        l.expires_at = Some("2026-12-02T12:30:00Z".into());
        let g = grant(&l, &rules(), NOW).unwrap();
        assert_eq!(g.session_timeout, Some(9_000));
        // A monthly customer's expiry does not cut sessions.
        l.billing_cycle = Some("monthly".into());
        assert_eq!(grant(&l, &rules(), NOW).unwrap().session_timeout, None);
    }

    #[test]
    fn suspended_expired_and_lapsed_go_to_the_address_list_or_are_refused() {
        for status in ["suspended", "expired"] {
            let mut l = login(1, None);
            l.status = status.into();
            let g = grant(&l, &rules(), NOW).unwrap();
            assert!(g.suspended);
            assert_eq!(g.address_list.as_deref(), Some("ispbills-suspended"));
            assert_eq!(g.framed_pool.as_deref(), Some("suspended-pool"));
            assert_eq!(g.session_timeout, None);
            let reject = Rules {
                suspended: SuspendedGets::Reject,
                ..rules()
            };
            assert_eq!(grant(&l, &reject, NOW), Err(Refusal::Suspended));
        }
        let mut lapsed = login(1, None);
        lapsed.billing_cycle = Some("days".into());
        lapsed.expires_at = Some("2026-12-01T00:00:00Z".into());
        assert!(grant(&lapsed, &rules(), NOW).unwrap().suspended);
        let mut off = login(1, None);
        off.status = "inactive".into();
        assert_eq!(grant(&off, &rules(), NOW), Err(Refusal::Disabled));
    }
}
