//! What the online-payment tests share: a suspended customer with a bill
//! and a portal login, starting a payment with the customer API, following
//! a gateway's redirect without a browser, and reading back the results.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{json, Value};

use super::TestServer;

/// A suspended customer owing one bill of 500; their id, bill and token.
pub fn suspended_customer(s: &TestServer) -> (i64, i64, String) {
    let staff = s.v2_admin_token();
    let r = s.call(
        "POST",
        "/api/v2/customers",
        &staff,
        Some(json!({"name": "Rahim Uddin", "phone": "01711000001",
                    "username": "rahim", "password": "rahim-pw"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["data"]["id"].as_i64().unwrap();
    let r = s.call(
        "POST",
        "/api/v2/billing/bills",
        &staff,
        Some(json!({"customer_id": id, "amount": 500, "due_date": "2026-11-10"})),
    );
    let bill = r.json()["data"]["id"].as_i64().unwrap();
    // Overdue past its grace days: the billing run suspends the customer
    // (and a payment that clears the dues lifts that suspension).
    let report = ispbills::jobs::billing::run_for(
        &s.state.db,
        &s.state.config,
        s.state.clock.as_ref(),
        time::macros::date!(2026 - 11 - 30),
    )
    .unwrap();
    assert_eq!(report.customers_suspended, 1, "{report:?}");
    assert_eq!(customer(s, id)["status"], "suspended");
    let token = rahim_login(s);
    (id, bill, token)
}

/// Rahim's customer token (a fresh login).
pub fn rahim_login(s: &TestServer) -> String {
    let r = s.send(
        "POST",
        "/api/v2/me/login",
        &[("content-type", "application/json")],
        Some(br#"{"username":"rahim","password":"rahim-pw"}"#),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["access_token"].as_str().unwrap().to_string()
}

pub fn start_payment(s: &TestServer, token: &str, body: Value) -> Value {
    let r = s.call("POST", "/api/v2/me/payments", token, Some(body));
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()
}

/// GETs `url` without following redirects; answers the status and Location.
pub fn visit(url: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let r = agent.get(url).call().unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (r.status().as_u16(), location)
}

pub fn online(s: &TestServer, token: &str, reference: &str) -> Value {
    let r = s.get_auth(&format!("/api/v2/me/online-payments/{reference}"), token);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["data"].clone()
}

pub fn customer(s: &TestServer, id: i64) -> Value {
    let r = s.call(
        "GET",
        &format!("/api/v2/customers/{id}"),
        &s.v2_admin_token(),
        None,
    );
    r.json()["data"].clone()
}

pub fn payments_of(s: &TestServer, id: i64) -> Vec<Value> {
    let r = s.call(
        "GET",
        &format!("/api/v2/customers/{id}/payments"),
        &s.v2_admin_token(),
        None,
    );
    r.json()["data"].as_array().unwrap().clone()
}

/// POSTs `fields` as a urlencoded form without following redirects (as a
/// gateway's page makes the browser do); answers the status and Location.
pub fn post_form(url: &str, fields: &[(String, String)]) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let body = serde_urlencoded::to_string(fields).unwrap();
    let r = agent
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .send(body.as_bytes())
        .unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (r.status().as_u16(), location)
}

/// Waits (up to 15 s) until `f` answers something; answers it.
pub fn wait_until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The SMS bodies written for customer `id`, oldest first.
pub fn sms_to(s: &TestServer, id: i64) -> Vec<String> {
    s.state
        .db
        .read(move |c| {
            let mut stmt =
                c.prepare("SELECT body FROM sms_messages WHERE customer_id = ?1 ORDER BY id")?;
            let rows = stmt.query_map([id], |r| r.get::<_, String>(0))?;
            Ok(rows.map(Result::unwrap).collect::<Vec<_>>())
        })
        .unwrap()
}

/// Runs the reminder job once, now; answers how many reminders it wrote.
pub fn send_reminders(s: &TestServer) -> usize {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(ispbills::ops::reminders::send_due(
        &s.state.ctx(),
        &s.state.portal_keys(),
    ))
    .unwrap()
}
