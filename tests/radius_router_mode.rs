//! A router's auth mode: `secrets` (the appliance writes a /ppp/secret per
//! customer) or `radius` (the router asks the built-in RADIUS server). In
//! RADIUS mode a sync sets the router up over its API (`/radius`, `/ppp aaa`,
//! `/radius incoming`, hotspot profiles), writes no logins, and removes the
//! ones it made earlier only when the operator confirms — against the
//! RouterOS simulator, over the API protocol and over REST.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/routeros_sim.rs"]
mod routeros_sim;

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use common::TestServer;
use poem::EndpointExt;
use routeros_sim::{SimConfig, SimRouter};
use serde_json::{json, Value};

const SECRET: &str = "radius-secret-for-the-tests-0123";

fn server() -> (TestServer, String) {
    let s = TestServer::start_with(
        |mut c| {
            c.routers.poll_interval_secs = 1;
            c.routers.timeout_secs = 2;
            c.routers.sync_interval_secs = 1;
            c.radius.enabled = true;
            // Bound to every address: the address the router is told comes
            // from the route to it.
            c.radius.auth_listen = "0.0.0.0:0".into();
            c.radius.acct_listen = "0.0.0.0:0".into();
            c
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    let token = s.v2_admin_token();
    (s, token)
}

fn rows(sim: &SimRouter, menu: &str) -> Vec<BTreeMap<String, String>> {
    sim.rows(menu)
}

fn names(sim: &SimRouter, menu: &str) -> Vec<String> {
    let mut names: Vec<String> = rows(sim, menu)
        .into_iter()
        .filter_map(|r| r.get("name").cloned())
        .collect();
    names.sort();
    names
}

fn strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn sync(s: &TestServer, token: &str, id: i64, query: &str) -> Value {
    let r = s.call(
        "POST",
        &format!("/api/v2/network/routers/{id}/sync{query}"),
        token,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["data"].clone()
}

fn customer(s: &TestServer, token: &str, router: i64, username: &str, kind: &str) -> i64 {
    let r = s.call(
        "POST",
        "/api/v2/customers",
        token,
        Some(
            json!({"name": format!("Customer {username}"), "phone": "01711000000",
                    "connection_type": kind, "username": username, "password": "pw-1234",
                    "router_id": router}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["data"]["id"].as_i64().unwrap()
}

#[test]
fn radius_mode_sets_the_router_up_and_removes_our_secrets_only_when_confirmed() {
    let sim = SimRouter::start(SimConfig::default());
    let (s, token) = server();
    let auth = s.state.radius_auth_addr.unwrap();
    let acct = s.state.radius_acct_addr.unwrap();
    let r = s.call(
        "POST",
        "/api/v2/network/routers",
        &token,
        Some(
            json!({"name": "core", "host": "127.0.0.1", "port": sim.port(),
                    "username": "admin", "password": "secret"}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["data"]["auth_mode"], "secrets", "the default");
    let id = r.json()["data"]["id"].as_i64().unwrap();
    sim.insert(
        "/ppp/secret",
        &[("name", "by-hand"), ("password", "x"), ("service", "pppoe")],
    );
    let ana = customer(&s, &token, id, "ana", "pppoe");
    customer(&s, &token, id, "ben", "pppoe");
    sync(&s, &token, id, "");
    assert_eq!(names(&sim, "/ppp/secret"), ["ana", "ben", "by-hand"]);

    // RADIUS mode needs a secret.
    let put = s.call(
        "PUT",
        &format!("/api/v2/network/routers/{id}"),
        &token,
        Some(json!({"auth_mode": "radius"})),
    );
    assert_eq!(put.status, 422, "{}", put.body);
    assert!(put.body.contains("auth_mode"), "{}", put.body);
    let put = s.call(
        "PUT",
        &format!("/api/v2/network/routers/{id}"),
        &token,
        Some(json!({"auth_mode": "nonsense"})),
    );
    assert_eq!(put.status, 422, "{}", put.body);
    let put = s.call(
        "PUT",
        &format!("/api/v2/network/routers/{id}"),
        &token,
        Some(json!({"auth_mode": "radius", "radius_secret": SECRET, "coa_port": 3700})),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.json()["data"]["auth_mode"], "radius");
    assert!(!put.body.contains(SECRET), "the secret is never shown");

    // The first sync: set up, our secrets listed and left.
    let diff = sync(&s, &token, id, "");
    assert_eq!(strings(&diff["secrets_to_remove"]), ["ana", "ben"]);
    assert!(strings(&diff["removed"]).is_empty(), "{diff}");
    assert!(strings(&diff["added"]).is_empty(), "{diff}");
    assert_eq!(strings(&diff["unmanaged"]), ["by-hand"]);
    assert!(!diff.to_string().contains(SECRET), "{diff}");
    let setup = strings(&diff["radius_setup"]);
    assert_eq!(setup.len(), 3, "{setup:?}");
    assert_eq!(names(&sim, "/ppp/secret"), ["ana", "ben", "by-hand"]);
    let radius = rows(&sim, "/radius");
    assert_eq!(radius.len(), 1, "{radius:?}");
    let entry = &radius[0];
    assert_eq!(entry["address"], "127.0.0.1", "the address on the route");
    assert_eq!(entry["secret"], SECRET);
    assert_eq!(entry["authentication-port"], auth.port().to_string());
    assert_eq!(entry["accounting-port"], acct.port().to_string());
    assert_eq!(entry["service"], "ppp,hotspot");
    assert_eq!(entry["comment"], "ispbills");
    let aaa = &rows(&sim, "/ppp/aaa")[0];
    assert_eq!(aaa["use-radius"], "yes");
    assert_eq!(aaa["accounting"], "true", "already on: left as it was");
    assert_eq!(aaa["interim-update"], "300s");
    let incoming = &rows(&sim, "/radius/incoming")[0];
    assert_eq!(incoming["accept"], "yes");
    assert_eq!(incoming["port"], "3700");

    // Nothing differs: nothing set. A customer change writes no login.
    customer(&s, &token, id, "cara", "pppoe");
    let diff = sync(&s, &token, id, "");
    assert!(strings(&diff["radius_setup"]).is_empty(), "{diff}");
    assert!(strings(&diff["added"]).is_empty(), "{diff}");
    assert_eq!(names(&sim, "/ppp/secret"), ["ana", "ben", "by-hand"]);

    // A new secret reaches the router (and is not shown).
    let other = "another-radius-secret-456789";
    let put = s.call(
        "PUT",
        &format!("/api/v2/network/routers/{id}"),
        &token,
        Some(json!({"radius_secret": other})),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    let diff = sync(&s, &token, id, "");
    assert_eq!(strings(&diff["radius_setup"]), ["/radius: secret (set)"]);
    assert_eq!(rows(&sim, "/radius")[0]["secret"], other);

    // Confirmed: our logins go, the hand-made one stays.
    let diff = sync(&s, &token, id, "?remove_secrets=true");
    assert_eq!(strings(&diff["removed"]), ["ana", "ben"]);
    assert!(strings(&diff["secrets_to_remove"]).is_empty(), "{diff}");
    assert_eq!(names(&sim, "/ppp/secret"), ["by-hand"]);

    // The poller's own syncs write no login either: a suspension changes
    // nothing on the router (RADIUS and CoA carry it).
    let before = s
        .call(
            "GET",
            &format!("/api/v2/network/routers/{id}"),
            &token,
            None,
        )
        .json()["data"]["last_sync_at"]
        .clone();
    let v1 = s.login_admin_v1();
    let act = s.call(
        "POST",
        &format!("/api/v1/customers/{ana}/action"),
        &v1,
        Some(json!({"action": "suspend"})),
    );
    assert_eq!(act.status, 200, "{}", act.body);
    wait_until("the poller's next sync", || {
        let now = s
            .call(
                "GET",
                &format!("/api/v2/network/routers/{id}"),
                &token,
                None,
            )
            .json()["data"]["last_sync_at"]
            .clone();
        now != before && !now.is_null()
    });
    assert_eq!(names(&sim, "/ppp/secret"), ["by-hand"]);
    assert!(rows(&sim, "/ip/firewall/address-list").is_empty());

    // Back to secrets mode: the logins come back.
    let put = s.call(
        "PUT",
        &format!("/api/v2/network/routers/{id}"),
        &token,
        Some(json!({"auth_mode": "secrets"})),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    sync(&s, &token, id, "");
    assert_eq!(
        names(&sim, "/ppp/secret"),
        ["ana", "ben", "by-hand", "cara"]
    );
}

#[test]
fn radius_setup_over_rest_turns_on_radius_in_the_hotspot_profiles() {
    let sim = SimRouter::start(SimConfig::default());
    let base = sim.start_rest();
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    let hotspot = sim.insert(
        "/ip/hotspot/profile",
        &[("name", "hsprof1"), ("use-radius", "no")],
    );
    let (s, token) = server();
    let r = s.call(
        "POST",
        "/api/v2/network/routers",
        &token,
        Some(
            json!({"name": "v7", "host": "127.0.0.1", "port": port, "username": "admin",
                    "password": "secret", "transport": "rest", "auth_mode": "radius",
                    "radius_secret": SECRET, "nas_ip": "127.0.0.1"}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["data"]["id"].as_i64().unwrap();
    customer(&s, &token, id, "guest1", "hotspot");
    let diff = sync(&s, &token, id, "");
    assert!(strings(&diff["added"]).is_empty(), "{diff}");
    assert_eq!(strings(&diff["radius_setup"]).len(), 4, "{diff}");
    assert!(sim.rows("/ip/hotspot/user").is_empty());
    let entry = &rows(&sim, "/radius")[0];
    assert_eq!(entry["src-address"], "127.0.0.1");
    assert_eq!(rows(&sim, "/ppp/aaa")[0]["use-radius"], "yes");
    assert_eq!(rows(&sim, "/radius/incoming")[0]["accept"], "yes");
    let profile = rows(&sim, "/ip/hotspot/profile")
        .into_iter()
        .find(|r| r[".id"] == hotspot)
        .unwrap();
    assert_eq!(profile["use-radius"], "yes");
    assert_eq!(profile["radius-accounting"], "yes");
    assert_eq!(profile["radius-interim-update"], "300s");
    assert!(
        sim.rest_requests()
            .iter()
            .any(|q| q.method == "POST" && q.target == "/rest/ppp/aaa/set"),
        "settings are set with POST <menu>/set"
    );
    // Again: nothing differs.
    let diff = sync(&s, &token, id, "");
    assert!(strings(&diff["radius_setup"]).is_empty(), "{diff}");
}

#[test]
fn a_router_in_radius_mode_with_the_server_off_is_told_so() {
    let sim = SimRouter::start(SimConfig::default());
    let s = TestServer::start_with(|c| c, |state| ispbills::app::routes(state).boxed());
    let token = s.v2_admin_token();
    let r = s.call(
        "POST",
        "/api/v2/network/routers",
        &token,
        Some(
            json!({"name": "core", "host": "127.0.0.1", "port": sim.port(),
                    "username": "admin", "password": "secret", "auth_mode": "radius"}),
        ),
    );
    assert_eq!(r.status, 422, "a secret is needed: {}", r.body);
    let r = s.call(
        "POST",
        "/api/v2/network/routers",
        &token,
        Some(
            json!({"name": "core", "host": "127.0.0.1", "port": sim.port(),
                    "username": "admin", "password": "secret", "auth_mode": "radius",
                    "radius_secret": SECRET}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["data"]["id"].as_i64().unwrap();
    let diff = sync(&s, &token, id, "");
    let errors = strings(&diff["errors"]);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("[radius] enabled = false")),
        "{diff}"
    );
    assert!(rows(&sim, "/radius").is_empty());
    // Removing the secret of a router in RADIUS mode is refused.
    let put = s.call(
        "PUT",
        &format!("/api/v2/network/routers/{id}"),
        &token,
        Some(json!({"radius_secret": null})),
    );
    assert_eq!(put.status, 422, "{}", put.body);
}
