//! The address policy of outbound connections, end to end: inventory hosts on
//! this machine refused when saved (422 naming `host`) and when dialled
//! (recorded in `last_error`, nothing connects), for routers over the API and
//! REST, SNMP devices, status checks, Zabbix and the SMS gateway; webhook URLs
//! in IPv6 spellings of refused IPv4 addresses; and a router port that answers
//! something other than RouterOS, whose body never reaches `last_error`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::{
    collections::BTreeMap,
    io::{Read, Write},
    net::{IpAddr, TcpListener},
    time::{Duration, Instant},
};

use common::{
    receiver::{Answer, Receiver},
    TestServer,
};
use ispbills::{
    config::Config,
    monitoring::{config::CheckConfig, poller::COMMUNITY_PURPOSE},
    network::hub::PASSWORD_PURPOSE,
    sms::config::HttpGatewayConfig,
    store::{
        routers::{self, RouterFields},
        snmp_devices::{self, DeviceFields, SealedCredentials},
    },
};
use poem::EndpointExt;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(15);
const POLICY: &str = "refused by the address policy";
const KEY: &str = "set [network] allow_loopback to allow it";

/// A server with `[network] allow_loopback = false` (the shipped default)
/// and quick pollers.
fn strict(tweak: impl FnOnce(Config) -> Config) -> (TestServer, String) {
    let s = TestServer::start_with(
        |mut c| {
            c.network.allow_loopback = false;
            c.routers.poll_interval_secs = 1;
            c.routers.timeout_secs = 1;
            c.monitoring.poll_interval_secs = 1;
            c.monitoring.check_interval_secs = 1;
            tweak(c)
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    let token = s.v2_admin_token();
    (s, token)
}

fn wait_until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A listener on loopback that counts the connections it gets.
struct Witness {
    listener: TcpListener,
}

impl Witness {
    fn new() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        Self { listener }
    }

    fn port(&self) -> u16 {
        self.listener.local_addr().unwrap().port()
    }

    fn connected(&self) -> bool {
        self.listener.accept().is_ok()
    }
}

/// The machine's own addresses other than loopback (none in a bare sandbox).
fn own_lan_addresses() -> Vec<IpAddr> {
    ispbills::net_policy::refresh_own_addresses()
        .into_iter()
        .filter(|ip| !ip.is_loopback())
        .collect()
}

fn host_error(r: &common::Reply) -> String {
    let err = r.assert_error(422, "VALIDATION_ERROR");
    err["details"]["host"][0]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn insert_router(s: &TestServer, host: &str, port: u16, transport: &str) -> i64 {
    let sealed = s.state.seal_key.seal(PASSWORD_PURPOSE, "secret").unwrap();
    let fields = RouterFields {
        name: format!("{transport} at {host} port {port}"),
        host: host.into(),
        port: i64::from(port),
        username: "admin".into(),
        transport: transport.into(),
        use_tls: false,
        tls_verify: false,
        nas_ip: None,
        radius_require_message_authenticator: true,
        coa_port: 3799,
        auth_mode: "secrets".into(),
        address_pool: None,
    };
    s.state
        .db
        .write(move |tx| routers::create(tx, &fields, &sealed, None, "2026-01-01T00:00:00Z"))
        .unwrap()
        .id
}

fn router(s: &TestServer, token: &str, id: i64) -> Value {
    s.call("GET", &format!("/api/v2/network/routers/{id}"), token, None)
        .json()["data"]
        .clone()
}

fn router_error(s: &TestServer, token: &str, id: i64) -> String {
    wait_until("the router's last_error", || {
        router(s, token, id)["last_error"]
            .as_str()
            .map(str::to_string)
    })
}

#[test]
fn inventory_hosts_on_this_machine_are_refused_when_saved() {
    let (s, token) = strict(|c| c);
    let mut refused: Vec<String> = [
        "127.0.0.1",
        "127.0.0.53",
        "::1",
        "0.0.0.0",
        "localhost",
        "169.254.169.254",
        "fe80::1%eth0",
        "fe80::1",
        "::ffff:127.0.0.1",
        "::127.0.0.1",
        "64:ff9b::7f00:1",
        "2002:7f00:1::",
    ]
    .map(String::from)
    .to_vec();
    refused.extend(own_lan_addresses().iter().map(ToString::to_string));
    for host in &refused {
        let why = host_error(&s.call(
            "POST",
            "/api/v2/network/routers",
            &token,
            Some(json!({"name": "R", "host": host, "username": "a", "password": "b"})),
        ));
        assert!(why.contains(POLICY) && why.contains(KEY), "{host}: {why}");
    }
    let why = host_error(&s.call(
        "POST",
        "/api/v2/network/olts",
        &token,
        Some(json!({"name": "OLT", "host": "127.0.0.1", "community": "public"})),
    ));
    assert!(why.contains(POLICY), "{why}");
    let why = host_error(&s.call(
        "POST",
        "/api/v2/monitoring/devices",
        &token,
        Some(json!({"name": "AP", "kind": "radio", "host": "localhost", "community": "public"})),
    ));
    assert!(why.starts_with("localhost: address 127.0.0.1"), "{why}");
    assert!(why.contains(KEY), "{why}");
    // Nothing was stored.
    let list = s
        .call("GET", "/api/v2/network/routers", &token, None)
        .json();
    assert_eq!(list["data"], json!([]), "{list}");

    // A router saved before the policy changed: moving it to another local
    // address is refused, renaming it is not (its host is not being saved).
    let id = insert_router(&s, "127.0.0.1", 1, "api");
    let why = host_error(&s.call(
        "PUT",
        &format!("/api/v2/network/routers/{id}"),
        &token,
        Some(json!({"host": "::1"})),
    ));
    assert!(why.contains(POLICY), "{why}");
    let r = s.call(
        "PUT",
        &format!("/api/v2/network/routers/{id}"),
        &token,
        Some(json!({"name": "Renamed"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn allow_loopback_lets_local_inventory_through() {
    let s = TestServer::start();
    let token = s.v2_admin_token();
    let r = s.call(
        "POST",
        "/api/v2/network/olts",
        &token,
        Some(json!({"name": "Lab OLT", "host": "127.0.0.1", "port": 1, "community": "public"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
}

#[test]
fn dials_to_refused_addresses_are_recorded_and_never_made() {
    let api_port = Witness::new();
    let rest_port = Witness::new();
    let snmp_port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    snmp_port.set_nonblocking(true).unwrap();
    let check_tcp = Witness::new();
    let check_http = Witness::new();
    let checks = vec![
        CheckConfig {
            name: "tcp".into(),
            kind: "tcp".into(),
            target: format!("localhost:{}", check_tcp.port()),
        },
        CheckConfig {
            name: "http".into(),
            kind: "http".into(),
            target: format!("http://[::ffff:127.0.0.1]:{}/", check_http.port()),
        },
    ];
    let (s, token) = strict(move |mut c| {
        c.monitoring.checks = checks;
        c
    });
    // Saved behind the API's back (as if the policy changed since, or a name
    // resolves differently now): every dial checks again.
    let api = insert_router(&s, "localhost", api_port.port(), "api");
    let rest = insert_router(&s, "127.0.0.1", rest_port.port(), "rest");
    let community = s.state.seal_key.seal(COMMUNITY_PURPOSE, "public").unwrap();
    let device = DeviceFields {
        kind: "olt".into(),
        name: "Local OLT".into(),
        host: "localhost".into(),
        port: i64::from(snmp_port.local_addr().unwrap().port()),
        profile: "auto".into(),
        snmp_version: "v2c".into(),
        v3_user: None,
        v3_auth_protocol: None,
        v3_priv_protocol: None,
    };
    let creds = SealedCredentials {
        community: Some(community),
        ..SealedCredentials::default()
    };
    let olt = s
        .state
        .db
        .write(move |tx| snmp_devices::create(tx, &device, &creds, "2026-01-01T00:00:00Z"))
        .unwrap()
        .id;

    let why = router_error(&s, &token, api);
    assert!(
        why.starts_with("localhost: address 127.0.0.1 is refused by the address policy"),
        "{why}"
    );
    assert!(why.contains(KEY), "{why}");
    assert_eq!(router(&s, &token, api)["status"], "down");
    let why = router_error(&s, &token, rest);
    assert!(why.contains(POLICY) && why.contains(KEY), "{why}");
    // The sync button says the same, as a 503.
    let err = s
        .call(
            "POST",
            &format!("/api/v2/network/routers/{api}/sync"),
            &token,
            None,
        )
        .assert_error(503, "SERVICE_UNAVAILABLE");
    assert!(err["message"].as_str().unwrap().contains(POLICY), "{err}");

    let why = wait_until("the OLT's last_error", || {
        let d = s
            .call("GET", &format!("/api/v2/network/olts/{olt}"), &token, None)
            .json();
        d["data"]["last_error"].as_str().map(str::to_string)
    });
    assert!(why.contains(POLICY) && why.contains(KEY), "{why}");

    let checks = wait_until("both checks run", || {
        let c = s
            .call("GET", "/api/v2/monitoring/status-checks", &token, None)
            .json();
        let data = c["data"].as_array().cloned().unwrap_or_default();
        (data.len() == 2 && data.iter().all(|c| c["last_error"].is_string())).then_some(data)
    });
    for c in &checks {
        assert_eq!(c["status"], "down", "{c}");
        let why = c["last_error"].as_str().unwrap();
        assert!(why.contains(POLICY) && why.contains(KEY), "{c}");
    }

    let mut buf = [0u8; 64];
    assert!(!api_port.connected(), "the API router was dialled");
    assert!(!rest_port.connected(), "the REST router was dialled");
    assert!(!check_tcp.connected(), "the TCP check was dialled");
    assert!(!check_http.connected(), "the HTTP check was dialled");
    assert!(
        snmp_port.recv_from(&mut buf).is_err(),
        "the OLT was sent an SNMP request"
    );
}

#[test]
fn zabbix_and_the_sms_gateway_on_this_machine_are_refused() {
    let rx = Receiver::ok();
    let zabbix = rx.url("/zabbix");
    let gateway = rx.url("/send");
    let (s, token) = strict(move |mut c| {
        c.zabbix.url = zabbix;
        c.zabbix.api_token = "token".into();
        c.zabbix.timeout_secs = 1;
        c.sms.gateway = "http".into();
        c.sms.retry_schedule = vec![1];
        c.sms.http = Some(HttpGatewayConfig {
            method: "POST".into(),
            url: gateway,
            encoding: "form".into(),
            params: BTreeMap::from([("to".to_string(), "{phone}".to_string())]),
            headers: BTreeMap::new(),
            api_key: String::new(),
            success_status: vec![],
            success_body_contains: None,
            message_id_pointer: None,
            timeout_secs: 2,
        });
        c
    });
    let err = s
        .call("GET", "/api/v2/monitoring/zabbix/hosts", &token, None)
        .assert_error(503, "SERVICE_UNAVAILABLE");
    let why = err["message"].as_str().unwrap();
    assert!(why.contains(POLICY) && why.contains(KEY), "{err}");

    let now = ispbills::clock::format_timestamp(time::OffsetDateTime::now_utc());
    s.state
        .db
        .write(move |tx| ispbills::store::sms::top_up(tx, 5, Some("test"), &now))
        .unwrap();
    let r = s.call(
        "POST",
        "/api/v2/sms/send",
        &token,
        Some(json!({"phone": "01712345678", "message": "hello"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let failed = wait_until("the message fails", || {
        let h = s.call("GET", "/api/v2/sms/history", &token, None).json();
        let m = h["data"][0].clone();
        (m["status"] == "failed").then_some(m)
    });
    let why = failed["error"].as_str().unwrap();
    assert!(why.contains(POLICY) && why.contains(KEY), "{failed}");
    assert!(rx.received().is_empty(), "{:?}", rx.received());
}

#[test]
fn webhook_urls_in_ipv6_spellings_of_refused_addresses_are_refused() {
    let s = TestServer::start();
    let token = s.v2_admin_token();
    let mut urls: Vec<String> = [
        "http://[::ffff:127.0.0.1]:9/hook",
        "http://[::127.0.0.1]:9/hook",
        "http://[64:ff9b::7f00:1]:9/hook",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data",
        "http://[2002:7f00:1::]:9/hook",
        "http://[2002:a9fe:a9fe::]/hook",
        "http://[64:ff9b:1::1]/hook",
    ]
    .map(String::from)
    .to_vec();
    // The box's own LAN address reaches its own services.
    urls.extend(own_lan_addresses().iter().map(|ip| match ip {
        IpAddr::V4(v4) => format!("http://{v4}:8080/hook"),
        IpAddr::V6(v6) => format!("http://[{v6}]:8080/hook"),
    }));
    for url in &urls {
        let r = s.call(
            "POST",
            "/api/v2/webhooks",
            &token,
            Some(json!({"url": url, "events": ["customer.created"]})),
        );
        let err = r.assert_error(422, "VALIDATION_ERROR");
        let why = err["details"]["url"][0].as_str().unwrap();
        assert!(
            why.contains(POLICY) && why.contains("[webhooks] allow_loopback"),
            "{url}: {why}"
        );
    }
    // A public address behind NAT64 is fine.
    let r = s.call(
        "POST",
        "/api/v2/webhooks",
        &token,
        Some(
            json!({"url": "https://[64:ff9b::cb00:7107]/hook", "events": ["customer.created"],
                    "active": false}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
}

/// A TCP server that answers every connection with `reply` and closes.
fn raw_server(reply: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            stream
                .set_read_timeout(Some(Duration::from_millis(200)))
                .unwrap();
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(reply);
        }
    });
    port
}

const MARKER: &str = "internal-admin-page-7f3a";

#[test]
fn answers_that_are_not_the_routers_protocol_are_never_echoed() {
    // allow_loopback on (the tests' default): these are dialled.
    let html = format!("<html><head><title>Admin</title></head><body>{MARKER}</body></html>");
    let page = html.clone();
    let error_page = Receiver::start(move |_, _| Answer {
        status: 500,
        body: page.clone(),
        delay: Duration::ZERO,
        location: None,
    });
    let page = html.clone();
    let ok_page = Receiver::start(move |_, _| Answer {
        status: 200,
        body: page.clone(),
        delay: Duration::ZERO,
        location: None,
    });
    let other_json = Receiver::start(move |_, _| Answer {
        status: 403,
        body: format!(r#"{{"message": "{MARKER}"}}"#),
        delay: Duration::ZERO,
        location: None,
    });
    let http_port = raw_server(
        b"HTTP/1.1 400 internal-admin-page-7f3a\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<html>internal-admin-page-7f3a</html>",
    );
    let (s, token) = strict(|mut c| {
        c.network.allow_loopback = true;
        c
    });
    let rest_500 = insert_router(&s, "127.0.0.1", error_page.addr.port(), "rest");
    let rest_200 = insert_router(&s, "127.0.0.1", ok_page.addr.port(), "rest");
    let rest_json = insert_router(&s, "127.0.0.1", other_json.addr.port(), "rest");
    let api_http = insert_router(&s, "127.0.0.1", http_port, "api");
    for (id, expected) in [
        (rest_500, "not a RouterOS REST answer (HTTP 500"),
        (rest_200, "not a RouterOS REST answer (HTTP 200"),
        (rest_json, "not a RouterOS REST answer (HTTP 403"),
        (
            api_http,
            "not a RouterOS API answer (the port answered HTTP",
        ),
    ] {
        let why = router_error(&s, &token, id);
        assert!(!why.contains(MARKER), "the body was echoed: {why}");
        assert!(why.contains(expected), "{why}");
        let err = s
            .call(
                "POST",
                &format!("/api/v2/network/routers/{id}/sync"),
                &token,
                None,
            )
            .assert_error(503, "SERVICE_UNAVAILABLE");
        assert!(!err.to_string().contains(MARKER), "{err}");
    }
    assert!(!error_page.received().is_empty());
}
