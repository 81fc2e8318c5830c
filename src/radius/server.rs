//! The RADIUS authentication listener (`[radius] auth_listen`, UDP 1812).
//!
//! A datagram is believed only from a router with a RADIUS secret, at the
//! address it sends from (`nas_ip`, else `host`); from anywhere else it is
//! dropped without an answer and counted. Then: decoded strictly, checked
//! for its Message-Authenticator (required unless the router allows its
//! absence), answered from the duplicate cache if the NAS is retransmitting,
//! and decided by [`super::policy`] against the customer's sealed password.
//! Every answer is signed and carries a Message-Authenticator. Decisions go
//! to the PPP-auth log (`GET /api/v1/logs/ppp-auth`) in batches, off the
//! answer's path, and are counted in `/metrics`.

use std::{
    collections::{HashMap, HashSet},
    net::{IpAddr, SocketAddr},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, RwLock,
    },
    time::{Duration, Instant},
};

use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{counter::Counter, family::Family},
};
use tokio::{net::UdpSocket, sync::Semaphore};

use crate::{
    auth::sealed::SealKey,
    clock::{format_timestamp, Clock},
    drivers::radius::{
        crypto,
        packet::{self, attr, code, vendor, Builder, Packet},
    },
    network::radius_policy::{self as policy, Grant, Refusal, Rules},
    ops::radius as ops,
    shutdown::{stopped, StopSignal},
    store::{
        customers::LOGIN_PASSWORD_PURPOSE,
        radius::{NasRow, SECRET_PURPOSE},
        radius_sessions::AcctRecord,
        router_data::NewLog,
        Db,
    },
};

/// How long an answer is kept for a NAS that sends the same request again.
const DUPLICATE_WINDOW: Duration = Duration::from_secs(5);
/// Requests being decided at once; more are dropped (the NAS retries).
const IN_FLIGHT: usize = 512;
/// How often the NAS table is read again, and at most how often a packet
/// from an unknown address makes it be read early.
const NAS_REFRESH: Duration = Duration::from_secs(30);
const NAS_REFRESH_EARLY: Duration = Duration::from_secs(1);
/// PPP-auth log entries waiting to be written, at most.
const LOG_QUEUE: usize = 20_000;

/// A RADIUS client as the listener keeps it: the secret opened.
#[derive(Clone)]
struct Nas {
    router_id: i64,
    name: String,
    secret: Arc<[u8]>,
    require_message_authenticator: bool,
    /// The router's pool for logins whose package names none.
    address_pool: Option<String>,
}

#[derive(Default)]
struct NasTable {
    by_ip: HashMap<IpAddr, Nas>,
    loaded: Option<Instant>,
    /// The inventory change count it was read at.
    generation: u64,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Why {
    reason: &'static str,
}

/// The listener's counters (`/metrics`).
#[derive(Clone, Default)]
pub struct RadiusStats {
    accepts: Counter,
    rejects: Family<Why, Counter>,
    dropped: Family<Why, Counter>,
    duplicates: Counter,
    accounting: Family<Why, Counter>,
}

impl RadiusStats {
    pub fn register(&self, metrics: &crate::metrics::Metrics) {
        metrics.register_counter(
            "radius_access_accepts",
            "Access-Requests answered Access-Accept",
            self.accepts.clone(),
        );
        metrics.register_metric(
            "radius_access_rejects",
            "Access-Requests answered Access-Reject, by reason",
            self.rejects.clone(),
        );
        metrics.register_metric(
            "radius_dropped",
            "RADIUS datagrams dropped without an answer, by reason",
            self.dropped.clone(),
        );
        metrics.register_counter(
            "radius_duplicates",
            "Retransmitted RADIUS requests answered from the duplicate cache",
            self.duplicates.clone(),
        );
        metrics.register_metric(
            "radius_accounting_requests",
            "Accounting-Requests recorded and answered, by Acct-Status-Type",
            self.accounting.clone(),
        );
        // Every reason exists from the start, at zero.
        for r in Refusal::ALL {
            let _ = self.rejects.get_or_create(&Why { reason: r.name() });
        }
        for d in Silence::ALL {
            let _ = self.dropped.get_or_create(&Why { reason: d.name() });
        }
    }
}

/// Why a datagram got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Silence {
    UnknownClient,
    Malformed,
    /// Not the request this port takes (Access- on 1812, Accounting- on 1813).
    UnexpectedCode,
    BadMessageAuthenticator,
    MissingMessageAuthenticator,
    /// An Accounting-Request whose authenticator is not MD5 over it and the
    /// secret (a wrong secret, or forged).
    BadRequestAuthenticator,
    /// An Accounting-Request without Acct-Session-Id or User-Name.
    Incomplete,
    Overloaded,
    /// A retransmission of a request still being decided.
    InProgress,
    Internal,
}

impl Silence {
    const ALL: [Silence; 10] = [
        Silence::UnknownClient,
        Silence::Malformed,
        Silence::UnexpectedCode,
        Silence::BadMessageAuthenticator,
        Silence::MissingMessageAuthenticator,
        Silence::BadRequestAuthenticator,
        Silence::Incomplete,
        Silence::Overloaded,
        Silence::InProgress,
        Silence::Internal,
    ];

    fn name(self) -> &'static str {
        match self {
            Silence::UnknownClient => "unknown_client",
            Silence::Malformed => "malformed",
            Silence::UnexpectedCode => "unexpected_code",
            Silence::BadMessageAuthenticator => "bad_message_authenticator",
            Silence::MissingMessageAuthenticator => "missing_message_authenticator",
            Silence::BadRequestAuthenticator => "bad_request_authenticator",
            Silence::Incomplete => "incomplete",
            Silence::Overloaded => "overloaded",
            Silence::InProgress => "in_progress",
            Silence::Internal => "internal_error",
        }
    }
}

/// The listener a datagram came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Port {
    /// Authentication (1812): Access-Requests.
    Auth,
    /// Accounting (1813): Accounting-Requests.
    Acct,
}

/// An Acct-Terminate-Cause's name (RFC 2866 §5.10).
fn terminate_cause(n: u32) -> String {
    const NAMES: [&str; 18] = [
        "User-Request",
        "Lost-Carrier",
        "Lost-Service",
        "Idle-Timeout",
        "Session-Timeout",
        "Admin-Reset",
        "Admin-Reboot",
        "Port-Error",
        "NAS-Error",
        "NAS-Request",
        "NAS-Reboot",
        "Port-Unneeded",
        "Port-Preempted",
        "Port-Suspended",
        "Service-Unavailable",
        "Callback",
        "User-Error",
        "Host-Request",
    ];
    usize::try_from(n)
        .ok()
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| NAMES.get(i))
        .map_or_else(|| format!("cause-{n}"), |s| (*s).to_string())
}

/// Which request, from where: a retransmission has the same.
type DupKey = (SocketAddr, u8, u8, [u8; 16]);
/// An answer kept for retransmissions (`None` while being decided), and when.
type Kept = (Instant, Option<Arc<Vec<u8>>>);
/// A decision: the grant and what MS-CHAPv2 adds, or the refusal and the
/// MS-CHAP identifier to answer MS-CHAP-Error with.
type Outcome = Result<(Grant, Option<crypto::MsChapV2Success>), (Refusal, Option<u8>)>;

/// The authentication side of the RADIUS server.
pub struct RadiusServer {
    db: Db,
    clock: Arc<dyn Clock>,
    seal: Arc<SealKey>,
    /// What recharge-card PINs are hashed with (hotspot vouchers).
    pin_key: Arc<crate::auth::keys::JwtKey>,
    rules: Rules,
    nas: RwLock<NasTable>,
    /// This node's inventory changes (`RouterHub::inventory_changes`).
    changes: Arc<AtomicU64>,
    /// Answers by request (`None` while being decided), with when.
    answers: Mutex<HashMap<DupKey, Kept>>,
    log: Mutex<Vec<NewLog>>,
    seen: Mutex<HashSet<i64>>,
    pub stats: RadiusStats,
}

/// What the request asked to be checked with.
enum Credentials<'a> {
    Pap(&'a [u8]),
    Chap {
        response: &'a [u8],
        challenge: &'a [u8],
    },
    MsChapV2 {
        response: &'a [u8],
        challenge: &'a [u8],
    },
}

impl RadiusServer {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        seal: Arc<SealKey>,
        pin_key: Arc<crate::auth::keys::JwtKey>,
        rules: Rules,
        changes: Arc<AtomicU64>,
    ) -> Self {
        Self {
            db,
            clock,
            seal,
            pin_key,
            rules,
            nas: RwLock::new(NasTable::default()),
            changes,
            answers: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
            seen: Mutex::new(HashSet::new()),
            stats: RadiusStats::default(),
        }
    }

    fn drop_counted(&self, why: Silence) -> Option<Vec<u8>> {
        self.stats
            .dropped
            .get_or_create(&Why { reason: why.name() })
            .inc();
        None
    }

    /// Reads the routers with a RADIUS secret again.
    async fn reload(&self) {
        let generation = self.changes.load(Ordering::Relaxed);
        let rows = match ops::clients(&self.db).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::error!(error = %e, "radius: reading the NAS list failed");
                return;
            }
        };
        let mut by_ip = HashMap::new();
        for row in rows {
            let Some(nas) = self.open(&row) else { continue };
            for ip in addresses(&row).await {
                by_ip.insert(ip, nas.clone());
            }
        }
        let mut table = self.nas.write().unwrap_or_else(|e| e.into_inner());
        table.by_ip = by_ip;
        table.loaded = Some(Instant::now());
        table.generation = generation;
    }

    fn open(&self, row: &NasRow) -> Option<Nas> {
        match self.seal.open(SECRET_PURPOSE, &row.secret_sealed) {
            Ok(secret) => Some(Nas {
                router_id: row.router_id,
                name: row.name.clone(),
                secret: Arc::from(secret.into_bytes()),
                require_message_authenticator: row.require_message_authenticator,
                address_pool: row.address_pool.clone(),
            }),
            Err(_) => {
                tracing::error!(router = %row.name, "radius: the router's secret cannot be opened with this seal key");
                None
            }
        }
    }

    /// The NAS at `ip`, reading the table again when it is old or the
    /// inventory changed on this node, or when the address is unknown and
    /// the last read is over a second old.
    async fn nas(&self, ip: IpAddr) -> Option<Nas> {
        let (found, loaded, generation) = {
            let t = self.nas.read().unwrap_or_else(|e| e.into_inner());
            (t.by_ip.get(&ip).cloned(), t.loaded, t.generation)
        };
        let age = loaded.map(|l| l.elapsed());
        let stale = age.is_none_or(|a| a > NAS_REFRESH)
            || generation != self.changes.load(Ordering::Relaxed);
        let retry = found.is_none() && age.is_none_or(|a| a > NAS_REFRESH_EARLY);
        if !(stale || retry) {
            return found;
        }
        self.reload().await;
        let t = self.nas.read().unwrap_or_else(|e| e.into_inner());
        t.by_ip.get(&ip).cloned()
    }

    /// Answers one datagram that came in on `port` from `from`, or `None`
    /// to stay silent.
    pub async fn handle(&self, port: Port, from: SocketAddr, datagram: &[u8]) -> Option<Vec<u8>> {
        let from = SocketAddr::new(from.ip().to_canonical(), from.port());
        let Some(nas) = self.nas(from.ip()).await else {
            return self.drop_counted(Silence::UnknownClient);
        };
        let Ok(p) = Packet::decode(datagram) else {
            return self.drop_counted(Silence::Malformed);
        };
        let expected = match port {
            Port::Auth => code::ACCESS_REQUEST,
            Port::Acct => code::ACCOUNTING_REQUEST,
        };
        if p.code != expected {
            return self.drop_counted(Silence::UnexpectedCode);
        }
        if port == Port::Acct && !packet::request_authenticator_ok(&p, &nas.secret) {
            return self.drop_counted(Silence::BadRequestAuthenticator);
        }
        match packet::message_authenticator_ok(&p, &nas.secret) {
            Some(true) => {}
            Some(false) => return self.drop_counted(Silence::BadMessageAuthenticator),
            None if port == Port::Auth && nas.require_message_authenticator => {
                return self.drop_counted(Silence::MissingMessageAuthenticator)
            }
            None => {}
        }
        let key = (from, p.code, p.id, p.authenticator);
        {
            let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
            match answers.get(&key) {
                Some((at, Some(answer))) if at.elapsed() < DUPLICATE_WINDOW => {
                    self.stats.duplicates.inc();
                    return Some(answer.to_vec());
                }
                Some((at, None)) if at.elapsed() < DUPLICATE_WINDOW => {
                    drop(answers);
                    return self.drop_counted(Silence::InProgress);
                }
                _ => {
                    answers.insert(key, (Instant::now(), None));
                }
            }
        }
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(nas.router_id);
        let answer = match port {
            Port::Auth => self.decide(&nas, &p).await,
            Port::Acct => self.account(&nas, &p).await,
        };
        let answer = match answer {
            Ok(answer) => answer,
            Err(why) => {
                self.answers
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&key);
                return self.drop_counted(why);
            }
        };
        self.answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, (Instant::now(), Some(Arc::new(answer.clone()))));
        Some(answer)
    }

    /// Records an Accounting-Request, durably, and answers the signed
    /// Accounting-Response; `Err` (no answer: the NAS sends it again) when
    /// it cannot be recorded.
    async fn account(&self, nas: &Nas, p: &Packet<'_>) -> Result<Vec<u8>, Silence> {
        let delay = i64::from(p.u32(attr::ACCT_DELAY_TIME).unwrap_or(0));
        let at = self.clock.now() - time::Duration::seconds(delay);
        let status = p.u32(attr::ACCT_STATUS_TYPE);
        let name = match status {
            Some(7 | 8) => {
                let (name, cause) = if status == Some(7) {
                    ("accounting-on", "NAS-Reboot")
                } else {
                    ("accounting-off", "NAS-Request")
                };
                ops::close_sessions(&self.db, nas.router_id, format_timestamp(at), cause)
                    .await
                    .map_err(|e| {
                        tracing::error!(error = %e, "radius: closing sessions failed");
                        Silence::Internal
                    })?;
                name
            }
            Some(s @ (1..=3)) => {
                let (Some(session_id), Some(user)) =
                    (p.text(attr::ACCT_SESSION_ID), p.text(attr::USER_NAME))
                else {
                    return Err(Silence::Incomplete);
                };
                let customer_id = self.customer_of(nas, p, &user).await?;
                let session_time = i64::from(p.u32(attr::ACCT_SESSION_TIME).unwrap_or(0));
                let octets = |low: u8, high: u8| {
                    (i64::from(p.u32(high).unwrap_or(0)) << 32) | i64::from(p.u32(low).unwrap_or(0))
                };
                let record = AcctRecord {
                    router_id: nas.router_id,
                    session_id,
                    customer_id,
                    username: user,
                    framed_ip: p.ipv4(attr::FRAMED_IP_ADDRESS).map(|ip| ip.to_string()),
                    calling_station_id: p.text(attr::CALLING_STATION_ID),
                    started_at: format_timestamp(at - time::Duration::seconds(session_time)),
                    at: format_timestamp(at),
                    stopped: s == 2,
                    terminate_cause: (s == 2)
                        .then(|| p.u32(attr::ACCT_TERMINATE_CAUSE).map(terminate_cause))
                        .flatten(),
                    session_time,
                    input_octets: octets(attr::ACCT_INPUT_OCTETS, attr::ACCT_INPUT_GIGAWORDS),
                    output_octets: octets(attr::ACCT_OUTPUT_OCTETS, attr::ACCT_OUTPUT_GIGAWORDS),
                };
                ops::account(&self.db, record).await.map_err(|e| {
                    tracing::error!(error = %e, "radius: recording accounting failed");
                    Silence::Internal
                })?;
                match s {
                    1 => "start",
                    2 => "stop",
                    _ => "interim-update",
                }
            }
            // Other status types (Failed, tunnel records) are answered, not kept.
            _ => "other",
        };
        self.stats
            .accounting
            .get_or_create(&Why { reason: name })
            .inc();
        Builder::new(code::ACCOUNTING_RESPONSE, p.id)
            .finish_response(&p.authenticator, &nas.secret, false)
            .map_err(|_| Silence::Internal)
    }

    /// The customer a session is of: the `Class` the Access-Accept gave
    /// when it names one of this login's customers, else the login's
    /// customer on this NAS; `None` for a name the appliance does not know.
    async fn customer_of(
        &self,
        nas: &Nas,
        p: &Packet<'_>,
        user: &str,
    ) -> Result<Option<i64>, Silence> {
        let logins = ops::logins(&self.db, user.to_string()).await.map_err(|e| {
            tracing::error!(error = %e, "radius: reading the login failed");
            Silence::Internal
        })?;
        let class = p
            .text(attr::CLASS)
            .and_then(|c| c.strip_prefix("ispbills:customer:")?.parse::<i64>().ok());
        if let Some(id) = class.filter(|id| logins.iter().any(|l| l.customer_id == *id)) {
            return Ok(Some(id));
        }
        Ok(policy::pick(logins, nas.router_id)
            .ok()
            .map(|l| l.customer_id))
    }

    /// The signed Access-Accept or Access-Reject; `Err` when the database
    /// could not be read (no answer: the NAS retries or fails over).
    async fn decide(&self, nas: &Nas, p: &Packet<'_>) -> Result<Vec<u8>, Silence> {
        let user = p.text(attr::USER_NAME).unwrap_or_default();
        let mut outcome = self
            .check(nas, p, &user)
            .await
            .map_err(|()| Silence::Internal)?;
        if let Ok((g, _)) = &mut outcome {
            // No address and no pool from the package (or the suspended
            // one): the router's pool, if it has one.
            if g.framed_pool.is_none() && g.framed_ip.is_none() {
                g.framed_pool = nas.address_pool.clone();
            }
        }
        let b = match &outcome {
            Ok((grant, extra)) => {
                self.stats.accepts.inc();
                let mut b = Builder::new(code::ACCESS_ACCEPT, p.id);
                accept_attributes(&mut b, grant, extra, &nas.secret, &p.authenticator)
                    .map_err(|_| Silence::Internal)?;
                b
            }
            Err((refusal, ms_ident)) => {
                self.stats
                    .rejects
                    .get_or_create(&Why {
                        reason: refusal.name(),
                    })
                    .inc();
                let mut b = Builder::new(code::ACCESS_REJECT, p.id);
                b.add(attr::REPLY_MESSAGE, refusal.message().as_bytes())
                    .map_err(|_| Silence::Internal)?;
                if let Some(ident) = ms_ident {
                    // RFC 2548 §2.1.5: E=691 (authentication failure), no retry.
                    let mut e = vec![*ident];
                    e.extend_from_slice(b"E=691 R=0 V=3");
                    b.add_vendor(vendor::MICROSOFT, vendor::MS_CHAP_ERROR, &e)
                        .map_err(|_| Silence::Internal)?;
                }
                b
            }
        };
        self.log_decision(nas, &user, p, &outcome);
        b.finish_response(&p.authenticator, &nas.secret, true)
            .map_err(|_| Silence::Internal)
    }

    /// The decision: the grant and what MS-CHAPv2 adds, or the refusal (and
    /// the MS-CHAP identifier, to answer with MS-CHAP-Error).
    async fn check(&self, nas: &Nas, p: &Packet<'_>, user: &str) -> Result<Outcome, ()> {
        let creds = credentials(p);
        let ms_ident = match &creds {
            Some(Credentials::MsChapV2 { response, .. }) => response.first().copied(),
            _ => None,
        };
        let refuse = |r: Refusal| Ok(Err((r, ms_ident)));
        let Some(creds) = creds else {
            return refuse(Refusal::NoMethod);
        };
        if user.is_empty() {
            return refuse(Refusal::UnknownUser);
        }
        let logins = match ops::logins(&self.db, user.to_string()).await {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(error = %e, "radius: reading the login failed");
                return Err(());
            }
        };
        let login = match policy::pick(logins, nas.router_id) {
            Ok(l) => l,
            // No subscriber of that name: a hotspot voucher's serial?
            Err(Refusal::UnknownUser) => return self.voucher(nas, p, user, creds, ms_ident).await,
            Err(r) => return refuse(r),
        };
        let Some(password) = login
            .password_sealed
            .as_deref()
            .and_then(|s| self.seal.open(LOGIN_PASSWORD_PURPOSE, s).ok())
        else {
            return refuse(Refusal::NoPassword);
        };
        let mut extra = None;
        let right = match creds {
            Credentials::Pap(hidden) => {
                crypto::user_password(hidden, &nas.secret, &p.authenticator)
                    .is_some_and(|given| crypto::same(&given, password.as_bytes()))
            }
            Credentials::Chap {
                response,
                challenge,
            } => crypto::chap_ok(response, password.as_bytes(), challenge),
            Credentials::MsChapV2 {
                response,
                challenge,
            } => {
                extra = crypto::ms_chap_v2(response, challenge, user.as_bytes(), &password);
                extra.is_some()
            }
        };
        if !right {
            return refuse(Refusal::WrongPassword);
        }
        match policy::grant(&login, &self.rules, self.clock.now()) {
            Ok(g) => Ok(Ok((g, extra))),
            Err(r) => refuse(r),
        }
    }

    /// A hotspot voucher logging in: serial and PIN (PAP only: the PIN is
    /// kept hashed); its first login activates it.
    async fn voucher(
        &self,
        nas: &Nas,
        p: &Packet<'_>,
        serial: &str,
        creds: Credentials<'_>,
        ms_ident: Option<u8>,
    ) -> Result<Outcome, ()> {
        let refuse = |r: Refusal| Ok(Err((r, ms_ident)));
        let found = ops::voucher(&self.db, serial.to_string())
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "radius: reading the voucher failed");
            })?;
        let Some(v) = found else {
            return refuse(Refusal::UnknownUser);
        };
        let Credentials::Pap(hidden) = creds else {
            return refuse(Refusal::VoucherNeedsPap);
        };
        let right = crypto::user_password(hidden, &nas.secret, &p.authenticator)
            .and_then(|given| String::from_utf8(given).ok())
            .is_some_and(|pin| {
                crypto::same(
                    crate::cards::pin_hash(&self.pin_key, &pin).as_bytes(),
                    v.pin_hash.as_bytes(),
                )
            });
        if !right {
            return refuse(Refusal::WrongPassword);
        }
        let now = self.clock.now();
        match policy::voucher_grant(&v, &self.rules, now) {
            Ok((grant, None)) => Ok(Ok((grant, None))),
            Ok((grant, Some(until))) => {
                let won = ops::activate_voucher(&self.db, v.id, now, until)
                    .await
                    .map_err(|e| {
                        tracing::error!(error = %e, "radius: activating the voucher failed");
                    })?;
                if won {
                    return Ok(Ok((grant, None)));
                }
                // Taken meanwhile (a second login, a payment): as it is now.
                let again = ops::voucher(&self.db, serial.to_string())
                    .await
                    .map_err(|_| ())?;
                match again.map(|v| policy::voucher_grant(&v, &self.rules, now)) {
                    Some(Ok((grant, None))) => Ok(Ok((grant, None))),
                    Some(Err(r)) => refuse(r),
                    _ => refuse(Refusal::VoucherUsed),
                }
            }
            Err(r) => refuse(r),
        }
    }

    fn log_decision(&self, nas: &Nas, user: &str, p: &Packet<'_>, outcome: &Outcome) {
        // "from <MAC>" only when the NAS sent the caller's MAC.
        let from = p
            .text(attr::CALLING_STATION_ID)
            .filter(|mac| !mac.is_empty())
            .map(|mac| format!(" from {mac}"))
            .unwrap_or_default();
        let message = match outcome {
            Ok((g, _)) if g.suspended => format!(
                "radius: <{user}> accepted as suspended ({}){from} on {}",
                g.who, nas.name
            ),
            Ok((g, _)) => format!(
                "radius: <{user}> accepted ({}){from} on {}",
                g.who, nas.name
            ),
            Err((r, _)) => format!(
                "radius: <{user}> rejected: {}{from} on {}",
                r.name(),
                nas.name
            ),
        };
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() < LOG_QUEUE {
            log.push(NewLog {
                router_id: Some(nas.router_id),
                source: "radius",
                host: None,
                category: "ppp-auth",
                topics: "radius,ppp,info".into(),
                message,
                logged_at: format_timestamp(self.clock.now()),
            });
        }
    }

    /// Writes the waiting PPP-auth log entries and the NAS last-seen times
    /// in one write; forgets old answers.
    async fn flush(&self) {
        let entries = std::mem::take(&mut *self.log.lock().unwrap_or_else(|e| e.into_inner()));
        let seen: Vec<i64> = self
            .seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
            .collect();
        self.answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, (at, _)| at.elapsed() < DUPLICATE_WINDOW);
        if entries.is_empty() && seen.is_empty() {
            return;
        }
        let now = format_timestamp(self.clock.now());
        if let Err(e) = ops::record(&self.db, entries, seen, now).await {
            tracing::error!(error = %e, "radius: writing the PPP-auth log failed");
        }
    }
}

/// The addresses a NAS's packets come from: `nas_ip`, else `host` (a name
/// is looked up).
async fn addresses(row: &NasRow) -> Vec<IpAddr> {
    let from = row.nas_ip.as_deref().unwrap_or(&row.host);
    if let Ok(ip) = from.parse::<IpAddr>() {
        return vec![ip.to_canonical()];
    }
    match tokio::net::lookup_host((from, 0)).await {
        Ok(found) => found.map(|a| a.ip().to_canonical()).collect(),
        Err(e) => {
            tracing::warn!(router = %row.name, host = %from, error = %e, "radius: cannot resolve the NAS address");
            Vec::new()
        }
    }
}

/// The request's credentials: PAP, CHAP or MS-CHAPv2 (in that order when a
/// broken NAS sends several).
fn credentials<'a>(p: &Packet<'a>) -> Option<Credentials<'a>> {
    if let Some(hidden) = p.get(attr::USER_PASSWORD) {
        return Some(Credentials::Pap(hidden));
    }
    if let Some(response) = p.get(attr::CHAP_PASSWORD) {
        let challenge = p.get(attr::CHAP_CHALLENGE).unwrap_or(&p.raw[4..20]);
        return Some(Credentials::Chap {
            response,
            challenge,
        });
    }
    let response = p.vendor(vendor::MICROSOFT, vendor::MS_CHAP2_RESPONSE)?;
    let challenge = p.vendor(vendor::MICROSOFT, vendor::MS_CHAP_CHALLENGE)?;
    Some(Credentials::MsChapV2 {
        response,
        challenge,
    })
}

/// The Access-Accept's attributes.
fn accept_attributes(
    b: &mut Builder,
    g: &Grant,
    ms: &Option<crypto::MsChapV2Success>,
    secret: &[u8],
    request_authenticator: &[u8; 16],
) -> Result<(), packet::TooLong> {
    if let Some(rate) = &g.rate_limit {
        b.add_vendor(
            vendor::MIKROTIK,
            vendor::MIKROTIK_RATE_LIMIT,
            rate.as_bytes(),
        )?;
    }
    if let Some(list) = &g.address_list {
        b.add_vendor(
            vendor::MIKROTIK,
            vendor::MIKROTIK_ADDRESS_LIST,
            list.as_bytes(),
        )?;
    }
    if let Some(ip) = g.framed_ip {
        b.add(attr::FRAMED_IP_ADDRESS, &ip.octets())?;
    }
    if let Some(pool) = &g.framed_pool {
        b.add(attr::FRAMED_POOL, pool.as_bytes())?;
    }
    if let Some(pool) = &g.ipv6_pool {
        b.add(attr::FRAMED_IPV6_POOL, pool.as_bytes())?;
    }
    if let Some((len, prefix)) = g.delegated_prefix {
        // RFC 3162 §2.3 layout: reserved, length, the prefix's significant octets.
        let octets = prefix.octets();
        let mut value = vec![0, len];
        value.extend_from_slice(&octets[..usize::from(len).div_ceil(8)]);
        b.add(attr::DELEGATED_IPV6_PREFIX, &value)?;
    }
    if let Some(pool) = &g.ipv6_pd_pool {
        b.add(attr::DELEGATED_IPV6_PREFIX_POOL, pool.as_bytes())?;
    }
    if let Some(t) = g.session_timeout {
        b.add_u32(attr::SESSION_TIMEOUT, t);
    }
    b.add_u32(attr::ACCT_INTERIM_INTERVAL, g.interim_interval);
    b.add(attr::CLASS, g.class.as_bytes())?;
    if let Some(ms) = ms {
        b.add_vendor(vendor::MICROSOFT, vendor::MS_CHAP2_SUCCESS, &ms.success)?;
        let salt = random_salt();
        b.add_vendor(
            vendor::MICROSOFT,
            vendor::MS_MPPE_SEND_KEY,
            &crypto::mppe_key_attribute(&ms.send_key, salt, secret, request_authenticator),
        )?;
        let salt2 = [salt[0], salt[1].wrapping_add(1)];
        b.add_vendor(
            vendor::MICROSOFT,
            vendor::MS_MPPE_RECV_KEY,
            &crypto::mppe_key_attribute(&ms.recv_key, salt2, secret, request_authenticator),
        )?;
        // Encryption allowed (1); RC4 40 or 128 bit (6).
        b.add_vendor(
            vendor::MICROSOFT,
            vendor::MS_MPPE_ENCRYPTION_POLICY,
            &1u32.to_be_bytes(),
        )?;
        b.add_vendor(
            vendor::MICROSOFT,
            vendor::MS_MPPE_ENCRYPTION_TYPES,
            &6u32.to_be_bytes(),
        )?;
    }
    Ok(())
}

/// Two random octets for an MPPE key's salt (its high bit is set later).
fn random_salt() -> [u8; 2] {
    let mut salt = [0u8; 2];
    if getrandom::fill(&mut salt).is_err() {
        // The salt must differ between keys, not be secret.
        salt = [0x5a, 0xa5];
    }
    salt
}

/// Receives and answers requests on the authentication and accounting
/// sockets until stopped; writes the PPP-auth log every second.
pub async fn serve(
    server: Arc<RadiusServer>,
    auth: UdpSocket,
    acct: UdpSocket,
    mut stop: StopSignal,
) {
    let auth = Arc::new(auth);
    let acct = Arc::new(acct);
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut auth_buf = vec![0u8; packet::MAX_LEN + 1];
    let mut acct_buf = vec![0u8; packet::MAX_LEN + 1];
    server.reload().await;
    loop {
        let (port, socket, got) = tokio::select! {
            got = auth.recv_from(&mut auth_buf) => (Port::Auth, &auth, got.map(|(n, from)| (auth_buf[..n].to_vec(), from))),
            got = acct.recv_from(&mut acct_buf) => (Port::Acct, &acct, got.map(|(n, from)| (acct_buf[..n].to_vec(), from))),
            _ = tick.tick() => {
                server.flush().await;
                continue;
            }
            _ = stopped(&mut stop) => break,
        };
        let Ok((datagram, from)) = got else { continue };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            server.drop_counted(Silence::Overloaded);
            continue;
        };
        let (server, socket) = (server.clone(), socket.clone());
        tokio::spawn(async move {
            if let Some(answer) = server.handle(port, from, &datagram).await {
                if let Err(e) = socket.send_to(&answer, from).await {
                    tracing::debug!(%from, error = %e, "radius: answer not sent");
                }
            }
            drop(slot);
        });
    }
    server.flush().await;
}
