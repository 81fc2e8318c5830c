//! The real binary as a separate process, for tests that kill it (SIGKILL)
//! and start it again on the same data directory and port.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Stdio},
    time::{Duration, Instant},
};

use serde_json::Value;

use super::{ispbills, request, stdout, Reply};

/// A served process that is killed when dropped, so a test that fails midway
/// leaves no server behind.
pub struct Served(pub Child);

impl std::ops::Deref for Served {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Served {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `ispbills serve` on `port` with extra environment `env`; returns
/// once it prints its docs URL (it is then answering).
pub fn serve(root: &Path, port: u16, env: &[(&str, &str)]) -> Served {
    let mut cmd = ispbills(root);
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        match lines.next() {
            Some(Ok(line)) if line.contains("API docs:") => {
                // Keep draining so the child never blocks on a full pipe.
                std::thread::spawn(move || for _ in lines.by_ref() {});
                return Served(child);
            }
            Some(Ok(_)) => {}
            _ => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

/// A port free now (for a server that must come back on the same one).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One JSON request with a bearer token.
pub fn call(base: &str, method: &str, path: &str, token: &str, body: Value) -> Reply {
    let auth = format!("Bearer {token}");
    let text = body.to_string();
    request(
        method,
        &format!("{base}{path}"),
        &[
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
        ],
        Some(text.as_bytes()),
    )
}

/// A GET with a bearer token.
pub fn get(base: &str, path: &str, token: &str) -> Reply {
    let auth = format!("Bearer {token}");
    request(
        "GET",
        &format!("{base}{path}"),
        &[("authorization", auth.as_str())],
        None,
    )
}

/// A high-volume v2 client made with the CLI (before the server starts) and
/// its token from the running server at `base`.
pub fn v2_client(root: &Path) -> Value {
    let created = ispbills(root)
        .args([
            "client",
            "create",
            "--name",
            "crash",
            "--api",
            "v2",
            "--tier",
            "high-volume",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(created.status.success());
    serde_json::from_str(&stdout(&created)).unwrap()
}

/// A v2 access token for `creds` (from [`v2_client`]).
pub fn v2_token(base: &str, creds: &Value) -> String {
    let reply = request(
        "POST",
        &format!("{base}/api/v2/auth/token"),
        &[("content-type", "application/json")],
        Some(
            serde_json::json!({"client_id": creds["client_id"], "client_secret": creds["client_secret"]})
                .to_string()
                .as_bytes(),
        ),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["access_token"].as_str().unwrap().to_string()
}
