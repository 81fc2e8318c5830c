//! Two appliance processes on one PostgreSQL database, the one holding the
//! leases killed with SIGKILL in the middle of the day's billing run, the
//! webhook burst and the SMS batch it causes: every bill.generated event is
//! delivered (at least once; a repeat never while the first attempt was in
//! flight), no SMS is handed to the gateway twice, each customer has exactly
//! one bill for the cycle, and the survivor holds every lease. Needs a
//! PostgreSQL server (scripts/test's PostgreSQL pass); without one it says so
//! and stops.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use common::{
    ispbills,
    process::{self, call, Served},
    receiver::{Answer, Receiver},
    stderr, stdout,
};
use ispbills::{
    domain::money::Money,
    store::{customers, packages, sms, test_database, Db},
};
use serde_json::{json, Value};
use tempfile::TempDir;

/// Customers billed today: enough chunks (500 each) for the run to be cut.
const CUSTOMERS: usize = 3_000;
/// How slowly the webhook receiver answers.
const ANSWER_AFTER: Duration = Duration::from_millis(25);
/// How slowly the SMS gateway answers.
const SMS_AFTER: Duration = Duration::from_millis(5);

/// The ISP's UTC offset that puts its local time near noon now, so that a
/// run time of 23:00 is hours away and 00:00 long past, whenever the test
/// runs.
fn noon_offset() -> String {
    let hour = i32::from(time::OffsetDateTime::now_utc().hour());
    let offset = (12 - hour).rem_euclid(24);
    let offset = if offset > 12 { offset - 24 } else { offset };
    format!(
        "{}{:02}:00",
        if offset < 0 { '-' } else { '+' },
        offset.abs()
    )
}

/// A node's config: the shared database, loopback peers, a fast retry
/// schedule, the SMS gateway stand-in, the day's run at `run_at`.
fn write_config(root: &Path, name: &str, url: &str, sms_url: &str, run_at: &str) -> PathBuf {
    let path = root.join(name);
    std::fs::write(
        &path,
        format!(
            r#"
[database]
url = "{url}"
[network]
allow_loopback = true
[webhooks]
allow_loopback = true
concurrency_per_endpoint = 16
retry_schedule = [0, 1, 1, 1, 1, 1, 1, 1, 1, 1]
timeout_secs = 5
[api]
v2_high_volume_per_minute = 100000
[isp]
utc_offset = "{offset}"
[billing]
run_at = "{run_at}"
[sms]
gateway = "http"
[sms.http]
method = "POST"
url = "{sms_url}"
encoding = "form"
api_key = "KEY-1"
message_id_pointer = "/data/id"
timeout_secs = 5
[sms.http.params]
number = "{{phone_digits}}"
message = "{{message}}"
ref = "{{message_id}}"
"#,
            offset = noon_offset()
        ),
    )
    .unwrap();
    path
}

fn start(root: &Path, config: &Path) -> (Served, String) {
    let port = process::free_port();
    let served = process::serve(root, port, &[("ISPBILLS_CONFIG", config.to_str().unwrap())]);
    (served, format!("http://127.0.0.1:{port}"))
}

fn health(base: &str) -> Value {
    let r = common::request("GET", &format!("{base}/health"), &[], None);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn count(db: &Db, sql: &'static str) -> i64 {
    db.read(move |c| Ok(c.query_row(sql, [], |r| r.get(0))?))
        .unwrap()
}

/// Waits for `done`, failing with `what` after `secs`.
fn wait(secs: u64, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_node_killed_mid_run_leaves_nothing_undone_or_done_twice() {
    let Ok(url) = test_database::fresh_url() else {
        panic!("cannot make a database")
    };
    if url.is_empty() {
        eprintln!("needs a PostgreSQL server: set ISPBILLS_TEST_DATABASE_URL (scripts/test does)");
        return;
    }
    let hooks = Receiver::start(|_, _| Answer::ok().after(ANSWER_AFTER));
    let gateway = Receiver::start(|r, _| {
        let body = String::from_utf8_lossy(&r.body).to_string();
        let reference = body
            .split('&')
            .find_map(|p| p.strip_prefix("ref="))
            .unwrap_or("none")
            .to_string();
        Answer {
            body: json!({"data": {"id": format!("P-{reference}")}}).to_string(),
            ..Answer::ok()
        }
        .after(SMS_AFTER)
    });
    let (a, b) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    // First without the day's run (hours away), then with it (long past).
    let later = write_config(a.path(), "later.toml", &url, &gateway.url("/send"), "23:00");
    let config_a = write_config(a.path(), "node.toml", &url, &gateway.url("/send"), "00:00");
    let config_b = write_config(b.path(), "node.toml", &url, &gateway.url("/send"), "00:00");

    // Customers whose billing day is today, and SMS credits for their notices.
    let db = Db::open_configured(&a.path().join("seed"), &url, 2).unwrap();
    let now = time::OffsetDateTime::now_utc();
    db.write(move |tx| {
        let stamp = ispbills::clock::format_timestamp(now);
        let package = packages::create(
            tx,
            &packages::PackageFields {
                name: "Home 20".into(),
                price: Money(80_000),
                currency: "BDT".into(),
                speed_down_kbps: 20_000,
                speed_up_kbps: 20_000,
                billing_cycle: "monthly".into(),
                validity_days: 30,
                router_profile: None,
                wholesale_price: None,
            },
            &stamp,
        )?;
        for i in 0..CUSTOMERS {
            customers::create(
                tx,
                &customers::NewCustomer {
                    name: format!("Two Nodes {i}"),
                    phone: format!("0171{i:07}"),
                    connection_type: "pppoe".into(),
                    package_id: Some(package.id),
                    ..Default::default()
                },
                now,
            )?;
        }
        sms::top_up(tx, 1_000_000, Some("test"), &stamp)?;
        Ok(())
    })
    .unwrap();

    // Node A alone first: its keys, an API client and the webhook endpoint.
    let creds: Value = {
        let out = ispbills(a.path())
            .env("ISPBILLS_CONFIG", &later)
            .args([
                "client",
                "create",
                "--name",
                "two",
                "--api",
                "v2",
                "--tier",
                "high-volume",
                "--json",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    {
        let (mut node, base) = start(a.path(), &later);
        let token = process::v2_token(&base, &creds);
        let hook = call(
            &base,
            "POST",
            "/api/v2/webhooks",
            &token,
            json!({"url": hooks.url("/hooks"), "events": ["bill.generated"], "active": true}),
        );
        assert_eq!(hook.status, 201, "{}", hook.body);
        // The seeded customers' events go past the SMS notices (none for a
        // new customer) before the day's bills come.
        wait(60, "the SMS notices to read every event", || {
            count(
                &db,
                "SELECT COUNT(*) FROM events WHERE id > (SELECT COALESCE(MAX(last_event_id), 0) \
                 FROM outbox_cursors WHERE name = 'sms-notifications')",
            ) == 0
        });
        assert_eq!(count(&db, "SELECT COUNT(*) FROM bills"), 0, "no run yet");
        // A clean stop gives the leases up.
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &node.id().to_string()])
            .status();
        node.wait().unwrap();
    }
    // The same keys on node B (README: "what each node needs").
    std::fs::create_dir_all(b.path().join("data")).unwrap();
    for key in ["jwt.key", "seal.key", "pin.key"] {
        std::fs::copy(
            a.path().join("data").join(key),
            b.path().join("data").join(key),
        )
        .unwrap();
    }

    // Both nodes: the first up takes every lease and starts the day's run.
    let (node_a, base_a) = start(a.path(), &config_a);
    let (node_b, base_b) = start(b.path(), &config_b);
    let (ha, hb) = (health(&base_a), health(&base_b));
    assert_ne!(ha["node"], hb["node"]);
    let (mut holder, mut survivor, survivor_base) = if ha["leases"].as_array().unwrap().is_empty() {
        (node_b, node_a, base_a.clone())
    } else {
        (node_a, node_b, base_b.clone())
    };
    let held_by_survivor = health(&survivor_base)["leases"].clone();
    assert_eq!(held_by_survivor, json!([]), "one node holds the leases");
    // Traffic on both while the run goes: any node serves any request.
    let stop = Arc::new(AtomicBool::new(false));
    let traffic: Vec<_> = [base_a.clone(), base_b.clone()]
        .into_iter()
        .enumerate()
        .map(|(n, base)| {
            let (token, stop) = (process::v2_token(&base, &creds), stop.clone());
            std::thread::spawn(move || {
                let mut created = 0;
                for i in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let r = std::panic::catch_unwind(|| {
                        call(
                            &base,
                            "POST",
                            "/api/v2/customers",
                            &token,
                            json!({"name": format!("Walk-in {n}-{i}"), "phone": format!("018{n}{i:07}")}),
                        )
                    });
                    match r {
                        Ok(r) if r.status == 201 => created += 1,
                        Ok(r) => assert!(r.status == 503, "{} {}", r.status, r.body),
                        Err(_) => break, // the node was killed
                    }
                }
                created
            })
        })
        .collect();

    // Kill the holder once the run, the deliveries and the SMS are under way.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !(count(&db, "SELECT COUNT(*) FROM bills") >= 500
        && !hooks.received().is_empty()
        && !gateway.received().is_empty())
    {
        assert!(Instant::now() < deadline, "the run did not get under way");
        std::thread::sleep(Duration::from_millis(10));
    }
    holder.kill().unwrap(); // SIGKILL
    holder.wait().unwrap();
    let bills_at_kill = count(&db, "SELECT COUNT(*) FROM bills");
    eprintln!(
        "killed at {bills_at_kill} bills, {} deliveries, {} SMS",
        hooks.received().len(),
        gateway.received().len()
    );
    assert!(
        bills_at_kill < CUSTOMERS as i64,
        "the run was over before the kill"
    );

    // The survivor takes the leases over and finishes everything.
    let took_over = Instant::now();
    wait(60, "the survivor to take every lease", || {
        health(&survivor_base)["leases"]
            == json!(["billing", "retention", "routers", "snmp", "status-checks"])
    });
    eprintln!("leases taken over after {:?}", took_over.elapsed());
    stop.store(true, Ordering::Relaxed);
    let walk_ins: i32 = traffic.into_iter().map(|t| t.join().unwrap()).sum();
    eprintln!("{walk_ins} customers created through both nodes meanwhile");
    assert!(walk_ins > 0);
    wait(120, "every customer billed", || {
        count(&db, "SELECT COUNT(*) FROM bills") == CUSTOMERS as i64
    });
    let doubles = count(
        &db,
        "SELECT COUNT(*) FROM (SELECT customer_id FROM bills GROUP BY customer_id, period_start \
         HAVING COUNT(*) > 1) AS d",
    );
    assert_eq!(doubles, 0, "a customer billed twice for the cycle");

    // Every bill.generated event reaches the receiver.
    let events: BTreeSet<String> = db
        .read(|c| {
            Ok(
                c.prepare("SELECT id FROM events WHERE type = 'bill.generated'")?
                    .query_map([], |r| r.get::<_, i64>(0))?
                    .collect::<Result<Vec<_>, _>>()?,
            )
        })
        .unwrap()
        .into_iter()
        .map(|id| id.to_string())
        .collect();
    assert_eq!(events.len(), CUSTOMERS);
    let got = hooks.wait_until(Duration::from_secs(180), "every event delivered", |got| {
        let ids: BTreeSet<String> = got
            .iter()
            .filter_map(|r| r.header("x-webhook-id").map(str::to_string))
            .collect();
        events.is_subset(&ids)
    });
    // A repeat (the killed node's attempt in flight, made again) comes after
    // the first attempt was answered, never beside it.
    let mut arrivals: BTreeMap<String, Vec<Instant>> = BTreeMap::new();
    for r in &got {
        arrivals
            .entry(r.header("x-webhook-id").unwrap().to_string())
            .or_default()
            .push(r.at);
    }
    let repeats: usize = arrivals.values().map(|a| a.len() - 1).sum();
    for (id, at) in &arrivals {
        for pair in at.windows(2) {
            assert!(
                pair[1].duration_since(pair[0]) > ANSWER_AFTER,
                "event {id} attempted twice at the same time"
            );
        }
    }
    eprintln!("{} deliveries received, {repeats} repeats", got.len());
    assert!(
        repeats <= 16 * 2,
        "{repeats} repeats: more than one lane's claim"
    );

    // Every SMS settles; none is handed to the gateway twice.
    wait(180, "every SMS settled", || {
        count(
            &db,
            "SELECT COUNT(*) FROM sms_messages WHERE status IN ('queued', 'sending')",
        ) == 0
    });
    let sent = gateway.received();
    let mut refs: BTreeMap<String, usize> = BTreeMap::new();
    for r in &sent {
        let body = String::from_utf8_lossy(&r.body).to_string();
        let reference = body
            .split('&')
            .find_map(|p| p.strip_prefix("ref="))
            .unwrap()
            .to_string();
        *refs.entry(reference).or_default() += 1;
    }
    let twice: Vec<_> = refs.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "SMS sent twice: {twice:?}");
    let settled = count(
        &db,
        "SELECT COUNT(*) FROM sms_messages WHERE status = 'sent'",
    );
    let failed = count(
        &db,
        "SELECT COUNT(*) FROM sms_messages WHERE status = 'failed'",
    );
    eprintln!("{settled} SMS sent, {failed} failed (interrupted at the kill, not sent again)");
    assert_eq!(settled + failed, CUSTOMERS as i64);
    assert!(
        refs.len() as i64 >= settled,
        "every sent SMS reached the gateway"
    );
    drop(survivor.kill());
    let _ = survivor.wait();
}
