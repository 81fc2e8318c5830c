//! The built-in RADIUS server against radclient (freeradius-utils): a RADIUS
//! client no one here wrote, with FreeRADIUS's own dictionaries decoding the
//! answers. PAP, CHAP and MS-CHAPv2 accepts and rejects, the reply
//! attributes (Rate-Limit order, Session-Timeout, Class, the suspended
//! address list), Message-Authenticator required by default, packets from an
//! address that is no NAS ignored, and the decisions in the PPP-auth log and
//! `/metrics`. Runs on the engine under test (SQLite or PostgreSQL).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/radclient.rs"]
mod radclient;
#[path = "common/radius_nas.rs"]
mod radius_nas;

use std::net::SocketAddr;

use common::TestServer;
use ispbills::drivers::radius::{
    crypto,
    packet::{self, attr, code, Builder, Packet},
};
use poem::EndpointExt;
use radclient::radclient_cmd;
use radius_nas::{Answer, TestNas};
use serde_json::{json, Value};

const SECRET: &str = "radius-secret-for-the-tests-0123";

struct Radius {
    s: TestServer,
    token: String,
    addr: SocketAddr,
    acct: SocketAddr,
    router: i64,
}

fn start() -> Radius {
    let s = TestServer::start_with(
        |mut c| {
            c.radius.enabled = true;
            c.radius.auth_listen = "127.0.0.1:0".into();
            c.radius.acct_listen = "127.0.0.1:0".into();
            c
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    let token = s.v2_admin_token();
    let addr = s
        .state
        .radius_auth_addr
        .expect("the RADIUS listener is bound");
    let acct = s
        .state
        .radius_acct_addr
        .expect("the accounting listener is bound");
    let r = s.call(
        "POST",
        "/api/v2/network/routers",
        &token,
        Some(json!({"name": "nas-1", "host": "127.0.0.1", "port": 9,
                    "username": "admin", "password": "x", "radius_secret": SECRET})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let router = r.json()["data"]["id"].as_i64().unwrap();
    Radius {
        s,
        token,
        addr,
        acct,
        router,
    }
}

impl Radius {
    fn package(&self, body: Value) -> i64 {
        let r = self
            .s
            .call("POST", "/api/v2/packages", &self.token, Some(body));
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()["data"]["id"].as_i64().unwrap()
    }

    fn customer(&self, username: &str, password: &str, package: i64, router: Option<i64>) -> i64 {
        let r = self.s.call(
            "POST",
            "/api/v2/customers",
            &self.token,
            Some(
                json!({"name": format!("Customer {username}"), "phone": "01711000000",
                        "package_id": package, "connection_type": "pppoe",
                        "username": username, "password": password, "router_id": router}),
            ),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()["data"]["id"].as_i64().unwrap()
    }

    /// Sends `attrs` with radclient; its output and whether an
    /// Access-Accept came back.
    fn radclient(&self, attrs: &str, secret: &str) -> (bool, String) {
        radclient(self.addr, attrs, secret)
    }

    fn metric(&self, line_start: &str) -> f64 {
        metric(&self.s, line_start)
    }

    /// Sends an Accounting-Request with radclient; true when answered.
    fn acct(&self, attrs: &str, extra: &[&str]) -> bool {
        let (ok, out) = radclient_cmd(self.acct, "acct", attrs, SECRET, extra);
        assert!(ok, "{out}");
        ok
    }

    fn sessions(&self, query: &str) -> Vec<Value> {
        let r = self.s.call(
            "GET",
            &format!("/api/v2/radius/sessions?{query}"),
            &self.token,
            None,
        );
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["data"].as_array().unwrap().clone()
    }

    fn suspend(&self, id: i64) {
        suspend(&self.s, id);
    }
}

fn metric(s: &TestServer, line_start: &str) -> f64 {
    {
        let token = s
            .v2_client_token("metrics:read", ispbills::auth::principal::Tier::Standard)
            .3;
        let text = s.get_auth("/metrics", &token).body;
        text.lines()
            .find(|l| l.starts_with(line_start))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    }
}

/// Suspends a customer as staff do (v1 action).
fn suspend(s: &TestServer, id: i64) {
    let token = s.login_admin_v1();
    let r = s.call(
        "POST",
        &format!("/api/v1/customers/{id}/action"),
        &token,
        Some(json!({"action": "suspend", "reason": "unpaid bill"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

fn radclient(addr: SocketAddr, attrs: &str, secret: &str) -> (bool, String) {
    radclient_cmd(addr, "auth", attrs, secret, &[])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn pap_chap_and_ms_chap_v2_accept_with_the_package_s_attributes() {
    let r = start();
    let pkg = r.package(
        json!({"name": "20M", "price": 1000, "speed_down_kbps": 20480,
                               "speed_up_kbps": 5120}),
    );
    let id = r.customer("karim", "pa55word", pkg, Some(r.router));

    // PAP, with a Message-Authenticator (radclient computes it).
    let (ok, out) = r.radclient(
        "User-Name = karim, User-Password = pa55word, Message-Authenticator = 0x00",
        SECRET,
    );
    assert!(ok, "{out}");
    // MikroTik reads rx/tx from its side: the subscriber's upload first.
    assert!(
        out.contains("Mikrotik-Rate-Limit = \"5120k/20480k\""),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "Class = 0x{}",
            hex(format!("ispbills:customer:{id}").as_bytes())
        )),
        "{out}"
    );
    assert!(out.contains("Acct-Interim-Interval = 300"), "{out}");
    assert!(
        out.contains("Message-Authenticator"),
        "answers carry one: {out}"
    );
    assert!(
        !out.contains("Session-Timeout"),
        "a monthly customer has no timeout: {out}"
    );

    // CHAP: radclient turns the clear password into the CHAP response.
    let (ok, out) = r.radclient(
        "User-Name = karim, CHAP-Password = pa55word, Message-Authenticator = 0x00",
        SECRET,
    );
    assert!(ok, "{out}");
    let (ok, out) = r.radclient(
        "User-Name = karim, CHAP-Password = wrong, Message-Authenticator = 0x00",
        SECRET,
    );
    assert!(!ok && out.contains("Received Access-Reject"), "{out}");
    assert!(out.contains("Wrong password."), "{out}");

    // MS-CHAPv2: the peer's values computed as a MikroTik NAS would.
    let challenge = [0x5au8; 16];
    let peer = [0x21u8; 16];
    let response = crypto::ms_chap_v2_response(7, &peer, &challenge, b"karim", "pa55word");
    let expected = crypto::ms_chap_v2(&response, &challenge, b"karim", "pa55word").unwrap();
    let (ok, out) = r.radclient(
        &format!(
            "User-Name = karim, MS-CHAP-Challenge = 0x{}, MS-CHAP2-Response = 0x{}, Message-Authenticator = 0x00",
            hex(&challenge),
            hex(&response)
        ),
        SECRET,
    );
    assert!(ok, "{out}");
    assert!(
        out.contains(&format!("MS-CHAP2-Success = 0x{}", hex(&expected.success))),
        "{out}"
    );
    assert!(out.contains("MS-MPPE-Send-Key"), "{out}");
    assert!(out.contains("MS-MPPE-Recv-Key"), "{out}");
    assert!(out.contains("MS-MPPE-Encryption-Policy"), "{out}");
    let wrong = crypto::ms_chap_v2_response(7, &peer, &challenge, b"karim", "not-it");
    let (ok, out) = r.radclient(
        &format!(
            "User-Name = karim, MS-CHAP-Challenge = 0x{}, MS-CHAP2-Response = 0x{}, Message-Authenticator = 0x00",
            hex(&challenge),
            hex(&wrong)
        ),
        SECRET,
    );
    assert!(!ok && out.contains("Received Access-Reject"), "{out}");
    assert!(out.contains("MS-CHAP-Error"), "{out}");

    assert!(r.metric("ispbills_radius_access_accepts_total") >= 3.0);
    assert!(r.metric("ispbills_radius_access_rejects_total{reason=\"wrong_password\"}") >= 2.0);
}

#[test]
fn refusals_say_why_and_the_ppp_auth_log_keeps_them() {
    let r = start();
    let pkg = r.package(
        json!({"name": "10M", "price": 800, "speed_down_kbps": 10240,
                               "speed_up_kbps": 10240}),
    );
    r.customer("rahim", "pw-rahim-1", pkg, Some(r.router));
    // A login of another router.
    let other = r.s.call(
        "POST",
        "/api/v2/network/routers",
        &r.token,
        Some(json!({"name": "nas-2", "host": "127.0.0.2", "port": 9,
                    "username": "admin", "password": "x"})),
    );
    assert_eq!(other.status, 201, "{}", other.body);
    let other = other.json()["data"]["id"].as_i64().unwrap();
    r.customer("salma", "pw-salma-1", pkg, Some(other));
    let disabled = r.customer("jamal", "pw-jamal-1", pkg, Some(r.router));
    // No API call disables a customer yet (imported or demo data can be).
    r.s.state
        .db
        .write(move |tx| {
            tx.exec(
                "UPDATE customers SET status = 'inactive' WHERE id = ?1",
                [disabled],
            )?;
            Ok(())
        })
        .unwrap();

    for (attrs, message) in [
        ("User-Name = nobody, User-Password = x", "Unknown user."),
        ("User-Name = rahim, User-Password = nope", "Wrong password."),
        (
            "User-Name = salma, User-Password = pw-salma-1",
            "This login belongs to another router.",
        ),
        (
            "User-Name = jamal, User-Password = pw-jamal-1",
            "This account is disabled.",
        ),
    ] {
        let (ok, out) = r.radclient(&format!("{attrs}, Message-Authenticator = 0x00"), SECRET);
        assert!(
            !ok && out.contains("Received Access-Reject"),
            "{attrs}: {out}"
        );
        assert!(out.contains(message), "{attrs}: {out}");
        assert!(out.contains("Message-Authenticator"), "{out}");
    }
    // The decisions reach the PPP-auth log (written about once a second).
    let v1 = r.s.login_admin_v1();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let log =
            r.s.call("GET", "/api/v1/logs/ppp-auth?per_page=50", &v1, None);
        assert_eq!(log.status, 200, "{}", log.body);
        let text = log.body.clone();
        if text.contains("<salma> rejected: wrong_nas")
            && text.contains("<jamal> rejected: disabled")
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not in the PPP-auth log: {text}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let router =
        r.s.call(
            "GET",
            &format!("/api/v2/network/routers/{}", r.router),
            &r.token,
            None,
        )
        .json();
    assert_eq!(router["data"]["radius_enabled"], true);
    assert!(
        router["data"]["radius_last_request_at"].is_string(),
        "{router}"
    );
    assert!(
        router["data"].get("radius_secret").is_none(),
        "never shown: {router}"
    );
}

#[test]
fn suspended_customers_go_to_the_address_list_or_are_refused() {
    let r = start();
    let pkg = r.package(json!({"name": "5M", "price": 500, "speed_down_kbps": 5120,
                               "speed_up_kbps": 1024}));
    let id = r.customer("nasir", "pw-nasir-1", pkg, Some(r.router));
    r.suspend(id);
    let (ok, out) = r.radclient(
        "User-Name = nasir, User-Password = pw-nasir-1, Message-Authenticator = 0x00",
        SECRET,
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("Mikrotik-Address-List = \"ispbills-suspended\""),
        "{out}"
    );
    assert!(
        out.contains("Framed-Pool = \"ispbills-suspended\""),
        "{out}"
    );
    // The wrong password still comes first: nothing about the account leaks.
    let (ok, out) = r.radclient(
        "User-Name = nasir, User-Password = guess, Message-Authenticator = 0x00",
        SECRET,
    );
    assert!(!ok && out.contains("Wrong password."), "{out}");
}

#[test]
fn reject_mode_refuses_suspended_customers() {
    let s = TestServer::start_with(
        |mut c| {
            c.radius.enabled = true;
            c.radius.auth_listen = "127.0.0.1:0".into();
            c.radius.acct_listen = "127.0.0.1:0".into();
            c.radius.suspended = "reject".into();
            c
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    let token = s.v2_admin_token();
    let addr = s.state.radius_auth_addr.unwrap();
    let router = s.call(
        "POST",
        "/api/v2/network/routers",
        &token,
        Some(
            json!({"name": "nas-1", "host": "127.0.0.1", "port": 9, "username": "admin",
                    "password": "x", "radius_secret": SECRET}),
        ),
    );
    let router = router.json()["data"]["id"].as_i64().unwrap();
    let pkg = s.create_package("Basic", 500);
    let c = s.call(
        "POST",
        "/api/v2/customers",
        &token,
        Some(
            json!({"name": "Suspended One", "phone": "01711000001", "package_id": pkg,
                    "connection_type": "pppoe", "username": "susp", "password": "pw-susp-1",
                    "router_id": router}),
        ),
    );
    let id = c.json()["data"]["id"].as_i64().unwrap();
    suspend(&s, id);
    let (ok, out) = radclient(
        addr,
        "User-Name = susp, User-Password = pw-susp-1, Message-Authenticator = 0x00",
        SECRET,
    );
    assert!(!ok && out.contains("This account is suspended."), "{out}");
}

#[test]
fn message_authenticator_is_required_unless_the_router_allows_its_absence() {
    let r = start();
    let pkg = r.create_pkg();
    r.customer("tanvir", "pw-tanvir-1", pkg, None);
    let before =
        r.metric("ispbills_radius_dropped_total{reason=\"missing_message_authenticator\"}");
    let (ok, out) = r.radclient("User-Name = tanvir, User-Password = pw-tanvir-1", SECRET);
    assert!(!ok && !out.contains("Received"), "no answer at all: {out}");
    assert!(
        r.metric("ispbills_radius_dropped_total{reason=\"missing_message_authenticator\"}")
            > before
    );
    // A wrong secret makes a wrong Message-Authenticator: dropped too.
    let (ok, out) = r.radclient(
        "User-Name = tanvir, User-Password = pw-tanvir-1, Message-Authenticator = 0x00",
        "a-different-secret-of-length",
    );
    assert!(!ok && !out.contains("Received"), "{out}");
    assert!(r.metric("ispbills_radius_dropped_total{reason=\"bad_message_authenticator\"}") >= 1.0);
    // Allowed for this router: answered (a change on this node is seen by
    // its RADIUS server at the next packet).
    let put = r.s.call(
        "PUT",
        &format!("/api/v2/network/routers/{}", r.router),
        &r.token,
        Some(json!({"radius_require_message_authenticator": false})),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(
        put.json()["data"]["radius_require_message_authenticator"],
        false
    );
    let (ok, out) = r.radclient("User-Name = tanvir, User-Password = pw-tanvir-1", SECRET);
    assert!(ok, "{out}");
}

#[test]
fn packets_from_an_address_that_is_no_nas_are_ignored() {
    let r = start();
    let pkg = r.create_pkg();
    r.customer("lima", "pw-lima-1", pkg, None);
    let put = r.s.call(
        "PUT",
        &format!("/api/v2/network/routers/{}", r.router),
        &r.token,
        Some(json!({"nas_ip": "127.0.0.9"})),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    let (ok, out) = r.radclient(
        "User-Name = lima, User-Password = pw-lima-1, Message-Authenticator = 0x00",
        SECRET,
    );
    assert!(!ok && !out.contains("Received"), "{out}");
    assert!(r.metric("ispbills_radius_dropped_total{reason=\"unknown_client\"}") >= 1.0);
}

#[test]
fn the_secret_is_checked_and_write_only() {
    let r = start();
    for (body, field) in [
        (json!({"radius_secret": "too-short"}), "radius_secret"),
        (json!({"nas_ip": "not-an-ip"}), "nas_ip"),
    ] {
        let put = r.s.call(
            "PUT",
            &format!("/api/v2/network/routers/{}", r.router),
            &r.token,
            Some(body),
        );
        assert_eq!(put.status, 422, "{}", put.body);
        assert!(put.body.contains(field), "{}", put.body);
    }
    // null removes it: the router is no longer a NAS.
    let put = r.s.call(
        "PUT",
        &format!("/api/v2/network/routers/{}", r.router),
        &r.token,
        Some(json!({"radius_secret": null})),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.json()["data"]["radius_enabled"], false);
}

impl Radius {
    fn create_pkg(&self) -> i64 {
        self.s.create_package("Basic", 500)
    }
}

#[test]
fn accounting_turns_into_sessions_with_octets_and_usage() {
    let r = start();
    let pkg = r.create_pkg();
    let id = r.customer("babul", "pw-babul-1", pkg, Some(r.router));
    let class = hex(format!("ispbills:customer:{id}").as_bytes());
    r.acct(
        &format!(
            "Acct-Status-Type = Start, Acct-Session-Id = \"81a00001\", User-Name = babul, \
             Framed-IP-Address = 10.10.0.7, Calling-Station-Id = \"AA:BB:CC:00:11:22\", Class = 0x{class}"
        ),
        &[],
    );
    let open = r.sessions("active=true");
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["customer_id"], id);
    assert_eq!(open[0]["framed_ip"], "10.10.0.7");
    assert_eq!(open[0]["calling_station_id"], "AA:BB:CC:00:11:22");
    assert_eq!(open[0]["active"], true);

    // An Interim-Update the NAS retransmits (same socket, identifier and
    // authenticator): the same answer from the cache, one row. 5 GiB + 100
    // octets down.
    let before = r.metric("ispbills_radius_duplicates_total");
    let mut b = Builder::new(code::ACCOUNTING_REQUEST, 77);
    b.add_u32(attr::ACCT_STATUS_TYPE, 3)
        .add_u32(attr::ACCT_SESSION_TIME, 600)
        .add_u32(attr::ACCT_INPUT_OCTETS, 1000)
        .add_u32(attr::ACCT_OUTPUT_OCTETS, 100)
        .add_u32(attr::ACCT_OUTPUT_GIGAWORDS, 5);
    b.add(attr::ACCT_SESSION_ID, b"81a00001").unwrap();
    b.add(attr::USER_NAME, b"babul").unwrap();
    let request = b.finish_request(SECRET.as_bytes(), false).unwrap();
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut answers = Vec::new();
    for _ in 0..2 {
        socket.send_to(&request, r.acct).unwrap();
        let mut buf = [0u8; 4096];
        let (n, _) = socket.recv_from(&mut buf).unwrap();
        answers.push(buf[..n].to_vec());
    }
    assert_eq!(answers[0], answers[1]);
    let answer = Packet::decode(&answers[0]).unwrap();
    assert_eq!(answer.code, code::ACCOUNTING_RESPONSE);
    let sent = Packet::decode(&request).unwrap();
    assert!(packet::response_authenticator_ok(
        &answer,
        &sent.authenticator,
        SECRET.as_bytes()
    ));
    assert!(r.metric("ispbills_radius_duplicates_total") > before);
    let s = r.sessions(&format!("customer_id={id}"));
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0]["output_octets"], (5_i64 << 32) + 100);
    assert_eq!(s[0]["input_octets"], 1000);
    assert_eq!(s[0]["session_time"], 600);

    // A late, older Interim-Update never makes the counters go back.
    r.acct(
        "Acct-Status-Type = Interim-Update, Acct-Session-Id = \"81a00001\", User-Name = babul, \
         Acct-Session-Time = 300, Acct-Input-Octets = 10, Acct-Output-Octets = 10",
        &[],
    );
    r.acct(
        "Acct-Status-Type = Stop, Acct-Session-Id = \"81a00001\", User-Name = babul, \
         Acct-Session-Time = 900, Acct-Input-Octets = 2000, Acct-Output-Octets = 200, \
         Acct-Output-Gigawords = 5, Acct-Terminate-Cause = Lost-Carrier",
        &[],
    );
    let s = r.sessions(&format!("customer_id={id}"));
    assert_eq!(s[0]["active"], false);
    assert_eq!(s[0]["terminate_cause"], "Lost-Carrier");
    assert_eq!(s[0]["input_octets"], 2000);
    assert_eq!(s[0]["output_octets"], (5_i64 << 32) + 200);
    assert!(r.sessions("active=true").is_empty());

    // The customer's usage shows it.
    let usage = r.s.call(
        "GET",
        &format!("/api/v2/customers/{id}/usage"),
        &r.token,
        None,
    );
    assert_eq!(usage.status, 200, "{}", usage.body);
    let sessions = usage.json()["data"]["radius_sessions"].clone();
    assert_eq!(sessions[0]["session_id"], "81a00001", "{sessions}");

    // A session whose Start was missed is made by its Interim-Update, its
    // start worked out from the session time; a name nobody has still counts.
    r.acct(
        "Acct-Status-Type = Interim-Update, Acct-Session-Id = \"81a00002\", User-Name = stranger, \
         Acct-Session-Time = 60, Acct-Input-Octets = 5, Acct-Output-Octets = 6",
        &[],
    );
    let open = r.sessions("active=true");
    assert_eq!(open.len(), 1);
    assert!(open[0]["customer_id"].is_null());
    assert_eq!(open[0]["username"], "stranger");
    assert_eq!(r.sessions(&format!("router_id={}", r.router)).len(), 2);
    assert!(r.sessions("router_id=999999").is_empty());
    // Accounting-On from the rebooted router closes what it left open.
    r.acct(
        "Acct-Status-Type = Accounting-On, Acct-Session-Id = \"0\"",
        &[],
    );
    let s = r.sessions("per_page=10");
    assert!(s.iter().all(|x| x["active"] == false), "{s:?}");
    assert!(
        s.iter().any(|x| x["terminate_cause"] == "NAS-Reboot"),
        "{s:?}"
    );
    assert!(r.metric("ispbills_radius_accounting_requests_total{reason=\"start\"}") >= 1.0);
    // Accounting-Off (the router going down) closes what it has open too.
    r.acct(
        "Acct-Status-Type = Start, Acct-Session-Id = \"after-boot\", User-Name = stranger",
        &[],
    );
    assert_eq!(r.sessions("active=true").len(), 1);
    r.acct(
        "Acct-Status-Type = Accounting-Off, Acct-Session-Id = \"0\"",
        &[],
    );
    assert!(r.sessions("active=true").is_empty());
}

#[test]
fn a_retransmitted_access_request_gets_the_same_answer() {
    let r = start();
    let pkg = r.create_pkg();
    r.customer("repeat", "pw-repeat-1", pkg, None);
    let authenticator = [0x3cu8; 16];
    let mut b = Builder::new(code::ACCESS_REQUEST, 77);
    b.add(attr::USER_NAME, b"repeat").unwrap();
    b.add(
        attr::USER_PASSWORD,
        &crypto::hide_user_password(b"pw-repeat-1", SECRET.as_bytes(), &authenticator),
    )
    .unwrap();
    let request = b
        .finish_access_request(&authenticator, SECRET.as_bytes(), true)
        .unwrap();
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(3)))
        .unwrap();
    let before = r.metric("ispbills_radius_duplicates_total");
    let accepts = r.metric("ispbills_radius_access_accepts_total");
    let mut answers = Vec::new();
    for _ in 0..2 {
        socket.send_to(&request, r.addr).unwrap();
        let mut buf = [0u8; 4096];
        let (n, _) = socket.recv_from(&mut buf).unwrap();
        answers.push(buf[..n].to_vec());
    }
    assert_eq!(
        Packet::decode(&answers[0]).unwrap().code,
        code::ACCESS_ACCEPT
    );
    assert_eq!(answers[0], answers[1], "the same answer, byte for byte");
    assert_eq!(r.metric("ispbills_radius_duplicates_total"), before + 1.0);
    assert_eq!(
        r.metric("ispbills_radius_access_accepts_total"),
        accepts + 1.0,
        "decided once"
    );
    // A new authenticator is a new request.
    let fresh = [0x3du8; 16];
    let mut b = Builder::new(code::ACCESS_REQUEST, 77);
    b.add(attr::USER_NAME, b"repeat").unwrap();
    b.add(
        attr::USER_PASSWORD,
        &crypto::hide_user_password(b"pw-repeat-1", SECRET.as_bytes(), &fresh),
    )
    .unwrap();
    let again = b
        .finish_access_request(&fresh, SECRET.as_bytes(), true)
        .unwrap();
    socket.send_to(&again, r.addr).unwrap();
    let mut buf = [0u8; 4096];
    let (n, _) = socket.recv_from(&mut buf).unwrap();
    assert_ne!(buf[..n].to_vec(), answers[0]);
    assert_eq!(r.metric("ispbills_radius_duplicates_total"), before + 1.0);
}

#[test]
fn accounting_with_a_wrong_secret_is_dropped_and_writes_nothing() {
    let r = start();
    let (ok, out) = radclient_cmd(
        r.acct,
        "acct",
        "Acct-Status-Type = Start, Acct-Session-Id = \"x1\", User-Name = someone",
        "not-the-secret-at-all-123",
        &[],
    );
    assert!(!ok && !out.contains("Received"), "{out}");
    assert!(r.metric("ispbills_radius_dropped_total{reason=\"bad_request_authenticator\"}") >= 1.0);
    assert!(r.sessions("").is_empty());
}

/// A router whose CoA port is a test NAS, and a customer online on it.
fn online_customer(r: &Radius, nas: &TestNas, username: &str) -> i64 {
    let put = r.s.call(
        "PUT",
        &format!("/api/v2/network/routers/{}", r.router),
        &r.token,
        Some(json!({"coa_port": nas.port, "auth_mode": "radius"})),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.json()["data"]["coa_port"], nas.port);
    assert_eq!(put.json()["data"]["auth_mode"], "radius");
    let pkg = r.package(json!({"name": format!("{username} 10M"), "price": 800,
                               "speed_down_kbps": 10240, "speed_up_kbps": 2048}));
    let id = r.customer(username, "pw-online-1", pkg, Some(r.router));
    r.acct(
        &format!(
            "Acct-Status-Type = Start, Acct-Session-Id = \"{username}-1\", User-Name = {username}, \
             Framed-IP-Address = 10.20.0.9"
        ),
        &[],
    );
    id
}

fn access_log(r: &Radius) -> String {
    let v1 = r.s.login_admin_v1();
    r.s.call(
        "GET",
        "/api/v1/monitoring/access-logs?per_page=100",
        &v1,
        None,
    )
    .body
}

fn wait_for_log(r: &Radius, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let log = access_log(r);
        if log.contains(what) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{what} not in {log}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn suspension_package_change_and_reactivation_reach_the_live_session() {
    let r = start();
    let nas = TestNas::start(SECRET.as_bytes());
    let id = online_customer(&r, &nas, "rina");

    // Suspended (address-list mode): a CoA-Request moves the session into
    // the suspended address list, signed with the router's secret.
    r.suspend(id);
    let seen = nas.wait_for(1);
    assert_eq!(seen[0].code, code::COA_REQUEST);
    assert!(
        seen[0].signed,
        "Request Authenticator and Message-Authenticator"
    );
    assert_eq!(seen[0].text(attr::USER_NAME).as_deref(), Some("rina"));
    assert_eq!(
        seen[0].text(attr::ACCT_SESSION_ID).as_deref(),
        Some("rina-1")
    );
    assert_eq!(
        seen[0]
            .vendor(
                packet::vendor::MIKROTIK,
                packet::vendor::MIKROTIK_ADDRESS_LIST
            )
            .as_deref(),
        Some("ispbills-suspended")
    );
    wait_for_log(&r, "RADIUS suspend of <rina> (session rina-1): ack");

    // Active again: disconnected, so that the next login gets full service.
    let v1 = r.s.login_admin_v1();
    let act = r.s.call(
        "POST",
        &format!("/api/v1/customers/{id}/action"),
        &v1,
        Some(json!({"action": "activate"})),
    );
    assert_eq!(act.status, 200, "{}", act.body);
    let seen = nas.wait_for(2);
    assert_eq!(seen[1].code, code::DISCONNECT_REQUEST);
    assert!(seen[1].signed);

    // A new package: the new rate limit, upload first.
    let faster = r.package(json!({"name": "rina 50M", "price": 1500,
                                  "speed_down_kbps": 51200, "speed_up_kbps": 10240}));
    let put = r.s.call(
        "PUT",
        &format!("/api/v2/customers/{id}"),
        &r.token,
        Some(json!({"package_id": faster})),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    let seen = nas.wait_for(3);
    assert_eq!(seen[2].code, code::COA_REQUEST);
    assert_eq!(
        seen[2]
            .vendor(
                packet::vendor::MIKROTIK,
                packet::vendor::MIKROTIK_RATE_LIMIT
            )
            .as_deref(),
        Some("10240k/51200k")
    );
}

#[test]
fn a_nak_is_kept_and_a_silent_router_is_tried_again() {
    let r = start();
    let nas = TestNas::start(SECRET.as_bytes());
    let id = online_customer(&r, &nas, "omar");
    nas.answer(Answer::Nak(503));
    r.suspend(id);
    nas.wait_for(1);
    wait_for_log(
        &r,
        "RADIUS suspend of <omar> (session omar-1): nak: Session-Context-Not-Found (503)",
    );

    // No answer: tried again (2 s later), then answered.
    nas.answer(Answer::Silent);
    let v1 = r.s.login_admin_v1();
    r.s.call(
        "POST",
        &format!("/api/v1/customers/{id}/action"),
        &v1,
        Some(json!({"action": "activate"})),
    );
    nas.wait_for(2);
    wait_for_log(
        &r,
        "RADIUS reactivate of <omar> (session omar-1): no answer",
    );
    nas.answer(Answer::Ack);
    let seen = nas.wait_for(3);
    assert_eq!(seen[2].code, code::DISCONNECT_REQUEST);
    assert_eq!(
        seen[1].raw[20..],
        seen[2].raw[20..],
        "the same request again"
    );
    wait_for_log(&r, "RADIUS reactivate of <omar> (session omar-1): ack");
}

#[test]
fn a_customer_with_no_open_session_sends_nothing() {
    let r = start();
    let nas = TestNas::start(SECRET.as_bytes());
    let id = online_customer(&r, &nas, "zara");
    r.acct(
        "Acct-Status-Type = Stop, Acct-Session-Id = \"zara-1\", User-Name = zara, Acct-Session-Time = 60",
        &[],
    );
    r.suspend(id);
    std::thread::sleep(std::time::Duration::from_millis(2500));
    assert!(nas.seen().is_empty(), "{:?}", nas.seen());
}

#[test]
fn the_disconnect_action_ends_the_session_with_a_disconnect_request() {
    let r = start();
    let nas = TestNas::start(SECRET.as_bytes());
    let id = online_customer(&r, &nas, "dina");
    let v1 = r.s.login_admin_v1();
    let act = r.s.call(
        "POST",
        &format!("/api/v1/customers/{id}/action"),
        &v1,
        Some(json!({"action": "disconnect"})),
    );
    assert_eq!(act.status, 200, "{}", act.body);
    let seen = nas.wait_for(1);
    assert_eq!(seen[0].code, code::DISCONNECT_REQUEST);
    assert!(seen[0].signed);
    assert_eq!(seen[0].text(attr::USER_NAME).as_deref(), Some("dina"));
    assert_eq!(
        seen[0].text(attr::ACCT_SESSION_ID).as_deref(),
        Some("dina-1")
    );
    wait_for_log(&r, "RADIUS disconnect of <dina> (session dina-1): ack");
}

#[test]
fn a_router_in_secrets_mode_gets_no_coa() {
    let r = start();
    let nas = TestNas::start(SECRET.as_bytes());
    let id = online_customer(&r, &nas, "sami");
    let put = r.s.call(
        "PUT",
        &format!("/api/v2/network/routers/{}", r.router),
        &r.token,
        Some(json!({"auth_mode": "secrets"})),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    r.suspend(id);
    let queued: i64 =
        r.s.state
            .db
            .read(|c| {
                Ok(
                    c.query_row("SELECT COUNT(*) FROM radius_coa_requests", [], |row| {
                        row.get(0)
                    })?,
                )
            })
            .unwrap();
    assert_eq!(queued, 0, "its sessions are ended over its API instead");
}

#[test]
fn addresses_pools_and_burst_reach_the_access_accept() {
    let r = start();
    let pkg = r.package(
        json!({"name": "Burst 20M", "price": 1000, "speed_down_kbps": 20480,
                               "speed_up_kbps": 5120, "address_pool": "pool-home",
                               "ipv6_pool": "v6-home", "ipv6_pd_pool": "v6-pd",
                               "burst_down_kbps": 40960, "burst_up_kbps": 10240,
                               "burst_threshold_down_kbps": 15360,
                               "burst_threshold_up_kbps": 4096, "burst_time_secs": 16}),
    );
    let id = r.customer("nadia", "pw-nadia-1", pkg, Some(r.router));
    let put = r.s.call(
        "PUT",
        &format!("/api/v2/customers/{id}"),
        &r.token,
        Some(json!({"static_ip": "100.64.1.9", "ipv6_prefix": "2001:db8:100::/56"})),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.json()["data"]["static_ip"], "100.64.1.9");
    assert_eq!(put.json()["data"]["ipv6_prefix"], "2001:db8:100::/56");
    let v1 = r.s.login_admin_v1();
    let one =
        r.s.call("GET", &format!("/api/v1/customers/{id}"), &v1, None);
    assert_eq!(
        one.json()["data"]["static_ip"],
        "100.64.1.9",
        "{}",
        one.body
    );

    let (ok, out) = r.radclient(
        "User-Name = nadia, User-Password = pw-nadia-1, Message-Authenticator = 0x00",
        SECRET,
    );
    assert!(ok, "{out}");
    // Upload first, burst in the same order: rx/tx from the router's side.
    assert!(
        out.contains("Mikrotik-Rate-Limit = \"5120k/20480k 10240k/40960k 4096k/15360k 16/16\""),
        "{out}"
    );
    assert!(out.contains("Framed-IP-Address = 100.64.1.9"), "{out}");
    assert!(out.contains("Framed-Pool = \"pool-home\""), "{out}");
    assert!(out.contains("Framed-IPv6-Pool = \"v6-home\""), "{out}");
    assert!(
        out.contains("Delegated-IPv6-Prefix = 2001:db8:100::/56"),
        "{out}"
    );
    assert!(out.contains("v6-pd"), "Delegated-IPv6-Prefix-Pool: {out}");

    // A package without a pool: the router's pool, when it has one.
    let put = r.s.call(
        "PUT",
        &format!("/api/v2/network/routers/{}", r.router),
        &r.token,
        Some(json!({"address_pool": "router-pool"})),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.json()["data"]["address_pool"], "router-pool");
    let bare = r.package(
        json!({"name": "No pool", "price": 500, "speed_down_kbps": 1024,
                                "speed_up_kbps": 512}),
    );
    r.customer("poolless", "pw-poolless-1", bare, Some(r.router));
    let (ok, out) = r.radclient(
        "User-Name = poolless, User-Password = pw-poolless-1, Message-Authenticator = 0x00",
        SECRET,
    );
    assert!(ok, "{out}");
    assert!(out.contains("Framed-Pool = \"router-pool\""), "{out}");
    // The package's pool wins over the router's.
    let (ok, out) = r.radclient(
        "User-Name = nadia, User-Password = pw-nadia-1, Message-Authenticator = 0x00",
        SECRET,
    );
    assert!(ok && out.contains("Framed-Pool = \"pool-home\""), "{out}");

    // A second customer cannot have the same address; bad values are 422.
    let other = r.customer("omi", "pw-omi-1", pkg, Some(r.router));
    for (body, field) in [
        (json!({"static_ip": "100.64.1.9"}), "static_ip"),
        (json!({"static_ip": "2001:db8::1"}), "static_ip"),
        (json!({"ipv6_prefix": "2001:db8::1/56"}), "ipv6_prefix"),
        (json!({"ipv6_prefix": "2001:db8::"}), "ipv6_prefix"),
    ] {
        let put = r.s.call(
            "PUT",
            &format!("/api/v2/customers/{other}"),
            &r.token,
            Some(body.clone()),
        );
        assert_eq!(put.status, 422, "{body}: {}", put.body);
        assert!(
            put.json()["error"]["details"][field].is_array(),
            "{}",
            put.body
        );
    }
    // Burst: all five values or none, above the speed, thresholds up to it.
    for (body, field) in [
        (json!({"burst_up_kbps": null}), "burst_up_kbps"),
        (json!({"burst_down_kbps": 100}), "burst_down_kbps"),
        (
            json!({"burst_threshold_up_kbps": 9999}),
            "burst_threshold_up_kbps",
        ),
    ] {
        let put = r.s.call(
            "PUT",
            &format!("/api/v2/packages/{pkg}"),
            &r.token,
            Some(body.clone()),
        );
        assert_eq!(put.status, 422, "{body}: {}", put.body);
        assert!(
            put.json()["error"]["details"][field].is_array(),
            "{}",
            put.body
        );
    }
    let partial = r.s.call(
        "POST",
        "/api/v2/packages",
        &r.token,
        Some(
            json!({"name": "Plain", "price": 500, "speed_down_kbps": 1024,
                    "speed_up_kbps": 512, "burst_down_kbps": 2048}),
        ),
    );
    assert_eq!(partial.status, 422, "{}", partial.body);
}

#[test]
fn a_new_static_address_ends_the_live_session() {
    let r = start();
    let nas = TestNas::start(SECRET.as_bytes());
    let id = online_customer(&r, &nas, "tania");
    let put = r.s.call(
        "PUT",
        &format!("/api/v2/customers/{id}"),
        &r.token,
        Some(json!({"static_ip": "100.64.2.2"})),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    let seen = nas.wait_for(1);
    assert_eq!(seen[0].code, code::DISCONNECT_REQUEST);
    wait_for_log(&r, "RADIUS disconnect of <tania> (session tania-1): ack");
    // The same address again changes nothing.
    let put = r.s.call(
        "PUT",
        &format!("/api/v2/customers/{id}"),
        &r.token,
        Some(json!({"static_ip": "100.64.2.2", "name": "Tania B"})),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(nas.count(), 1);
}
