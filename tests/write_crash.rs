//! Group commit under SIGKILL: a burst of concurrent customer creates and
//! payments is running when the real binary is killed (three times, each
//! mid-burst). Every write the API acknowledged (201) is in the database
//! afterwards, and nothing is half-written: each payment's allocations and
//! credit add up to its amount, every balance is the sum of its ledger, every
//! bill's paid amount is the sum of what was allocated to it, the customer
//! counts match the rows, and each write has its outbox event.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::{
    path::Path,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use common::{
    ispbills,
    process::{self, call, Served},
    stdout,
};
use serde_json::json;
use tempfile::TempDir;

const WRITERS: u32 = 16;

fn start(root: &Path, port: u16) -> Served {
    process::serve(
        root,
        port,
        &[("ISPBILLS_API__V2_HIGH_VOLUME_PER_MINUTE", "10000000")],
    )
}

/// What the API acknowledged: customers (id, name), payments (id, amount in
/// minor units). Lists, not maps: an id the database gave twice (a lost row's
/// id given again after the restart) must show up as a mismatch.
#[derive(Default)]
struct Acked {
    customers: Vec<(i64, String)>,
    payments: Vec<(i64, i64)>,
}

/// One writer: creates customers (even) or pays (odd) until told to stop or
/// the server dies.
fn writer(
    base: String,
    token: String,
    (thread, round): (u32, u32),
    payees: Arc<Vec<i64>>,
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Acked>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for n in 0u32.. {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let tag = format!("{round}-{thread}-{n}");
            let reply = std::panic::catch_unwind(|| {
                if thread % 2 == 0 {
                    let name = format!("Burst {tag}");
                    let r = call(
                        &base,
                        "POST",
                        "/api/v2/customers",
                        &token,
                        json!({"name": name, "phone": format!("0191{:07}", round * 100_000 + thread * 5_000 + n)}),
                    );
                    (r, Some(name), 0)
                } else {
                    let minor = i64::from(1 + (n * 37 + thread) % 900) * 100 + 50;
                    let payee = payees[(n + thread) as usize % payees.len()];
                    let r = call(
                        &base,
                        "POST",
                        "/api/v2/billing/payments",
                        &token,
                        json!({"customer_id": payee, "amount": minor as f64 / 100.0, "method": "bkash", "transaction_id": format!("BURST-{tag}")}),
                    );
                    (r, None, minor)
                }
            });
            let Ok((r, name, minor)) = reply else {
                return; // killed mid-request: not acknowledged
            };
            if r.status != 201 {
                // A busy server answers 503 (never 500).
                assert_eq!(r.status, 503, "{}", r.body);
                continue;
            }
            let id = r.json()["data"]["id"].as_i64().unwrap();
            let mut acked = acked.lock().unwrap();
            match name {
                Some(name) => acked.customers.push((id, name)),
                None => acked.payments.push((id, minor)),
            }
        }
    })
}

#[test]
fn every_acknowledged_write_survives_sigkill_and_none_is_half_written() {
    let root = TempDir::new().unwrap();
    let creds = process::v2_client(root.path());
    let port = process::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = start(root.path(), port);
    let token = process::v2_token(&base, &creds);

    // Customers to pay for, each with a bill large enough to take partial
    // payments, and one without bills (its payments become credit).
    let mut payees = Vec::new();
    for i in 0..6 {
        let r = call(
            &base,
            "POST",
            "/api/v2/customers",
            &token,
            json!({"name": format!("Payee {i}"), "phone": format!("0171000000{i}")}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.json()["data"]["id"].as_i64().unwrap();
        if i > 0 {
            let b = call(
                &base,
                "POST",
                "/api/v2/billing/bills",
                &token,
                json!({"customer_id": id, "amount": 20000, "due_date": format!("2026-0{i}-01")}),
            );
            assert_eq!(b.status, 201, "{}", b.body);
        }
        payees.push(id);
    }
    let payees = Arc::new(payees);

    let acked: Arc<Mutex<Acked>> = Arc::default();
    for round in 0..3u32 {
        let stop = Arc::new(AtomicBool::new(false));
        let threads: Vec<_> = (0..WRITERS)
            .map(|t| {
                writer(
                    base.clone(),
                    token.clone(),
                    (t, round),
                    payees.clone(),
                    stop.clone(),
                    acked.clone(),
                )
            })
            .collect();
        // Kill once the burst is well under way: writes are in flight.
        let acked_now = || {
            let a = acked.lock().unwrap();
            a.customers.len() + a.payments.len()
        };
        let before = acked_now();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline && acked_now() < before + 150 {
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for t in threads {
            t.join().unwrap();
        }
        child = start(root.path(), port);
    }
    let acked = acked.lock().unwrap();
    assert!(acked.customers.len() >= 150, "{}", acked.customers.len());
    assert!(acked.payments.len() >= 150, "{}", acked.payments.len());

    // Every acknowledged write is there, as acknowledged.
    for (id, name) in &acked.customers {
        let r = process::get(&base, &format!("/api/v2/customers/{id}"), &token);
        assert_eq!(r.status, 200, "customer {id}: {}", r.body);
        assert_eq!(r.json()["data"]["name"], json!(name));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // Nothing half-written: the rows that belong together are all there.
    let checked = ispbills(root.path()).arg("check").output().unwrap();
    assert!(checked.status.success(), "{}", stdout(&checked));
    let db = rusqlite::Connection::open(root.path().join("data/ispbills.db")).unwrap();
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    for (id, minor) in &acked.payments {
        let stored: Option<i64> = db
            .query_row(
                "SELECT amount_minor FROM payments WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .ok();
        assert_eq!(stored, Some(*minor), "payment {id}");
    }
    let broken = [
        (
            "payments whose allocations and credit differ from their amount",
            "SELECT COUNT(*) FROM payments p WHERE p.amount_minor !=
               (SELECT COALESCE(SUM(amount_minor), 0) FROM payment_allocations WHERE payment_id = p.id)
             + (SELECT COALESCE(SUM(amount_minor), 0) FROM customer_ledger WHERE payment_id = p.id)",
        ),
        (
            "balances that are not the sum of their ledger",
            "SELECT COUNT(*) FROM customers c WHERE c.balance_minor !=
               (SELECT COALESCE(SUM(amount_minor), 0) FROM customer_ledger WHERE customer_id = c.id)",
        ),
        (
            "bills whose paid amount is not what was allocated to them",
            "SELECT COUNT(*) FROM bills b WHERE b.paid_minor !=
               (SELECT COALESCE(SUM(amount_minor), 0) FROM payment_allocations WHERE bill_id = b.id)",
        ),
        (
            "customer counts that do not match the rows",
            "SELECT (SELECT COALESCE(SUM(n), 0) FROM customer_counts) - (SELECT COUNT(*) FROM customers)",
        ),
        (
            "payments without their payment.received event",
            "SELECT (SELECT COUNT(*) FROM payments)
                  - (SELECT COUNT(*) FROM events WHERE type = 'payment.received')",
        ),
        (
            "customers without their customer.created event",
            "SELECT (SELECT COUNT(*) FROM customers)
                  - (SELECT COUNT(*) FROM events WHERE type = 'customer.created')",
        ),
    ];
    for (what, sql) in broken {
        assert_eq!(count(sql), 0, "{what}");
    }
    eprintln!(
        "{} customers and {} payments acknowledged; {} customers and {} payments in the database",
        acked.customers.len(),
        acked.payments.len(),
        count("SELECT COUNT(*) FROM customers"),
        count("SELECT COUNT(*) FROM payments"),
    );
}
