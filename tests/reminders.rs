//! Reminders and payment links beyond the whole loop (tests/payment_loop.rs):
//! a prepaid package's expiry reminder, sent once, whose link opens what is
//! due; nothing when reminders are off or the bill is paid; links staff make
//! by hand, refused for a bill that is not the customer's open one, and dead
//! once `[payments] link_days` have passed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::{
    pay_fixtures::{send_reminders, sms_to, wait_until},
    TestServer,
};
use ispbills::clock::ManualClock;
use poem::EndpointExt;
use serde_json::{json, Value};
use time::macros::datetime;

const PUBLIC: &str = "https://pay.isp.example";

fn server(clock: Arc<ManualClock>, days: Vec<u32>) -> TestServer {
    TestServer::start_full(
        move |mut c| {
            c.server.public_url = PUBLIC.into();
            c.sms.notifications.reminder_days = days;
            c.sms.notifications.reminder_at = "10:00".into();
            c.payments.link_days = 30;
            c
        },
        clock,
        |state| ispbills::app::routes(state).boxed(),
    )
}

fn created(r: common::Reply) -> Value {
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["data"].clone()
}

/// A customer of `package` owing one bill of `amount` due on `due`; their
/// id and the bill's.
fn owing(
    s: &TestServer,
    staff: &str,
    name: &str,
    phone: &str,
    package: i64,
    amount: i64,
    due: &str,
) -> (i64, i64) {
    let id = created(s.call(
        "POST",
        "/api/v2/customers",
        staff,
        Some(json!({"name": name, "phone": phone, "package_id": package})),
    ))["id"]
        .as_i64()
        .unwrap();
    let bill = created(s.call(
        "POST",
        "/api/v2/billing/bills",
        staff,
        Some(json!({"customer_id": id, "amount": amount, "due_date": due})),
    ))["id"]
        .as_i64()
        .unwrap();
    (id, bill)
}

fn open_link(s: &TestServer, code: &str) -> common::Reply {
    s.send(
        "POST",
        "/api/v2/me/link",
        &[("content-type", "application/json")],
        Some(json!({ "code": code }).to_string().as_bytes()),
    )
}

#[test]
fn a_prepaid_package_is_reminded_once_before_it_ends_and_the_link_opens_it() {
    // 1 April, 12:00 in Dhaka.
    let clock = Arc::new(ManualClock::new(datetime!(2026-04-01 06:00:00 UTC)));
    let s = server(clock.clone(), vec![3]);
    let staff = s.v2_admin_token();
    let pkg = created(s.call(
        "POST",
        "/api/v2/packages",
        &staff,
        Some(
            json!({"name": "Prepaid 30 days", "price": 500, "speed_down_kbps": 10240,
                    "speed_up_kbps": 10240, "billing_cycle": "days", "validity_days": 30}),
        ),
    ))["id"]
        .as_i64()
        .unwrap();
    let id = created(s.call(
        "POST",
        "/api/v2/customers",
        &staff,
        Some(json!({"name": "Sadia Islam", "phone": "01812345678", "package_id": pkg})),
    ))["id"]
        .as_i64()
        .unwrap();
    created(s.call(
        "POST",
        "/api/v2/billing/payments",
        &staff,
        Some(json!({"customer_id": id, "amount": 500, "method": "cash"})),
    ));
    let c = s
        .get_auth(&format!("/api/v2/customers/{id}"), &staff)
        .json();
    assert_eq!(c["data"]["expires_at"], "2026-05-01T06:00:00Z", "{c}");
    // A monthly customer signed up the same minute: their expires_at is the
    // same, but a monthly package does not end; no reminder for them.
    let monthly = s.create_package("Home monthly", 800);
    let m = created(s.call(
        "POST",
        "/api/v2/customers",
        &staff,
        Some(json!({"name": "Monthly Man", "phone": "01812345679", "package_id": monthly})),
    ));
    assert_eq!(m["expires_at"], "2026-05-01T06:00:00Z", "{m}");

    // 27 April: four days before, nothing; 28 April before 10:00 Dhaka,
    // nothing; from 10:00, one reminder, and only one.
    clock.set(datetime!(2026-04-27 06:00:00 UTC));
    assert_eq!(send_reminders(&s), 0);
    clock.set(datetime!(2026-04-28 03:59:00 UTC));
    assert_eq!(send_reminders(&s), 0);
    clock.set(datetime!(2026-04-28 04:00:00 UTC));
    assert_eq!(send_reminders(&s), 1, "the prepaid customer only");
    assert_eq!(send_reminders(&s), 0, "once per expiry and day count");
    let monthly_id = m["id"].as_i64().unwrap();
    assert!(sms_to(&s, monthly_id)
        .iter()
        .all(|b| !b.contains("/portal/l/")));
    let text = wait_until("the expiry reminder", || {
        sms_to(&s, id)
            .into_iter()
            .find(|b| b.contains("/portal/l/"))
    });
    let prefix = "Dear Sadia Islam, your internet package ends on 2026-05-01. Renew online: https://pay.isp.example/portal/l/";
    assert!(text.starts_with(prefix), "{text}");
    let code = text.rsplit("/portal/l/").next().unwrap().trim();

    // The link needs no login: it shows the customer, for everything due.
    let r = open_link(&s, code);
    assert_eq!(r.status, 200, "{}", r.body);
    let page = r.json();
    assert_eq!(page["first_name"], "Sadia");
    assert_eq!(page["known_by"], "payment_link");
    assert_eq!(page["bill_id"], Value::Null);
    assert!(page["token"]["access_token"].as_str().is_some(), "{page}");

    // Retention keeps the sent reminder's row 90 days, then drops it.
    let rows = || -> i64 {
        s.state
            .db
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM payment_reminders", [], |r| r.get(0))?))
            .unwrap()
    };
    let keep = ispbills::jobs::retention::Retention {
        request_log_days: 3650,
        webhook_delivery_days: 3650,
        router_data_days: 3650,
        monitoring_days: 3650,
        radius_session_days: 3650,
        audit_days: 365,
    };
    let prune = || ispbills::jobs::retention::run_once(&s.state.db, clock.as_ref(), keep).unwrap();
    clock.set(datetime!(2026-07-26 04:00:00 UTC));
    prune();
    assert_eq!(rows(), 1);
    clock.set(datetime!(2026-07-28 04:00:00 UTC));
    prune();
    assert_eq!(rows(), 0);
}

#[test]
fn no_reminder_when_they_are_off_or_the_bill_is_paid() {
    let clock = Arc::new(ManualClock::new(datetime!(2026-04-01 06:00:00 UTC)));
    for days in [vec![], vec![3]] {
        let s = server(clock.clone(), days.clone());
        clock.set(datetime!(2026-04-01 06:00:00 UTC));
        let staff = s.v2_admin_token();
        let pkg = s.create_package("Home", 800);
        let mut ids = Vec::new();
        for (name, phone) in [("Paid Early", "01711000011"), ("Owes", "01711000012")] {
            ids.push(owing(&s, &staff, name, phone, pkg, 800, "2026-04-10").0);
        }
        created(s.call(
            "POST",
            "/api/v2/billing/payments",
            &staff,
            Some(json!({"customer_id": ids[0], "amount": 800, "method": "cash"})),
        ));
        // 7 April, 11:00 in Dhaka: three days before the due date.
        clock.set(datetime!(2026-04-07 05:00:00 UTC));
        let expected = usize::from(!days.is_empty());
        assert_eq!(send_reminders(&s), expected, "reminder days {days:?}");
        let reminded: Vec<bool> = ids
            .iter()
            .map(|&id| sms_to(&s, id).iter().any(|b| b.contains("/portal/l/")))
            .collect();
        if days.is_empty() {
            assert_eq!(reminded, [false, false]);
        } else {
            let owes = wait_until("the reminder", || {
                sms_to(&s, ids[1])
                    .into_iter()
                    .find(|b| b.contains("/portal/l/"))
            });
            assert!(owes.contains("800 BDT is due on 2026-04-10"), "{owes}");
            assert!(!reminded[0], "the paid bill is not reminded");
        }
    }
}

#[test]
fn staff_make_links_for_open_bills_and_links_expire() {
    let clock = Arc::new(ManualClock::new(datetime!(2026-04-01 06:00:00 UTC)));
    let s = server(clock.clone(), vec![]);
    let staff = s.v2_admin_token();
    let pkg = s.create_package("Home", 800);
    let mut customers = Vec::new();
    for (name, phone) in [("Karim Mia", "01711000021"), ("Other One", "01711000022")] {
        customers.push(owing(&s, &staff, name, phone, pkg, 600, "2026-04-20"));
    }
    let (karim, bill) = customers[0];
    let path = format!("/api/v2/customers/{karim}/payment-link");

    let link = created(s.call("POST", &format!("{path}?bill_id={bill}"), &staff, None));
    let code = link["code"].as_str().unwrap().to_string();
    assert_eq!(link["url"], format!("{PUBLIC}/portal/l/{code}"));
    assert_eq!(link["customer_id"], karim);
    assert_eq!(link["bill_id"], bill);
    assert_eq!(link["valid_until"], "2026-05-01");
    let page = open_link(&s, &code).json();
    assert_eq!(page["bill_id"], bill, "{page}");
    assert_eq!(page["due"], 600, "{page}");

    // Another customer's bill, or one that is not there, is not found; a
    // bill already paid has nothing to pay.
    let other_bill = customers[1].1;
    let r = s.call(
        "POST",
        &format!("{path}?bill_id={other_bill}"),
        &staff,
        None,
    );
    r.assert_error(404, "NOT_FOUND");
    let r = s.call("POST", &format!("{path}?bill_id=999999"), &staff, None);
    r.assert_error(404, "NOT_FOUND");
    created(s.call(
        "POST",
        "/api/v2/billing/payments",
        &staff,
        Some(json!({"customer_id": karim, "amount": 600, "method": "cash"})),
    ));
    let r = s.call("POST", &format!("{path}?bill_id={bill}"), &staff, None);
    r.assert_error(409, "CONFLICT");
    let r = s.call(
        "POST",
        "/api/v2/customers/999999/payment-link",
        &staff,
        None,
    );
    r.assert_error(404, "NOT_FOUND");
    // A token without billing:write may not make links.
    let (_, _, _, read_only) =
        s.v2_client_token("customers:read", ispbills::auth::principal::Tier::Standard);
    let r = s.call("POST", &path, &read_only, None);
    r.assert_error(403, "FORBIDDEN");

    // The link works through its last day, and not after.
    clock.set(datetime!(2026-05-01 18:30:00 UTC)); // 2 May, 00:30 in Dhaka
    let r = open_link(&s, &code);
    r.assert_error(404, "NOT_FOUND");
    clock.set(datetime!(2026-05-01 12:00:00 UTC)); // 1 May, 18:00 in Dhaka
    assert_eq!(open_link(&s, &code).status, 200);
    // Garbage is not found either, never a 500.
    for bad in ["", "1-2-3", "x-0-20260501-00000000000000000000"] {
        let r = open_link(&s, bad);
        assert!(
            matches!(r.status, 404 | 422),
            "{bad:?}: {} {}",
            r.status,
            r.body
        );
    }
}
