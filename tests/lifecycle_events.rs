//! The webhook events of a customer's later life: `customer.deleted`,
//! `subscription.expired` (a prepaid period ended unrenewed),
//! `invoice.overdue` (once per bill past due and grace) and `payment.failed`
//! (an online payment ended without money), each written in its change's
//! transaction and delivered once with its payload.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::{sync::Arc, time::Duration};

use common::{receiver::Receiver, TestServer};
use ispbills::{
    clock::ManualClock,
    domain::money::Money,
    jobs::billing,
    store::online_payments::{self, NewOnlinePayment},
};
use poem::EndpointExt;
use serde_json::{json, Value};
use time::macros::{date, datetime};

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn each_later_life_event_is_delivered_once_with_its_payload() {
    // 14:00 in Dhaka on 10 April: billing day 10.
    let clock = Arc::new(ManualClock::new(datetime!(2026-04-10 08:00:00 UTC)));
    let s = TestServer::start_full(
        |mut c| {
            c.webhooks.allow_loopback = true;
            c.webhooks.retry_schedule = vec![0, 1, 1];
            c
        },
        clock.clone(),
        |state| ispbills::app::routes(state).boxed(),
    );
    let token = s.v2_admin_token();
    let rx = Receiver::ok();
    let r = s.call(
        "POST",
        "/api/v2/webhooks",
        &token,
        Some(json!({"url": rx.url("/life"), "events": [
            "customer.deleted", "subscription.expired", "invoice.overdue", "payment.failed"]})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let monthly = s.create_package("Home 20 Mbps", 800);
    let r = s.call(
        "POST",
        "/api/v2/packages",
        &token,
        Some(
            json!({"name": "Prepaid 30", "price": 500, "speed_down_kbps": 10240,
                    "speed_up_kbps": 10240, "billing_cycle": "days", "validity_days": 30}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let prepaid = r.json()["data"]["id"].as_i64().unwrap();
    let customer = |name: &str, phone: &str, package: i64| -> i64 {
        let r = s.call(
            "POST",
            "/api/v2/customers",
            &token,
            Some(json!({"name": name, "phone": phone, "package_id": package})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()["data"]["id"].as_i64().unwrap()
    };
    let leaving = customer("Karim Mia", "01711111111", monthly);
    let late = customer("Rafiq Ahmed", "01722222222", monthly);
    let ending = customer("Salma Begum", "01733333333", prepaid);

    // customer.deleted: the customer as it was.
    let r = s.call(
        "DELETE",
        &format!("/api/v2/customers/{leaving}"),
        &token,
        None,
    );
    assert_eq!(r.status, 204, "{}", r.body);

    // payment.failed: a send-money claim staff reject.
    let claim = s
        .state
        .db
        .write(move |tx| {
            online_payments::create(
                tx,
                &NewOnlinePayment {
                    reference: "OP-TEST-1".into(),
                    customer_id: late,
                    bill_id: None,
                    gateway: "manual".into(),
                    amount: Money(80_000),
                    currency: "BDT".into(),
                    origin: "portal".into(),
                    manual_method: Some("bkash".into()),
                    manual_sender: Some("01722222222".into()),
                    gateway_trx_id: Some("TRXFAKE1".into()),
                    expires_at: "2026-04-17 08:00:00".into(),
                },
                "2026-04-10 08:00:00",
            )
        })
        .unwrap();
    let r = s.call(
        "POST",
        &format!("/api/v2/billing/payment-verifications/{}/reject", claim.id),
        &token,
        Some(json!({"reason": "No such transaction in our statement"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // Rejected once: a second rejection changes nothing and sends nothing.
    let again = s.call(
        "POST",
        &format!("/api/v2/billing/payment-verifications/{}/reject", claim.id),
        &token,
        Some(json!({"reason": "again"})),
    );
    assert_ne!(again.status, 200, "{}", again.body);

    // The month's bill; the prepaid customer, never paid, has no period
    // (it ended when it was created): subscription.expired. Then, past due
    // and grace, invoice.overdue once.
    clock.set(datetime!(2026-05-10 00:10:00 UTC));
    let run = |day| billing::run_for(&s.state.db, &s.state.config, clock.as_ref(), day).unwrap();
    let report = run(date!(2026 - 05 - 10));
    assert_eq!((report.bills_created, report.customers_suspended), (1, 1));
    clock.set(datetime!(2026-06-01 00:10:00 UTC));
    let report = run(date!(2026 - 06 - 01));
    assert_eq!(report.customers_suspended, 1, "{report:?}");
    clock.set(datetime!(2026-06-02 00:10:00 UTC));
    run(date!(2026 - 06 - 02));

    rx.wait_for(4, WAIT);
    std::thread::sleep(Duration::from_millis(1500));
    let got = rx.received();
    let of = |event: &str| -> Vec<Value> {
        got.iter()
            .map(|r| r.json())
            .filter(|b| b["event"] == event)
            .collect()
    };
    assert_eq!(
        got.len(),
        4,
        "one of each: {:?}",
        got.iter().map(|r| r.json()).collect::<Vec<_>>()
    );

    let deleted = of("customer.deleted");
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["data"]["customer_id"], leaving);
    assert_eq!(deleted[0]["data"]["name"], "Karim Mia");
    assert_eq!(
        deleted[0]["data"]["package"],
        json!({"id": monthly, "name": "Home 20 Mbps"})
    );

    let failed = of("payment.failed");
    assert_eq!(failed.len(), 1);
    let f = &failed[0]["data"];
    assert_eq!(f["online_payment_id"], claim.id);
    assert_eq!(f["customer_id"], late);
    assert_eq!(f["amount"], 800);
    assert_eq!(f["state"], "rejected");
    assert_eq!(f["reason"], "No such transaction in our statement");

    let overdue = of("invoice.overdue");
    assert_eq!(overdue.len(), 1);
    let o = &overdue[0]["data"];
    assert_eq!(o["customer_id"], late);
    assert_eq!(o["amount"], 800);
    assert_eq!(o["paid"], 0);
    assert_eq!(o["due"], 800);
    assert_eq!(o["currency"], "BDT");
    assert!(
        o["bill_id"].as_i64().is_some() && o["invoice_id"].as_i64().is_some(),
        "{o}"
    );
    assert!(o["due_date"].as_str().unwrap() < "2026-06-01", "{o}");

    let expired = of("subscription.expired");
    assert_eq!(expired.len(), 1);
    let e = &expired[0]["data"];
    assert_eq!(e["customer_id"], ending);
    assert_eq!(e["package"], json!({"id": prepaid, "name": "Prepaid 30"}));
    assert_eq!(e["expired_at"], "2026-04-10T08:00:00Z", "{e}");
}
