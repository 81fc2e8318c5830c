//! Routers end to end: inventory through the API, the poller, reconciliation of
//! PPP secrets and hotspot users, suspension reaching the router, pools, logs,
//! usage, and a dead router that slows nothing — against the RouterOS
//! simulator, over the real wire protocol.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/routeros_sim.rs"]
mod routeros_sim;

use std::time::{Duration, Instant};

use common::TestServer;
use ispbills::config::Config;
use poem::EndpointExt;
use routeros_sim::{SimConfig, SimRouter};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(10);

fn server_with(tweak: impl FnOnce(Config) -> Config) -> (TestServer, String) {
    let s = TestServer::start_with(
        |mut c| {
            c.routers.poll_interval_secs = 1;
            c.routers.timeout_secs = 1;
            c.routers.sync_interval_secs = 3600;
            c.routers.usage_interval_secs = 1;
            tweak(c)
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    let token = s.v2_admin_token();
    (s, token)
}

fn add_router(s: &TestServer, token: &str, name: &str, sim: &SimRouter) -> i64 {
    let r = s.call(
        "POST",
        "/api/v2/network/routers",
        token,
        Some(
            json!({"name": name, "host": "127.0.0.1", "port": sim.port(),
                    "username": "admin", "password": "secret"}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["data"]["id"].as_i64().unwrap()
}

fn router(s: &TestServer, token: &str, id: i64) -> Value {
    s.call("GET", &format!("/api/v2/network/routers/{id}"), token, None)
        .json()["data"]
        .clone()
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

fn secret(sim: &SimRouter, name: &str) -> Option<std::collections::BTreeMap<String, String>> {
    sim.rows("/ppp/secret")
        .into_iter()
        .find(|r| r.get("name").map(String::as_str) == Some(name))
}

fn create_customer(s: &TestServer, token: &str, body: Value) -> i64 {
    let r = s.call("POST", "/api/v2/customers", token, Some(body));
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["data"]["id"].as_i64().unwrap()
}

fn package(s: &TestServer, token: &str, name: &str, profile: &str) -> i64 {
    let r = s.call(
        "POST",
        "/api/v2/packages",
        token,
        Some(
            json!({"name": name, "price": 1000, "speed_down_kbps": 20480,
                    "speed_up_kbps": 20480, "router_profile": profile}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["data"]["id"].as_i64().unwrap()
}

#[test]
fn inventory_hides_the_password_and_the_poller_reads_the_router() {
    let sim = SimRouter::start(SimConfig::default());
    sim.set_identity("core-router");
    let (s, token) = server_with(|c| c);
    let id = add_router(&s, &token, "Core", &sim);
    let created = router(&s, &token, id);
    assert!(created.get("password").is_none());
    assert_eq!(created["transport"], "api");
    let up = wait_until("the router up", || {
        let r = router(&s, &token, id);
        (r["status"] == "up").then_some(r)
    });
    assert_eq!(up["identity"], "core-router");
    assert_eq!(up["version"], "7.16.2 (stable)");
    assert_eq!(up["board"], "CCR2004-16G-2S+");
    assert_eq!(up["uptime"], "1w2d3h4m5s");
    assert_eq!(up["cpu_load"], 7);
    assert!(up["last_seen_at"].is_string());
    // v1 and v2 lists; the password is in neither, nor in the database files.
    let v1 = s.login_admin_v1();
    let list = s.call("GET", "/api/v1/routers", &v1, None);
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.json()["data"][0]["name"], "Core");
    let list = s.call("GET", "/api/v2/network/routers", &token, None);
    assert_eq!(list.json()["meta"]["total"], 1);
    // The password ("secret") is in no value (auth_mode "secrets" is).
    assert!(!list.body.contains("\"secret\""), "{}", list.body);
    for file in ["ispbills.db", "ispbills.db-wal"] {
        let bytes = std::fs::read(s.data_dir().join(file)).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("\"secret\"") && !text.contains("password_sealed\u{0}secret"));
    }
    let sealed = s
        .state
        .db
        .read(|c| {
            Ok(c.query_row("SELECT password_sealed FROM routers", [], |r| {
                r.get::<_, String>(0)
            })?)
        })
        .unwrap();
    assert!(sealed.starts_with("v1:") && !sealed.contains("secret"));
    // Validation, uniqueness, scope.
    for (body, field) in [
        (
            json!({"host": "10.0.0.1", "username": "a", "password": "b"}),
            "name",
        ),
        (
            json!({"name": "X", "host": "bad host!", "username": "a", "password": "b"}),
            "host",
        ),
        (
            json!({"name": "X", "host": "10.0.0.1", "username": "a"}),
            "password",
        ),
        (
            json!({"name": "X", "host": "10.0.0.1", "username": "a", "password": "b", "port": 70000}),
            "port",
        ),
        (
            json!({"name": "X", "host": "10.0.0.1", "username": "a", "password": "b", "transport": "ssh"}),
            "transport",
        ),
        (
            json!({"name": "core", "host": "10.0.0.1", "username": "a", "password": "b"}),
            "name",
        ),
    ] {
        let r = s.call(
            "POST",
            "/api/v2/network/routers",
            &token,
            Some(body.clone()),
        );
        let err = r.assert_error(422, "VALIDATION_ERROR");
        assert!(err["details"][field].is_array(), "{body}: {err}");
    }
    // Defaults by transport.
    let r = s.call(
        "POST",
        "/api/v2/network/routers",
        &token,
        Some(
            json!({"name": "Edge", "host": "10.0.0.9", "username": "a", "password": "",
                    "transport": "rest", "use_tls": true}),
        ),
    );
    assert_eq!(r.json()["data"]["port"], 443, "{}", r.body);
    let edge = r.json()["data"]["id"].as_i64().unwrap();
    assert_eq!(
        s.call(
            "DELETE",
            &format!("/api/v2/network/routers/{edge}"),
            &token,
            None
        )
        .status,
        204
    );
}

#[test]
fn logins_are_reconciled_and_hand_made_entries_left_alone() {
    let sim = SimRouter::start(SimConfig::default());
    // Made by hand on the router before the appliance knew it.
    sim.insert(
        "/ppp/secret",
        &[
            ("name", "manual"),
            ("password", "x"),
            ("service", "pppoe"),
            ("profile", "default"),
        ],
    );
    sim.insert("/ppp/secret", &[("name", "clash"), ("password", "y")]);
    let (s, token) = server_with(|c| c);
    let rid = add_router(&s, &token, "Core", &sim);
    let fiber = package(&s, &token, "Home 20", "20M");
    let fast = package(&s, &token, "Home 50", "50M");
    let karim = create_customer(
        &s,
        &token,
        json!({"name": "Karim", "phone": "01711111111", "connection_type": "pppoe",
               "username": "karim", "password": "k-pass", "router_id": rid, "package_id": fiber}),
    );
    let row = wait_until("karim's secret", || secret(&sim, "karim"));
    assert_eq!(row["password"], "k-pass");
    assert_eq!(row["service"], "pppoe");
    assert_eq!(row["profile"], "20M");
    assert_eq!(row["disabled"], "no");
    assert_eq!(row["comment"], format!("ispbills:{karim}"));
    // A hotspot customer becomes a hotspot user.
    create_customer(
        &s,
        &token,
        json!({"name": "Hot", "phone": "01722222222", "connection_type": "hotspot",
               "username": "hot1", "password": "h", "router_id": rid}),
    );
    wait_until("the hotspot user", || {
        sim.rows("/ip/hotspot/user")
            .into_iter()
            .find(|r| r["name"] == "hot1")
    });
    // A customer whose name is taken by a hand-made entry is not provisioned.
    create_customer(
        &s,
        &token,
        json!({"name": "Clash", "phone": "01733333333", "connection_type": "pppoe",
               "username": "clash", "password": "c", "router_id": rid}),
    );
    // The sync button: nothing left to do but report.
    let r = s.call(
        "POST",
        &format!("/api/v2/network/routers/{rid}/sync"),
        &token,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let diff = r.json()["data"].clone();
    assert_eq!(diff["added"], json!([]), "{diff}");
    assert_eq!(diff["unmanaged"], json!(["clash", "manual"]));
    assert!(diff["errors"][0].as_str().unwrap().contains("clash"));
    let manual = secret(&sim, "manual").unwrap();
    assert_eq!(manual["password"], "x");
    assert_eq!(secret(&sim, "clash").unwrap()["password"], "y");

    // Drift on the router is corrected; the diff says so.
    let id = secret(&sim, "karim").unwrap()[".id"].clone();
    let mut api =
        ispbills::drivers::routeros::client::ApiClient::new(ispbills::drivers::routeros::Target {
            host: "127.0.0.1".into(),
            port: sim.port(),
            username: "admin".into(),
            password: "secret".into(),
            tls: false,
            tls_verify: false,
            rest: false,
            timeout: Duration::from_secs(2),
            policy: ispbills::net_policy::Policy::network(true),
        });
    use ispbills::drivers::routeros::RouterApi;
    api.set("/ppp/secret", &id, &[("profile", "hacked")])
        .unwrap();
    api.add(
        "/ppp/secret",
        &[
            ("name", "ghost"),
            ("password", "g"),
            ("comment", "ispbills:999999"),
        ],
    )
    .unwrap();
    let r = s.call(
        "POST",
        &format!("/api/v2/network/routers/{rid}/sync"),
        &token,
        None,
    );
    let diff = r.json()["data"].clone();
    assert_eq!(diff["changed"], json!(["karim"]), "{diff}");
    assert_eq!(diff["removed"], json!(["ghost"]));
    assert_eq!(secret(&sim, "karim").unwrap()["profile"], "20M");
    assert!(secret(&sim, "ghost").is_none());

    // A package change, a new password, a rename: pushed without asking.
    let r = s.call(
        "PUT",
        &format!("/api/v2/customers/{karim}"),
        &token,
        Some(json!({"package_id": fast, "password": "new-pass", "username": "karim2"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["data"].get("password").is_none());
    let row = wait_until("the updated secret", || {
        secret(&sim, "karim2").filter(|r| r["profile"] == "50M")
    });
    assert_eq!(row["password"], "new-pass");
    assert!(secret(&sim, "karim").is_none());
    // A package's profile changes for all its customers.
    s.call(
        "PUT",
        &format!("/api/v2/packages/{fast}"),
        &token,
        Some(json!({"router_profile": "50M-v2"})),
    );
    wait_until("the new profile", || {
        secret(&sim, "karim2").filter(|r| r["profile"] == "50M-v2")
    });
    // Deleting the customer removes the login; hand-made entries stay.
    assert_eq!(
        s.call(
            "DELETE",
            &format!("/api/v2/customers/{karim}"),
            &token,
            None
        )
        .status,
        204
    );
    wait_until("the secret removed", || {
        secret(&sim, "karim2").is_none().then_some(())
    });
    assert!(secret(&sim, "manual").is_some() && secret(&sim, "clash").is_some());
    // A router with customers cannot be deleted.
    s.call(
        "DELETE",
        &format!("/api/v2/network/routers/{rid}"),
        &token,
        None,
    )
    .assert_error(409, "CONFLICT");
    // A customer on an unknown router is refused.
    let r = s.call(
        "POST",
        "/api/v2/customers",
        &token,
        Some(json!({"name": "X", "phone": "01744444444", "username": "x", "router_id": 999})),
    );
    let err = r.assert_error(422, "VALIDATION_ERROR");
    assert!(err["details"]["router_id"].is_array(), "{err}");
}

#[test]
fn suspension_and_activation_reach_the_router() {
    let sim = SimRouter::start(SimConfig::default());
    let (s, token) = server_with(|c| c);
    let rid = add_router(&s, &token, "Core", &sim);
    let id = create_customer(
        &s,
        &token,
        json!({"name": "Rahim", "phone": "01755555555", "connection_type": "pppoe",
               "username": "rahim", "password": "r", "router_id": rid}),
    );
    wait_until("the secret", || secret(&sim, "rahim"));
    // Online.
    sim.insert(
        "/ppp/active",
        &[
            ("name", "rahim"),
            ("service", "pppoe"),
            ("address", "10.10.0.5"),
            ("uptime", "1h"),
        ],
    );
    let v1 = s.login_admin_v1();
    let act = |action: &str| {
        let r = s.call(
            "POST",
            &format!("/api/v1/customers/{id}/action"),
            &v1,
            Some(json!({"action": action, "reason": "unpaid"})),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    };
    act("suspend");
    wait_until("disabled and kicked", || {
        let disabled = secret(&sim, "rahim")?["disabled"] == "yes";
        (disabled && sim.rows("/ppp/active").is_empty()).then_some(())
    });
    act("activate");
    wait_until("enabled", || {
        (secret(&sim, "rahim")?["disabled"] == "no").then_some(())
    });
    // Disconnect ends a live session and keeps the login.
    sim.insert(
        "/ppp/active",
        &[("name", "rahim"), ("address", "10.10.0.6")],
    );
    act("disconnect");
    assert!(sim.rows("/ppp/active").is_empty());
    assert_eq!(secret(&sim, "rahim").unwrap()["disabled"], "no");
    // The billing run's suspension goes through the same path.
    let now = s.state.clock.now();
    s.state
        .db
        .write(move |tx| {
            ispbills::store::customers::set_status(
                tx,
                &ispbills::store::audit::Who::job("test"),
                id,
                ispbills::domain::visibility::Visibility::ALL,
                "suspended",
                "overdue",
                now,
            )
        })
        .unwrap();
    wait_until("disabled by the run", || {
        (secret(&sim, "rahim")?["disabled"] == "yes").then_some(())
    });
}

#[test]
fn profile_and_address_list_suspension_modes() {
    let sim = SimRouter::start(SimConfig::default());
    let (s, token) = server_with(|mut c| {
        c.routers.suspend_mode = "profile".into();
        c.routers.suspend_profile = "expired".into();
        c
    });
    let rid = add_router(&s, &token, "Core", &sim);
    let pkg = package(&s, &token, "P", "10M");
    let id = create_customer(
        &s,
        &token,
        json!({"name": "A", "phone": "01766666666", "username": "a1", "password": "p",
               "router_id": rid, "package_id": pkg}),
    );
    wait_until("the secret", || secret(&sim, "a1"));
    sim.insert("/ppp/active", &[("name", "a1"), ("address", "10.0.0.7")]);
    let v1 = s.login_admin_v1();
    s.call(
        "POST",
        &format!("/api/v1/customers/{id}/action"),
        &v1,
        Some(json!({"action": "suspend"})),
    );
    let row = wait_until("the expired profile", || {
        secret(&sim, "a1").filter(|r| r["profile"] == "expired")
    });
    assert_eq!(row["disabled"], "no");
    assert!(
        sim.rows("/ppp/active").is_empty(),
        "kicked to re-login into the profile"
    );
    drop(s);

    let sim = SimRouter::start(SimConfig::default());
    let (s, token) = server_with(|mut c| {
        c.routers.suspend_mode = "address-list".into();
        c
    });
    let rid = add_router(&s, &token, "Core", &sim);
    let id = create_customer(
        &s,
        &token,
        json!({"name": "B", "phone": "01777777777", "username": "b1", "password": "p",
               "router_id": rid}),
    );
    wait_until("the secret", || secret(&sim, "b1"));
    sim.insert("/ppp/active", &[("name", "b1"), ("address", "10.0.0.8")]);
    let v1 = s.login_admin_v1();
    let act = |action: &str| {
        s.call(
            "POST",
            &format!("/api/v1/customers/{id}/action"),
            &v1,
            Some(json!({"action": action})),
        )
    };
    act("suspend");
    let entry = wait_until("the address-list entry", || {
        sim.rows("/ip/firewall/address-list").into_iter().next()
    });
    assert_eq!(entry["list"], "ispbills-suspended");
    assert_eq!(entry["address"], "10.0.0.8");
    assert_eq!(entry["comment"], format!("ispbills:{id}"));
    assert_eq!(secret(&sim, "b1").unwrap()["disabled"], "no");
    assert_eq!(sim.rows("/ppp/active").len(), 1, "the session stays");
    act("activate");
    wait_until("the entry removed", || {
        sim.rows("/ip/firewall/address-list")
            .is_empty()
            .then_some(())
    });
}

#[test]
fn a_dead_router_is_down_and_slows_nothing() {
    let alive = SimRouter::start(SimConfig::default());
    let hung = SimRouter::start(SimConfig::default());
    hung.set_hang(true);
    let dead = SimRouter::start(SimConfig::default());
    let dead_port = dead.port();
    dead.kill();
    let legacy = SimRouter::start(SimConfig {
        legacy_login: true,
        ..SimConfig::default()
    });
    let (s, token) = server_with(|c| c);
    let a = add_router(&s, &token, "Alive", &alive);
    let h = add_router(&s, &token, "Hung", &hung);
    let r = s.call(
        "POST",
        "/api/v2/network/routers",
        &token,
        Some(
            json!({"name": "Dead", "host": "127.0.0.1", "port": dead_port,
                    "username": "admin", "password": "secret"}),
        ),
    );
    let d = r.json()["data"]["id"].as_i64().unwrap();
    let l = add_router(&s, &token, "Old", &legacy);
    wait_until("statuses", || {
        let up = router(&s, &token, a)["status"] == "up";
        let hung_down = router(&s, &token, h)["status"] == "down";
        let dead_down = router(&s, &token, d)["status"] == "down";
        let legacy_up = router(&s, &token, l)["status"] == "up";
        (up && hung_down && dead_down && legacy_up).then_some(())
    });
    let hung_row = router(&s, &token, h);
    assert!(
        hung_row["last_error"]
            .as_str()
            .unwrap()
            .contains("no answer"),
        "{hung_row}"
    );
    assert!(router(&s, &token, d)["last_error"].is_string());
    // While the hung router eats timeouts, the API answers at once.
    let v1 = s.login_admin_v1();
    for _ in 0..20 {
        let started = Instant::now();
        let r = s.call("GET", "/api/v1/routers", &v1, None);
        assert_eq!(r.status, 200);
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{:?}",
            started.elapsed()
        );
    }
    // The NOC dashboard counts them.
    let noc = s.call("GET", "/api/v1/noc/dashboard", &v1, None).json();
    assert_eq!(noc["data"]["devices"][0]["kind"], "router");
    assert_eq!(noc["data"]["devices"][0]["up"], 2);
    assert_eq!(noc["data"]["devices"][0]["down"], 2);
    // Syncing a dead router is a clear 503, quickly.
    let started = Instant::now();
    s.call(
        "POST",
        &format!("/api/v2/network/routers/{d}/sync"),
        &token,
        None,
    )
    .assert_error(503, "SERVICE_UNAVAILABLE");
    assert!(started.elapsed() < Duration::from_secs(3));
    // The hung router comes back: up again.
    hung.set_hang(false);
    wait_until("recovery", || {
        (router(&s, &token, h)["status"] == "up").then_some(())
    });
}

#[test]
fn pools_logs_and_usage_come_from_the_router() {
    let sim = SimRouter::start(SimConfig::default());
    sim.insert(
        "/ip/pool",
        &[("name", "pppoe-pool"), ("ranges", "10.10.0.2-10.10.0.254")],
    );
    sim.insert(
        "/log",
        &[
            ("time", "10:00:01"),
            ("topics", "pppoe,ppp,info"),
            ("message", "<pppoe-u1>: authenticated"),
        ],
    );
    sim.insert(
        "/log",
        &[
            ("time", "10:00:02"),
            ("topics", "system,info"),
            ("message", "router rebooted"),
        ],
    );
    let syslog_port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (s, token) = server_with(|mut c| {
        c.routers.syslog_listen = format!("127.0.0.1:{syslog_port}");
        c
    });
    let rid = add_router(&s, &token, "Core", &sim);
    let id = create_customer(
        &s,
        &token,
        json!({"name": "U", "phone": "01788888888", "username": "u1", "password": "p",
               "router_id": rid}),
    );
    sim.insert(
        "/ppp/active",
        &[("name", "u1"), ("address", "10.10.0.9"), ("uptime", "2h3m")],
    );
    sim.insert(
        "/queue/simple",
        &[
            ("name", "<pppoe-u1>"),
            ("target", "<pppoe-u1>"),
            ("bytes", "1000/5000"),
        ],
    );
    let pools = wait_until("the pool", || {
        let r = s.call("GET", "/api/v2/network/pools", &token, None).json();
        (r["meta"]["total"] == 1 && r["data"][0]["used"] == 1).then_some(r)
    });
    assert_eq!(pools["data"][0]["name"], "pppoe-pool");
    assert_eq!(pools["data"][0]["size"], 253);
    assert_eq!(pools["data"][0]["router"], "Core");
    let v1 = s.login_admin_v1();
    let auth = wait_until("ppp-auth log", || {
        let r = s.call("GET", "/api/v1/logs/ppp-auth", &v1, None).json();
        (r["meta"]["total"] == 1).then_some(r)
    });
    assert!(auth["data"][0]["message"]
        .as_str()
        .unwrap()
        .contains("authenticated"));
    let router_log = s.call("GET", "/api/v1/logs/router", &v1, None).json();
    assert_eq!(router_log["meta"]["total"], 1);
    // Already-read entries are not read twice.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        s.call("GET", "/api/v1/logs/ppp-auth", &v1, None).json()["meta"]["total"],
        1
    );
    // Syslog.
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.send_to(
        b"<30>Mar 15 10:30:00 core hotspot,info,debug 10.5.50.2 (alice): logged in",
        ("127.0.0.1", syslog_port),
    )
    .unwrap();
    let hot = wait_until("the syslog line", || {
        let r = s.call("GET", "/api/v1/logs/hotspot", &v1, None).json();
        (r["meta"]["total"] == 1).then_some(r)
    });
    assert_eq!(hot["data"][0]["source"], "syslog");
    assert_eq!(hot["data"][0]["router"], "Core", "matched by its address");
    assert_eq!(hot["data"][0]["message"], "10.5.50.2 (alice): logged in");
    // Usage.
    let usage = wait_until("a usage sample", || {
        let r = s.call(
            "GET",
            &format!("/api/v2/customers/{id}/usage"),
            &token,
            None,
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let r = r.json();
        (r["data"]["current"]["online"] == true).then_some(r)
    });
    let current = &usage["data"]["current"];
    assert_eq!(current["address"], "10.10.0.9");
    assert_eq!(current["session_uptime"], "2h3m");
    assert_eq!(current["bytes_out"], 1000);
    assert_eq!(current["bytes_in"], 5000);
}

#[test]
fn the_rest_transport_provisions_too() {
    let sim = SimRouter::start(SimConfig::default());
    let base = sim.start_rest();
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    let (s, token) = server_with(|c| c);
    let r = s.call(
        "POST",
        "/api/v2/network/routers",
        &token,
        Some(
            json!({"name": "V7", "host": "127.0.0.1", "port": port, "username": "admin",
                    "password": "secret", "transport": "rest"}),
        ),
    );
    let rid = r.json()["data"]["id"].as_i64().unwrap();
    create_customer(
        &s,
        &token,
        json!({"name": "R", "phone": "01799999999", "username": "r1", "password": "p",
               "router_id": rid}),
    );
    wait_until("the secret over REST", || secret(&sim, "r1"));
    wait_until("up", || {
        (router(&s, &token, rid)["status"] == "up").then_some(())
    });
}
