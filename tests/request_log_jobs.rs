//! The request log's worker and retention: entries queued just before a stop are
//! still written; old rows, expired revocations and sessions are cleaned up.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::TestServer;
use ispbills::{
    clock::{Clock, ManualClock},
    jobs::retention,
    store::{
        auth_tokens,
        request_log::{self, RequestLogEntry, RequestLogFilter},
        Db,
    },
};
use time::macros::datetime;

#[test]
fn entries_queued_before_a_stop_are_written() {
    let s = TestServer::start();
    for _ in 0..25 {
        s.get("/api/v2/not-here");
    }
    // Stop at once, well inside the one-second batching interval.
    let dir = s.stop();
    let db = Db::open(dir.path(), 1).unwrap();
    let (_, total) = db
        .read(|c| request_log::list(c, &RequestLogFilter::default(), 10, 0))
        .unwrap();
    assert_eq!(total, 25);
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
    }
}

#[test]
fn retention_removes_what_is_past_its_time() {
    let dir = tempfile::TempDir::new().unwrap();
    let db = Db::open(dir.path(), 1).unwrap();
    let clock = Arc::new(ManualClock::new(datetime!(2026-06-30 12:00:00 UTC)));
    db.write(|tx| {
        request_log::append(
            tx,
            &[
                entry("2026-05-01T00:00:00Z"),
                entry("2026-05-31T11:59:59Z"),
                entry("2026-05-31T12:00:01Z"),
                entry("2026-06-30T11:00:00Z"),
            ],
        )?;
        auth_tokens::revoke_jti(tx, "gone", clock.now().unix_timestamp() - 1)?;
        auth_tokens::revoke_jti(tx, "kept", clock.now().unix_timestamp() + 600)?;
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
        },
    )
    .unwrap();
    assert_eq!(removed, 3, "two log rows and one revocation");
    let (rows, total) = db
        .read(|c| request_log::list(c, &RequestLogFilter::default(), 10, 0))
        .unwrap();
    assert_eq!(total, 2);
    assert_eq!(rows[1].entry.at, "2026-05-31T12:00:01Z");
    assert!(db.read(|c| auth_tokens::is_jti_revoked(c, "kept")).unwrap());
    assert!(!db.read(|c| auth_tokens::is_jti_revoked(c, "gone")).unwrap());
}
