//! At-least-once under SIGKILL: the real binary is killed while deliveries are
//! pending and in flight, restarted, and every event the API acknowledged still
//! reaches the receiver; repeats carry the same event id and the same body.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use common::{
    ispbills,
    process::{self, call, Served},
    receiver::{Answer, Receiver},
    stdout,
};
use serde_json::json;
use tempfile::TempDir;

fn start(root: &Path, port: u16) -> Served {
    process::serve(
        root,
        port,
        &[
            ("ISPBILLS_WEBHOOKS__ALLOW_LOOPBACK", "true"),
            ("ISPBILLS_WEBHOOK_RETRY_SCHEDULE", "0,1,1,1,1,1,1,1,1,1"),
            ("ISPBILLS_API__V2_HIGH_VOLUME_PER_MINUTE", "100000"),
        ],
    )
}

/// Creates customers until told to stop or the server dies; returns the ids
/// the API acknowledged (201).
fn create_customers(
    base: String,
    token: String,
    from: u32,
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<i64>>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for n in from.. {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let r = std::panic::catch_unwind(|| {
                call(
                    &base,
                    "POST",
                    "/api/v2/customers",
                    &token,
                    json!({"name": format!("Crash {n}"), "phone": format!("0181{n:07}")}),
                )
            });
            match r {
                Ok(r) if r.status == 201 => {
                    acked
                        .lock()
                        .unwrap()
                        .push(r.json()["data"]["id"].as_i64().unwrap());
                }
                // The server was killed mid-request: not acknowledged.
                _ => return,
            }
        }
    })
}

#[test]
fn every_acknowledged_event_is_delivered_across_sigkill() {
    let root = TempDir::new().unwrap();
    // Slow enough that a backlog builds and requests are in flight at the kill.
    let rx = Receiver::start(|_, _| Answer::ok().after(Duration::from_millis(40)));
    let creds = process::v2_client(root.path());
    let port = process::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = start(root.path(), port);
    let token = process::v2_token(&base, &creds);
    let hook = call(
        &base,
        "POST",
        "/api/v2/webhooks",
        &token,
        json!({"url": rx.url("/crash"), "events": ["customer.created"], "active": true}),
    );
    assert_eq!(hook.status, 201, "{}", hook.body);
    let secret = hook.json()["data"]["secret"].as_str().unwrap().to_string();

    let acked: Arc<Mutex<Vec<i64>>> = Arc::default();
    for round in 0..3u32 {
        let stop = Arc::new(AtomicBool::new(false));
        let writer = create_customers(
            base.clone(),
            token.clone(),
            round * 1000,
            stop.clone(),
            acked.clone(),
        );
        // Kill once deliveries of this round are flowing.
        let seen = rx.received().len();
        rx.wait_until(Duration::from_secs(20), "deliveries in this round", |got| {
            got.len() >= seen + 8
        });
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        writer.join().unwrap();
        child = start(root.path(), port);
    }
    let want: BTreeSet<i64> = acked.lock().unwrap().iter().copied().collect();
    assert!(
        want.len() >= 24,
        "only {} customers acknowledged",
        want.len()
    );
    let got = rx.wait_until(Duration::from_secs(60), "every acknowledged event", |got| {
        let delivered: BTreeSet<i64> = got
            .iter()
            .map(|r| r.json()["data"]["customer_id"].as_i64().unwrap())
            .collect();
        want.is_subset(&delivered)
    });
    // Repeats carry the same id and byte-identical, validly signed bodies.
    let mut by_id: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for r in &got {
        assert!(r.signature_valid(&secret));
        let id = r.header("x-webhook-id").unwrap().to_string();
        let previous = by_id.entry(id).or_insert_with(|| r.body.clone());
        assert_eq!(*previous, r.body);
    }
    let ids_per_customer: BTreeMap<i64, BTreeSet<String>> =
        got.iter().fold(BTreeMap::new(), |mut m, r| {
            m.entry(r.json()["data"]["customer_id"].as_i64().unwrap())
                .or_default()
                .insert(r.header("x-webhook-id").unwrap().to_string());
            m
        });
    assert!(ids_per_customer.values().all(|ids| ids.len() == 1));
    eprintln!(
        "{} acknowledged, {} requests received ({} repeats)",
        want.len(),
        got.len(),
        got.len() - by_id.len()
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let checked = ispbills(root.path()).arg("check").output().unwrap();
    assert!(checked.status.success(), "{}", stdout(&checked));
}
