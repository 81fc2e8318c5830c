//! First run: the panel creates the first admin only with the setup code from
//! the server log / `ispbills admin setup-code`, only once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{ispbills, stdout, TestServer};
use serde_json::json;

fn post(s: &TestServer, body: serde_json::Value) -> common::Reply {
    s.post_json("/admin/api/setup", &body.to_string())
}

#[test]
fn the_first_admin_needs_the_setup_code_and_is_created_once() {
    let s = TestServer::start();
    let state = s.get("/admin/api/setup");
    assert_eq!(state.json()["setup_required"], true);
    let code = std::fs::read_to_string(s.data_dir().join("setup-code")).unwrap();
    assert_eq!(code.len(), 14, "{code}");
    let body = |code: &str, password: &str| {
        json!({"setup_code": code, "email": "owner@isp.example", "name": "Owner",
               "password": password})
    };
    // Reaching the port is not enough.
    post(&s, body("AAAA-BBBB-CCCC", "a long enough password")).assert_error(403, "FORBIDDEN");
    post(&s, body(&code, "short")).assert_error(422, "VALIDATION_ERROR");
    let r = post(&s, json!({"setup_code": code}));
    let err = r.assert_error(422, "VALIDATION_ERROR");
    for f in ["email", "name", "password"] {
        assert!(err["details"][f].is_array(), "{err}");
    }
    // The code, typed loosely, works.
    let r = post(
        &s,
        body(
            &code.to_lowercase().replace('-', ""),
            "a long enough password",
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["user"]["role"], "admin");
    let cookie = r.header("set-cookie").unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_string();
    let me = s.send(
        "GET",
        "/admin/api/session",
        &[("cookie", session.as_str())],
        None,
    );
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["user"]["email"], "owner@isp.example");
    // Once only; the code is gone.
    assert_eq!(s.get("/admin/api/setup").json()["setup_required"], false);
    post(&s, body(&code, "another long password")).assert_error(409, "CONFLICT");
    assert!(!s.data_dir().join("setup-code").exists());
    // The admin logs in normally.
    let r = s.post_json(
        "/admin/api/session",
        &json!({"email": "owner@isp.example", "password": "a long enough password"}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn wrong_codes_are_throttled() {
    let s = TestServer::start();
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(
            post(
                &s,
                json!({"setup_code": "AAAA-BBBB-CCCC", "email": "a@b.example", "name": "A",
                       "password": "a long enough password"}),
            )
            .status,
        );
    }
    assert_eq!(statuses[0], 403);
    assert_eq!(*statuses.last().unwrap(), 429, "{statuses:?}");
}

#[test]
fn the_cli_prints_the_same_code_until_an_admin_exists() {
    let root = tempfile::TempDir::new().unwrap();
    let out = ispbills(root.path())
        .args(["admin", "setup-code"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let code = stdout(&out).trim().to_string();
    assert_eq!(code.len(), 14);
    let again = ispbills(root.path())
        .args(["admin", "setup-code"])
        .output()
        .unwrap();
    assert_eq!(stdout(&again).trim(), code);
    assert_eq!(
        std::fs::read_to_string(root.path().join("data/setup-code")).unwrap(),
        code
    );
    let created = ispbills(root.path())
        .args([
            "admin",
            "create",
            "--email",
            "a@b.example",
            "--name",
            "A",
            "--password",
            "a long enough password",
        ])
        .output()
        .unwrap();
    assert!(created.status.success());
    let after = ispbills(root.path())
        .args(["admin", "setup-code"])
        .output()
        .unwrap();
    assert!(!after.status.success());
}
