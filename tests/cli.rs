//! The real binary: every subcommand's help, config layering through the
//! environment, `admin create`, `migrate`, `check` and `default-config`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::process::Stdio;

use common::{ispbills, stderr, stdout};
use tempfile::TempDir;

#[test]
fn every_subcommand_has_help() {
    let dir = TempDir::new().unwrap();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["check", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
        vec!["config", "--help"],
        vec!["default-config", "--help"],
        vec!["openapi", "--help"],
        vec!["admin", "--help"],
        vec!["admin", "create", "--help"],
    ] {
        let out = ispbills(dir.path()).args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).contains("Usage: ispbills"), "{args:?}");
    }
    let out = ispbills(dir.path()).arg("--version").output().unwrap();
    assert_eq!(
        stdout(&out).trim(),
        format!("ispbills {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn default_config_prints_every_key_commented() {
    let dir = TempDir::new().unwrap();
    let out = ispbills(dir.path()).arg("default-config").output().unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    for key in [
        "data_dir",
        "listen",
        "body_limit_bytes",
        "shutdown_grace_secs",
        "pool_size",
        "request_log_retention_days",
        "level",
        "format",
    ] {
        assert!(text.contains(&format!("\n{key} = ")), "{key} missing");
    }
    assert!(text.lines().filter(|l| l.starts_with('#')).count() > 10);
}

fn effective(cmd: &mut std::process::Command) -> toml::Value {
    let out = cmd.arg("config").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    toml::from_str(&stdout(&out)).unwrap()
}

#[test]
fn config_layers_defaults_file_env_flags() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(
        &file,
        "[server]\nlisten = \"0.0.0.0:9001\"\nbody_limit_bytes = 2000\n[log]\nlevel = \"debug\"\n",
    )
    .unwrap();

    // Defaults only (the helper gives an empty file).
    let v = effective(&mut ispbills(dir.path()));
    assert_eq!(v["server"]["listen"].as_str(), Some("127.0.0.1:8080"));
    assert_eq!(v["log"]["level"].as_str(), Some("info"));

    // The file wins over defaults.
    let v = effective(ispbills(dir.path()).env("ISPBILLS_CONFIG", &file));
    assert_eq!(v["server"]["listen"].as_str(), Some("0.0.0.0:9001"));
    assert_eq!(v["server"]["body_limit_bytes"].as_integer(), Some(2000));

    // The environment wins over the file.
    let v = effective(
        ispbills(dir.path())
            .env("ISPBILLS_CONFIG", &file)
            .env("ISPBILLS_LISTEN", "127.0.0.1:9002")
            .env("ISPBILLS_SERVER__BODY_LIMIT_BYTES", "3000")
            .env("ISPBILLS_LOG__LEVEL", "warn"),
    );
    assert_eq!(v["server"]["listen"].as_str(), Some("127.0.0.1:9002"));
    assert_eq!(v["server"]["body_limit_bytes"].as_integer(), Some(3000));
    assert_eq!(v["log"]["level"].as_str(), Some("warn"));

    // Flags win over the environment; --config wins over ISPBILLS_CONFIG.
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "[database]\npool_size = 3\n").unwrap();
    let mut cmd = ispbills(dir.path());
    cmd.env("ISPBILLS_CONFIG", &file)
        .env("ISPBILLS_DATA_DIR", "/from/env")
        .args([
            "--config",
            other.to_str().unwrap(),
            "--data-dir",
            "/from/flag",
        ]);
    let v = effective(&mut cmd);
    assert_eq!(v["data_dir"].as_str(), Some("/from/flag"));
    assert_eq!(v["database"]["pool_size"].as_integer(), Some(3));
    assert_eq!(v["server"]["listen"].as_str(), Some("127.0.0.1:8080"));
}

#[test]
fn unknown_keys_in_file_or_environment_are_rejected_by_name() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(&file, "[server]\nlistne = \"0.0.0.0:1\"\n").unwrap();
    let out = ispbills(dir.path())
        .env("ISPBILLS_CONFIG", &file)
        .arg("config")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("listne"), "{}", stderr(&out));

    let out = ispbills(dir.path())
        .env("ISPBILLS_SERVER__LISTN", "x")
        .arg("config")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("listn"), "{}", stderr(&out));

    // A config file that does not exist is an error too.
    let out = ispbills(dir.path())
        .env("ISPBILLS_CONFIG", dir.path().join("nope.toml"))
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("does not exist"));
}

#[test]
fn admin_create_hashes_and_refuses_duplicates() {
    let dir = TempDir::new().unwrap();
    let out = ispbills(dir.path())
        .args([
            "admin",
            "create",
            "--email",
            "Admin@Example.com",
            "--name",
            "Nusrat Jahan",
        ])
        .args(["--password", "a long enough secret"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("admin@example.com"),
        "{}",
        stdout(&out)
    );

    // Stored hashed with argon2id at the OWASP parameters.
    let conn = rusqlite::Connection::open(dir.path().join("data/ispbills.db")).unwrap();
    let (role, hash): (String, String) = conn
        .query_row("SELECT role, password_hash FROM staff_users", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(role, "admin");
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(ispbills::auth::password::verify(
        "a long enough secret",
        &hash
    ));

    // The same email again (any case) is a clear error, exit 1.
    let out = ispbills(dir.path())
        .args([
            "admin",
            "create",
            "--email",
            "admin@EXAMPLE.com",
            "--name",
            "Other",
        ])
        .args(["--password", "another long secret"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM staff_users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn admin_create_reads_the_password_from_stdin() {
    let dir = TempDir::new().unwrap();
    let mut child = ispbills(dir.path())
        .args([
            "admin",
            "create",
            "--email",
            "ops@isp.example",
            "--name",
            "Ops",
        ])
        .arg("--password-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"typed on stdin 123\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = rusqlite::Connection::open(dir.path().join("data/ispbills.db")).unwrap();
    let hash: String = conn
        .query_row("SELECT password_hash FROM staff_users", [], |r| r.get(0))
        .unwrap();
    assert!(ispbills::auth::password::verify(
        "typed on stdin 123",
        &hash
    ));
}

#[test]
fn admin_create_rejects_bad_input() {
    let dir = TempDir::new().unwrap();
    let cases: [&[&str]; 4] = [
        &[
            "--email",
            "not-an-email",
            "--name",
            "A",
            "--password",
            "long enough pw",
        ],
        &[
            "--email",
            "a@b.co",
            "--name",
            "  ",
            "--password",
            "long enough pw",
        ],
        &["--email", "a@b.co", "--name", "A", "--password", "short"],
        &[
            "--email",
            "a@b.co",
            "--name",
            "A",
            "--password",
            "long enough pw",
            "--password-stdin",
        ],
    ];
    for args in cases {
        let out = ispbills(dir.path())
            .args(["admin", "create"])
            .args(args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
    }
    // Neither password option: clap refuses.
    let out = ispbills(dir.path())
        .args(["admin", "create", "--email", "a@b.co", "--name", "A"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn migrate_then_check_a_healthy_database() {
    let dir = TempDir::new().unwrap();
    let out = ispbills(dir.path()).arg("migrate").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let latest = ispbills::store::migrations::all().unwrap().len();
    assert!(
        stdout(&out).contains(&format!("schema version {latest}")),
        "{}",
        stdout(&out)
    );
    // Again: nothing to do, same version.
    let out = ispbills(dir.path()).arg("migrate").output().unwrap();
    assert!(stdout(&out).contains(&format!("schema version {latest}")));
    let out = ispbills(dir.path()).arg("check").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("ok"));
}

/// A directory whose database has been created by `ispbills migrate`.
fn migrated() -> TempDir {
    let dir = TempDir::new().unwrap();
    let out = ispbills(dir.path()).arg("migrate").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

#[test]
fn check_fails_on_a_broken_foreign_key() {
    let dir = migrated();
    {
        let conn = rusqlite::Connection::open(dir.path().join("data/ispbills.db")).unwrap();
        conn.execute_batch(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);
             CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));
             PRAGMA foreign_keys = OFF;
             INSERT INTO child (id, parent_id) VALUES (1, 42);",
        )
        .unwrap();
    }
    let out = ispbills(dir.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("foreign key"), "{}", stdout(&out));
}

#[test]
fn check_fails_on_a_corrupt_file() {
    let dir = migrated();
    let path = dir.path().join("data/ispbills.db");
    {
        // Fold the WAL into the main file so the bytes below are the database.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE filler (x TEXT); PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;")
            .unwrap();
        for i in 0..400 {
            conn.execute(
                "INSERT INTO filler VALUES (?1)",
                [format!("row {i} {}", "z".repeat(200))],
            )
            .unwrap();
        }
    }
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096;
    // Scribble over the middle of the second-to-last page (table b-tree content).
    let at = bytes.len() - 2 * page + 100;
    for b in &mut bytes[at..at + 2000] {
        *b = 0x5a;
    }
    std::fs::write(&path, bytes).unwrap();
    let out = ispbills(dir.path()).arg("check").output().unwrap();
    assert!(!out.status.success(), "{}", stdout(&out));
}

#[test]
fn check_without_a_database_fails() {
    let dir = TempDir::new().unwrap();
    let out = ispbills(dir.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no database"), "{}", stderr(&out));
}

#[test]
fn openapi_prints_the_committed_spec() {
    let dir = TempDir::new().unwrap();
    let out = ispbills(dir.path()).arg("openapi").output().unwrap();
    let committed = include_str!("../assets/openapi.json");
    assert!(
        stdout(&out).trim_end() == committed.trim_end(),
        "the API changed: run scripts/update-openapi and commit assets/openapi.json"
    );
}

#[test]
fn user_create_takes_a_role() {
    let dir = TempDir::new().unwrap();
    for (email, role) in [
        ("boss@isp.example", "admin"),
        ("desk@isp.example", "support"),
    ] {
        let out = ispbills(dir.path())
            .args([
                "user", "create", "--email", email, "--name", "Staff", "--role", role,
            ])
            .args(["--password", "long enough password"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stdout(&out).starts_with(&format!("created {role}")),
            "{}",
            stdout(&out)
        );
    }
    let out = ispbills(dir.path())
        .args([
            "user",
            "create",
            "--email",
            "x@isp.example",
            "--name",
            "X",
            "--role",
            "root",
        ])
        .args(["--password", "long enough password"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("unknown role"), "{}", stderr(&out));
}

fn json_out(cmd: &mut std::process::Command) -> serde_json::Value {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)))
}

#[test]
fn client_commands_print_credentials_once_and_manage_clients() {
    let dir = TempDir::new().unwrap();
    let v2 = json_out(ispbills(dir.path()).args([
        "client",
        "create",
        "--name",
        "CRM",
        "--api",
        "v2",
        "--scopes",
        "customers:read,logs:read",
        "--tier",
        "high-volume",
        "--json",
    ]));
    let keys: Vec<_> = v2.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["id", "client_id", "client_secret"]);
    assert!(v2["client_secret"].as_str().unwrap().len() >= 43);

    let v1 = json_out(
        ispbills(dir.path()).args(["client", "create", "--name", "App", "--api", "v1", "--json"]),
    );
    let keys: Vec<_> = v1.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["id", "access_token", "refresh_token", "expires_in"]);
    assert_eq!(v1["expires_in"], 3600);

    let list = json_out(ispbills(dir.path()).args(["client", "list", "--json"]));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let crm = list.iter().find(|c| c["name"] == "CRM").unwrap();
    assert_eq!(crm["type"], "v2");
    assert_eq!(crm["tier"], "high-volume");
    assert_eq!(
        crm["scopes"],
        serde_json::json!(["customers:read", "logs:read"])
    );
    assert!(!serde_json::to_string(&list)
        .unwrap()
        .contains(v2["client_secret"].as_str().unwrap()));

    let id = v2["id"].to_string();
    let rotated = json_out(ispbills(dir.path()).args(["client", "rotate", &id, "--json"]));
    assert_eq!(rotated["client_id"], v2["client_id"]);
    assert_ne!(rotated["client_secret"], v2["client_secret"]);

    let out = ispbills(dir.path())
        .args(["client", "delete", &id])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = ispbills(dir.path())
        .args(["client", "delete", &id])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no API client"));

    for bad in [
        vec!["client", "create", "--name", "X", "--api", "v3"],
        vec![
            "client", "create", "--name", "X", "--api", "v2", "--scopes", "nope:x",
        ],
        vec![
            "client", "create", "--name", "X", "--api", "v2", "--tier", "gold",
        ],
    ] {
        let out = ispbills(dir.path()).args(&bad).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
    }
}

#[test]
fn credentials_from_the_cli_work_against_the_server() {
    let root = TempDir::new().unwrap();
    let v2 = json_out(
        ispbills(root.path()).args(["client", "create", "--name", "CRM", "--api", "v2", "--json"]),
    );
    let mut child = ispbills(root.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
    let addr = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(a) = line.split(" is listening on ").nth(1) {
            break a.trim().to_string();
        }
    };
    let token = common::process::v2_token(&format!("http://{addr}"), &v2);
    let auth = format!("Bearer {token}");
    let logs = format!("http://{addr}/api/v2/logs/api-requests");
    let get = || common::request("GET", &logs, &[("authorization", auth.as_str())], None).status;
    assert_eq!(get(), 200);

    // Deleting the client from the command line stops the running server's
    // acceptance of its token (within the data-version poll interval).
    let out = ispbills(root.path())
        .args(["client", "delete", &v2["id"].to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    let mut status = get();
    while status == 200 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
        status = get();
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 401);
}

#[test]
fn package_create_and_demo_data() {
    let dir = TempDir::new().unwrap();
    let p = json_out(ispbills(dir.path()).args([
        "package",
        "create",
        "--name",
        "Fiber 100 Mbps",
        "--price",
        "1500.50",
        "--speed-down-kbps",
        "102400",
        "--speed-up-kbps",
        "51200",
        "--router-profile",
        "fiber-100m",
        "--validity-days",
        "30",
        "--json",
    ]));
    assert_eq!(p["price"], serde_json::json!(1500.5));
    assert_eq!(p["router_profile"], "fiber-100m");
    for (price, down) in [
        ("--price=-1", "--speed-down-kbps=1"),
        ("--price=1.234", "--speed-down-kbps=1"),
        ("--price=1", "--speed-down-kbps=0"),
    ] {
        let out = ispbills(dir.path())
            .args([
                "package",
                "create",
                "--name",
                "X",
                price,
                down,
                "--speed-up-kbps",
                "1",
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{price} {down}: {}",
            stderr(&out)
        );
    }
    // The demo loads only into an empty database.
    let out = ispbills(dir.path()).args(["demo"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("empty"), "{}", stderr(&out));

    let fresh = TempDir::new().unwrap();
    let out = ispbills(fresh.path())
        .args(["demo", "--customers", "150"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("150 customers"));
    let conn = rusqlite::Connection::open(fresh.path().join("data/ispbills.db")).unwrap();
    let (customers, packages, operators, events): (i64, i64, i64, i64) = conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM customers), (SELECT COUNT(*) FROM packages),
                    (SELECT COUNT(*) FROM operators), (SELECT COUNT(*) FROM events WHERE type = 'customer.created')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!((customers, packages, operators, events), (150, 6, 3, 150));
    // Every generated phone is a valid Bangladeshi mobile number.
    let mut stmt = conn.prepare("SELECT phone FROM customers").unwrap();
    let phones: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for phone in phones {
        assert_eq!(
            ispbills::domain::customer::normalise_phone(&phone).as_deref(),
            Some(phone.as_str())
        );
    }
}

#[test]
fn operator_users_are_bound_to_an_operator() {
    let dir = TempDir::new().unwrap();
    let base = [
        "user",
        "create",
        "--email",
        "r@isp.example",
        "--name",
        "R",
        "--role",
        "operator",
        "--password",
        "long enough password",
    ];
    let out = ispbills(dir.path()).args(base).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--operator-id"));
    let out = ispbills(dir.path())
        .args(base)
        .args(["--operator-id", "7"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no operator #7"), "{}", stderr(&out));
    assert!(ispbills(dir.path())
        .args(["demo", "--customers", "1"])
        .status()
        .unwrap()
        .success());
    let out = ispbills(dir.path())
        .args(base)
        .args(["--operator-id", "2"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn sms_topup_adds_credits_and_balance_reports_them() {
    let dir = migrated();
    let out = ispbills(dir.path())
        .args(["sms", "topup", "--credits", "500", "--note", "INV-77"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("added 500 SMS credits"));
    let out = ispbills(dir.path())
        .args(["sms", "topup", "--credits", "250"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("750 left"), "{}", stdout(&out));
    let out = ispbills(dir.path())
        .args(["sms", "topup", "--credits", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let out = ispbills(dir.path())
        .args(["sms", "balance"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("SMS credits: 750 left, 0 used today (gateway: log)"),
        "{}",
        stdout(&out)
    );
}

/// `demo --history` (what `serve --demo` loads): the customers' last two
/// months — bills, payments spread over the days, complaints, sent SMS,
/// recharge card batches — and no device that pretends to be live.
#[test]
fn demo_history_makes_the_screens_alive() {
    let dir = TempDir::new().unwrap();
    let out = ispbills(dir.path())
        .args(["demo", "--customers", "120", "--history"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("120 customers;"), "{said}");
    let conn = rusqlite::Connection::open(dir.path().join("data/ispbills.db")).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let bills = count("SELECT COUNT(*) FROM bills");
    let payments = count("SELECT COUNT(*) FROM payments");
    assert!(bills > 100, "{bills} bills");
    assert!(
        payments > bills / 2 && payments < bills,
        "{payments} payments of {bills} bills"
    );
    assert!(
        said.contains(&format!("{bills} bills, {payments} payments")),
        "{said}"
    );
    // Paid on many days of the last two months, none in the future.
    let days = count(
        "SELECT COUNT(DISTINCT substr(received_at, 1, 10)) FROM payments
         WHERE received_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-62 days')
           AND received_at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
    );
    assert!(days >= 30, "payments on {days} days");
    assert_eq!(count("SELECT COUNT(*) FROM payments WHERE received_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"), 0);
    // Every bill has its invoice; some are still owed.
    assert_eq!(
        count("SELECT COUNT(*) FROM bills WHERE invoice_id IS NULL"),
        0
    );
    assert!(count("SELECT COUNT(*) FROM bills WHERE status = 'unpaid'") > 0);
    assert_eq!(count("SELECT COUNT(*) FROM complaints"), 6);
    assert!(count("SELECT COUNT(*) FROM complaints WHERE status = 'open'") > 0);
    let sent = count("SELECT COUNT(*) FROM sms_messages WHERE status = 'sent'");
    assert_eq!(
        sent,
        count("SELECT COUNT(*) FROM sms_messages"),
        "all sent, none queued"
    );
    assert!(sent >= 20, "{sent} SMS");
    assert_eq!(
        count("SELECT COUNT(*) FROM sms_messages WHERE encoding = 'ucs2'"),
        10,
        "the Bangla notice"
    );
    assert!(count("SELECT SUM(delta) FROM sms_credit_ledger") >= 0);
    assert_eq!(
        count("SELECT COUNT(*) FROM recharge_cards WHERE status = 'unused'"),
        30
    );
    for table in ["routers", "snmp_devices"] {
        assert_eq!(
            count(&format!("SELECT COUNT(*) FROM {table}")),
            0,
            "no made-up {table}"
        );
    }
    // The past is not news: the SMS notifications and webhooks readers start
    // after it.
    let last_event = count("SELECT MAX(id) FROM events");
    for reader in ["sms-notifications", "webhooks"] {
        assert_eq!(
            count(&format!(
                "SELECT last_event_id FROM outbox_cursors WHERE name = '{reader}'"
            )),
            last_event,
            "{reader}"
        );
    }
    // The day's run goes on from it: no period billed twice, and only the
    // few who owe past the grace days are suspended.
    let active = count("SELECT COUNT(*) FROM customers WHERE status = 'active'");
    let out = ispbills(dir.path())
        .args(["billing", "run"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM (SELECT customer_id, substr(period_start, 1, 7) FROM bills
             GROUP BY 1, 2 HAVING COUNT(*) > 1) twice"
        ),
        0,
        "a month billed twice"
    );
    let suspended = count("SELECT COUNT(*) FROM auto_suspension_log");
    assert!(
        suspended * 5 < active,
        "{suspended} of {active} suspended by the first run"
    );
}
