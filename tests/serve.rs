//! The served application: health, metrics, landing page, docs and spec; backup
//! while serving; the real binary starting, printing its URLs and stopping on
//! SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::{
    io::{BufRead, BufReader},
    process::Stdio,
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use common::{ispbills, request, stderr, stdout, TestServer};
use tempfile::TempDir;

#[test]
fn health_answers_ok_with_the_version() {
    let s = TestServer::start();
    let r = s.get("/health");
    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["engine"], common::engine_under_test());
    assert!(
        body["node"].as_str().is_some_and(|n| !n.is_empty()),
        "{body}"
    );
    // One node holds every lease.
    assert_eq!(
        body["leases"],
        serde_json::json!(["billing", "retention", "routers", "snmp", "status-checks"])
    );
    assert_eq!(body.as_object().unwrap().len(), 5, "{body}");
}

#[test]
fn metrics_count_requests_by_route_and_status() {
    let s = TestServer::start();
    for _ in 0..3 {
        s.get("/health");
    }
    s.get("/no/such/page");
    // Prometheus scrapes with a token that has metrics:read.
    let (_, _, _, token) =
        s.v2_client_token("metrics:read", ispbills::auth::principal::Tier::Standard);
    let r = s.get_auth("/metrics", &token);
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-type").unwrap().contains("text"),
        "{:?}",
        r.headers
    );
    let text = r.body;
    assert!(
        text.contains(
            r#"ispbills_http_requests_total{route="health",method="GET",status="200"} 3"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"ispbills_http_requests_total{route="unmatched",method="GET",status="404"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"ispbills_http_request_duration_seconds_count{route="health"} 3"#),
        "{text}"
    );
    assert!(
        text.contains("ispbills_http_request_duration_seconds_bucket{"),
        "{text}"
    );
}

#[test]
fn landing_page_names_the_product_version_and_docs() {
    let s = TestServer::start();
    let r = s.get("/");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    assert!(r.body.contains("ISPBills"));
    assert!(r
        .body
        .contains(&format!("Version {}", env!("CARGO_PKG_VERSION"))));
    assert!(r.body.contains("href=\"/docs/api\""));
    // The panel's script, an ES module served as JavaScript.
    assert!(r.body.contains("<script type=\"module\" src=\"/app.js\">"));
    let js = s.get("/app.js");
    assert_eq!(js.status, 200);
    assert!(js.header("content-type").unwrap().contains("javascript"));
    let module = s.get("/js/ui.js");
    assert_eq!(module.status, 200);
    assert!(module
        .header("content-type")
        .unwrap()
        .contains("javascript"));
    // Its stylesheet is served, cached but revalidated (so an upgrade never
    // mixes old and new files), with an ETag that answers 304.
    let css = s.get("/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("cache-control"), Some("no-cache"));
    let etag = css.header("etag").unwrap().to_string();
    let again = s.send(
        "GET",
        "/style.css",
        &[("if-none-match", etag.as_str())],
        None,
    );
    assert_eq!(again.status, 304);
}

#[test]
fn docs_ui_works_offline_and_the_spec_is_the_committed_one() {
    let s = TestServer::start();
    let ui = s.get("/docs/api");
    assert_eq!(ui.status, 200);
    assert!(ui.body.contains("swagger"), "a docs UI");
    // No script or stylesheet from another host.
    for attr in ["src=\"http", "href=\"http", "src='http", "href='http"] {
        assert!(!ui.body.contains(attr), "external asset: {attr}");
    }
    let spec = s.get("/docs/api/openapi.json");
    assert_eq!(spec.status, 200);
    let served: serde_json::Value = spec.json();
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../assets/openapi.json")).unwrap();
    assert!(
        served == committed,
        "the API changed: run scripts/update-openapi and commit assets/openapi.json"
    );
    let schemes = &served["components"]["securitySchemes"];
    assert_eq!(schemes["v1_bearer"]["type"], "oauth2");
    assert_eq!(
        schemes["v1_bearer"]["flows"]["password"]["tokenUrl"],
        "/api/auth/login"
    );
    assert_eq!(schemes["v2_bearer"]["type"], "oauth2");
    assert_eq!(
        schemes["v2_bearer"]["flows"]["clientCredentials"]["tokenUrl"],
        "/api/v2/auth/token"
    );
    assert!(schemes["v2_bearer"]["flows"]["clientCredentials"]["scopes"]["logs:read"].is_string());
    // Operations list their scopes.
    assert_eq!(
        served["paths"]["/api/v2/logs/api-requests"]["get"]["security"],
        serde_json::json!([{"v2_bearer": ["logs:read"]}])
    );
    assert!(served["components"]["schemas"]["Error"].is_object());
}

#[test]
fn backup_while_serving_is_consistent() {
    let s = TestServer::start();
    if common::engine_under_test() == "postgresql" {
        // PostgreSQL's backups are its own tools': the command says so.
        let root = TempDir::new().unwrap();
        let out = ispbills(root.path())
            .env("ISPBILLS_DATA_DIR", s.data_dir())
            .env("ISPBILLS_DATABASE__URL", common::database_url(s.data_dir()))
            .args(["backup", "--out", "/nonexistent/backup.db"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(stderr(&out).contains("pg_dump"), "{}", stderr(&out));
        return;
    }
    let db = s.state.db.clone();
    // Seed rows, then keep writing while the backup runs.
    let insert = |db: &ispbills::store::Db, i: usize| {
        db.write(move |tx| {
            tx.execute(
                "INSERT INTO staff_users (email, name, role, password_hash, created_at, updated_at)
                 VALUES (?1, 'x', 'support', 'h', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                [format!("u{i}@isp.example")],
            )?;
            Ok(())
        })
        .unwrap();
    };
    for i in 0..500 {
        insert(&db, i);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(500));
    let writer = {
        let (db, stop, written) = (db.clone(), stop.clone(), written.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let i = written.fetch_add(1, Ordering::Relaxed);
                insert(&db, i);
            }
        })
    };
    let out_dir = TempDir::new().unwrap();
    let out = out_dir.path().join("backup.db");
    let root = s.data_dir().parent().unwrap().to_path_buf();
    let result = ispbills(&root)
        .env("ISPBILLS_DATA_DIR", s.data_dir())
        .args(["backup", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(!out.with_extension("db.partial").exists());

    // The copy is a healthy, self-contained database with every seeded row.
    let check_root = TempDir::new().unwrap();
    let restored = check_root.path().join("data");
    std::fs::create_dir_all(&restored).unwrap();
    std::fs::copy(&out, restored.join("ispbills.db")).unwrap();
    let checked = ispbills(check_root.path()).arg("check").output().unwrap();
    assert!(checked.status.success(), "{}", stdout(&checked));
    let conn = rusqlite::Connection::open(&out).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM staff_users", [], |r| r.get(0))
        .unwrap();
    let n = n as usize;
    assert!(n >= 500 && n <= written.load(Ordering::Relaxed), "{n}");
    let journal: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "delete");
}

#[test]
fn the_binary_serves_prints_its_urls_and_stops_on_sigterm() {
    let root = TempDir::new().unwrap();
    let mut child = ispbills(root.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("ISPBILLS_LOG__FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut printed = Vec::new();
    let mut addr = None;
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(rest) = line.strip_prefix(&format!(
            "ispbills {} is listening on ",
            env!("CARGO_PKG_VERSION")
        )) {
            addr = Some(rest.trim().to_string());
        }
        printed.push(line.clone());
        if line.contains("API docs:") {
            break;
        }
    }
    let addr = addr.unwrap_or_else(|| panic!("no address printed: {printed:?}"));
    let text = printed.join("\n");
    assert!(
        text.contains(&format!("Panel:    http://{addr}/")),
        "{text}"
    );
    assert!(
        text.contains(&format!("API docs: http://{addr}/docs/api")),
        "{text}"
    );
    assert!(
        root.path().join("data/ispbills.db").is_file(),
        "migrated at start"
    );

    let r = request("GET", &format!("http://{addr}/health"), &[], None);
    assert_eq!(r.status, 200);

    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    // The rest of stdout are JSON log lines, ending with the clean stop.
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        rest.iter().any(|l| l.contains("\"message\":\"stopped\"")),
        "{rest:?}"
    );
}
