//! Test harness: the real server, in-process, on an ephemeral port, with a fresh
//! data directory; a blocking HTTP client; and helpers to run the real binary.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod bkash_sim;
pub mod panel;
pub mod pay_fixtures;
pub mod process;
pub mod receiver;
pub mod snmpsim;
pub mod sslcommerz_sim;
pub mod zabbix_sim;

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    sync::Arc,
};

use ispbills::{
    auth::{
        clients::{ApiClient, Credentials, NewClient},
        principal::Tier,
        scope::ScopeSet,
        tokens::ApiVersion,
    },
    clock::{Clock, SystemClock},
    config::Config,
    domain::staff::Role,
    server::{self, RunningServer},
    state::AppState,
    store::staff_users,
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

/// The engine the suite runs on, as `/health` names it: `postgresql` when
/// `ISPBILLS_TEST_DATABASE_URL` names a server, else `sqlite`.
#[allow(dead_code)]
pub fn engine_under_test() -> &'static str {
    match std::env::var(ispbills::store::test_database::TEST_DATABASE_URL) {
        Ok(url) if !url.trim().is_empty() => "postgresql",
        _ => "sqlite",
    }
}

/// A config for tests: temp data dir, port 0.
pub fn test_config(dir: &Path) -> Config {
    let mut config = Config {
        data_dir: dir.to_path_buf(),
        ..Config::default()
    };
    config.server.listen = "127.0.0.1:0".parse().unwrap();
    config.server.shutdown_grace_secs = 5;
    // The device simulators, the Zabbix stand-in and the SMS gateway stand-in
    // listen on loopback; tests of the address policy turn this off.
    config.network.allow_loopback = true;
    // A fresh PostgreSQL database when the run names a server for them
    // (ISPBILLS_TEST_DATABASE_URL); the SQLite file in `dir` otherwise.
    config.database.url = ispbills::store::test_database::url_for(dir).unwrap();
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
        Self::start_full(tweak, Arc::new(SystemClock), build)
    }

    /// The real application on a clock the test controls.
    pub fn start_on(clock: Arc<dyn Clock>) -> Self {
        Self::start_full(|c| c, clock, |state| ispbills::app::routes(state).boxed())
    }

    pub fn start_full(
        tweak: impl FnOnce(Config) -> Config,
        clock: Arc<dyn Clock>,
        build: impl FnOnce(AppState) -> BoxEndpoint<'static, Response>,
    ) -> Self {
        let dir = TempDir::new().unwrap();
        let config = tweak(test_config(dir.path()));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
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

    /// Stops the server (as SIGTERM would) and hands back its data directory.
    pub fn stop(mut self) -> TempDir {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.stop()).unwrap();
        }
        std::mem::replace(&mut self.dir, TempDir::new().unwrap())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The `ispbills` command on this server's data directory and database.
    pub fn cli(&self) -> Command {
        let mut cmd = ispbills(self.data_dir());
        cmd.env("ISPBILLS_DATA_DIR", self.data_dir());
        let url = database_url(self.data_dir());
        if !url.is_empty() {
            cmd.env("ISPBILLS_DATABASE__URL", url);
        }
        cmd
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

    /// A request with a bearer token.
    pub fn get_auth(&self, path: &str, token: &str) -> Reply {
        let auth = format!("Bearer {token}");
        self.send("GET", path, &[("authorization", auth.as_str())], None)
    }

    /// Creates a staff user directly in the store.
    pub fn create_staff(&self, email: &str, role: Role, password: &str) -> i64 {
        self.create_staff_of(email, role, password, None)
    }

    /// Creates a staff user bound to `operator_id` (a reseller's staff).
    pub fn create_staff_of(
        &self,
        email: &str,
        role: Role,
        password: &str,
        operator_id: Option<i64>,
    ) -> i64 {
        let hash = ispbills::auth::password::hash(password).unwrap();
        let now = self.state.clock.now();
        let (email, hash) = (email.to_string(), hash);
        self.state
            .db
            .write(move |tx| {
                staff_users::create(
                    tx,
                    &staff_users::NewStaffUser {
                        email: &email,
                        name: "Test User",
                        role,
                        password_hash: &hash,
                        operator_id,
                    },
                    now,
                )
            })
            .unwrap()
            .id
    }

    /// Creates an API client; returns it and its credentials.
    pub fn create_client(
        &self,
        api: ApiVersion,
        scopes: &str,
        tier: Tier,
    ) -> (ApiClient, Credentials) {
        self.state
            .auth
            .create_client(
                &NewClient {
                    name: "Test client".into(),
                    api,
                    scopes: if scopes == "*" {
                        ScopeSet::all()
                    } else {
                        ScopeSet::parse(scopes).unwrap()
                    },
                    tier,
                },
                &ispbills::store::audit::Who::job("test"),
            )
            .unwrap()
    }

    /// A v2 client with `scopes` and a fresh token for it.
    pub fn v2_client_token(&self, scopes: &str, tier: Tier) -> (ApiClient, String, String, String) {
        let (client, creds) = self.create_client(ApiVersion::V2, scopes, tier);
        let Credentials::V2 {
            client_id,
            client_secret,
        } = creds
        else {
            panic!()
        };
        let token = self.v2_token(&client_id, &client_secret);
        (client, client_id, client_secret, token)
    }

    /// `POST /api/v2/auth/token` with JSON; panics unless 200.
    pub fn v2_token(&self, client_id: &str, client_secret: &str) -> String {
        let r = self.post_json(
            "/api/v2/auth/token",
            &serde_json::json!({"client_id": client_id, "client_secret": client_secret})
                .to_string(),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["access_token"].as_str().unwrap().to_string()
    }

    /// `POST /api/auth/login`; the raw reply.
    pub fn login(&self, email: &str, password: &str) -> Reply {
        self.post_json(
            "/api/auth/login",
            &serde_json::json!({"email": email, "password": password}).to_string(),
        )
    }

    /// Waits (up to 5 s) until the request log accounts for at least `n`
    /// requests (a counted row of rejected requests stands for its `count`).
    pub fn wait_for_log_rows(&self, n: i64) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let rows: i64 = self
                .state
                .db
                .read(|c| {
                    Ok(c.query_row(
                        "SELECT COALESCE(SUM(COALESCE(count, 1)), 0) FROM api_request_log",
                        [],
                        |r| r.get(0),
                    )?)
                })
                .unwrap();
            if rows >= n {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "request log has {rows} rows, want {n}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// A request with a bearer token and an optional JSON body.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> Reply {
        let auth = format!("Bearer {token}");
        let text = body.map(|b| b.to_string());
        let mut headers = vec![("authorization", auth.as_str())];
        if text.is_some() {
            headers.push(("content-type", "application/json"));
        }
        self.send(method, path, &headers, text.as_deref().map(str::as_bytes))
    }

    /// Creates (once) an admin and returns a v1 token for it.
    pub fn login_admin_v1(&self) -> String {
        let email = "v1admin@example.com";
        let password = "v1 admin password";
        let r = self.login(email, password);
        let r = if r.status == 200 {
            r
        } else {
            self.create_staff(email, Role::Admin, password);
            self.login(email, password)
        };
        r.json()["access_token"].as_str().unwrap().to_string()
    }

    /// A v2 token with every scope.
    pub fn v2_admin_token(&self) -> String {
        self.v2_client_token("*", Tier::HighVolume).3
    }

    /// Creates a package directly in the store; returns its id.
    pub fn create_package(&self, name: &str, price_major: i64) -> i64 {
        let now = ispbills::clock::format_timestamp(self.state.clock.now());
        let name = name.to_string();
        self.state
            .db
            .write(move |tx| {
                ispbills::store::packages::create(
                    tx,
                    &ispbills::store::packages::PackageFields {
                        name,
                        price: ispbills::domain::money::Money(price_major * 100),
                        currency: "BDT".into(),
                        speed_down_kbps: 51_200,
                        speed_up_kbps: 51_200,
                        billing_cycle: "monthly".into(),
                        validity_days: 30,
                        router_profile: None,
                        wholesale_price: None,
                    },
                    &now,
                )
            })
            .unwrap()
            .id
    }

    /// Rows of the outbox, oldest first: (type, payload).
    pub fn events(&self) -> Vec<(String, serde_json::Value)> {
        self.state
            .db
            .read(|c| ispbills::store::events::after(c, 0, 10_000))
            .unwrap()
            .into_iter()
            .map(|e| (e.kind, e.payload))
            .collect()
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
/// the test machine is never read), and `<root>/data` as the data directory,
/// on the embedded SQLite database (a test on a server's PostgreSQL database
/// sets `ISPBILLS_DATABASE__URL` to [`database_url`]).
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

/// The `[database] url` of the test whose data directory is `dir` (empty:
/// SQLite; see `ispbills::store::test_database::url_for`).
pub fn database_url(dir: &Path) -> String {
    ispbills::store::test_database::url_for(dir).unwrap()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
