//! The request log's worker and retention: entries queued just before a stop are
//! still written; old rows, expired revocations and sessions are cleaned up;
//! rejected requests of unknown callers are counted per address and minute;
//! the row cap drops the oldest rows; time filters find their rows by id.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::TestServer;
use ispbills::{
    clock::{Clock, ManualClock},
    jobs::retention,
    store::{
        audit, auth_tokens,
        request_log::{self, RequestLogEntry, RequestLogFilter},
        test_database,
    },
};
use poem::EndpointExt;
use time::macros::datetime;

#[test]
fn entries_queued_before_a_stop_are_written() {
    let s = TestServer::start();
    for _ in 0..25 {
        s.get("/api/v2/not-here");
    }
    // Stop at once, well inside the one-second batching interval.
    let dir = s.stop();
    let db = test_database::open(dir.path(), 1).unwrap();
    let (rows, total) = db
        .read(|c| request_log::list(c, &RequestLogFilter::default(), 10, 0))
        .unwrap();
    // Rejected requests of an unknown caller: counted in one row per minute.
    assert!(total <= 2, "{rows:?}");
    assert_eq!(rows.iter().map(|r| r.entry.requests()).sum::<i64>(), 25);
}

fn entry(at: &str) -> RequestLogEntry {
    RequestLogEntry {
        at: at.into(),
        api_client_id: None,
        staff_user_id: None,
        method: "GET".into(),
        route: "unmatched".into(),
        path: "/api/x".into(),
        status: 404,
        duration_ms: 1,
        ip: None,
        count: None,
    }
}

#[test]
fn retention_removes_what_is_past_its_time() {
    let dir = tempfile::TempDir::new().unwrap();
    let db = test_database::open(dir.path(), 1).unwrap();
    let clock = Arc::new(ManualClock::new(datetime!(2026-06-30 12:00:00 UTC)));
    let unix = clock.now().unix_timestamp();
    db.write(move |tx| {
        request_log::append(
            tx,
            &[
                entry("2026-05-01T00:00:00Z"),
                entry("2026-05-31T11:59:59Z"),
                entry("2026-05-31T12:00:01Z"),
                entry("2026-06-30T11:00:00Z"),
            ],
        )?;
        auth_tokens::revoke_jti(tx, "gone", unix - 1)?;
        let who = audit::Who::job("test");
        for at in ["2025-06-29T23:59:59Z", "2025-07-01T00:00:00Z"] {
            let entry = audit::Entry {
                action: "customer.updated",
                resource_type: "customer",
                resource_id: Some(1),
                customer_id: Some(1),
                reason: None,
                changes: audit::Changes::default(),
            };
            audit::record(tx, &who, &entry, at)?;
        }
        auth_tokens::revoke_jti(tx, "kept", unix + 600)?;
        Ok(())
    })
    .unwrap();
    let removed = retention::run_once(
        &db,
        clock.as_ref(),
        retention::Retention {
            request_log_days: 30,
            webhook_delivery_days: 30,
            router_data_days: 30,
            monitoring_days: 30,
            radius_session_days: 180,
            audit_days: 365,
        },
    )
    .unwrap();
    assert_eq!(
        removed, 4,
        "two log rows, one revocation and the audit row over a year old"
    );
    let (trail, total) = db
        .read(|c| {
            audit::list(
                c,
                ispbills::domain::visibility::Visibility::ALL,
                &audit::AuditFilter::default(),
                10,
                0,
            )
        })
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(trail[0].at, "2025-07-01T00:00:00Z");
    let (rows, total) = db
        .read(|c| request_log::list(c, &RequestLogFilter::default(), 10, 0))
        .unwrap();
    assert_eq!(total, 2);
    assert_eq!(rows[1].entry.at, "2026-05-31T12:00:01Z");
    assert!(db.read(|c| auth_tokens::is_jti_revoked(c, "kept")).unwrap());
    assert!(!db.read(|c| auth_tokens::is_jti_revoked(c, "gone")).unwrap());
}

/// The server behind a trusted proxy on loopback (so `X-Forwarded-For` names
/// the client address), on a clock the test moves.
fn behind_proxy(max_rows: u64) -> (TestServer, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(datetime!(2026-04-10 08:00:05 UTC)));
    let s = TestServer::start_full(
        |mut c| {
            c.server.trusted_proxies = vec!["127.0.0.0/8".into()];
            c.api.request_log_max_rows = max_rows;
            c
        },
        clock.clone(),
        |state| ispbills::app::routes(state).boxed(),
    );
    (s, clock)
}

fn get_from(s: &TestServer, path: &str, from: &str) -> common::Reply {
    s.send("GET", path, &[("x-forwarded-for", from)], None)
}

fn log_rows(s: &TestServer) -> i64 {
    s.state
        .db
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM api_request_log", [], |r| r.get(0))?))
        .unwrap()
}

#[test]
fn rejected_requests_of_unknown_callers_are_counted_per_address_and_minute() {
    let (s, clock) = behind_proxy(1_000_000);
    let addresses = ["203.0.113.1", "203.0.113.2", "198.51.100.7"];
    let per_minute = 40;
    let minutes = 2;
    for minute in 0..minutes {
        // In two halves, the first written before the second is sent, so the
        // second adds to rows already stored.
        for half in 0..2 {
            for _ in 0..per_minute / 2 {
                for ip in addresses {
                    get_from(&s, "/api/v2/customers", ip).assert_error(401, "UNAUTHENTICATED");
                }
            }
            let sent = addresses.len() * per_minute * minute
                + addresses.len() * per_minute / 2 * (half + 1);
            s.wait_for_log_rows(sent as i64);
        }
        clock.advance(time::Duration::seconds(60));
    }
    let rejected = (addresses.len() * per_minute * minutes) as i64;
    s.wait_for_log_rows(rejected);
    assert_eq!(
        log_rows(&s),
        (addresses.len() * minutes) as i64,
        "one row per address and minute"
    );

    // Requests of a known caller keep a row each (after the token exchange's own).
    let (client, _, _, token) = s.v2_client_token("*", ispbills::auth::principal::Tier::HighVolume);
    for _ in 0..3 {
        assert_eq!(s.get_auth("/api/v2/customers", &token).status, 200);
    }
    s.wait_for_log_rows(rejected + 4);
    assert_eq!(log_rows(&s), (addresses.len() * minutes) as i64 + 4);

    // The listing shows the counts as entries with `count`.
    let body = s
        .get_auth("/api/v2/logs/api-requests?status=401&per_page=100", &token)
        .json();
    assert_eq!(body["meta"]["total"], addresses.len() * minutes, "{body}");
    for row in body["data"].as_array().unwrap() {
        assert_eq!(row["count"], per_minute, "{row}");
        assert_eq!(row["path"], "/api/v2/customers");
        assert_eq!(row["route"], "/api/v2/customers");
        assert_eq!(row["method"], "GET");
        assert_eq!(row["client_id"], serde_json::Value::Null);
    }
    let newest = &body["data"][0];
    assert_eq!(newest["at"], "2026-04-10T08:01:05Z");
    let body = s
        .get_auth(
            &format!("/api/v2/logs/api-requests?client_id={}", client.id),
            &token,
        )
        .json();
    assert_eq!(body["meta"]["total"], 3, "{body}");
    assert!(body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["count"] == 1));
    // A time range covers the counted rows of its minute.
    let body = s
        .get_auth(
            "/api/v2/logs/api-requests?status=401&from=2026-04-10T08:00:00Z&to=2026-04-10T08:00:59Z",
            &token,
        )
        .json();
    assert_eq!(body["meta"]["total"], addresses.len(), "{body}");
}

#[test]
fn the_row_cap_drops_the_oldest_rows() {
    let cap = 10;
    let (s, _clock) = behind_proxy(cap);
    // Each from its own address: a counted row each.
    let sent = 25;
    for i in 0..sent {
        get_from(&s, &format!("/api/v2/nope/{i}"), &format!("203.0.113.{i}"))
            .assert_error(404, "NOT_FOUND");
    }
    let last = format!("203.0.113.{}", sent - 1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while s
        .state
        .db
        .read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM api_request_log WHERE ip = ?1",
                [&last],
                |r| r.get::<_, i64>(0),
            )?)
        })
        .unwrap()
        == 0
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the last request was not logged"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(log_rows(&s), cap as i64);
    let (rows, total) = s
        .state
        .db
        .read(|c| request_log::list(c, &RequestLogFilter::default(), 100, 0))
        .unwrap();
    assert_eq!(total, cap);
    let paths: Vec<String> = rows.into_iter().map(|r| r.entry.path).collect();
    let newest: Vec<String> = (sent - cap as usize..sent)
        .rev()
        .map(|i| format!("/api/v2/nope/{i}"))
        .collect();
    assert_eq!(
        paths, newest,
        "the newest rows are kept, the oldest dropped"
    );
}

#[test]
fn time_filters_find_their_rows_and_times_never_go_backwards() {
    let dir = tempfile::TempDir::new().unwrap();
    let db = test_database::open(dir.path(), 1).unwrap();
    // 1,000 entries, one a minute; a second batch whose clock went back.
    let start = datetime!(2026-06-01 00:00:00 UTC);
    let at = |m: i64| ispbills::clock::format_timestamp(start + time::Duration::minutes(m));
    let first: Vec<RequestLogEntry> = (0..1000).map(|m| entry(&at(m))).collect();
    db.write(move |tx| request_log::append(tx, &first)).unwrap();
    let late = [entry(&at(5)), entry(&at(1000))];
    db.write(move |tx| request_log::append(tx, &late)).unwrap();
    let (rows, _) = db
        .read(|c| request_log::list(c, &RequestLogFilter::default(), 3, 0))
        .unwrap();
    let times: Vec<&str> = rows.iter().map(|r| r.entry.at.as_str()).collect();
    assert_eq!(
        times,
        [at(1000), at(999), at(999)],
        "the late entry took the last time"
    );

    let count = |from: Option<i64>, to: Option<i64>| {
        let filter = RequestLogFilter {
            from: from.map(at),
            to: to.map(at),
            ..RequestLogFilter::default()
        };
        db.read(|c| request_log::list(c, &filter, 1, 0)).unwrap().1
    };
    assert_eq!(count(None, None), 1002);
    assert_eq!(count(Some(0), None), 1002);
    assert_eq!(count(Some(1), None), 1001);
    assert_eq!(count(Some(500), Some(599)), 100);
    assert_eq!(count(Some(999), None), 3);
    assert_eq!(count(None, Some(0)), 1);
    assert_eq!(count(None, Some(998)), 999);
    assert_eq!(count(Some(1001), None), 0);
    assert_eq!(count(None, Some(-1)), 0);
    for (from, to) in [(17, 17), (0, 999), (250, 251), (998, 1000)] {
        let want = (from..=to).filter(|&m| m < 1000).count() as u64
            + if (from..=to).contains(&999) { 1 } else { 0 }
            + if (from..=to).contains(&1000) { 1 } else { 0 };
        assert_eq!(count(Some(from), Some(to)), want, "{from}..={to}");
    }
}

/// A batch larger than one insert statement holds, with counted entries in
/// it whose row was written earlier in the same batch: every row is there in
/// order, and the counts add up on the first one's row.
#[test]
fn a_long_batch_keeps_its_order_and_adds_counts_to_rows_of_the_same_batch() {
    let dir = tempfile::TempDir::new().unwrap();
    let db = test_database::open(dir.path(), 1).unwrap();
    let batch: Vec<RequestLogEntry> = (0..150)
        .map(|i| {
            let mut e = entry(&format!("2026-06-01T00:00:{:02}Z", i / 3));
            if [10, 70, 140].contains(&i) {
                e.ip = Some("192.0.2.7".into());
                e.count = Some(if i == 10 { 1 } else { 3 });
            } else {
                e.path = format!("/api/p{i}");
            }
            e
        })
        .collect();
    db.write(move |tx| request_log::append(tx, &batch)).unwrap();
    let (rows, total) = db
        .read(|c| request_log::list(c, &RequestLogFilter::default(), 200, 0))
        .unwrap();
    assert_eq!(total, 148, "two counted entries joined the first one's row");
    let paths: Vec<String> = rows.iter().rev().map(|r| r.entry.path.clone()).collect();
    let want: Vec<String> = (0..150)
        .filter(|i| ![70, 140].contains(i))
        .map(|i| {
            if i == 10 {
                "/api/x".to_string()
            } else {
                format!("/api/p{i}")
            }
        })
        .collect();
    assert_eq!(paths, want, "rows in the order they came");
    let counted = rows.iter().find(|r| r.entry.count.is_some()).unwrap();
    assert_eq!(counted.entry.count, Some(7));
}
