//! The customer API: logins by password and by SMS code (with their limits),
//! customer tokens that reach only the customer's own records and nothing of
//! staff's (and staff tokens nothing of theirs), the portal password, and the
//! suspension page's recognition by source address.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::{collections::BTreeMap, time::Duration};

use common::{
    receiver::{Answer, Receiver},
    TestServer,
};
use ispbills::{
    clock::format_timestamp, config::Config, sms::config::HttpGatewayConfig, store::sms,
};
use poem::EndpointExt;
use serde_json::{json, Value};

fn server_with(tweak: impl FnOnce(Config) -> Config) -> TestServer {
    TestServer::start_with(tweak, |state| ispbills::app::routes(state).boxed())
}

/// A customer with a login name and password, and a bill; returns its id.
fn customer(s: &TestServer, token: &str, name: &str, phone: &str, username: &str) -> i64 {
    let r = s.call(
        "POST",
        "/api/v2/customers",
        token,
        Some(json!({"name": name, "phone": phone, "username": username,
                    "password": format!("{username}-pw")})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["data"]["id"].as_i64().unwrap();
    let b = s.call(
        "POST",
        "/api/v2/billing/bills",
        token,
        Some(json!({"customer_id": id, "amount": 500, "due_date": "2026-12-10"})),
    );
    assert_eq!(b.status, 201, "{}", b.body);
    id
}

fn login(s: &TestServer, username: &str, password: &str) -> common::Reply {
    s.send(
        "POST",
        "/api/v2/me/login",
        &[("content-type", "application/json")],
        Some(
            json!({"username": username, "password": password})
                .to_string()
                .as_bytes(),
        ),
    )
}

fn post(s: &TestServer, path: &str, body: Value) -> common::Reply {
    s.send(
        "POST",
        path,
        &[("content-type", "application/json")],
        Some(body.to_string().as_bytes()),
    )
}

fn token_of(r: &common::Reply) -> String {
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["access_token"].as_str().unwrap().to_string()
}

#[test]
fn a_customer_logs_in_and_reaches_only_their_own_records() {
    let s = TestServer::start();
    let staff = s.v2_admin_token();
    let rahim = customer(&s, &staff, "Rahim Uddin", "01711000001", "rahim");
    let karim = customer(&s, &staff, "Karim Mia", "01711000002", "karim");

    login(&s, "rahim", "wrong").assert_error(401, "UNAUTHENTICATED");
    login(&s, "nobody", "rahim-pw").assert_error(401, "UNAUTHENTICATED");
    let r = login(&s, "rahim", "rahim-pw");
    let token = token_of(&r);
    assert!(token.starts_with("c_"));
    assert_eq!(r.json()["customer_id"], rahim);
    assert_eq!(r.json()["scope"], "full");

    let me = s.get_auth("/api/v2/me", &token);
    assert_eq!(me.status, 200, "{}", me.body);
    let me = me.json()["data"].clone();
    assert_eq!(me["id"], rahim);
    assert_eq!(me["name"], "Rahim Uddin");
    assert_eq!(me["due"], 500.0);
    assert_eq!(me["open_bills"], 1);
    assert_eq!(me["has_portal_password"], false);

    let bills = s.get_auth("/api/v2/me/bills", &token).json();
    assert_eq!(bills["meta"]["total"], 1);
    assert!(bills["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|b| b["customer_id"] == rahim));
    let r = s.call(
        "POST",
        "/api/v2/me/complaints",
        &token,
        Some(json!({"subject": "Slow at night", "customer_id": karim})),
    );
    // A customer cannot name another customer: the complaint is their own
    // whatever the body says.
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["data"]["customer_id"], rahim);
    let mine = s.get_auth("/api/v2/me/complaints", &token).json();
    assert_eq!(mine["meta"]["total"], 1);

    // Customer tokens reach no staff route; staff tokens no customer route.
    for path in [
        "/api/v2/customers",
        "/api/v1/customers",
        &format!("/api/v2/customers/{karim}"),
        "/api/v2/billing/bills",
        "/api/v2/sms/balance",
    ] {
        s.get_auth(path, &token)
            .assert_error(401, "UNAUTHENTICATED");
    }
    let v1 = s.login_admin_v1();
    for t in [&staff, &v1] {
        s.get_auth("/api/v2/me", t)
            .assert_error(401, "UNAUTHENTICATED");
    }
    // The prefix does not make a staff token a customer's.
    s.get_auth("/api/v2/me", &format!("c_{v1}"))
        .assert_error(401, "UNAUTHENTICATED");
    s.get_auth("/api/v2/me", "")
        .assert_error(401, "UNAUTHENTICATED");
}

#[test]
fn a_portal_password_replaces_the_login_one_and_ends_other_sessions() {
    let s = TestServer::start();
    let staff = s.v2_admin_token();
    customer(&s, &staff, "Rahim Uddin", "01711000001", "rahim");
    let first = token_of(&login(&s, "rahim", "rahim-pw"));
    let second = token_of(&login(&s, "rahim", "rahim-pw"));
    let change = |token: &str, current: &str, new: &str| {
        s.call(
            "PUT",
            "/api/v2/me/password",
            token,
            Some(json!({"current_password": current, "new_password": new})),
        )
    };
    change(&first, "wrong", "a long new password").assert_error(422, "VALIDATION_ERROR");
    change(&first, "rahim-pw", "short").assert_error(422, "VALIDATION_ERROR");
    let r = change(&first, "rahim-pw", "a long new password");
    let renewed = token_of(&r);
    // Both earlier tokens are over; the new one works.
    for t in [&first, &second] {
        s.get_auth("/api/v2/me", t)
            .assert_error(401, "UNAUTHENTICATED");
    }
    let me = s.get_auth("/api/v2/me", &renewed);
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["data"]["has_portal_password"], true);
    login(&s, "rahim", "rahim-pw").assert_error(401, "UNAUTHENTICATED");
    token_of(&login(&s, "rahim", "a long new password"));
}

#[test]
fn logout_ends_one_token_and_new_credentials_from_staff_end_them_all() {
    let s = TestServer::start();
    let staff = s.v2_admin_token();
    let id = customer(&s, &staff, "Rahim Uddin", "01711000001", "rahim");
    let phone = token_of(&login(&s, "rahim", "rahim-pw"));
    let laptop = token_of(&login(&s, "rahim", "rahim-pw"));
    let r = s.call("POST", "/api/v2/me/logout", &phone, None);
    assert_eq!(r.status, 204, "{}", r.body);
    s.get_auth("/api/v2/me", &phone)
        .assert_error(401, "UNAUTHENTICATED");
    s.call("POST", "/api/v2/me/logout", &phone, None)
        .assert_error(401, "UNAUTHENTICATED");
    assert_eq!(s.get_auth("/api/v2/me", &laptop).status, 200);

    // Staff edits: a new name keeps the sessions; a new phone number, login
    // name or login password ends them.
    let edit = |body: Value| {
        let r = s.call(
            "PUT",
            &format!("/api/v2/customers/{id}"),
            &staff,
            Some(body),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    };
    edit(json!({"name": "Rahim Uddin Ahmed"}));
    assert_eq!(s.get_auth("/api/v2/me", &laptop).status, 200);
    let mut username = "rahim".to_string();
    let mut password = "rahim-pw".to_string();
    for (n, body) in [
        json!({"phone": "01711000009"}),
        json!({"username": "rahim2"}),
        json!({"password": "a new login pass"}),
    ]
    .into_iter()
    .enumerate()
    {
        let token = token_of(&login(&s, &username, &password));
        assert_eq!(s.get_auth("/api/v2/me", &token).status, 200);
        edit(body.clone());
        s.get_auth("/api/v2/me", &token)
            .assert_error(401, "UNAUTHENTICATED");
        s.get_auth("/api/v2/me", &laptop)
            .assert_error(401, "UNAUTHENTICATED");
        if let Some(u) = body["username"].as_str() {
            username = u.to_string();
        }
        if let Some(p) = body["password"].as_str() {
            password = p.to_string();
        }
        assert_eq!(
            s.get_auth("/api/v2/me", &token_of(&login(&s, &username, &password)))
                .status,
            200,
            "edit {n}"
        );
    }
}

#[test]
fn failed_customer_logins_are_throttled() {
    let s = TestServer::start();
    let staff = s.v2_admin_token();
    customer(&s, &staff, "Rahim Uddin", "01711000001", "rahim");
    for _ in 0..5 {
        login(&s, "rahim", "guess").assert_error(401, "UNAUTHENTICATED");
    }
    let r = login(&s, "rahim", "rahim-pw");
    r.assert_error(429, "RATE_LIMITED");
    assert!(r.header("retry-after").is_some());
}

fn sms_gateway(url: String) -> HttpGatewayConfig {
    HttpGatewayConfig {
        method: "POST".into(),
        url,
        encoding: "form".into(),
        params: BTreeMap::from([
            ("number".to_string(), "{phone_digits}".to_string()),
            ("message".to_string(), "{message}".to_string()),
        ]),
        headers: BTreeMap::new(),
        api_key: String::new(),
        success_status: vec![],
        success_body_contains: None,
        message_id_pointer: None,
        timeout_secs: 5,
    }
}

fn top_up(s: &TestServer, credits: i64) {
    let now = format_timestamp(time::OffsetDateTime::now_utc());
    s.state
        .db
        .write(move |tx| sms::top_up(tx, credits, Some("test"), &now))
        .unwrap();
}

/// The code in the n-th message the SMS gateway got.
fn code_in(rx: &Receiver, n: usize) -> (String, String) {
    let got = rx.wait_for(n, Duration::from_secs(10));
    let form: BTreeMap<String, String> = serde_urlencoded::from_bytes(&got[n - 1].body).unwrap();
    let code: String = form["message"]
        .split_whitespace()
        .find(|w| {
            w.trim_end_matches('.').len() == 6
                && w.trim_end_matches('.').bytes().all(|b| b.is_ascii_digit())
        })
        .unwrap()
        .trim_end_matches('.')
        .to_string();
    (form["number"].clone(), code)
}

/// A server whose SMS go to a gateway stand-in (the codes only: no bill
/// notifications), with `tweak` applied; the stand-in and the server.
fn with_sms_gateway(tweak: impl FnOnce(Config) -> Config) -> (Receiver, TestServer) {
    let rx = Receiver::start(|_, _| Answer::ok());
    let url = rx.url("/send");
    let s = server_with(move |mut c| {
        c.sms.gateway = "http".into();
        c.sms.http = Some(sms_gateway(url));
        c.sms.notifications.bill_generated = false;
        tweak(c)
    });
    (rx, s)
}

#[test]
fn a_code_by_sms_logs_in_once_within_its_limits() {
    let (rx, s) = with_sms_gateway(|mut c| {
        c.isp.name = "Dhaka Net".into();
        c
    });
    top_up(&s, 10);
    let staff = s.v2_admin_token();
    let rahim = customer(&s, &staff, "Rahim Uddin", "01711000001", "rahim");

    let r = post(&s, "/api/v2/me/otp", json!({"phone": "+880 1711-000001"}));
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.json()["expires_in"], 300);
    let (number, code) = code_in(&rx, 1);
    assert_eq!(number, "8801711000001");
    let msg = serde_urlencoded::from_bytes::<BTreeMap<String, String>>(&rx.received()[0].body)
        .unwrap()["message"]
        .clone();
    assert!(msg.starts_with("Dhaka Net:"), "{msg}");

    // The code is not kept in the clear: not in the OTP table, and the
    // message's text in the SMS history is replaced once it is sent.
    let kept: Vec<String> = s
        .state
        .db
        .read(|c| {
            let mut st = c.prepare_cached("SELECT code_hash FROM customer_otps")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap();
    assert!(kept.iter().all(|h| !h.contains(&code) && h.len() == 64));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let h = s.call("GET", "/api/v2/sms/history", &staff, None).json();
        let body = h["data"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if !body.contains(&code) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "code still in history: {body}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let verify = |code: &str| {
        post(
            &s,
            "/api/v2/me/otp/verify",
            json!({"phone": "01711000001", "code": code}),
        )
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    verify(wrong).assert_error(401, "UNAUTHENTICATED");
    let r = verify(&code);
    assert!(token_of(&r).starts_with("c_"));
    assert_eq!(r.json()["customer_id"], rahim);
    // Used once.
    verify(&code).assert_error(401, "UNAUTHENTICATED");

    // Three codes per number in 15 minutes (the first counts).
    for _ in 0..2 {
        let r = post(&s, "/api/v2/me/otp", json!({"phone": "01711000001"}));
        assert_eq!(r.status, 202, "{}", r.body);
    }
    let r = post(&s, "/api/v2/me/otp", json!({"phone": "01711000001"}));
    r.assert_error(429, "RATE_LIMITED");
    assert!(r.header("retry-after").is_some());
    rx.wait_for(3, Duration::from_secs(10));

    // Five wrong guesses end the newest code.
    let (_, latest) = code_in(&rx, 3);
    for _ in 0..5 {
        let bad = if latest == "000000" {
            "111111"
        } else {
            "000000"
        };
        verify(bad).assert_error(401, "UNAUTHENTICATED");
    }
    verify(&latest).assert_error(401, "UNAUTHENTICATED");

    // A number that is nobody's gets the same answer and no message.
    let r = post(&s, "/api/v2/me/otp", json!({"phone": "01999999999"}));
    assert_eq!(r.status, 202, "{}", r.body);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(rx.received().len(), 3);
    post(&s, "/api/v2/me/otp", json!({"phone": "hello"})).assert_error(422, "VALIDATION_ERROR");
}

#[test]
fn without_credits_no_number_is_told_apart() {
    let (rx, s) = with_sms_gateway(|mut c| {
        c.sms.daily_credit_cap = 1;
        c
    });
    let staff = s.v2_admin_token();
    customer(&s, &staff, "Rahim Uddin", "01711000001", "rahim");
    let ask = |phone: &str| post(&s, "/api/v2/me/otp", json!({ "phone": phone }));
    // No credits: the customer's number and nobody's get the same answer.
    let (own, nobody) = (ask("01711000001"), ask("01711000002"));
    assert_eq!((own.status, nobody.status), (503, 503), "{}", own.body);
    assert_eq!(own.body, nobody.body);
    // One credit: a code for the customer; then the day's cap is reached,
    // and again nobody is told apart.
    top_up(&s, 10);
    assert_eq!(ask("01711000001").status, 202);
    code_in(&rx, 1);
    let (own, nobody) = (ask("01711000001"), ask("01711000002"));
    assert_eq!((own.status, nobody.status), (503, 503), "{}", own.body);
    assert_eq!(own.body, nobody.body);
}

#[test]
fn a_shared_number_asks_which_account() {
    let (rx, s) = with_sms_gateway(|c| c);
    top_up(&s, 10);
    let staff = s.v2_admin_token();
    customer(&s, &staff, "Rahim Uddin", "01711000001", "rahim");
    let shop = customer(&s, &staff, "Rahim's Shop", "01711000001", "rahim-shop");
    assert_eq!(
        post(&s, "/api/v2/me/otp", json!({"phone": "01711000001"})).status,
        202
    );
    let (_, code) = code_in(&rx, 1);
    let r = post(
        &s,
        "/api/v2/me/otp/verify",
        json!({"phone": "01711000001", "code": code}),
    );
    let err = r.assert_error(422, "VALIDATION_ERROR");
    assert!(err["details"]["username"][0]
        .as_str()
        .unwrap()
        .contains("rahim-shop"));
    let r = post(
        &s,
        "/api/v2/me/otp/verify",
        json!({"phone": "01711000001", "code": code, "username": "rahim-shop"}),
    );
    token_of(&r);
    assert_eq!(r.json()["customer_id"], shop);
}

#[test]
fn the_suspension_page_knows_the_customer_by_address_and_only_lets_them_pay() {
    let s = TestServer::start();
    let staff = s.v2_admin_token();
    // Nobody on this address yet.
    s.get("/api/v2/me/recognise").assert_error(404, "NOT_FOUND");
    let id = customer(&s, &staff, "Rahim Uddin", "01711000001", "rahim");
    let r = s.call(
        "PUT",
        &format!("/api/v2/customers/{id}"),
        &staff,
        Some(json!({"static_ip": "127.0.0.1"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s.call(
        "POST",
        &format!("/api/v1/customers/{id}/action"),
        &s.login_admin_v1(),
        Some(json!({"action": "suspend", "reason": "unpaid"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s.get("/api/v2/me/recognise");
    assert_eq!(r.status, 200, "{}", r.body);
    let found = r.json();
    assert_eq!(found["known_by"], "static_ip");
    assert_eq!(found["first_name"], "Rahim");
    assert_eq!(found["status"], "suspended");
    assert_eq!(found["due"], 500.0);
    assert_eq!(found["open_bills"].as_array().unwrap().len(), 1);
    assert!(found.get("phone").is_none());
    let pay = found["token"]["access_token"].as_str().unwrap().to_string();
    assert_eq!(found["token"]["scope"], "pay");
    // A payment-only token sees no history.
    for path in [
        "/api/v2/me",
        "/api/v2/me/bills",
        "/api/v2/me/payments",
        "/api/v2/me/usage",
    ] {
        s.get_auth(path, &pay).assert_error(403, "FORBIDDEN");
    }

    // An open RADIUS session with the address wins over the static one.
    let other = customer(&s, &staff, "Karim Mia", "01711000002", "karim");
    let now = format_timestamp(s.state.clock.now());
    s.state
        .db
        .write(move |tx| {
            tx.execute(
                "INSERT INTO radius_sessions (session_id, customer_id, username, framed_ip, \
                 started_at, updated_at) VALUES ('s1', ?1, 'karim', '127.0.0.1', ?2, ?2)",
                rusqlite::params![other, now],
            )?;
            Ok(())
        })
        .unwrap();
    let r = s.get("/api/v2/me/recognise");
    assert_eq!(r.json()["known_by"], "radius_session");
    assert_eq!(r.json()["first_name"], "Karim");
}
