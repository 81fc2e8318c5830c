//! Online payments with bKash Tokenized Checkout, against a stand-in that
//! speaks bKash's documented API (`common::bkash_sim`): the appliance books
//! a payment only after executing it with bKash for the amount it asked,
//! once per bKash transaction however often the customer's return or the
//! status check report it; a suspended customer who pays is active again;
//! refusals (insufficient balance, cancel, failure) book nothing; a payment
//! whose customer never came back is found paid by the status check, or
//! expires.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::{sync::Arc, time::Duration};

use common::{
    bkash_sim::{BkashSim, Outcome},
    pay_fixtures::{
        customer, online, payments_of, rahim_login, start_payment, suspended_customer, visit,
    },
    TestServer,
};
use ispbills::{clock::ManualClock, config::Config};
use poem::EndpointExt;
use serde_json::json;
use time::macros::datetime;

fn with_bkash(sim: &BkashSim, mut c: Config) -> Config {
    sim.configure(&mut c);
    c.payments.status_check_secs = 1;
    c.billing.run_at = "23:59".into();
    c
}

fn server(sim: &BkashSim) -> TestServer {
    let base = sim.base_url();
    let _ = base;
    let cfg = |c| with_bkash(sim, c);
    TestServer::start_with(cfg, |state| ispbills::app::routes(state).boxed())
}

fn payment_id_of(redirect_url: &str) -> String {
    redirect_url.rsplit('/').next().unwrap().to_string()
}

#[test]
fn a_suspended_customer_pays_with_bkash_and_is_active_again() {
    let sim = BkashSim::start();
    let s = server(&sim);
    let (id, bill, token) = suspended_customer(&s);
    let gateways = s.get("/api/v2/me/gateways").json();
    assert_eq!(gateways["gateways"], json!(["bkash"]));

    let started = start_payment(&s, &token, json!({"gateway": "bkash", "bill_id": bill}));
    let reference = started["payment"]["reference"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(started["payment"]["state"], "pending");
    assert_eq!(started["payment"]["amount"], 500.0);
    let redirect = started["redirect_url"].as_str().unwrap();
    let pid = payment_id_of(redirect);
    // What bKash was asked: our reference, the amount as text, our return address.
    let asked = sim.payment(&pid);
    assert_eq!(asked.field("merchantInvoiceNumber"), reference);
    assert_eq!(asked.field("amount"), "500.00");
    assert_eq!(asked.field("currency"), "BDT");
    assert_eq!(asked.field("intent"), "sale");
    assert!(
        asked.field("callbackURL").ends_with("/portal/pay/bkash"),
        "{}",
        asked.field("callbackURL")
    );
    // Nothing is booked before the customer pays.
    assert!(payments_of(&s, id).is_empty());

    // The customer pays on bKash's page and bKash sends the browser back.
    let back = sim.customer_redirect(&pid);
    let (status, location) = visit(&back);
    assert_eq!(status, 303);
    assert_eq!(location, format!("/portal/result.html?ref={reference}"));
    let p = online(&s, &token, &reference);
    assert_eq!(p["state"], "paid", "{p}");
    let trx = sim.payment(&pid).trx_id.unwrap();
    assert_eq!(p["gateway_trx_id"], trx.as_str());
    assert_eq!(sim.payment(&pid).executes, 1);

    let paid = payments_of(&s, id);
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0]["method"], "bkash");
    assert_eq!(paid[0]["transaction_id"], trx.as_str());
    assert_eq!(paid[0]["amount"], 500.0);
    assert_eq!(customer(&s, id)["status"], "active");
    let b = s.call(
        "GET",
        &format!("/api/v2/billing/bills/{bill}"),
        &s.v2_admin_token(),
        None,
    );
    assert_eq!(b.json()["data"]["status"], "paid");
    assert!(s
        .events()
        .iter()
        .any(|(kind, payload)| kind == "payment.received"
            && payload["transaction_id"] == trx.as_str()));

    // The browser comes back again (reload, double callback): nothing more.
    for _ in 0..3 {
        assert_eq!(visit(&back).0, 303);
    }
    assert_eq!(payments_of(&s, id).len(), 1);
    assert_eq!(sim.payment(&pid).executes, 1);
}

#[test]
fn racing_returns_book_one_payment() {
    let sim = BkashSim::start();
    let s = server(&sim);
    let (id, _, token) = suspended_customer(&s);
    let started = start_payment(&s, &token, json!({"gateway": "bkash"}));
    let pid = payment_id_of(started["redirect_url"].as_str().unwrap());
    let back = sim.customer_redirect(&pid);
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let back = back.clone();
            std::thread::spawn(move || visit(&back).0)
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 303);
    }
    assert_eq!(payments_of(&s, id).len(), 1);
    assert_eq!(customer(&s, id)["status"], "active");
}

#[test]
fn the_browser_is_not_believed() {
    let sim = BkashSim::start();
    let s = server(&sim);
    let (id, _, token) = suspended_customer(&s);
    let started = start_payment(&s, &token, json!({"gateway": "bkash"}));
    let reference = started["payment"]["reference"]
        .as_str()
        .unwrap()
        .to_string();
    let pid = payment_id_of(started["redirect_url"].as_str().unwrap());
    // A forged "success" for a payment nobody authorised: bKash refuses the
    // execute, nothing is booked.
    let (status, _) = visit(&sim.redirect_url(&pid, "success"));
    assert_eq!(status, 303);
    assert!(payments_of(&s, id).is_empty());
    let p = online(&s, &token, &reference);
    assert_ne!(p["state"], "paid", "{p}");
    assert_eq!(customer(&s, id)["status"], "suspended");
    // An unknown paymentID is nobody's.
    let (status, location) =
        visit(&s.url("/portal/pay/bkash?paymentID=TR00nothing&status=success"));
    assert_eq!(
        (status, location.as_str()),
        (303, "/portal/result.html?error=unknown")
    );
}

#[test]
fn refusals_book_nothing() {
    let sim = BkashSim::start();
    let s = server(&sim);
    let (id, _, token) = suspended_customer(&s);
    for (outcome, state) in [
        (Outcome::InsufficientBalance, "failed"),
        (Outcome::Cancel, "cancelled"),
        (Outcome::Fail, "failed"),
    ] {
        sim.set_outcome(outcome);
        let started = start_payment(&s, &token, json!({"gateway": "bkash", "amount": 200}));
        let reference = started["payment"]["reference"]
            .as_str()
            .unwrap()
            .to_string();
        let pid = payment_id_of(started["redirect_url"].as_str().unwrap());
        assert_eq!(visit(&sim.customer_redirect(&pid)).0, 303);
        let p = online(&s, &token, &reference);
        assert_eq!(p["state"], state, "{outcome:?}: {p}");
        if outcome == Outcome::InsufficientBalance {
            assert!(
                p["detail"].as_str().unwrap().contains("Insufficient"),
                "{p}"
            );
        }
    }
    assert!(payments_of(&s, id).is_empty());
    assert_eq!(customer(&s, id)["status"], "suspended");
}

#[test]
fn an_amount_other_than_asked_is_not_booked() {
    let sim = BkashSim::start();
    let s = server(&sim);
    let (id, _, token) = suspended_customer(&s);
    let started = start_payment(&s, &token, json!({"gateway": "bkash"}));
    let reference = started["payment"]["reference"]
        .as_str()
        .unwrap()
        .to_string();
    let pid = payment_id_of(started["redirect_url"].as_str().unwrap());
    // bKash reports a different amount than the appliance asked for.
    {
        let mut st = sim.state.lock().unwrap();
        let p = st
            .payments
            .iter_mut()
            .find(|p| p.payment_id == pid)
            .unwrap();
        p.request["amount"] = json!("5.00");
    }
    assert_eq!(visit(&sim.customer_redirect(&pid)).0, 303);
    let p = online(&s, &token, &reference);
    assert_eq!(p["state"], "failed", "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("amount mismatch"),
        "{p}"
    );
    assert!(payments_of(&s, id).is_empty());
}

#[test]
fn bad_requests_get_clear_answers() {
    let sim = BkashSim::start();
    let s = server(&sim);
    let (_, _, token) = suspended_customer(&s);
    for body in [
        json!({"gateway": "paypal"}),
        json!({"gateway": "bkash", "bill_id": 999}),
        json!({"gateway": "bkash", "amount": 0}),
        json!({"gateway": "bkash", "amount": -5}),
        json!({"gateway": "bkash", "amount": 10_000_000}),
        json!({}),
    ] {
        let r = s.call("POST", "/api/v2/me/payments", &token, Some(body.clone()));
        r.assert_error(422, "VALIDATION_ERROR");
    }
    // bKash down: 503, nothing charged, the attempt recorded as failed.
    sim.set_delay(4);
    let r = s.call(
        "POST",
        "/api/v2/me/payments",
        &token,
        Some(json!({"gateway": "bkash"})),
    );
    r.assert_error(503, "SERVICE_UNAVAILABLE");
    let list = s.get_auth("/api/v2/me/online-payments", &token).json();
    assert_eq!(list["data"][0]["state"], "failed", "{list}");
}

#[test]
fn the_status_check_settles_payments_whose_customer_never_came_back() {
    let sim = BkashSim::start();
    let clock = Arc::new(ManualClock::new(datetime!(2026-11-30 06:00:00 UTC)));
    let s = TestServer::start_full(
        |c| with_bkash(&sim, c),
        clock.clone(),
        |state| ispbills::app::routes(state).boxed(),
    );
    let (id, _, token) = suspended_customer(&s);

    // Paid, but the answer to execute never reached the appliance (bKash
    // was slow): the status check finds it completed and books it.
    sim.set_execute_delay(4);
    let started = start_payment(&s, &token, json!({"gateway": "bkash"}));
    let reference = started["payment"]["reference"]
        .as_str()
        .unwrap()
        .to_string();
    let pid = payment_id_of(started["redirect_url"].as_str().unwrap());
    assert_eq!(visit(&sim.customer_redirect(&pid)).0, 303);
    assert_eq!(online(&s, &token, &reference)["state"], "pending");
    sim.set_execute_delay(0);
    clock.advance(time::Duration::seconds(5));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while online(&s, &token, &reference)["state"] == "pending" {
        assert!(std::time::Instant::now() < deadline, "not settled");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(online(&s, &token, &reference)["state"], "paid");
    assert_eq!(payments_of(&s, id).len(), 1);
    assert!(sim.payment(&pid).queries >= 1);

    // Abandoned on bKash's page: it expires after `pending_minutes`.
    let token = rahim_login(&s);
    let started = start_payment(&s, &token, json!({"gateway": "bkash", "amount": 100}));
    let reference = started["payment"]["reference"]
        .as_str()
        .unwrap()
        .to_string();
    clock.advance(time::Duration::minutes(31));
    let token = rahim_login(&s);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while online(&s, &token, &reference)["state"] == "pending" {
        assert!(std::time::Instant::now() < deadline, "not expired");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(online(&s, &token, &reference)["state"], "expired");
    assert_eq!(payments_of(&s, id).len(), 1);
}

#[test]
fn a_manual_send_money_claim_waits_for_staff() {
    let sim = BkashSim::start();
    let s = server(&sim);
    let (id, bill, token) = suspended_customer(&s);
    let staff = s.v2_admin_token();
    let claim = |trx: &str| {
        s.call(
            "POST",
            "/api/v2/me/payments",
            &token,
            Some(
                json!({"gateway": "manual", "bill_id": bill, "method": "nagad",
                        "sender": "01812345678", "trx_id": trx}),
            ),
        )
    };
    // What is missing is said, field by field.
    let r = s.call(
        "POST",
        "/api/v2/me/payments",
        &token,
        Some(json!({"gateway": "manual"})),
    );
    let err = r.assert_error(422, "VALIDATION_ERROR");
    for field in ["method", "sender", "trx_id"] {
        assert!(err["details"][field].is_array(), "{field}: {err}");
    }
    let r = claim("7XK2M9QP1A");
    assert_eq!(r.status, 201, "{}", r.body);
    let claimed = r.json();
    assert_eq!(claimed["payment"]["state"], "pending");
    assert_eq!(claimed["payment"]["gateway"], "manual");
    let reference = claimed["payment"]["reference"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        claimed["redirect_url"],
        format!("/portal/result.html?ref={reference}")
    );
    // The same transaction is claimed once.
    claim("7xk2m9qp1a").assert_error(409, "CONFLICT");
    let wrong = claim("BOGUS00001");
    assert_eq!(wrong.status, 201, "{}", wrong.body);
    let wrong_id = wrong.json()["payment"]["id"].as_i64().unwrap();
    // Nothing counts before staff decide.
    assert!(payments_of(&s, id).is_empty());
    assert_eq!(customer(&s, id)["status"], "suspended");

    let queue = s
        .call("GET", "/api/v2/billing/payment-verifications", &staff, None)
        .json();
    assert_eq!(queue["meta"]["total"], 2, "{queue}");
    let r = s.call(
        "POST",
        &format!("/api/v2/billing/payment-verifications/{wrong_id}/reject"),
        &staff,
        Some(json!({"reason": "Not in the Nagad statement"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["data"]["state"], "rejected");
    assert_eq!(r.json()["data"]["detail"], "Not in the Nagad statement");
    let good_id = claimed["payment"]["id"].as_i64().unwrap();
    let r = s.call(
        "POST",
        &format!("/api/v2/billing/payment-verifications/{good_id}/approve"),
        &staff,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["data"]["state"], "paid");
    let paid = payments_of(&s, id);
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0]["method"], "nagad");
    assert_eq!(paid[0]["transaction_id"], "7XK2M9QP1A");
    assert_eq!(customer(&s, id)["status"], "active");
    // Decided once.
    for (what, body) in [("approve", None), ("reject", Some(json!({"reason": "x"})))] {
        s.call(
            "POST",
            &format!("/api/v2/billing/payment-verifications/{good_id}/{what}"),
            &staff,
            body,
        )
        .assert_error(409, "CONFLICT");
    }
    // The customer sees the outcome.
    assert_eq!(online(&s, &token, &reference)["state"], "paid");
    let all = s
        .call(
            "GET",
            "/api/v2/billing/online-payments?gateway=manual",
            &staff,
            None,
        )
        .json();
    assert_eq!(all["meta"]["total"], 2);
    // A bKash payment is confirmed with bKash, never by staff.
    let started = start_payment(&s, &token, json!({"gateway": "bkash", "amount": 100}));
    let bkash_id = started["payment"]["id"].as_i64().unwrap();
    s.call(
        "POST",
        &format!("/api/v2/billing/payment-verifications/{bkash_id}/approve"),
        &staff,
        None,
    )
    .assert_error(409, "CONFLICT");
}

#[test]
fn money_paid_for_a_bill_settled_meanwhile_is_still_booked() {
    let sim = BkashSim::start();
    let s = server(&sim);
    let (id, bill, token) = suspended_customer(&s);
    let started = start_payment(&s, &token, json!({"gateway": "bkash", "bill_id": bill}));
    let reference = started["payment"]["reference"]
        .as_str()
        .unwrap()
        .to_string();
    let pid = payment_id_of(started["redirect_url"].as_str().unwrap());
    // While the customer is on bKash's page, the bill is paid in cash.
    let r = s.call(
        "POST",
        "/api/v2/billing/payments",
        &s.v2_admin_token(),
        Some(json!({"customer_id": id, "bill_id": bill, "amount": 500, "method": "cash"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(visit(&sim.customer_redirect(&pid)).0, 303);
    assert_eq!(online(&s, &token, &reference)["state"], "paid");
    let paid = payments_of(&s, id);
    assert_eq!(paid.len(), 2, "{paid:?}");
    let me = s.get_auth("/api/v2/me", &token).json();
    assert_eq!(me["data"]["balance"], 500.0, "{me}");
}

#[test]
fn no_answer_from_bkash_never_ends_a_payment() {
    let sim = BkashSim::start();
    let clock = Arc::new(ManualClock::new(datetime!(2026-11-30 06:00:00 UTC)));
    let s = TestServer::start_full(
        |c| with_bkash(&sim, c),
        clock.clone(),
        |state| ispbills::app::routes(state).boxed(),
    );
    let (id, _, token) = suspended_customer(&s);
    let started = start_payment(&s, &token, json!({"gateway": "bkash"}));
    let reference = started["payment"]["reference"]
        .as_str()
        .unwrap()
        .to_string();
    let pid = payment_id_of(started["redirect_url"].as_str().unwrap());
    sim.approve(&pid);
    // bKash stops answering in time; the payment is past its time.
    sim.set_delay(4);
    clock.advance(time::Duration::minutes(40));
    let token = rahim_login(&s);
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while sim.payment(&pid).queries == 0 {
        assert!(std::time::Instant::now() < deadline, "never asked");
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(online(&s, &token, &reference)["state"], "pending");
    // bKash answers again: the customer came back and paid meanwhile.
    sim.set_delay(0);
    assert_eq!(visit(&sim.customer_redirect(&pid)).0, 303);
    assert_eq!(online(&s, &token, &reference)["state"], "paid");
    assert_eq!(payments_of(&s, id).len(), 1);
}
