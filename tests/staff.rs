//! Staff offboarding: the v2 staff API (administrators only, the last active
//! administrator kept), a disabled user stopped on their very next request
//! (panel session, v1 access token, refresh token), and the `ispbills user ...`
//! and `client rotate|delete` commands taking effect in a running server at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::{io::Write, process::Stdio};

use common::{panel, stderr, stdout, TestServer};
use ispbills::{auth::principal::Tier, domain::staff::Role, jobs::auth_notify};
use serde_json::json;

const PW: &str = "correct horse battery";

fn admin_panel(s: &TestServer) -> panel::Panel<'_> {
    s.create_staff("admin@example.com", Role::Admin, PW);
    panel::log_in(s, "admin@example.com")
}

fn v1_pair(s: &TestServer, email: &str, password: &str) -> (String, String) {
    let r = s.login(email, password);
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    (
        j["access_token"].as_str().unwrap().to_string(),
        j["refresh_token"].as_str().unwrap().to_string(),
    )
}

fn create_operator(s: &TestServer, admin_v1: &str, name: &str) -> i64 {
    let r = s.call(
        "POST",
        "/api/v1/operators",
        admin_v1,
        Some(json!({"name": name})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["data"]["id"].as_i64().unwrap()
}

#[test]
fn an_admin_creates_lists_changes_and_sets_passwords_of_staff() {
    let s = TestServer::start();
    let p = admin_panel(&s);
    let admin_v1 = s.login_admin_v1();
    let op = create_operator(&s, &admin_v1, "Badda Broadband");

    // Every field is checked at once, in the envelope.
    let r = p.send(
        "POST",
        "/api/v2/staff",
        Some(json!({"email": "not-an-email", "name": "", "role": "root", "password": "short"})),
    );
    let e = r.assert_error(422, "VALIDATION_ERROR");
    for field in ["email", "name", "role", "password"] {
        assert!(e["details"][field].is_array(), "{field}: {e}");
    }
    let r = p.send(
        "POST",
        "/api/v2/staff",
        Some(json!({"email": "op@example.com", "name": "Op", "role": "operator", "password": PW})),
    );
    assert!(r.assert_error(422, "VALIDATION_ERROR")["details"]["operator_id"].is_array());
    let r = p.send(
        "POST",
        "/api/v2/staff",
        Some(json!({"email": "s@example.com", "name": "S", "role": "support", "operator_id": op, "password": PW})),
    );
    assert!(r.assert_error(422, "VALIDATION_ERROR")["details"]["operator_id"].is_array());

    // Created: no password in the answer.
    let r = p.send(
        "POST",
        "/api/v2/staff",
        Some(json!({"email": " Karim@Example.com ", "name": "Karim", "role": "support", "password": PW})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let karim = r.json()["data"].clone();
    assert_eq!(karim["email"], "karim@example.com");
    assert_eq!(karim["role"], "support");
    assert_eq!(karim["active"], true);
    assert!(!r.body.contains("password"), "{}", r.body);
    let id = karim["id"].as_i64().unwrap();
    // The same email again: 409.
    let r = p.send(
        "POST",
        "/api/v2/staff",
        Some(
            json!({"email": "karim@example.com", "name": "K2", "role": "support", "password": PW}),
        ),
    );
    r.assert_error(409, "CONFLICT");

    // Listed and retrieved.
    let list = p.send("GET", "/api/v2/staff", None);
    assert_eq!(list.status, 200);
    let emails: Vec<_> = list.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_string())
        .collect();
    assert!(
        emails.contains(&"karim@example.com".to_string()),
        "{emails:?}"
    );
    assert_eq!(list.json()["meta"]["total"], emails.len());
    assert_eq!(
        p.send("GET", &format!("/api/v2/staff/{id}"), None).json()["data"],
        karim
    );
    p.send("GET", "/api/v2/staff/999999", None)
        .assert_error(404, "NOT_FOUND");

    // Made a reseller's staff: needs an existing operator; v1 token sees the new role.
    let r = p.send(
        "PUT",
        &format!("/api/v2/staff/{id}"),
        Some(json!({"role": "operator"})),
    );
    assert!(r.assert_error(422, "VALIDATION_ERROR")["details"]["operator_id"].is_array());
    let r = p.send(
        "PUT",
        &format!("/api/v2/staff/{id}"),
        Some(json!({"role": "operator", "operator_id": 424242})),
    );
    r.assert_error(422, "VALIDATION_ERROR");
    let (karim_token, _) = v1_pair(&s, "karim@example.com", PW);
    assert_eq!(s.get_auth("/api/v1/operators", &karim_token).status, 200);
    let r = p.send(
        "PUT",
        &format!("/api/v2/staff/{id}"),
        Some(json!({"role": "operator", "operator_id": op, "name": "Karim Uddin"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["data"]["role"], "operator_staff");
    assert_eq!(r.json()["data"]["operator_id"], op);
    assert_eq!(r.json()["data"]["name"], "Karim Uddin");
    // Back to support: the binding goes with the role.
    let r = p.send(
        "PUT",
        &format!("/api/v2/staff/{id}"),
        Some(json!({"role": "support"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["data"]["operator_id"], serde_json::Value::Null);
    let r = p.send(
        "PUT",
        &format!("/api/v2/staff/{id}"),
        Some(json!({"active": "no"})),
    );
    assert!(r.assert_error(422, "VALIDATION_ERROR")["details"]["active"].is_array());

    // A new password: the old one and the user's tokens stop.
    let r = p.send(
        "POST",
        &format!("/api/v2/staff/{id}/password"),
        Some(json!({"password": "short"})),
    );
    assert!(r.assert_error(422, "VALIDATION_ERROR")["details"]["password"].is_array());
    let (token, _) = v1_pair(&s, "karim@example.com", PW);
    assert_eq!(s.get_auth("/api/v1/customers", &token).status, 200);
    let r = p.send(
        "POST",
        &format!("/api/v2/staff/{id}/password"),
        Some(json!({"password": "a brand new passphrase"})),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    s.get_auth("/api/v1/customers", &token)
        .assert_error(401, "UNAUTHENTICATED");
    s.login("karim@example.com", PW)
        .assert_error(401, "UNAUTHENTICATED");
    assert_eq!(
        s.login("karim@example.com", "a brand new passphrase")
            .status,
        200
    );
}

#[test]
fn only_administrators_manage_staff() {
    let s = TestServer::start();
    let admin = admin_panel(&s);
    assert_eq!(admin.send("GET", "/api/v2/staff", None).status, 200);
    // No credentials: 401.
    s.get("/api/v2/staff").assert_error(401, "UNAUTHENTICATED");
    // Support and operator staff in the panel: 403 (their roles lack staff:manage).
    s.create_staff("support@example.com", Role::Support, PW);
    s.create_staff_of("op@example.com", Role::OperatorStaff, PW, None);
    for email in ["support@example.com", "op@example.com"] {
        let p = panel::log_in(&s, email);
        p.send("GET", "/api/v2/staff", None)
            .assert_error(403, "FORBIDDEN");
        p.send(
            "POST",
            "/api/v2/staff",
            Some(json!({"email": "x@example.com", "name": "X", "role": "admin", "password": PW})),
        )
        .assert_error(403, "FORBIDDEN");
        p.send("PUT", "/api/v2/staff/1", Some(json!({"role": "admin"})))
            .assert_error(403, "FORBIDDEN");
        let me = p.get("/admin/api/session").json();
        assert!(!me["user"]["scopes"]
            .as_array()
            .unwrap()
            .contains(&json!("staff:manage")));
    }
    // A v2 client without the scope: 403.
    let (_, _, _, token) = s.v2_client_token("customers:read", Tier::Standard);
    let r = s.get_auth("/api/v2/staff", &token);
    r.assert_error(403, "FORBIDDEN");
    assert!(r.body.contains("staff:manage"), "{}", r.body);
    // API clients are refused even with the scope: only administrators.
    let (_, _, _, token) = s.v2_client_token("staff:manage", Tier::Standard);
    s.get_auth("/api/v2/staff", &token)
        .assert_error(403, "FORBIDDEN");
    let r = s.call(
        "POST",
        "/api/v2/staff",
        &token,
        Some(json!({"email": "x@example.com", "name": "X", "role": "admin", "password": PW})),
    );
    r.assert_error(403, "FORBIDDEN");
    // v1 tokens, even an admin's, are for v1 routes.
    let v1 = s.login_admin_v1();
    s.get_auth("/api/v2/staff", &v1)
        .assert_error(401, "UNAUTHENTICATED");
    // Nothing was created by the refused calls.
    let list = admin.send("GET", "/api/v2/staff", None).json();
    assert!(!list.to_string().contains("x@example.com"));
}

#[test]
fn the_last_active_administrator_can_be_neither_disabled_nor_demoted() {
    let s = TestServer::start();
    let p = admin_panel(&s);
    let me = p.get("/admin/api/session").json()["user"]["id"]
        .as_i64()
        .unwrap();
    for change in [json!({"active": false}), json!({"role": "support"})] {
        let r = p.send("PUT", &format!("/api/v2/staff/{me}"), Some(change));
        let e = r.assert_error(409, "CONFLICT");
        assert!(e["message"]
            .as_str()
            .unwrap()
            .contains("last active administrator"));
    }
    // A disabled admin does not count.
    let second = s.create_staff("second@example.com", Role::Admin, PW);
    let r = p.send(
        "PUT",
        &format!("/api/v2/staff/{second}"),
        Some(json!({"active": false})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    p.send(
        "PUT",
        &format!("/api/v2/staff/{me}"),
        Some(json!({"active": false})),
    )
    .assert_error(409, "CONFLICT");
    // With another active admin, the first may step down.
    let r = p.send(
        "PUT",
        &format!("/api/v2/staff/{second}"),
        Some(json!({"active": true})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = p.send(
        "PUT",
        &format!("/api/v2/staff/{me}"),
        Some(json!({"role": "support"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // ...and at once has no business here any more.
    p.send("GET", "/api/v2/staff", None)
        .assert_error(403, "FORBIDDEN");
}

#[test]
fn a_disabled_user_is_stopped_on_their_very_next_request() {
    let s = TestServer::start();
    let admin = admin_panel(&s);
    let id = s.create_staff("leaver@example.com", Role::Support, PW);
    let session = panel::log_in(&s, "leaver@example.com");
    let (access, refresh) = v1_pair(&s, "leaver@example.com", PW);
    let (_, refresh2) = v1_pair(&s, "leaver@example.com", PW);
    // Both work, and the access token is now in the server's cache.
    assert_eq!(session.get("/admin/api/session").status, 200);
    assert_eq!(session.send("GET", "/api/v2/packages", None).status, 200);
    assert_eq!(s.get_auth("/api/v1/customers", &access).status, 200);
    assert_eq!(s.get_auth("/api/v1/customers", &access).status, 200);

    let r = admin.send(
        "PUT",
        &format!("/api/v2/staff/{id}"),
        Some(json!({"active": false})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["data"]["active"], false);

    // The very next request of each kind: refused.
    session
        .get("/admin/api/session")
        .assert_error(401, "UNAUTHENTICATED");
    session
        .send("GET", "/api/v2/packages", None)
        .assert_error(401, "UNAUTHENTICATED");
    s.get_auth("/api/v1/customers", &access)
        .assert_error(401, "UNAUTHENTICATED");
    let r = s.post_json(
        "/api/auth/refresh",
        &json!({"refresh_token": refresh}).to_string(),
    );
    r.assert_error(401, "UNAUTHENTICATED");
    s.login("leaver@example.com", PW)
        .assert_error(401, "UNAUTHENTICATED");

    // Enabled again: they log in afresh; what they held before stays dead.
    let r = admin.send(
        "PUT",
        &format!("/api/v2/staff/{id}"),
        Some(json!({"active": true})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    session
        .get("/admin/api/session")
        .assert_error(401, "UNAUTHENTICATED");
    s.get_auth("/api/v1/customers", &access)
        .assert_error(401, "UNAUTHENTICATED");
    let r = s.post_json(
        "/api/auth/refresh",
        &json!({"refresh_token": refresh2}).to_string(),
    );
    r.assert_error(401, "UNAUTHENTICATED");
    let (fresh, _) = v1_pair(&s, "leaver@example.com", PW);
    assert_eq!(s.get_auth("/api/v1/customers", &fresh).status, 200);
}

#[test]
fn the_auth_socket_makes_the_server_drop_its_token_cache() {
    let s = TestServer::start();
    let before = s.state.auth.cache.epoch();
    assert_eq!(
        auth_notify::notify(s.data_dir()),
        auth_notify::Notified::Done
    );
    assert!(s.state.auth.cache.epoch() > before);
    // Only the server user may connect.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(auth_notify::socket_path(s.data_dir()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // No server: said so, nothing waits.
    let dir = s.stop();
    assert_eq!(
        auth_notify::notify(dir.path()),
        auth_notify::Notified::NoServer
    );
}

/// The real binary on the test server's data directory.
fn run_ok(s: &TestServer, args: &[&str]) -> String {
    let out = s.cli().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    assert!(
        !stderr(&out).contains("did not confirm"),
        "{args:?}: {}",
        stderr(&out)
    );
    stdout(&out)
}

#[test]
fn cli_user_commands_work_on_a_running_server_at_once() {
    let s = TestServer::start();
    s.create_staff("admin@example.com", Role::Admin, PW);
    let admin_v1 = s.login_admin_v1();
    let op = create_operator(&s, &admin_v1, "Gulshan Net");
    s.create_staff("leaver@example.com", Role::Support, PW);
    let session = panel::log_in(&s, "leaver@example.com");
    let (access, refresh) = v1_pair(&s, "leaver@example.com", PW);
    assert_eq!(s.get_auth("/api/v1/customers", &access).status, 200);

    // list, as text and JSON.
    let text = run_ok(&s, &["user", "list"]);
    assert!(
        text.contains("leaver@example.com") && text.contains("support"),
        "{text}"
    );
    let listed: serde_json::Value =
        serde_json::from_str(&run_ok(&s, &["user", "list", "--json"])).unwrap();
    let leaver = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "leaver@example.com")
        .unwrap()
        .clone();
    assert_eq!(leaver["active"], true);
    assert!(!leaver.to_string().contains("password"));

    // disable: the running server refuses the very next request (no waiting).
    let out = run_ok(&s, &["user", "disable", "--email", "Leaver@Example.com"]);
    assert!(out.contains("disabled"), "{out}");
    s.get_auth("/api/v1/customers", &access)
        .assert_error(401, "UNAUTHENTICATED");
    session
        .get("/admin/api/session")
        .assert_error(401, "UNAUTHENTICATED");
    s.post_json(
        "/api/auth/refresh",
        &json!({"refresh_token": refresh}).to_string(),
    )
    .assert_error(401, "UNAUTHENTICATED");
    let listed: serde_json::Value =
        serde_json::from_str(&run_ok(&s, &["user", "list", "--json"])).unwrap();
    assert!(listed.to_string().contains("\"active\":false"));

    // enable, then set-role operator: the v1 token sees the role at once.
    run_ok(&s, &["user", "enable", "--email", "leaver@example.com"]);
    let (access, _) = v1_pair(&s, "leaver@example.com", PW);
    s.call("POST", "/api/v1/customers", &access, Some(json!({})))
        .assert_error(403, "FORBIDDEN");
    let op_arg = op.to_string();
    let out = run_ok(
        &s,
        &[
            "user",
            "set-role",
            "--email",
            "leaver@example.com",
            "--role",
            "operator",
            "--operator-id",
            &op_arg,
        ],
    );
    assert!(out.contains("operator"), "{out}");
    let r = s.call("POST", "/api/v1/customers", &access, Some(json!({})));
    assert_eq!(r.status, 422, "now allowed to write customers: {}", r.body);
    // A role without an operator, an unknown operator, an unknown user: refused.
    for args in [
        vec![
            "user",
            "set-role",
            "--email",
            "leaver@example.com",
            "--role",
            "support",
            "--operator-id",
            "1",
        ],
        vec![
            "user",
            "set-role",
            "--email",
            "leaver@example.com",
            "--role",
            "operator",
            "--operator-id",
            "999",
        ],
        vec![
            "user",
            "set-role",
            "--email",
            "leaver@example.com",
            "--role",
            "root",
        ],
        vec!["user", "disable", "--email", "nobody@example.com"],
    ] {
        let out = s.cli().args(&args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr(&out).starts_with("error: "),
            "{args:?}: {}",
            stderr(&out)
        );
    }

    // set-password from stdin: old password and tokens stop at once.
    let mut child = s
        .cli()
        .args([
            "user",
            "set-password",
            "--email",
            "leaver@example.com",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"another long passphrase\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    s.get_auth("/api/v1/customers", &access)
        .assert_error(401, "UNAUTHENTICATED");
    s.login("leaver@example.com", PW)
        .assert_error(401, "UNAUTHENTICATED");
    assert_eq!(
        s.login("leaver@example.com", "another long passphrase")
            .status,
        200
    );
    let out = s
        .cli()
        .args([
            "user",
            "set-password",
            "--email",
            "leaver@example.com",
            "--password",
            "short",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());

    // The last active admin stays (after the other one is disabled).
    run_ok(&s, &["user", "disable", "--email", "v1admin@example.com"]);
    s.get_auth("/api/v1/customers", &admin_v1)
        .assert_error(401, "UNAUTHENTICATED");
    for args in [
        vec!["user", "disable", "--email", "admin@example.com"],
        vec![
            "user",
            "set-role",
            "--email",
            "admin@example.com",
            "--role",
            "support",
        ],
    ] {
        let out = s.cli().args(&args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr(&out).contains("last active administrator"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn cli_client_rotate_and_delete_stop_old_tokens_at_once() {
    let s = TestServer::start();
    let (client, _, _, token) = s.v2_client_token("customers:read", Tier::Standard);
    assert_eq!(s.get_auth("/api/v2/customers", &token).status, 200);
    assert_eq!(s.get_auth("/api/v2/customers", &token).status, 200);
    let id = client.id.to_string();
    run_ok(&s, &["client", "rotate", &id, "--json"]);
    s.get_auth("/api/v2/customers", &token)
        .assert_error(401, "UNAUTHENTICATED");

    let (client, _, _, token) = s.v2_client_token("customers:read", Tier::Standard);
    assert_eq!(s.get_auth("/api/v2/customers", &token).status, 200);
    run_ok(&s, &["client", "delete", &client.id.to_string()]);
    s.get_auth("/api/v2/customers", &token)
        .assert_error(401, "UNAUTHENTICATED");
}
