//! Prepaid customers (packages billed by days): expiry suspends, a payment
//! renews by the validity and reactivates, credit renews automatically in the
//! billing run, and an operator's renewal debits its balance at the wholesale
//! price (refused, changing nothing, when the balance is too low).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::TestServer;
use ispbills::{
    clock::ManualClock,
    domain::visibility::Visibility,
    domain::{money::Money, staff::Role},
    jobs::billing,
    store::{billing_run, operators, payments, prepaid, staff_users},
};
use serde_json::{json, Value};
use time::macros::{date, datetime};

fn prepaid_package(s: &TestServer, token: &str, wholesale: Option<f64>) -> i64 {
    let mut body = json!({"name": "Prepaid 30 days", "price": 500, "speed_down_kbps": 10240,
                          "speed_up_kbps": 10240, "billing_cycle": "days", "validity_days": 30});
    if let Some(w) = wholesale {
        body["wholesale_price"] = json!(w);
    }
    let r = s.call("POST", "/api/v2/packages", token, Some(body));
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["data"]["id"].as_i64().unwrap()
}

fn customer(s: &TestServer, token: &str, package: i64) -> serde_json::Value {
    let r = s.call(
        "POST",
        "/api/v1/customers",
        token,
        Some(json!({"name": "Sadia", "phone": "01812345678", "package_id": package})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["data"].clone()
}

#[test]
fn expiry_suspends_and_payment_renews_and_reactivates() {
    let clock = Arc::new(ManualClock::new(datetime!(2026-04-01 06:00:00 UTC)));
    let s = TestServer::start_on(clock.clone());
    let v2 = s.v2_admin_token();
    let pkg = prepaid_package(&s, &v2, None);
    let c = customer(&s, &s.login_admin_v1(), pkg);
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["expires_at"], "2026-04-01T06:00:00Z", "nothing paid yet");

    // Unpaid: the next run suspends.

    clock.set(datetime!(2026-05-02 06:00:00 UTC));
    let report = billing::run_for(
        &s.state.db,
        &s.state.config,
        clock.as_ref(),
        date!(2026 - 05 - 02),
    )
    .unwrap();
    assert_eq!(report.customers_suspended, 1);
    let get = |s: &TestServer| {
        s.call(
            "GET",
            &format!("/api/v2/customers/{id}"),
            &s.v2_admin_token(),
            None,
        )
        .json()["data"]
            .clone()
    };
    assert_eq!(get(&s)["status"], "suspended");

    let v2 = s.v2_admin_token();
    let r = s.call(
        "POST",
        "/api/v2/billing/payments",
        &v2,
        Some(
            json!({"customer_id": id, "amount": 1000, "method": "bkash", "transaction_id": "BK-1"}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let after = get(&s);
    assert_eq!(after["status"], "active", "{after}");
    assert_eq!(
        after["expires_at"], "2026-07-01T06:00:00Z",
        "two periods from now"
    );
    assert_eq!(after["balance"], json!(0));

    // Credit renews in the run when the period ends.
    let r = s.call(
        "POST",
        "/api/v2/billing/payments",
        &v2,
        Some(json!({"customer_id": id, "amount": 200, "method": "cash"})),
    );
    assert_eq!(r.status, 201);
    assert_eq!(
        get(&s)["balance"],
        json!(200),
        "not enough for a period yet"
    );
    clock.set(datetime!(2026-07-02 06:00:00 UTC));
    billing::run_for(
        &s.state.db,
        &s.state.config,
        clock.as_ref(),
        date!(2026 - 07 - 02),
    )
    .unwrap();
    assert_eq!(get(&s)["status"], "suspended");
}

#[test]
fn an_operators_renewal_is_paid_from_its_balance() {
    let clock = Arc::new(ManualClock::new(datetime!(2026-04-01 06:00:00 UTC)));
    let s = TestServer::start_on(clock.clone());
    let v2 = s.v2_admin_token();
    let admin = s.login_admin_v1();
    let pkg = prepaid_package(&s, &v2, Some(400.0));
    let op = s
        .call(
            "POST",
            "/api/v1/operators",
            &admin,
            Some(json!({"name": "Badda Broadband"})),
        )
        .json()["data"]["id"]
        .as_i64()
        .unwrap();
    s.call(
        "POST",
        &format!("/api/v1/operators/{op}/fund"),
        &admin,
        Some(json!({"amount": 300})),
    );
    let hash = ispbills::auth::password::hash("reseller password 1").unwrap();
    let now = s.state.clock.now();
    s.state
        .db
        .write(move |tx| {
            staff_users::create(
                tx,
                &staff_users::NewStaffUser {
                    email: "staff@badda.example",
                    name: "Badda staff",
                    role: Role::OperatorStaff,
                    password_hash: &hash,
                    operator_id: Some(op),
                },
                now,
            )
        })
        .unwrap();
    let reseller = s.login("staff@badda.example", "reseller password 1").json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let c = customer(&s, &reseller, pkg);
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["operator_id"], op);

    // A renewal made by the reseller (its staff record the payment) debits the
    // operator at the wholesale price (400): with 300 it is refused and nothing
    // — not even the payment — is written.
    let renew_as_operator = || {
        let now = s.state.clock.now();
        s.state.db.write(move |tx| {
            payments::record(
                tx,
                &payments::NewPayment {
                    customer_id: id,
                    bill_id: None,
                    amount: Money(50_000),
                    currency: "BDT".into(),
                    method: "cash".into(),
                    transaction_id: None,
                },
                Visibility::ALL,
                &ispbills::clock::format_timestamp(now),
            )?;
            billing_run::after_payment(
                tx,
                id,
                prepaid::RenewedBy::Operator,
                date!(2026 - 04 - 01),
                3,
                now,
            )
        })
    };
    let err = renew_as_operator().unwrap_err();
    assert!(err.to_string().contains("balance is too low"), "{err}");
    let payments: i64 = s
        .state
        .db
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM payments", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(payments, 0);

    s.call(
        "POST",
        &format!("/api/v1/operators/{op}/fund"),
        &admin,
        Some(json!({"amount": 1000})),
    );
    renew_as_operator().unwrap();
    let ops = s.call("GET", "/api/v1/operators", &admin, None).json();
    assert_eq!(
        ops["data"][0]["balance"],
        json!(900),
        "1300 funded, one renewal at 400"
    );
    let sum = s
        .state
        .db
        .read(move |c| operators::ledger_sum(c, op))
        .unwrap();
    assert_eq!(sum, Money(90_000));
    // The ledger says the same, newest first (what a reseller's staff see of
    // it is proved in tests/reseller_boundary.rs).
    {
        let token = &s.v2_admin_token();
        let r = s.call(
            "GET",
            &format!("/api/v2/operators/{op}/ledger"),
            token,
            None,
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let ledger = r.json();
        assert_eq!(ledger["meta"]["total"], 3, "{ledger}");
        let moves: Vec<(String, String, Value)> = ledger["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["kind"].as_str().unwrap().into(),
                    e["direction"].as_str().unwrap().into(),
                    e["amount"].clone(),
                )
            })
            .collect();
        assert_eq!(
            moves,
            vec![
                ("renewal".into(), "out".into(), json!(400)),
                ("fund".into(), "in".into(), json!(1000)),
                ("fund".into(), "in".into(), json!(300)),
            ]
        );
        assert_eq!(ledger["data"][0]["customer_id"], id);
    }
    let r = s.call(
        "GET",
        "/api/v2/operators/999/ledger",
        &s.v2_admin_token(),
        None,
    );
    assert_eq!(r.status, 404, "{}", r.body);
    let after = s
        .call(
            "GET",
            &format!("/api/v2/customers/{id}"),
            &s.v2_admin_token(),
            None,
        )
        .json()["data"]
        .clone();
    assert_eq!(
        after["expires_at"], "2026-05-01T06:00:00Z",
        "one period bought (nothing was paid before)"
    );
    assert_eq!(after["balance"], json!(0));

    // An ISP payment renews without touching the operator's balance.
    let r = s.call(
        "POST",
        "/api/v2/billing/payments",
        &s.v2_admin_token(),
        Some(json!({"customer_id": id, "amount": 500, "method": "cash"})),
    );
    assert_eq!(r.status, 201);
    let ops = s.call("GET", "/api/v1/operators", &admin, None).json();
    assert_eq!(ops["data"][0]["balance"], json!(900));
}

#[test]
fn credit_renews_in_the_run_only_with_auto_renew() {
    let clock = Arc::new(ManualClock::new(datetime!(2026-04-01 06:00:00 UTC)));
    let s = TestServer::start_on(clock.clone());
    let v2 = s.v2_admin_token();
    let pkg = prepaid_package(&s, &v2, None);
    let admin = s.login_admin_v1();
    let renewing = customer(&s, &admin, pkg)["id"].as_i64().unwrap();
    let manual = customer(&s, &admin, pkg)["id"].as_i64().unwrap();
    s.state
        .db
        .write(move |tx| {
            tx.execute(
                "UPDATE subscriptions SET auto_renew = 0 WHERE customer_id = ?1",
                [manual],
            )?;
            // Credit of one period each, as if paid in advance.
            tx.execute(
                "UPDATE customers SET balance_minor = 50000 WHERE id IN (?1, ?2)",
                [renewing, manual],
            )?;
            Ok(())
        })
        .unwrap();
    clock.set(datetime!(2026-05-01 07:00:00 UTC));
    let report = billing::run_for(
        &s.state.db,
        &s.state.config,
        clock.as_ref(),
        date!(2026 - 05 - 01),
    )
    .unwrap();
    assert_eq!(report.customers_suspended, 1);
    let get = |id: i64| {
        s.call(
            "GET",
            &format!("/api/v2/customers/{id}"),
            &s.v2_admin_token(),
            None,
        )
        .json()["data"]
            .clone()
    };
    assert_eq!(get(renewing)["status"], "active");
    assert_eq!(get(renewing)["expires_at"], "2026-05-31T07:00:00Z");
    assert_eq!(get(renewing)["balance"], json!(0));
    assert_eq!(get(manual)["status"], "suspended");
    assert_eq!(get(manual)["balance"], json!(500));
}

#[test]
fn changing_package_buys_no_time() {
    let clock = Arc::new(ManualClock::new(datetime!(2026-04-01 06:00:00 UTC)));
    let s = TestServer::start_on(clock.clone());
    let v2 = s.v2_admin_token();
    let pkg = prepaid_package(&s, &v2, None);
    let other = s
        .call("POST", "/api/v2/packages", &v2, Some(json!({"name": "Prepaid 7 days", "price": 150, "speed_down_kbps": 5120,
                                                             "speed_up_kbps": 5120, "billing_cycle": "days", "validity_days": 7})))
        .json()["data"]["id"]
        .as_i64()
        .unwrap();
    let id = customer(&s, &s.login_admin_v1(), pkg)["id"]
        .as_i64()
        .unwrap();
    let r = s.call(
        "POST",
        "/api/v2/billing/payments",
        &v2,
        Some(json!({"customer_id": id, "amount": 500, "method": "cash"})),
    );
    assert_eq!(r.status, 201);
    clock.set(datetime!(2026-04-10 06:00:00 UTC));
    let r = s.call(
        "PUT",
        &format!("/api/v2/customers/{id}"),
        &s.v2_admin_token(),
        Some(json!({"package_id": other})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["data"]["expires_at"],
        "2026-05-01T06:00:00Z",
        "the paid period, unchanged"
    );
}
