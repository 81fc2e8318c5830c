//! Browser hardening: the security headers on every surface (panel, its JSON
//! endpoints, the API, the docs page with its own policy, health, metrics), the
//! session cookie's `Secure` (by `public_url`, or a trusted proxy's
//! `X-Forwarded-Proto`), and `/metrics` behind a `metrics:read` token.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine;
use common::{panel, Reply, TestServer};
use ispbills::{auth::principal::Tier, domain::staff::Role};
use poem::EndpointExt;
use serde_json::json;
use sha2::{Digest, Sha256};

fn assert_hardened(r: &Reply, what: &str) {
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(r.header("x-frame-options"), Some("DENY"), "{what}");
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{what}");
    let csp = r
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP"));
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("default-src 'none'"), "{what}: {csp}");
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .unwrap_or_else(|| panic!("{what}: no script-src in {csp}"));
    assert!(!script_src.contains("unsafe-inline"), "{what}: {csp}");
    assert!(!script_src.contains("unsafe-eval"), "{what}: {csp}");
}

#[test]
fn every_surface_carries_the_security_headers() {
    let s = TestServer::start();
    s.create_staff("admin@example.com", Role::Admin, "correct horse battery");
    let p = panel::log_in(&s, "admin@example.com");
    let panel_csp = "default-src 'none'; script-src 'self'; style-src 'self'";
    for (path, status) in [
        ("/", 200),
        ("/app.js", 200),
        ("/js/ui.js", 200),
        ("/style.css", 200),
        ("/health", 200),
        ("/no/such/page", 404),
        ("/api/v2/packages", 401),
        ("/api/v1/customers", 401),
        ("/admin/api/session", 401),
        ("/metrics", 401),
        ("/docs/api/openapi.json", 200),
    ] {
        let r = s.get(path);
        assert_eq!(r.status, status, "{path}: {}", r.body);
        assert_hardened(&r, path);
        let csp = r.header("content-security-policy").unwrap();
        assert!(csp.starts_with(panel_csp), "{path}: {csp}");
    }
    // Logged in, the panel's own endpoints and the API it calls too.
    for path in ["/admin/api/session", "/api/v2/packages"] {
        let r = p.get(path);
        if path.starts_with("/api") {
            let r = p.send("GET", path, None);
            assert_eq!(r.status, 200, "{path}");
            assert_hardened(&r, path);
        } else {
            assert_eq!(r.status, 200, "{path}");
            assert_hardened(&r, path);
        }
    }
    // The index page itself has no inline script, style or handler that the
    // policy would block.
    let index = s.get("/").body;
    assert!(!index.contains("<script>"), "{index}");
    assert!(!index.contains("style="), "{index}");
    assert!(!index.contains(" onclick="), "{index}");
}

/// Every inline `<script>` body of `html`, as CSP hashes them (a script ends
/// at the first `</script>`, as HTML parsers read it).
fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let (tag, after) = rest[start..].split_once('>').unwrap();
        let (body, next) = after.split_once("</script>").unwrap();
        if !tag.contains(" src=") {
            out.push(
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body.as_bytes())),
            );
        }
        rest = next;
    }
    out
}

#[test]
fn the_docs_page_has_its_own_policy_allowing_exactly_its_inline_scripts() {
    let s = TestServer::start();
    for _ in 0..2 {
        // The second answer comes from the remembered policy.
        let r = s.get("/docs/api");
        assert_eq!(r.status, 200);
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        assert_hardened(&r, "/docs/api");
        let csp = r.header("content-security-policy").unwrap();
        let hashes = inline_script_hashes(&r.body);
        assert_eq!(
            hashes.len(),
            2,
            "Swagger UI's bundle and its start-up script"
        );
        for h in &hashes {
            assert!(csp.contains(&format!("'sha256-{h}'")), "{h} not in {csp}");
        }
        assert!(csp.contains("style-src 'self' 'unsafe-inline'"), "{csp}");
        assert!(r.body.contains("SwaggerUIBundle"));
    }
}

fn login_cookie(s: &TestServer, headers: &[(&str, &str)]) -> String {
    let body =
        json!({"email": "admin@example.com", "password": "correct horse battery"}).to_string();
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    let r = s.send("POST", "/admin/api/session", &all, Some(body.as_bytes()));
    assert_eq!(r.status, 200, "{}", r.body);
    r.header("set-cookie").unwrap().to_string()
}

#[test]
fn the_session_cookie_is_secure_when_the_panel_is_reached_over_https() {
    // Plain HTTP on the LAN: no Secure (the browser would drop the cookie).
    let s = TestServer::start();
    s.create_staff("admin@example.com", Role::Admin, "correct horse battery");
    let cookie = login_cookie(&s, &[]);
    assert!(!cookie.contains("Secure"), "{cookie}");
    // A proxy that is not trusted cannot switch it on.
    let cookie = login_cookie(&s, &[("x-forwarded-proto", "https")]);
    assert!(!cookie.contains("Secure"), "{cookie}");

    // public_url https: always Secure, on login and logout.
    let s = TestServer::start_with(
        |mut c| {
            c.server.public_url = "https://billing.example.net".into();
            c
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    s.create_staff("admin@example.com", Role::Admin, "correct horse battery");
    let cookie = login_cookie(&s, &[]);
    assert!(cookie.contains("; Secure"), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    let p = panel::log_in(&s, "admin@example.com");
    let out = p.send("DELETE", "/admin/api/session", None);
    assert_eq!(out.status, 204);
    assert!(out.header("set-cookie").unwrap().contains("; Secure"));

    // A trusted proxy saying https: Secure; the same proxy saying http: not.
    let s = TestServer::start_with(
        |mut c| {
            c.server.trusted_proxies = vec!["127.0.0.0/8".into()];
            c
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    s.create_staff("admin@example.com", Role::Admin, "correct horse battery");
    let cookie = login_cookie(&s, &[("x-forwarded-proto", "https")]);
    assert!(cookie.contains("; Secure"), "{cookie}");
    let cookie = login_cookie(&s, &[("x-forwarded-proto", "http")]);
    assert!(!cookie.contains("Secure"), "{cookie}");
}

#[test]
fn public_url_and_trusted_proxies_are_checked() {
    let dir = tempfile::TempDir::new().unwrap();
    for (text, key) in [
        (
            "[server]\npublic_url = \"billing.example.net\"\n",
            "server.public_url",
        ),
        (
            "[server]\ntrusted_proxies = [\"10.0.0.0/33\"]\n",
            "server.trusted_proxies",
        ),
    ] {
        let path = dir.path().join("c.toml");
        std::fs::write(&path, text).unwrap();
        let err = ispbills::config::load(Some(&path), &ispbills::config::Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains(key), "{err}");
    }
    let path = dir.path().join("ok.toml");
    std::fs::write(
        &path,
        "[server]\npublic_url = \"https://billing.example.net\"\ntrusted_proxies = [\"10.0.0.1\", \"fd00::/8\"]\n",
    )
    .unwrap();
    let c = ispbills::config::load(Some(&path), &ispbills::config::Overrides::default()).unwrap();
    assert!(c.server.public_https());
}

#[test]
fn metrics_need_a_token_with_metrics_read() {
    let s = TestServer::start();
    // No token: 401 with a challenge, in the envelope.
    let r = s.get("/metrics");
    r.assert_error(401, "UNAUTHENTICATED");
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    // A wrong token: 401.
    s.get_auth("/metrics", "v2_not.a.token")
        .assert_error(401, "UNAUTHENTICATED");
    s.get_auth("/metrics", "garbage")
        .assert_error(401, "UNAUTHENTICATED");
    // A v2 client without the scope: 403.
    let (_, _, _, token) = s.v2_client_token("customers:read", Tier::Standard);
    let r = s.get_auth("/metrics", &token);
    r.assert_error(403, "FORBIDDEN");
    assert!(r.body.contains("metrics:read"), "{}", r.body);
    // With it: the exposition.
    let (_, _, _, token) = s.v2_client_token("metrics:read", Tier::Standard);
    let r = s.get_auth("/metrics", &token);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("ispbills_http_requests_total"),
        "{}",
        r.body
    );
    // v1 tokens: an admin's (all scopes) works, a support user's does not.
    let admin = s.login_admin_v1();
    assert_eq!(s.get_auth("/metrics", &admin).status, 200);
    s.create_staff("support@example.com", Role::Support, "support password 1");
    let support = s.login("support@example.com", "support password 1").json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    s.get_auth("/metrics", &support)
        .assert_error(403, "FORBIDDEN");
    // A panel session cookie is not a scrape credential.
    s.create_staff("admin@example.com", Role::Admin, "correct horse battery");
    let p = panel::log_in(&s, "admin@example.com");
    p.get("/metrics").assert_error(401, "UNAUTHENTICATED");
}
