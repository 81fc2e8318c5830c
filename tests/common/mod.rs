//! Test harness: the real server, in-process, on an ephemeral port, with a fresh
//! data directory; a blocking HTTP client; and helpers to run the real binary.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    sync::Arc,
};

use ispbills::{
    app::AppState,
    clock::{Clock, SystemClock},
    config::Config,
    server::{self, RunningServer},
};
use poem::{endpoint::BoxEndpoint, EndpointExt, Response};
use tempfile::TempDir;

/// A running server with its own data directory and runtime.
pub struct TestServer {
    pub base: String,
    pub dir: TempDir,
    pub state: AppState,
    server: Option<RunningServer>,
    runtime: tokio::runtime::Runtime,
}

/// A config for tests: temp data dir, port 0.
pub fn test_config(dir: &Path) -> Config {
    let mut config = Config {
        data_dir: dir.to_path_buf(),
        ..Config::default()
    };
    config.server.listen = "127.0.0.1:0".parse().unwrap();
    config.server.shutdown_grace_secs = 5;
    config
}

impl TestServer {
    /// The real application.
    pub fn start() -> Self {
        Self::start_with(
            |config| config,
            |state| ispbills::app::routes(state).boxed(),
        )
    }

    /// A server whose config and application the test chooses.
    pub fn start_with(
        tweak: impl FnOnce(Config) -> Config,
        build: impl FnOnce(AppState) -> BoxEndpoint<'static, Response>,
    ) -> Self {
        let dir = TempDir::new().unwrap();
        let config = tweak(test_config(dir.path()));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let server = runtime
            .block_on(server::start_with(config, clock, build))
            .unwrap();
        Self {
            base: format!("http://{}", server.addr),
            state: server.state.clone(),
            dir,
            server: Some(server),
            runtime,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn get(&self, path: &str) -> Reply {
        request("GET", &self.url(path), &[], None)
    }

    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Reply {
        request(method, &self.url(path), headers, body)
    }

    /// POSTs a JSON text as is (it may be malformed on purpose).
    pub fn post_json(&self, path: &str, json: &str) -> Reply {
        self.send(
            "POST",
            path,
            &[("content-type", "application/json")],
            Some(json.as_bytes()),
        )
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            let _ = self.runtime.block_on(server.stop());
        }
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts the status and the envelope's code; returns the `error` object.
    pub fn assert_error(&self, status: u16, code: &str) -> serde_json::Value {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert!(
            self.header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "{:?}",
            self.headers
        );
        let body = self.json();
        let obj = body.as_object().expect("object");
        assert_eq!(obj.len(), 1, "only `error` at the top: {body}");
        let err = body["error"].clone();
        let keys: Vec<_> = err.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["code", "message", "details"], "{body}");
        assert_eq!(err["code"], code, "{body}");
        assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(err["details"].is_object());
        err
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// One HTTP request with the blocking client.
pub fn request(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Reply {
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let agent = agent();
    let resp = match body {
        Some(b) => agent.run(builder.body(b.to_vec()).unwrap()),
        None => agent.run(builder.body(()).unwrap()),
    }
    .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = resp
        .into_body()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .unwrap_or_default();
    Reply {
        status,
        headers,
        body,
    }
}

/// The built `ispbills` binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ispbills"))
}

/// A command for the binary with a clean environment: no ISPBILLS_* from the
/// caller, an empty config file (so a system-wide /etc/ispbills/config.toml on
/// the test machine is never read), and `<root>/data` as the data directory.
pub fn ispbills(root: &Path) -> Command {
    let mut cmd = Command::new(bin());
    for (k, _) in std::env::vars() {
        if k.starts_with("ISPBILLS_") {
            cmd.env_remove(k);
        }
    }
    let empty = root.join("empty-config.toml");
    if !empty.exists() {
        std::fs::write(&empty, "").unwrap();
    }
    cmd.env("ISPBILLS_CONFIG", &empty);
    cmd.env("ISPBILLS_DATA_DIR", root.join("data"));
    cmd
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
