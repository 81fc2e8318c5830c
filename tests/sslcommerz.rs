//! Online payments with SSLCommerz (API v4), against a stand-in that speaks
//! its documented API (`common::sslcommerz_sim`): a session is opened with a
//! urlencoded form, the customer's browser posts back and the IPN arrives in
//! either order, and the payment is booked once, only after the validation
//! API confirmed it for our transaction and amount; unsigned or tampered
//! notices change nothing; failures and cancellations book nothing; the
//! status check finds a payment whose notices never came.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{
    pay_fixtures::{customer, online, payments_of, post_form, start_payment, suspended_customer},
    sslcommerz_sim::{self, Outcome, SslCommerzSim},
    TestServer,
};
use ispbills::config::Config;
use poem::EndpointExt;
use serde_json::{json, Value};

pub fn with_sslcommerz(sim: &SslCommerzSim, mut c: Config) -> Config {
    let g = &mut c.payments.sslcommerz;
    g.enabled = true;
    g.base_url = sim.base_url();
    g.store_id = sslcommerz_sim::STORE_ID.into();
    g.store_passwd =
        ispbills::drivers::payments::config::Secret(sslcommerz_sim::STORE_PASSWD.into());
    g.timeout_secs = 2;
    c.payments.status_check_secs = 1;
    c.billing.run_at = "23:59".into();
    c
}

fn server(sim: &SslCommerzSim) -> TestServer {
    TestServer::start_with(
        |c| with_sslcommerz(sim, c),
        |state| ispbills::app::routes(state).boxed(),
    )
}

/// Starts a payment; answers our reference (SSLCommerz's tran_id) and the
/// gateway page.
fn start(s: &TestServer, token: &str, body: Value) -> (String, String) {
    let started = start_payment(s, token, body);
    (
        started["payment"]["reference"].as_str().unwrap().into(),
        started["redirect_url"].as_str().unwrap().into(),
    )
}

/// What the customer's browser does on the gateway page: the page acts out
/// the outcome and its form posts the signed fields back.
fn pay_in_browser(sim: &SslCommerzSim, page: &str, tran_id: &str) -> (u16, String) {
    let r = common::request("GET", page, &[], None);
    assert_eq!(r.status, 200, "{}", r.body);
    let back_to = sim.txn(tran_id).field("success_url");
    assert!(r.body.contains("<form method=\"post\""), "{}", r.body);
    post_form(&back_to, &sim.notice(tran_id))
}

#[test]
fn a_suspended_customer_pays_with_sslcommerz_and_is_active_again() {
    let sim = SslCommerzSim::start();
    let s = server(&sim);
    let (id, bill, token) = suspended_customer(&s);
    let (reference, page) = start(
        &s,
        &token,
        json!({"gateway": "sslcommerz", "bill_id": bill}),
    );
    // The session: urlencoded, our reference as tran_id, the amount due,
    // the return and IPN addresses, the fields SSLCommerz requires.
    let txn = sim.txn(&reference);
    assert_eq!(txn.field("total_amount"), "500.00");
    assert_eq!(txn.field("currency"), "BDT");
    assert!(txn.field("success_url").ends_with("/portal/pay/sslcommerz"));
    assert!(txn.field("ipn_url").ends_with("/portal/pay/sslcommerz/ipn"));
    assert_eq!(txn.field("cus_phone"), "01711000001");
    let (status, location) = pay_in_browser(&sim, &page, &reference);
    assert_eq!(status, 303);
    assert_eq!(location, format!("/portal/result.html?ref={reference}"));
    let p = online(&s, &token, &reference);
    assert_eq!(p["state"], "paid", "{p}");
    assert_eq!(p["gateway_trx_id"], sim.txn(&reference).bank_tran_id);
    assert_eq!(sim.txn(&reference).validations, 1);
    let paid = payments_of(&s, id);
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0]["method"], "card");
    assert_eq!(paid[0]["amount"], 500);
    assert_eq!(customer(&s, id)["status"], "active");
    // The IPN comes too, twice: still one payment.
    for _ in 0..2 {
        assert_eq!(sim.send_ipn(&reference).status, 200);
    }
    assert_eq!(payments_of(&s, id).len(), 1);
}

#[test]
fn the_ipn_can_come_first_and_the_browser_second() {
    let sim = SslCommerzSim::start();
    let s = server(&sim);
    let (id, _, token) = suspended_customer(&s);
    let (reference, _) = start(&s, &token, json!({"gateway": "sslcommerz"}));
    sim.act(&reference, Outcome::Valid);
    assert_eq!(sim.send_ipn(&reference).status, 200);
    assert_eq!(online(&s, &token, &reference)["state"], "paid");
    let back = sim.txn(&reference).field("success_url");
    let (status, location) = post_form(&back, &sim.notice(&reference));
    assert_eq!(
        (status, location),
        (303, format!("/portal/result.html?ref={reference}"))
    );
    assert_eq!(payments_of(&s, id).len(), 1);
    assert_eq!(customer(&s, id)["status"], "active");
}

#[test]
fn notices_are_not_believed() {
    let sim = SslCommerzSim::start();
    let s = server(&sim);
    let (id, _, token) = suspended_customer(&s);
    let (reference, _) = start(&s, &token, json!({"gateway": "sslcommerz"}));
    let ipn = sim.txn(&reference).field("ipn_url");
    // A forged VALID notice, signed with a guessed password: refused.
    let mut forged: Vec<(String, String)> = vec![
        ("tran_id".into(), reference.clone()),
        ("val_id".into(), "FAKE".into()),
        ("status".into(), "VALID".into()),
        ("amount".into(), "500.00".into()),
    ];
    sslcommerz_sim::sign(&mut forged, "guess");
    assert_eq!(post_form(&ipn, &forged).0, 403);
    // The same through the browser: SSLCommerz is asked, says nothing was
    // paid, and the payment stays pending.
    let back = sim.txn(&reference).field("success_url");
    assert_eq!(post_form(&back, &forged).0, 303);
    assert_eq!(online(&s, &token, &reference)["state"], "pending");
    // A real notice with its amount changed after signing: refused.
    sim.act(&reference, Outcome::Valid);
    let mut tampered = sim.notice(&reference);
    for (k, v) in tampered.iter_mut() {
        if k == "amount" {
            *v = "5.00".into();
        }
    }
    assert_eq!(post_form(&ipn, &tampered).0, 403);
    assert!(payments_of(&s, id).is_empty());
    // Another payment's val_id does not pay this one.
    let (other, _) = start(&s, &token, json!({"gateway": "sslcommerz", "amount": 100}));
    let mut borrowed = sim.notice(&reference);
    for (k, v) in borrowed.iter_mut() {
        if k == "tran_id" {
            *v = other.clone();
        }
    }
    borrowed.retain(|(k, _)| !k.starts_with("verify_"));
    sslcommerz_sim::sign(&mut borrowed, sslcommerz_sim::STORE_PASSWD);
    assert_eq!(post_form(&ipn, &borrowed).0, 200);
    assert_eq!(online(&s, &token, &other)["state"], "pending");
    assert!(payments_of(&s, id).is_empty());
    // An unknown transaction is nobody's.
    let mut unknown = vec![
        ("tran_id".to_string(), "OPNOTHING".to_string()),
        ("status".into(), "VALID".into()),
    ];
    sslcommerz_sim::sign(&mut unknown, sslcommerz_sim::STORE_PASSWD);
    assert_eq!(post_form(&ipn, &unknown).0, 404);
}

#[test]
fn failures_and_cancellations_book_nothing() {
    let sim = SslCommerzSim::start();
    let s = server(&sim);
    let (id, _, token) = suspended_customer(&s);
    for (outcome, state, url_field) in [
        (Outcome::Failed, "failed", "fail_url"),
        (Outcome::Cancelled, "cancelled", "cancel_url"),
    ] {
        sim.set_outcome(outcome);
        let (reference, page) = start(&s, &token, json!({"gateway": "sslcommerz", "amount": 200}));
        let r = common::request("GET", &page, &[], None);
        assert_eq!(r.status, 200);
        let back = sim.txn(&reference).field(url_field);
        assert_eq!(post_form(&back, &sim.notice(&reference)).0, 303);
        let p = online(&s, &token, &reference);
        assert_eq!(p["state"], state, "{outcome:?}: {p}");
    }
    // An amount other than asked is not booked.
    sim.set_outcome(Outcome::Valid);
    let (reference, _) = start(&s, &token, json!({"gateway": "sslcommerz", "amount": 300}));
    sim.act(&reference, Outcome::Valid);
    sim.state.lock().unwrap().txns.last_mut().unwrap().amount = "30.00".into();
    assert_eq!(sim.send_ipn(&reference).status, 200);
    let p = online(&s, &token, &reference);
    assert_ne!(p["state"], "paid", "{p}");
    assert!(p["detail"].as_str().unwrap().contains("mismatch"), "{p}");
    assert!(payments_of(&s, id).is_empty());
    assert_eq!(customer(&s, id)["status"], "suspended");
}

#[test]
fn the_status_check_finds_a_payment_whose_notices_never_came() {
    let sim = SslCommerzSim::start();
    let s = server(&sim);
    let (id, _, token) = suspended_customer(&s);
    let (reference, _) = start(&s, &token, json!({"gateway": "sslcommerz"}));
    sim.act(&reference, Outcome::Valid);
    // The server's own status check (every 5 s, for payments older than
    // status_check_secs = 1) asks SSLCommerz by tran_id and validates.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while online(&s, &token, &reference)["state"] != "paid" {
        assert!(std::time::Instant::now() < deadline, "never settled");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(payments_of(&s, id).len(), 1);
    assert_eq!(sim.txn(&reference).validations, 1);
    assert_eq!(customer(&s, id)["status"], "active");
}
