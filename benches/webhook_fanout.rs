//! Webhook fan-out throughput: events written to the outbox in one transaction,
//! delivered by the real worker over real HTTP to a receiver on loopback that
//! answers 200 at once; timed until every delivery is recorded as delivered.
//!
//! Run: `cargo bench --bench webhook_fanout` (figures go in BENCHMARKS.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{receiver::Receiver, TestServer};
use ispbills::store::{events, webhook_deliveries};
use poem::EndpointExt;
use serde_json::json;

fn run(endpoints: usize, events_n: usize, concurrency: usize) {
    let rx = Receiver::ok();
    let s = TestServer::start_with(
        |mut c| {
            c.webhooks.allow_loopback = true;
            c.webhooks.concurrency_per_endpoint = concurrency;
            c
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    let token = s.v2_admin_token();
    for e in 0..endpoints {
        let r = s.call(
            "POST",
            "/api/v2/webhooks",
            &token,
            Some(json!({"url": rx.url(&format!("/hook/{e}")), "events": ["payment.received"]})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let started = Instant::now();
    s.state
        .db
        .write(move |tx| {
            for n in 0..events_n {
                events::append(
                    tx,
                    events::PAYMENT_RECEIVED,
                    &json!({"customer_id": n, "amount": 500, "currency": "BDT",
                            "method": "bkash", "transaction_id": format!("TXN-{n}")}),
                    "2026-03-15T10:30:00Z",
                )?;
            }
            Ok(())
        })
        .unwrap();
    let total = (endpoints * events_n) as i64;
    loop {
        let counts = s.state.db.read(webhook_deliveries::counts).unwrap();
        let delivered = counts
            .iter()
            .find(|(k, _)| k == "delivered")
            .map_or(0, |(_, n)| *n);
        if delivered >= total {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(300), "{counts:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(rx.received().len() as i64, total);
    println!(
        "{endpoints} endpoint(s) x {events_n} events, concurrency {concurrency} per endpoint: \
         {total} deliveries in {secs:.2} s = {:.0} deliveries/s",
        total as f64 / secs
    );
}

fn main() {
    run(1, 5_000, 4);
    run(4, 2_500, 4);
    run(20, 500, 4);
}
