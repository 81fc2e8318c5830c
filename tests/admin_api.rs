//! The panel's JSON endpoints: cookie session, CSRF on mutations, admin-only API
//! management (clients with credentials shown once, rotate, delete), the request
//! log, and the shared login throttle.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{panel::log_in, TestServer};
use ispbills::domain::staff::Role;
use serde_json::json;

const PW: &str = "correct horse battery";

#[test]
fn session_login_current_and_logout() {
    let s = TestServer::start();
    s.create_staff("admin@example.com", Role::Admin, PW);
    s.get("/admin/api/session")
        .assert_error(401, "UNAUTHENTICATED");
    let p = log_in(&s, "admin@example.com");
    let me = p.get("/admin/api/session");
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["csrf_token"], p.csrf.as_str());
    assert_eq!(me.json()["user"]["role"], "admin");

    let out = p.send("DELETE", "/admin/api/session", None);
    assert_eq!(out.status, 204, "{}", out.body);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    p.get("/admin/api/session")
        .assert_error(401, "UNAUTHENTICATED");

    s.post_json(
        "/admin/api/session",
        &json!({"email": "admin@example.com", "password": "nope nope nope"}).to_string(),
    )
    .assert_error(401, "UNAUTHENTICATED");
}

#[test]
fn mutations_need_the_csrf_token() {
    let s = TestServer::start();
    s.create_staff("admin@example.com", Role::Admin, PW);
    let p = log_in(&s, "admin@example.com");
    let body = json!({"name": "CRM", "type": "v2"}).to_string();
    for csrf in [None, Some("wrong")] {
        let mut headers = vec![
            ("cookie", p.cookie.as_str()),
            ("content-type", "application/json"),
        ];
        if let Some(c) = csrf {
            headers.push(("x-csrf-token", c));
        }
        s.send(
            "POST",
            "/admin/api/clients",
            &headers,
            Some(body.as_bytes()),
        )
        .assert_error(403, "FORBIDDEN");
    }
    assert_eq!(
        s.state.auth.list_clients().unwrap().len(),
        0,
        "nothing created"
    );
}

#[test]
fn api_management_shows_secrets_once() {
    let s = TestServer::start();
    s.create_staff("admin@example.com", Role::Admin, PW);
    let p = log_in(&s, "admin@example.com");

    let r = p.send(
        "POST",
        "/admin/api/clients",
        Some(json!({"name": "Billing CRM", "type": "v2", "scopes": ["logs:read"], "tier": "high-volume"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let created = r.json();
    let id = created["data"]["id"].as_i64().unwrap();
    let client_id = created["credentials"]["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    let secret = created["credentials"]["client_secret"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(secret.len() >= 43);
    uuid::Uuid::parse_str(&client_id).unwrap();
    assert_eq!(created["data"]["type"], "v2");
    assert_eq!(created["data"]["scopes"], json!(["logs:read"]));
    assert_eq!(created["data"]["tier"], "high-volume");

    let v1 = p.send(
        "POST",
        "/admin/api/clients",
        Some(json!({"name": "Mobile App", "type": "v1"})),
    );
    assert_eq!(v1.status, 201);
    let v1 = v1.json();
    assert!(v1["credentials"]["access_token"].is_string());
    assert!(v1["credentials"]["refresh_token"].is_string());
    assert_eq!(
        v1["data"]["scopes"].as_array().unwrap().len(),
        ispbills::auth::scope::Scope::ALL.len()
    );

    let list = p.get("/admin/api/clients");
    assert_eq!(list.status, 200);
    assert!(!list.body.contains(&secret), "secrets are never listed");
    assert!(!list.body.contains("refresh_token"));
    assert_eq!(list.json()["data"].as_array().unwrap().len(), 2);

    let token = s.v2_token(&client_id, &secret);
    assert_eq!(s.get_auth("/api/v2/logs/api-requests", &token).status, 200);

    // Change the scopes: the next request sees it.
    let r = p.send(
        "PUT",
        &format!("/admin/api/clients/{id}"),
        Some(json!({"scopes": ["customers:read"]})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    s.get_auth("/api/v2/logs/api-requests", &token)
        .assert_error(403, "FORBIDDEN");

    let rotated = p.send("POST", &format!("/admin/api/clients/{id}/rotate"), None);
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    assert_ne!(
        rotated.json()["credentials"]["client_secret"],
        secret.as_str()
    );
    s.get_auth("/api/v2/logs/api-requests", &token)
        .assert_error(401, "UNAUTHENTICATED");

    assert_eq!(
        p.send("DELETE", &format!("/admin/api/clients/{id}"), None)
            .status,
        204
    );
    p.send("DELETE", &format!("/admin/api/clients/{id}"), None)
        .assert_error(404, "NOT_FOUND");
    assert_eq!(
        p.get("/admin/api/clients").json()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let bad = p.send(
        "POST",
        "/admin/api/clients",
        Some(json!({"type": "v3", "scopes": ["nope"], "tier": "gold"})),
    );
    let err = bad.assert_error(422, "VALIDATION_ERROR");
    for field in ["name", "type", "scopes", "tier"] {
        assert!(err["details"][field].is_array(), "{field}: {err}");
    }
}

#[test]
fn the_request_log_is_readable_in_the_panel() {
    let s = TestServer::start();
    s.create_staff("admin@example.com", Role::Admin, PW);
    s.get("/api/v2/missing");
    s.wait_for_log_rows(1);
    let p = log_in(&s, "admin@example.com");
    let r = p.get("/admin/api/request-log?status=404&per_page=5");
    assert_eq!(r.status, 200, "{}", r.body);
    let body = r.json();
    assert_eq!(body["meta"]["total"], 1);
    assert_eq!(body["meta"]["per_page"], 5);
    assert_eq!(body["data"][0]["path"], "/api/v2/missing");
}

#[test]
fn only_admins_manage_api_clients() {
    let s = TestServer::start();
    s.create_staff("support@example.com", Role::Support, PW);
    let p = log_in(&s, "support@example.com");
    p.get("/admin/api/clients").assert_error(403, "FORBIDDEN");
    p.send(
        "POST",
        "/admin/api/clients",
        Some(json!({"name": "x", "type": "v2"})),
    )
    .assert_error(403, "FORBIDDEN");
    p.get("/admin/api/request-log")
        .assert_error(403, "FORBIDDEN");
}

#[test]
fn panel_login_is_throttled_like_the_api_login() {
    let s = TestServer::start();
    s.create_staff("admin@example.com", Role::Admin, PW);
    for _ in 0..5 {
        s.post_json(
            "/admin/api/session",
            &json!({"email": "admin@example.com", "password": "wrong password"}).to_string(),
        )
        .assert_error(401, "UNAUTHENTICATED");
    }
    let r = s.post_json(
        "/admin/api/session",
        &json!({"email": "admin@example.com", "password": PW}).to_string(),
    );
    r.assert_error(429, "RATE_LIMITED");
    assert!(r.header("retry-after").is_some());
    // The API login shares the count.
    s.login("admin@example.com", PW)
        .assert_error(429, "RATE_LIMITED");
}

#[test]
fn webhooks_are_managed_in_the_panel_by_admins_only() {
    let s = TestServer::start();
    s.create_staff("admin@example.com", Role::Admin, PW);
    s.create_staff("support@example.com", Role::Support, PW);
    let p = log_in(&s, "admin@example.com");
    let r = p.send(
        "POST",
        "/admin/api/webhooks",
        Some(json!({"url": "https://hooks.example/in", "events": ["customer.created"]})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["data"]["id"].as_i64().unwrap();
    assert!(r.json()["data"]["secret"]
        .as_str()
        .unwrap()
        .starts_with("whsec_"));
    let list = p.get("/admin/api/webhooks");
    assert_eq!(list.json()["meta"]["total"], 1);
    assert!(!list.body.contains("whsec_"));
    let r = p.send(
        "PUT",
        &format!("/admin/api/webhooks/{id}"),
        Some(json!({"active": false})),
    );
    assert_eq!(r.json()["data"]["active"], false);
    p.send("POST", &format!("/admin/api/webhooks/{id}/test"), None)
        .assert_error(409, "CONFLICT");
    let r = p.send(
        "POST",
        "/admin/api/webhooks",
        Some(json!({"url": "ftp://x", "events": ["nope"]})),
    );
    let err = r.assert_error(422, "VALIDATION_ERROR");
    assert!(err["details"]["url"].is_array() && err["details"]["events"].is_array());
    // Without the CSRF header a change is refused.
    let r = s.send(
        "DELETE",
        &format!("/admin/api/webhooks/{id}"),
        &[("cookie", p.cookie.as_str())],
        None,
    );
    r.assert_error(403, "FORBIDDEN");
    // Support staff cannot manage webhooks.
    let support = log_in(&s, "support@example.com");
    support
        .get("/admin/api/webhooks")
        .assert_error(403, "FORBIDDEN");
    assert_eq!(
        p.send("DELETE", &format!("/admin/api/webhooks/{id}"), None)
            .status,
        204
    );
}
