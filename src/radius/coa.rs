//! Sends the queued CoA and Disconnect requests (RFC 5176) to the routers'
//! `coa_port`, on every node: each request is claimed by one node at a time
//! (`store::radius_coa`), signed with the router's secret and a
//! Message-Authenticator, and its answer (ACK, or NAK with its Error-Cause)
//! checked against the Response Authenticator and kept, with an entry in the
//! device access log. No answer: tried again later, five times in all.
//!
//! What a request carries is decided when it is sent, from the customer as
//! they are then: a suspension moves the session into the suspended address
//! list (`[radius] suspended = "address-list"`) or ends it (`"reject"`); a
//! reactivation and a staff disconnect end it (the next login gets the full
//! service); a package change sets the new `Mikrotik-Rate-Limit`.

use std::{sync::Arc, time::Duration};

use tokio::{net::UdpSocket, task::JoinSet};

use crate::{
    auth::sealed::SealKey,
    clock::{format_timestamp, Clock},
    drivers::radius::packet::{self, attr, code, vendor, Builder, Packet},
    network::radius_policy::{rate_limit, Burst, Rules, SuspendedGets},
    ops::radius as ops,
    shutdown::{stopped, StopSignal},
    store::{
        radius::SECRET_PURPOSE,
        radius_coa::{DueCoa, Outcome},
        Db,
    },
};

/// Seconds to wait for a router's answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(3);
/// Seconds before the next try after no answer, by attempts made so far; a
/// request is given up after the last.
const BACKOFF: [i64; 4] = [2, 10, 60, 300];
/// Requests claimed at once, and sent at once.
const BATCH: i64 = 256;

/// Everything the sender needs.
pub struct CoaSender {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub seal: Arc<SealKey>,
    pub rules: Rules,
    pub node: String,
    pub policy: crate::net_policy::Policy,
}

impl CoaSender {
    /// One round: claims what is due, sends it, records how it went.
    /// Answers how many requests were sent.
    pub async fn round(self: &Arc<Self>) -> usize {
        let now = self.clock.now().unix_timestamp();
        let until = now + 30;
        let due = match ops::claim_coa(&self.db, self.node.clone(), now, until, BATCH).await {
            Ok(due) => due,
            Err(e) => {
                tracing::error!(error = %e, "radius coa: claiming failed");
                return 0;
            }
        };
        let n = due.len();
        let mut sends = JoinSet::new();
        for req in due {
            let me = self.clone();
            sends.spawn(async move {
                let outcome = me.send(&req).await;
                (req, outcome)
            });
        }
        let mut done = Vec::with_capacity(n);
        while let Some(joined) = sends.join_next().await {
            if let Ok(pair) = joined {
                done.push(pair);
            }
        }
        if !done.is_empty() {
            let now = format_timestamp(self.clock.now());
            if let Err(e) = ops::record_coa(&self.db, done, now).await {
                tracing::error!(error = %e, "radius coa: recording failed");
            }
        }
        n
    }

    /// Sends one request and waits for its answer.
    async fn send(&self, req: &DueCoa) -> Outcome {
        let now = self.clock.now().unix_timestamp();
        let Some(secret) = req
            .secret_sealed
            .as_deref()
            .and_then(|s| self.seal.open(SECRET_PURPOSE, s).ok())
        else {
            return Outcome::Done("not sent: the router has no RADIUS secret".into());
        };
        let (kind, extra) = match (req.intent.as_str(), &self.rules.suspended) {
            ("suspend", SuspendedGets::AddressList { list, .. }) => (
                code::COA_REQUEST,
                Some((vendor::MIKROTIK_ADDRESS_LIST, list.clone())),
            ),
            ("package", _) => match rate_limit(
                req.speed_up_kbps,
                req.speed_down_kbps,
                Burst::of(
                    req.burst_down_kbps,
                    req.burst_up_kbps,
                    req.burst_threshold_down_kbps,
                    req.burst_threshold_up_kbps,
                    req.burst_time_secs,
                ),
            ) {
                Some(rate) => (code::COA_REQUEST, Some((vendor::MIKROTIK_RATE_LIMIT, rate))),
                None => return Outcome::Done("not sent: the package sets no speed".into()),
            },
            _ => (code::DISCONNECT_REQUEST, None),
        };
        let id = (req.id % 256) as u8;
        let mut b = Builder::new(kind, id);
        let built = (|| -> Result<Vec<u8>, packet::TooLong> {
            b.add(attr::USER_NAME, req.username.as_bytes())?;
            b.add(attr::ACCT_SESSION_ID, req.session_id.as_bytes())?;
            if let Some(ip) = req
                .framed_ip
                .as_deref()
                .and_then(|ip| ip.parse::<std::net::Ipv4Addr>().ok())
            {
                b.add(attr::FRAMED_IP_ADDRESS, &ip.octets())?;
            }
            if let Some((kind, value)) = &extra {
                b.add_vendor(vendor::MIKROTIK, *kind, value.as_bytes())?;
            }
            b.finish_request(secret.as_bytes(), true)
        })();
        let Ok(bytes) = built else {
            return Outcome::Done("not sent: a value is too long".into());
        };
        let port = u16::try_from(req.coa_port).unwrap_or(3799);
        if let Err(why) = self.policy.check_host(&req.host, port).await {
            return Outcome::Done(format!("not sent: {why}"));
        }
        match exchange(&req.host, port, &bytes).await {
            Some(answer) => judge(&answer, &bytes, secret.as_bytes()),
            None => match BACKOFF.get(usize::try_from(req.attempts).unwrap_or(usize::MAX)) {
                Some(wait) => Outcome::RetryAt(now + wait, "no answer".into()),
                None => Outcome::Done("gave up: no answer".into()),
            },
        }
    }
}

/// Sends `bytes` to the router and waits for one datagram from it.
async fn exchange(host: &str, port: u16, bytes: &[u8]) -> Option<Vec<u8>> {
    let to = tokio::net::lookup_host((host, port)).await.ok()?.next()?;
    let local = if to.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" };
    let socket = UdpSocket::bind(local).await.ok()?;
    socket.connect(to).await.ok()?;
    socket.send(bytes).await.ok()?;
    let mut buf = vec![0u8; packet::MAX_LEN];
    let n = tokio::time::timeout(ANSWER_WITHIN, socket.recv(&mut buf))
        .await
        .ok()?
        .ok()?;
    buf.truncate(n);
    Some(buf)
}

/// What the router's answer says.
fn judge(answer: &[u8], request: &[u8], secret: &[u8]) -> Outcome {
    let (Ok(a), Ok(r)) = (Packet::decode(answer), Packet::decode(request)) else {
        return Outcome::Done("malformed answer".into());
    };
    if a.id != r.id || !packet::response_authenticator_ok(&a, &r.authenticator, secret) {
        return Outcome::Done("answer not signed with the router's secret".into());
    }
    match a.code {
        code::DISCONNECT_ACK | code::COA_ACK => Outcome::Done("ack".into()),
        code::DISCONNECT_NAK | code::COA_NAK => {
            let cause = a
                .u32(attr::ERROR_CAUSE)
                .map_or("no Error-Cause".into(), error_cause);
            Outcome::Done(format!("nak: {cause}"))
        }
        other => Outcome::Done(format!("unexpected answer code {other}")),
    }
}

/// An Error-Cause's name (RFC 5176 §3.5).
fn error_cause(n: u32) -> String {
    let name = match n {
        201 => "Residual-Session-Context-Removed",
        202 => "Invalid-EAP-Packet",
        401 => "Unsupported-Attribute",
        402 => "Missing-Attribute",
        403 => "NAS-Identification-Mismatch",
        404 => "Invalid-Request",
        405 => "Unsupported-Service",
        406 => "Unsupported-Extension",
        407 => "Invalid-Attribute-Value",
        501 => "Administratively-Prohibited",
        502 => "Request-Not-Routable",
        503 => "Session-Context-Not-Found",
        504 => "Session-Context-Not-Removable",
        505 => "Other-Proxy-Processing-Error",
        506 => "Resources-Unavailable",
        507 => "Request-Initiated",
        508 => "Multiple-Session-Selection-Unsupported",
        _ => return format!("Error-Cause {n}"),
    };
    format!("{name} ({n})")
}

/// Sends what is due every second until stopped; claims this node left
/// behind are released at start.
pub async fn worker(sender: Arc<CoaSender>, mut stop: StopSignal) {
    if let Err(e) = ops::release_coa_claims(&sender.db, sender.node.clone()).await {
        tracing::warn!(error = %e, "radius coa: releasing old claims failed");
    }
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = tick.tick() => {
                // Keep going while a round fills its batch.
                while sender.round().await as i64 == BATCH {}
            }
            _ = stopped(&mut stop) => break,
        }
    }
    let _ = ops::release_coa_claims(&sender.db, sender.node.clone()).await;
}
