//! The admin panel's side of a test: log in with the cookie session and call
//! with the cookie and the CSRF header, as the panel's JavaScript does.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::json;

use super::{Reply, TestServer};

/// A logged-in panel: its session cookie and CSRF token.
pub struct Panel<'a> {
    pub s: &'a TestServer,
    pub cookie: String,
    pub csrf: String,
}

/// Logs `email` in to the panel with the password the panel tests use.
pub fn log_in<'a>(s: &'a TestServer, email: &str) -> Panel<'a> {
    log_in_with(s, email, "correct horse battery")
}

pub fn log_in_with<'a>(s: &'a TestServer, email: &str, password: &str) -> Panel<'a> {
    let r = s.post_json(
        "/admin/api/session",
        &json!({"email": email, "password": password}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let set_cookie = r.header("set-cookie").unwrap().to_string();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
        assert!(set_cookie.contains(attr), "{set_cookie}");
    }
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let body = r.json();
    assert_eq!(body["user"]["email"], email);
    Panel {
        s,
        cookie,
        csrf: body["csrf_token"].as_str().unwrap().to_string(),
    }
}

impl Panel<'_> {
    pub fn get(&self, path: &str) -> Reply {
        self.s
            .send("GET", path, &[("cookie", self.cookie.as_str())], None)
    }

    pub fn send(&self, method: &str, path: &str, body: Option<serde_json::Value>) -> Reply {
        let text = body.map(|b| b.to_string());
        self.s.send(
            method,
            path,
            &[
                ("cookie", self.cookie.as_str()),
                ("x-csrf-token", self.csrf.as_str()),
                ("content-type", "application/json"),
            ],
            text.as_deref().map(str::as_bytes),
        )
    }
}
