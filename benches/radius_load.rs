//! The built-in RADIUS server under load: the real server (release build,
//! in-process, on the engine under test), 2,000 PPPoE customers, and a
//! closed-loop load generator — N client sockets, each sending its next
//! request as soon as the last is answered, like a NAS farm at its limit —
//! for Access-Requests (PAP, MS-CHAPv2, with Message-Authenticator) and
//! Accounting-Requests (Interim-Updates over 2,000 sessions, each written to
//! the database before its answer).
//!
//! Run: `cargo bench --bench radius_load` (CLIENTS, SECONDS; figures go in
//! BENCHMARKS.md). The generator shares the machine's cores with the server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::{
    net::{SocketAddr, UdpSocket},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use common::TestServer;
use ispbills::drivers::radius::{
    crypto,
    packet::{attr, code, vendor, Builder, Packet},
};
use poem::EndpointExt;
use serde_json::json;

const SECRET: &[u8] = b"bench-radius-secret-0123456789";
const CUSTOMERS: usize = 2_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pap,
    MsChapV2,
    Accounting,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Pap => "Access-Request, PAP",
            Kind::MsChapV2 => "Access-Request, MS-CHAPv2",
            Kind::Accounting => "Accounting-Request (Interim-Update)",
        }
    }
}

/// One request of `kind` for customer `i` (identifier `id`).
fn request(kind: Kind, i: usize, id: u8, seq: u32) -> Vec<u8> {
    let user = format!("bench{i}");
    let password = format!("pw-bench-{i}");
    let mut auth = [0u8; 16];
    auth[..4].copy_from_slice(&seq.to_be_bytes());
    auth[4..12].copy_from_slice(&(i as u64).to_be_bytes());
    match kind {
        Kind::Pap => {
            let mut b = Builder::new(code::ACCESS_REQUEST, id);
            b.add(attr::USER_NAME, user.as_bytes()).unwrap();
            b.add(
                attr::USER_PASSWORD,
                &crypto::hide_user_password(password.as_bytes(), SECRET, &auth),
            )
            .unwrap();
            b.finish_access_request(&auth, SECRET, true).unwrap()
        }
        Kind::MsChapV2 => {
            let challenge = [0x42u8; 16];
            let peer = auth;
            let response =
                crypto::ms_chap_v2_response(id, &peer, &challenge, user.as_bytes(), &password);
            let mut b = Builder::new(code::ACCESS_REQUEST, id);
            b.add(attr::USER_NAME, user.as_bytes()).unwrap();
            b.add_vendor(vendor::MICROSOFT, vendor::MS_CHAP_CHALLENGE, &challenge)
                .unwrap();
            b.add_vendor(vendor::MICROSOFT, vendor::MS_CHAP2_RESPONSE, &response)
                .unwrap();
            b.finish_access_request(&auth, SECRET, true).unwrap()
        }
        Kind::Accounting => {
            let mut b = Builder::new(code::ACCOUNTING_REQUEST, id);
            b.add_u32(attr::ACCT_STATUS_TYPE, 3)
                .add_u32(attr::ACCT_SESSION_TIME, seq)
                .add_u32(attr::ACCT_INPUT_OCTETS, seq.wrapping_mul(1000))
                .add_u32(attr::ACCT_OUTPUT_OCTETS, seq.wrapping_mul(9000));
            b.add(attr::ACCT_SESSION_ID, format!("s{i}").as_bytes())
                .unwrap();
            b.add(attr::USER_NAME, user.as_bytes()).unwrap();
            b.finish_request(SECRET, false).unwrap()
        }
    }
}

struct Result {
    answered: usize,
    timeouts: usize,
    latencies_us: Vec<u32>,
}

/// `clients` sockets in a closed loop against `to` for `seconds`.
fn run(kind: Kind, to: SocketAddr, clients: usize, seconds: u64) -> (Result, Duration) {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
                socket
                    .set_read_timeout(Some(Duration::from_secs(2)))
                    .unwrap();
                let mut r = Result {
                    answered: 0,
                    timeouts: 0,
                    latencies_us: Vec::new(),
                };
                let mut buf = [0u8; 4096];
                let mut seq = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    seq += 1;
                    let i = (c + clients * seq as usize) % CUSTOMERS;
                    let id = (seq % 256) as u8;
                    let packet = request(kind, i, id, seq);
                    let t = Instant::now();
                    socket.send_to(&packet, to).unwrap();
                    loop {
                        match socket.recv_from(&mut buf) {
                            Ok((n, _)) => {
                                let answer = Packet::decode(&buf[..n]).unwrap();
                                if answer.id != id {
                                    continue; // a late answer to a timed-out request
                                }
                                let want = if kind == Kind::Accounting {
                                    code::ACCOUNTING_RESPONSE
                                } else {
                                    code::ACCESS_ACCEPT
                                };
                                assert_eq!(answer.code, want, "customer {i}");
                                r.answered += 1;
                                r.latencies_us
                                    .push(t.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                            }
                            Err(_) => r.timeouts += 1,
                        }
                        break;
                    }
                }
                r
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed();
    let mut all = Result {
        answered: 0,
        timeouts: 0,
        latencies_us: Vec::new(),
    };
    for t in threads {
        let r = t.join().unwrap();
        all.answered += r.answered;
        all.timeouts += r.timeouts;
        all.latencies_us.extend(r.latencies_us);
    }
    all.latencies_us.sort_unstable();
    (all, elapsed)
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

fn main() {
    let clients: usize = std::env::var("CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    let seconds: u64 = std::env::var("SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let s = TestServer::start_with(
        |mut c| {
            c.radius.enabled = true;
            c.radius.auth_listen = "127.0.0.1:0".into();
            c.radius.acct_listen = "127.0.0.1:0".into();
            c.log.level = "warn".into();
            // It measures the RADIUS server, not the API rate limiter.
            c.api.v2_high_volume_per_minute = 100_000_000;
            c
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    let token = s.v2_admin_token();
    let router = s.call(
        "POST",
        "/api/v2/network/routers",
        &token,
        Some(
            json!({"name": "nas", "host": "127.0.0.1", "port": 9, "username": "admin",
                    "password": "x", "radius_secret": String::from_utf8_lossy(SECRET)}),
        ),
    );
    assert_eq!(router.status, 201, "{}", router.body);
    let router = router.json()["data"]["id"].as_i64().unwrap();
    let package = s.create_package("Bench 20M", 1000);
    print!("creating {CUSTOMERS} customers...");
    for i in 0..CUSTOMERS {
        let r = s.call(
            "POST",
            "/api/v2/customers",
            &token,
            Some(json!({"name": format!("Bench {i}"), "phone": "01711000000",
                        "package_id": package, "connection_type": "pppoe",
                        "username": format!("bench{i}"), "password": format!("pw-bench-{i}"),
                        "router_id": router})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
    }
    println!(" done");
    let auth = s.state.radius_auth_addr.unwrap();
    let acct = s.state.radius_acct_addr.unwrap();
    println!(
        "engine: {}; {clients} clients, {seconds} s each, closed loop",
        common::engine_under_test()
    );
    println!(
        "{:<40} {:>10} {:>9} {:>9} {:>9}",
        "request", "per s", "p50 ms", "p99 ms", "timeouts"
    );
    for kind in [Kind::Pap, Kind::MsChapV2, Kind::Accounting] {
        let to = if kind == Kind::Accounting { acct } else { auth };
        // A short warm-up (caches, the NAS table, the statement cache).
        let _ = run(kind, to, clients, 1);
        let (r, elapsed) = run(kind, to, clients, seconds);
        println!(
            "{:<40} {:>10.0} {:>9.2} {:>9.2} {:>9}",
            kind.name(),
            r.answered as f64 / elapsed.as_secs_f64(),
            percentile(&r.latencies_us, 0.5),
            percentile(&r.latencies_us, 0.99),
            r.timeouts
        );
    }
}
