//! The whole loop that collects an ISP's money, end to end on a set clock:
//! the billing day's bill → a reminder SMS with a payment link three days
//! before it is due (once) → the customer does not pay and the billing run
//! suspends the line, disabling the PPP secret on the router (RouterOS API
//! simulator) → the customer opens the link from the SMS, without logging
//! in, and pays with bKash (the bKash stand-in) → the payment is executed
//! with bKash and booked → the customer is active and the router's secret
//! is enabled again, and the receipt SMS goes out.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/routeros_sim.rs"]
mod routeros_sim;

use std::sync::Arc;

use common::{
    bkash_sim::BkashSim,
    pay_fixtures::{customer, send_reminders, sms_to, start_payment, visit, wait_until},
    TestServer,
};
use ispbills::{clock::ManualClock, jobs::billing};
use poem::EndpointExt;
use routeros_sim::{SimConfig, SimRouter};
use serde_json::{json, Value};
use time::macros::{date, datetime};

const PUBLIC: &str = "https://pay.isp.example";

fn secret_disabled(sim: &SimRouter, name: &str) -> Option<String> {
    sim.rows("/ppp/secret")
        .into_iter()
        .find(|r| r.get("name").map(String::as_str) == Some(name))
        .and_then(|r| r.get("disabled").cloned())
}

#[test]
fn bill_reminder_link_payment_and_the_router_lets_the_customer_back() {
    let bkash = BkashSim::start();
    let sim = SimRouter::start(SimConfig::default());
    // 14:00 in Dhaka on 10 April.
    let clock = Arc::new(ManualClock::new(datetime!(2026-04-10 08:00:00 UTC)));
    let s = TestServer::start_full(
        |mut c| {
            c.routers.poll_interval_secs = 1;
            c.routers.timeout_secs = 1;
            c.routers.sync_interval_secs = 3600;
            c.billing.run_at = "23:59".into();
            c.server.public_url = PUBLIC.into();
            c.sms.notifications.reminder_days = vec![3, 1];
            c.sms.notifications.reminder_at = "10:00".into();
            bkash.configure(&mut c);
            c
        },
        clock.clone(),
        |state| ispbills::app::routes(state).boxed(),
    );
    let staff = s.v2_admin_token();
    let r = s.call(
        "POST",
        "/api/v2/network/routers",
        &staff,
        Some(
            json!({"name": "Core", "host": "127.0.0.1", "port": sim.port(),
                    "username": "admin", "password": "secret"}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let router = r.json()["data"]["id"].as_i64().unwrap();
    let package = s.create_package("Home 20 Mbps", 800);
    let r = s.call(
        "POST",
        "/api/v2/customers",
        &staff,
        Some(
            json!({"name": "Rahim Uddin", "phone": "01711000001", "package_id": package,
                    "router_id": router, "username": "rahim", "password": "rahim-pw"}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["data"]["id"].as_i64().unwrap();
    wait_until("the secret on the router", || {
        (secret_disabled(&sim, "rahim")? == "no").then_some(())
    });

    // The billing day: a bill of 800, due in 7 days (17 May).
    clock.set(datetime!(2026-05-10 00:10:00 UTC));
    let report = billing::run_for(
        &s.state.db,
        &s.state.config,
        clock.as_ref(),
        date!(2026 - 05 - 10),
    )
    .unwrap();
    assert_eq!(report.bills_created, 1, "{report:?}");
    let bills = s
        .call(
            "GET",
            &format!("/api/v2/customers/{id}/bills"),
            // A month on: the first token has expired.
            &s.v2_admin_token(),
            None,
        )
        .json()["data"]
        .clone();
    let bill = bills[0]["id"].as_i64().unwrap();
    assert_eq!(bills[0]["due_date"], "2026-05-17");

    // 14 May, 09:00 in Dhaka: before reminder_at, nothing; from 10:00 the
    // three-days-before reminder, once.
    clock.set(datetime!(2026-05-14 03:00:00 UTC));
    assert_eq!(send_reminders(&s), 0);
    clock.set(datetime!(2026-05-14 05:00:00 UTC));
    assert_eq!(send_reminders(&s), 1);
    assert_eq!(send_reminders(&s), 0, "once per bill and day");
    let text = wait_until("the reminder SMS", || {
        sms_to(&s, id)
            .into_iter()
            .find(|b| b.contains("/portal/l/"))
    });
    assert!(
        text.starts_with("Dear Rahim Uddin, your bill of 800 BDT is due on 2026-05-17. Pay online: https://pay.isp.example/portal/l/"),
        "{text}"
    );
    let code = text.rsplit("/portal/l/").next().unwrap().trim().to_string();

    // Not paid: past its grace days the billing run suspends the line, and
    // the router's secret is disabled.
    clock.set(datetime!(2026-05-21 00:10:00 UTC));
    let report = billing::run_for(
        &s.state.db,
        &s.state.config,
        clock.as_ref(),
        date!(2026 - 05 - 21),
    )
    .unwrap();
    assert_eq!(report.customers_suspended, 1, "{report:?}");
    wait_until("the secret disabled", || {
        (secret_disabled(&sim, "rahim")? == "yes").then_some(())
    });

    // The customer opens the link from the SMS: no login.
    let (status, location) = visit(&s.url(&format!("/portal/l/{code}")));
    assert_eq!(
        (status, location.as_str()),
        (303, format!("/portal/suspended?link={code}").as_str())
    );
    let r = s.send(
        "POST",
        "/api/v2/me/link",
        &[("content-type", "application/json")],
        Some(json!({"code": code}).to_string().as_bytes()),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let page: Value = r.json();
    assert_eq!(page["first_name"], "Rahim");
    assert_eq!(page["status"], "suspended");
    assert_eq!(page["known_by"], "payment_link");
    assert_eq!(page["bill_id"], bill);
    assert_eq!(page["due"], 800);
    let token = page["token"]["access_token"].as_str().unwrap().to_string();
    // The link's token pays and nothing more.
    assert_eq!(s.get_auth("/api/v2/me/bills", &token).status, 403);

    // Pays with bKash; executed with bKash, booked, the line is back.
    let started = start_payment(&s, &token, json!({"gateway": "bkash", "bill_id": bill}));
    let pid = started["redirect_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    // bKash sends the browser to our public address: here, the test server.
    let back = bkash
        .customer_redirect(&pid)
        .replacen(PUBLIC, &s.url(""), 1);
    assert_eq!(visit(&back).0, 303);
    assert_eq!(bkash.payment(&pid).executes, 1);
    assert_eq!(customer(&s, id)["status"], "active");
    wait_until("the secret enabled again", || {
        (secret_disabled(&sim, "rahim")? == "no").then_some(())
    });
    wait_until("the receipt SMS", || {
        sms_to(&s, id)
            .into_iter()
            .find(|b| b.contains("payment of 800 BDT has been received"))
    });

    // A tampered link opens nothing.
    let mut forged = code.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });
    let r = s.send(
        "POST",
        "/api/v2/me/link",
        &[("content-type", "application/json")],
        Some(json!({"code": forged}).to_string().as_bytes()),
    );
    assert_eq!(r.status, 404, "{}", r.body);
}
