//! A subscriber's whole life through the built-in RADIUS server, as a
//! MikroTik in RADIUS mode lives it (radclient as the router's RADIUS client,
//! the test NAS as its CoA/Disconnect port), on a clock the test moves:
//! login with the package's speed, accounting and usage, the bill, the
//! billing run suspending the overdue customer and cutting the live session,
//! the refused login while suspended, the payment that reactivates, and the
//! next login at full speed. Runs on the engine under test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/radclient.rs"]
mod radclient;
#[path = "common/radius_nas.rs"]
mod radius_nas;

use std::{sync::Arc, time::Duration};

use common::TestServer;
use ispbills::{
    clock::ManualClock,
    drivers::radius::packet::{attr, code},
    jobs::billing,
};
use poem::EndpointExt;
use radclient::radclient_cmd;
use radius_nas::TestNas;
use serde_json::{json, Value};
use time::macros::{date, datetime};

const SECRET: &str = "lifecycle-radius-secret-0123456";

fn get(s: &TestServer, token: &str, path: &str) -> Value {
    let r = s.call("GET", path, token, None);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.json()
}

/// The server with RADIUS on, on a clock the test moves (14:00 in Dhaka on
/// 10 April: the billing day is the 10th), with `suspended` mode.
fn start(suspended: &str) -> (TestServer, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(datetime!(2026-04-10 08:00:00 UTC)));
    let suspended = suspended.to_string();
    let s = TestServer::start_full(
        move |mut c| {
            c.radius.enabled = true;
            c.radius.auth_listen = "127.0.0.1:0".into();
            c.radius.acct_listen = "127.0.0.1:0".into();
            c.radius.suspended = suspended;
            // The test runs the billing days itself; the server's own daily
            // run (due at run_at, local time) must not race it.
            c.billing.run_at = "23:59".into();
            c
        },
        clock.clone(),
        |state| ispbills::app::routes(state).boxed(),
    );
    (s, clock)
}

/// A router on 127.0.0.1 in RADIUS mode (CoA to `coa_port`, if given).
fn nas_router(s: &TestServer, token: &str, name: &str, coa_port: Option<u16>) -> i64 {
    let mut body = json!({"name": name, "host": "127.0.0.1", "username": "admin",
                          "password": "x", "radius_secret": SECRET, "auth_mode": "radius"});
    if let Some(port) = coa_port {
        body["coa_port"] = json!(port);
    }
    let r = s.call("POST", "/api/v2/network/routers", token, Some(body));
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["data"]["id"].as_i64().unwrap()
}

/// Sends an Accounting-Request with radclient; it must be answered.
fn accounting(s: &TestServer, attrs: &str) {
    let acct = s.state.radius_acct_addr.unwrap();
    let (ok, out) = radclient_cmd(acct, "acct", attrs, SECRET, &[]);
    assert!(ok, "{out}");
}

#[test]
fn login_usage_suspension_by_the_billing_run_payment_and_reactivation() {
    // Suspension cuts the session (the address-list mode moves it with a
    // CoA instead; tests/radius.rs covers that).
    let (s, clock) = start("reject");
    let token = s.v2_admin_token();
    let auth = s.state.radius_auth_addr.unwrap();
    let nas = TestNas::start(SECRET.as_bytes());
    let radius = |attrs: &str| radclient_cmd(auth, "auth", attrs, SECRET, &[]);
    let accounting = |attrs: &str| accounting(&s, attrs);

    // The router, in RADIUS mode, and a PPPoE customer on a 10/2 Mbps package.
    let router = nas_router(&s, &token, "pop-1", Some(nas.port));
    let r = s.call(
        "POST",
        "/api/v2/packages",
        &token,
        Some(
            json!({"name": "Home 10M", "price": 800, "speed_down_kbps": 10240,
                    "speed_up_kbps": 2048}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let package = r.json()["data"]["id"].as_i64().unwrap();
    let r = s.call(
        "POST",
        "/api/v2/customers",
        &token,
        Some(
            json!({"name": "Lina Akter", "phone": "01711000001", "package_id": package,
                    "connection_type": "pppoe", "username": "lina", "password": "lina-pw-1",
                    "router_id": router}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let customer = r.json()["data"]["id"].as_i64().unwrap();

    // 1. Login: accepted with the package's speed, upload first.
    let login = "User-Name = lina, User-Password = lina-pw-1, Message-Authenticator = 0x00";
    let (ok, out) = radius(login);
    assert!(ok, "{out}");
    assert!(
        out.contains("Mikrotik-Rate-Limit = \"2048k/10240k\""),
        "{out}"
    );

    // 2. Accounting: the session and its usage.
    accounting(
        "Acct-Status-Type = Start, Acct-Session-Id = \"lina-1\", User-Name = lina, \
         Framed-IP-Address = 10.20.0.7, Calling-Station-Id = \"AA:BB:CC:00:11:22\"",
    );
    accounting(
        "Acct-Status-Type = Interim-Update, Acct-Session-Id = \"lina-1\", User-Name = lina, \
         Acct-Input-Octets = 1500, Acct-Output-Octets = 700, Acct-Output-Gigawords = 2, \
         Acct-Session-Time = 600",
    );
    let usage = get(&s, &token, &format!("/api/v2/customers/{customer}/usage"));
    let sessions = usage["data"]["radius_sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 1, "{usage}");
    assert_eq!(sessions[0]["session_id"], "lina-1");
    assert_eq!(sessions[0]["input_octets"], 1500);
    assert_eq!(sessions[0]["output_octets"], (2_i64 << 32) + 700);
    assert!(sessions[0]["stopped_at"].is_null());

    // 3. The bill on the next billing day; due a week later, grace 3 days:
    // the run of the 21st suspends and the live session is cut.
    clock.set(datetime!(2026-05-10 00:10:00 UTC));
    let config = &s.state.config;
    billing::run_for(&s.state.db, config, clock.as_ref(), date!(2026 - 05 - 10)).unwrap();
    // A month on, the morning's token has expired.
    let token = s.v2_admin_token();
    let bills = get(&s, &token, &format!("/api/v2/customers/{customer}/bills"));
    assert_eq!(bills["data"].as_array().unwrap().len(), 1, "{bills}");
    clock.set(datetime!(2026-05-21 00:10:00 UTC));
    let token = s.v2_admin_token();
    let report =
        billing::run_for(&s.state.db, config, clock.as_ref(), date!(2026 - 05 - 21)).unwrap();
    assert_eq!(report.customers_suspended, 1);
    let seen = nas.wait_for(1);
    assert_eq!(seen[0].code, code::DISCONNECT_REQUEST);
    assert!(seen[0].signed, "signed with the router's secret");
    assert_eq!(seen[0].text(attr::USER_NAME).as_deref(), Some("lina"));
    assert_eq!(
        seen[0].text(attr::ACCT_SESSION_ID).as_deref(),
        Some("lina-1")
    );
    // The router ends the session and says so.
    accounting(
        "Acct-Status-Type = Stop, Acct-Session-Id = \"lina-1\", User-Name = lina, \
         Acct-Input-Octets = 2500, Acct-Output-Octets = 900, Acct-Output-Gigawords = 2, \
         Acct-Session-Time = 900, Acct-Terminate-Cause = Admin-Reset",
    );
    let open = get(
        &s,
        &token,
        &format!("/api/v2/radius/sessions?customer_id={customer}&active=true"),
    );
    assert_eq!(open["data"].as_array().unwrap().len(), 0, "{open}");

    // 4. Suspended: the login is refused, and why.
    let (ok, out) = radius(login);
    assert!(!ok && out.contains("Received Access-Reject"), "{out}");
    assert!(out.contains("suspended"), "{out}");
    // The PPP-auth log is written once a second.
    let v1 = s.login_admin_v1();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let log = get(&s, &v1, "/api/v1/logs/ppp-auth").to_string();
        if log.contains("radius: <lina> rejected: suspended on pop-1") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{log}");
        std::thread::sleep(Duration::from_millis(100));
    }

    // 5. The payment clears the bill: active again, no session to touch.
    clock.set(datetime!(2026-05-22 06:00:00 UTC));
    let token = s.v2_admin_token();
    let r = s.call(
        "POST",
        "/api/v2/billing/payments",
        &token,
        Some(json!({"customer_id": customer, "amount": 800, "method": "cash"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let me = get(&s, &token, &format!("/api/v2/customers/{customer}"));
    assert_eq!(me["data"]["status"], "active", "{me}");

    // 6. The next login gets the full service again.
    let (ok, out) = radius(login);
    assert!(ok, "{out}");
    assert!(
        out.contains("Mikrotik-Rate-Limit = \"2048k/10240k\""),
        "{out}"
    );
    assert!(!out.contains("Mikrotik-Address-List"), "{out}");
    accounting(
        "Acct-Status-Type = Start, Acct-Session-Id = \"lina-2\", User-Name = lina, \
         Framed-IP-Address = 10.20.0.7",
    );
    let open = get(
        &s,
        &token,
        &format!("/api/v2/radius/sessions?customer_id={customer}&active=true"),
    );
    let open = open["data"].as_array().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["session_id"], "lina-2");
    // The reactivation found no open session: nothing more went to the NAS.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(nas.seen().len(), 1, "{:?}", nas.seen());
}

#[test]
fn a_hotspot_voucher_runs_from_its_first_login_to_its_package_s_validity() {
    let (s, clock) = start("address-list");
    let token = s.v2_admin_token();
    let auth = s.state.radius_auth_addr.unwrap();
    let radius = |attrs: &str| radclient_cmd(auth, "auth", attrs, SECRET, &[]);
    nas_router(&s, &token, "hotspot-1", None);
    let r = s.call(
        "POST",
        "/api/v2/packages",
        &token,
        Some(
            json!({"name": "Hotspot day", "price": 30, "speed_down_kbps": 4096,
                    "speed_up_kbps": 1024, "billing_cycle": "days", "validity_days": 1}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let package = r.json()["data"]["id"].as_i64().unwrap();
    let r = s.call(
        "POST",
        "/api/v2/recharge-cards",
        &token,
        Some(json!({"count": 2, "value": 30, "batch": "HS-DAY", "package_id": package})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let cards = r.json()["data"]["cards"].as_array().unwrap().clone();
    let (serial, pin) = (
        cards[0]["serial"].as_str().unwrap().to_string(),
        cards[0]["pin"].as_str().unwrap().to_string(),
    );
    let state = |token: &str| -> Vec<Value> {
        get(&s, token, "/api/v1/recharge-cards?batch=HS-DAY")["data"]
            .as_array()
            .unwrap()
            .clone()
    };
    let card = |token: &str, serial: &str| -> Value {
        state(token)
            .into_iter()
            .find(|c| c["serial"] == serial)
            .unwrap()
    };
    // The list is v1's (the guide's); a v1 session reads it.
    let v1 = s.login_admin_v1();
    assert_eq!(card(&v1, &serial)["voucher_state"], "unused");
    assert_eq!(card(&v1, &serial)["package_id"], package);

    // CHAP cannot be checked against a hashed PIN; a wrong PIN is refused.
    let (ok, out) = radius(&format!(
        "User-Name = {serial}, CHAP-Password = {pin}, Message-Authenticator = 0x00"
    ));
    assert!(!ok && out.contains("Vouchers log in with PAP"), "{out}");
    let (ok, out) = radius(&format!(
        "User-Name = {serial}, User-Password = 0000000000000000, Message-Authenticator = 0x00"
    ));
    assert!(!ok && out.contains("Wrong password."), "{out}");
    assert_eq!(card(&v1, &serial)["voucher_state"], "unused");

    // The first login starts its day.
    let login =
        format!("User-Name = {serial}, User-Password = {pin}, Message-Authenticator = 0x00");
    let (ok, out) = radius(&login);
    assert!(ok, "{out}");
    assert!(out.contains("Session-Timeout = 86400"), "{out}");
    assert!(
        out.contains("Mikrotik-Rate-Limit = \"1024k/4096k\""),
        "{out}"
    );
    let now = card(&v1, &serial);
    assert_eq!(now["voucher_state"], "active", "{now}");
    assert_eq!(now["activated_at"], "2026-04-10T08:00:00Z");
    assert_eq!(now["expires_at"], "2026-04-11T08:00:00Z");
    // Half a day on: the time left, not a new day.
    clock.set(datetime!(2026-04-10 20:00:00 UTC));
    let (ok, out) = radius(&login);
    assert!(ok, "{out}");
    assert!(out.contains("Session-Timeout = 43200"), "{out}");
    // An activated voucher is no payment.
    let token = s.v2_admin_token();
    let r = s.call(
        "POST",
        "/api/v2/customers",
        &token,
        Some(json!({"name": "Walk-in", "phone": "01711000009"})),
    );
    let customer = r.json()["data"]["id"].as_i64().unwrap();
    let redeem = s.call(
        "POST",
        "/api/v2/recharge-cards/redeem",
        &token,
        Some(json!({"customer_id": customer, "pin": pin})),
    );
    assert_eq!(redeem.status, 422, "{}", redeem.body);

    // Its day over: refused, and listed as expired.
    clock.set(datetime!(2026-04-11 08:00:01 UTC));
    let token = s.v2_admin_token();
    let v1 = s.login_admin_v1();
    let (ok, out) = radius(&login);
    assert!(!ok && out.contains("This voucher has expired."), "{out}");
    assert_eq!(card(&v1, &serial)["voucher_state"], "expired");

    // The other card went as a payment: it no longer logs in.
    let (serial2, pin2) = (
        cards[1]["serial"].as_str().unwrap().to_string(),
        cards[1]["pin"].as_str().unwrap().to_string(),
    );
    let redeem = s.call(
        "POST",
        "/api/v2/recharge-cards/redeem",
        &token,
        Some(json!({"customer_id": customer, "pin": pin2})),
    );
    assert_eq!(redeem.status, 201, "{}", redeem.body);
    let (ok, out) = radius(&format!(
        "User-Name = {serial2}, User-Password = {pin2}, Message-Authenticator = 0x00"
    ));
    assert!(
        !ok && out.contains("This voucher is no longer valid."),
        "{out}"
    );
    assert_eq!(card(&v1, &serial2)["voucher_state"], "used");
}

#[test]
fn ended_sessions_and_answered_requests_go_after_the_retention_days() {
    let (s, clock) = start("reject");
    let token = s.v2_admin_token();
    let nas = TestNas::start(SECRET.as_bytes());
    let router = nas_router(&s, &token, "pop-2", Some(nas.port));
    let r = s.call(
        "POST",
        "/api/v2/customers",
        &token,
        Some(
            json!({"name": "Old Timer", "phone": "01711000002", "connection_type": "pppoe",
                    "username": "old", "password": "old-pw-1", "router_id": router}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let customer = r.json()["data"]["id"].as_i64().unwrap();
    accounting(
        &s,
        "Acct-Status-Type = Start, Acct-Session-Id = \"old-1\", User-Name = old",
    );
    // A disconnect by staff: one request, answered.
    let act = s.call(
        "POST",
        &format!("/api/v1/customers/{customer}/action"),
        &s.login_admin_v1(),
        Some(json!({"action": "disconnect"})),
    );
    assert_eq!(act.status, 200, "{}", act.body);
    nas.wait_for(1);
    accounting(
        &s,
        "Acct-Status-Type = Stop, Acct-Session-Id = \"old-1\", User-Name = old, \
         Acct-Session-Time = 60",
    );
    accounting(
        &s,
        "Acct-Status-Type = Start, Acct-Session-Id = \"old-2\", User-Name = old",
    );
    let count = |table: &str| -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        s.state
            .db
            .read(move |c| Ok(c.query_row(&sql, [], |row| row.get(0))?))
            .unwrap()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while count("radius_coa_requests WHERE done_at IS NOT NULL") < 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the request was not recorded"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let keep = ispbills::jobs::retention::Retention {
        request_log_days: 3650,
        webhook_delivery_days: 3650,
        router_data_days: 3650,
        monitoring_days: 3650,
        radius_session_days: 180,
        audit_days: 365,
    };
    let prune = || ispbills::jobs::retention::run_once(&s.state.db, clock.as_ref(), keep).unwrap();
    // 179 days on: kept.
    clock.set(datetime!(2026-10-06 08:00:00 UTC));
    prune();
    assert_eq!(count("radius_sessions"), 2);
    assert_eq!(count("radius_coa_requests"), 1);
    // 181 days on: the ended session and the answered request go; the
    // open session stays, however old.
    clock.set(datetime!(2026-10-08 08:00:00 UTC));
    prune();
    assert_eq!(count("radius_coa_requests"), 0);
    let left = get(
        &s,
        &s.v2_admin_token(),
        &format!("/api/v2/radius/sessions?customer_id={customer}"),
    );
    let left = left["data"].as_array().unwrap();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["session_id"], "old-2");
}
