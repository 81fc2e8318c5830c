//! VPN accounts: CRUD and validation, scopes, reseller visibility, config
//! downloads (WireGuard parsed back and checked with wg(8) when installed,
//! OpenVPN, L2TP), unconfigured servers, and the secrets sealed at rest.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::{engine::general_purpose::STANDARD, Engine};
use common::{Reply, TestServer};
use ispbills::{
    auth::principal::Tier,
    config::Config,
    domain::staff::Role,
    vpn::config::{L2tpConfig, OpenVpnConfig, WireGuardConfig},
};
use poem::EndpointExt;
use serde_json::{json, Value};

const PSK: &str = "psk-Shared-Secret-77";

fn server_key() -> (String, String) {
    let secret = x25519_dalek::StaticSecret::from([9u8; 32]);
    let public = x25519_dalek::PublicKey::from(&secret);
    (
        STANDARD.encode(secret.to_bytes()),
        STANDARD.encode(public.as_bytes()),
    )
}

fn ca_pem() -> String {
    rcgen::generate_simple_self_signed(vec!["vpn.example.net".to_string()])
        .unwrap()
        .cert
        .pem()
}

/// A server whose `[vpn]` section is filled in.
fn configured() -> TestServer {
    let (_, server_pub) = server_key();
    let ca = ca_pem();
    TestServer::start_with(
        move |mut c: Config| {
            c.vpn.wireguard = WireGuardConfig {
                endpoint: "vpn.example.net:51820".into(),
                server_public_key: server_pub,
                dns: vec!["10.66.0.1".into(), "1.1.1.1".into()],
                mtu: 1420,
                ..WireGuardConfig::default()
            };
            c.vpn.openvpn = OpenVpnConfig {
                remote: "vpn.example.net".into(),
                ca,
                extra: vec!["auth SHA256".into()],
                ..OpenVpnConfig::default()
            };
            c.vpn.l2tp = L2tpConfig {
                server: "l2tp.example.net".into(),
                psk: PSK.into(),
            };
            c
        },
        |state| ispbills::app::routes(state).boxed(),
    )
}

fn customer(s: &TestServer, token: &str, name: &str, phone: &str) -> i64 {
    let r = s.call(
        "POST",
        "/api/v2/customers",
        token,
        Some(json!({"name": name, "phone": phone})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["data"]["id"].as_i64().unwrap()
}

fn router(s: &TestServer, token: &str) -> i64 {
    let r = s.call(
        "POST",
        "/api/v2/network/routers",
        token,
        Some(json!({"name": "core", "host": "127.0.0.1", "port": 9,
                    "username": "admin", "password": "router pw"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["data"]["id"].as_i64().unwrap()
}

fn create(s: &TestServer, token: &str, body: Value) -> Value {
    let r = s.call("POST", "/api/v2/vpn/accounts", token, Some(body));
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["data"].clone()
}

/// `[section] key = value` lines of a wg-quick file, in order.
fn parse_wg(text: &str) -> Vec<(String, String, String)> {
    let mut section = String::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap().trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_string();
            continue;
        }
        let (k, v) = line.split_once('=').expect("key = value");
        assert!(!section.is_empty(), "a key outside a section: {line}");
        out.push((section.clone(), k.trim().to_string(), v.trim().to_string()));
    }
    out
}

fn wg_value<'a>(parsed: &'a [(String, String, String)], section: &str, key: &str) -> &'a str {
    parsed
        .iter()
        .find(|(s, k, _)| s == section && k == key)
        .map(|(_, _, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {section}.{key}"))
}

fn public_of(private_b64: &str) -> String {
    let bytes: [u8; 32] = STANDARD.decode(private_b64).unwrap().try_into().unwrap();
    let secret = x25519_dalek::StaticSecret::from(bytes);
    STANDARD.encode(x25519_dalek::PublicKey::from(&secret).as_bytes())
}

fn have(cmd: &str) -> bool {
    std::process::Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn assert_field(r: &Reply, field: &str) {
    let err = r.assert_error(422, "VALIDATION_ERROR");
    assert!(
        err["details"][field].is_array(),
        "want details.{field}: {}",
        r.body
    );
}

#[test]
fn crud_validation_and_rotation() {
    let s = configured();
    let token = s.v2_admin_token();
    let c1 = customer(&s, &token, "Rahim Uddin", "01711111111");
    let r1 = router(&s, &token);

    let wg = create(
        &s,
        &token,
        json!({"name": "rahim-phone", "protocol": "wireguard", "customer_id": c1,
               "addresses": "10.66.0.2, fd66::2/128"}),
    );
    assert_eq!(wg["protocol"], "wireguard");
    assert_eq!(wg["customer_id"], c1);
    assert_eq!(wg["router_id"], Value::Null);
    assert_eq!(wg["addresses"], "10.66.0.2/32, fd66::2/128");
    assert_eq!(wg["enabled"], true);
    assert_eq!(wg["has_password"], false);
    let public = wg["public_key"].as_str().unwrap().to_string();
    assert_eq!(STANDARD.decode(&public).unwrap().len(), 32);
    for hidden in [
        "private_key",
        "password",
        "private_key_sealed",
        "password_sealed",
    ] {
        assert!(wg.get(hidden).is_none(), "{hidden} shown: {wg}");
    }
    let id = wg["id"].as_i64().unwrap();

    let l2 = create(
        &s,
        &token,
        json!({"name": "Core L2TP", "protocol": "l2tp", "router_id": r1,
               "username": "core", "password": "l2tp pw 1"}),
    );
    assert_eq!(l2["has_password"], true);
    assert_eq!(l2["username"], "core");
    assert!(l2["public_key"].is_null());
    let ov = create(
        &s,
        &token,
        json!({"name": "rahim-laptop", "protocol": "openvpn", "customer_id": c1}),
    );
    assert_eq!(ov["has_password"], false);

    // Lists and filters, v1 and v2 alike.
    let v1 = s.login_admin_v1();
    for (query, total) in [
        ("", 3),
        ("?protocol=wireguard", 1),
        (&format!("?customer_id={c1}") as &str, 2),
        (&format!("?router_id={r1}"), 1),
        ("?protocol=l2tp&customer_id=1", 0),
    ] {
        for (base, tok) in [
            ("/api/v2/vpn/accounts", &token),
            ("/api/v1/vpn/accounts", &v1),
        ] {
            let r = s.call("GET", &format!("{base}{query}"), tok, None);
            assert_eq!(r.status, 200, "{}", r.body);
            assert_eq!(r.json()["meta"]["total"], total, "{base}{query}");
        }
    }
    assert_field(
        &s.call("GET", "/api/v2/vpn/accounts?protocol=pptp", &token, None),
        "protocol",
    );
    let one = s.call("GET", &format!("/api/v2/vpn/accounts/{id}"), &token, None);
    assert_eq!(one.json()["data"]["public_key"], public.as_str());

    // Validation: one message per field, in the envelope.
    let long = "x".repeat(101);
    for (body, field) in [
        (json!({}), "name"),
        (json!({}), "protocol"),
        (json!({}), "customer_id"),
        (
            json!({"name": "a", "protocol": "pptp", "customer_id": c1}),
            "protocol",
        ),
        (
            json!({"name": long, "protocol": "openvpn", "customer_id": c1}),
            "name",
        ),
        (
            json!({"name": "a", "protocol": "wireguard", "customer_id": c1, "router_id": r1,
                   "addresses": "10.66.0.9/32"}),
            "router_id",
        ),
        (
            json!({"name": "a", "protocol": "wireguard", "customer_id": c1}),
            "addresses",
        ),
        (
            json!({"name": "a", "protocol": "wireguard", "customer_id": c1,
                   "addresses": "10.66.0.300/32"}),
            "addresses",
        ),
        (
            json!({"name": "a", "protocol": "wireguard", "customer_id": c1,
                   "addresses": "10.66.0.9", "username": "u"}),
            "username",
        ),
        (
            json!({"name": "a", "protocol": "l2tp", "customer_id": c1}),
            "username",
        ),
        (
            json!({"name": "a", "protocol": "l2tp", "customer_id": c1, "username": "u"}),
            "password",
        ),
        (
            json!({"name": "a", "protocol": "openvpn", "customer_id": c1, "password": "p"}),
            "username",
        ),
        (
            json!({"name": "a", "protocol": "openvpn", "customer_id": 0}),
            "customer_id",
        ),
        (
            json!({"name": "a", "protocol": "openvpn", "customer_id": 999}),
            "customer_id",
        ),
        (
            json!({"name": "a", "protocol": "openvpn", "router_id": 999}),
            "router_id",
        ),
        (
            json!({"name": "RAHIM-PHONE", "protocol": "openvpn", "customer_id": c1}),
            "name",
        ),
        (
            json!({"name": "a", "protocol": "openvpn", "customer_id": c1, "enabled": "yes"}),
            "enabled",
        ),
    ] {
        let r = s.call("POST", "/api/v2/vpn/accounts", &token, Some(body.clone()));
        assert_field(&r, field);
    }

    // Update: only what is sent changes; the protocol stays.
    let r = s.call(
        "PUT",
        &format!("/api/v2/vpn/accounts/{id}"),
        &token,
        Some(json!({"addresses": "10.66.0.3/32", "enabled": false})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let d = r.json()["data"].clone();
    assert_eq!(d["addresses"], "10.66.0.3/32");
    assert_eq!(d["enabled"], false);
    assert_eq!(d["name"], "rahim-phone");
    assert_eq!(d["public_key"], public.as_str());
    assert_field(
        &s.call(
            "PUT",
            &format!("/api/v2/vpn/accounts/{id}"),
            &token,
            Some(json!({"protocol": "openvpn"})),
        ),
        "protocol",
    );
    assert_field(
        &s.call(
            "PUT",
            &format!("/api/v2/vpn/accounts/{id}"),
            &token,
            Some(json!({"addresses": ""})),
        ),
        "addresses",
    );
    // An OpenVPN login: a username needs a password.
    let ov_id = ov["id"].as_i64().unwrap();
    assert_field(
        &s.call(
            "PUT",
            &format!("/api/v2/vpn/accounts/{ov_id}"),
            &token,
            Some(json!({"username": "rahim"})),
        ),
        "password",
    );
    let r = s.call(
        "PUT",
        &format!("/api/v2/vpn/accounts/{ov_id}"),
        &token,
        Some(json!({"username": "rahim", "password": "ovpn pw", "customer_id": null, "router_id": r1})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["data"]["has_password"], true);
    assert_eq!(r.json()["data"]["router_id"], r1);
    assert_eq!(r.json()["data"]["customer_id"], Value::Null);
    s.call(
        "PUT",
        "/api/v2/vpn/accounts/9999",
        &token,
        Some(json!({"enabled": true})),
    )
    .assert_error(404, "NOT_FOUND");

    // Rotation: a new key pair; only WireGuard has one.
    let r = s.call(
        "POST",
        &format!("/api/v2/vpn/accounts/{id}/rotate-keys"),
        &token,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let rotated = r.json()["data"]["public_key"].as_str().unwrap().to_string();
    assert_ne!(rotated, public);
    s.call(
        "POST",
        &format!("/api/v2/vpn/accounts/{ov_id}/rotate-keys"),
        &token,
        None,
    )
    .assert_error(409, "CONFLICT");

    // Delete.
    let r = s.call(
        "DELETE",
        &format!("/api/v2/vpn/accounts/{id}"),
        &token,
        None,
    );
    assert_eq!(r.status, 204, "{}", r.body);
    s.call("GET", &format!("/api/v2/vpn/accounts/{id}"), &token, None)
        .assert_error(404, "NOT_FOUND");
    s.call(
        "DELETE",
        &format!("/api/v2/vpn/accounts/{id}"),
        &token,
        None,
    )
    .assert_error(404, "NOT_FOUND");
}

#[test]
fn scopes() {
    let s = configured();
    let admin = s.v2_admin_token();
    let c = customer(&s, &admin, "Karim", "01722222222");
    let acct = create(
        &s,
        &admin,
        json!({"name": "karim", "protocol": "wireguard", "customer_id": c, "addresses": "10.66.0.4"}),
    );
    let id = acct["id"].as_i64().unwrap();
    let (_, _, _, no_vpn) = s.v2_client_token("customers:read network:read", Tier::Standard);
    for path in [
        "/api/v2/vpn/accounts".to_string(),
        format!("/api/v2/vpn/accounts/{id}"),
        format!("/api/v2/vpn/accounts/{id}/config"),
    ] {
        s.call("GET", &path, &no_vpn, None)
            .assert_error(403, "FORBIDDEN");
    }
    // vpn:read reads and downloads, but does not change.
    let (_, _, _, reader) = s.v2_client_token("vpn:read", Tier::Standard);
    assert_eq!(
        s.call("GET", "/api/v2/vpn/accounts", &reader, None).status,
        200
    );
    assert_eq!(
        s.call(
            "GET",
            &format!("/api/v2/vpn/accounts/{id}/config"),
            &reader,
            None
        )
        .status,
        200
    );
    s.call(
        "POST",
        "/api/v2/vpn/accounts",
        &reader,
        Some(json!({"name": "x", "protocol": "openvpn", "customer_id": c})),
    )
    .assert_error(403, "FORBIDDEN");
    for (method, path) in [
        ("PUT", format!("/api/v2/vpn/accounts/{id}")),
        ("DELETE", format!("/api/v2/vpn/accounts/{id}")),
        ("POST", format!("/api/v2/vpn/accounts/{id}/rotate-keys")),
    ] {
        s.call(method, &path, &reader, Some(json!({})))
            .assert_error(403, "FORBIDDEN");
    }
    // Support staff (v1) read VPN accounts; no token at all is 401.
    s.create_staff("support@example.com", Role::Support, "support password 1");
    let support = s.login("support@example.com", "support password 1").json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        s.call("GET", "/api/v1/vpn/accounts", &support, None).status,
        200
    );
    s.get("/api/v1/vpn/accounts")
        .assert_error(401, "UNAUTHENTICATED");
}

#[test]
fn wireguard_config_is_valid_and_the_private_key_is_sealed_at_rest() {
    let s = configured();
    let token = s.v2_admin_token();
    let c = customer(&s, &token, "Nasrin", "01733333333");
    let acct = create(
        &s,
        &token,
        json!({"name": "Nasrin's phone #1", "protocol": "wireguard", "customer_id": c,
               "addresses": "10.66.0.5/32"}),
    );
    let id = acct["id"].as_i64().unwrap();
    let public = acct["public_key"].as_str().unwrap();

    let r = s.call(
        "GET",
        &format!("/api/v2/vpn/accounts/{id}/config"),
        &token,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"Nasrin_s_phone_.conf\""),
        "the name made safe and short enough for an interface name"
    );
    let parsed = parse_wg(&r.body);
    let sections: Vec<&str> = {
        let mut v: Vec<&str> = parsed.iter().map(|(s, _, _)| s.as_str()).collect();
        v.dedup();
        v
    };
    assert_eq!(sections, ["Interface", "Peer"], "{}", r.body);
    let keys: Vec<(&str, &str)> = parsed
        .iter()
        .map(|(s, k, _)| (s.as_str(), k.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("Interface", "PrivateKey"),
            ("Interface", "Address"),
            ("Interface", "DNS"),
            ("Interface", "MTU"),
            ("Peer", "PublicKey"),
            ("Peer", "Endpoint"),
            ("Peer", "AllowedIPs"),
            ("Peer", "PersistentKeepalive"),
        ]
    );
    let private = wg_value(&parsed, "Interface", "PrivateKey").to_string();
    assert_eq!(public_of(&private), public, "the private key's public half");
    assert_eq!(wg_value(&parsed, "Interface", "Address"), "10.66.0.5/32");
    assert_eq!(wg_value(&parsed, "Interface", "DNS"), "10.66.0.1, 1.1.1.1");
    assert_eq!(wg_value(&parsed, "Interface", "MTU"), "1420");
    assert_eq!(wg_value(&parsed, "Peer", "PublicKey"), server_key().1);
    assert_eq!(
        wg_value(&parsed, "Peer", "Endpoint"),
        "vpn.example.net:51820"
    );
    assert_eq!(wg_value(&parsed, "Peer", "AllowedIPs"), "0.0.0.0/0, ::/0");
    assert_eq!(wg_value(&parsed, "Peer", "PersistentKeepalive"), "25");
    assert!(r
        .header("cache-control")
        .is_some_and(|c| c.contains("no-store")));

    // wg(8) agrees, when wireguard-tools is installed (scripts/test installs it).
    if have("wg") {
        use std::io::Write;
        let mut child = std::process::Command::new("wg")
            .arg("pubkey")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{private}\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), public);
    } else {
        eprintln!("wg not installed: skipping the wg pubkey check");
    }
    if have("wg-quick") {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("wg0.conf");
        std::fs::write(&file, &r.body).unwrap();
        let out = std::process::Command::new("wg-quick")
            .arg("strip")
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "wg-quick strip: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stripped = String::from_utf8_lossy(&out.stdout);
        assert!(
            stripped.contains(&format!("PrivateKey = {private}")),
            "{stripped}"
        );
        assert!(
            !stripped.contains("Address") && !stripped.contains("DNS"),
            "{stripped}"
        );
    } else {
        eprintln!("wg-quick not installed: skipping the wg-quick strip check");
    }

    // A password, too, for the files check.
    let l2 = create(
        &s,
        &token,
        json!({"name": "nasrin-l2tp", "protocol": "l2tp", "customer_id": c,
               "username": "nasrin", "password": "Very-Secret-L2tp-Pw"}),
    );
    let l2_id = l2["id"].as_i64().unwrap();
    // Neither the JSON views nor the database files hold the secrets in clear.
    for path in [
        "/api/v2/vpn/accounts".to_string(),
        format!("/api/v2/vpn/accounts/{id}"),
        format!("/api/v2/vpn/accounts/{l2_id}"),
    ] {
        let body = s.call("GET", &path, &token, None).body;
        assert!(!body.contains(&private) && !body.contains("Very-Secret-L2tp-Pw"));
    }
    s.state
        .db
        .write(move |tx| {
            tx.execute_batch("SELECT 1")?;
            Ok(())
        })
        .unwrap();
    let raw_private = STANDARD.decode(&private).unwrap();
    for file in ["ispbills.db", "ispbills.db-wal"] {
        let bytes = std::fs::read(s.data_dir().join(file)).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&private), "{file} holds the private key");
        assert!(
            !bytes.windows(32).any(|w| w == raw_private.as_slice()),
            "{file} holds the raw private key"
        );
        assert!(
            !text.contains("Very-Secret-L2tp-Pw"),
            "{file} holds the password"
        );
    }
}

#[test]
fn openvpn_profile_and_l2tp_sheet() {
    let s = configured();
    let token = s.v2_admin_token();
    let c = customer(&s, &token, "Selim", "01744444444");
    let ov = create(
        &s,
        &token,
        json!({"name": "selim laptop", "protocol": "openvpn", "customer_id": c,
               "username": "selim", "password": "ovpn pw"}),
    );
    let r = s.call(
        "GET",
        &format!("/api/v2/vpn/accounts/{}/config", ov["id"]),
        &token,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.header("content-type"),
        Some("application/x-openvpn-profile")
    );
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"selim_laptop.ovpn\"")
    );
    let lines: Vec<&str> = r.body.lines().collect();
    for want in [
        "client",
        "dev tun",
        "proto udp",
        "remote vpn.example.net 1194",
        "resolv-retry infinite",
        "nobind",
        "persist-key",
        "persist-tun",
        "remote-cert-tls server",
        "cipher AES-256-GCM",
        "auth-user-pass",
        "auth SHA256",
        "<ca>",
        "-----BEGIN CERTIFICATE-----",
        "-----END CERTIFICATE-----",
        "</ca>",
    ] {
        assert!(lines.contains(&want), "no `{want}` in\n{}", r.body);
    }
    let ca_start = lines.iter().position(|l| *l == "<ca>").unwrap();
    assert_eq!(lines[ca_start + 1], "-----BEGIN CERTIFICATE-----");
    assert_eq!(lines.last(), Some(&"</ca>"));
    assert!(
        !r.body.contains("ovpn pw"),
        "the password is typed by the user"
    );

    // Without a username there is no auth-user-pass.
    let plain = create(
        &s,
        &token,
        json!({"name": "selim-cert", "protocol": "openvpn", "customer_id": c}),
    );
    let r = s.call(
        "GET",
        &format!("/api/v2/vpn/accounts/{}/config", plain["id"]),
        &token,
        None,
    );
    assert!(!r.body.contains("auth-user-pass"), "{}", r.body);

    let l2 = create(
        &s,
        &token,
        json!({"name": "selim/l2tp", "protocol": "l2tp", "customer_id": c,
               "username": "selim", "password": "l2tp \"pw\" $1"}),
    );
    let r = s.call(
        "GET",
        &format!("/api/v2/vpn/accounts/{}/config", l2["id"]),
        &token,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"selim_l2tp-l2tp.txt\"")
    );
    for want in [
        "Server:          l2tp.example.net",
        "Username:        selim",
        "Password:        l2tp \"pw\" $1",
        &format!("Pre-shared key:  {PSK}"),
        "Windows",
        "Android",
        "/interface l2tp-client add",
        "password=\"l2tp \\\"pw\\\" \\$1\"",
        &format!("ipsec-secret=\"{PSK}\""),
    ] {
        assert!(r.body.contains(want), "no `{want}` in\n{}", r.body);
    }
}

#[test]
fn unconfigured_servers_and_disabled_accounts_say_what_to_change() {
    let s = TestServer::start();
    let token = s.v2_admin_token();
    let c = customer(&s, &token, "Jamal", "01755555555");
    for (body, keys) in [
        (
            json!({"name": "j-wg", "protocol": "wireguard", "customer_id": c, "addresses": "10.66.0.6"}),
            vec!["vpn.wireguard.endpoint", "vpn.wireguard.server_public_key"],
        ),
        (
            json!({"name": "j-ovpn", "protocol": "openvpn", "customer_id": c}),
            vec!["vpn.openvpn.remote", "vpn.openvpn.ca"],
        ),
        (
            json!({"name": "j-l2tp", "protocol": "l2tp", "customer_id": c,
                   "username": "j", "password": "p"}),
            vec!["vpn.l2tp.server", "vpn.l2tp.psk"],
        ),
    ] {
        let acct = create(&s, &token, body);
        let r = s.call(
            "GET",
            &format!("/api/v2/vpn/accounts/{}/config", acct["id"]),
            &token,
            None,
        );
        let err = r.assert_error(409, "CONFLICT");
        let msg = err["message"].as_str().unwrap();
        for key in keys {
            assert!(msg.contains(key), "{msg}");
        }
    }

    // A CA given as a file path is read at download time; a missing file is named.
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    let ca_path = ca_file.to_string_lossy().to_string();
    let s2 = TestServer::start_with(
        {
            let ca_path = ca_path.clone();
            move |mut c: Config| {
                c.vpn.openvpn.remote = "vpn.example.net".into();
                c.vpn.openvpn.ca = ca_path;
                c
            }
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    let token2 = s2.v2_admin_token();
    let c2 = customer(&s2, &token2, "Jamal", "01755555555");
    let acct = create(
        &s2,
        &token2,
        json!({"name": "file-ca", "protocol": "openvpn", "customer_id": c2}),
    );
    let path = format!("/api/v2/vpn/accounts/{}/config", acct["id"]);
    let err = s2
        .call("GET", &path, &token2, None)
        .assert_error(409, "CONFLICT");
    assert!(
        err["message"].as_str().unwrap().contains("vpn.openvpn.ca")
            && err["message"].as_str().unwrap().contains(&ca_path),
        "{err}"
    );
    let pem = ca_pem();
    std::fs::write(&ca_file, &pem).unwrap();
    let r = s2.call("GET", &path, &token2, None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains(pem.trim()), "{}", r.body);

    // A disabled account: 409 until it is enabled again.
    let id = acct["id"].as_i64().unwrap();
    s2.call(
        "PUT",
        &format!("/api/v2/vpn/accounts/{id}"),
        &token2,
        Some(json!({"enabled": false})),
    );
    let err = s2
        .call("GET", &path, &token2, None)
        .assert_error(409, "CONFLICT");
    assert!(
        err["message"].as_str().unwrap().contains("disabled"),
        "{err}"
    );
}

#[test]
fn v1_finds_accounts_by_id_or_name() {
    let s = configured();
    let token = s.v2_admin_token();
    let v1 = s.login_admin_v1();
    let r = router(&s, &token);
    let acct = create(
        &s,
        &token,
        json!({"name": "Branch-Office", "protocol": "wireguard", "router_id": r,
               "addresses": "10.66.1.1/32"}),
    );
    let id = acct["id"].as_i64().unwrap();
    // A name made of digits is found when no account has that id.
    let digits = create(
        &s,
        &token,
        json!({"name": "4711", "protocol": "wireguard", "router_id": r,
               "addresses": "10.66.1.2/32"}),
    );
    let by_id = s.call(
        "GET",
        &format!("/api/v1/vpn/accounts/{id}/config"),
        &v1,
        None,
    );
    assert_eq!(by_id.status, 200, "{}", by_id.body);
    let by_name = s.call(
        "GET",
        "/api/v1/vpn/accounts/branch-office/config",
        &v1,
        None,
    );
    assert_eq!(by_name.status, 200, "{}", by_name.body);
    assert_eq!(by_id.body, by_name.body);
    assert_eq!(
        by_id.header("content-disposition"),
        Some("attachment; filename=\"Branch-Office.conf\"")
    );
    let one = s.call("GET", "/api/v1/vpn/accounts/Branch-Office", &v1, None);
    assert_eq!(one.json()["data"]["id"], id);
    let one = s.call("GET", "/api/v1/vpn/accounts/4711", &v1, None);
    assert_eq!(one.json()["data"]["id"], digits["id"]);
    s.call("GET", "/api/v1/vpn/accounts/nope/config", &v1, None)
        .assert_error(404, "NOT_FOUND");
    s.call("GET", "/api/v1/vpn/accounts/9999", &v1, None)
        .assert_error(404, "NOT_FOUND");
}

fn operator(s: &TestServer, admin: &str, name: &str, email: &str) -> (i64, String) {
    let r = s.call(
        "POST",
        "/api/v1/operators",
        admin,
        Some(json!({"name": name, "phone": "+8801711000000"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["data"]["id"].as_i64().unwrap();
    s.create_staff_of(email, Role::OperatorStaff, "reseller password 1", Some(id));
    let token = s.login(email, "reseller password 1").json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    (id, token)
}

#[test]
fn resellers_staff_see_only_their_customers_accounts() {
    let s = configured();
    let admin_v1 = s.login_admin_v1();
    let token = s.v2_admin_token();
    let (_, m) = operator(&s, &admin_v1, "Mirpur Net", "staff@mirpur.example");
    let (_, u) = operator(&s, &admin_v1, "Uttara Link", "staff@uttara.example");
    let mk_customer = |tok: &str, name: &str| {
        let r = s.call(
            "POST",
            "/api/v1/customers",
            tok,
            Some(json!({"name": name, "phone": "01712345678"})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()["data"]["id"].as_i64().unwrap()
    };
    let mc = mk_customer(&m, "Mirpur customer");
    let uc = mk_customer(&u, "Uttara customer");
    let mine = create(
        &s,
        &token,
        json!({"name": "mirpur-1", "protocol": "wireguard", "customer_id": mc, "addresses": "10.66.2.1"}),
    );
    let theirs = create(
        &s,
        &token,
        json!({"name": "uttara-1", "protocol": "wireguard", "customer_id": uc, "addresses": "10.66.2.2"}),
    );
    let rt = router(&s, &token);
    let routers = create(
        &s,
        &token,
        json!({"name": "core-link", "protocol": "wireguard", "router_id": rt, "addresses": "10.66.2.3"}),
    );

    let list = s.call("GET", "/api/v1/vpn/accounts", &m, None);
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.json()["meta"]["total"], 1);
    assert_eq!(list.json()["data"][0]["id"], mine["id"]);
    assert_eq!(
        s.call(
            "GET",
            &format!("/api/v1/vpn/accounts/{}/config", mine["id"]),
            &m,
            None
        )
        .status,
        200
    );
    for other in [&theirs, &routers] {
        for path in [
            format!("/api/v1/vpn/accounts/{}", other["id"]),
            format!("/api/v1/vpn/accounts/{}/config", other["id"]),
            format!(
                "/api/v1/vpn/accounts/{}/config",
                other["name"].as_str().unwrap()
            ),
        ] {
            s.call("GET", &path, &m, None)
                .assert_error(404, "NOT_FOUND");
        }
    }
    // Resellers' staff do not change VPN accounts.
    let r = s.call(
        "POST",
        "/api/v2/vpn/accounts",
        &m,
        Some(json!({"name": "x", "protocol": "openvpn", "customer_id": mc})),
    );
    assert!(matches!(r.status, 401 | 403), "{}", r.body);
    assert_eq!(
        s.call("GET", "/api/v1/vpn/accounts", &admin_v1, None)
            .json()["meta"]["total"],
        3
    );
}
