//! SNMP monitoring end to end: OLTs and radios added through the API, polled
//! from snmpsim recordings (tests/snmp/, expected values in its README), ONUs
//! decoded per vendor, radios per vendor, status checks, the access log and
//! the NOC dashboard.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::{receiver::Receiver, snmpsim::SnmpSim, TestServer};
use ispbills::{config::Config, monitoring::config::CheckConfig};
use poem::EndpointExt;
use serde_json::{json, Value};

const OLTS: [&str; 6] = [
    "huawei-ma56xx-gpon",
    "zte-c300-gpon",
    "vsol-v1600g-gpon",
    "vsol-v1600d-epon",
    "bdcom-epon",
    "bdcom-gpon",
];
const RADIOS: [&str; 4] = [
    "ubiquiti-airmax",
    "ubiquiti-airfiber",
    "cambium-epmp",
    "cambium-pmp450",
];

fn server_with(tweak: impl FnOnce(Config) -> Config) -> (TestServer, String) {
    let s = TestServer::start_with(
        |mut c| {
            c.monitoring.poll_interval_secs = 1;
            c.monitoring.snmp_timeout_ms = 500;
            c.monitoring.snmp_retries = 0;
            c.monitoring.check_interval_secs = 1;
            c.monitoring.check_timeout_ms = 500;
            tweak(c)
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    let token = s.v2_admin_token();
    (s, token)
}

fn wait_until<T>(what: &str, secs: u64, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn add(s: &TestServer, token: &str, path: &str, body: Value) -> i64 {
    let r = s.call("POST", path, token, Some(body));
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.json()["data"].get("community").is_none());
    r.json()["data"]["id"].as_i64().unwrap()
}

fn get(s: &TestServer, token: &str, path: &str) -> Value {
    let r = s.call("GET", path, token, None);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.json()
}

/// (pon, status, rx dBm) of ONUs A–D per recording (tests/snmp/README.md).
fn expected(profile: &str) -> [(&'static str, &'static str, Option<f64>); 4] {
    match profile {
        "huawei-ma56xx-gpon" => [
            ("0/1/0", "online", Some(-21.5)),
            ("0/1/0", "online", Some(-28.4)),
            ("0/1/1", "offline", None),
            ("0/1/1", "online", None),
        ],
        "zte-c300-gpon" => [
            ("1/1/1", "online", Some(-21.5)),
            ("1/1/1", "online", Some(-28.4)),
            ("1/1/2", "offline", None),
            ("1/1/2", "online", None),
        ],
        "vsol-v1600g-gpon" | "vsol-v1600d-epon" => [
            ("1", "online", Some(-21.5)),
            ("1", "online", Some(-28.4)),
            ("2", "offline", None),
            ("2", "online", None),
        ],
        "bdcom-epon" => [
            ("12", "online", Some(-21.5)),
            ("13", "online", Some(-28.4)),
            ("20", "offline", None),
            ("21", "online", None),
        ],
        "bdcom-gpon" => [
            ("31", "online", Some(-21.5)),
            ("32", "online", Some(-28.4)),
            ("47", "offline", None),
            ("48", "online", None),
        ],
        other => panic!("{other}"),
    }
}

#[test]
fn olts_and_radios_are_detected_and_decoded_per_vendor() {
    let sim = SnmpSim::start(&[]);
    let (s, token) = server_with(|c| c);
    let host = sim.addr().ip().to_string();
    let port = sim.addr().port();
    let mut olts = Vec::new();
    for p in OLTS {
        let id = add(
            &s,
            &token,
            "/api/v2/network/olts",
            json!({"name": p, "host": host, "port": port, "community": p}),
        );
        olts.push((p, id));
    }
    let mut radios = Vec::new();
    for p in RADIOS {
        let id = add(
            &s,
            &token,
            "/api/v2/monitoring/devices",
            json!({"name": p, "kind": "radio", "host": host, "port": port, "community": p}),
        );
        radios.push((p, id));
    }
    // A customer whose ONU MAC the BDCOM EPON OLT reports.
    let r = s.call(
        "POST",
        "/api/v2/customers",
        &token,
        Some(
            json!({"name": "Fiber Customer", "phone": "01700000001", "connection_type": "fiber",
                    "onu_mac": "FC:FA:F7:A1:00:01"}),
        ),
    );
    let customer = r.json()["data"]["id"].as_i64().unwrap();
    wait_until("every device up", 30, || {
        let olts_up = get(&s, &token, "/api/v2/network/olts?per_page=100")["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["status"] == "up" && d["onus"] == 4);
        let radios_up = get(&s, &token, "/api/v2/monitoring/devices?per_page=100")["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["status"] == "up" && d["metrics"]["signal"].is_number());
        (olts_up && radios_up).then_some(())
    });
    for (p, id) in &olts {
        let olt = get(&s, &token, &format!("/api/v2/network/olts/{id}"))["data"].clone();
        assert_eq!(olt["detected_profile"], *p, "{olt}");
        assert!(olt["uptime_secs"].as_i64().unwrap() > 0);
        let onus = get(&s, &token, &format!("/api/v2/network/onus?olt_id={id}"))["data"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(onus.len(), 4, "{p}");
        let mut got: Vec<(String, String, Option<f64>)> = onus
            .iter()
            .map(|o| {
                (
                    o["pon_port"].as_str().unwrap().to_string(),
                    o["status"].as_str().unwrap().to_string(),
                    o["rx_power_dbm"].as_f64(),
                )
            })
            .collect();
        got.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let mut want: Vec<(String, String, Option<f64>)> = expected(p)
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), *c))
            .collect();
        want.sort_by(|a, b| a.partial_cmp(b).unwrap());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!((&g.0, &g.1), (&w.0, &w.1), "{p}: {got:?}");
            match (g.2, w.2) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 0.006, "{p}: {a} vs {b}"),
                (a, b) => assert_eq!(a, b, "{p}"),
            }
        }
        assert!(onus.iter().all(|o| o["serial"].is_string()), "{p}: serials");
    }
    // Huawei serials are the raw bytes in hex; VSOL EPON has MACs.
    let hw = olts[0].1;
    let hw_onus = get(&s, &token, &format!("/api/v2/network/onus?olt_id={hw}"))["data"].clone();
    assert!(hw_onus
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["serial"] == "48575443A1B2C3D4" && o["distance_m"] == 1520));
    // The customer link by MAC.
    let linked = get(
        &s,
        &token,
        &format!("/api/v2/network/onus?customer_id={customer}"),
    );
    assert_eq!(linked["meta"]["total"], 1, "{linked}");
    assert_eq!(linked["data"][0]["customer"], "Fiber Customer");
    // Filters: offline, low rx.
    let v1 = s.login_admin_v1();
    let offline = get(
        &s,
        &v1,
        "/api/v1/monitoring/onus?status=offline&per_page=100",
    );
    assert_eq!(offline["meta"]["total"], 6);
    let low = get(&s, &v1, "/api/v1/monitoring/onus?rx_below=-27&per_page=100");
    assert_eq!(low["meta"]["total"], 6);
    assert!(low["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| (o["rx_power_dbm"].as_f64().unwrap() + 28.4).abs() < 0.006));
    // Radios per vendor.
    let ubnt = get(&s, &v1, "/api/v1/monitoring/ubiquiti");
    assert_eq!(ubnt["meta"]["total"], 2);
    let airmax = ubnt["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "ubiquiti-airmax")
        .unwrap()
        .clone();
    assert_eq!(airmax["signal"], -58.0);
    assert_eq!(airmax["noise"], -95.0);
    assert_eq!(airmax["ccq"], 94.0);
    assert_eq!(airmax["frequency"], 5785.0);
    assert_eq!(airmax["stations"], 12.0);
    assert_eq!(airmax["distance"], 1200.0);
    let cambium = get(&s, &v1, "/api/v1/monitoring/cambium");
    assert_eq!(cambium["meta"]["total"], 2);
    let pmp = cambium["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "cambium-pmp450")
        .unwrap()
        .clone();
    assert_eq!(pmp["signal"], -61.5);
    assert_eq!(pmp["stations"], 9.0);
    // History for graphs.
    let onu_id = hw_onus[0]["id"].as_i64().unwrap();
    let h = wait_until("two rx readings", 10, || {
        let h = get(
            &s,
            &token,
            &format!("/api/v2/network/onus/{onu_id}/history"),
        );
        (h["data"].as_array().unwrap().len() >= 2).then_some(h)
    });
    assert!(h["data"][0]["value"].is_number());
    let (_, radio_id) = radios[0];
    let h = get(
        &s,
        &token,
        &format!("/api/v2/monitoring/devices/{radio_id}/history"),
    );
    assert_eq!(h["data"][0]["value"], -58.0);
    // NOC dashboard.
    let noc = get(&s, &v1, "/api/v1/noc/dashboard")["data"].clone();
    assert_eq!(noc["onus"]["total"], 24);
    assert_eq!(noc["onus"]["offline"], 6);
    assert_eq!(noc["onus"]["low_rx"], 6);
    let kinds: Vec<(String, i64)> = noc["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().to_string(),
                d["up"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("olt".into(), 6)) && kinds.contains(&("radio".into(), 4)),
        "{kinds:?}"
    );
    // Credentials are sealed.
    let communities: Vec<String> = s
        .state
        .db
        .read(|c| {
            let mut st = c.prepare("SELECT community_sealed FROM snmp_devices")?;
            let v = st
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(v)
        })
        .unwrap();
    assert!(communities
        .iter()
        .all(|c| c.starts_with("v1:") && !c.contains("huawei")));
    // Every inventory change is in the access log.
    let log = get(&s, &v1, "/api/v1/monitoring/access-logs?per_page=100");
    assert_eq!(log["meta"]["total"], 10);
    assert!(log["data"][0]["actor"]
        .as_str()
        .unwrap()
        .starts_with("client:"));
}

#[test]
fn a_dead_device_is_down_without_stalling_the_round() {
    let sim = SnmpSim::start(&["huawei-ma56xx-gpon"]);
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let (s, token) = server_with(|mut c| {
        c.monitoring.snmp_timeout_ms = 1500;
        c
    });
    let dead = add(
        &s,
        &token,
        "/api/v2/network/olts",
        json!({"name": "Dead OLT", "host": "127.0.0.1", "port": silent.local_addr().unwrap().port(),
               "community": "x"}),
    );
    let live = add(
        &s,
        &token,
        "/api/v2/network/olts",
        json!({"name": "Live OLT", "host": "127.0.0.1", "port": sim.addr().port(),
               "community": "huawei-ma56xx-gpon", "profile": "huawei-ma56xx-gpon"}),
    );
    wait_until("live up, dead down", 20, || {
        let l = get(&s, &token, &format!("/api/v2/network/olts/{live}"))["data"].clone();
        let d = get(&s, &token, &format!("/api/v2/network/olts/{dead}"))["data"].clone();
        (l["status"] == "up" && d["status"] == "down").then_some(())
    });
    let d = get(&s, &token, &format!("/api/v2/network/olts/{dead}"))["data"].clone();
    assert!(
        d["last_error"].as_str().unwrap().contains("no answer"),
        "{d}"
    );
    // The live one keeps being polled every second, dead neighbour or not.
    let seen = |id: i64| {
        get(&s, &token, &format!("/api/v2/network/olts/{id}"))["data"]["last_seen_at"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let first = seen(live);
    wait_until("a fresh poll of the live OLT", 6, || {
        (seen(live) != first).then_some(())
    });
    let noc = get(&s, &s.login_admin_v1(), "/api/v1/noc/dashboard")["data"].clone();
    assert_eq!(noc["down_devices"][0]["name"], "Dead OLT");
    drop(silent);
}

#[test]
fn validation_profiles_from_the_data_dir_and_v3() {
    let sim = SnmpSim::start(&["generic-if-mib"]);
    let v3 = SnmpSim::start_v3(&["ubiquiti-airmax"], "noc", "authpass123", "privpass123");
    let (s, token) = server_with(|c| {
        // The ISP's own profile, no rebuild: it claims the edge switch.
        let dir = c.data_dir.join("snmp-profiles");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("lab-switch.toml"),
            "id = \"lab-switch\"\nvendor = \"Lab\"\nmodel = \"Edge switch\"\nkind = \"device\"\n\
             [detect]\nsys_descr = [\"edge-switch\"]\n",
        )
        .unwrap();
        c
    });
    for (body, field) in [
        (json!({"host": "10.0.0.2", "community": "x"}), "name"),
        (
            json!({"name": "A", "host": "bad host", "community": "x"}),
            "host",
        ),
        (json!({"name": "A", "host": "10.0.0.2"}), "community"),
        (
            json!({"name": "A", "host": "10.0.0.2", "community": "x", "profile": "nope"}),
            "profile",
        ),
        (
            json!({"name": "A", "host": "10.0.0.2", "community": "x", "profile": "ubiquiti-airmax"}),
            "profile",
        ),
        (
            json!({"name": "A", "host": "10.0.0.2", "snmp_version": "v3"}),
            "v3_user",
        ),
        (
            json!({"name": "A", "host": "10.0.0.2", "snmp_version": "v3", "v3_user": "u",
                "v3_auth_password": "short"}),
            "v3_auth_password",
        ),
        (
            json!({"name": "A", "host": "10.0.0.2", "snmp_version": "v1", "community": "x"}),
            "snmp_version",
        ),
    ] {
        let r = s.call("POST", "/api/v2/network/olts", &token, Some(body.clone()));
        let err = r.assert_error(422, "VALIDATION_ERROR");
        assert!(err["details"][field].is_array(), "{body}: {err}");
    }
    let sw = add(
        &s,
        &token,
        "/api/v2/monitoring/devices",
        json!({"name": "Edge", "kind": "device", "host": "127.0.0.1", "port": sim.addr().port(),
               "community": "generic-if-mib"}),
    );
    let radio = add(
        &s,
        &token,
        "/api/v2/monitoring/devices",
        json!({"name": "V3 radio", "kind": "radio", "host": "127.0.0.1", "port": v3.addr().port(),
               "snmp_version": "v3", "v3_user": "noc", "v3_auth_protocol": "sha",
               "v3_auth_password": "authpass123", "v3_priv_protocol": "aes",
               "v3_priv_password": "privpass123"}),
    );
    let bad = add(
        &s,
        &token,
        "/api/v2/monitoring/devices",
        json!({"name": "V3 wrong", "kind": "radio", "host": "127.0.0.1", "port": v3.addr().port(),
               "snmp_version": "v3", "v3_user": "noc", "v3_auth_protocol": "sha",
               "v3_auth_password": "wrongpass99", "v3_priv_protocol": "aes",
               "v3_priv_password": "privpass123"}),
    );
    wait_until("polled", 20, || {
        let a = get(&s, &token, &format!("/api/v2/monitoring/devices/{sw}"))["data"].clone();
        let b = get(&s, &token, &format!("/api/v2/monitoring/devices/{radio}"))["data"].clone();
        let c = get(&s, &token, &format!("/api/v2/monitoring/devices/{bad}"))["data"].clone();
        (a["status"] == "up" && b["status"] == "up" && c["status"] == "down").then_some(())
    });
    let a = get(&s, &token, &format!("/api/v2/monitoring/devices/{sw}"))["data"].clone();
    assert_eq!(a["detected_profile"], "lab-switch");
    assert_eq!(a["sys_name"], "edge-switch");
    let b = get(&s, &token, &format!("/api/v2/monitoring/devices/{radio}"))["data"].clone();
    assert_eq!(b["detected_profile"], "ubiquiti-airmax");
    assert_eq!(b["metrics"]["signal"], -58.0);
    assert!(b.get("v3_auth_password").is_none());
    // Changing the name keeps the stored credentials.
    let r = s.call(
        "PUT",
        &format!("/api/v2/monitoring/devices/{radio}"),
        &token,
        Some(json!({"name": "V3 radio renamed"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // A device is not an OLT, nor the other way round.
    s.call("GET", &format!("/api/v2/network/olts/{sw}"), &token, None)
        .assert_error(404, "NOT_FOUND");
    assert_eq!(
        s.call(
            "DELETE",
            &format!("/api/v2/monitoring/devices/{sw}"),
            &token,
            None
        )
        .status,
        204
    );
}

#[test]
fn status_checks_report_up_down_latency_and_since() {
    let open = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let web = Receiver::ok();
    let broken = Receiver::start(|_, _| common::receiver::Answer::status(500));
    let checks = vec![
        CheckConfig {
            name: "Core TCP".into(),
            kind: "tcp".into(),
            target: open.local_addr().unwrap().to_string(),
        },
        CheckConfig {
            name: "Closed port".into(),
            kind: "tcp".into(),
            target: format!("127.0.0.1:{closed_port}"),
        },
        CheckConfig {
            name: "Portal".into(),
            kind: "http".into(),
            target: web.url("/"),
        },
        CheckConfig {
            name: "Broken portal".into(),
            kind: "http".into(),
            target: broken.url("/"),
        },
    ];
    let (s, token) = server_with(move |mut c| {
        c.monitoring.checks = checks;
        c
    });
    let data = wait_until("checks run", 10, || {
        let r = get(&s, &token, "/api/v2/monitoring/status-checks");
        let d = r["data"].as_array().unwrap().clone();
        d.iter().all(|c| c["status"] != "unknown").then_some(d)
    });
    let by = |n: &str| data.iter().find(|c| c["name"] == n).unwrap().clone();
    assert_eq!(by("Core TCP")["status"], "up");
    assert!(by("Core TCP")["latency_ms"].is_number());
    assert!(by("Core TCP")["since"].is_string());
    assert_eq!(by("Closed port")["status"], "down");
    assert!(by("Closed port")["last_error"].is_string());
    assert_eq!(by("Portal")["status"], "up");
    assert_eq!(by("Broken portal")["status"], "down");
    assert_eq!(by("Broken portal")["last_error"], "HTTP 500");
    let v1 = s.login_admin_v1();
    assert_eq!(
        get(&s, &v1, "/api/v1/monitoring/status-checks")["data"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let noc = get(&s, &v1, "/api/v1/noc/dashboard")["data"].clone();
    let failing: Vec<&str> = noc["failing_checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(failing.len(), 2);
    assert!(failing.contains(&"Closed port") && failing.contains(&"Broken portal"));
    drop(open);
}

/// A device added or changed through the API is polled at once, not at the
/// next round (the panel's form waits for this first poll to say what the
/// appliance saw: sysDescr and the detected profile, or the error).
#[test]
fn a_device_added_or_changed_is_polled_at_once() {
    let sim = SnmpSim::start(&[]);
    // Rounds an hour apart: only the wake explains a poll within seconds.
    let (s, token) = server_with(|mut c| {
        c.monitoring.poll_interval_secs = 3600;
        c
    });
    std::thread::sleep(Duration::from_millis(500));
    let (host, port) = (sim.addr().ip().to_string(), sim.addr().port());
    let path = |id: i64| format!("/api/v2/network/olts/{id}");
    let id = add(
        &s,
        &token,
        "/api/v2/network/olts",
        json!({"name": "Head office OLT", "host": host, "port": port, "community": "wrong-community"}),
    );
    // A wrong community: the first poll says so.
    let first = wait_until("the first poll", 15, || {
        let d = get(&s, &token, &path(id))["data"].clone();
        (d["status"] == "down").then_some(d)
    });
    assert!(first["last_error"].is_string(), "{first}");
    // The right one: polled again at once, up, identified.
    let r = s.call(
        "PUT",
        &path(id),
        &token,
        Some(json!({"community": OLTS[0]})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let seen = wait_until("the poll after the change", 15, || {
        let d = get(&s, &token, &path(id))["data"].clone();
        (d["status"] == "up").then_some(d)
    });
    assert_eq!(seen["detected_profile"], OLTS[0], "{seen}");
    assert!(
        seen["sys_descr"].as_str().is_some_and(|d| !d.is_empty()),
        "{seen}"
    );
}
