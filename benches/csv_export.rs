//! CSV export of customers: 10,000 and 100,000 rows streamed over real HTTP
//! from `GET /api/v2/exports/customers`, read by a client that counts and
//! drops the bytes. For each size: the time, rows per second, and how far
//! the process's resident size rose above where it was before the export
//! (its peak, `VmHWM`, reset through `/proc/self/clear_refs`; the server and
//! the client are both this process). Bounded memory means the 100,000-row
//! figure stays near the 10,000-row one.
//!
//! Run: `cargo bench --bench csv_export` (figures go in BENCHMARKS.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::{io::Read, time::Instant};

use common::TestServer;
use ispbills::store::customers::{self, NewCustomer};

/// A line of `/proc/self/status` in kB (`VmRSS`, `VmHWM`).
fn status_kb(key: &str) -> usize {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|rest| rest.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap()
}

/// Resets the peak resident size (`VmHWM`) to the current one.
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}

fn seed(s: &TestServer, from: usize, to: usize) {
    for start in (from..to).step_by(10_000) {
        let end = (start + 10_000).min(to);
        s.state
            .db
            .write(move |tx| {
                for i in start..end {
                    customers::create(
                        tx,
                        &NewCustomer {
                            name: format!("গ্রাহক {i:06} Customer"),
                            phone: format!("017{i:08}"),
                            email: Some(format!("c{i}@example.com")),
                            address: Some(format!("House {i}, Road 7, Mirpur, Dhaka")),
                            connection_type: "pppoe".into(),
                            username: Some(format!("c{i:06}")),
                            ..NewCustomer::default()
                        },
                        time::OffsetDateTime::now_utc(),
                    )?;
                }
                Ok(())
            })
            .unwrap();
    }
}

/// Streams the export once: rows, bytes, seconds, the rise of the peak
/// resident size.
fn export(s: &TestServer, token: &str) -> (usize, usize, f64, usize) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    reset_peak();
    let base = status_kb("VmRSS:") * 1024;
    let started = Instant::now();
    let resp = agent
        .get(&s.url("/api/v2/exports/customers"))
        .header("authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut reader = resp.into_body().into_reader();
    let mut buf = vec![0u8; 64 * 1024];
    let (mut bytes, mut lines) = (0usize, 0usize);
    loop {
        let n = reader.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        bytes += n;
        lines += buf[..n].iter().filter(|b| **b == b'\n').count();
    }
    let secs = started.elapsed().as_secs_f64();
    let peak = (status_kb("VmHWM:") * 1024).saturating_sub(base);
    (lines - 1, bytes, secs, peak)
}

fn main() {
    let s = TestServer::start();
    let token = s.v2_admin_token();
    println!("csv_export: customers, streamed over HTTP, read and dropped by the client");
    let mut seeded = 0;
    for n in [10_000usize, 100_000] {
        seed(&s, seeded, n);
        seeded = n;
        // Once to warm the page cache, then measured.
        export(&s, &token);
        let (rows, bytes, secs, peak) = export(&s, &token);
        assert_eq!(rows, n);
        println!(
            "{n:>7} rows: {:>5.2} s, {:>7.0} rows/s, {:>6.1} MB, peak resident size above start {:>6.2} MB",
            secs,
            rows as f64 / secs,
            bytes as f64 / 1e6,
            peak as f64 / 1e6
        );
    }
}
