//! A billing-run CoA burst: 10,000 PPPoE customers online on one router in
//! RADIUS mode (an accounting Start each), their bills overdue, and the
//! billing run that suspends them all. Measured: the run itself, and the time
//! until the test NAS (tests/common/radius_nas.rs: checks each request's
//! authenticators, answers a signed CoA-ACK) has every CoA-Request and the
//! queue holds nothing undone. Goal (issue 21): drained in ≤ 60 s.
//!
//! Run: `cargo bench --bench coa_burst` (CUSTOMERS, default 10,000; on the
//! engine under test: ISPBILLS_TEST_DATABASE_URL for PostgreSQL).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/radius_nas.rs"]
mod radius_nas;

use std::{
    net::UdpSocket,
    sync::Arc,
    time::{Duration, Instant},
};

use common::TestServer;
use ispbills::{
    clock::ManualClock,
    drivers::radius::packet::{attr, code, Builder, Packet},
    jobs::billing,
};
use poem::EndpointExt;
use radius_nas::TestNas;
use serde_json::json;
use time::macros::{date, datetime};

const SECRET: &str = "bench-coa-secret-0123456789";

fn undone(s: &TestServer) -> i64 {
    s.state
        .db
        .read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM radius_coa_requests WHERE done_at IS NULL",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap()
}

fn main() {
    let customers: usize = std::env::var("CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let clock = Arc::new(ManualClock::new(datetime!(2026-04-10 08:00:00 UTC)));
    let s = TestServer::start_full(
        |mut c| {
            c.radius.enabled = true;
            c.radius.auth_listen = "127.0.0.1:0".into();
            c.radius.acct_listen = "127.0.0.1:0".into();
            c.log.level = "warn".into();
            // The test runs the billing days itself; the server's own daily
            // run (due at run_at, local time) must not race it.
            c.billing.run_at = "23:59".into();
            c.api.v2_high_volume_per_minute = 100_000_000;
            c
        },
        clock.clone(),
        |state| ispbills::app::routes(state).boxed(),
    );
    let nas = TestNas::start(SECRET.as_bytes());
    let token = s.v2_admin_token();
    let router = s.call(
        "POST",
        "/api/v2/network/routers",
        &token,
        Some(
            json!({"name": "nas", "host": "127.0.0.1", "username": "admin",
                    "password": "x", "radius_secret": SECRET, "auth_mode": "radius",
                    "coa_port": nas.port}),
        ),
    );
    assert_eq!(router.status, 201, "{}", router.body);
    let router = router.json()["data"]["id"].as_i64().unwrap();
    let package = s.create_package("Bench 10M", 800);
    let started = Instant::now();
    for i in 0..customers {
        let r = s.call(
            "POST",
            "/api/v2/customers",
            &token,
            Some(json!({"name": format!("Burst {i}"), "phone": "01711000000",
                        "package_id": package, "connection_type": "pppoe",
                        "username": format!("burst{i}"), "password": format!("pw-burst-{i}"),
                        "router_id": router})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
    }
    println!("{customers} customers created in {:.1?}", started.elapsed());

    // Everyone online: an accounting Start each, answered once written.
    let acct = s.state.radius_acct_addr.unwrap();
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 4096];
    for i in 0..customers {
        let id = (i % 256) as u8;
        let mut b = Builder::new(code::ACCOUNTING_REQUEST, id);
        b.add_u32(attr::ACCT_STATUS_TYPE, 1);
        b.add(attr::ACCT_SESSION_ID, format!("burst-{i}").as_bytes())
            .unwrap();
        b.add(attr::USER_NAME, format!("burst{i}").as_bytes())
            .unwrap();
        b.add(
            attr::FRAMED_IP_ADDRESS,
            &[10, 64, (i / 256) as u8, (i % 256) as u8],
        )
        .unwrap();
        let packet = b.finish_request(SECRET.as_bytes(), false).unwrap();
        socket.send_to(&packet, acct).unwrap();
        let (n, _) = socket.recv_from(&mut buf).expect("accounting answered");
        assert_eq!(
            Packet::decode(&buf[..n]).unwrap().code,
            code::ACCOUNTING_RESPONSE
        );
    }
    println!("{customers} sessions started");

    // The bills, then the run that finds them all overdue.
    clock.set(datetime!(2026-05-10 00:10:00 UTC));
    let config = &s.state.config;
    let t = Instant::now();
    let billed =
        billing::run_for(&s.state.db, config, clock.as_ref(), date!(2026 - 05 - 10)).unwrap();
    println!(
        "billing day: {} bills in {:.1?}",
        billed.bills_created,
        t.elapsed()
    );
    clock.set(datetime!(2026-05-21 00:10:00 UTC));
    let t0 = Instant::now();
    let report =
        billing::run_for(&s.state.db, config, clock.as_ref(), date!(2026 - 05 - 21)).unwrap();
    let run = t0.elapsed();
    assert_eq!(report.customers_suspended, customers, "{report:?}");
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut seen_all = None;
    loop {
        let seen = nas.count();
        if seen >= customers && seen_all.is_none() {
            seen_all = Some(t0.elapsed());
        }
        if seen_all.is_some() && undone(&s) == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "not drained: {seen} seen");
        std::thread::sleep(Duration::from_millis(20));
    }
    let drained = t0.elapsed();
    let seen = nas.seen();
    assert_eq!(seen.len(), customers, "one request per session");
    assert!(seen.iter().all(|p| p.signed && p.code == code::COA_REQUEST));
    println!("engine: {}", common::engine_under_test());
    println!(
        "suspension run: {customers} customers suspended in {run:.1?}; every CoA-Request at \
         the NAS after {:.1?}; all recorded (ACKs kept, access log written) after {drained:.1?} \
         ({:.0} requests/s)",
        seen_all.unwrap(),
        customers as f64 / drained.as_secs_f64()
    );
}
