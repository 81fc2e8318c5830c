//! Bills over v2 (the guide's example exactly) and v1: validation, updates,
//! cancellation and deletion rules, the bill.generated event, a customer's
//! bills, and reseller isolation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::TestServer;
use ispbills::clock::ManualClock;
use serde_json::{json, Value};
use time::macros::datetime;

fn server() -> TestServer {
    TestServer::start_on(Arc::new(ManualClock::new(
        datetime!(2026-04-15 00:00:00 UTC),
    )))
}

fn customer(s: &TestServer, token: &str) -> i64 {
    let r = s.call(
        "POST",
        "/api/v2/customers",
        token,
        Some(json!({"name": "Fatima Begum", "phone": "01898765432"})),
    );
    r.json()["data"]["id"].as_i64().unwrap()
}

#[test]
fn the_guides_bill_example() {
    let s = server();
    let token = s.v2_admin_token();
    let id = customer(&s, &token);
    let r = s.call(
        "POST",
        "/api/v2/billing/bills",
        &token,
        Some(json!({
            "customer_id": id,
            "amount": 1500,
            "currency": "BDT",
            "due_date": "2026-05-01",
            "description": "Monthly subscription — Fiber 200 Mbps (May 2026)"
        })),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let bill = r.json()["data"].clone();
    for (k, v) in [
        ("customer_id", json!(id)),
        ("amount", json!(1500)),
        ("currency", json!("BDT")),
        ("status", json!("unpaid")),
        ("due_date", json!("2026-05-01")),
        (
            "description",
            json!("Monthly subscription — Fiber 200 Mbps (May 2026)"),
        ),
        ("created_at", json!("2026-04-15T00:00:00Z")),
    ] {
        assert_eq!(bill[k], v, "{k}");
    }
    let bill_id = bill["id"].as_i64().unwrap();
    assert_eq!(
        s.call(
            "GET",
            &format!("/api/v2/billing/bills/{bill_id}"),
            &token,
            None
        )
        .json()["data"],
        bill
    );
    let (kind, payload) = s
        .events()
        .into_iter()
        .find(|(k, _)| k == "bill.generated")
        .unwrap();
    assert_eq!(kind, "bill.generated");
    assert_eq!(payload["bill_id"], bill_id);
    assert_eq!(payload["amount"], json!(1500));
    let mine = s
        .call(
            "GET",
            &format!("/api/v2/customers/{id}/bills"),
            &token,
            None,
        )
        .json();
    assert_eq!(mine["meta"]["total"], 1);
    let v1 = s
        .call(
            "GET",
            "/api/v1/bills?status=unpaid",
            &s.login_admin_v1(),
            None,
        )
        .json();
    assert_eq!(v1["data"][0]["id"], bill_id);
}

#[test]
fn bill_validation() {
    let s = server();
    let token = s.v2_admin_token();
    let id = customer(&s, &token);
    let base = json!({"customer_id": id, "amount": 1500, "due_date": "2026-05-01"});
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"amount": -5}),
            "amount",
            "The amount must be at least 0.",
        ),
        (
            json!({"amount": 0}),
            "amount",
            "The amount must be greater than 0.",
        ),
        (
            json!({"amount": 10.005}),
            "amount",
            "The amount may have at most 2 decimal places.",
        ),
        (
            json!({"amount": "1500"}),
            "amount",
            "The amount must be a number.",
        ),
        (
            json!({"due_date": "2026-02-30"}),
            "due_date",
            "The due date must be a date (YYYY-MM-DD).",
        ),
        (
            json!({"due_date": null}),
            "due_date",
            "The due date field is required.",
        ),
        (
            json!({"customer_id": 999}),
            "customer_id",
            "The selected customer is invalid.",
        ),
        (
            json!({"currency": "taka"}),
            "currency",
            "The currency must be a three-letter code",
        ),
        (
            json!({"period_start": "2026-05-31", "period_end": "2026-05-01"}),
            "period_end",
            "The period end must not be before",
        ),
    ];
    for (patch, field, message) in cases {
        let mut body = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let err = s
            .call("POST", "/api/v2/billing/bills", &token, Some(body))
            .assert_error(422, "VALIDATION_ERROR");
        let msg = err["details"][field][0]
            .as_str()
            .unwrap_or_else(|| panic!("{field}: {err}"));
        assert!(msg.starts_with(message), "{field}: {msg}");
    }
    assert!(
        s.events().iter().all(|(k, _)| k != "bill.generated"),
        "no event for refused bills"
    );
}

#[test]
fn update_cancel_and_delete_rules() {
    let s = server();
    let token = s.v2_admin_token();
    let id = customer(&s, &token);
    let mk = || {
        s.call(
            "POST",
            "/api/v2/billing/bills",
            &token,
            Some(json!({"customer_id": id, "amount": 800.5, "due_date": "2026-05-01"})),
        )
        .json()["data"]["id"]
            .as_i64()
            .unwrap()
    };
    let a = mk();
    let r = s.call(
        "PUT",
        &format!("/api/v2/billing/bills/{a}"),
        &token,
        Some(json!({"amount": 900, "due_date": "2026-05-10", "status": "paid"})),
    );
    r.assert_error(422, "VALIDATION_ERROR");
    let r = s.call(
        "PUT",
        &format!("/api/v2/billing/bills/{a}"),
        &token,
        Some(json!({"amount": 900, "due_date": "2026-05-10"})),
    );
    assert_eq!(
        (
            r.json()["data"]["amount"].clone(),
            r.json()["data"]["due_date"].clone()
        ),
        (json!(900), json!("2026-05-10"))
    );
    let r = s.call(
        "PUT",
        &format!("/api/v2/billing/bills/{a}"),
        &token,
        Some(json!({"status": "cancelled"})),
    );
    assert_eq!(r.json()["data"]["status"], "cancelled");
    s.call(
        "PUT",
        &format!("/api/v2/billing/bills/{a}"),
        &token,
        Some(json!({"amount": 1})),
    )
    .assert_error(409, "CONFLICT");
    let b = mk();
    // One bill per customer and period.
    let period = json!({"customer_id": id, "amount": 10, "due_date": "2026-05-01", "period_start": "2026-05-01"});
    assert_eq!(
        s.call(
            "POST",
            "/api/v2/billing/bills",
            &token,
            Some(period.clone())
        )
        .status,
        201
    );
    s.call("POST", "/api/v2/billing/bills", &token, Some(period))
        .assert_error(409, "CONFLICT");
    // A customer with bills cannot be deleted (the bills are money records).
    s.call("DELETE", &format!("/api/v2/customers/{id}"), &token, None)
        .assert_error(409, "CONFLICT");
    assert_eq!(
        s.call(
            "DELETE",
            &format!("/api/v2/billing/bills/{b}"),
            &token,
            None
        )
        .status,
        204
    );
    s.call("GET", &format!("/api/v2/billing/bills/{b}"), &token, None)
        .assert_error(404, "NOT_FOUND");
    s.call("GET", "/api/v2/customers/999/bills", &token, None)
        .assert_error(404, "NOT_FOUND");
    let (_, _, _, reader) =
        s.v2_client_token("billing:read", ispbills::auth::principal::Tier::Standard);
    s.call(
        "POST",
        "/api/v2/billing/bills",
        &reader,
        Some(json!({"customer_id": id, "amount": 1, "due_date": "2026-05-01"})),
    )
    .assert_error(403, "FORBIDDEN");
}

#[test]
fn bills_group_into_numbered_monthly_invoices() {
    let s = server();
    let token = s.v2_admin_token();
    let a = customer(&s, &token);
    let b = s
        .call(
            "POST",
            "/api/v2/customers",
            &token,
            Some(json!({"name": "Other", "phone": "01711111111"})),
        )
        .json()["data"]["id"]
        .as_i64()
        .unwrap();
    let bill = |c: i64, amount: i64, due: &str| {
        let r = s.call(
            "POST",
            "/api/v2/billing/bills",
            &token,
            Some(json!({"customer_id": c, "amount": amount, "due_date": due})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()["data"]["id"].as_i64().unwrap()
    };
    let may1 = bill(a, 500, "2026-05-01");
    let may2 = bill(a, 300, "2026-05-20");
    let june = bill(a, 800, "2026-06-01");
    let other = bill(b, 100, "2026-05-05");
    let pay = s.call(
        "POST",
        "/api/v2/billing/payments",
        &token,
        Some(json!({"customer_id": a, "amount": 600, "method": "cash"})),
    );
    assert_eq!(pay.status, 201);
    let inv = s
        .call(
            "GET",
            &format!("/api/v1/invoices?customer_id={a}"),
            &s.login_admin_v1(),
            None,
        )
        .json();
    assert_eq!(inv["meta"]["total"], 2);
    let may = inv["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["period"] == "2026-05")
        .unwrap()
        .clone();
    assert_eq!(may["number"], "INV-2026-000001");
    assert_eq!(may["bill_ids"], json!([may1, may2]));
    assert_eq!(may["total"], json!(800));
    assert_eq!(may["paid"], json!(600));
    assert_eq!(may["due"], json!(200));
    assert_eq!(may["status"], "open");
    assert_eq!(may["payment_ids"].as_array().unwrap().len(), 1);
    let numbers: Vec<String> = s
        .call(
            "GET",
            "/api/v1/invoices?per_page=100",
            &s.login_admin_v1(),
            None,
        )
        .json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = numbers.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["INV-2026-000001", "INV-2026-000002", "INV-2026-000003"]
    );
    let _ = (june, other);
}
