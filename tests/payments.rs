//! Payments: settling oldest bills first (partial, paid, credit), the seed's
//! event payload, one payment per gateway transaction even under 20 concurrent
//! identical callbacks, and Idempotency-Key replay and mismatch.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::TestServer;
use serde_json::json;

fn setup(s: &TestServer, token: &str) -> (i64, i64, i64) {
    let c = s
        .call(
            "POST",
            "/api/v2/customers",
            token,
            Some(json!({"name": "Rafiq", "phone": "01712345678"})),
        )
        .json()["data"]["id"]
        .as_i64()
        .unwrap();
    let bill = |amount: f64, due: &str| {
        s.call(
            "POST",
            "/api/v2/billing/bills",
            token,
            Some(json!({"customer_id": c, "amount": amount, "due_date": due})),
        )
        .json()["data"]["id"]
            .as_i64()
            .unwrap()
    };
    let newer = bill(500.0, "2026-06-01");
    let older = bill(800.5, "2026-05-01");
    (c, older, newer)
}

#[test]
fn payments_settle_oldest_first_then_credit() {
    let s = TestServer::start();
    let token = s.v2_admin_token();
    let (c, older, newer) = setup(&s, &token);
    let r = s.call(
        "POST",
        "/api/v2/billing/payments",
        &token,
        Some(json!({"customer_id": c, "amount": 1000, "currency": "BDT", "method": "bkash", "transaction_id": "TXN-9876"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let body = r.json();
    assert_eq!(body["data"]["amount"], json!(1000));
    assert_eq!(body["data"]["method"], "bkash");
    assert_eq!(
        body["allocations"],
        json!([{"bill_id": older, "amount": 800.5}, {"bill_id": newer, "amount": 199.5}])
    );
    assert_eq!(body["credit"], json!(0));
    let get = |id: i64| {
        s.call("GET", &format!("/api/v2/billing/bills/{id}"), &token, None)
            .json()["data"]
            .clone()
    };
    assert_eq!(get(older)["status"], "paid");
    assert_eq!(get(newer)["status"], "partial");
    assert_eq!(get(newer)["paid_amount"], json!(199.5));

    let r = s.call(
        "POST",
        "/api/v2/billing/payments",
        &token,
        Some(json!({"customer_id": c, "amount": 400.55, "method": "cash"})),
    );
    assert_eq!(r.json()["credit"], json!(100.05));
    assert_eq!(get(newer)["status"], "paid");
    let customer = s
        .call("GET", &format!("/api/v2/customers/{c}"), &token, None)
        .json();
    assert_eq!(customer["data"]["balance"], json!(100.05));

    let (_, payload) = s
        .events()
        .into_iter()
        .find(|(k, _)| k == "payment.received")
        .unwrap();
    for (k, v) in [
        ("customer_id", json!(c)),
        ("amount", json!(1000)),
        ("currency", json!("BDT")),
        ("method", json!("bkash")),
        ("transaction_id", json!("TXN-9876")),
    ] {
        assert_eq!(payload[k], v, "{k}");
    }
    assert_eq!(
        s.call(
            "GET",
            &format!("/api/v2/customers/{c}/payments"),
            &token,
            None
        )
        .json()["meta"]["total"],
        2
    );
    assert_eq!(
        s.call("GET", "/api/v1/payments", &s.login_admin_v1(), None)
            .json()["meta"]["total"],
        2
    );
}

#[test]
fn a_repeated_gateway_callback_pays_nothing() {
    let s = TestServer::start();
    let token = s.v2_admin_token();
    let (c, older, _) = setup(&s, &token);
    let body =
        json!({"customer_id": c, "amount": 100, "method": "nagad", "transaction_id": "NG-1"});
    assert_eq!(
        s.call(
            "POST",
            "/api/v2/billing/payments",
            &token,
            Some(body.clone())
        )
        .status,
        201
    );
    s.call("POST", "/api/v2/billing/payments", &token, Some(body))
        .assert_error(409, "CONFLICT");
    let bill = s
        .call(
            "GET",
            &format!("/api/v2/billing/bills/{older}"),
            &token,
            None,
        )
        .json();
    assert_eq!(bill["data"]["paid_amount"], json!(100));
    // Twenty identical callbacks at once: one payment.
    let body =
        json!({"customer_id": c, "amount": 50, "method": "rocket", "transaction_id": "RK-7"});
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|_| {
                scope.spawn(|| {
                    s.call(
                        "POST",
                        "/api/v2/billing/payments",
                        &token,
                        Some(body.clone()),
                    )
                    .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        19,
        "{statuses:?}"
    );
    let rows: i64 = s
        .state
        .db
        .read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM payments WHERE transaction_id = 'RK-7'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(rows, 1);
}

#[test]
fn idempotency_keys_replay_and_refuse_other_bodies() {
    let s = TestServer::start();
    let token = s.v2_admin_token();
    let (c, _, _) = setup(&s, &token);
    let auth = format!("Bearer {token}");
    let post = |key: &str, body: serde_json::Value| {
        s.send(
            "POST",
            "/api/v2/billing/payments",
            &[
                ("authorization", auth.as_str()),
                ("content-type", "application/json"),
                ("idempotency-key", key),
            ],
            Some(body.to_string().as_bytes()),
        )
    };
    let body = json!({"customer_id": c, "amount": 75, "method": "cash"});
    let first = post("k-1", body.clone());
    assert_eq!(first.status, 201);
    let again = post(
        "k-1",
        json!({"method": "cash", "amount": 75, "customer_id": c}),
    );
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body, "the first answer, replayed");
    let err = post(
        "k-1",
        json!({"customer_id": c, "amount": 76, "method": "cash"}),
    )
    .assert_error(422, "VALIDATION_ERROR");
    assert!(err["details"]["Idempotency-Key"].is_array());
    let payments: i64 = s
        .state
        .db
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM payments", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(payments, 1);
    // Validation of the body itself.
    for (bad, field) in [
        (
            json!({"customer_id": c, "amount": 0, "method": "cash"}),
            "amount",
        ),
        (
            json!({"customer_id": c, "amount": 1.001, "method": "cash"}),
            "amount",
        ),
        (
            json!({"customer_id": c, "amount": 10, "method": "cheque"}),
            "method",
        ),
        (
            json!({"customer_id": 999, "amount": 10, "method": "cash"}),
            "customer_id",
        ),
        (
            json!({"customer_id": c, "amount": 10, "method": "cash", "bill_id": 999}),
            "bill_id",
        ),
    ] {
        let err = s
            .call("POST", "/api/v2/billing/payments", &token, Some(bad))
            .assert_error(422, "VALIDATION_ERROR");
        assert!(err["details"][field].is_array(), "{field}: {err}");
    }
}

#[test]
fn the_dashboard_shows_the_money() {
    use std::sync::Arc;
    use time::macros::datetime;
    // 10:00 in Dhaka on 20 May.
    let clock = Arc::new(ispbills::clock::ManualClock::new(
        datetime!(2026-05-20 04:00:00 UTC),
    ));
    let s = TestServer::start_on(clock.clone());
    let token = s.v2_admin_token();
    let (c, _, _) = setup(&s, &token);
    let pay = |amount: f64| {
        let r = s.call(
            "POST",
            "/api/v2/billing/payments",
            &s.v2_admin_token(),
            Some(json!({"customer_id": c, "amount": amount, "method": "cash"})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
    };
    clock.set(datetime!(2026-04-30 17:00:00 UTC)); // 23:00 on 30 April, Dhaka: last month
    pay(100.0);
    clock.set(datetime!(2026-05-02 04:00:00 UTC));
    pay(200.0);
    clock.set(datetime!(2026-05-20 04:00:00 UTC));
    pay(50.25);
    let d = s
        .call("GET", "/api/v1/dashboard", &s.login_admin_v1(), None)
        .json()["data"]["billing"]
        .clone();
    assert_eq!(d["revenue_this_month"], json!(250.25));
    assert_eq!(d["collections_today"], json!(50.25));
    // Bills 800.50 + 500 = 1300.50, paid 350.25.
    assert_eq!(d["unpaid_total"], json!(950.25));
}

#[test]
fn every_money_post_honours_idempotency_keys() {
    let s = TestServer::start();
    let token = s.v2_admin_token();
    let (c, _, _) = setup(&s, &token);
    let post = |path: &str, token: &str, key: &str, body: serde_json::Value| {
        let auth = format!("Bearer {token}");
        s.send(
            "POST",
            path,
            &[
                ("authorization", auth.as_str()),
                ("content-type", "application/json"),
                ("idempotency-key", key),
            ],
            Some(body.to_string().as_bytes()),
        )
    };
    // A bill.
    let body = json!({"customer_id": c, "amount": 99, "due_date": "2026-07-01"});
    let a = post("/api/v2/billing/bills", &token, "bill-1", body.clone());
    let b = post("/api/v2/billing/bills", &token, "bill-1", body);
    assert_eq!((a.status, b.status), (201, 201));
    assert_eq!(a.body, b.body);
    // Operator funds.
    let admin = s.login_admin_v1();
    let op = s
        .call(
            "POST",
            "/api/v1/operators",
            &admin,
            Some(json!({"name": "Op"})),
        )
        .json()["data"]["id"]
        .as_i64()
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            post(
                &format!("/api/v1/operators/{op}/fund"),
                &admin,
                "fund-1",
                json!({"amount": 100})
            )
            .status,
            200
        );
    }
    assert_eq!(
        s.call("GET", "/api/v1/operators", &admin, None).json()["data"][0]["balance"],
        json!(100)
    );
    post(
        &format!("/api/v1/operators/{op}/fund"),
        &admin,
        "fund-1",
        json!({"amount": 101}),
    )
    .assert_error(422, "VALIDATION_ERROR");
    // Twenty concurrent payments with one key: one payment, twenty identical answers.
    let body = json!({"customer_id": c, "amount": 10, "method": "cash"});
    let answers: Vec<(u16, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|_| {
                let body = body.clone();
                let post = &post;
                let token = token.clone();
                scope.spawn(move || {
                    let r = post("/api/v2/billing/payments", &token, "pay-1", body);
                    (r.status, r.body)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(answers
        .iter()
        .all(|(status, body)| *status == 201 && *body == answers[0].1));
    let payments: i64 = s
        .state
        .db
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM payments", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(payments, 1);
    let bills: i64 = s
        .state
        .db
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM bills", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(bills, 3, "two from setup, one keyed");
}

#[test]
fn a_customer_with_payments_is_not_deleted() {
    let s = TestServer::start();
    let token = s.v2_admin_token();
    let c = s
        .call(
            "POST",
            "/api/v2/customers",
            &token,
            Some(json!({"name": "Credit only", "phone": "01712345678"})),
        )
        .json()["data"]["id"]
        .as_i64()
        .unwrap();
    let r = s.call(
        "POST",
        "/api/v2/billing/payments",
        &token,
        Some(json!({"customer_id": c, "amount": 10, "method": "cash"})),
    );
    assert_eq!(r.status, 201);
    s.call("DELETE", &format!("/api/v2/customers/{c}"), &token, None)
        .assert_error(409, "CONFLICT");
}
