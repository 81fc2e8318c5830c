//! Refunds of online payments: through bKash's refund API (at once) and
//! SSLCommerz's (maybe "processing" first, then settled by the refund
//! check), or recorded for a manual send-money payment. The books follow:
//! credit the payment left is taken back first, then the bills it settled
//! reopen; `payment.refunded` is written; more than was paid is never
//! refunded; a refused refund moves nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{
    bkash_sim::{self, BkashSim},
    panel::log_in_with,
    pay_fixtures::{customer, start_payment, suspended_customer, visit},
    sslcommerz_sim::{self, Outcome, SslCommerzSim},
    TestServer,
};
use ispbills::{config::Config, domain::staff::Role, drivers::payments::config::Secret};
use poem::EndpointExt;
use serde_json::{json, Value};

fn with_gateways(bkash: &BkashSim, ssl: &SslCommerzSim, mut c: Config) -> Config {
    bkash.configure(&mut c);
    let g = &mut c.payments.sslcommerz;
    (g.enabled, g.base_url, g.timeout_secs) = (true, ssl.base_url(), 2);
    g.store_id = sslcommerz_sim::STORE_ID.into();
    g.store_passwd = Secret(sslcommerz_sim::STORE_PASSWD.into());
    c.payments.status_check_secs = 1;
    c.billing.run_at = "23:59".into();
    c
}

struct World {
    bkash: BkashSim,
    ssl: SslCommerzSim,
    s: TestServer,
}

fn world() -> World {
    let (bkash, ssl) = (BkashSim::start(), SslCommerzSim::start());
    let s = TestServer::start_with(
        |c| with_gateways(&bkash, &ssl, c),
        |state| ispbills::app::routes(state).boxed(),
    );
    World { bkash, ssl, s }
}

/// Pays everything due with SSLCommerz through the stand-in (its IPN says
/// VALID); answers the online payment's id and reference.
fn pay_sslcommerz(w: &World, token: &str) -> (i64, String) {
    let started = start_payment(&w.s, token, json!({"gateway": "sslcommerz"}));
    let reference = started["payment"]["reference"]
        .as_str()
        .unwrap()
        .to_string();
    w.ssl.act(&reference, Outcome::Valid);
    assert_eq!(w.ssl.send_ipn(&reference).status, 200);
    (started["payment"]["id"].as_i64().unwrap(), reference)
}

/// Pays `body` (bKash) through the stand-in; answers the online payment.
fn pay_bkash(w: &World, token: &str, body: Value) -> Value {
    let started = start_payment(&w.s, token, body);
    let url = started["redirect_url"].as_str().unwrap();
    let pid = url.rsplit('/').next().unwrap();
    assert_eq!(visit(&w.bkash.customer_redirect(pid)).0, 303);
    online_by_id(w, started["payment"]["id"].as_i64().unwrap())
}

fn online_by_id(w: &World, id: i64) -> Value {
    let r = w.s.call(
        "GET",
        "/api/v2/billing/online-payments?per_page=100",
        &w.s.v2_admin_token(),
        None,
    );
    let all = r.json()["data"].as_array().unwrap().clone();
    all.into_iter().find(|p| p["id"] == id).unwrap()
}

fn refund(w: &World, id: i64, body: Value) -> (u16, Value) {
    let r = w.s.call(
        "POST",
        &format!("/api/v2/billing/online-payments/{id}/refund"),
        &w.s.v2_admin_token(),
        Some(body),
    );
    (r.status, r.json())
}

fn bill(w: &World, id: i64) -> Value {
    let r = w.s.call(
        "GET",
        &format!("/api/v2/billing/bills/{id}"),
        &w.s.v2_admin_token(),
        None,
    );
    r.json()["data"].clone()
}

fn refunded_events(w: &World) -> Vec<Value> {
    w.s.state
        .db
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT payload FROM events WHERE type = 'payment.refunded' ORDER BY id",
            )?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows
                .map(|r| serde_json::from_str(&r.unwrap()).unwrap())
                .collect())
        })
        .unwrap()
}

#[test]
fn a_bkash_refund_reopens_the_bill_it_settled() {
    let w = world();
    let (id, bill_id, token) = suspended_customer(&w.s);
    let paid = pay_bkash(&w, &token, json!({"gateway": "bkash", "bill_id": bill_id}));
    assert_eq!(paid["state"], "paid");
    assert_eq!(bill(&w, bill_id)["status"], "paid");
    let opid = paid["id"].as_i64().unwrap();
    // Part of it: the bill is partly paid again.
    let (status, r) = refund(&w, opid, json!({"amount": 200, "reason": "Overcharged"}));
    assert_eq!(status, 201, "{r}");
    assert_eq!(r["data"]["state"], "refunded", "{r}");
    assert!(r["data"]["gateway_refund_id"]
        .as_str()
        .unwrap()
        .starts_with("SIMR"));
    let b = bill(&w, bill_id);
    assert_eq!(
        (b["status"].as_str(), b["paid_amount"].as_f64()),
        (Some("partial"), Some(300.0)),
        "{b}"
    );
    let sim_payment = w.bkash.payments().pop().unwrap();
    assert_eq!(sim_payment.refunds.len(), 1);
    assert_eq!(sim_payment.refunds[0].amount, "200.00");
    assert_eq!(online_by_id(&w, opid)["refunded"], 200);
    // More than is left: refused, nothing sent to bKash.
    let (status, r) = refund(&w, opid, json!({"amount": 400, "reason": "x"}));
    assert_eq!(status, 422, "{r}");
    // The rest (no amount): the bill is unpaid again.
    let (status, r) = refund(&w, opid, json!({"reason": "Leaving"}));
    assert_eq!(
        (status, r["data"]["amount"].as_f64()),
        (201, Some(300.0)),
        "{r}"
    );
    assert_eq!(bill(&w, bill_id)["status"], "unpaid");
    let events = refunded_events(&w);
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["amount"], 200);
    assert_eq!(events[0]["reopened_bills"], json!([bill_id]));
    assert_eq!(events[1]["customer_id"], id);
    // Nothing left to refund.
    assert_eq!(refund(&w, opid, json!({"reason": "again"})).0, 422);
    let listed = w.s.call(
        "GET",
        &format!("/api/v2/billing/refunds?online_payment_id={opid}"),
        &w.s.v2_admin_token(),
        None,
    );
    assert_eq!(listed.json()["meta"]["total"], 2, "{}", listed.body);
    assert_eq!(customer(&w.s, id)["balance"], 0);
}

#[test]
fn credit_the_payment_left_is_refunded_first() {
    let w = world();
    let (id, bill_id, token) = suspended_customer(&w.s);
    // 800 for a bill of 500: 300 becomes credit.
    let paid = pay_bkash(&w, &token, json!({"gateway": "bkash", "amount": 800}));
    assert_eq!(customer(&w.s, id)["balance"], 300);
    let opid = paid["id"].as_i64().unwrap();
    let (status, r) = refund(&w, opid, json!({"amount": 300, "reason": "Paid too much"}));
    assert_eq!(
        (status, r["data"]["state"].as_str()),
        (201, Some("refunded")),
        "{r}"
    );
    assert_eq!(customer(&w.s, id)["balance"], 0);
    assert_eq!(bill(&w, bill_id)["status"], "paid");
    assert_eq!(refunded_events(&w)[0]["reopened_bills"], json!([]));
}

#[test]
fn an_sslcommerz_refund_may_be_processing_first() {
    let w = world();
    let (_, bill_id, token) = suspended_customer(&w.s);
    let (opid, reference) = pay_sslcommerz(&w, &token);
    assert_eq!(online_by_id(&w, opid)["state"], "paid");
    // SSLCommerz refuses: nothing moved, the amount can be asked again.
    w.ssl.set_refund_answer("failed");
    let (status, r) = refund(&w, opid, json!({"amount": 100, "reason": "Test"}));
    assert_eq!(
        (status, r["data"]["state"].as_str()),
        (201, Some("failed")),
        "{r}"
    );
    assert_eq!(online_by_id(&w, opid)["refunded"], 0);
    assert_eq!(bill(&w, bill_id)["status"], "paid");
    // Processing: reserved, the books unchanged until SSLCommerz says so.
    w.ssl.set_refund_answer("processing");
    let (status, r) = refund(&w, opid, json!({"amount": 100, "reason": "Test"}));
    assert_eq!(
        (status, r["data"]["state"].as_str()),
        (201, Some("processing")),
        "{r}"
    );
    let refund_id = r["data"]["id"].as_i64().unwrap();
    let ref_id = r["data"]["gateway_refund_id"].as_str().unwrap().to_string();
    let txn = w.ssl.txn(&reference);
    let sent = &txn.refunds[0].request;
    let field = |k: &str| sent.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(field("bank_tran_id"), Some(txn.bank_tran_id.clone()));
    assert_eq!(field("refund_amount").as_deref(), Some("100.00"));
    assert_eq!(online_by_id(&w, opid)["refunded"], 100);
    assert_eq!(bill(&w, bill_id)["status"], "paid");
    // More than is left while it is reserved: refused.
    assert_eq!(
        refund(&w, opid, json!({"amount": 450, "reason": "x"})).0,
        422
    );
    w.ssl.settle_refund(&ref_id, "refunded");
    wait_refunded(&w, opid, refund_id);
    assert_eq!(bill(&w, bill_id)["status"], "partial");
    assert_eq!(refunded_events(&w).len(), 1);
}

/// Waits (up to 20 s) until the refund check has settled refund `refund_id`.
fn wait_refunded(w: &World, opid: i64, refund_id: i64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let r = w.s.call(
            "GET",
            &format!("/api/v2/billing/refunds?online_payment_id={opid}"),
            &w.s.v2_admin_token(),
            None,
        );
        let rows = r.json()["data"].as_array().unwrap().clone();
        let row = rows.iter().find(|x| x["id"] == refund_id).unwrap().clone();
        if row["state"] == "refunded" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never settled: {row}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[test]
fn an_sslcommerz_refund_is_only_initiated_until_its_query_says_refunded() {
    let w = world();
    let (_, bill_id, token) = suspended_customer(&w.s);
    let (opid, _) = pay_sslcommerz(&w, &token);
    // SSLCommerz answers "success": initiated, not yet refunded.
    let (status, r) = refund(&w, opid, json!({"amount": 100, "reason": "Test"}));
    assert_eq!(
        (status, r["data"]["state"].as_str()),
        (201, Some("processing")),
        "{r}"
    );
    assert_eq!(bill(&w, bill_id)["status"], "paid");
    assert_eq!(refunded_events(&w).len(), 0);
    // The refund query then says refunded: the books move once.
    wait_refunded(&w, opid, r["data"]["id"].as_i64().unwrap());
    assert_eq!(bill(&w, bill_id)["status"], "partial");
    assert_eq!(refunded_events(&w).len(), 1);
}

#[test]
fn a_manual_payment_refund_is_recorded_and_only_paid_payments_refund() {
    let w = world();
    let (_, bill_id, token) = suspended_customer(&w.s);
    let claim = start_payment(
        &w.s,
        &token,
        json!({"gateway": "manual", "method": "nagad", "sender": "01811000002", "trx_id": "NG12345678"}),
    );
    let opid = claim["payment"]["id"].as_i64().unwrap();
    // Pending: nothing to refund.
    assert_eq!(refund(&w, opid, json!({"reason": "x"})).0, 409);
    let r = w.s.call(
        "POST",
        &format!("/api/v2/billing/payment-verifications/{opid}/approve"),
        &w.s.v2_admin_token(),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let (status, r) = refund(&w, opid, json!({"reason": "Sent back by Nagad"}));
    assert_eq!(
        (status, r["data"]["state"].as_str()),
        (201, Some("refunded")),
        "{r}"
    );
    assert!(
        r["data"]["detail"].as_str().unwrap().contains("by hand"),
        "{r}"
    );
    assert_eq!(bill(&w, bill_id)["status"], "unpaid");
    // Bad bodies: the one envelope.
    for body in [
        json!({}),
        json!({"reason": "x", "amount": -5}),
        json!({"reason": ""}),
    ] {
        let (status, r) = refund(&w, opid, body.clone());
        assert_eq!(status, 422, "{body}: {r}");
    }
    assert_eq!(refund(&w, 999_999, json!({"reason": "x"})).0, 404);
}

#[test]
fn staff_see_which_gateways_are_set_up() {
    let w = world();
    let r = w.s.call(
        "GET",
        "/api/v2/billing/gateways",
        &w.s.v2_admin_token(),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let g = r.json()["data"].clone();
    let names: Vec<&str> = g["gateways"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bkash", "sslcommerz", "manual"]);
    assert_eq!(g["gateways"][0]["enabled"], true);
    assert_eq!(g["gateways"][0]["mode"], "custom");
    assert_eq!(g["gateways"][0]["account"], bkash_sim::APP_KEY);
    assert_eq!(g["gateways"][1]["account"], sslcommerz_sim::STORE_ID);
    assert!(
        !r.body.contains(bkash_sim::APP_SECRET) && !r.body.contains(sslcommerz_sim::STORE_PASSWD)
    );
}

#[test]
fn a_resellers_staff_neither_see_nor_refund_others_payments() {
    let w = world();
    let (_, bill_id, token) = suspended_customer(&w.s);
    let paid = pay_bkash(&w, &token, json!({"gateway": "bkash", "bill_id": bill_id}));
    let opid = paid["id"].as_i64().unwrap();
    assert_eq!(
        refund(&w, opid, json!({"amount": 100, "reason": "x"})).0,
        201
    );
    let op = w.s.call(
        "POST",
        "/api/v1/operators",
        &w.s.login_admin_v1(),
        Some(json!({"name": "Badda Net"})),
    );
    assert_eq!(op.status, 201, "{}", op.body);
    let op = op.json()["data"]["id"].as_i64().unwrap();
    let pw = "reseller staff password";
    w.s.create_staff_of("staff@badda.example", Role::OperatorStaff, pw, Some(op));
    let reseller = log_in_with(&w.s, "staff@badda.example", pw);
    let mine = reseller.send("GET", "/api/v2/billing/refunds", None);
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert_eq!(mine.json()["meta"]["total"], 0, "{}", mine.body);
    let filtered = reseller.send(
        "GET",
        &format!("/api/v2/billing/refunds?online_payment_id={opid}"),
        None,
    );
    assert_eq!(filtered.json()["meta"]["total"], 0, "{}", filtered.body);
    let r = reseller.send(
        "POST",
        &format!("/api/v2/billing/online-payments/{opid}/refund"),
        Some(json!({"reason": "not mine"})),
    );
    // The ISP's money: a reseller's staff refund nothing at all.
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(online_by_id(&w, opid)["refunded"], 100);
}
