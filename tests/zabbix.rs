//! Zabbix through the appliance, against a local JSON-RPC server that answers
//! like Zabbix 7.2 (tests/common/zabbix_sim.rs): the token as a Bearer header,
//! hosts and problems with the problems' hosts resolved through trigger.get,
//! each problem's affected customers through the routers and OLTs they match,
//! the short cache, and Zabbix down, hung or refusing the token.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::{
    zabbix_sim::{ZabbixSim, TOKEN},
    TestServer,
};
use ispbills::auth::principal::Tier;
use poem::EndpointExt;
use serde_json::{json, Value};

fn server(url: &str, auth: &str, token: &str, ttl: u64) -> TestServer {
    let (url, auth, token) = (url.to_string(), auth.to_string(), token.to_string());
    TestServer::start_with(
        move |mut c| {
            c.zabbix.url = url;
            c.zabbix.auth = auth;
            c.zabbix.api_token = token;
            c.zabbix.username = "noc".into();
            c.zabbix.password = "zabbix pass".into();
            c.zabbix.timeout_secs = 1;
            c.zabbix.cache_ttl_secs = ttl;
            c
        },
        |state| ispbills::app::routes(state).boxed(),
    )
}

fn fill(sim: &ZabbixSim) {
    let mut d = sim.data.lock().unwrap();
    d.hosts = vec![
        json!({"hostid": "10101", "host": "core-router", "name": "Core router Badda", "status": "0",
               "interfaces": [{"interfaceid": "1", "ip": "127.0.0.2", "dns": "", "useip": "1", "type": "2",
                               "main": "1", "available": "2", "error": "Timeout while connecting"}],
               "tags": [{"tag": "site", "value": "badda"}]}),
        json!({"hostid": "10102", "host": "olt-north", "name": "OLT North", "status": "0",
               "interfaces": [{"interfaceid": "2", "ip": "", "dns": "olt-north.lan", "useip": "0", "type": "2",
                               "main": "1", "available": "1", "error": ""}],
               "tags": []}),
        json!({"hostid": "10103", "host": "zabbix-server", "name": "Zabbix server", "status": "0",
               "interfaces": [{"interfaceid": "3", "ip": "127.0.0.1", "dns": "", "useip": "1", "type": "1",
                               "main": "1", "available": "1", "error": ""}],
               "tags": []}),
        json!({"hostid": "10104", "host": "old-switch", "name": "Old switch", "status": "1",
               "interfaces": [], "tags": []}),
    ];
    d.problems = vec![
        json!({"eventid": "9003", "objectid": "5003", "clock": "1767225900", "name": "Disk space is low",
               "severity": "2", "acknowledged": "0", "r_eventid": "0"}),
        json!({"eventid": "9002", "objectid": "5002", "clock": "1767225800", "name": "High ONU loss on OLT North",
               "severity": "3", "acknowledged": "1", "r_eventid": "0"}),
        json!({"eventid": "9001", "objectid": "5001", "clock": "1767225600", "name": "Core router unreachable",
               "severity": "5", "acknowledged": "0", "r_eventid": "0"}),
    ];
    d.triggers = vec![
        (
            "5001".into(),
            vec![json!({"hostid": "10101", "host": "core-router", "name": "Core router Badda"})],
        ),
        (
            "5002".into(),
            vec![json!({"hostid": "10102", "host": "olt-north", "name": "OLT North"})],
        ),
        (
            "5003".into(),
            vec![json!({"hostid": "10103", "host": "zabbix-server", "name": "Zabbix server"})],
        ),
    ];
}

/// A router at 127.0.0.2 with customers 1-3 on it, an OLT named olt-north
/// whose ONUs belong to customers 3 and 4, and a fifth customer elsewhere.
fn inventory(s: &TestServer, token: &str) -> Vec<i64> {
    let r = s.call(
        "POST",
        "/api/v2/network/routers",
        token,
        Some(json!({"name": "Badda core", "host": "127.0.0.2", "port": 1, "username": "admin", "password": "secret"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let router = r.json()["data"]["id"].as_i64().unwrap();
    let r = s.call(
        "POST",
        "/api/v2/network/olts",
        token,
        Some(json!({"name": "olt-north", "host": "127.0.0.3", "port": 1, "community": "public"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let olt = r.json()["data"]["id"].as_i64().unwrap();
    let mut ids = Vec::new();
    for i in 0..5 {
        let mut body = json!({"name": format!("Customer {i}"), "phone": format!("0171234567{i}")});
        if i < 3 {
            body["router_id"] = json!(router);
            body["username"] = json!(format!("c{i}"));
            body["password"] = json!("pppoe secret");
        }
        let r = s.call("POST", "/api/v2/customers", token, Some(body));
        assert_eq!(r.status, 201, "{}", r.body);
        ids.push(r.json()["data"]["id"].as_i64().unwrap());
    }
    for (k, customer) in [(1, ids[2]), (2, ids[3])] {
        s.state
            .db
            .write(move |tx| {
                tx.execute(
                    "INSERT INTO onus (olt_id, index_key, pon_port, onu_index, status, customer_id, updated_at)
                     VALUES (?1, ?2, '0/1', ?3, 'online', ?4, '2026-01-01T00:00:00Z')",
                    rusqlite::params![olt, format!("k{k}"), k, customer],
                )?;
                Ok(())
            })
            .unwrap();
    }
    ids
}

#[test]
fn hosts_problems_and_the_customers_they_affect() {
    let sim = ZabbixSim::start(false);
    fill(&sim);
    let s = server(&sim.url(), "bearer", TOKEN, 60);
    let token = s.v2_admin_token();
    let customers = inventory(&s, &token);

    let hosts = s.call("GET", "/api/v2/monitoring/zabbix/hosts", &token, None);
    assert_eq!(hosts.status, 200, "{}", hosts.body);
    let hosts = hosts.json();
    let core = &hosts["data"][0];
    assert_eq!(core["hostid"], "10101");
    assert_eq!(core["status"], "monitored");
    assert_eq!(core["availability"], "down");
    assert_eq!(core["interfaces"][0]["type"], "snmp");
    assert_eq!(core["interfaces"][0]["error"], "Timeout while connecting");
    assert_eq!(core["tags"], json!([{"tag": "site", "value": "badda"}]));
    assert_eq!(core["inventory"][0]["kind"], "router");
    assert_eq!(core["affected_customers"], 3);
    assert_eq!(hosts["data"][1]["availability"], "up");
    assert_eq!(
        hosts["data"][1]["inventory"][0]["kind"], "olt",
        "matched by name"
    );
    assert_eq!(hosts["data"][2]["inventory"], json!([]));
    assert_eq!(hosts["data"][3]["status"], "not_monitored");
    assert_eq!(hosts["zabbix"]["stale"], false);
    assert_eq!(hosts["zabbix"]["error"], Value::Null);

    let problems = s
        .call(
            "GET",
            "/api/v2/monitoring/zabbix/problems?customers=true",
            &token,
            None,
        )
        .json();
    let p: Vec<&Value> = problems["data"].as_array().unwrap().iter().collect();
    assert_eq!(p.len(), 3);
    assert_eq!(p[2]["eventid"], "9001");
    assert_eq!(p[2]["severity"], 5);
    assert_eq!(p[2]["severity_label"], "disaster");
    assert_eq!(p[2]["since"], "2026-01-01T00:00:00Z");
    assert_eq!(p[2]["acknowledged"], false);
    assert_eq!(
        p[2]["hosts"],
        json!([{"hostid": "10101", "host": "core-router", "name": "Core router Badda"}])
    );
    assert_eq!(p[2]["affected_customers"], 3);
    assert_eq!(p[2]["customer_ids"], json!(customers[0..3]));
    assert_eq!(p[1]["acknowledged"], true);
    assert_eq!(p[1]["customer_ids"], json!([customers[2], customers[3]]));
    assert_eq!(p[0]["affected_customers"], 0);
    // Without ?customers=true only the counts; min_severity filters.
    let high = s
        .call(
            "GET",
            "/api/v2/monitoring/zabbix/problems?min_severity=4",
            &token,
            None,
        )
        .json();
    assert_eq!(high["data"].as_array().unwrap().len(), 1);
    assert!(high["data"][0].get("customer_ids").is_none());

    let v1 = s.login_admin_v1();
    let summary = s.call("GET", "/api/v1/monitoring/zabbix", &v1, None);
    assert_eq!(summary.status, 200, "{}", summary.body);
    let summary = summary.json()["data"].clone();
    assert_eq!(
        summary["hosts"],
        json!({"total": 4, "up": 2, "down": 1, "unknown": 0, "not_monitored": 1})
    );
    assert_eq!(summary["problems"]["total"], 3);
    assert_eq!(summary["problems"]["disaster"], 1);
    assert_eq!(summary["problems"]["average"], 1);
    assert_eq!(summary["problems"]["warning"], 1);
    assert_eq!(summary["affected_customers"], 4, "customers 1-4, each once");

    // The NOC dashboard shows the problems and who they affect.
    let noc = s.call("GET", "/api/v1/noc/dashboard", &v1, None).json();
    assert_eq!(noc["data"]["zabbix"]["affected_customers"], 4);
    assert_eq!(
        noc["data"]["zabbix"]["problems"][2]["affected_customers"],
        3
    );

    // Zabbix 7.2: the token went as a Bearer header, never in the body.
    for r in sim.receiver.received() {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert!(r.json().get("auth").is_none());
        assert_eq!(r.header("content-type"), Some("application/json-rpc"));
    }
    // Scope: monitoring:read.
    let (_, _, _, no_scope) = s.v2_client_token("customers:read", Tier::Standard);
    s.call("GET", "/api/v2/monitoring/zabbix/hosts", &no_scope, None)
        .assert_error(403, "FORBIDDEN");
}

#[test]
fn answers_are_cached_for_the_ttl() {
    let sim = ZabbixSim::start(false);
    fill(&sim);
    let s = server(&sim.url(), "bearer", TOKEN, 60);
    let token = s.v2_admin_token();
    for _ in 0..5 {
        assert_eq!(
            s.call("GET", "/api/v2/monitoring/zabbix/hosts", &token, None)
                .status,
            200
        );
        assert_eq!(
            s.call("GET", "/api/v2/monitoring/zabbix/problems", &token, None)
                .status,
            200
        );
    }
    assert_eq!(sim.calls("host.get"), 1);
    assert_eq!(sim.calls("problem.get"), 1);
    assert_eq!(sim.calls("trigger.get"), 1);
}

#[test]
fn zabbix_down_or_hung_answers_with_the_last_known_data_or_503() {
    let sim = ZabbixSim::start(false);
    fill(&sim);
    let s = server(&sim.url(), "bearer", TOKEN, 1);
    let token = s.v2_admin_token();
    let first = s.call("GET", "/api/v2/monitoring/zabbix/problems", &token, None);
    assert_eq!(first.status, 200);
    drop(sim);
    std::thread::sleep(Duration::from_millis(2100));
    let later = s.call("GET", "/api/v2/monitoring/zabbix/problems", &token, None);
    assert_eq!(later.status, 200, "{}", later.body);
    let later = later.json();
    assert_eq!(
        later["data"].as_array().unwrap().len(),
        3,
        "the last known problems"
    );
    assert_eq!(later["zabbix"]["stale"], true);
    assert!(
        later["zabbix"]["age_secs"].as_i64().unwrap() >= 2,
        "{later}"
    );
    assert!(
        later["zabbix"]["error"]
            .as_str()
            .unwrap()
            .contains("unreachable"),
        "{later}"
    );

    // A Zabbix that accepts but never answers: no data yet, so 503 after the
    // 1 s timeout, not a hang.
    let hung = ZabbixSim::start(false);
    fill(&hung);
    hung.data.lock().unwrap().delay_secs = 5;
    let s = server(&hung.url(), "bearer", TOKEN, 30);
    let token = s.v2_admin_token();
    let started = Instant::now();
    let r = s.call("GET", "/api/v2/monitoring/zabbix/hosts", &token, None);
    let err = r.assert_error(503, "SERVICE_UNAVAILABLE");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(
        err["message"].as_str().unwrap().contains("unreachable"),
        "{err}"
    );
}

#[test]
fn refused_tokens_old_auth_styles_and_no_zabbix() {
    let sim = ZabbixSim::start(false);
    fill(&sim);
    let wrong = server(&sim.url(), "bearer", "0000", 30);
    let err = wrong
        .call(
            "GET",
            "/api/v2/monitoring/zabbix/hosts",
            &wrong.v2_admin_token(),
            None,
        )
        .assert_error(503, "SERVICE_UNAVAILABLE");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("refused the credentials"),
        "{err}"
    );

    // The token in the body's `auth` field: Zabbix 7.2 refuses it, and says so.
    let body = server(&sim.url(), "body", TOKEN, 30);
    let err = body
        .call(
            "GET",
            "/api/v2/monitoring/zabbix/hosts",
            &body.v2_admin_token(),
            None,
        )
        .assert_error(503, "SERVICE_UNAVAILABLE");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("unexpected parameter"),
        "{err}"
    );

    // An older Zabbix takes it there, and user.login sessions too.
    let legacy = ZabbixSim::start(true);
    fill(&legacy);
    for auth in ["body", "login"] {
        let s = server(&legacy.url(), auth, TOKEN, 30);
        let r = s.call(
            "GET",
            "/api/v2/monitoring/zabbix/problems",
            &s.v2_admin_token(),
            None,
        );
        assert_eq!(r.status, 200, "{auth}: {}", r.body);
        assert_eq!(r.json()["data"].as_array().unwrap().len(), 3);
    }
    assert!(legacy.calls("user.login") >= 1);

    // Not configured: a clear 503, and the NOC dashboard simply has no Zabbix.
    let none = TestServer::start();
    let err = none
        .call(
            "GET",
            "/api/v2/monitoring/zabbix/problems",
            &none.v2_admin_token(),
            None,
        )
        .assert_error(503, "SERVICE_UNAVAILABLE");
    assert!(
        err["message"].as_str().unwrap().contains("not configured"),
        "{err}"
    );
    let v1 = none.login_admin_v1();
    let noc = none.call("GET", "/api/v1/noc/dashboard", &v1, None).json();
    assert_eq!(noc["data"]["zabbix"], Value::Null);
}
