//! The connection layer: idle and slow connections cannot take the server
//! down (cap, eviction of idle connections, header-read and keep-alive
//! timeouts, 503 at the cap), the HTTP parser's own errors carry the envelope,
//! and the data files are private whatever the umask.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpStream},
    os::unix::fs::PermissionsExt,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use common::{bin, TestServer};
use poem::EndpointExt;
use tempfile::TempDir;

/// A token that may scrape `/metrics`.
fn metrics_token(s: &TestServer) -> String {
    s.v2_client_token("metrics:read", ispbills::auth::principal::Tier::Standard)
        .3
}

/// The tests here time connections and open over a thousand sockets: they
/// run one at a time, so that one's load cannot decide another's timing.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn addr_of(s: &TestServer) -> SocketAddr {
    s.base.trim_start_matches("http://").parse().unwrap()
}

fn server_with(tweak: impl FnOnce(&mut ispbills::config::ServerConfig)) -> TestServer {
    TestServer::start_with(
        |mut c| {
            tweak(&mut c.server);
            c
        },
        |state| ispbills::app::routes(state).boxed(),
    )
}

/// An answer read off a raw connection until the server closed it.
#[derive(Debug)]
struct Raw {
    status: u16,
    head: String,
    body: String,
}

impl Raw {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?} {:?}", self.head, self.body))
    }

    fn assert_envelope(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{self:?}");
        let body = self.json();
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{body}"
        );
        assert!(body["error"]["details"].is_object(), "{body}");
        assert!(
            self.head
                .to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{}",
            self.head
        );
    }
}

fn parse(bytes: &[u8]) -> Raw {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no whole answer: {text:?}"));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status: {head:?}"));
    Raw {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// Reads until the server closes (or `limit` passes); a reset after some
/// bytes ends the read too.
fn read_to_close(conn: &mut TcpStream, limit: Duration) -> Vec<u8> {
    conn.set_read_timeout(Some(limit)).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match conn.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("read: {e} after {} bytes", out.len()),
        }
    }
    out
}

/// Sends `request` (from another thread: the server may stop reading part
/// way) and reads the answer until the server closes the connection.
fn exchange(addr: SocketAddr, request: Vec<u8>) -> Raw {
    let mut conn = TcpStream::connect(addr).unwrap();
    let mut writer = conn.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(&request);
    });
    let answer = read_to_close(&mut conn, Duration::from_secs(10));
    sender.join().unwrap();
    parse(&answer)
}

/// One GET with `connection: close`, timed.
fn get(addr: SocketAddr, path: &str) -> (Raw, Duration) {
    let started = Instant::now();
    let mut conn = TcpStream::connect(addr).unwrap();
    conn.write_all(
        format!("GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").as_bytes(),
    )
    .unwrap();
    let answer = read_to_close(&mut conn, Duration::from_secs(10));
    (parse(&answer), started.elapsed())
}

/// Waits until the server closes `conn`; returns how long that took.
fn closed_after(conn: &mut TcpStream, limit: Duration) -> Duration {
    let started = Instant::now();
    conn.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 1024];
    match conn.read(&mut buf) {
        Ok(0) => started.elapsed(),
        Ok(n) => panic!(
            "unexpected {n} bytes: {:?}",
            String::from_utf8_lossy(&buf[..n])
        ),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => started.elapsed(),
        Err(e) => panic!("not closed after {:?}: {e}", started.elapsed()),
    }
}

/// A metric's value, scraped with a `metrics:read` token.
fn metric(addr: SocketAddr, token: &str, name: &str) -> f64 {
    let mut conn = TcpStream::connect(addr).unwrap();
    conn.write_all(
        format!(
            "GET /metrics HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\nconnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .unwrap();
    let r = parse(&read_to_close(&mut conn, Duration::from_secs(10)));
    r.body
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {}", r.body))
}

// ---- the parser's own errors ------------------------------------------------

#[test]
fn http_layer_errors_carry_the_envelope() {
    let _one_at_a_time = serial();
    let s = TestServer::start();
    let addr = addr_of(&s);
    let token = metrics_token(&s);

    let long_uri = format!("/{}", "a".repeat(200_000));
    exchange(
        addr,
        format!("GET {long_uri} HTTP/1.1\r\nhost: x\r\n\r\n").into_bytes(),
    )
    .assert_envelope(414, "URI_TOO_LONG");

    let mut many = String::from("GET /health HTTP/1.1\r\nhost: x\r\n");
    for i in 0..5000 {
        many.push_str(&format!("x-h{i}: v\r\n"));
    }
    many.push_str("\r\n");
    exchange(addr, many.into_bytes()).assert_envelope(431, "HEADERS_TOO_LARGE");

    let big = format!(
        "GET /health HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n",
        "b".repeat(1024 * 1024)
    );
    exchange(addr, big.into_bytes()).assert_envelope(431, "HEADERS_TOO_LARGE");

    for bad in [
        &b"GARBAGE\x01\x02 what\r\n\r\n"[..],
        &b"GET /health HTTP/1.1\r\nhost: x\r\nx-nul: a\0b\r\n\r\n"[..],
        &b"POST /api/auth/login HTTP/1.1\r\nhost: x\r\ncontent-length: abc\r\n\r\n"[..],
        &b"POST /api/auth/login HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello"[..],
    ] {
        let r = exchange(addr, bad.to_vec());
        r.assert_envelope(400, "BAD_REQUEST");
        assert!(
            r.head.to_ascii_lowercase().contains("connection: close"),
            "{r:?}"
        );
    }

    // The server is fine afterwards, and counted them.
    assert_eq!(get(addr, "/health").0.status, 200);
    assert_eq!(
        metric(addr, &token, "ispbills_http_malformed_requests_total"),
        7.0
    );
}

// ---- timeouts ---------------------------------------------------------------

#[test]
fn a_half_sent_request_head_is_closed_after_the_header_timeout() {
    let _one_at_a_time = serial();
    let s = server_with(|c| {
        c.header_read_timeout_secs = 2;
        c.keepalive_timeout_secs = 30;
    });
    let addr = addr_of(&s);
    let token = metrics_token(&s);
    let mut half = TcpStream::connect(addr).unwrap();
    half.write_all(b"GET /health HTTP/1.1\r\nhost: x\r\n")
        .unwrap();
    let mut silent = TcpStream::connect(addr).unwrap();
    // Dribbling bytes does not extend the deadline.
    let mut dribble = TcpStream::connect(addr).unwrap();
    let dribbler = std::thread::spawn(move || {
        for b in b"GET /health HTTP/1.1\r\nx-a: b" {
            if dribble.write_all(&[*b]).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        dribble
    });
    let took = closed_after(&mut half, Duration::from_secs(10));
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(4),
        "{took:?}"
    );
    let took = closed_after(&mut silent, Duration::from_secs(10));
    assert!(took < Duration::from_secs(4), "{took:?}");
    let mut dribble = dribbler.join().unwrap();
    closed_after(&mut dribble, Duration::from_secs(2));
    assert!(metric(addr, &token, "ispbills_http_header_timeouts_total") >= 3.0);
}

#[test]
fn keep_alive_connections_close_when_idle_but_requests_in_flight_are_not_cut() {
    let _one_at_a_time = serial();
    let s = server_with(|c| {
        c.header_read_timeout_secs = 2;
        c.keepalive_timeout_secs = 3;
    });
    let addr = addr_of(&s);
    let token = metrics_token(&s);

    // Keep-alive: two requests a second apart on one connection, then idle.
    let mut conn = TcpStream::connect(addr).unwrap();
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    for _ in 0..2 {
        conn.write_all(b"GET /health HTTP/1.1\r\nhost: x\r\n\r\n")
            .unwrap();
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
        let mut length = 0;
        loop {
            let mut h = String::new();
            reader.read_line(&mut h).unwrap();
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            if h == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        std::thread::sleep(Duration::from_millis(1000));
    }
    let took = closed_after(&mut conn, Duration::from_secs(10));
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(5),
        "{took:?}"
    );
    assert!(metric(addr, &token, "ispbills_http_idle_timeouts_total") >= 1.0);

    // A request whose head arrived is served, however long its body takes
    // (longer than the header timeout here).
    let mut slow = TcpStream::connect(addr).unwrap();
    slow.write_all(
        b"POST /api/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n",
    )
    .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    slow.write_all(b"{}").unwrap();
    let r = parse(&read_to_close(&mut slow, Duration::from_secs(10)));
    assert_eq!(r.status, 422, "{r:?}");
}

// ---- the cap ----------------------------------------------------------------

#[test]
fn at_the_cap_busy_connections_are_kept_and_a_new_one_is_refused_with_503() {
    let _one_at_a_time = serial();
    let s = server_with(|c| c.max_connections = 20);
    let addr = addr_of(&s);
    let token = metrics_token(&s);
    // 20 connections each in the middle of a request (head sent, body not yet).
    let mut busy: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut c = TcpStream::connect(addr).unwrap();
            c.write_all(
                b"POST /api/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n",
            )
            .unwrap();
            c
        })
        .collect();
    // Time for the server to read the 20 heads (then they are busy).
    std::thread::sleep(Duration::from_millis(1000));
    let (r, took) = get(addr, "/health");
    r.assert_envelope(503, "SERVICE_UNAVAILABLE");
    assert!(
        r.head.to_ascii_lowercase().contains("retry-after: 1"),
        "{r:?}"
    );
    assert!(
        r.head.to_ascii_lowercase().contains("connection: close"),
        "{r:?}"
    );
    assert!(took < Duration::from_secs(1), "{took:?}");
    // None of the busy ones was cut.
    for c in &mut busy {
        c.write_all(b"{}").unwrap();
        let r = parse(&read_to_close(c, Duration::from_secs(10)));
        assert_eq!(r.status, 422, "{r:?}");
    }
    let (r, _) = get(addr, "/health");
    assert_eq!(r.status, 200);
    assert!(metric(addr, &token, "ispbills_http_connections_refused_total") >= 1.0);
}

/// The real binary under a soft and hard limit of 1024 open files.
struct Limited {
    child: Child,
    addr: SocketAddr,
    root: TempDir,
    /// A v1 token with `metrics:read`, made with the CLI before the start.
    token: String,
}

impl Limited {
    fn start(config: &str) -> Self {
        let root = TempDir::new().unwrap();
        let cfg = root.path().join("config.toml");
        std::fs::write(&cfg, config).unwrap();
        let mut client = Command::new(bin());
        clean_env(&mut client);
        let made = client
            .args(["client", "create", "--name", "prometheus", "--api", "v1"])
            .args(["--scopes", "metrics:read", "--json"])
            .env("ISPBILLS_CONFIG", &cfg)
            .env("ISPBILLS_DATA_DIR", root.path().join("data"))
            .output()
            .unwrap();
        assert!(made.status.success(), "{made:?}");
        let made: serde_json::Value = serde_json::from_slice(&made.stdout).unwrap();
        let token = made["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access token in {made}"))
            .to_string();
        let mut cmd = Command::new("prlimit");
        cmd.args([
            "--nofile=1024:1024",
            "--",
            "sh",
            "-c",
            "umask 022 && exec \"$0\" \"$@\"",
        ])
        .arg(bin())
        .args(["serve", "--listen", "127.0.0.1:0"]);
        clean_env(&mut cmd);
        let mut child = cmd
            .env("ISPBILLS_CONFIG", &cfg)
            .env("ISPBILLS_DATA_DIR", root.path().join("data"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("prlimit (util-linux) runs");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let prefix = format!("ispbills {} is listening on ", env!("CARGO_PKG_VERSION"));
        let deadline = Instant::now() + Duration::from_secs(60);
        let addr = loop {
            assert!(Instant::now() < deadline, "the server did not start");
            let line = lines
                .next()
                .expect("the server printed its address")
                .unwrap();
            if let Some(rest) = line.strip_prefix(&prefix) {
                break rest.trim().parse().unwrap();
            }
        };
        // Keep reading its output so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self {
            child,
            addr,
            root,
            token,
        }
    }

    fn data(&self) -> std::path::PathBuf {
        self.root.path().join("data")
    }
}

impl Drop for Limited {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// No ISPBILLS_* from the caller's environment.
fn clean_env(cmd: &mut Command) {
    for (k, _) in std::env::vars() {
        if k.starts_with("ISPBILLS_") {
            cmd.env_remove(k);
        }
    }
}

fn raise_own_file_limit() {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let now = getrlimit(Resource::Nofile);
    let _ = setrlimit(
        Resource::Nofile,
        Rlimit {
            current: now.maximum,
            maximum: now.maximum,
        },
    );
    let soft = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
    assert!(
        soft >= 1500,
        "this test needs 1,500 open files; the limit is {soft}"
    );
}

#[test]
fn eleven_hundred_idle_connections_do_not_lock_out_health_at_a_1024_file_limit() {
    let _one_at_a_time = serial();
    raise_own_file_limit();
    // Long timeouts: only the cap and eviction can keep the server reachable.
    let server =
        Limited::start("[server]\nheader_read_timeout_secs = 60\nkeepalive_timeout_secs = 60\n");
    let addr = server.addr;
    let token = server.token.clone();
    // One request in flight (head sent, body not yet): it must survive.
    let mut in_flight = TcpStream::connect(addr).unwrap();
    in_flight
        .write_all(
            b"POST /api/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n",
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let idle: Vec<TcpStream> = (0..1100)
        .map(|_| TcpStream::connect(addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(500));

    let (r, took) = get(addr, "/health");
    assert_eq!(r.status, 200, "{r:?}");
    eprintln!("/health with 1,100 idle connections open: {took:?}");
    assert!(took < Duration::from_secs(1), "/health took {took:?}");

    in_flight.write_all(b"{}").unwrap();
    let r = parse(&read_to_close(&mut in_flight, Duration::from_secs(10)));
    assert_eq!(r.status, 422, "the request in flight was cut: {r:?}");

    // The cap is below the file limit (1024 less a reserve of 128): the
    // oldest idle connections made room.
    let evicted = metric(addr, &token, "ispbills_http_connections_evicted_total");
    assert!(evicted >= 1100.0 + 1.0 - 896.0, "{evicted}");
    let open = metric(addr, &token, "ispbills_http_connections_open");
    assert!(open <= 896.0, "{open}");
    drop(idle);
}

// ---- private files ----------------------------------------------------------

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn data_files_are_private_whatever_the_umask() {
    let _one_at_a_time = serial();
    let server = Limited::start("");
    let data = server.data();
    // A write, so the WAL has something in it.
    assert_eq!(get(server.addr, "/health").0.status, 200);
    assert_eq!(mode(&data), 0o700);
    for f in ["ispbills.db", "ispbills.db-wal", "ispbills.db-shm"] {
        assert_eq!(mode(&data.join(f)), 0o600, "{f}");
    }
    let mut cmd = Command::new("sh");
    clean_env(&mut cmd);
    let out = cmd
        .args(["-c", "umask 022 && exec \"$0\" \"$@\""])
        .arg(bin())
        .arg("backup")
        .env("ISPBILLS_CONFIG", server.root.path().join("config.toml"))
        .env("ISPBILLS_DATA_DIR", &data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let backups = data.join("backups");
    assert_eq!(mode(&backups), 0o700);
    let files: Vec<_> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(mode(&files[0]), 0o600, "{files:?}");
}
