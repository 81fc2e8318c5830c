//! Webhooks end to end: the v2 CRUD, and deliveries to a real receiver on
//! loopback that verifies the signatures the way the guide tells integrators.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use base64::{engine::general_purpose::STANDARD, Engine};
use common::{
    receiver::{Answer, Receiver},
    TestServer,
};
use ispbills::{auth::principal::Tier, config::Config};
use poem::EndpointExt;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(10);

/// A server that may post to loopback receivers, retrying every second.
fn server() -> (TestServer, String) {
    server_with(|c| c)
}

fn server_with(tweak: impl FnOnce(Config) -> Config) -> (TestServer, String) {
    let s = TestServer::start_with(
        |mut c| {
            c.webhooks.allow_loopback = true;
            c.webhooks.retry_schedule = vec![0, 1, 1];
            tweak(c)
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    let token = s.v2_admin_token();
    (s, token)
}

fn create_hook(s: &TestServer, token: &str, url: &str, events: &[&str]) -> (i64, String) {
    let r = s.call(
        "POST",
        "/api/v2/webhooks",
        token,
        Some(json!({"url": url, "events": events, "active": true})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let data = &r.json()["data"];
    (
        data["id"].as_i64().unwrap(),
        data["secret"].as_str().unwrap().to_string(),
    )
}

fn create_customer(s: &TestServer, token: &str, n: u32) -> i64 {
    let r = s.call(
        "POST",
        "/api/v2/customers",
        token,
        Some(json!({"name": format!("Customer {n}"), "phone": format!("0171{n:07}")})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["data"]["id"].as_i64().unwrap()
}

/// The outbox id of the newest event of `kind`.
fn last_event_id(s: &TestServer, kind: &str) -> i64 {
    s.state
        .db
        .read(|c| ispbills::store::events::after(c, 0, 100_000))
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.id)
        .next_back()
        .unwrap()
}

fn deliveries(s: &TestServer, token: &str, hook: i64) -> Vec<Value> {
    let r = s.call(
        "GET",
        &format!("/api/v2/webhooks/{hook}/deliveries?per_page=100"),
        token,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["data"].as_array().unwrap().clone()
}

fn wait_deliveries(
    s: &TestServer,
    token: &str,
    hook: i64,
    what: &str,
    pred: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let d = deliveries(s, token, hook);
        if pred(&d) {
            return d;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}: {d:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn crud_shows_the_secret_once_and_validates() {
    let s = TestServer::start();
    let token = s.v2_admin_token();
    // Default config: loopback targets are refused when saved.
    let r = s.call(
        "POST",
        "/api/v2/webhooks",
        &token,
        Some(json!({"url": "http://127.0.0.1:9/hook", "events": ["customer.created"]})),
    );
    let err = r.assert_error(422, "VALIDATION_ERROR");
    assert!(
        err["details"]["url"][0]
            .as_str()
            .unwrap()
            .contains("loopback"),
        "{err}"
    );
    // The guide's example.
    let r = s.call(
        "POST",
        "/api/v2/webhooks",
        &token,
        Some(json!({
            "url": "https://your-server.example/webhooks/ispbills",
            "events": ["customer.created", "payment.received", "bill.generated"],
            "active": true
        })),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let created = r.json()["data"].clone();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        created["url"],
        "https://your-server.example/webhooks/ispbills"
    );
    assert_eq!(
        created["events"],
        json!(["customer.created", "payment.received", "bill.generated"])
    );
    assert_eq!(created["active"], true);
    let secret = created["secret"].as_str().unwrap().to_string();
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    assert!(key.len() >= 32, "secret of {} bytes", key.len());

    // Never again: not in the list, not in get, not in update.
    let list = s.call("GET", "/api/v2/webhooks", &token, None);
    assert_eq!(list.status, 200);
    assert_eq!(list.json()["meta"]["total"], 1);
    assert!(!list.body.contains(&secret) && !list.body.contains("secret"));
    let one = s.call("GET", &format!("/api/v2/webhooks/{id}"), &token, None);
    assert_eq!(one.json()["data"]["id"], id);
    assert!(one.json()["data"].get("secret").is_none());
    let r = s.call(
        "PUT",
        &format!("/api/v2/webhooks/{id}"),
        &token,
        Some(json!({"events": ["complaint.created", "complaint.created"], "active": false})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["data"]["events"], json!(["complaint.created"]));
    assert_eq!(r.json()["data"]["active"], false);
    assert_eq!(
        r.json()["data"]["url"],
        "https://your-server.example/webhooks/ispbills",
        "absent fields stay"
    );
    assert!(r.json()["data"].get("secret").is_none());

    // Rotation shows a new secret once.
    let r = s.call(
        "POST",
        &format!("/api/v2/webhooks/{id}/rotate-secret"),
        &token,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let rotated = r.json()["data"]["secret"].as_str().unwrap().to_string();
    assert!(rotated.starts_with("whsec_") && rotated != secret);

    // Secrets are sealed at rest: neither appears in the database files.
    s.state
        .db
        .write(move |tx| {
            tx.execute_batch("SELECT 1")?;
            Ok(())
        })
        .unwrap();
    for file in ["ispbills.db", "ispbills.db-wal"] {
        let bytes = std::fs::read(s.data_dir().join(file)).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&secret) && !text.contains(&rotated),
            "{file}"
        );
        assert!(!text.contains(&secret["whsec_".len()..]), "{file}");
    }

    // Validation: one message per field, in the envelope.
    for (body, field) in [
        (
            json!({"url": "ftp://x.example/", "events": ["customer.created"]}),
            "url",
        ),
        (
            json!({"url": "not a url", "events": ["customer.created"]}),
            "url",
        ),
        (json!({"events": ["customer.created"]}), "url"),
        (json!({"url": "https://x.example/"}), "events"),
        (json!({"url": "https://x.example/", "events": []}), "events"),
        (
            json!({"url": "https://x.example/", "events": ["customer.exploded"]}),
            "events",
        ),
        (
            json!({"url": "https://x.example/", "events": "customer.created"}),
            "events",
        ),
        (
            json!({"url": "https://x.example/", "events": ["customer.created"], "active": "yes"}),
            "active",
        ),
    ] {
        let r = s.call("POST", "/api/v2/webhooks", &token, Some(body.clone()));
        let err = r.assert_error(422, "VALIDATION_ERROR");
        assert!(err["details"][field].is_array(), "{body}: {err}");
    }
    let r = s.call(
        "PUT",
        &format!("/api/v2/webhooks/{id}"),
        &token,
        Some(json!({"url": "javascript:alert(1)"})),
    );
    r.assert_error(422, "VALIDATION_ERROR");

    // Scope webhooks:manage is needed.
    let (_, _, _, narrow) = s.v2_client_token("customers:read", Tier::Standard);
    s.call("GET", "/api/v2/webhooks", &narrow, None)
        .assert_error(403, "FORBIDDEN");

    // Delete, then it is gone.
    let r = s.call("DELETE", &format!("/api/v2/webhooks/{id}"), &token, None);
    assert_eq!(r.status, 204);
    s.call("GET", &format!("/api/v2/webhooks/{id}"), &token, None)
        .assert_error(404, "NOT_FOUND");
    s.call("DELETE", &format!("/api/v2/webhooks/{id}"), &token, None)
        .assert_error(404, "NOT_FOUND");
}

#[test]
fn deliveries_are_signed_and_verifiable_from_the_raw_body() {
    let rx = Receiver::ok();
    let (s, token) = server();
    let (hook, secret) = create_hook(
        &s,
        &token,
        &rx.url("/hooks/ispbills"),
        &["customer.created", "payment.received"],
    );
    let customer = create_customer(&s, &token, 1);
    let got = rx.wait_for(1, WAIT);
    let req = &got[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/hooks/ispbills");
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert!(req.signature_valid(&secret), "X-Signature must verify");
    assert!(!req.signature_valid("whsec_wrong"), "a wrong secret fails");
    assert!(req.standard_signature_valid(&secret), "webhook-signature");
    let event_id = last_event_id(&s, "customer.created").to_string();
    assert_eq!(req.header("x-webhook-id"), Some(event_id.as_str()));
    assert_eq!(req.header("webhook-id"), Some(event_id.as_str()));
    assert_eq!(req.header("x-webhook-event"), Some("customer.created"));
    let ts: i64 = req.header("x-webhook-timestamp").unwrap().parse().unwrap();
    assert!((ts - time::OffsetDateTime::now_utc().unix_timestamp()).abs() < 60);
    assert_eq!(
        req.header("webhook-timestamp"),
        req.header("x-webhook-timestamp")
    );

    // The body is exactly {"event","timestamp","data"}, in that order.
    let body = req.json();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["event", "timestamp", "data"]);
    let raw = String::from_utf8(req.body.clone()).unwrap();
    assert!(
        raw.starts_with(r#"{"event":"customer.created","timestamp":""#),
        "{raw}"
    );
    assert_eq!(body["event"], "customer.created");
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(body["data"]["customer_id"], customer);

    // payment.received carries the guide's fields.
    let r = s.call(
        "POST",
        "/api/v2/billing/payments",
        &token,
        Some(
            json!({"customer_id": customer, "amount": 500, "currency": "BDT",
                    "method": "bkash", "transaction_id": "TXN-9876"}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let got = rx.wait_for(2, WAIT);
    let pay = got
        .iter()
        .find(|r| r.json()["event"] == "payment.received")
        .unwrap();
    assert!(pay.signature_valid(&secret));
    let data = &pay.json()["data"];
    assert_eq!(data["customer_id"], customer);
    assert_eq!(data["amount"], 500);
    assert_eq!(data["currency"], "BDT");
    assert_eq!(data["method"], "bkash");
    assert_eq!(data["transaction_id"], "TXN-9876");

    // The delivery log shows both, delivered on the first attempt.
    let d = wait_deliveries(&s, &token, hook, "two delivered", |d| {
        d.len() == 2 && d.iter().all(|x| x["status"] == "delivered")
    });
    assert!(d
        .iter()
        .all(|x| x["attempts"] == 1 && x["last_status_code"] == 200));
    let detail = s.call(
        "GET",
        &format!("/api/v2/webhooks/{hook}/deliveries/{}", d[0]["id"]),
        &token,
        None,
    );
    assert_eq!(detail.status, 200, "{}", detail.body);
    let log = detail.json()["data"]["attempt_log"].clone();
    assert_eq!(log.as_array().unwrap().len(), 1);
    assert_eq!(log[0]["status_code"], 200);
    assert_eq!(log[0]["response_body"], "answer 200");
    let hook_now = s.call("GET", &format!("/api/v2/webhooks/{hook}"), &token, None);
    assert!(hook_now.json()["data"]["last_success_at"].is_string());
}

#[test]
fn inactive_unsubscribed_and_later_webhooks_receive_nothing_extra() {
    let rx = Receiver::ok();
    let (s, token) = server();
    create_customer(&s, &token, 1); // before any webhook: never sent
    let (_, _) = create_hook(&s, &token, &rx.url("/on"), &["customer.suspended"]);
    let (off, _) = create_hook(&s, &token, &rx.url("/off"), &["customer.created"]);
    s.call(
        "PUT",
        &format!("/api/v2/webhooks/{off}"),
        &token,
        Some(json!({"active": false})),
    );
    let (_, _) = create_hook(&s, &token, &rx.url("/created"), &["customer.created"]);
    let c = create_customer(&s, &token, 2);
    let v1 = s.login_admin_v1();
    let r = s.call(
        "POST",
        &format!("/api/v1/customers/{c}/action"),
        &v1,
        Some(json!({"action": "suspend", "reason": "unpaid"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    rx.wait_for(2, WAIT);
    std::thread::sleep(Duration::from_millis(1500));
    let got = rx.received();
    let seen: Vec<(String, String, i64)> = got
        .iter()
        .map(|r| {
            (
                r.path.clone(),
                r.json()["event"].as_str().unwrap().to_string(),
                r.json()["data"]["customer_id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen.contains(&("/created".into(), "customer.created".into(), c)));
    assert!(seen.contains(&("/on".into(), "customer.suspended".into(), c)));
}

#[test]
fn a_failing_receiver_is_retried_with_the_same_event_id_until_it_succeeds() {
    let rx = Receiver::start(|_, n| {
        if n < 2 {
            Answer::status(500)
        } else {
            Answer::ok()
        }
    });
    let (s, token) = server_with(|mut c| {
        c.webhooks.retry_schedule = vec![0, 1, 1, 1];
        c
    });
    let (hook, secret) = create_hook(&s, &token, &rx.url("/flaky"), &["customer.created"]);
    create_customer(&s, &token, 1);
    let got = rx.wait_for(3, WAIT);
    let ids: Vec<&str> = got
        .iter()
        .map(|r| r.header("x-webhook-id").unwrap())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert!(got.iter().all(|r| r.signature_valid(&secret)));
    assert!(
        got.windows(2).all(|w| w[0].body == w[1].body),
        "same body on every retry"
    );
    // About a second apart, as scheduled.
    let gap = got[1].at - got[0].at;
    assert!(gap >= Duration::from_millis(900), "{gap:?}");
    let d = wait_deliveries(&s, &token, hook, "delivered", |d| {
        d.len() == 1 && d[0]["status"] == "delivered"
    });
    assert_eq!(d[0]["attempts"], 3);
    let detail = s
        .call(
            "GET",
            &format!("/api/v2/webhooks/{hook}/deliveries/{}", d[0]["id"]),
            &token,
            None,
        )
        .json();
    let codes: Vec<i64> = detail["data"]["attempt_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 500, 200]);
    assert_eq!(
        detail["data"]["attempt_log"][0]["response_body"],
        "answer 500"
    );
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(rx.received().len(), 3, "nothing after success");
}

#[test]
fn attempts_run_out_and_the_delivery_fails() {
    let rx = Receiver::start(|_, _| Answer::status(503));
    let (s, token) = server(); // schedule 0,1,1: three attempts
    let (hook, _) = create_hook(&s, &token, &rx.url("/down"), &["customer.created"]);
    create_customer(&s, &token, 1);
    let d = wait_deliveries(&s, &token, hook, "failed", |d| {
        d.len() == 1 && d[0]["status"] == "failed"
    });
    assert_eq!(d[0]["attempts"], 3);
    assert_eq!(d[0]["last_status_code"], 503);
    assert!(d[0]["next_attempt_at"].is_null());
    assert_eq!(rx.received().len(), 3);
    let hook_now = s
        .call("GET", &format!("/api/v2/webhooks/{hook}"), &token, None)
        .json();
    assert!(hook_now["data"]["failing_since"].is_string());
    assert_eq!(hook_now["data"]["active"], true, "not yet five days");
}

#[test]
fn gone_switches_the_webhook_off_with_a_reason() {
    let rx = Receiver::start(|_, _| Answer::status(410));
    let (s, token) = server();
    let (hook, _) = create_hook(&s, &token, &rx.url("/gone"), &["customer.created"]);
    create_customer(&s, &token, 1);
    rx.wait_for(1, WAIT);
    let deadline = std::time::Instant::now() + WAIT;
    let data = loop {
        let h = s
            .call("GET", &format!("/api/v2/webhooks/{hook}"), &token, None)
            .json();
        if h["data"]["active"] == false {
            break h["data"].clone();
        }
        assert!(std::time::Instant::now() < deadline, "{h}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        data["disabled_reason"].as_str().unwrap().contains("410"),
        "{data}"
    );
    let d = deliveries(&s, &token, hook);
    assert_eq!(d[0]["status"], "failed");
    assert_eq!(d[0]["attempts"], 1, "410 is not retried");
    // Switched off: later events are not sent, tests are refused.
    create_customer(&s, &token, 2);
    s.call(
        "POST",
        &format!("/api/v2/webhooks/{hook}/test"),
        &token,
        None,
    )
    .assert_error(409, "CONFLICT");
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(rx.received().len(), 1);
    // Switching it on again clears the reason.
    let r = s.call(
        "PUT",
        &format!("/api/v2/webhooks/{hook}"),
        &token,
        Some(json!({"active": true})),
    );
    assert_eq!(r.json()["data"]["active"], true);
    assert!(r.json()["data"]["disabled_reason"].is_null());
}

#[test]
fn redirects_are_not_followed() {
    let rx = Receiver::start(|req, _| {
        if req.path == "/moved" {
            let mut a = Answer::status(302);
            a.location = Some("/elsewhere".into());
            a
        } else {
            Answer::ok()
        }
    });
    let (s, token) = server();
    let (hook, _) = create_hook(&s, &token, &rx.url("/moved"), &["customer.created"]);
    create_customer(&s, &token, 1);
    let d = wait_deliveries(&s, &token, hook, "failed", |d| {
        d.len() == 1 && d[0]["status"] == "failed"
    });
    assert_eq!(d[0]["last_status_code"], 302);
    let paths: Vec<String> = rx.received().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/moved", "/moved", "/moved"]);
}

#[test]
fn a_slow_endpoint_does_not_delay_another_and_times_out() {
    let slow = Receiver::start(|_, _| Answer::ok().after(Duration::from_secs(4)));
    let fast = Receiver::ok();
    let (s, token) = server_with(|mut c| {
        c.webhooks.timeout_secs = 1;
        c.webhooks.concurrency_per_endpoint = 1;
        c.webhooks.retry_schedule = vec![0, 60];
        c
    });
    let (slow_hook, _) = create_hook(&s, &token, &slow.url("/slow"), &["customer.created"]);
    create_hook(&s, &token, &fast.url("/fast"), &["customer.created"]);
    let started = std::time::Instant::now();
    for n in 0..5 {
        create_customer(&s, &token, n);
    }
    fast.wait_for(5, WAIT);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the fast endpoint waited for the slow one: {:?}",
        started.elapsed()
    );
    let d = wait_deliveries(&s, &token, slow_hook, "a timed-out attempt", |d| {
        d.iter().any(|x| x["attempts"] == 1)
    });
    let timed_out = d.iter().find(|x| x["attempts"] == 1).unwrap();
    assert_eq!(timed_out["status"], "pending");
    assert!(timed_out["last_status_code"].is_null());
    assert!(
        timed_out["last_error"]
            .as_str()
            .unwrap()
            .contains("timed out"),
        "{timed_out}"
    );
}

#[test]
fn test_ping_and_redelivery_use_the_same_signing() {
    let rx = Receiver::ok();
    let (s, token) = server();
    let (hook, secret) = create_hook(&s, &token, &rx.url("/ping"), &["customer.created"]);
    let r = s.call(
        "POST",
        &format!("/api/v2/webhooks/{hook}/test"),
        &token,
        None,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.json()["data"]["event"], "webhook.test");
    assert_eq!(r.json()["data"]["status"], "pending");
    let got = rx.wait_for(1, WAIT);
    assert_eq!(got[0].json()["event"], "webhook.test");
    assert_eq!(got[0].json()["data"]["webhook_id"], hook);
    assert!(got[0].signature_valid(&secret));

    create_customer(&s, &token, 1);
    let got = rx.wait_for(2, WAIT);
    let original = got[1].clone();
    let d = wait_deliveries(&s, &token, hook, "two delivered", |d| {
        d.len() == 2 && d.iter().all(|x| x["status"] == "delivered")
    });
    let customer_delivery = d.iter().find(|x| x["event"] == "customer.created").unwrap();
    let r = s.call(
        "POST",
        &format!(
            "/api/v2/webhooks/{hook}/deliveries/{}/redeliver",
            customer_delivery["id"]
        ),
        &token,
        None,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.json()["data"]["redelivery_of"], customer_delivery["id"]);
    assert_eq!(r.json()["data"]["event_id"], customer_delivery["event_id"]);
    let got = rx.wait_for(3, WAIT);
    assert_eq!(
        got[2].header("x-webhook-id"),
        original.header("x-webhook-id")
    );
    assert_eq!(got[2].body, original.body);
    assert!(got[2].signature_valid(&secret));
    s.call(
        "POST",
        &format!("/api/v2/webhooks/{hook}/deliveries/999999/redeliver"),
        &token,
        None,
    )
    .assert_error(404, "NOT_FOUND");
    // Status filter.
    let r = s.call(
        "GET",
        &format!("/api/v2/webhooks/{hook}/deliveries?status=failed"),
        &token,
        None,
    );
    assert_eq!(r.json()["meta"]["total"], 0);
    s.call(
        "GET",
        &format!("/api/v2/webhooks/{hook}/deliveries?status=nope"),
        &token,
        None,
    )
    .assert_error(422, "VALIDATION_ERROR");
}

#[test]
fn a_rotated_secret_signs_the_next_delivery() {
    let rx = Receiver::ok();
    let (s, token) = server();
    let (hook, old) = create_hook(&s, &token, &rx.url("/r"), &["customer.created"]);
    let new = s
        .call(
            "POST",
            &format!("/api/v2/webhooks/{hook}/rotate-secret"),
            &token,
            None,
        )
        .json()["data"]["secret"]
        .as_str()
        .unwrap()
        .to_string();
    create_customer(&s, &token, 1);
    let got = rx.wait_for(1, WAIT);
    assert!(got[0].signature_valid(&new));
    assert!(!got[0].signature_valid(&old));
}

#[test]
fn loopback_targets_are_refused_at_connect_time_too() {
    // Saved behind the API's back (as if the policy changed since): the
    // resolver still refuses to dial it.
    let rx = Receiver::ok();
    let s = TestServer::start();
    let token = s.v2_admin_token();
    let sealed = s
        .state
        .seal_key
        .seal(ispbills::events::worker::SECRET_PURPOSE, "whsec_AAAA")
        .unwrap();
    let url = rx.url("/sneaky");
    let hook = s
        .state
        .db
        .write(move |tx| {
            ispbills::store::webhooks::create(
                tx,
                &ispbills::store::webhooks::WebhookFields {
                    url,
                    events: vec!["customer.created".into()],
                    active: true,
                },
                &sealed,
                "2026-01-01T00:00:00Z",
            )
        })
        .unwrap()
        .id;
    create_customer(&s, &token, 1);
    let d = wait_deliveries(&s, &token, hook, "an attempt", |d| {
        d.iter().any(|x| x["attempts"].as_i64() >= Some(1))
    });
    assert!(
        d[0]["last_error"].as_str().unwrap().contains("loopback"),
        "{}",
        d[0]
    );
    assert!(rx.received().is_empty());
}

#[test]
fn complaints_crud_and_complaint_created_is_delivered() {
    let rx = Receiver::ok();
    let (s, token) = server();
    let (_, secret) = create_hook(&s, &token, &rx.url("/support"), &["complaint.created"]);
    let customer = create_customer(&s, &token, 1);
    let staff = s.create_staff(
        "tech@example.com",
        ispbills::domain::staff::Role::Support,
        "a long password 1",
    );
    let r = s.call(
        "POST",
        "/api/v2/complaints",
        &token,
        Some(
            json!({"customer_id": customer, "subject": "No internet since morning",
                    "body": "ONU LOS light is red", "priority": "high"}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let c = r.json()["data"].clone();
    assert_eq!(c["status"], "open");
    assert_eq!(c["priority"], "high");
    assert!(c["assigned_to"].is_null());
    let id = c["id"].as_i64().unwrap();
    let got = rx.wait_for(1, WAIT);
    assert!(got[0].signature_valid(&secret));
    let body = got[0].json();
    assert_eq!(body["event"], "complaint.created");
    assert_eq!(body["data"]["id"], id);
    assert_eq!(body["data"]["customer_id"], customer);
    assert_eq!(body["data"]["subject"], "No internet since morning");

    let r = s.call(
        "PUT",
        &format!("/api/v2/complaints/{id}"),
        &token,
        Some(json!({"status": "resolved", "assigned_to": staff})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["data"]["status"], "resolved");
    assert_eq!(r.json()["data"]["assigned_to"], staff);
    assert!(r.json()["data"]["resolved_at"].is_string());
    assert_eq!(r.json()["data"]["subject"], "No internet since morning");
    let r = s.call(
        "PUT",
        &format!("/api/v2/complaints/{id}"),
        &token,
        Some(json!({"status": "open", "assigned_to": null})),
    );
    assert!(r.json()["data"]["resolved_at"].is_null());
    assert!(r.json()["data"]["assigned_to"].is_null());

    let list = s.call(
        "GET",
        &format!("/api/v2/complaints?customer_id={customer}&status=open"),
        &token,
        None,
    );
    assert_eq!(list.json()["meta"]["total"], 1);
    let list = s.call("GET", "/api/v2/complaints?status=closed", &token, None);
    assert_eq!(list.json()["meta"]["total"], 0);

    for (body, field) in [
        (json!({"subject": "x"}), "customer_id"),
        (
            json!({"customer_id": 999_999, "subject": "x"}),
            "customer_id",
        ),
        (json!({"customer_id": customer}), "subject"),
        (
            json!({"customer_id": customer, "subject": "x", "status": "lost"}),
            "status",
        ),
        (
            json!({"customer_id": customer, "subject": "x", "priority": 9}),
            "priority",
        ),
        (
            json!({"customer_id": customer, "subject": "x", "assigned_to": 999_999}),
            "assigned_to",
        ),
        (
            json!({"customer_id": customer, "subject": "s".repeat(201)}),
            "subject",
        ),
    ] {
        let r = s.call("POST", "/api/v2/complaints", &token, Some(body.clone()));
        let err = r.assert_error(422, "VALIDATION_ERROR");
        assert!(err["details"][field].is_array(), "{body}: {err}");
    }
    let (_, _, _, read_only) = s.v2_client_token("customers:read", Tier::Standard);
    s.call(
        "POST",
        "/api/v2/complaints",
        &read_only,
        Some(json!({"customer_id": customer, "subject": "x"})),
    )
    .assert_error(403, "FORBIDDEN");
    assert_eq!(
        s.call("GET", &format!("/api/v2/complaints/{id}"), &read_only, None)
            .status,
        200
    );
    assert_eq!(
        s.call("DELETE", &format!("/api/v2/complaints/{id}"), &token, None)
            .status,
        204
    );
    s.call("GET", &format!("/api/v2/complaints/{id}"), &token, None)
        .assert_error(404, "NOT_FOUND");
    assert_eq!(rx.received().len(), 1, "only creation is an event");
}

#[test]
fn failing_for_days_switches_the_webhook_off_and_old_deliveries_expire() {
    use std::sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    };
    let clock = Arc::new(ispbills::clock::ManualClock::new(
        time::macros::datetime!(2026-03-01 00:00 UTC),
    ));
    let up = Arc::new(AtomicBool::new(false));
    let answer = up.clone();
    let rx = Receiver::start(move |_, _| {
        if answer.load(Ordering::SeqCst) {
            Answer::ok()
        } else {
            Answer::status(500)
        }
    });
    let s = TestServer::start_full(
        |mut c| {
            c.webhooks.allow_loopback = true;
            c.webhooks.retry_schedule = vec![0];
            c
        },
        clock.clone(),
        |state| ispbills::app::routes(state).boxed(),
    );
    let mut token = s.v2_admin_token();
    let (hook, _) = create_hook(&s, &token, &rx.url("/days"), &["customer.created"]);
    let state = |token: &str, what: &str, n: usize| {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            // The deliveries first: the webhook read after them includes
            // what their last attempt recorded (same transaction).
            let d = deliveries(&s, token, hook);
            let finished = d.len() == n && d.iter().all(|d| d["status"] != "pending");
            if finished {
                return s
                    .call("GET", &format!("/api/v2/webhooks/{hook}"), token, None)
                    .json()["data"]
                    .clone();
            }
            assert!(std::time::Instant::now() < deadline, "{what}: {d:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let day = time::Duration::days(1);
    create_customer(&s, &token, 1);
    let h = state(&token, "first failure", 1);
    assert_eq!(h["failing_since"], "2026-03-01T00:00:00Z");
    // A success ends the streak.
    clock.advance(day * 4);
    token = s.v2_admin_token();
    up.store(true, Ordering::SeqCst);
    create_customer(&s, &token, 2);
    let h = state(&token, "success", 2);
    assert!(h["failing_since"].is_null(), "{h}");
    up.store(false, Ordering::SeqCst);
    create_customer(&s, &token, 3);
    let h = state(&token, "new streak", 3);
    assert_eq!(h["failing_since"], "2026-03-05T00:00:00Z");
    clock.advance(day * 4);
    token = s.v2_admin_token();
    create_customer(&s, &token, 4);
    let h = state(&token, "four days", 4);
    assert_eq!(h["active"], true, "{h}");
    clock.advance(day + time::Duration::minutes(1));
    token = s.v2_admin_token();
    create_customer(&s, &token, 5);
    let h = state(&token, "five days", 5);
    assert_eq!(h["active"], false, "{h}");
    let reason = h["disabled_reason"].as_str().unwrap();
    assert!(
        reason.contains("2026-03-05T00:00:00Z") && reason.contains("5 days"),
        "{reason}"
    );
    assert_eq!(rx.received().len(), 5);

    // Finished deliveries are kept 30 days.
    assert_eq!(deliveries(&s, &token, hook).len(), 5);
    let keep = ispbills::jobs::retention::Retention {
        request_log_days: 30,
        webhook_delivery_days: 30,
        router_data_days: 30,
        monitoring_days: 30,
        radius_session_days: 180,
        audit_days: 365,
    };
    clock.advance(day * 25);
    token = s.v2_admin_token();
    ispbills::jobs::retention::run_once(&s.state.db, clock.as_ref(), keep).unwrap();
    assert_eq!(
        deliveries(&s, &token, hook).len(),
        2,
        "the last two are younger"
    );
    clock.advance(day * 10);
    token = s.v2_admin_token();
    ispbills::jobs::retention::run_once(&s.state.db, clock.as_ref(), keep).unwrap();
    assert!(deliveries(&s, &token, hook).is_empty());
}

/// `customer.updated` names the fields an edit changed (a password only by
/// name); `package.changed` says from which package to which. Each is
/// delivered once, and a hook that chose neither gets neither.
#[test]
fn an_edit_and_a_package_change_are_delivered_once_with_what_changed() {
    let rx = Receiver::ok();
    let (s, token) = server();
    let (_, _) = create_hook(&s, &token, &rx.url("/edits"), &["customer.updated"]);
    let (_, _) = create_hook(&s, &token, &rx.url("/plans"), &["package.changed"]);
    let (_, _) = create_hook(&s, &token, &rx.url("/created"), &["customer.created"]);
    let home = s.create_package("Home 10", 500);
    let fast = s.create_package("Fast 40", 1200);
    let c = create_customer(&s, &token, 7);
    let edit = |body: Value| {
        let r = s.call("PUT", &format!("/api/v2/customers/{c}"), &token, Some(body));
        assert_eq!(r.status, 200, "{}", r.body);
    };
    edit(json!({"phone": "01812345678", "password": "a-new-secret-1"}));
    edit(json!({"package_id": home}));
    edit(json!({"package_id": fast, "name": "Customer Seven"}));
    // Nothing changed: no event.
    edit(json!({"name": "Customer Seven"}));
    rx.wait_for(5, WAIT);
    std::thread::sleep(Duration::from_millis(1500));
    let got = rx.received();
    // In the order the events happened (deliveries may arrive in any order).
    let on = |path: &str| -> Vec<Value> {
        let mut mine: Vec<_> = got.iter().filter(|r| r.path == path).collect();
        mine.sort_by_key(|r| {
            r.header("x-webhook-id")
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap()
        });
        mine.into_iter().map(|r| r.json()).collect()
    };
    let edits = on("/edits");
    assert_eq!(edits.len(), 3, "{edits:?}");
    assert!(edits.iter().all(|e| e["event"] == "customer.updated"));
    assert_eq!(edits[0]["data"]["customer_id"], c);
    assert_eq!(edits[0]["data"]["phone"], "01812345678");
    assert_eq!(
        edits[0]["data"]["changed"],
        json!(["login_password", "phone"])
    );
    assert!(!edits[0].to_string().contains("a-new-secret-1"));
    assert!(edits[1]["data"]["changed"]
        .as_array()
        .unwrap()
        .contains(&json!("package_id")));
    assert!(edits[2]["data"]["changed"]
        .as_array()
        .unwrap()
        .contains(&json!("name")));
    let plans = on("/plans");
    assert_eq!(plans.len(), 2, "{plans:?}");
    assert_eq!(plans[0]["event"], "package.changed");
    assert_eq!(plans[0]["data"]["previous_package"], json!(null));
    assert_eq!(plans[0]["data"]["package"]["id"], home);
    assert_eq!(
        plans[1]["data"]["previous_package"],
        json!({"id": home, "name": "Home 10"})
    );
    assert_eq!(
        plans[1]["data"]["package"],
        json!({"id": fast, "name": "Fast 40"})
    );
    assert_eq!(on("/created").len(), 1);
    assert_eq!(got.len(), 6, "nothing else was sent");
}
